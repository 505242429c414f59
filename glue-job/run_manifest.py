"""The run manifest: what one run read, what it ran as and with, and what it left.

The job writes it at the end of every run, to `manifests/runs/<run id>.json`
under `--output_path` (the run report names it under "outputs"), so that a run
started by the schedule or by an arrival, with no CLI attached, is recorded as
well as one started by hand:

    {
      "manifest_version": 1,
      "run_id": str,                   Glue's --JOB_RUN_ID, or local-<UTC time>-<8 hex digits>
      "job_name": str, "started_at": ISO-8601 UTC, "finished_at": ...,
      "output_path": str,
      "script": {"sha256": hex, "files": {"job.py": hex, ...}}
                                       every module of the job (JOB_MODULES); "sha256" is that of
                                       the lines "<sha256>  <name>" of the files, in name order
      "runtime": {"platform": "glue", "glue_version", "worker_type", "number_of_workers",
                  "execution_class", "spark_version", "python_version", "lookup_error"}
               | {"platform": "local", "master", "spark_version", "python_version"},
      "arguments": {"--name": value, ...}
                                       every argument the run was given (on Glue: the job's
                                       defaults with the run's overrides, and Glue's own), less
                                       any whose name says secret, password or token
      "contract_sha256": hex | null,   --contract_sha256 as given
      "inputs": [{"table": "flights" | "airports", "key": uri, "size": int, "sha256": hex}, ...]
      "rows", "rejected_by_reason", "quarters", "recomputed_quarters": as in the run report
      "outputs": {
        "files": [{"key": path under --output_path, "size": int, "sha256": hex,
                   "modified": ISO-8601 UTC, "run_id": the run that first recorded the file}, ...],
        "tables": [{"table": "features", "year": int, "quarter": int, "rows": int}, ...],
        "table_digests": [{"table": "features", "rows": int, "digest": str}, ...]
      }
    }

"outputs.files" is every file under the output as the run leaves it, not only
the ones it wrote: a later reader (`export --verify`) checks a whole copy
against the newest manifest alone. What the run did not rewrite is carried
from the manifest before it (same key, size and time), so only what the run
wrote is read to be hashed: the cost follows the delivery, not the history. A
file no earlier manifest records (the first run, or the first after an
upgrade) is hashed too. Left out: the run reports, the run manifests and the
working copies under `_scratch/`, and Spark's hidden files (`.crc`, `_SUCCESS`).

"outputs.tables" is, per Parquet table and recomputed quarter, its row count;
"outputs.table_digests", per table, the rows of all the recomputed quarters and
the sum of the xxhash64 of each of them: the same for the same rows, whatever
files Spark split them into and in what order. They are taken as the rows are
written (TableDigests), not read back.

Two runs over the same inputs with the same arguments into the same (empty)
output give manifests that differ only in the fields of VARIES: times, run
ids, and, for Spark's data files, names (Spark puts its write's random UUID
in each) and, for the tables whose rows Spark spreads over tasks (FREE_ORDER),
the split of their rows into files and the order within them, hence those
files' size and sha256. Their content is then compared by "outputs.table_digests".

Hashing reads each file whole into one task's memory (Spark's binaryFile
source, which stops at 2 GiB a file): raw gzip files of a quarter are far
smaller; split a larger delivery into files below that.
"""

from __future__ import annotations

import hashlib
import importlib.util
import platform
import re
import sys
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from fnmatch import fnmatch
from functools import reduce
from pathlib import Path
from typing import Any, TypeVar

from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as F

import incremental
import options
import storage
from layout import OutputLayout
from transforms import PARTITION_COLUMNS

MANIFEST_VERSION = 2

# Every module of the job: what Glue runs as the script and the --extra-py-files.
JOB_MODULES = (
    "drift",
    "history",
    "incremental",
    "job",
    "layout",
    "options",
    "report",
    "run_manifest",
    "runtime",
    "stage_metrics",
    "storage",
    "transforms",
)

# An argument whose name says so is never written down.
SECRET_NAME = re.compile(r"secret|password|token", re.IGNORECASE)

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

# What the job reads of a folder (job._csv_reader's pathGlobFilter); hidden names never.
READ_GLOB = "*.csv*"

# The tables whose rows Spark spreads over tasks before writing: how many files
# a partition has and which rows each holds follows the shuffle. The others
# are written in an order of their own (one sorted file per quarter or in all).
FREE_ORDER = ("features/", "rejected/", "delivered/")

# The fields that differ between two runs over the same inputs and settings.
VARIES = (
    "run_id",
    "started_at",
    "finished_at",
    "arguments.--JOB_RUN_ID",
    "outputs.files[].modified",
    "outputs.files[].run_id",
    "outputs.files[].key: the UUID in Spark's file names (part-NNNNN-<uuid>.cNNN.snappy.parquet, part-NNNNN-<uuid>-cNNN.csv)",
    "outputs.files[].size, .sha256: the files of FREE_ORDER tables",
)

# What is not the run's output, though under the output path.
_NOT_OUTPUT = ("reports/", "manifests/runs/", "_scratch/")


def local_run_id(started_at: datetime) -> str:
    """A run id for a run without Glue: sortable by time, unique by its random tail."""
    return f"local-{started_at.strftime('%Y%m%dT%H%M%SZ')}-{uuid.uuid4().hex[:8]}"


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _iso_ms(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ---------------------------------------------------------------------------
# What ran


def script_files() -> dict[str, str]:
    """The SHA-256 of each module's file, by file name, found where Python imports it from."""
    found = {}
    for name in JOB_MODULES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise RuntimeError(f"the job's module {name} is not importable: the run manifest cannot record it")
        origin = Path(spec.origin)
        found[origin.name] = hashlib.sha256(origin.read_bytes()).hexdigest()
    return dict(sorted(found.items()))


def script_sha256(files: Mapping[str, str]) -> str:
    """One checksum of all modules, as `sha256sum` lists them: "<sha256>  <name>" lines in name order."""
    listing = "".join(f"{digest}  {name}\n" for name, digest in sorted(files.items()))
    return hashlib.sha256(listing.encode("utf-8")).hexdigest()


def arguments(argv: Sequence[str]) -> dict[str, str | None]:
    """Every `--name value` (or `--name=value`) of argv; a flag without a value is null. Names
    that say secret, password or token are left out."""
    found: dict[str, str | None] = {}
    for name, value in options.argument_pairs(argv):
        if not SECRET_NAME.search(f"--{name}"):
            found[f"--{name}"] = value
    return dict(sorted(found.items()))


def glue_client() -> Any:
    """The Glue API client the job asks about its own run (a test hands its own)."""
    import boto3

    return boto3.client("glue")


def glue_runtime(job_name: str, run_id: str | None, client: Callable[[], Any] | None = None) -> dict[str, Any]:
    """The run's version, worker type and count as Glue ran it (a run may override the job's).

    Never fails the run: a lookup that fails leaves them null and says why.
    """
    found: dict[str, Any] = {"glue_version": None, "worker_type": None, "number_of_workers": None, "execution_class": None}
    error = None
    if run_id is None:
        error = "no --JOB_RUN_ID to look the run up by"
    else:
        try:
            run = (client or glue_client)().get_job_run(JobName=job_name, RunId=run_id)["JobRun"]
            found = {
                "glue_version": run.get("GlueVersion"),
                "worker_type": run.get("WorkerType"),
                "number_of_workers": run.get("NumberOfWorkers"),
                "execution_class": run.get("ExecutionClass"),
            }
        except Exception as failure:  # noqa: BLE001 - any failure of a lookup is reported, not raised
            error = f"glue:GetJobRun failed: {type(failure).__name__}: {failure}".splitlines()[0]
    if error is not None:
        print(f"warning: run manifest: {error}", file=sys.stderr, flush=True)
    return {"platform": "glue", **found, **_versions(), "lookup_error": error}


def local_runtime(spark: SparkSession) -> dict[str, Any]:
    return {"platform": "local", "master": spark.sparkContext.master, **_versions(spark)}


def _versions(spark: SparkSession | None = None) -> dict[str, str]:
    versions = {"python_version": platform.python_version()}
    if spark is None:
        spark = SparkSession.getActiveSession()
    if spark is not None:
        versions["spark_version"] = spark.version
    return dict(sorted(versions.items()))


# ---------------------------------------------------------------------------
# Hashing, in Spark's tasks


def hash_files(spark: SparkSession, paths: Iterable[str]) -> dict[str, tuple[int, str]]:
    """(size, SHA-256) of each file, by its qualified path, computed in parallel by Spark's tasks."""
    wanted = sorted(set(paths))
    if not wanted:
        return {}
    files = spark.read.format("binaryFile").option("recursiveFileLookup", "true").load(wanted)
    rows = files.select("path", "length", F.sha2("content", 256).alias("sha256")).collect()
    hashed = {storage.qualified(spark, r["path"]): (int(r["length"]), str(r["sha256"])) for r in rows}
    # Spark reads no empty file: its checksum is known without reading it.
    for path in (storage.qualified(spark, p) for p in wanted):
        if path not in hashed:
            (found,) = storage.list_files(spark, path)
            if found.size != 0:
                raise RuntimeError(f"the run manifest could not hash {path} ({found.size} bytes)")
            hashed[path] = (0, EMPTY_SHA256)
    return hashed


def readable_files(spark: SparkSession, path: str) -> list[str]:
    """The files the job reads at `path`: the file itself, or the CSV files anywhere under the folder."""
    listed = storage.list_files(spark, path)
    if len(listed) == 1 and listed[0].path == storage.qualified(spark, path):
        return [listed[0].path]
    return [f.path for f in listed if fnmatch(f.path.rsplit("/", 1)[1], READ_GLOB) and not _hidden(f.path)]


def _hidden(path: str) -> bool:
    return path.rsplit("/", 1)[1].startswith(("_", "."))


def input_paths(spark: SparkSession, read: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """The files read, by table, as the file system names them."""
    return {table: sorted({storage.qualified(spark, p) for p in paths if p}) for table, paths in read.items()}


def inputs(named: Mapping[str, Sequence[str]], hashed: Mapping[str, tuple[int, str]]) -> list[dict[str, Any]]:
    """Each file read, by table: key, size and SHA-256."""
    return [
        {"table": table, "key": path, "size": hashed[path][0], "sha256": hashed[path][1]}
        for table in sorted(named)
        for path in named[table]
    ]


def files_of(df: DataFrame) -> list[str]:
    """The files a DataFrame's rows come from (a small table: the airports)."""
    return [r[0] for r in df.select(F.input_file_name()).distinct().collect() if r[0]]


# ---------------------------------------------------------------------------
# What the run left


def previous_manifest(spark: SparkSession, layout: OutputLayout) -> dict[str, Any] | None:
    """The manifest the run before this one wrote, named by its run report (before this run replaces it)."""
    text = storage.read_text(spark, layout.report)
    if text is None:
        return None
    path = storage.json_object(text).get("outputs", {}).get("run_manifest")
    manifest_text = storage.read_text(spark, path) if isinstance(path, str) else None
    return None if manifest_text is None else storage.json_object(manifest_text)


@dataclass(frozen=True)
class OutputListing:
    """The output's files by key, and the records of those the manifest before holds as they are."""

    listed: Mapping[str, storage.ListedFile]
    carried: Mapping[str, Mapping[str, Any]]

    def to_hash(self) -> list[str]:
        return [found.path for key, found in self.listed.items() if key not in self.carried]


def output_listing(spark: SparkSession, output_path: str, previous: Mapping[str, Any] | None) -> OutputListing:
    """Every file of the output as this run leaves it (see the module docstring), and what is known of it."""
    root = storage.qualified(spark, output_path).rstrip("/") + "/"
    listed = {}
    for found in storage.list_files(spark, output_path):
        key = found.path[len(root):] if found.path.startswith(root) else found.path
        if not _hidden(found.path) and not key.startswith(_NOT_OUTPUT):
            listed[key] = found
    known = {entry["key"]: entry for entry in ((previous or {}).get("outputs") or {}).get("files") or []}
    carried = {}
    for key, found in listed.items():
        entry = known.get(key)
        if entry is not None and entry.get("size") == found.size and entry.get("modified") == _iso_ms(found.modified_ms):
            carried[key] = entry
    return OutputListing(listed, carried)


def output_files(listing: OutputListing, hashed: Mapping[str, tuple[int, str]], run_id: str) -> list[dict[str, Any]]:
    """The manifest's "outputs.files": the records carried, and the files hashed now, under this run's id."""
    files = []
    for key in sorted(listing.listed):
        found = listing.listed[key]
        if key in listing.carried:
            files.append(dict(listing.carried[key]))
        else:
            size, digest = hashed[found.path]
            files.append({"key": key, "size": size, "sha256": digest, "modified": _iso_ms(found.modified_ms), "run_id": run_id})
    return files


T = TypeVar("T")


# The column that carries a row's hash through TableDigests.write's observation (and no further).
ROW_HASH = "_row_hash"


class TableDigests:
    """Each Parquet table's rows per recomputed quarter, and one order-free digest of what the run
    wrote of it, as the run writes them.

    Every write of a partitioned table goes through `write`, which has Spark
    observe the metrics in the same pass that writes the rows
    (DataFrame.observe): nothing is read back. A row's hash is the xxhash64 of
    its columns as the files store them (all but year and quarter, which are
    folders) in file order: the same rows read back hash alike (a test holds
    the two equal). A table's digest is the sum of the hashes of its rows in
    the recomputed quarters, blind to order and to the split into files; it is
    summed as two longs, of the hashes' high and low 32 bits, which hold it
    exactly up to 2**31 rows, and joined on the driver.

    The hash is a column added before the observation and dropped after it:
    computed once per row, in the generated code of the stage that feeds the
    write, where the metrics (evaluated row by row apart from that code, and
    sharing nothing between their expressions) would hash the row once per
    sum. Measured on the 12M feature table's write: 28-30 s with the column,
    34-36 s hashing inside the metrics, 28-31 s with no digest. One digest
    per table, not one per quarter: each sum still costs every row. Counting
    a quarter's rows needs no hash, so rows stay per quarter.
    """

    def __init__(self, layout: OutputLayout, recomputed: Sequence[incremental.Quarter]) -> None:
        root = layout.features[: -len("features/")]
        self._names = {table: table[len(root):].rstrip("/") for table in layout.partitioned_tables()}
        dated = sorted((q for q in recomputed if None not in q), key=incremental.quarter_order)
        self._quarters = [*dated, *(q for q in recomputed if None in q)]
        # (table name, year, quarter) -> rows
        self._rows = {(name, *q): 0 for name in self._names.values() for q in self._quarters}
        # table name -> sum of the hashes of its rows in the recomputed quarters
        self._sums = dict.fromkeys(self._names.values(), 0)

    def write(
        self,
        table: str,
        rows: DataFrame,
        write: Callable[[DataFrame], T],
        *,
        quarters: Sequence[incremental.Quarter] | None = None,
        columns: Sequence[str] | None = None,
    ) -> T:
        """`write(rows)`, adding to `table`'s rows and digest what `rows` hold of `quarters` (default:
        all recomputed ones). `columns`: the table's stored columns, in file order, when `rows` has more."""
        name = self._names[table]
        wanted = [q for q in self._quarters if quarters is None or q in quarters]
        if not wanted:
            return write(rows)
        stored = list(columns) if columns is not None else [c for c in rows.columns if c not in PARTITION_COLUMNS]
        row_hash = F.col(ROW_HASH)
        matches = [F.col("year").eqNullSafe(F.lit(year)) & F.col("quarter").eqNullSafe(F.lit(quarter)) for year, quarter in wanted]
        in_wanted = reduce(lambda a, b: a | b, matches)
        metrics = [F.count(F.when(match, 1)).alias(f"rows_{i}") for i, match in enumerate(matches)]
        metrics += [
            F.sum(F.when(in_wanted, F.shiftright(row_hash, 32))).alias("high"),
            F.sum(F.when(in_wanted, row_hash.bitwiseAND(F.lit(0xFFFFFFFF)))).alias("low"),
        ]
        observation = Observation()
        hashed = rows.withColumn(ROW_HASH, F.xxhash64(*stored))
        result = write(hashed.observe(observation, *metrics).drop(ROW_HASH))
        # Read at once: an observation waits for its own write, which has run.
        found = observation.get
        for i, each in enumerate(wanted):
            self._rows[(name, *each)] += int(found[f"rows_{i}"])
        self._sums[name] += (int(found["high"] or 0) << 32) + int(found["low"] or 0)
        return result

    def tables(self) -> list[dict[str, Any]]:
        """The manifest's "outputs.tables": each table in layout order, its quarters in time order."""
        return [
            {"table": name, "year": year, "quarter": quarter, "rows": self._rows[(name, year, quarter)]}
            for name in self._names.values()
            for (year, quarter) in self._quarters
        ]

    def digests(self) -> list[dict[str, Any]]:
        """The manifest's "outputs.table_digests": each table in layout order, over the recomputed quarters."""
        return [
            {
                "table": name,
                "rows": sum(self._rows[(name, *q)] for q in self._quarters),
                "digest": str(self._sums[name]),
            }
            for name in self._names.values()
        ]


# ---------------------------------------------------------------------------
# The document


@dataclass(frozen=True)
class RunFacts:
    """What the job hands over of its run: who it is, what it was given, what it counted."""

    run_id: str
    job_name: str
    started_at: datetime
    output_path: str
    argv: Sequence[str]
    contract_sha256: str | None
    runtime: Mapping[str, Any]
    read: Mapping[str, Iterable[str]]
    summary: Mapping[str, Any]
    recomputed: Sequence[incremental.Quarter]
    tables: Sequence[Mapping[str, Any]]
    table_digests: Sequence[Mapping[str, Any]]


def build(spark: SparkSession, facts: RunFacts, layout: OutputLayout) -> dict[str, Any]:
    """The manifest of a run that has written everything but its report."""
    files = script_files()
    read = input_paths(spark, facts.read)
    listing = output_listing(spark, facts.output_path, previous_manifest(spark, layout))
    # One read of every file to hash, inputs and outputs alike, spread over Spark's tasks.
    hashed = hash_files(spark, [*(p for paths in read.values() for p in paths), *listing.to_hash()])
    document: dict[str, Any] = {
        "manifest_version": MANIFEST_VERSION,
        "run_id": facts.run_id,
        "job_name": facts.job_name,
        "started_at": _iso(facts.started_at),
        "finished_at": None,
        "output_path": facts.output_path,
        "script": {"sha256": script_sha256(files), "files": files},
        "runtime": dict(facts.runtime),
        "arguments": arguments(facts.argv[1:]),
        "contract_sha256": facts.contract_sha256,
        "inputs": inputs(read, hashed),
        **{key: facts.summary[key] for key in ("rows", "rejected_by_reason", "quarters")},
        "recomputed_quarters": [{"year": year, "quarter": quarter} for year, quarter in facts.recomputed],
        "outputs": {
            "files": output_files(listing, hashed, facts.run_id),
            "tables": [dict(t) for t in facts.tables],
            "table_digests": [dict(t) for t in facts.table_digests],
        },
    }
    document["finished_at"] = _iso(datetime.now(timezone.utc))
    return document


def write(spark: SparkSession, document: Mapping[str, Any], layout: OutputLayout) -> str:
    path = layout.run_manifest(document["run_id"])
    storage.write_text(spark, path, storage.to_json(dict(document)))
    return path
