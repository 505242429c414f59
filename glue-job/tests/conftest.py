"""Shared fixtures: one local SparkSession for the whole run, and the Glue stand-in."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

JOB_DIR = Path(__file__).resolve().parent.parent
STUB_DIR = Path(__file__).resolve().parent / "glue_stub"
REPO_ROOT = JOB_DIR.parent

if str(JOB_DIR) not in sys.path:
    sys.path.insert(0, str(JOB_DIR))

# Spark's Python workers run this Python (and so this PySpark), not whichever
# python3 is first on PATH: the suite runs on Python 3.11 for Glue 5.x and on
# 3.13 for Glue 6.0, and PySpark refuses workers of another minor version.
# The job's own runs in subprocesses inherit it.
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)


@pytest.fixture(scope="session")
def spark():
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("glue-job-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.legacy.timeParserPolicy", "CORRECTED")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture
def fake_glue(monkeypatch):
    """Make the test-only `awsglue` stand-in importable; undo it afterwards."""
    monkeypatch.syspath_prepend(str(STUB_DIR))
    for name in [m for m in sys.modules if m == "awsglue" or m.startswith("awsglue.")]:
        monkeypatch.delitem(sys.modules, name)
    import awsglue.context

    awsglue.context.reset()
    yield awsglue.context
    for name in [m for m in sys.modules if m == "awsglue" or m.startswith("awsglue.")]:
        del sys.modules[name]


def read_back_digests(spark, output: Path, tables: list[str], quarters: list[tuple]) -> tuple[list[dict], list[dict]]:
    """The run manifest's "outputs.tables" and "outputs.table_digests" computed apart, from the
    files: per table (a folder under `output`) and quarter, the rows read back; per table, those
    rows over all `quarters` and the sum of the xxhash64 of their stored columns (all but the
    year and quarter folders), summed as decimals that cannot overflow."""
    from pyspark.sql import functions as F

    per_quarter, per_table = [], []
    for table in tables:
        total_rows, total = 0, 0
        for year, quarter in quarters:
            folder = output / table / f"year={_folder_value(year)}" / f"quarter={_folder_value(quarter)}"
            files = [p for p in folder.glob("*") if p.is_file() and not p.name.startswith((".", "_"))] if folder.is_dir() else []
            rows = 0
            if files:
                df = spark.read.option("basePath", str(output / table)).parquet(str(folder))
                stored = [c for c in df.columns if c not in ("year", "quarter")]
                (row,) = df.select(F.count(F.lit(1)).alias("n"), F.sum(F.xxhash64(*stored).cast("decimal(38,0)")).alias("s")).collect()
                rows = int(row["n"])
                total += int(row["s"] or 0)
            per_quarter.append({"table": table, "year": year, "quarter": quarter, "rows": rows})
            total_rows += rows
        per_table.append({"table": table, "rows": total_rows, "digest": str(total)})
    return per_quarter, per_table


def _folder_value(value) -> str:
    """How Spark names a partition folder's value; null is Hive's default partition."""
    return "__HIVE_DEFAULT_PARTITION__" if value is None else str(value)
