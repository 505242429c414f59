"""The real entry script, run as a plain local pyspark program, over one real month of rawdata/.

Expected figures come from an independent, plain-Python reading of the same
gzip CSV file, applying the documented rules row by row.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import transforms
from conftest import JOB_DIR, REPO_ROOT

MONTH = REPO_ROOT / "rawdata" / "flights" / "year=2001" / "month=01"
AIRPORTS = REPO_ROOT / "rawdata" / "airports" / "airports.csv"
AGGREGATES = ("route_quarter", "origin_hour", "day_of_week")
# Plain decimal numbers, as documented in transforms.py (ASCII digits only).
PLAIN_DECIMAL = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*", re.ASCII)


def expected_outcomes(flight_files: list[Path], airports_csv: Path) -> tuple[dict[str, int], dict[str, dict]]:
    """Rows per outcome, and per aggregate the 90th percentile delay (nearest rank) of each group."""
    with airports_csv.open(newline="") as handle:
        codes = {row["iata"].strip() for row in csv.DictReader(handle)}

    def number(text: str | None) -> float | None:
        # may be infinite: a plain decimal too large for a double
        return float(text) if text is not None and PLAIN_DECIMAL.fullmatch(text) else None

    def timestamp(text: str) -> dt.datetime | None:
        for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
            try:
                return dt.datetime.strptime(text.strip(), pattern)
            except ValueError:
                pass
        return None

    outcomes = {"used": 0, **{reason: 0 for reason in transforms.REASONS}}
    delays: dict[str, dict[tuple, list[int]]] = {name: {} for name in AGGREGATES}
    seen: set[tuple[str, ...]] = set()
    for path in flight_files:
        with gzip.open(path, "rt", newline="") as handle:
            for row in csv.DictReader(handle):
                record = tuple(row[c] for c in transforms.RAW_FLIGHT_COLUMNS)
                delay, distance = number(row["delay"]), number(row["distance"])
                departure = timestamp(row["date"])
                if None in row or None in row.values():  # more or fewer fields than the header
                    outcomes["wrong_column_count"] += 1
                    continue
                if record in seen:
                    reason = "duplicate"
                elif departure is None:
                    reason = "unparseable_timestamp"
                elif delay is None or (math.isfinite(delay) and delay != int(delay)):
                    reason = "non_numeric_delay"
                elif not -120 <= delay <= 1440:
                    reason = "absurd_delay"
                elif distance is None or not math.isfinite(distance):
                    reason = "non_numeric_distance"
                elif distance <= 0:
                    reason = "non_positive_distance"
                elif row["origin"].strip() not in codes:
                    reason = "unknown_origin"
                elif row["destination"].strip() not in codes:
                    reason = "unknown_destination"
                else:
                    reason = "used"
                    origin, destination = row["origin"].strip(), row["destination"].strip()
                    for name, key in (("route_quarter", (f"{origin}-{destination}",)),
                                      ("origin_hour", (origin, departure.hour)),
                                      ("day_of_week", (departure.isoweekday(),))):
                        delays[name].setdefault(key, []).append(int(delay))
                seen.add(record)
                outcomes[reason] += 1
    p90 = {
        name: {key: sorted(d)[-(-9 * len(d) // 10) - 1] for key, d in groups.items()}
        for name, groups in delays.items()
    }
    return outcomes, p90


@pytest.fixture(scope="module")
def january_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    flights_dir = root / "raw" / "flights" / "year=2001" / "month=01"
    flights_dir.mkdir(parents=True)
    for source in MONTH.glob("*.csv.gz"):
        shutil.copy(source, flights_dir / source.name)
    (root / "raw" / "airports").mkdir()
    shutil.copy(AIRPORTS, root / "raw" / "airports" / "airports.csv")
    out = root / "processed"

    env = dict(os.environ)
    env["PYSPARK_SUBMIT_ARGS"] = (
        "--master local[2] --driver-memory 2g --conf spark.sql.shuffle.partitions=4 "
        "--conf spark.ui.enabled=false --conf spark.ui.showConsoleProgress=false pyspark-shell"
    )
    with subprocess.Popen(
        [
            sys.executable, str(JOB_DIR / "job.py"),
            "--flights_path", str(root / "raw" / "flights"),
            "--airports_path", str(root / "raw" / "airports"),
            "--output_path", str(out),
        ],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as process, ThreadPoolExecutor(max_workers=1) as pool:
        # The independent reading runs while the job does (it reads the same files, never the job's
        # output): the job's first step reads the gzip file with one task, which leaves a core free.
        # A thread drains the job's output meanwhile, so that a full pipe never stalls it.
        finished = pool.submit(process.communicate, timeout=900)
        try:
            expected, p90 = expected_outcomes(sorted(flights_dir.glob("*.csv.gz")), AIRPORTS)
            stdout, stderr = finished.result()
        except BaseException:
            process.kill()
            raise
    assert process.returncode == 0, stderr[-4000:]
    return out, stdout, expected, p90


def test_counts_add_up_and_match_an_independent_reading(january_run):
    out, stdout, expected, _ = january_run
    report_lines = [line for line in stdout.splitlines() if line.startswith("RUN_REPORT ")]
    assert len(report_lines) == 1
    printed = json.loads(report_lines[0][len("RUN_REPORT "):])
    stored = json.loads((out / "reports" / "run_report.json").read_text())
    assert printed == stored
    assert [p.name.startswith("run_report-") for p in (out / "reports").glob("run_report-*.json")] == [True]

    total = sum(expected.values())
    assert total > 500_000
    assert stored["rows"] == {"read": total, "written": expected["used"], "rejected": total - expected["used"]}
    assert stored["rows"]["read"] == stored["rows"]["written"] + stored["rows"]["rejected"]
    assert stored["rejected_by_reason"] == {r: expected[r] for r in transforms.REASONS}
    assert expected["duplicate"] > 0 and expected["absurd_delay"] > 0  # the real data has both
    assert stored["quarters"] == [
        {"year": 2001, "quarter": 1, "read": total, "written": expected["used"],
         "rejected": total - expected["used"], "rejected_by_reason": stored["rejected_by_reason"]}
    ]
    assert stored["source"]["mode"] == "paths"


def test_feature_table_and_quarantine_on_disk(spark, january_run):
    out, _, expected, _ = january_run
    assert sorted(str(p.relative_to(out / "features")) for p in (out / "features").glob("*/*")) == ["year=2001/quarter=1"]
    files = [p for p in (out / "features").rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert files and all(p.name.endswith(".snappy.parquet") for p in files)

    features = spark.read.parquet(str(out / "features"))
    assert features.columns == transforms.feature_table_columns()
    assert features.count() == expected["used"]
    first_quarter = features.where(
        " OR ".join(f"{c} IS NOT NULL" for c in transforms.previous_quarter_columns())
    )
    assert first_quarter.count() == 0  # nothing before the first quarter
    assert features.where(" OR ".join(f"{c} IS NULL" for c in transforms.FLIGHT_FEATURE_COLUMNS)).count() == 0
    assert {tuple(r) for r in features.select("year", "quarter", "month").distinct().collect()} == {(2001, 1, 1)}

    rejected = spark.read.parquet(str(out / "rejected"))
    by_reason = {r["reject_reason"]: r["count"] for r in rejected.groupBy("reject_reason").count().collect()}
    assert by_reason == {r: n for r, n in expected.items() if r != "used" and n}


def test_aggregates_csv_and_manifests(spark, january_run):
    out, _, expected, _ = january_run
    for name in AGGREGATES:
        parquet = spark.read.parquet(str(out / "aggregates" / name / "parquet"))
        assert sorted(str(p.relative_to(out / "aggregates" / name / "parquet"))
                      for p in (out / "aggregates" / name / "parquet").glob("*/*")) == ["year=2001/quarter=1"]
        assert parquet.agg({"flights": "sum"}).first()[0] == expected["used"]

        csv_dir = out / "aggregates" / name / "csv"
        visible = [p for p in csv_dir.iterdir() if not p.name.startswith(".")]
        assert len(visible) == 1 and visible[0].suffix == ".csv"  # no _SUCCESS marker
        with visible[0].open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert list(rows[0]) == ["year", "quarter", *transforms.AGGREGATE_KEYS[name], *transforms.MEASURES]
        assert len(rows) == parquet.count()
        assert sum(int(r["flights"]) for r in rows) == expected["used"]

        manifest = json.loads((out / "manifests" / f"{name}.json").read_text())
        assert manifest == {
            "fileLocations": [{"URIPrefixes": [f"{out}/aggregates/{name}/csv/"]}],
            "globalUploadSettings": {"format": "CSV", "delimiter": ",", "containsHeader": "true"},
        }
        assert Path(manifest["fileLocations"][0]["URIPrefixes"][0]).is_dir()

    report = json.loads((out / "reports" / "run_report.json").read_text())
    assert report["outputs"]["aggregates"]["route_quarter"]["manifest"] == f"{out}/manifests/route_quarter.json"
    assert report["outputs"]["features"] == f"{out}/features/"


def test_p90_matches_an_independent_computation(spark, january_run):
    # Thousands of groups, from one flight to about 75,000 (a day of week).
    out, _, _, p90 = january_run
    keys = {"route_quarter": ("route",), "origin_hour": ("origin", "hour"), "day_of_week": ("day_of_week",)}
    for name, columns in keys.items():
        stored = spark.read.parquet(str(out / "aggregates" / name / "parquet")).collect()
        assert {tuple(r[c] for c in columns): r.p90_delay for r in stored} == p90[name], name


def _catalog_tables() -> dict:
    """The catalog's tables of the job's output (glue-job/tables.json), which `up` defines in Glue."""
    return json.loads((JOB_DIR / "tables.json").read_text())


def test_catalog_tables_cover_every_parquet_output():
    names = {table["name"] for table in _catalog_tables()["tables"]}
    expected = {"features", "rejected", "drift", *(f"aggregates_{name}" for name in transforms.AGGREGATE_KEYS)}
    assert names == expected


def test_parquet_outputs_match_the_catalog_tables(spark, january_run):
    # The tables Athena reads are declared, not crawled: a column, a type or a partition key the
    # job writes differently from the declaration would break every query on that table.
    out = january_run[0]
    catalog = _catalog_tables()
    keys = [(key["name"], key["type"]) for key in catalog["partitionKeys"]]
    for table in catalog["tables"]:
        folder = out / table["path"]
        written = spark.read.parquet(str(folder)).schema
        columns = [(field.name, field.dataType.simpleString()) for field in written.fields]
        declared = [(column["name"], column["type"]) for column in table["columns"]]
        # Spark lists the partition columns, found from the folder names, after the data columns.
        assert columns == declared + keys, table["name"]
        partition_folders = sorted(p.relative_to(folder).as_posix() for p in folder.glob("*/*") if p.is_dir())
        assert partition_folders, table["name"]
        for relative in partition_folders:
            assert re.fullmatch(r"year=\d{4}/quarter=[1-4]", relative), (table["name"], relative)


def _named_query(spark, out: Path, name: str) -> list[dict]:
    """One of the named queries `up` saves in Athena (glue-job/queries.json), run by Spark SQL over the
    job's output, each catalog table a view of its Parquet under the name Athena knows it by."""
    for table in _catalog_tables()["tables"]:
        spark.read.parquet(str(out / table["path"])).createOrReplaceTempView(table["name"])
    queries = json.loads((JOB_DIR / "queries.json").read_text())["queries"]
    (query,) = [q for q in queries if q["name"] == name]
    return [row.asDict() for row in spark.sql("\n".join(query["sql"])).collect()]


def _delays_from_features(out: Path) -> tuple[dict[tuple, list[int]], dict[tuple, list[int]]]:
    """Each flight's delay by quarter and by (quarter, route), read from the features with pyarrow:
    not from the aggregates the queries read, and not by Spark."""
    import pyarrow.parquet as pq

    table = pq.read_table(out / "features", columns=["year", "quarter", "route", "delay_minutes"]).to_pydict()
    by_quarter: dict[tuple, list[int]] = {}
    by_route: dict[tuple, list[int]] = {}
    for year, quarter, route, delay in zip(table["year"], table["quarter"], table["route"], table["delay_minutes"], strict=True):
        by_quarter.setdefault((int(year), int(quarter)), []).append(delay)
        by_route.setdefault((int(year), int(quarter), route), []).append(delay)
    return by_quarter, by_route


def test_named_queries_answer_as_the_features_say(spark, january_run):
    # The report's questions as Athena is asked them: the SQL must run over the tables as the job
    # writes them, and give what the flights themselves say.
    out, _, expected, _ = january_run
    by_quarter, by_route = _delays_from_features(out)

    def delayed(delays: list[int]) -> float:
        return sum(d >= transforms.DELAYED_THRESHOLD_MINUTES for d in delays) / len(delays)

    per_quarter = _named_query(spark, out, "flights-per-quarter")
    assert [(a["year"], a["quarter"], a["flights"]) for a in per_quarter] == [(y, q, len(d)) for (y, q), d in sorted(by_quarter.items())]
    assert sum(a["flights"] for a in per_quarter) == expected["used"]
    for answer in per_quarter:
        delays = by_quarter[(answer["year"], answer["quarter"])]
        assert answer["mean_delay_minutes"] == pytest.approx(sum(delays) / len(delays), abs=0.005 + 1e-9)
        assert answer["share_delayed"] == pytest.approx(delayed(delays), abs=0.00005 + 1e-9)

    # The quarter the report's route chart shows: the latest with a tenth of the busiest's flights.
    busiest = max(len(d) for d in by_quarter.values())
    charted = max(key for key, d in by_quarter.items() if len(d) >= 0.1 * busiest)
    candidates = [(key[2], d) for key, d in by_route.items() if key[:2] == charted and len(d) >= 100]
    ranked = sorted(candidates, key=lambda c: (-sum(c[1]) / len(c[1]), -len(c[1]), c[0]))[:15]
    worst = _named_query(spark, out, "worst-routes")
    assert len(worst) == 15
    assert [(a["year"], a["quarter"], a["route"], a["flights"]) for a in worst] == [(*charted, route, len(d)) for route, d in ranked]
    for answer, (_, delays) in zip(worst, ranked, strict=True):
        assert answer["mean_delay_minutes"] == pytest.approx(sum(delays) / len(delays), abs=0.05 + 1e-9)
        assert answer["p90_delay_minutes"] == sorted(delays)[-(-9 * len(delays) // 10) - 1]
        assert answer["share_delayed"] == pytest.approx(delayed(delays), abs=0.0005 + 1e-9)


def test_the_run_manifest_of_a_local_run(january_run):
    # `python job.py` off Glue: a run id of its own, the local Spark, and the real month's bytes.
    out = january_run[0]
    raw = out.parent / "raw"
    report = json.loads((out / "reports" / "run_report.json").read_text())
    manifest = json.loads(Path(report["outputs"]["run_manifest"]).read_text())
    assert re.fullmatch(r"local-\d{8}T\d{6}Z-[0-9a-f]{8}", manifest["run_id"])
    assert report["outputs"]["run_manifest"] == f"{out}/manifests/runs/{manifest['run_id']}.json"
    assert manifest["runtime"]["platform"] == "local" and manifest["runtime"]["master"] == "local[2]"
    assert manifest["contract_sha256"] is None
    assert manifest["arguments"] == {
        "--airports_path": str(raw / "airports"), "--flights_path": str(raw / "flights"), "--output_path": str(out),
    }
    read = [("airports", raw / "airports" / "airports.csv"), *(("flights", p) for p in sorted((raw / "flights").rglob("*.csv.gz")))]
    assert [(i["table"], i["key"], i["size"], i["sha256"]) for i in manifest["inputs"]] == [
        (table, f"file:{p}", p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest()) for table, p in read
    ]
    assert (manifest["rows"], manifest["rejected_by_reason"]) == (report["rows"], report["rejected_by_reason"])
