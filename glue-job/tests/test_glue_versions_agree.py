"""Glue 6.0 runs the job as Glue 5.0 does: the same outputs, to the bit, over the real data.

The job runs twice over the whole of rawdata/ (3 million flights, three
quarters), once on each Spark line the tool targets: PySpark 3.5.4 on Python
3.11 (Glue 5.x, `.venv`) and PySpark 4.1.1 on Python 3.13 (Glue 6.0,
`.venv-spark4`), both of which `make` installs. Spark 4 runs SQL in ANSI mode,
parses and formats dates with other defaults and ships another Parquet
writer: any of these could change a row, a type or a count without failing
the job's own tests on either line. So every Parquet table the job writes is
compared whole, row for row (a multiset difference both ways, every column
exact, nulls included), with its schema; then the run reports' counts per
quarter and reason, and the run manifests' rows and table digests.

The tool's default Glue version may move to 6.0 only while this holds.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import JOB_DIR, REPO_ROOT

PYTHONS = {"5.0": REPO_ROOT / ".venv" / "bin" / "python", "6.0": REPO_ROOT / ".venv-spark4" / "bin" / "python"}
RAW = REPO_ROOT / "rawdata"
# Every Parquet table under the output, by its folder.
TABLES = (
    "features",
    "rejected",
    "delivered",
    "drift",
    "aggregates/route_quarter/parquet",
    "aggregates/origin_hour/parquet",
    "aggregates/day_of_week/parquet",
)
# What the run report says of the data: everything else in it is when, where and how fast the run was.
REPORTED = ("rows", "rejected_by_reason", "quarters", "recomputed_quarters", "drift")


def _run_job(python: Path, out: Path) -> subprocess.Popen[str]:
    env = dict(os.environ)
    # Each run's Spark workers run its own Python, whatever the suite runs on.
    env["PYSPARK_PYTHON"] = str(python)
    # One core each, the two at once: both finish in about the time of one run on two cores.
    env["PYSPARK_SUBMIT_ARGS"] = (
        "--master local[1] --driver-memory 3g --conf spark.sql.shuffle.partitions=4 "
        "--conf spark.ui.enabled=false --conf spark.ui.showConsoleProgress=false pyspark-shell"
    )
    return subprocess.Popen(
        [
            str(python), str(JOB_DIR / "job.py"),
            "--flights_path", str(RAW / "flights"),
            "--airports_path", str(RAW / "airports"),
            "--output_path", str(out),
        ],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@pytest.fixture(scope="module")
def both_runs(tmp_path_factory):
    missing = [str(p) for p in PYTHONS.values() if not p.exists()]
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: `make install` makes both Pythons")
    root = tmp_path_factory.mktemp("glue-versions")
    outs = {version: root / version for version in PYTHONS}
    processes = {version: _run_job(python, outs[version]) for version, python in PYTHONS.items()}
    reports, manifests = {}, {}
    try:
        for version, process in processes.items():
            stdout, stderr = process.communicate(timeout=1800)
            assert process.returncode == 0, f"Glue {version}: {stderr[-4000:]}"
            line = next(line for line in stdout.splitlines() if line.startswith("RUN_REPORT "))
            reports[version] = json.loads(line.removeprefix("RUN_REPORT "))
            (manifest,) = (outs[version] / "manifests" / "runs").glob("*.json")
            manifests[version] = json.loads(manifest.read_text())
    finally:
        for process in processes.values():
            process.kill()
    return outs, reports, manifests


def test_the_two_runs_ran_on_their_own_spark_lines(both_runs):
    _, _, manifests = both_runs
    # Proves the comparison below compares two Spark lines, not one run twice.
    versions = {v: (m["runtime"]["spark_version"], m["runtime"]["python_version"]) for v, m in manifests.items()}
    assert versions["5.0"][0].startswith("3.5.") and versions["5.0"][1].startswith("3.11"), versions
    assert versions["6.0"][0].startswith("4.1.") and versions["6.0"][1].startswith("3.13"), versions


@pytest.mark.parametrize("table", TABLES)
def test_every_parquet_table_is_the_same_row_for_row(spark, both_runs, table):
    outs = both_runs[0]
    five = spark.read.parquet(str(outs["5.0"] / table))
    six = spark.read.parquet(str(outs["6.0"] / table))
    assert six.schema.simpleString() == five.schema.simpleString()
    rows = five.count()
    assert rows > 0 and six.count() == rows
    only_five = five.exceptAll(six).limit(3).collect()
    only_six = six.exceptAll(five).limit(3).collect()
    assert (only_five, only_six) == ([], []), f"{table}: rows only on 5.0 {only_five}, only on 6.0 {only_six}"


def test_the_run_reports_count_the_same(both_runs):
    reports = both_runs[1]
    assert reports["5.0"]["rows"]["read"] > 2_900_000, "the run did not read the real data"
    for key in REPORTED:
        assert reports["6.0"][key] == reports["5.0"][key], key


def test_the_run_manifests_record_the_same_outputs(both_runs):
    manifests = both_runs[2]
    five, six = (manifests[v]["outputs"] for v in ("5.0", "6.0"))
    assert six["tables"] == five["tables"]
    # The digests hash every value of every column (run_manifest.TableDigests): equal digests
    # say again, by another route, that the tables are equal.
    assert six["table_digests"] == five["table_digests"]
