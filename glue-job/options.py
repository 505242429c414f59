"""Typed job options, parsed from the `--name value` arguments in sys.argv.

Glue passes every DefaultArgument of the job as `--name value`, adds its own
(`--JOB_NAME`, `--JOB_RUN_ID`, `--job-bookmark-option`, `--TempDir`, ...) and
has no notion of optional arguments, so this module reads the arguments it
knows and ignores the rest. `--name=value` is accepted too.

Known arguments:

    --output_path     required; where `processed/` data goes (s3://, s3a:// or a local path)
    --database        Glue catalog database (catalog mode)
    --flights_table   catalog table of raw flights, default `flights`
    --airports_table  catalog table of airports, default `airports`
    --flights_path    raw flights folder (paths mode; needs --airports_path too)
    --airports_path   airports folder or file (paths mode; needs --flights_path too)
    --JOB_NAME        set by Glue; a default is used for local runs
    --JOB_RUN_ID      set by Glue; names the run's manifest (a local run makes one up)
    --contract_sha256 the SHA-256 of the data contract the raw files were checked against
                      (`up` sets it); recorded in the run manifest as given
    --TempDir         set by Glue; where the run keeps its working copies of the rows it
                      rewrites, removed at the end (default: this machine's temporary
                      folder on a local Spark, else `_scratch/` under --output_path)
    --drift_threshold a PSI above 0: when a quarter of the run drifted above it from the
                      quarter before, the job writes reports/drift_alert-<stamp>.json, whose
                      arrival the stack's drift rule sends to the alert topic (default: none)

With both paths given the job reads them directly (paths mode); otherwise it
reads the catalog tables, which needs `--database`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_JOB_NAME = "flights-features"
DEFAULT_FLIGHTS_TABLE = "flights"
DEFAULT_AIRPORTS_TABLE = "airports"
# Glue's run ids (jr_ and hex digits) and the local ones (run_manifest.local_run_id).
RUN_ID = re.compile(r"[A-Za-z0-9_-]{1,200}")

_KNOWN = (
    "output_path",
    "database",
    "flights_table",
    "airports_table",
    "flights_path",
    "airports_path",
    "JOB_NAME",
    "JOB_RUN_ID",
    "TempDir",
    "drift_threshold",
    "contract_sha256",
)


class OptionsError(ValueError):
    """The arguments do not describe a runnable job."""


@dataclass(frozen=True)
class JobOptions:
    output_path: str
    job_name: str = DEFAULT_JOB_NAME
    database: str | None = None
    flights_table: str = DEFAULT_FLIGHTS_TABLE
    airports_table: str = DEFAULT_AIRPORTS_TABLE
    flights_path: str | None = None
    airports_path: str | None = None
    temp_dir: str | None = None
    drift_threshold: float | None = None
    run_id: str | None = None
    contract_sha256: str | None = None

    @property
    def reads_paths(self) -> bool:
        """True when the raw data is read from paths rather than the catalog."""
        return self.flights_path is not None and self.airports_path is not None

    def source_description(self) -> dict[str, str | None]:
        if self.reads_paths:
            return {
                "mode": "paths",
                "flights_path": self.flights_path,
                "airports_path": self.airports_path,
            }
        return {
            "mode": "catalog",
            "database": self.database,
            "flights_table": self.flights_table,
            "airports_table": self.airports_table,
        }


def argument_pairs(argv: Sequence[str]) -> list[tuple[str, str | None]]:
    """Each `--name value` or `--name=value` of argv as (name, value), in order; a flag
    followed by another flag (or by nothing) has the value None."""
    pairs: list[tuple[str, str | None]] = []
    tokens = list(argv)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if not token.startswith("--") or len(token) == 2:
            continue
        name = token[2:]
        value: str | None = None
        if "=" in name:
            name, value = name.split("=", 1)
        elif index < len(tokens) and not tokens[index].startswith("--"):
            value = tokens[index]
            index += 1
        pairs.append((name, value))
    return pairs


def _scan(argv: Sequence[str]) -> dict[str, str]:
    """Collect the known `--name value` and `--name=value` pairs; the last one wins."""
    found: dict[str, str] = {}
    for name, value in argument_pairs(argv):
        if name not in _KNOWN:
            continue
        if value is None:
            raise OptionsError(f"--{name} needs a value")
        found[name] = value
    return found


def _text(found: dict[str, str], name: str) -> str | None:
    value = found.get(name)
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise OptionsError(f"--{name} must not be empty")
    return value


def parse_args(argv: Sequence[str]) -> JobOptions:
    """Parse sys.argv (the script name, if present, is skipped as a non-option)."""
    found = _scan(argv)

    output_path = _text(found, "output_path")
    if output_path is None:
        raise OptionsError("--output_path is required")
    output_path = output_path.rstrip("/") or "/"

    flights_path = _text(found, "flights_path")
    airports_path = _text(found, "airports_path")
    if (flights_path is None) != (airports_path is None):
        raise OptionsError("--flights_path and --airports_path go together: give both or neither")

    database = _text(found, "database")
    if flights_path is None and database is None:
        raise OptionsError("give --database (catalog mode) or --flights_path and --airports_path (paths mode)")

    return JobOptions(
        output_path=output_path,
        job_name=_text(found, "JOB_NAME") or DEFAULT_JOB_NAME,
        database=database,
        flights_table=_text(found, "flights_table") or DEFAULT_FLIGHTS_TABLE,
        airports_table=_text(found, "airports_table") or DEFAULT_AIRPORTS_TABLE,
        flights_path=flights_path,
        airports_path=airports_path,
        temp_dir=_text(found, "TempDir"),
        drift_threshold=_positive(found, "drift_threshold"),
        run_id=_run_id(found),
        contract_sha256=_text(found, "contract_sha256"),
    )


def _positive(found: dict[str, str], name: str) -> float | None:
    text = _text(found, name)
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise OptionsError(f"--{name} {text!r} is not a number above 0")
    return value


def _run_id(found: dict[str, str]) -> str | None:
    """Glue's run id, which names a file: refused if it could name one elsewhere."""
    value = _text(found, "JOB_RUN_ID")
    if value is not None and not RUN_ID.fullmatch(value):
        raise OptionsError(f"--JOB_RUN_ID {value!r} is not a run id: letters, digits, '_' and '-' only")
    return value
