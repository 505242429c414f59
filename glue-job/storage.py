"""Small files and path checks through Hadoop's FileSystem API.

Spark's own Hadoop configuration decides how a URI is reached, so the same
calls work for s3:// on Glue, s3a:// on a local Spark with hadoop-aws, and
plain local paths. Only tiny driver-side files go through here (the run report
and the QuickSight manifests); data is always written by Spark.
"""

from __future__ import annotations

import json
from typing import Any

from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import StructType


def join(base: str, *parts: str) -> str:
    """Join URI/path segments with single slashes."""
    path = base.rstrip("/")
    for part in parts:
        path = f"{path}/{part.strip('/')}"
    return path


def _hadoop_path(spark: SparkSession, path: str) -> tuple[Any, Any]:
    """Hadoop's FileSystem for `path` and the path itself (both JVM objects)."""
    jvm = spark.sparkContext._jvm
    if jvm is None:  # only after the SparkContext has been stopped
        raise RuntimeError("the SparkContext is stopped: no JVM to reach the file system")
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
    fs = hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    return fs, hadoop_path


def exists(spark: SparkSession, path: str) -> bool:
    fs, hadoop_path = _hadoop_path(spark, path)
    return bool(fs.exists(hadoop_path))


def delete(spark: SparkSession, path: str) -> None:
    """Remove a file or a folder with everything in it; nothing if it is not there."""
    fs, hadoop_path = _hadoop_path(spark, path)
    fs.delete(hadoop_path, True)


def read_parquet(spark: SparkSession, path: str, schema: StructType | None = None) -> DataFrame | None:
    """The Parquet table at `path`, or None where there is none (no folder, or one left without files).

    Given its `schema`, no file is opened before the rows are read: a filter on
    the partition columns then keeps every other partition's files unread.
    """
    if not exists(spark, path):
        return None
    try:
        return spark.read.parquet(path) if schema is None else spark.read.schema(schema).parquet(path)
    except AnalysisException as error:
        if error.getErrorClass() == "UNABLE_TO_INFER_SCHEMA":
            return None
        raise


def partition_folder(table: str, quarter: tuple[int | None, int | None]) -> str:
    """The folder of one (year, quarter) partition of a table; Spark files a null value as below."""
    year, number = ("__HIVE_DEFAULT_PARTITION__" if v is None else str(v) for v in quarter)
    return join(table, f"year={year}", f"quarter={number}")


def write_text(spark: SparkSession, path: str, text: str) -> None:
    """Create or replace one small UTF-8 file."""
    fs, hadoop_path = _hadoop_path(spark, path)
    stream = fs.create(hadoop_path, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()


def s3_uri(path: str) -> str:
    """The s3:// form of an s3a:// or s3n:// URI (what QuickSight expects); others unchanged."""
    for scheme in ("s3a://", "s3n://"):
        if path.startswith(scheme):
            return "s3://" + path[len(scheme):]
    return path


def quicksight_manifest(csv_prefix: str) -> dict[str, Any]:
    """A QuickSight S3 manifest for every CSV file (with a header) under a prefix."""
    prefix = s3_uri(csv_prefix).rstrip("/") + "/"
    return {
        "fileLocations": [{"URIPrefixes": [prefix]}],
        "globalUploadSettings": {
            "format": "CSV",
            "delimiter": ",",
            "containsHeader": "true",
        },
    }


def to_json(document: dict[str, Any], *, one_line: bool = False) -> str:
    if one_line:
        return json.dumps(document, sort_keys=False, separators=(",", ":"))
    return json.dumps(document, indent=2, sort_keys=False) + "\n"
