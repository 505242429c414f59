#!/usr/bin/env python3
"""Do two output folders of the job (or of its DuckDB peer) hold the same data?

Compares, with DuckDB reading both folders' Parquet:

    features     per (year, quarter): row count, and an order-independent
                 checksum (a sum of row hashes) over every feature column,
                 doubles rounded to 9 decimals
    rejected     per (year, quarter, reject_reason): row count, and the same
                 checksum over the raw values and where each row came from
                 (the file's path below its `flights/` folder, the delivery's
                 year and month)
    aggregates   every group of route_quarter, origin_hour and day_of_week:
                 the same groups, flights and p90_delay equal, mean_delay and
                 share_delayed within 1e-9
    drift        every (year, quarter, feature) profile: rows, nulls, min, max,
                 the percentiles, distinct codes, bins and the quarter compared
                 against equal, mean and psi within 1e-9

and prints one JSON object: per table, `agree` and what differs. Runs in
.venv-bench, like the peer:

    .venv-bench/bin/python bench/agreement.py JOB_OUT PEER_OUT
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import duckdb  # type: ignore[import-not-found]

from duckdb_peer import AGGREGATE_KEYS, FLIGHT_FEATURE_COLUMNS, MEASURES, QUANTILES, REJECTED_COLUMNS, previous_quarter_columns

TOLERANCE = 1e-9
DECIMALS = 9
PARTITIONS = ("year", "quarter")
# What a null partition value is written as: by Spark, and by DuckDB.
NULL_PARTITIONS = ("__HIVE_DEFAULT_PARTITION__", "NULL")
EXAMPLES = 5


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _source(folder: Path) -> str | None:
    """A read of one partitioned Parquet table with typed partition columns; None if it has no file."""
    if not any(folder.rglob("*.parquet")):
        return None
    nulls = ", ".join(_quote(v) for v in NULL_PARTITIONS)
    partitions = ", ".join(
        f"TRY_CAST(CASE WHEN {p} IN ({nulls}) THEN NULL ELSE {p} END AS INTEGER) AS {p}" for p in PARTITIONS
    )
    return (
        f"(SELECT * EXCLUDE ({', '.join(PARTITIONS)}), {partitions} FROM read_parquet("
        f"{_quote(str(folder / '**' / '*.parquet'))}, hive_partitioning = true, "
        "hive_types = {'year': 'VARCHAR', 'quarter': 'VARCHAR'}))"
    )


def _columns(con: Any, source: str) -> dict[str, str]:
    return {row[0]: row[1] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}


def _normalised(name: str, dtype: str) -> str:
    """One value as both engines' output can agree on it."""
    if dtype in ("DOUBLE", "FLOAT"):
        return f"round({name}, {DECIMALS})"
    if dtype.startswith("TIMESTAMP"):
        return f"CAST(CAST({name} AS TIMESTAMP) AS VARCHAR)"
    return f"CAST({name} AS VARCHAR)"


def _checksums(con: Any, source: str, columns: list[str], group: list[str], values: dict[str, str]) -> dict[tuple, tuple]:
    """Per group: (rows, sum of row hashes) over `columns` (normalised) and any extra `values` expressions."""
    types = _columns(con, source)
    parts = [_normalised(c, types[c]) for c in columns] + list(values.values())
    keys = ", ".join(group)
    rows = con.execute(
        f"SELECT {keys}, count(*), sum(CAST(hash({', '.join(parts)}) AS HUGEINT)) FROM {source} GROUP BY {keys}"
    ).fetchall()
    return {tuple(r[: len(group)]): (r[-2], int(r[-1])) for r in rows}


def _compare_groups(job: dict[tuple, tuple], peer: dict[tuple, tuple], group: list[str]) -> dict[str, Any]:
    keys = sorted(set(job) | set(peer), key=lambda k: tuple((v is None, str(v)) for v in k))
    differing = [k for k in keys if job.get(k) != peer.get(k)]
    return {
        "agree": not differing,
        "rows": [sum(v[0] for v in job.values()), sum(v[0] for v in peer.values())],
        "groups": len(keys),
        "differing": [
            {**dict(zip(group, k, strict=True)),
             "job_rows": job.get(k, (0,))[0], "peer_rows": peer.get(k, (0,))[0]}
            for k in differing[:EXAMPLES]
        ],
        "differing_groups": len(differing),
    }


def _empty_or_missing(job: str | None, peer: str | None) -> dict[str, Any] | None:
    if job is None and peer is None:
        return {"agree": True, "rows": [0, 0], "groups": 0, "differing": [], "differing_groups": 0}
    if job is None or peer is None:
        return {"agree": False, "missing": "job" if job is None else "peer"}
    return None


def compare_features(con: Any, job_out: Path, peer_out: Path) -> dict[str, Any]:
    job, peer = _source(job_out / "features"), _source(peer_out / "features")
    missing = _empty_or_missing(job, peer)
    if missing is not None or job is None or peer is None:
        return missing or {}
    expected = [*FLIGHT_FEATURE_COLUMNS, *previous_quarter_columns(), *PARTITIONS]
    for side, source in (("job", job), ("peer", peer)):
        found = list(_columns(con, source))
        if sorted(found) != sorted(expected):
            return {"agree": False, "columns": {side: found, "expected": expected}}
    columns = [c for c in expected if c not in PARTITIONS]
    group = list(PARTITIONS)
    return _compare_groups(
        _checksums(con, job, columns, group, {}), _checksums(con, peer, columns, group, {}), group
    )


def compare_rejected(con: Any, job_out: Path, peer_out: Path) -> dict[str, Any]:
    job, peer = _source(job_out / "rejected"), _source(peer_out / "rejected")
    missing = _empty_or_missing(job, peer)
    if missing is not None or job is None or peer is None:
        return missing or {}
    # Spark names a file by its URI (file:///...), DuckDB by the path it globbed,
    # and the two read different set folders in the history case: compare the
    # file's path below its flights/ folder.
    where = {"source_file": "regexp_replace(source_file, '^.*/flights/', '')"}
    columns = [c for c in REJECTED_COLUMNS if c not in (*PARTITIONS, "reject_reason", "source_file")]
    group = [*PARTITIONS, "reject_reason"]
    return _compare_groups(
        _checksums(con, job, columns, group, where), _checksums(con, peer, columns, group, where), group
    )


def compare_aggregate(con: Any, job_out: Path, peer_out: Path, name: str) -> dict[str, Any]:
    folder = Path("aggregates") / name / "parquet"
    job, peer = _source(job_out / folder), _source(peer_out / folder)
    missing = _empty_or_missing(job, peer)
    if missing is not None or job is None or peer is None:
        return missing or {}
    keys = [*PARTITIONS, *AGGREGATE_KEYS[name]]
    on = " AND ".join(f"j.{k} IS NOT DISTINCT FROM p.{k}" for k in keys)
    present = f"j.{keys[0]} IS NOT NULL OR j.flights IS NOT NULL"
    peer_present = f"p.{keys[0]} IS NOT NULL OR p.flights IS NOT NULL"
    differs = " OR ".join([
        "j.flights IS DISTINCT FROM p.flights",
        "j.p90_delay IS DISTINCT FROM p.p90_delay",
        *[
            f"(j.{m} IS NULL) <> (p.{m} IS NULL) OR abs(j.{m} - p.{m}) > {TOLERANCE}"
            for m in ("mean_delay", "share_delayed")
        ],
    ])
    measures = ", ".join(f"j.{m} AS job_{m}, p.{m} AS peer_{m}" for m in MEASURES)
    counts = con.execute(f"""
        SELECT count(*) FILTER (NOT ({peer_present})),
               count(*) FILTER (NOT ({present})),
               count(*) FILTER (({present}) AND ({peer_present}) AND ({differs})),
               count(*) FILTER ({present}), count(*) FILTER ({peer_present}),
               max(abs(j.mean_delay - p.mean_delay)), max(abs(j.share_delayed - p.share_delayed))
        FROM {job} j FULL OUTER JOIN {peer} p ON {on}
    """).fetchone()
    only_job, only_peer, differing, job_groups, peer_groups, mean_diff, share_diff = counts
    examples = con.execute(f"""
        SELECT {', '.join(f'coalesce(j.{k}, p.{k}) AS {k}' for k in keys)}, {measures}
        FROM {job} j FULL OUTER JOIN {peer} p ON {on}
        WHERE NOT ({peer_present}) OR NOT ({present}) OR ({differs})
        LIMIT {EXAMPLES}
    """).fetchall() if only_job or only_peer or differing else []
    return {
        "agree": not (only_job or only_peer or differing),
        "groups": [job_groups, peer_groups],
        "only_in_job": only_job,
        "only_in_peer": only_peer,
        "differing": differing,
        "max_mean_delay_diff": mean_diff,
        "max_share_delayed_diff": share_diff,
        "examples": [[str(v) for v in row] for row in examples],
    }


def compare_drift(con: Any, job_out: Path, peer_out: Path) -> dict[str, Any]:
    job, peer = _source(job_out / "drift"), _source(peer_out / "drift")
    missing = _empty_or_missing(job, peer)
    if missing is not None or job is None or peer is None:
        return missing or {}
    keys = [*PARTITIONS, "feature"]
    exact = ["kind", "rows", "nulls", "min", "max", *(f"p{p:02d}" for p in QUANTILES), "distinct", "bins",
             "against_year", "against_quarter"]
    on = " AND ".join(f"j.{k} IS NOT DISTINCT FROM p.{k}" for k in keys)
    differs = " OR ".join([
        "j.feature IS NULL", "p.feature IS NULL",
        *[f'j."{c}" IS DISTINCT FROM p."{c}"' for c in exact],
        *[f"(j.{m} IS NULL) <> (p.{m} IS NULL) OR abs(j.{m} - p.{m}) > {TOLERANCE}" for m in ("mean", "psi")],
    ])
    job_rows, peer_rows, differing = con.execute(f"""
        SELECT count(j.feature), count(p.feature), count(*) FILTER ({differs})
        FROM {job} j FULL OUTER JOIN {peer} p ON {on}
    """).fetchone()
    examples = con.execute(f"""
        SELECT coalesce(j.year, p.year), coalesce(j.quarter, p.quarter), coalesce(j.feature, p.feature),
               {', '.join(f'j."{c}", p."{c}"' for c in (*exact, 'mean', 'psi'))}
        FROM {job} j FULL OUTER JOIN {peer} p ON {on} WHERE {differs} LIMIT {EXAMPLES}
    """).fetchall() if differing else []
    return {
        "agree": not differing and job_rows > 0,
        "profiles": [job_rows, peer_rows],
        "differing": differing,
        "examples": [[str(v) for v in row] for row in examples],
    }


def compare(job_out: Path, peer_out: Path) -> dict[str, Any]:
    con = duckdb.connect(config={"threads": 2, "memory_limit": "4GB"})
    con.execute("SET TimeZone = 'UTC'")
    result = {
        "features": compare_features(con, job_out, peer_out),
        "rejected": compare_rejected(con, job_out, peer_out),
    }
    for name in AGGREGATE_KEYS:
        result[f"aggregates/{name}"] = compare_aggregate(con, job_out, peer_out, name)
    result["drift"] = compare_drift(con, job_out, peer_out)
    con.close()
    return result


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    result = compare(Path(sys.argv[1]), Path(sys.argv[2]))
    print("AGREEMENT " + json.dumps(result, default=str), flush=True)
    return 0 if all(table.get("agree") for table in result.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
