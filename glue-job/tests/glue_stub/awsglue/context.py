from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pyspark.sql import DataFrame, SparkSession

# (database, table) -> function of the SparkSession returning the table's DataFrame
CATALOG: dict[tuple[str, str], Callable[[SparkSession], DataFrame]] = {}
CALLS: list[tuple[Any, ...]] = []


def reset() -> None:
    CATALOG.clear()
    CALLS.clear()


class DynamicFrame:
    def __init__(self, df: DataFrame):
        self._df = df

    def resolveChoice(self, specs=None, choice="", **_: Any) -> DynamicFrame:
        CALLS.append(("resolveChoice", choice))
        return self

    def toDF(self) -> DataFrame:
        return self._df


class _DynamicFrameReader:
    def __init__(self, spark: SparkSession):
        self._spark = spark

    def from_catalog(self, database, table_name, redshift_tmp_dir="", transformation_ctx="", **_: Any):
        CALLS.append(("from_catalog", database, table_name, transformation_ctx))
        return DynamicFrame(CATALOG[(database, table_name)](self._spark))


class GlueContext:
    def __init__(self, spark_context):
        self.spark_session = SparkSession.builder.getOrCreate()
        self.create_dynamic_frame = _DynamicFrameReader(self.spark_session)
