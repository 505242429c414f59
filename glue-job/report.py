"""The run report: what a run read, wrote and quarantined, as a JSON document.

Shape (every reason is always present, with 0 when no row had it):

    {
      "job_name": str, "started_at": ISO-8601 UTC, "finished_at": ..., "duration_seconds": float,
      "source": {"mode": "paths", "flights_path": ..., "airports_path": ...}
              | {"mode": "catalog", "database": ..., "flights_table": ..., "airports_table": ...},
      "output_path": str,
      "rows": {"read": int, "written": int, "rejected": int},
      "rejected_by_reason": {reason: int, ...},
      "quarters": [
        {"year": int|null, "quarter": int|null, "read": int, "written": int, "rejected": int,
         "rejected_by_reason": {reason: int, ...}},
        ...                                     (sorted; null year/quarter last)
      ],
      "recomputed_quarters": [{"year": int|null, "quarter": int|null}, ...]
                                          (every quarter whose outputs this run rewrote,
                                           from all rows delivered so far; see incremental.py)
      "drift": [{"year": int, "quarter": int, "rows": int,
                 "against": {"year": int, "quarter": int} | null,
                 "psi": {feature: float | null, ...},
                 "quantiles": {feature: {"p01": float | null, ..., "p99": float | null}, ...}}, ...]
                                          (per recomputed quarter with flights, the population
                                           stability index of each numeric feature against the
                                           quarter before, and its exact quantiles: see drift.py)
      "rules": {...the bounds and choices in force...},
      "outputs": {"features": uri, "rejected": uri, "aggregates": {name: {"parquet", "csv", "manifest"}},
                  "delivered": uri, "drift": uri, "report": uri, "run_manifest": uri},
                                          (run_manifest: this run's manifest, see run_manifest.py)
      "spark": {"stages", "memory_spilled_bytes", "disk_spilled_bytes", "slowest_stage", "advice", "steps"} | null
                                          (what Spark measured during the run: see stage_metrics.py)
    }

"rows" and "quarters" count the rows this run read (a bookmarked run: the new
files), each by its outcome; "written" counts feature-table rows; per quarter,
read = written + rejected.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import transforms

REPORT_PREFIX = "RUN_REPORT "


def _zero_reasons() -> dict[str, int]:
    return {reason: 0 for reason in transforms.REASONS}


def summarise(counts: Iterable[tuple[Any, Any, str | None, int]]) -> dict[str, Any]:
    """Totals and per-quarter figures from (year, quarter, reject_reason, rows) tuples."""
    per_quarter: dict[tuple[Any, Any], dict[str, Any]] = defaultdict(
        lambda: {"read": 0, "written": 0, "rejected": 0, "rejected_by_reason": _zero_reasons()}
    )
    for year, quarter, reason, rows in counts:
        entry = per_quarter[(year, quarter)]
        entry["read"] += rows
        if reason is None:
            entry["written"] += rows
        else:
            if reason not in entry["rejected_by_reason"]:
                raise ValueError(f"unknown reject reason {reason!r}")
            entry["rejected"] += rows
            entry["rejected_by_reason"][reason] += rows

    def order(key: tuple[Any, Any]) -> tuple[int, int, int]:
        year, quarter = key
        return (year is None, year or 0, quarter or 0)

    quarters = [
        {"year": key[0], "quarter": key[1], **per_quarter[key]}
        for key in sorted(per_quarter, key=order)
    ]
    totals = _zero_reasons()
    for entry in quarters:
        for reason, rows in entry["rejected_by_reason"].items():
            totals[reason] += rows
    return {
        "rows": {
            "read": sum(q["read"] for q in quarters),
            "written": sum(q["written"] for q in quarters),
            "rejected": sum(q["rejected"] for q in quarters),
        },
        "rejected_by_reason": totals,
        "quarters": quarters,
    }


def rules() -> dict[str, Any]:
    return {
        "delay_bounds_minutes": [transforms.MIN_DELAY_MINUTES, transforms.MAX_DELAY_MINUTES],
        "delayed_threshold_minutes": transforms.DELAYED_THRESHOLD_MINUTES,
        "timestamp_formats": list(transforms.TIMESTAMP_FORMATS),
        "number_pattern": transforms.PLAIN_DECIMAL_PATTERN,
        "p90": "nearest rank: the ceil(0.9 n)-th smallest delay of a group, exact",
        "distance_bands_miles": [label for _, label in transforms.DISTANCE_BANDS],
        "aggregate_features_from": "previous quarter only",
    }


def build(
    counts: Iterable[tuple[Any, Any, str | None, int]],
    *,
    job_name: str,
    source: Mapping[str, Any],
    output_path: str,
    outputs: Mapping[str, Any],
    started_at: datetime,
    finished_at: datetime,
    recomputed: Iterable[tuple[Any, Any]] = (),
    drift: Iterable[Mapping[str, Any]] = (),
    spark: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "job_name": job_name,
        "started_at": started_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "finished_at": finished_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "duration_seconds": round((finished_at - started_at).total_seconds(), 3),
        "source": dict(source),
        "output_path": output_path,
        **summarise(counts),
        "recomputed_quarters": [{"year": year, "quarter": quarter} for year, quarter in recomputed],
        "drift": [dict(entry) for entry in drift],
        "rules": rules(),
        "outputs": dict(outputs),
        "spark": None if spark is None else dict(spark),
    }
