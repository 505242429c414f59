"""Glue job: raw US flight records into an ML-ready feature table for delay prediction.

Runs once a quarter, after the crawler. Reads raw flights and airports, puts
every flight either into the feature table or into quarantine with a reason,
computes per-quarter aggregates, and writes under `--output_path`:

    features/year=YYYY/quarter=Q/*.parquet      one row per usable flight (snappy Parquet)
    rejected/year=YYYY/quarter=Q/*.parquet      quarantined rows: raw values, reject_reason, source file
    aggregates/<name>/parquet/year=/quarter=/   per-quarter aggregates, Parquet
    aggregates/<name>/csv/part-*.csv            the same, all quarters, one CSV with a header
    manifests/<name>.json                       QuickSight manifest of that CSV folder
    reports/run_report.json                     the run report (also run_report-<UTC time>.json)

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
transforms.quarterly_aggregates) rather than merged estimates, and an incremental run then needs
just one stored quarter: when q - 1 is not in this run's input, its
aggregates are read back from `aggregates/<name>/parquet/`.

Re-runs. The feature, quarantine and Parquet aggregate tables are written with
dynamic partition overwrite: a run replaces the (year, quarter) partitions its
input touches and leaves every other partition as it was, so running twice
over the same input leaves the same rows, never twice as many. A quarter is
the unit of replacement, so a re-delivery must hold the whole quarter. The CSV
aggregates are rewritten whole (stored quarters + this run's) on every run.
Duplicates are detected within a run's input.

Scale. Nothing is collected to the driver but one row count per (quarter,
reason) for the report; no Python runs per row; the airports table and the
small aggregate tables are broadcast; writes are partitioned.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from typing import Any

from pyspark import StorageLevel
from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, DataFrameReader, SparkSession
from pyspark.sql.types import StringType, StructField, StructType

import options
import report
import runtime
import storage
import transforms
from layout import OutputLayout
from transforms import InputError

SPARK_SETTINGS = {
    # Overwrite only the partitions a run writes.
    "spark.sql.sources.partitionOverwriteMode": "dynamic",
    # Bad timestamps become null (then quarantined) instead of failing the job.
    "spark.sql.legacy.timeParserPolicy": "CORRECTED",
    # Local wall-clock times: no daylight-saving shifts.
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.compression.codec": "snappy",
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
    return read_flights_csv(spark, flights_path), _csv_reader(spark).csv(airports_path)


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


def _write_partitioned(df: DataFrame, path: str, *spread: str) -> None:
    (
        df.repartition(*transforms.PARTITION_COLUMNS, *spread)
        .write.mode("overwrite")
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


def _stored(spark: SparkSession, path: str) -> DataFrame | None:
    return spark.read.parquet(path) if storage.exists(spark, path) else None


def run(
    spark: SparkSession,
    flights_raw: DataFrame,
    airports_raw: DataFrame,
    output_path: str,
) -> tuple[list[tuple[Any, Any, str | None, int]], OutputLayout]:
    """Transform and write; returns the outcome counts and the output layout."""
    layout = OutputLayout.under(output_path, transforms.AGGREGATE_KEYS)
    if _empty_delivery(flights_raw):
        return [], layout

    flights = transforms.normalise_flights(flights_raw)
    airports = transforms.prepare_airports(airports_raw)
    classified = transforms.classify(flights, airports).persist(StorageLevel.MEMORY_AND_DISK)

    # The only collect: one small row per (year, quarter, reason).
    counts = [
        (row["year"], row["quarter"], row["reject_reason"], row["rows"])
        for row in transforms.outcome_counts(classified).collect()
    ]
    if not counts:
        # Files with a header and no rows: nothing to write, and no stored
        # aggregate or manifest needs rewriting.
        classified.unpersist()
        return [], layout

    _write_partitioned(transforms.rejected_rows(classified), layout.rejected)

    flight_rows = transforms.flight_rows(classified)
    fresh = {
        name: aggregate.persist(StorageLevel.MEMORY_AND_DISK)
        for name, aggregate in transforms.quarterly_aggregates(flight_rows).items()
    }
    combined = {}
    for name, aggregate in fresh.items():
        stored = _stored(spark, layout.aggregate(name).parquet)
        combined[name] = (
            aggregate
            if stored is None
            else transforms.combine_aggregates(aggregate, stored).persist(StorageLevel.MEMORY_AND_DISK)
        )

    features = transforms.with_previous_quarter(flight_rows, combined)
    _write_partitioned(features, layout.features, "month")

    # CSV (which reads the stored Parquet) before the Parquet overwrite.
    for paths in layout.aggregates:
        order = [*transforms.PARTITION_COLUMNS, *transforms.AGGREGATE_KEYS[paths.name]]
        _write_csv(combined[paths.name], paths.csv, order)
        _write_partitioned(fresh[paths.name], paths.parquet)
        manifest = storage.quicksight_manifest(paths.csv)
        storage.write_text(spark, paths.manifest, storage.to_json(manifest))

    for frame in {id(f): f for f in (classified, *fresh.values(), *combined.values())}.values():
        frame.unpersist()
    return counts, layout


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
    stamp = document["started_at"].replace("-", "").replace(":", "")
    storage.write_text(spark, layout.report_copy(stamp), text)
    print(report.REPORT_PREFIX + storage.to_json(document, one_line=True), flush=True)


# ---------------------------------------------------------------------------
# Entry


def read_input(session: runtime.Runtime, opts: options.JobOptions) -> tuple[DataFrame, DataFrame]:
    """Paths mode reads the folders (on Glue too); catalog mode needs Glue."""
    # The same test as opts.reads_paths, spelled out so the paths are known to be set.
    if opts.flights_path is not None and opts.airports_path is not None:
        return read_paths(session.spark, opts.flights_path, opts.airports_path)
    return read_catalog(session.glue_context, opts)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    argv = list(sys.argv if argv is None else argv)
    opts = options.parse_args(argv)
    started_at = datetime.now(timezone.utc)
    session = runtime.start(opts, argv)
    configure(session.spark)

    flights_raw, airports_raw = read_input(session, opts)
    counts, layout = run(session.spark, flights_raw, airports_raw, opts.output_path)
    document = report.build(
        counts,
        job_name=opts.job_name,
        source=opts.source_description(),
        output_path=opts.output_path,
        outputs=layout.as_report(),
        started_at=started_at,
        finished_at=datetime.now(timezone.utc),
    )
    publish_report(session.spark, document, layout)
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
