"""How the job spreads its work, and what the run report says of Spark's own figures."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import JOB_DIR, REPO_ROOT

AIRPORTS = REPO_ROOT / "rawdata" / "airports"
MONTH_FILE = REPO_ROOT / "rawdata" / "flights" / "year=2001" / "month=01" / "flights-2001-01.csv.gz"

# Runs the job on local[4] over one gzip file (the job prints its run report),
# then prints, for the stages of the job's first step, how many tasks each had
# and what it read.
SPREAD_PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import job
job.main(["job.py", "--flights_path", sys.argv[2], "--airports_path", sys.argv[3], "--output_path", sys.argv[4]])
from pyspark.sql import SparkSession
spark = SparkSession.getActiveSession()
sc = spark.sparkContext
sc._jsc.sc().listenerBus().waitUntilEmpty(10000)
stages = sc._jsc.sc().statusStore().stageList(
    None, False, False, sc._gateway.new_array(sc._jvm.double, 0), sc._jvm.java.util.ArrayList())
found = []
for i in range(stages.size()):
    s = stages.apply(i)
    if s.description().isDefined() and s.description().get() == "read the new rows":
        found.append({"tasks": s.numTasks(), "input_records": s.inputRecords(),
                      "shuffle_read_records": s.shuffleReadRecords()})
print("STAGES " + json.dumps(found))
"""


@pytest.fixture(scope="module")
def one_big_file(tmp_path_factory) -> Path:
    """A quarter delivered as one gzip file (60,000 real rows), which Spark reads with one task."""
    root = tmp_path_factory.mktemp("one-file") / "flights" / "year=2001" / "month=01"
    root.mkdir(parents=True)
    with gzip.open(MONTH_FILE, "rt") as source, gzip.open(root / "all.csv.gz", "wt") as target:
        for index, line in enumerate(source):
            if index > 60_000:
                break
            target.write(line)
    return root.parent.parent


@pytest.fixture(scope="module")
def probed_run(one_big_file, tmp_path_factory) -> tuple[list[dict], dict, Path]:
    """One run over one_big_file on local[4], in a Spark of its own: the stages of its first step,
    its run report and its output folder."""
    out = tmp_path_factory.mktemp("probed") / "out"
    env = dict(os.environ)
    env["PYSPARK_SUBMIT_ARGS"] = "--master local[4] --conf spark.ui.showConsoleProgress=false pyspark-shell"
    result = subprocess.run(
        [sys.executable, "-c", SPREAD_PROBE, str(JOB_DIR), str(one_big_file), str(AIRPORTS), str(out)],
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (line,) = [s for s in result.stdout.splitlines() if s.startswith("STAGES ")]
    (report,) = [s for s in result.stdout.splitlines() if s.startswith("RUN_REPORT ")]
    return json.loads(line[len("STAGES "):]), json.loads(report[len("RUN_REPORT "):]), out


def test_one_gzip_file_is_spread_over_every_core_right_after_the_read(probed_run):
    stages = probed_run[0]
    reads = [s for s in stages if s["input_records"] > 0]
    after = [s for s in stages if s["shuffle_read_records"] > 0]
    assert [s["tasks"] for s in reads] == [1]  # gzip: one task reads the file
    assert after and all(s["tasks"] >= 4 for s in after)
    assert sum(s["shuffle_read_records"] for s in after) == 60_000


def _argv(flights: Path) -> list[str]:
    return ["job.py", "--flights_path", str(flights), "--airports_path", str(AIRPORTS)]


@pytest.fixture(scope="module")
def calm_run(probed_run) -> tuple[dict, Path]:
    """The run report and the output folder of one run over one_big_file: the probed one, which
    had all the memory it needed (a second run here would only repeat it)."""
    _, document, out = probed_run
    assert json.loads((out / "reports" / "run_report.json").read_text()) == document
    return document, out


def _encodings(table: Path) -> dict[str, set[str]]:
    """Per column, the Parquet encodings of its pages in every file of `table`."""
    import pyarrow.parquet as pq

    found: dict[str, set[str]] = {}
    for path in table.rglob("*.parquet"):
        metadata = pq.ParquetFile(path).metadata
        for group in range(metadata.num_row_groups):
            for index in range(metadata.num_columns):
                column = metadata.row_group(group).column(index)
                found.setdefault(column.path_in_schema, set()).update(column.encodings)
    return found


def test_columns_of_unique_values_are_written_without_a_dictionary(calm_run):
    _, out = calm_run
    dictionary = {"PLAIN_DICTIONARY", "RLE_DICTIONARY"}
    delivered, features = _encodings(out / "delivered"), _encodings(out / "features")
    for table, unique in ((delivered, ("date", "row_order")), (features, ("departure_time",))):
        assert all(not (table[c] & dictionary) for c in unique), table
    # The other columns keep theirs: the codes repeat, and so does the text of a delay.
    assert delivered["origin"] & dictionary and delivered["delay"] & dictionary
    assert features["route"] & dictionary and features["flight_date"] & dictionary


def test_the_run_report_gives_spill_and_the_slowest_stage(spark, one_big_file, calm_run, tmp_path):
    import job

    argv = _argv(one_big_file)
    document = calm_run[0]
    calm = document["spark"]
    assert calm["stages"] > 5
    assert calm["disk_spilled_bytes"] == 0 and calm["advice"] is None
    slowest = calm["slowest_stage"]
    assert slowest["tasks"] >= 1 and slowest["task_seconds"] > 0
    assert 0 < slowest["task_seconds_median"] <= slowest["task_seconds_max"]
    assert slowest["skew"] == pytest.approx(slowest["task_seconds_max"] / slowest["task_seconds_median"], rel=0.02)
    assert slowest["name"]  # a step of the job, or Spark's own name for the stage

    # Every step the job names, once, in the order it ran; their wall time fits in the run's.
    steps = calm["steps"]
    names = [s["name"] for s in steps]
    assert names[0] == "read the new rows" and names[-2:] == ["write delivered/_index/", "record the run manifest"]
    assert "compute the aggregates" in names and len(set(names)) == len(names)
    assert all(s["seconds"] > 0 and s["task_seconds"] >= 0 for s in steps)
    assert sum(s["seconds"] for s in steps) <= document["duration_seconds"]
    # The stages' task time is split among the steps that started them.
    assert sum(s["task_seconds"] for s in steps) > 0

    # Windows that may hold a hundred rows in memory: the aggregates
    # windows over a busy group (a day of the week: hundreds of delay values) spill.
    settings = {
        "spark.sql.windowExec.buffer.in.memory.threshold": "16",
        "spark.sql.windowExec.buffer.spill.threshold": "128",
    }
    for key, value in settings.items():
        spark.conf.set(key, value)
    try:
        spilled = job.main([*argv, "--output_path", str(tmp_path / "spilled")])["spark"]
    finally:
        for key in settings:
            spark.conf.unset(key)
    assert spilled["disk_spilled_bytes"] > 0 and spilled["memory_spilled_bytes"] > 0
    assert "--spark-memory" in spilled["advice"] and "G.2X" in spilled["advice"]
