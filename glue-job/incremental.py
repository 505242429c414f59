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

Reading only what a run needs. A run reads the delivered rows of R and nothing
else of the history, so its cost follows the delivery, not the years behind
it. Two facts make that exact:

  * rows with the same raw values have the same `date` text, so when it parses
    they fall in the same quarter: their duplicates are in R already;
  * only a row whose date does not parse is filed by its delivery folder, so
    only such "undated" rows can have a duplicate in another quarter.

history.py keeps a small index beside the delivered rows, which answers the
rest without reading them: the files behind each quarter (for files handed
over again, and for which quarters have rows) and a copy of the undated rows
(for duplicates across quarters). The undated rows outside R take part in the
duplicate ranking of R's rows and are then dropped again.

Pure DataFrame functions, like transforms.py; a run collects only its
arrivals (one row per new file and quarter) and a few quarters.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import reduce

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from transforms import DUPLICATE_KEY, PARTITION_COLUMNS

Quarter = tuple[int | None, int | None]

# True where a row's `year` and `quarter` come from its timestamp, not its folder.
DATED = "_dated"


def _same_key(left: DataFrame, right: DataFrame) -> Column:
    # Null-safe: a missing raw value is still a value two rows can share.
    conditions = [left[c].eqNullSafe(right[c]) for c in DUPLICATE_KEY]
    return reduce(lambda a, b: a & b, conditions)


def quarter_order(quarter: Quarter) -> tuple[bool, int, int]:
    year, number = quarter
    return (year is None, year or 0, number or 0)


@dataclass(frozen=True)
class Arrival:
    """One new file's rows filed under one quarter: how many of them are undated."""

    source_file: str
    quarter: Quarter
    undated: int


def arrivals(new: DataFrame) -> list[Arrival]:
    """One entry per (new file, quarter): the only collect over the new rows."""
    grouped = new.groupBy("source_file", *PARTITION_COLUMNS).agg(
        F.sum(F.when(F.col(DATED), 0).otherwise(1)).alias("undated"),
    )
    return [
        Arrival(r["source_file"], (r["year"], r["quarter"]), int(r["undated"]))
        for r in grouped.collect()
    ]


def replaceable_files(found: Iterable[Arrival]) -> set[str]:
    # A row whose file is unknown (no name) cannot be matched to a later
    # delivery of that file, so it is never replaced.
    return {a.source_file for a in found if a.source_file != ""}


def recomputed_quarters(
    found: Sequence[Arrival],
    stored_quarters: set[Quarter],
    replaced_quarters: set[Quarter],
    sharing_quarters: set[Quarter],
) -> list[Quarter]:
    """The (year, quarter) this run must rewrite; see the module docstring.

    `stored_quarters` hold delivered rows; `replaced_quarters` hold stored rows
    of files handed over again; `sharing_quarters` hold stored undated rows
    with the raw values of a new undated row.
    """
    direct = {a.quarter for a in found} | replaced_quarters | sharing_quarters
    following = {_next(year, number) for year, number in direct if year is not None and number is not None}
    following = (following - direct) & stored_quarters
    return sorted(direct | following, key=quarter_order)


def _next(year: int, number: int) -> Quarter:
    return (year + 1, 1) if number == 4 else (year, number + 1)


def previous(quarter: Quarter) -> Quarter | None:
    year, number = quarter
    if year is None or number is None:
        return None
    return (year - 1, 4) if number == 1 else (year, number - 1)


def in_quarters_condition(quarters: Iterable[Quarter]) -> Column:
    """True for a row filed under one of `quarters` (a null year or quarter matches null); never null."""
    matches = [
        F.col("year").eqNullSafe(F.lit(year)) & F.col("quarter").eqNullSafe(F.lit(number))
        for year, number in quarters
    ]
    return reduce(lambda a, b: a | b, matches, F.lit(False))


def in_quarters(df: DataFrame, quarters: Iterable[Quarter]) -> DataFrame:
    """Rows of `df` filed under one of `quarters`.

    On a table read from its root, a filter on the partition columns only
    lists and reads the folders of those quarters.
    """
    return df.where(in_quarters_condition(quarters))


def without_files(df: DataFrame, files: DataFrame) -> DataFrame:
    """`df` less the rows of `files` (one column, source_file)."""
    return df.join(F.broadcast(files), "source_file", "left_anti")


def sharing_a_key(rows: DataFrame, keys_of: DataFrame) -> DataFrame:
    """The rows of `rows` with the raw values of one of `keys_of`."""
    keys = keys_of.select(*DUPLICATE_KEY).distinct()
    return rows.join(keys, _same_key(rows, keys), "left_semi")
