"""What Spark itself measured during a run: spill, and the slowest stage with its skew.

Spark keeps per-stage figures in its status store, the one its web UI and
REST API read (`/api/v1/applications/<id>/stages`); it exists whether or not
the UI runs, on Glue as on a local pyspark. The job reads it through the JVM
at the end of a run and puts the figures into the run report:

    "spark": {
      "stages": int,                       stages that ended during the run
      "memory_spilled_bytes": int,         the sum over them (deserialised size)
      "disk_spilled_bytes": int,           the same, as written to disk
      "slowest_stage": {                   the stage with the most task time
        "id": int, "name": str, "tasks": int, "task_seconds": float,
        "task_seconds_median": float, "task_seconds_max": float,
        "skew": float                      max / median task time (1.0 = even)
      } | null,
      "advice": str | null                 what would have avoided a spill to disk
    }

Only stages that started after `StageWindow.open()` count, so a session that
ran other work before (a test suite, a notebook) does not blur the figures.
Anything the status store cannot answer leaves the object out (`collect`
returns None): the figures inform, they never fail a run.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pyspark.sql import SparkSession

ADVICE_DISK_SPILL = (
    "the run spilled {mib:,.0f} MiB to disk: give Spark more memory "
    "(locally: run --local --spark-memory, or spark.driver.memory; "
    "on Glue: a larger --worker-type such as G.2X, or more --workers)"
)


# Wall seconds per step description, in the order the steps first began; a
# StageWindow opened for a run starts it afresh.
_step_seconds: dict[str, float] = {}


@contextlib.contextmanager
def step(spark: SparkSession, description: str) -> Iterator[None]:
    """Name the Spark jobs started inside: the UI, the logs and the report then say which step a stage was.

    Also times the step: the report lists each step's wall and task seconds.
    """
    spark.sparkContext.setJobDescription(description)
    began = time.monotonic()
    try:
        yield
    finally:
        spark.sparkContext.setJobDescription(None)  # type: ignore[arg-type]  # None clears it
        _step_seconds[description] = _step_seconds.get(description, 0.0) + time.monotonic() - began


def _status_store(spark: SparkSession) -> Any:
    return spark.sparkContext._jsc.sc().statusStore()


def _stages(spark: SparkSession) -> Any:
    """Every stage the status store holds (a Scala Seq of v1.StageData)."""
    jvm, gateway = spark.sparkContext._jvm, spark.sparkContext._gateway
    if jvm is None or gateway is None:
        raise RuntimeError("no JVM")
    # stageList(statuses, details, withSummaries, quantiles, taskStatuses): Scala's
    # default arguments do not reach Python, so every one is given.
    return _status_store(spark).stageList(None, False, False, gateway.new_array(jvm.double, 0), jvm.java.util.ArrayList())


def _stage_ids(spark: SparkSession) -> set[tuple[int, int]]:
    stages = _stages(spark)
    return {(int(stages.apply(i).stageId()), int(stages.apply(i).attemptId())) for i in range(stages.size())}


@dataclass
class StageWindow:
    """The stages that existed when a run began; everything after them is the run's."""

    spark: SparkSession
    before: set[tuple[int, int]] = field(default_factory=set)
    available: bool = True

    @classmethod
    def open(cls, spark: SparkSession) -> StageWindow:
        window = cls(spark)
        _step_seconds.clear()
        try:
            window.before = _stage_ids(spark)
        except Exception:  # noqa: BLE001 - a Spark without a status store: no figures, no failure
            window.available = False
        return window

    def collect(self) -> dict[str, Any] | None:
        if not self.available:
            return None
        try:
            return _collect(self.spark, self.before)
        except Exception:  # noqa: BLE001 - see the module docstring
            return None


def _wait_for_events(spark: SparkSession) -> None:
    # Stage figures arrive through Spark's listener bus, asynchronously: the
    # last stages of a run may still be in flight when its last action returns.
    # A Spark without it: the figures may lag by a stage.
    with contextlib.suppress(Exception):
        spark.sparkContext._jsc.sc().listenerBus().waitUntilEmpty(10_000)


def _task_quantiles(spark: SparkSession, stage: Any) -> tuple[float, float] | None:
    """Median and maximum task duration of a stage, in seconds."""
    gateway = spark.sparkContext._gateway
    jvm = spark.sparkContext._jvm
    if gateway is None or jvm is None:
        return None
    quantiles = gateway.new_array(jvm.double, 2)
    quantiles[0] = 0.5
    quantiles[1] = 1.0
    summary = _status_store(spark).taskSummary(stage.stageId(), stage.attemptId(), quantiles)
    if not summary.isDefined():
        return None
    durations = summary.get().executorRunTime()
    return float(durations.apply(0)) / 1000, float(durations.apply(1)) / 1000


def _collect(spark: SparkSession, before: set[tuple[int, int]]) -> dict[str, Any]:
    _wait_for_events(spark)
    stages = _stages(spark)
    ended = []
    for i in range(stages.size()):
        stage = stages.apply(i)
        key = (int(stage.stageId()), int(stage.attemptId()))
        if key in before or str(stage.status()) not in ("COMPLETE", "FAILED"):
            continue
        ended.append(stage)
    memory = sum(int(s.memoryBytesSpilled()) for s in ended)
    disk = sum(int(s.diskBytesSpilled()) for s in ended)
    slowest = max(ended, key=lambda s: int(s.executorRunTime()), default=None)
    return {
        "stages": len(ended),
        "memory_spilled_bytes": memory,
        "disk_spilled_bytes": disk,
        "slowest_stage": None if slowest is None else _describe(spark, slowest),
        "advice": ADVICE_DISK_SPILL.format(mib=disk / 2**20) if disk > 0 else None,
        "steps": _steps(ended),
    }


def _description(stage: Any) -> str | None:
    description = stage.description()
    return str(description.get()) if description.isDefined() else None


def _steps(ended: list[Any]) -> list[dict[str, Any]]:
    task_ms: dict[str, int] = {}
    for stage in ended:
        name = _description(stage)
        if name is not None:
            task_ms[name] = task_ms.get(name, 0) + int(stage.executorRunTime())
    return [
        {"name": name, "seconds": round(seconds, 3), "task_seconds": round(task_ms.get(name, 0) / 1000, 3)}
        for name, seconds in _step_seconds.items()
    ]


def _describe(spark: SparkSession, stage: Any) -> dict[str, Any]:
    quantiles = _task_quantiles(spark, stage)
    median, longest = quantiles if quantiles is not None else (None, None)
    skew = None
    if median is not None and longest is not None:
        # A stage of tasks too short to time (0 ms) is as even as it gets.
        skew = round(longest / median, 2) if median > 0 else 1.0
    # The step's description (see step()) says more than Spark's call site.
    name = _description(stage) or str(stage.name())
    return {
        "id": int(stage.stageId()),
        "name": name,
        "tasks": int(stage.numTasks()),
        "task_seconds": round(int(stage.executorRunTime()) / 1000, 3),
        "task_seconds_median": None if median is None else round(median, 3),
        "task_seconds_max": None if longest is None else round(longest, 3),
        "skew": skew,
    }
