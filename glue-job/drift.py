"""Drift between quarters: a profile of each feature per quarter, and its PSI against the quarter before.

A model trained on one quarter's features and scored on the next assumes the
two look alike. A new airline code, a month missing from a delivery or delays
sent in seconds instead of minutes break that silently; this module puts a
number on it. Per quarter, for each feature of NUMERIC_FEATURES:

    rows, nulls, mean, min, max      exact, over the quarter's feature rows
    p01 p05 p25 p50 p75 p95 p99      exact nearest-rank quantiles (QUANTILES)
    bins                             rows per bin of the feature's fixed EDGES
    psi                              population stability index against the previous quarter

and for each of CODE_FEATURES the exact number of distinct codes flown (read
off the route aggregate, which has a row per quarter and route). Written as
the `drift/` table (Parquet by year and quarter, one row per feature; declared
in tables.json like every Parquet output) and summed up in the run report.

Quantiles are nearest-rank: the p-th percentile of a quarter's n non-null
values is the smallest value with at least ceil(p * n / 100) of them at or
below it, that is the value at rank ceil(p * n / 100) (from 1) of the sorted
values (numpy's "inverted_cdf"). Always a value that occurs: an integer
feature has integer quantiles, and the median of an even count is the lower
middle value.

How, at about the cost of the bins alone: every numeric feature has few
distinct values in a quarter by construction (whole minutes and miles,
hours, days, the coordinates of a few hundred airports, and the
previous-quarter measures of a route or an origin-hour: one value per route
or origin-hour, a few thousand). So each feature is counted per (quarter,
value), and everything else follows from those counts: bins, min, max, mean,
and the quantiles from a running sum of the counts in value order (a window
per quarter and feature over its few thousand distinct values). Features
that follow from one another are counted together (COUNTED_TOGETHER: an
origin's coordinates, its hours and their previous-quarter delay; a
destination's coordinates, the route's distance and previous-quarter
measures), one hash aggregate per group over their combinations, which are
about as few as the values of any one of them, and each feature's counts are
summed from that small table: the rows are read and hashed four times
instead of twelve (measured on the 12M benchmark's features: 8-11 s against
11-17 s). The grouping is a matter of speed only: any grouping gives the
same exact counts. The 3 million rows of the benchmark (two quarters and a
day) make 14,554 counts in all, 12 million about four times as many; they
are shuffled once more and never collected: the driver collects one row per
quarter and feature, as before. Nothing bounds the distinct values: a
feature with many more (a continuous measure, say) still gives exact
figures, its counts then costing about a sort of that column (the hash
aggregate falls back to sorting when its table outgrows memory), never more
driver memory. Spark's percentile_approx, by contrast, kept a sketch per
(quarter, feature) for every row and cost more than the rest of the profile.

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

from pyspark.sql import Column, DataFrame, SparkSession, Window
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
# The numeric features counted in one aggregate (see the module docstring): each group's
# features are functions of an origin and its hour, or of a route, or take few values together.
COUNTED_TOGETHER: tuple[tuple[str, ...], ...] = (
    ("hour", "origin_latitude", "origin_longitude", "origin_hour_prev_quarter_mean_delay"),
    (
        "destination_latitude",
        "destination_longitude",
        "distance_miles",
        "route_prev_quarter_mean_delay",
        "route_prev_quarter_share_delayed",
    ),
    ("delay_minutes", "day_of_week"),
    ("day_of_month",),
)
CODE_FEATURES = ("origin", "destination", "route")
MIN_SHARE = 1e-4
# The percentiles of each numeric feature in its profile (see the module docstring), each a column
# named by quantile_column: the tails at 1 and 99, the usual 5 / 95 and the quartiles.
QUANTILES = (1, 5, 25, 50, 75, 95, 99)


def quantile_column(percent: int) -> str:
    """The profile's column of a percentile of QUANTILES: p01, p05, ..., p99."""
    return f"p{percent:02d}"


SCHEMA = StructType(
    [
        StructField("feature", StringType(), False),
        StructField("kind", StringType(), False),  # "numeric" or "code"
        StructField("rows", LongType(), False),
        StructField("nulls", LongType(), False),
        StructField("mean", DoubleType()),
        StructField("min", DoubleType()),
        StructField("max", DoubleType()),
        *(StructField(quantile_column(p), DoubleType()) for p in QUANTILES),
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
_MOST_BINS = max(len(edges) + 1 for edges in NUMERIC_FEATURES.values())


def bin_of(value: Column, edges: Sequence[float]) -> Column:
    """The bin number of `value` among `edges` (see NUMERIC_FEATURES); null stays null."""
    number = F.lit(0)
    for edge in edges:
        number = number + F.when(value >= F.lit(float(edge)), 1).otherwise(0)
    return F.when(value.isNotNull(), number)


def _value_counts(features: DataFrame) -> DataFrame:
    """Per (quarter, feature, value): its rows and its bin (value and bin null: the nulls).

    One small aggregate per group of COUNTED_TOGETHER, grouped on the quarter
    and the group's own columns (ints or doubles, as written), all in one
    Spark job; then each feature's counts are summed from its group's. The
    value is cast and binned after the aggregates, once per distinct value
    rather than once per row.
    """
    per_feature = []
    for group in COUNTED_TOGETHER:
        combinations = features.groupBy("year", "quarter", *group).agg(F.count(F.lit(1)).alias("rows"))
        for name in group:
            counts = combinations.groupBy("year", "quarter", name).agg(F.sum("rows").alias("rows"))
            value = F.col(name).cast("double")
            # Named after the grouping: a constant key would be compared for every row.
            per_feature.append(
                counts.select(
                    "year", "quarter", F.lit(name).alias("feature"), value.alias("value"),
                    bin_of(value, NUMERIC_FEATURES[name]).alias("bin"), "rows",
                )
            )
    return reduce(lambda a, b: a.unionByName(b), per_feature)


def _numeric_cells(counts: DataFrame) -> DataFrame:
    """Per (quarter, feature): rows, nulls, the sum, min and max of the values, rows per bin (b0, b1, ...)
    and each quantile of QUANTILES (p01, ...), all from the value counts of _value_counts.

    A window per (quarter, feature) adds up the non-null counts in value order:
    the nearest-rank p-th percentile is the least value whose running count
    reaches ceil(p * n / 100), computed in integers. The aggregate after it
    groups on the window's keys, so it needs no shuffle of its own.
    """
    value, rows = F.col("value"), F.col("rows")
    counted = F.when(value.isNotNull(), rows)
    quarter = Window.partitionBy("year", "quarter", "feature")
    upward = quarter.orderBy("value").rowsBetween(Window.unboundedPreceding, Window.currentRow)
    ranked = counts.select(
        "*", F.sum(counted).over(quarter).alias("nonnull"), F.sum(counted).over(upward).alias("at_or_below")
    )
    quantiles = [
        F.min(F.when(F.col("at_or_below") >= F.expr(f"({p} * nonnull + 99) div 100"), value)).alias(quantile_column(p))
        for p in QUANTILES
    ]
    bins = [F.sum(F.when(F.col("bin") == i, rows).otherwise(0)).alias(f"b{i}") for i in range(_MOST_BINS)]
    return ranked.groupBy("year", "quarter", "feature").agg(
        F.sum(rows).alias("rows"),
        F.sum(F.when(value.isNull(), rows).otherwise(0)).alias("nulls"),
        F.sum(value * rows).alias("total"),
        F.min(value).alias("min"),
        F.max(value).alias("max"),
        *quantiles,
        *bins,
    )


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
    cells: dict[tuple[Any, Any], dict[str, dict[str, Any]]] = {}
    for row in _numeric_cells(_value_counts(features)).collect():
        cells.setdefault((row["year"], row["quarter"]), {})[row["feature"]] = row.asDict()
    codes = {(r["year"], r["quarter"]): r for r in _code_counts(route_aggregate).collect()}
    found = []
    for (year, quarter), by_feature in cells.items():
        for name, edges in NUMERIC_FEATURES.items():
            found.append(_numeric_profile(name, edges, by_feature[name]))
        counted = codes.get((year, quarter))
        for name in CODE_FEATURES:
            found.append(
                {
                    "feature": name,
                    "kind": "code",
                    "rows": next(iter(by_feature.values()))["rows"],
                    "nulls": 0,  # a feature row always has its route
                    **dict.fromkeys(("mean", "min", "max", *map(quantile_column, QUANTILES), "edges", "bins")),
                    "distinct": None if counted is None else int(counted[name]),
                    "year": year,
                    "quarter": quarter,
                }
            )
    return found


def _numeric_profile(name: str, edges: Sequence[float], cell: dict[str, Any]) -> dict[str, Any]:
    count = cell["rows"] - cell["nulls"]
    return {
        "feature": name,
        "kind": "numeric",
        "rows": cell["rows"],
        "nulls": cell["nulls"],
        "mean": cell["total"] / count if count else None,
        "min": cell["min"],
        "max": cell["max"],
        **{quantile_column(p): cell[quantile_column(p)] for p in QUANTILES},
        "distinct": None,
        "edges": [float(e) for e in edges],
        "bins": [int(cell[f"b{i}"]) for i in range(len(edges) + 1)],
        "year": cell["year"],
        "quarter": cell["quarter"],
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
    """The run report's "drift": per quarter, the PSI of each numeric feature (null: nothing to compare with)
    and its quantiles as the table has them (null: no value that quarter)."""
    by_quarter: dict[tuple[Any, Any], dict[str, Any]] = {}
    for r in rows:
        entry = by_quarter.setdefault(
            (r["year"], r["quarter"]),
            {"year": r["year"], "quarter": r["quarter"], "rows": r["rows"], "against": None, "psi": {}, "quantiles": {}},
        )
        if r["kind"] != "numeric":
            continue
        if r["against_year"] is not None:
            entry["against"] = {"year": r["against_year"], "quarter": r["against_quarter"]}
        entry["psi"][r["feature"]] = None if r["psi"] is None else round(r["psi"], 6)
        entry["quantiles"][r["feature"]] = {quantile_column(p): r[quantile_column(p)] for p in QUANTILES}
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
