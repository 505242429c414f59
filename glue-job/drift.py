"""Drift between quarters: a profile of each feature per quarter, and its PSI against the quarter before.

A model trained on one quarter's features and scored on the next assumes the
two look alike. A new airline code, a month missing from a delivery or delays
sent in seconds instead of minutes break that silently; this module puts a
number on it. Per quarter, for each feature of NUMERIC_FEATURES:

    rows, nulls, mean, min, max      exact, over the quarter's feature rows
    bins                             rows per bin of the feature's fixed EDGES
    psi                              population stability index against the previous quarter

and for each of CODE_FEATURES the exact number of distinct codes flown (read
off the route aggregate, which has a row per quarter and route). No
quantiles: Spark's percentile_approx over a dozen features cost more than the
rest of the profile together, and the bins say where the values lie. Written as the `drift/` table (Parquet by year and quarter, one row per
feature) and summed up in the run report.

The PSI of a feature is sum((a - e) * ln(a / e)) over its bins, where a and e
are the shares of the quarter's and the previous quarter's non-null values in
each bin, each share at least MIN_SHARE (so an empty bin counts, without an
infinite logarithm). Fixed bins rather than the reference quarter's deciles:
every quarter is binned alike, so a profile is computed once and compared with
any other, and a unit change (delays in seconds) moves rows across the edges.
By the usual reading, below 0.1 is stable, 0.1 to 0.2 a shift worth a look,
above 0.2 a different population (the CLI's --drift-threshold).

A quarter's profile depends on its own features only, and its PSI on the
profile of the quarter before: a run rewrites the profiles of the quarters it
recomputes (whose next quarter it recomputes too), so the table ends as one run
over every delivery would leave it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from functools import reduce
from typing import Any

from pyspark.sql import Column, DataFrame, Row, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
)

import incremental

# Feature -> the inner edges of its bins: a value v falls in bin i where
# EDGES[i - 1] <= v < EDGES[i] (bin 0 below the first edge, the last at or above the last).
NUMERIC_FEATURES: Mapping[str, tuple[float, ...]] = {
    "delay_minutes": (-15, -5, 0, 5, 15, 30, 60, 120, 240),
    "distance_miles": (250, 500, 750, 1000, 1500, 2000, 3000),
    "hour": (6, 9, 12, 15, 18, 21),
    "day_of_week": (2, 3, 4, 5, 6, 7),
    "day_of_month": (8, 15, 22, 29),
    "origin_latitude": (25, 30, 35, 40, 45, 50),
    "origin_longitude": (-120, -110, -100, -90, -80),
    "destination_latitude": (25, 30, 35, 40, 45, 50),
    "destination_longitude": (-120, -110, -100, -90, -80),
    "route_prev_quarter_mean_delay": (-5, 0, 5, 10, 15, 20, 30),
    "route_prev_quarter_share_delayed": (0.1, 0.2, 0.3, 0.4, 0.5),
    "origin_hour_prev_quarter_mean_delay": (-5, 0, 5, 10, 15, 20, 30),
}
CODE_FEATURES = ("origin", "destination", "route")
MIN_SHARE = 1e-4

SCHEMA = StructType(
    [
        StructField("feature", StringType(), False),
        StructField("kind", StringType(), False),  # "numeric" or "code"
        StructField("rows", LongType(), False),
        StructField("nulls", LongType(), False),
        StructField("mean", DoubleType()),
        StructField("min", DoubleType()),
        StructField("max", DoubleType()),
        StructField("distinct", LongType()),
        StructField("edges", ArrayType(DoubleType())),
        StructField("bins", ArrayType(LongType())),
        StructField("psi", DoubleType()),
        StructField("against_year", IntegerType()),
        StructField("against_quarter", IntegerType()),
        StructField("year", IntegerType()),
        StructField("quarter", IntegerType()),
    ]
)


def bin_of(value: Column, edges: Sequence[float]) -> Column:
    """The bin number of `value` among `edges` (see NUMERIC_FEATURES); null stays null."""
    number = F.lit(0)
    for edge in edges:
        number = number + F.when(value >= F.lit(float(edge)), 1).otherwise(0)
    return F.when(value.isNotNull(), number)


def _numeric_bins(features: DataFrame) -> DataFrame:
    """Per (quarter, feature, bin): values, their sum, min and max (bin null: the nulls).

    One small aggregate per feature, grouped on the quarter and the bin only, all
    in one Spark job: each reads one column, and its hash table holds a few
    dozen groups. Several times cheaper than one row per flight and feature
    (an explode), or one wide aggregate of a column per (feature, bin).
    """
    per_feature = []
    for name, edges in NUMERIC_FEATURES.items():
        value = F.col(name).cast("double")
        cells = (
            features.select("year", "quarter", bin_of(value, edges).alias("bin"), value.alias("value"))
            .groupBy("year", "quarter", "bin")
            .agg(
                F.count(F.lit(1)).alias("rows"),
                F.sum("value").alias("total"),
                F.min("value").alias("min"),
                F.max("value").alias("max"),
            )
        )
        # Named after the grouping: a constant key would be compared for every row.
        per_feature.append(cells.select("year", "quarter", F.lit(name).alias("feature"), "bin", "rows", "total", "min", "max"))
    return reduce(lambda a, b: a.unionByName(b), per_feature)


def _code_counts(route_aggregate: DataFrame) -> DataFrame:
    """Per quarter, the distinct codes: from the route aggregate, which has a row per (quarter, route) flown."""
    return route_aggregate.groupBy("year", "quarter").agg(
        *[F.count_distinct(name).alias(name) for name in ("origin", "destination", "route")]
    )


def psi(current: Sequence[int], reference: Sequence[int]) -> float | None:
    """The population stability index of two bin counts (see the module docstring); None if either is empty."""
    current_total, reference_total = sum(current), sum(reference)
    if current_total == 0 or reference_total == 0:
        return None
    total = 0.0
    for now, before in zip(current, reference, strict=True):
        a = max(now / current_total, MIN_SHARE)
        e = max(before / reference_total, MIN_SHARE)
        total += (a - e) * math.log(a / e)
    return total


def profiles(features: DataFrame, route_aggregate: DataFrame) -> list[dict[str, Any]]:
    """One profile row per (quarter, feature) of `features`, without PSI; a few hundred rows collected.

    `route_aggregate` is the quarters' route_quarter aggregate (see _code_counts).
    """
    cells: dict[tuple[Any, Any], dict[str, list[Row]]] = {}
    for row in _numeric_bins(features).collect():
        cells.setdefault((row["year"], row["quarter"]), {}).setdefault(row["feature"], []).append(row)
    codes = {(r["year"], r["quarter"]): r for r in _code_counts(route_aggregate).collect()}
    found = []
    for (year, quarter), by_feature in cells.items():
        for name, edges in NUMERIC_FEATURES.items():
            found.append(_numeric_profile(name, edges, by_feature[name], year, quarter))
        rows = sum(r["rows"] for r in next(iter(by_feature.values())))
        counted = codes.get((year, quarter))
        for name in CODE_FEATURES:
            found.append(
                {
                    "feature": name,
                    "kind": "code",
                    "rows": rows,
                    "nulls": 0,  # a feature row always has its route
                    **dict.fromkeys(("mean", "min", "max", "edges", "bins")),
                    "distinct": None if counted is None else int(counted[name]),
                    "year": year,
                    "quarter": quarter,
                }
            )
    return found


def _numeric_profile(name: str, edges: Sequence[float], cells: list[Row], year: Any, quarter: Any) -> dict[str, Any]:
    values = [c for c in cells if c["bin"] is not None]
    count = sum(c["rows"] for c in values)
    bins = [0] * (len(edges) + 1)
    for c in values:
        bins[c["bin"]] = int(c["rows"])
    return {
        "feature": name,
        "kind": "numeric",
        "rows": sum(c["rows"] for c in cells),
        "nulls": sum(c["rows"] for c in cells if c["bin"] is None),
        "mean": math.fsum(c["total"] for c in values) / count if count else None,
        "min": min((c["min"] for c in values), default=None),
        "max": max((c["max"] for c in values), default=None),
        "distinct": None,
        "edges": [float(e) for e in edges],
        "bins": bins,
        "year": year,
        "quarter": quarter,
    }


def with_psi(fresh: Iterable[dict[str, Any]], references: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """`fresh` profile rows with `psi` and `against_*` filled in from the previous quarter's rows.

    The previous quarter's rows are looked up among `fresh` first (recomputed in
    the same run), then among `references` (stored). A quarter whose previous
    quarter has no profile gets null.
    """
    fresh = list(fresh)
    known = {(r["year"], r["quarter"], r["feature"]): r for r in references}
    known.update({(r["year"], r["quarter"], r["feature"]): r for r in fresh})
    out = []
    for entry in fresh:
        before = incremental.previous((entry["year"], entry["quarter"]))
        reference = None if before is None else known.get((*before, entry["feature"]))
        score = None
        if reference is not None and entry["bins"] is not None and reference["bins"] is not None:
            score = psi(entry["bins"], reference["bins"])
        found = reference is not None
        out.append(
            {
                **entry,
                "psi": score,
                "against_year": before[0] if found and before else None,
                "against_quarter": before[1] if found and before else None,
            }
        )
    return out


def as_frame(spark: SparkSession, rows: Sequence[dict[str, Any]]) -> DataFrame:
    ordered = [tuple(r.get(field.name) for field in SCHEMA.fields) for r in rows]
    return spark.createDataFrame(ordered, SCHEMA)


def summary(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The run report's "drift": per quarter, the PSI of each numeric feature (null: nothing to compare with)."""
    by_quarter: dict[tuple[Any, Any], dict[str, Any]] = {}
    for r in rows:
        entry = by_quarter.setdefault(
            (r["year"], r["quarter"]),
            {"year": r["year"], "quarter": r["quarter"], "rows": r["rows"], "against": None, "psi": {}},
        )
        if r["kind"] != "numeric":
            continue
        if r["against_year"] is not None:
            entry["against"] = {"year": r["against_year"], "quarter": r["against_quarter"]}
        entry["psi"][r["feature"]] = None if r["psi"] is None else round(r["psi"], 6)
    return [by_quarter[k] for k in sorted(by_quarter, key=incremental.quarter_order)]


def above_threshold(summary_rows: Iterable[dict[str, Any]], threshold: float) -> list[dict[str, Any]]:
    """The features of the run report's "drift" whose PSI is above `threshold`, worst first."""
    found = [
        {"year": q["year"], "quarter": q["quarter"], "feature": feature, "psi": score}
        for q in summary_rows
        for feature, score in q["psi"].items()
        if score is not None and score > threshold
    ]
    return sorted(found, key=lambda f: (-f["psi"], f["year"], f["quarter"], f["feature"]))
