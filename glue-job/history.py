"""The index of `delivered/`: what a run must know of the history without reading it.

    delivered/_index/files/year=/quarter=/     source_file, rows: the files behind each quarter
    delivered/_index/undated/year=/quarter=/   every delivered row whose date does not parse
    delivered/_index/_STALE                    present while delivered/ and the index may disagree

Both tables are small by construction: one row per file and quarter, and the
rows quarantined as `unparseable_timestamp` (or as duplicates of those).
Spark does not see `_index` when it reads `delivered/` (names starting with
`_` are not data), and a run rewrites the index's partitions of the quarters
it recomputes, as it does every other table's.

A run marks the index stale before it changes `delivered/`, and clears the
mark once the index matches it again. An index that is marked stale, or that
is missing beside delivered rows (written by a version of the job without
it), is rebuilt from a full read of `delivered/`: once, after an interrupted
run or an upgrade.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

import storage
from incremental import DATED, Quarter
from transforms import PARTITION_COLUMNS, is_dated

STALE_MARK = "_STALE"


@dataclass(frozen=True)
class IndexPaths:
    files: str
    undated: str
    stale: str

    @classmethod
    def of(cls, delivered: str) -> IndexPaths:
        root = storage.join(delivered, "_index")
        return cls(
            files=storage.join(root, "files"),
            undated=storage.join(root, "undated"),
            stale=storage.join(root, STALE_MARK),
        )


@dataclass(frozen=True)
class History:
    """What the index says of the delivered rows; `files` and `undated` are None when there are none."""

    files: DataFrame | None
    undated: DataFrame | None
    quarters: set[Quarter]

    @property
    def empty(self) -> bool:
        return self.files is None


NO_HISTORY = History(files=None, undated=None, quarters=set())


def load(spark: SparkSession, delivered: str, stored: DataFrame | None) -> History:
    """The index of `stored` (the delivered table, None if there is none), rebuilt first if it is stale."""
    if stored is None:
        return NO_HISTORY
    paths = IndexPaths.of(delivered)
    if storage.exists(spark, paths.stale) or not storage.exists(spark, paths.files):
        rebuild(spark, stored, paths)
    files = storage.read_parquet(spark, paths.files)
    if files is None:
        return NO_HISTORY
    quarters = {(r["year"], r["quarter"]) for r in files.select(*PARTITION_COLUMNS).distinct().collect()}
    return History(files=files, undated=storage.read_parquet(spark, paths.undated), quarters=quarters)


def files_of(rows: DataFrame) -> DataFrame:
    return rows.groupBy("source_file", *PARTITION_COLUMNS).agg(F.count(F.lit(1)).alias("rows"))


def undated_of(rows: DataFrame) -> DataFrame:
    return rows.where(~is_dated())


def _write(df: DataFrame, path: str) -> None:
    (
        df.repartition(*PARTITION_COLUMNS)
        .write.mode("overwrite")
        .partitionBy(*PARTITION_COLUMNS)
        .parquet(path)
    )


def rebuild(spark: SparkSession, stored: DataFrame, paths: IndexPaths) -> None:
    """The whole index from a full read of the delivered rows."""
    mark_stale(spark, paths)
    for path in (paths.files, paths.undated):
        storage.delete(spark, path)
    _write(files_of(stored), paths.files)
    _write(undated_of(stored), paths.undated)
    storage.delete(spark, paths.stale)


def mark_stale(spark: SparkSession, paths: IndexPaths) -> None:
    storage.write_text(spark, paths.stale, "delivered/ is being rewritten; the next run rebuilds this index\n")


def update(
    spark: SparkSession,
    paths: IndexPaths,
    rows: DataFrame,
    recomputed: Iterable[Quarter],
    with_rows: set[Quarter],
    with_undated: set[Quarter],
) -> None:
    """Rewrite the index's partitions of the recomputed quarters from their delivered `rows`.

    `with_rows` and `with_undated` are the recomputed quarters that still hold
    rows and undated rows: the partitions of the others are removed, as a
    dynamic overwrite only replaces partitions it has rows for.
    """
    columns = [c for c in rows.columns if c != DATED]
    _write(files_of(rows), paths.files)
    undated = rows.where(~F.col(DATED)).select(*columns)
    if with_undated:
        _write(undated, paths.undated)
    for quarter in recomputed:
        if quarter not in with_rows:
            storage.delete(spark, storage.partition_folder(paths.files, quarter))
        if quarter not in with_undated:
            storage.delete(spark, storage.partition_folder(paths.undated, quarter))
    storage.delete(spark, paths.stale)
