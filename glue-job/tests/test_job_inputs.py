"""The entry script on awkward deliveries: malformed rows, empty deliveries, missing paths.

Runs `job.main` in this process, in paths mode without Glue (it picks up the
test session), except for the one check that needs the real exit code and
stderr of `python job.py`.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import transforms
from conftest import JOB_DIR

HEADER = "date,delay,distance,origin,destination\n"
AIRPORTS_CSV = "iata,name,city,state,country,latitude,longitude\nAAA,Alpha,Alpha,CA,USA,34.5,-118.25\nBBB,Beta,Beta,NY,USA,40.75,-73.5\n"


@pytest.fixture
def delivery(tmp_path):
    """An airports folder and an empty flights folder; tests add flight files."""
    (tmp_path / "raw" / "airports").mkdir(parents=True)
    (tmp_path / "raw" / "airports" / "airports.csv").write_text(AIRPORTS_CSV)
    (tmp_path / "raw" / "flights").mkdir()
    return tmp_path


def flight_file(root: Path, relative: str, text: str) -> None:
    path = root / "raw" / "flights" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def run_job(root: Path, flights: Path | None = None, airports: Path | None = None) -> dict:
    import job

    return job.main([
        "job.py", "--JOB_NAME", "inputs-test", "--output_path", str(root / "processed"),
        "--flights_path", str(flights or root / "raw" / "flights"),
        "--airports_path", str(airports or root / "raw" / "airports"),
    ])


def test_rows_with_more_or_fewer_fields_than_the_header_are_quarantined(spark, delivery):
    flight_file(delivery, "year=2001/month=01/a.csv", HEADER + "\n".join([
        "2001-01-10 09:00:00,10,300,AAA,BBB",
        "2001-01-10 09:01:00,10,300,AAA,BBB,999",      # one value too many
        "2001-01-10 09:02:00,10,300,AAA,BBB,",         # a trailing separator is an extra, empty field
        "2001-01-10 09:03:00,10,300,AAA",              # one value short
        '"2001-01-10 09:04:00",10,"3,00",AAA,BBB',     # a quoted separator is part of its value
    ]) + "\n")
    document = run_job(delivery)
    assert document["rows"] == {"read": 5, "written": 1, "rejected": 4}
    assert {k: v for k, v in document["rejected_by_reason"].items() if v} == {
        "wrong_column_count": 3, "non_numeric_distance": 1,
    }
    rejected = spark.read.parquet(str(delivery / "processed" / "rejected"))
    assert sorted((r.date, r.reject_reason) for r in rejected.collect()) == [
        ("2001-01-10 09:01:00", "wrong_column_count"),
        ("2001-01-10 09:02:00", "wrong_column_count"),
        ("2001-01-10 09:03:00", "wrong_column_count"),
        ("2001-01-10 09:04:00", "non_numeric_distance"),
    ]


def nothing_read(document: dict) -> None:
    assert document["rows"] == {"read": 0, "written": 0, "rejected": 0}
    assert document["quarters"] == []
    assert set(document["rejected_by_reason"]) == set(transforms.REASONS)


@pytest.mark.parametrize(
    "files",
    [
        {"year=2001/month=07/part.csv": ""},   # only an empty file, in a partition folder
        {"part.csv": ""},                      # only an empty file, at the top
        {"year=2001/month=07/part.csv": HEADER},  # a header and no rows
        {},                                    # a folder with no files
    ],
    ids=["empty-file-in-partition", "empty-file", "header-only", "no-files"],
)
def test_an_empty_delivery_is_a_clean_run_that_reports_nothing_read(spark, delivery, files):
    for relative, text in files.items():
        flight_file(delivery, relative, text)
    document = run_job(delivery)
    nothing_read(document)
    out = delivery / "processed"
    assert (out / "reports" / "run_report.json").is_file()
    assert not (out / "features").exists() and not (out / "rejected").exists()
    # Its manifest names the files read, empty ones too (which Spark reads no bytes of), and no output.
    manifest = json.loads(Path(document["outputs"]["run_manifest"]).read_text())
    flights = [(i["key"], i["size"], i["sha256"]) for i in manifest["inputs"] if i["table"] == "flights"]
    assert flights == [
        (f"file:{delivery / 'raw' / 'flights' / r}", len(t), hashlib.sha256(t.encode()).hexdigest()) for r, t in files.items()
    ]
    assert manifest["outputs"] == {"files": [], "tables": [], "table_digests": []}


def test_a_missing_input_path_is_an_input_error(spark, delivery):
    import job

    with pytest.raises(job.InputError, match="--flights_path .*/nowhere does not exist"):
        run_job(delivery, flights=delivery / "nowhere")
    with pytest.raises(job.InputError, match="--airports_path .*/nowhere does not exist"):
        run_job(delivery, airports=delivery / "nowhere")
    (delivery / "no-airports").mkdir()
    with pytest.raises(job.InputError, match="--airports_path .*/no-airports holds no CSV file"):
        run_job(delivery, airports=delivery / "no-airports")


def test_the_entry_script_reports_a_missing_path_in_one_line(delivery):
    env = dict(os.environ)
    env["PYSPARK_SUBMIT_ARGS"] = "--master local[1] --conf spark.ui.enabled=false pyspark-shell"
    result = subprocess.run(
        [
            sys.executable, str(JOB_DIR / "job.py"),
            "--flights_path", str(delivery / "nowhere"),
            "--airports_path", str(delivery / "raw" / "airports"),
            "--output_path", str(delivery / "processed"),
        ],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: --flights_path {delivery / 'nowhere'} does not exist"]
    assert not (delivery / "processed").exists()
