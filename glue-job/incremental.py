"""Bookmarked runs that add up to one run over every file delivered so far.

A bookmarked run is handed only the files added since the last committed run,
but the outcome of a row can depend on rows delivered before it (a duplicate
needs the earlier copy; a quarter's aggregates and its next quarter's features
need all of its flights). So the job keeps every row it was ever handed, as
text with its provenance, under `delivered/` (Parquet, by year and quarter),
and each run recomputes whole quarters from it:

    delivered    stored rows, less those of files handed over again, plus the new rows
    recomputed   R = the quarters of the new rows, of the stored rows of files handed
                 over again, and of stored rows with the same raw values as a new row
                 (a new row can make one a duplicate, even in another quarter);
                 plus the quarter after each of R that has rows (its features read R's
                 aggregates)

Every output partition of a recomputed quarter is rewritten from the delivered
rows of that quarter, duplicates judged against every delivered row with the
same raw values. Any other partition is as the runs before left it, which is by
induction what one run over all files would have written. A file handed over
again (same path) replaces its earlier version: its old rows are dropped, as if
they had never been delivered.

Pure DataFrame functions, like transforms.py; only the list of recomputed
quarters is collected (a few rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from transforms import DUPLICATE_KEY, PARTITION_COLUMNS

Quarter = tuple[int | None, int | None]


def _same_key(left: DataFrame, right: DataFrame) -> Column:
    # Null-safe: a missing raw value is still a value two rows can share.
    conditions = [left[c].eqNullSafe(right[c]) for c in DUPLICATE_KEY]
    return reduce(lambda a, b: a & b, conditions)


def _files(new: DataFrame) -> DataFrame:
    # A row whose file is unknown (no name) cannot be matched to a later
    # delivery of that file, so it is never replaced.
    return new.select("source_file").where(F.col("source_file") != "").distinct()


def delivered_rows(new: DataFrame, stored: DataFrame | None) -> DataFrame:
    """Every row delivered so far: stored rows, less those of files delivered again, plus `new`."""
    if stored is None:
        return new
    kept = stored.join(F.broadcast(_files(new)), "source_file", "left_anti")
    return kept.unionByName(new.select(*stored.columns))


def recomputed_quarters(new: DataFrame, stored: DataFrame | None) -> list[Quarter]:
    """The (year, quarter) this run must rewrite; see the module docstring."""
    touched = new.select(*PARTITION_COLUMNS)
    if stored is not None:
        replaced = stored.join(F.broadcast(_files(new)), "source_file", "left_semi")
        keys = new.select(*DUPLICATE_KEY).distinct()
        sharing = stored.join(keys, _same_key(stored, keys), "left_semi")
        touched = touched.unionByName(replaced.select(*PARTITION_COLUMNS)).unionByName(
            sharing.select(*PARTITION_COLUMNS)
        )
    direct = {(row["year"], row["quarter"]) for row in touched.distinct().collect()}

    following = {_next(year, number) for year, number in direct if year is not None and number is not None}
    following -= direct
    if stored is None or not following:
        following = set()
    else:
        present = in_quarters(stored, following).select(*PARTITION_COLUMNS).distinct().collect()
        following &= {(row["year"], row["quarter"]) for row in present}
    return sorted(direct | following, key=lambda q: (q[0] is None, q[0] or 0, q[1] or 0))


def _next(year: int, number: int) -> Quarter:
    return (year + 1, 1) if number == 4 else (year, number + 1)


def in_quarters(df: DataFrame, quarters: Sequence[Quarter] | set[Quarter]) -> DataFrame:
    """Rows of `df` filed under one of `quarters` (a null year or quarter matches null)."""
    if not quarters:
        return df.limit(0)
    matches = [
        F.col("year").eqNullSafe(F.lit(year)) & F.col("quarter").eqNullSafe(F.lit(number))
        for year, number in quarters
    ]
    return df.where(reduce(lambda a, b: a | b, matches))


def sharing_a_key(delivered: DataFrame, rows: DataFrame) -> DataFrame:
    """The delivered rows with the raw values of one of `rows`: all a duplicate check of `rows` needs."""
    keys = rows.select(*DUPLICATE_KEY).distinct()
    return delivered.join(keys, _same_key(delivered, keys), "left_semi")
