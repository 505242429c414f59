"""Small files, path checks and renames through Hadoop's FileSystem API.

Spark's own Hadoop configuration decides how a URI is reached, so the same
calls work for s3:// on Glue, s3a:// on a local Spark with hadoop-aws, and
plain local paths. Only tiny driver-side files go through here (the run report,
the QuickSight manifests and the run manifest); data is written by Spark, and at
most moved from one folder to another, or listed, here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
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


def same_file_system(spark: SparkSession, first: str, second: str) -> bool:
    """Whether a rename can take `first` to `second` (on S3, only within one bucket)."""
    first_fs, _ = _hadoop_path(spark, first)
    second_fs, _ = _hadoop_path(spark, second)
    return bool(first_fs.getUri().equals(second_fs.getUri()))


def move(spark: SparkSession, source: str, target: str) -> None:
    """Rename a file or folder to `target`, which must not exist; its parent folder is made.

    On a file system that cannot rename (S3), Hadoop copies and deletes
    instead: still no byte goes through Spark.
    """
    fs, source_path = _hadoop_path(spark, source)
    _, target_path = _hadoop_path(spark, target)
    fs.mkdirs(target_path.getParent())
    if not fs.rename(source_path, target_path):
        raise OSError(f"could not move {source} to {target}")


def data_files(spark: SparkSession, folder: str) -> list[str]:
    """The data files anywhere under `folder` (none if it is not there); Spark's hidden
    files (names starting with `_` or `.`, such as checksums) are left out."""
    fs, hadoop_path = _hadoop_path(spark, folder)
    if not fs.exists(hadoop_path):
        return []
    found = []
    files = fs.listFiles(hadoop_path, True)
    while files.hasNext():
        path = files.next().getPath()
        if not path.getName().startswith(("_", ".")):
            found.append(str(path.toString()))
    return found


@dataclass(frozen=True)
class ListedFile:
    """One file of a listing: its qualified path, size in bytes and last change (epoch ms)."""

    path: str
    size: int
    modified_ms: int


def qualified(spark: SparkSession, path: str) -> str:
    """`path` as the file system names its files (`file:/tmp/x` for `/tmp/x` or `file:///tmp/x`)."""
    fs, hadoop_path = _hadoop_path(spark, path)
    return str(fs.makeQualified(hadoop_path).toString())


def list_files(spark: SparkSession, path: str) -> list[ListedFile]:
    """Every file at or anywhere under `path` (none if it is not there), hidden ones too."""
    fs, hadoop_path = _hadoop_path(spark, path)
    if not fs.exists(hadoop_path):
        return []
    found = []
    files = fs.listFiles(hadoop_path, True)
    while files.hasNext():
        status = files.next()
        found.append(ListedFile(str(status.getPath().toString()), int(status.getLen()), int(status.getModificationTime())))
    return found


def read_text(spark: SparkSession, path: str) -> str | None:
    """One small UTF-8 file, or None if it is not there."""
    fs, hadoop_path = _hadoop_path(spark, path)
    if not fs.exists(hadoop_path):
        return None
    jvm = spark.sparkContext._jvm
    assert jvm is not None  # _hadoop_path has checked
    stream = fs.open(hadoop_path)
    try:
        return str(jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8"))
    finally:
        stream.close()


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


def json_object(text: str) -> dict[str, Any]:
    """A JSON object's text as a dict; anything else (not JSON, not an object) as an empty one."""
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
