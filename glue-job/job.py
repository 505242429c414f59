"""Glue job: raw US flight records into an ML-ready feature table for delay prediction.

Runs once a quarter, after the crawler. Reads raw flights and airports, puts
every flight either into the feature table or into quarantine with a reason,
computes per-quarter aggregates, and writes under `--output_path`:

    features/year=YYYY/quarter=Q/*.parquet      one row per usable flight (snappy Parquet)
    rejected/year=YYYY/quarter=Q/*.parquet      quarantined rows: raw values, reject_reason, source file
    aggregates/<name>/parquet/year=/quarter=/   per-quarter aggregates, Parquet
    aggregates/<name>/csv/part-*.csv            the same, all quarters, one CSV with a header
    manifests/<name>.json                       QuickSight manifest of that CSV folder
    delivered/year=YYYY/quarter=Q/*.parquet     every row delivered so far, as text (see Re-runs)
    drift/year=YYYY/quarter=Q/*.parquet         a profile of each feature and its PSI against the quarter before (drift.py)
    reports/run_report.json                     the run report (also run_report-<UTC time>.json)
    reports/drift_alert-<UTC time>.json         with --drift_threshold, the features that drifted above it, if any
    manifests/runs/<run id>.json                the run manifest: inputs, script, runtime, arguments,
                                                counts and every output file, with checksums (run_manifest.py)

<name> is route_quarter, origin_hour or day_of_week. The run report is also
printed on one stdout line starting with `RUN_REPORT `. layout.py holds these
paths (an `OutputLayout`); runtime.py opens the session, on Glue or plain
pyspark, and commits the Glue job once everything above is written.

Sources. On Glue (awsglue importable) the job reads the crawled catalog
tables `--database`.`--flights_table` and `--airports_table`. The flights read
carries a transformation_ctx, so with job bookmarks enabled each run reads
only the files added since the last committed run; the airports read carries
none on purpose, because a dimension table has to be read whole every run (a
bookmarked airports read would come back empty the second time). Given
`--flights_path` and `--airports_path`, the job reads those CSV folders
directly instead, without bookmarks; that is also the only mode without Glue
(plain pyspark, `spark-submit` or `python job.py`). See options.py for the
arguments.

Awkward input. A path that does not exist, an airports table or a flights
delivery without the expected columns stops the run with a one-line
`error: ...` on stderr and exit code 1 (2 for bad arguments), before anything
is written. An empty delivery (no file, only empty files, only headers) is a
clean run: nothing under the data folders changes, and the report, with
`rows.read` 0 and no quarters, is written as usual. Every other defect is a
row's: see transforms.py for the rules and README.md for what each input
becomes.

No label leakage. The aggregate features on a flight of quarter q (mean delay,
90th percentile, share delayed, number of flights on its route, at its origin
and hour, on its day of week) come from quarter q - 1 only: never from q
itself, whose delays include the flight's own label, and never from later
quarters. The first quarter with data gets nulls, as does any route or
origin-hour absent in q - 1. Only the previous quarter is used, not all
earlier ones, because it is the most recent picture, its percentiles are exact
(the nearest-rank 90th percentile of that quarter's flights, see
transforms.quarterly_aggregates) rather than merged estimates, and a run
needs just one stored quarter: when q - 1 is not recomputed, its aggregates
are read back from `aggregates/<name>/parquet/`.

Re-runs and deliveries in parts. Whatever the split of the files into
successive (bookmarked) runs, the outputs end as one run over all of them
would leave them. The job keeps every row it was handed under `delivered/`,
and a run rewrites whole quarters from it: those of its new rows, those whose
rows the new ones change (a new row can make a stored one a duplicate), and
the quarter after each (whose features read their aggregates); see
incremental.py. The feature, quarantine, Parquet aggregate and delivered
tables are written with dynamic partition overwrite, so every other
(year, quarter) partition stays as it was; the CSV aggregates are rewritten
whole. Duplicates are found among all rows delivered so far. A file handed
over again (same path, e.g. rewritten in place, or a paths-mode run over the
same folder) replaces its earlier version; running twice over the same input
leaves the same rows, never twice as many. Outputs written before
`delivered/` existed are not known to it: run once over everything (bookmark
reset) after upgrading.

Scale. The cost of a run follows its delivery, not the history, and no
step holds more than a task's share of rows in memory:

  * the new rows are spread over every core right after the read when the
    files are fewer than the cores (gzip is read with one task per file);
  * they are written once to a working copy (Parquet under
    `--TempDir`, a local temporary folder or `_scratch/`: see scratch_folder;
    removed at the end), so the raw CSV is parsed once; the copy is filed
    as `delivered/` is, so that a quarter without history is moved there at
    the end instead of written again (when a rename can reach the output);
  * the quarters to rewrite are planned from one small collect of the new
    rows (one row per file and quarter) and the index beside `delivered/`
    (history.py): only the delivered rows of those quarters are read;
  * duplicates are judged without sorting the rows (transforms.mark_duplicates);
  * the aggregates group on one long per flight that packs their keys, the
    airports as numbers rather than codes (transforms.PACKED_KEY_BITS), all
    three in one pass over the flights (transforms.aggregate_measures), and
    a flight meets the previous quarter's aggregates on such a long too;
  * the classified rows of those quarters are written to a second working
    copy, and every output is read from it; a used row of a moved quarter
    keeps there only what its features read, and airports are there as ids
    only (their codes, states and positions are looked up again, broadcast);
  * partitioned writes keep a file open per quarter instead of sorting;
  * what is broadcast is small by construction: the airports, and the
    aggregates of the quarters just before the recomputed ones.

Nothing is collected to the driver but the plan's few rows and one row count
per (quarter, reason) for the report; no Python runs per row. The run
manifest's table digests are taken by the writes themselves
(run_manifest.TableDigests), never by reading a table back. The report's
"spark" object (stage_metrics.py) says what the run spilled, its slowest
step and how evenly that step's tasks ran.
"""

from __future__ import annotations

import sys
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial, reduce
from pathlib import Path
from typing import Any

from pyspark import StorageLevel
from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, DataFrameReader, DataFrameWriter, Row, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

import drift
import history
import incremental
import options
import report
import run_manifest
import runtime
import stage_metrics
import storage
import transforms
from layout import OutputLayout
from stage_metrics import step
from transforms import InputError

SPARK_SETTINGS = {
    # Overwrite only the partitions a run writes.
    "spark.sql.sources.partitionOverwriteMode": "dynamic",
    # Bad timestamps become null (then quarantined) instead of failing the job.
    "spark.sql.legacy.timeParserPolicy": "CORRECTED",
    # Local wall-clock times: no daylight-saving shifts.
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.compression.codec": "snappy",
    # Partitioned writes keep one open file per (year, quarter) in each task
    # instead of sorting the task's rows by partition first: the sort is what
    # spilled (and took half the time) at a few million rows. Up to this many
    # partitions per task; Parquet shrinks its row groups as writers add up.
    "spark.sql.optimizer.plannedWrite.enabled": "false",
    "spark.sql.maxConcurrentOutputFileWriters": "64",
}
# No _SUCCESS marker files: QuickSight reads every file under a manifest's prefix.
HADOOP_SETTINGS = {"mapreduce.fileoutputcommitter.marksuccessfuljobs": "false"}

FLIGHTS_CONTEXT = "read_flights"


def configure(spark: SparkSession) -> None:
    for key, value in SPARK_SETTINGS.items():
        spark.conf.set(key, value)
    # Spark's default of 200 shuffle partitions leaves the cached, validated
    # rows in 200 small pieces (adaptive execution does not coalesce a cached
    # plan), and every later step pays per-task overhead on each. Unless set
    # explicitly (--conf spark.sql.shuffle.partitions=N), use 4 per core.
    if not spark.sparkContext.getConf().contains("spark.sql.shuffle.partitions"):
        cores = spark.sparkContext.defaultParallelism
        spark.conf.set("spark.sql.shuffle.partitions", str(max(8, 4 * cores)))
    hadoop_conf = spark.sparkContext._jsc.hadoopConfiguration()
    for key, value in HADOOP_SETTINGS.items():
        hadoop_conf.set(key, value)


# ---------------------------------------------------------------------------
# Reading


def _csv_reader(spark: SparkSession) -> DataFrameReader:
    return spark.read.option("header", True).option("pathGlobFilter", "*.csv*")


def _no_rows(spark: SparkSession) -> DataFrame:
    return spark.createDataFrame([], StructType([]))


def read_flights_csv(spark: SparkSession, path: str) -> DataFrame:
    """Every column as text, named by the header; `year=`/`month=` folders become columns.

    Spark's CSV reader silently drops the values past the header's last column
    and pads a short row with nulls, unless asked for the raw line of such a
    row: so the header is read first, then the data with that schema plus
    transforms.CORRUPT_RECORD. A folder without a single file to read gives
    no rows and no columns, like a bookmarked read with nothing new.
    """
    try:
        header = _csv_reader(spark).csv(path)
    except AnalysisException as error:
        if error.getErrorClass() == "UNABLE_TO_INFER_SCHEMA":  # not one file to read
            return _no_rows(spark)
        raise
    if not set(transforms.RAW_FLIGHT_COLUMNS) <= set(header.columns):
        return header  # empty files, or a wrong header: run() tells which
    schema = StructType([*header.schema.fields, StructField(transforms.CORRUPT_RECORD, StringType())])
    return (
        _csv_reader(spark)
        .schema(schema)
        .option("columnNameOfCorruptRecord", transforms.CORRUPT_RECORD)
        .csv(path)
    )


def read_paths(spark: SparkSession, flights_path: str, airports_path: str) -> tuple[DataFrame, DataFrame]:
    """The two CSV folders; a path that does not exist is an InputError."""
    for option, path in (("flights_path", flights_path), ("airports_path", airports_path)):
        if not storage.exists(spark, path):
            raise InputError(f"--{option} {path} does not exist")
    try:
        airports = _csv_reader(spark).csv(airports_path)
    except AnalysisException as error:
        # Unlike flights, airports are never empty: every flight needs them.
        if error.getErrorClass() == "UNABLE_TO_INFER_SCHEMA":
            raise InputError(f"--airports_path {airports_path} holds no CSV file") from None
        raise
    return read_flights_csv(spark, flights_path), airports


def read_catalog(glue_context: Any, opts: options.JobOptions) -> tuple[DataFrame, DataFrame]:
    """The crawled tables; only the flights read is bookmarked (see the module docstring)."""
    flights = glue_context.create_dynamic_frame.from_catalog(
        database=opts.database,
        table_name=opts.flights_table,
        transformation_ctx=FLIGHTS_CONTEXT,
    )
    airports = glue_context.create_dynamic_frame.from_catalog(
        database=opts.database,
        table_name=opts.airports_table,
    )
    # A column with mixed values arrives as a choice type: keep it as text,
    # the transforms parse and quarantine explicitly.
    return (
        flights.resolveChoice(choice="cast:string").toDF(),
        airports.resolveChoice(choice="cast:string").toDF(),
    )


# ---------------------------------------------------------------------------
# Writing


# Columns with about as many values as rows: Parquet's writer tries a
# dictionary for every column of every row group, and for these it hashes
# each value only to give the dictionary up a megabyte later. Written plain,
# the files are as large, and the first working copy costs a third less CPU.
UNIQUE_VALUED_COLUMNS = ("date", "row_order", "departure_time")


def _parquet_writer(df: DataFrame) -> DataFrameWriter:
    """`df.write` replacing what is there, with no dictionary for the UNIQUE_VALUED_COLUMNS it has."""
    writer = df.write.mode("overwrite")
    for column in UNIQUE_VALUED_COLUMNS:
        if column in df.columns:
            writer = writer.option(f"parquet.enable.dictionary#{column}", "false")
    return writer


def _write_partitioned(df: DataFrame, path: str) -> None:
    """Rows by year and quarter, each task writing the rows it holds (see the module docstring: Scale)."""
    (
        _parquet_writer(df)
        .partitionBy(*transforms.PARTITION_COLUMNS)
        .option("compression", "snappy")
        .parquet(path)
    )


def _write_csv(df: DataFrame, path: str, order: list[str]) -> None:
    # Aggregates are small: one sorted file is what QuickSight and people read best.
    (
        df.repartition(1)
        .sortWithinPartitions(*order)
        .write.mode("overwrite")
        .option("header", True)
        .csv(path)
    )


def _drop_emptied_partitions(
    spark: SparkSession, layout: OutputLayout, outcomes: list[Row], recomputed: list[incremental.Quarter]
) -> None:
    """Remove what a recomputed quarter no longer has.

    Dynamic overwrite replaces only the partitions a write has rows for: a
    quarter left without usable flights (or rejected rows, or any row) after a
    file was delivered again keeps its old partition unless removed here.
    """
    used, rejected = _quarters_with(outcomes, used=True), _quarters_with(outcomes, used=False)
    for quarter in recomputed:
        empty = []
        if quarter not in used:
            empty += [layout.features, layout.drift, *(a.parquet for a in layout.aggregates)]
        if quarter not in rejected:
            empty.append(layout.rejected)
        if quarter not in used and quarter not in rejected:
            empty.append(layout.delivered)
        for table in empty:
            storage.delete(spark, storage.partition_folder(table, quarter))


def _quarters_with(outcomes: list[Row], *, used: bool | None = None, undated: bool = False) -> set[incremental.Quarter]:
    """The quarters that some outcome row puts rows in: used ones, rejected ones, any (None), or undated ones."""
    found = set()
    for row in outcomes:
        if used is not None and (row["reject_reason"] is None) != used:
            continue
        if undated and row[incremental.DATED]:
            continue
        found.add((row["year"], row["quarter"]))
    return found


@dataclass(frozen=True)
class Plan:
    """What a run rewrites, and the stored rows it reads to do so."""

    recomputed: list[incremental.Quarter]
    # The new files that the history already holds rows of (one column, source_file), or None.
    replaced_files: DataFrame | None


def _plan(spark: SparkSession, new: DataFrame, found: list[incremental.Arrival], known: history.History) -> Plan:
    """The quarters to rewrite, from the new rows' arrivals and the history's index (no stored row is read)."""
    replaced_files = None
    replaced_quarters: set[incremental.Quarter] = set()
    files = incremental.replaceable_files(found)
    if known.files is not None and files:
        listed = spark.createDataFrame([(f,) for f in sorted(files)], "source_file string")
        replaced = known.files.join(F.broadcast(listed), "source_file", "left_semi")
        replaced_quarters = {(r["year"], r["quarter"]) for r in replaced.select(*transforms.PARTITION_COLUMNS).distinct().collect()}
        if replaced_quarters:
            replaced_files = listed
    sharing: set[incremental.Quarter] = set()
    if known.undated is not None and any(a.undated for a in found):
        matches = incremental.sharing_a_key(known.undated, new.where(~F.col(incremental.DATED)))
        sharing = {(r["year"], r["quarter"]) for r in matches.select(*transforms.PARTITION_COLUMNS).distinct().collect()}
    recomputed = incremental.recomputed_quarters(found, known.quarters, replaced_quarters, sharing)
    return Plan(recomputed=recomputed, replaced_files=replaced_files)


def _as_delivered(stored: DataFrame, new: DataFrame, replaced_files: DataFrame | None) -> DataFrame:
    """Stored delivered rows typed as the new ones, less those of files handed over again."""
    if replaced_files is not None:
        stored = incremental.without_files(stored, replaced_files)
    typed = [F.col(f.name).cast(f.dataType) for f in new.schema.fields if f.name in stored.columns]
    return stored.select(*typed).withColumn(incremental.DATED, transforms.is_dated()).withColumn("_new", F.lit(False))


def _candidates(
    new: DataFrame, stored: DataFrame | None, known: history.History, plan: Plan
) -> DataFrame:
    """The rows a duplicate check of the recomputed quarters needs: their delivered rows, and
    the undated rows of other quarters (see incremental.py)."""
    frames = [new.withColumn("_new", F.lit(True))]
    if stored is not None:
        frames.append(_as_delivered(incremental.in_quarters(stored, plan.recomputed), new, plan.replaced_files))
    if known.undated is not None:
        outside = known.undated.where(~incremental.in_quarters_condition(plan.recomputed))
        frames.append(_as_delivered(outside, new, plan.replaced_files))
    return reduce(lambda a, b: a.unionByName(b), frames)


def _previous_quarters(recomputed: list[incremental.Quarter]) -> list[incremental.Quarter]:
    return sorted({p for p in map(incremental.previous, recomputed) if p is not None}, key=incremental.quarter_order)


def spread(rows: DataFrame, parallelism: int) -> DataFrame:
    """The rows over at least `parallelism` tasks.

    A gzip file is read by one task, whatever the cluster: a quarter
    delivered as a few big files would be parsed, judged and written by a few
    cores while the others wait. Round-robin, right after the read (whatever
    depends on the file and the position in it is already computed), so that
    every step after it runs on every core. Nothing moves when the read
    already has enough pieces.
    """
    if rows.rdd.getNumPartitions() >= parallelism:
        return rows
    return rows.repartition(parallelism)


@dataclass(frozen=True)
class Written:
    """What a run wrote: the outcome counts of the rows it read, the quarters it recomputed
    (see incremental.py), the drift of those quarters (drift.summary) and where it all is;
    and the files its rows came from."""

    counts: list[tuple[Any, Any, str | None, int]]
    recomputed: list[incremental.Quarter]
    drift: list[dict[str, Any]]
    layout: OutputLayout
    files_read: list[str]
    # Each rewritten table's rows per recomputed quarter, and its digest (run_manifest.TableDigests).
    tables: list[dict[str, Any]]
    table_digests: list[dict[str, Any]]


def run(
    spark: SparkSession,
    flights_raw: DataFrame,
    airports_raw: DataFrame,
    output_path: str,
    scratch: str | None = None,
) -> Written:
    """Transform and write; see Written.

    `scratch` is a folder for the run's working copies (default: `_scratch/`
    under the output); what the run puts there is removed before it returns.
    """
    layout = OutputLayout.under(output_path, transforms.AGGREGATE_KEYS)
    if _empty_delivery(flights_raw):
        return Written([], [], [], layout, [], [], [])
    working = storage.join(scratch or storage.join(output_path, "_scratch"), f"run-{uuid.uuid4().hex}")
    try:
        counts, recomputed, drift_rows, files_read, digests = _run(spark, flights_raw, airports_raw, layout, working)
    finally:
        storage.delete(spark, working)
    tables, table_digests = ([], []) if digests is None else (digests.tables(), digests.digests())
    return Written(counts, recomputed, drift.summary(drift_rows), layout, files_read, tables, table_digests)


# The first working copy is filed as delivered/ is, by year and quarter, and
# within a quarter by whether the rows' dates parse. Its files for a quarter
# without history are then that quarter's delivered/ partition as they stand:
# moved there, not written a second time. Spark hides a folder whose name
# starts with `_`, hence a name of its own for DATED's folder level.
NEW_ROWS_DATED = "dated"


def _stage_new_rows(spark: SparkSession, rows: DataFrame, path: str) -> DataFrame:
    """`rows` filed as described above and read back, DATED from the folders (no parse)."""
    filed = rows.withColumnRenamed(incremental.DATED, NEW_ROWS_DATED)
    _parquet_writer(filed).partitionBy(*transforms.PARTITION_COLUMNS, NEW_ROWS_DATED).parquet(path)
    return spark.read.schema(filed.schema).parquet(path).withColumnRenamed(NEW_ROWS_DATED, incremental.DATED)


def _move_new_rows(spark: SparkSession, new_rows: str, delivered: str, quarters: list[incremental.Quarter]) -> None:
    """The first working copy's files of `quarters` become their partitions of delivered/.

    A task names the files it writes alike in every folder, so the files of
    undated rows take a prefix to stay apart from the dated ones.
    """
    for quarter in quarters:
        target = storage.partition_folder(delivered, quarter)
        storage.delete(spark, target)
        for dated, prefix in (("true", ""), ("false", "undated-")):
            folder = storage.join(storage.partition_folder(new_rows, quarter), f"{NEW_ROWS_DATED}={dated}")
            for source in storage.data_files(spark, folder):
                storage.move(spark, source, storage.join(target, prefix + source.rsplit("/", 1)[1]))


def _staged(spark: SparkSession, df: DataFrame, path: str) -> DataFrame:
    """`df` written to `path` and read back: later steps read the copy, never recompute `df`.

    A working copy costs one Parquet write; it spares every later reader the
    work behind it (parsing gzip CSV, judging duplicates), and it holds no
    memory, so no amount of rows can exhaust the heap the way a cache could.
    """
    _parquet_writer(df).parquet(path)
    return spark.read.parquet(path)


# The most repeated keys a run collects and broadcasts (a hash of 8 bytes, then
# the key and its first row, a few hundred): beyond it, duplicates are judged
# by shuffling.
MAX_BROADCAST_REPEATED_KEYS = 100_000


def _repeated_keys(spark: SparkSession, candidates: DataFrame) -> tuple[DataFrame | None, bool]:
    """The first row of each repeated key (see transforms.mark_duplicates), and whether it is small.

    Clean data has few duplicates (191 in 3,000,000 real rows): then the
    repeated keys are collected, at most MAX_BROADCAST_REPEATED_KEYS of them,
    so that what is broadcast is small by construction, and no row is ever
    shuffled to judge duplicates. A delivery sent twice under other names has
    as many repeated keys as rows: then None, and they are judged by shuffling.
    """
    repeated = transforms.repeated_key_hashes(candidates).limit(MAX_BROADCAST_REPEATED_KEYS + 1).collect()
    if len(repeated) > MAX_BROADCAST_REPEATED_KEYS:
        return None, False
    hashes = spark.createDataFrame([(r["_key_hash"],) for r in repeated], "_key_hash long")
    firsts = transforms.first_of_repeated_keys(candidates, F.broadcast(hashes))
    return spark.createDataFrame(firsts.collect(), firsts.schema), True


def _run(
    spark: SparkSession,
    flights_raw: DataFrame,
    airports_raw: DataFrame,
    layout: OutputLayout,
    working: str,
) -> tuple[
    list[tuple[Any, Any, str | None, int]], list[incremental.Quarter], list[dict[str, Any]], list[str], run_manifest.TableDigests | None
]:
    parallelism = spark.sparkContext.defaultParallelism
    normalised = spread(transforms.normalise_flights(flights_raw), parallelism)
    new_rows = storage.join(working, "new")
    with step(spark, "read the new rows"):
        new = _stage_new_rows(spark, transforms.with_quarter(normalised, incremental.DATED), new_rows)
    delivered_columns = [c for c in new.columns if c != incremental.DATED]
    with step(spark, "plan the quarters to rewrite"):
        found = incremental.arrivals(new)
    if not found:
        # Files with a header and no rows: nothing to write, and no stored
        # aggregate or manifest needs rewriting.
        return [], [], [], [], None

    stored = storage.read_parquet(
        spark, layout.delivered, StructType([f for f in new.schema.fields if f.name in delivered_columns])
    )
    index = history.IndexPaths.of(layout.delivered)
    with step(spark, "plan the quarters to rewrite"):
        known = history.load(spark, layout.delivered, stored)
        plan = _plan(spark, new, found, known)
    recomputed = plan.recomputed
    digests = run_manifest.TableDigests(layout, recomputed)

    airports = transforms.prepare_airports(airports_raw)
    candidates = _candidates(new, stored, known, plan)
    with step(spark, "find repeated keys"):
        firsts, small = _repeated_keys(spark, candidates)
    marked = incremental.in_quarters(transforms.mark_duplicates(candidates, firsts, small=small), recomputed)
    classified = transforms.classify_marked(
        marked, airports, keep=["wrong_column_count", incremental.DATED, "_new"]
    )
    # A quarter without history is delivered/ as the new rows stand, if a
    # rename can take their files there (not from one bucket to another).
    movable = storage.same_file_system(spark, new_rows, layout.delivered)
    delivered = Delivered(
        columns=delivered_columns,
        index=index,
        moved=[q for q in recomputed if movable and q not in known.quarters],
        new_rows=new_rows,
    )
    # Every output below reads this copy: parsing, the airports' lookups and
    # the duplicates' judgement cost more than writing the copy once.
    # The moved quarters' delivered/ rows are these rows as they stand: their digests are taken here.
    with step(spark, "judge duplicates and classify"):
        classified = digests.write(
            layout.delivered,
            classified,
            lambda rows: _staged(spark, _without_unread_values(rows, delivered.moved), storage.join(working, "classified")),
            quarters=delivered.moved,
            columns=delivered.stored_columns(),
        )
    counts, drift_rows = _write_outputs(spark, classified, airports, layout, recomputed, delivered, digests)
    return counts, recomputed, drift_rows, sorted({a.source_file for a in found}), digests


# What only delivered/ and rejected/ read of a row (and the history's index, of
# undated rows, which are all rejected).
DELIVERED_VALUES = (*transforms.RAW_FLIGHT_COLUMNS, "wrong_column_count", "source_year", "source_month", "row_order")


def _without_unread_values(classified: DataFrame, moved: list[incremental.Quarter]) -> DataFrame:
    """`classified` with the DELIVERED_VALUES of a used row of a moved quarter left out (null).

    Such a row is read for its features alone: its delivered/ row is moved,
    not written. Left out, its raw text and position (unique values, the
    costliest to write) cost the classified copy next to nothing.
    """
    read = F.col("reject_reason").isNotNull() | ~incremental.in_quarters_condition(moved)
    return classified.select(
        *[F.when(read, F.col(c)).alias(c) if c in DELIVERED_VALUES else F.col(c) for c in classified.columns]
    )


@dataclass(frozen=True)
class Delivered:
    """How a run writes delivered/: its columns, its index, and the quarters moved from the first working copy."""

    columns: list[str]
    index: history.IndexPaths
    moved: list[incremental.Quarter]
    new_rows: str

    def stored_columns(self) -> list[str]:
        """The columns its files hold, in their order (year and quarter are folders)."""
        return [c for c in self.columns if c not in transforms.PARTITION_COLUMNS]


def _write_delivered(
    spark: SparkSession,
    classified: DataFrame,
    layout: OutputLayout,
    recomputed: list[incremental.Quarter],
    delivered: Delivered,
    digests: run_manifest.TableDigests,
) -> None:
    """Each recomputed quarter's rows: moved from the first working copy, or written from the classified rows."""
    _move_new_rows(spark, delivered.new_rows, layout.delivered, delivered.moved)
    written = [q for q in recomputed if q not in delivered.moved]
    if written:
        rows = incremental.in_quarters(classified, written).select(*delivered.columns)
        digests.write(layout.delivered, rows, lambda r: _write_partitioned(r, layout.delivered), quarters=written)


def _write_outputs(
    spark: SparkSession,
    classified: DataFrame,
    airports: DataFrame,
    layout: OutputLayout,
    recomputed: list[incremental.Quarter],
    delivered: Delivered,
    digests: run_manifest.TableDigests,
) -> tuple[list[tuple[Any, Any, str | None, int]], list[dict[str, Any]]]:
    # The only collect besides the plan's: one small row per (year, quarter,
    # reason, read this run or earlier, dated or not).
    with step(spark, "count the outcomes"):
        outcomes = (
            classified.groupBy(*transforms.PARTITION_COLUMNS, "reject_reason", "_new", incremental.DATED)
            .agg(F.count(F.lit(1)).alias("rows"))
            .collect()
        )
    counts = [(r["year"], r["quarter"], r["reject_reason"], r["rows"]) for r in outcomes if r["_new"]]

    with step(spark, "write rejected/"):
        digests.write(layout.rejected, transforms.rejected_rows(classified), lambda r: _write_partitioned(r, layout.rejected))

    flight_rows = transforms.flight_rows(classified, airports)
    # Every group of the three aggregates, computed once and kept (a few rows per route, origin
    # and hour, day of week and quarter): each aggregate is read from it four times below.
    measures = transforms.aggregate_measures(flight_rows).persist(StorageLevel.MEMORY_AND_DISK)
    with step(spark, "compute the aggregates"):
        measures.count()
    fresh = transforms.aggregates_of(measures, airports)
    recomputed_frame = spark.createDataFrame(recomputed, "year int, quarter int")
    combined = {}
    for name, aggregate in fresh.items():
        stored_aggregate = storage.read_parquet(spark, layout.aggregate(name).parquet)
        combined[name] = (
            aggregate
            if stored_aggregate is None
            else transforms.combine_aggregates(aggregate, stored_aggregate, recomputed_frame)
        )

    # A flight of quarter q reads the aggregates of q - 1 only: those few
    # quarters are all that is joined (and broadcast), whatever the history.
    previous = _previous_quarters(recomputed)
    features = transforms.with_previous_quarter(
        flight_rows, {name: incremental.in_quarters(aggregate, previous) for name, aggregate in combined.items()}, airports
    )
    with step(spark, "write features/"):
        digests.write(layout.features, features, lambda r: _write_partitioned(r, layout.features))
    with step(spark, "profile the features (drift/)"):
        drift_rows = _write_drift(spark, layout, recomputed, fresh["route_quarter"], digests)

    # CSV (which reads the stored Parquet) before the Parquet overwrite.
    for paths in layout.aggregates:
        order = [*transforms.PARTITION_COLUMNS, *transforms.AGGREGATE_KEYS[paths.name]]
        with step(spark, f"write aggregates/{paths.name}/"):
            _write_csv(combined[paths.name], paths.csv, order)
            # Small: one file per quarter, its rows in key order, so that the same rows make the same
            # bytes (the run manifest's checksums then agree between two runs over the same input).
            digests.write(
                paths.parquet,
                fresh[paths.name].repartition(*transforms.PARTITION_COLUMNS).sortWithinPartitions(*order),
                partial(_write_partitioned, path=paths.parquet),
            )
        manifest = storage.quicksight_manifest(paths.csv)
        storage.write_text(spark, paths.manifest, storage.to_json(manifest))

    # Last, as every step above reads the stored rows it replaces: a run that
    # fails before this point has changed none of them, and the next run
    # (handed the same files again, its bookmark not committed) starts over.
    history.mark_stale(spark, delivered.index)
    with step(spark, "write delivered/"):
        _write_delivered(spark, classified, layout, recomputed, delivered, digests)
    _drop_emptied_partitions(spark, layout, outcomes, recomputed)
    with step(spark, "write delivered/_index/"):
        history.update(
            spark,
            delivered.index,
            classified.select(*delivered.columns, incremental.DATED),
            recomputed,
            with_rows=_quarters_with(outcomes),
            with_undated=_quarters_with(outcomes, undated=True),
        )
    measures.unpersist()
    return counts, drift_rows


def _write_drift(
    spark: SparkSession,
    layout: OutputLayout,
    recomputed: list[incremental.Quarter],
    routes: DataFrame,
    digests: run_manifest.TableDigests,
) -> list[dict[str, Any]]:
    """The drift/ rows of the recomputed quarters, from the features just written and the stored
    profiles of the quarters before them (see drift.py)."""
    written = storage.read_parquet(spark, layout.features)
    if written is None:
        return []
    fresh = drift.profiles(incremental.in_quarters(written, recomputed), routes)
    stored = storage.read_parquet(spark, layout.drift)
    before = _previous_quarters(recomputed)
    references = [] if stored is None else [r.asDict() for r in incremental.in_quarters(stored, before).collect()]
    rows = drift.with_psi(fresh, references)
    if rows:
        # In one order whatever the order Spark collected them in: the same profiles make the same file.
        ordered = sorted(rows, key=lambda r: (incremental.quarter_order((r["year"], r["quarter"])), r["feature"]))
        digests.write(layout.drift, drift.as_frame(spark, ordered).coalesce(1), lambda r: _write_partitioned(r, layout.drift))
    return rows


def _empty_delivery(flights_raw: DataFrame) -> bool:
    """No file, only empty files, or a bookmarked read with nothing new.

    Such a read has no columns, or only those of its `year=`/`month=` folders.
    A read that lacks flight columns but has rows is a wrong delivery, and
    normalise_flights refuses it.
    """
    if set(transforms.RAW_FLIGHT_COLUMNS) <= set(flights_raw.columns):
        return False
    return flights_raw.isEmpty()


def publish_report(spark: SparkSession, document: dict[str, Any], layout: OutputLayout) -> None:
    text = storage.to_json(document)
    storage.write_text(spark, layout.report, text)
    storage.write_text(spark, layout.report_copy(_stamp(document)), text)
    print(report.REPORT_PREFIX + storage.to_json(document, one_line=True), flush=True)


DRIFT_ALERT_PREFIX = "DRIFT_ABOVE_THRESHOLD "


def publish_drift_alert(spark: SparkSession, document: dict[str, Any], layout: OutputLayout, threshold: float | None) -> str | None:
    """With --drift_threshold, and only when some feature of the run's quarters drifted above it:
    reports/drift_alert-<stamp>.json naming them, worst first (the stack's drift rule sends its
    arrival to the alert topic), and the same as one log line. Returns where it was written."""
    if threshold is None:
        return None
    drifted = drift.above_threshold(document["drift"], threshold)
    if not drifted:
        return None
    alert = {"job_name": document["job_name"], "started_at": document["started_at"], "threshold": threshold, "drifted": drifted}
    path = layout.drift_alert(_stamp(document))
    storage.write_text(spark, path, storage.to_json(alert))
    print(DRIFT_ALERT_PREFIX + storage.to_json(alert, one_line=True), flush=True)
    return path


def _stamp(document: dict[str, Any]) -> str:
    return str(document["started_at"]).replace("-", "").replace(":", "")


# ---------------------------------------------------------------------------
# Entry


def scratch_folder(spark: SparkSession, opts: options.JobOptions) -> str | None:
    """Where the working copies go: --TempDir on Glue; this machine's temporary folder for a
    local Spark (every task runs here, and a copy through s3a would cost a copy per rename);
    else None, for `_scratch/` under the output."""
    if opts.temp_dir is not None:
        return storage.join(opts.temp_dir, "flights-job")
    if (spark.sparkContext.master or "").startswith("local"):
        return Path(tempfile.gettempdir(), "flights-job").as_uri()
    return None


def read_input(session: runtime.Runtime, opts: options.JobOptions) -> tuple[DataFrame, DataFrame]:
    """Paths mode reads the folders (on Glue too); catalog mode needs Glue."""
    # The same test as opts.reads_paths, spelled out so the paths are known to be set.
    if opts.flights_path is not None and opts.airports_path is not None:
        return read_paths(session.spark, opts.flights_path, opts.airports_path)
    return read_catalog(session.glue_context, opts)


def files_read(spark: SparkSession, opts: options.JobOptions, written: Written, airports_raw: DataFrame) -> dict[str, list[str]]:
    """The files the run read, by table: in paths mode every file the reader takes from the
    folders; from the catalog, the files of the rows it was handed (a bookmark's new files)."""
    if opts.flights_path is not None and opts.airports_path is not None:
        return {
            "flights": run_manifest.readable_files(spark, opts.flights_path),
            "airports": run_manifest.readable_files(spark, opts.airports_path),
        }
    return {"flights": written.files_read, "airports": run_manifest.files_of(airports_raw)}


def record_run(
    session: runtime.Runtime,
    opts: options.JobOptions,
    argv: list[str],
    run_id: str,
    started_at: datetime,
    written: Written,
    airports_raw: DataFrame,
) -> None:
    """The run manifest (run_manifest.py), written before the report that names it."""
    spark = session.spark
    facts = run_manifest.RunFacts(
        run_id=run_id,
        job_name=opts.job_name,
        started_at=started_at,
        output_path=opts.output_path,
        argv=argv,
        contract_sha256=opts.contract_sha256,
        runtime=run_manifest.glue_runtime(opts.job_name, opts.run_id) if session.on_glue else run_manifest.local_runtime(spark),
        read=files_read(spark, opts, written, airports_raw),
        summary=report.summarise(written.counts),
        recomputed=written.recomputed,
        tables=written.tables,
        table_digests=written.table_digests,
    )
    run_manifest.write(spark, run_manifest.build(spark, facts, written.layout), written.layout)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    argv = list(sys.argv if argv is None else argv)
    opts = options.parse_args(argv)
    started_at = datetime.now(timezone.utc)
    session = runtime.start(opts, argv)
    configure(session.spark)
    stages = stage_metrics.StageWindow.open(session.spark)

    run_id = opts.run_id or run_manifest.local_run_id(started_at)

    flights_raw, airports_raw = read_input(session, opts)
    written = run(session.spark, flights_raw, airports_raw, opts.output_path, scratch_folder(session.spark, opts))
    with step(session.spark, "record the run manifest"):
        record_run(session, opts, argv, run_id, started_at, written, airports_raw)
    document = report.build(
        written.counts,
        recomputed=written.recomputed,
        drift=written.drift,
        job_name=opts.job_name,
        source=opts.source_description(),
        output_path=opts.output_path,
        outputs=written.layout.as_report(run_id),
        started_at=started_at,
        finished_at=datetime.now(timezone.utc),
        spark=stages.collect(),
    )
    publish_report(session.spark, document, written.layout)
    publish_drift_alert(session.spark, document, written.layout, opts.drift_threshold)
    # Last: committing advances the bookmarks past this run's input.
    session.commit()
    return document


if __name__ == "__main__":
    # Errors of the arguments or of the input are the user's to fix: one line
    # each, not a traceback. Exit 2 for arguments, 1 for input (as Glue shows it).
    try:
        main()
    except options.OptionsError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
