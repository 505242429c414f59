"""The entry script's Glue path, with the test-only `awsglue` stand-in, on small files.

The catalog tables are the stand-in's: each run is handed the files a job
bookmark would hand it (all of Q1 first, then only April's new folder).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

import options
from conftest import read_back_digests

FILES = {
    "year=2001/month=01/a.csv": [
        "2001-01-10 09:00:00,10,300,AAA,BBB",
        "2001-01-10 09:00:00,10,300,AAA,BBB",
        "2001-01-11 09:00:00,n/a,300,AAA,BBB",
    ],
    "year=2001/month=03/c.csv": [
        "2001-03-14 09:00:00,30,300,AAA,BBB",
        "2001-03-15 10:00:00,5,300,BBB,AAA",
        "bad-date,5,300,AAA,BBB",
    ],
    "year=2001/month=04/d.csv": [
        "2001-04-11 09:00:00,40,300,AAA,BBB",
        "2001-04-12 10:00:00,0,300,BBB,ZZZ",
    ],
}
AIRPORTS_CSV = "iata,name,city,state,country,latitude,longitude\nAAA,Alpha,Alpha,CA,USA,34.5,-118.25\nBBB,Beta,Beta,NY,USA,40.75,-73.5\n"


@pytest.fixture
def raw(tmp_path):
    root = tmp_path / "raw"
    for name, lines in FILES.items():
        path = root / "flights" / name
        path.parent.mkdir(parents=True)
        path.write_text("date,delay,distance,origin,destination\n" + "\n".join(lines) + "\n")
    (root / "airports").mkdir()
    (root / "airports" / "airports.csv").write_text(AIRPORTS_CSV)
    return root


def register(glue, raw: Path, months: list[str]) -> None:
    """Crawler-like tables: partition columns as strings, distance typed as a number."""
    flights_root = str(raw / "flights")

    def flights(spark):
        folders = [f"{flights_root}/year=2001/month={m}" for m in months]
        df = spark.read.option("header", True).option("basePath", flights_root).csv(folders)
        return df.select(
            "date", "delay", F.col("distance").cast("bigint").alias("distance"), "origin", "destination",
            F.format_string("%02d", "year").alias("year"), F.format_string("%02d", "month").alias("month"),
        )

    def airports(spark):
        return spark.read.option("header", True).csv(str(raw / "airports"))

    glue.CATALOG[("flights_db", "flights")] = flights
    glue.CATALOG[("flights_db", "airports")] = airports


def argv(out: Path) -> list[str]:
    return [
        "job.py", "--JOB_NAME", "flights-features-test", "--job-bookmark-option", "job-bookmark-enable",
        "--database", "flights_db", "--output_path", str(out),
    ]


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


def visible_files(out: Path) -> list[str]:
    """The output's files as a run manifest lists them: not the reports or run manifests, nor hidden ones."""
    found = [p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and not p.name.startswith((".", "_"))]
    return [f for f in found if not f.startswith(("reports/", "manifests/runs/"))]


def partitions(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.glob("year=*/quarter=*"))


def csv_rows(folder: Path) -> list[dict[str, str]]:
    (single,) = [p for p in folder.iterdir() if p.name.endswith(".csv")]
    with single.open(newline="") as handle:
        return list(csv.DictReader(handle))


def assert_digests_on_disk(spark, out: Path, manifest: dict) -> None:
    """The manifest's table digests are those of the rows its tables hold on disk (conftest.read_back_digests)."""
    tables = manifest["outputs"]["tables"]
    quarters = [(q["year"], q["quarter"]) for q in manifest["recomputed_quarters"]]
    on_disk = read_back_digests(spark, out, list(dict.fromkeys(t["table"] for t in tables)), quarters)
    assert on_disk == (tables, manifest["outputs"]["table_digests"])


def test_glue_runs_are_incremental_and_reruns_replace_only_their_quarters(spark, fake_glue, raw, tmp_path, capsys):
    import job

    out = tmp_path / "processed"

    # Run 1: Q1 (January and March).
    register(fake_glue, raw, ["01", "03"])
    first = job.main(argv(out))

    assert fake_glue.CALLS[0] == ("init", "flights-features-test", {"JOB_NAME": "flights-features-test"})
    reads = [c for c in fake_glue.CALLS if c[0] == "from_catalog"]
    assert reads == [
        ("from_catalog", "flights_db", "flights", "read_flights"),  # bookmarked
        ("from_catalog", "flights_db", "airports", ""),             # read whole every run
    ]
    assert fake_glue.CALLS[-1] == ("commit",)
    assert first["source"]["mode"] == "catalog"
    assert first["rows"] == {"read": 6, "written": 3, "rejected": 3}
    assert {k: v for k, v in first["rejected_by_reason"].items() if v} == {
        "duplicate": 1, "non_numeric_delay": 1, "unparseable_timestamp": 1,
    }
    assert json.loads((out / "reports" / "run_report.json").read_text()) == first
    printed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("RUN_REPORT ")]
    assert [json.loads(line[len("RUN_REPORT "):]) for line in printed] == [first]
    assert partitions(out / "features") == ["year=2001/quarter=1"]
    q1_features = snapshot(out / "features" / "year=2001" / "quarter=1")
    q1_rejected = snapshot(out / "rejected" / "year=2001" / "quarter=1")

    # Run 2: a bookmark hands over April's new folder only.
    fake_glue.reset()
    register(fake_glue, raw, ["04"])
    second = job.main(argv(out))
    assert second["rows"] == {"read": 2, "written": 1, "rejected": 1}
    assert [(q["year"], q["quarter"]) for q in second["quarters"]] == [(2001, 2)]
    assert partitions(out / "features") == ["year=2001/quarter=1", "year=2001/quarter=2"]
    assert snapshot(out / "features" / "year=2001" / "quarter=1") == q1_features
    assert snapshot(out / "rejected" / "year=2001" / "quarter=1") == q1_rejected

    # The run manifest of run 2 lists every file of the output, and hashed only what it wrote:
    # what it left alone (Q1's partitions) keeps run 1's record, run 1's id among it.
    manifests = [json.loads(Path(d["outputs"]["run_manifest"]).read_text()) for d in (first, second)]
    earlier = {f["key"]: f for f in manifests[0]["outputs"]["files"]}
    files = manifests[1]["outputs"]["files"]
    assert sorted(f["key"] for f in files) == sorted(visible_files(out))
    left_alone = [f for f in files if "/year=2001/quarter=1/" in f["key"]]
    written = [f for f in files if "/year=2001/quarter=2/" in f["key"] or "/csv/" in f["key"] or f["key"].startswith("manifests/")]
    assert left_alone and written and len(left_alone) + len(written) == len(files)
    assert all(f == earlier[f["key"]] for f in left_alone)
    assert {f["run_id"] for f in written} == {manifests[1]["run_id"]} != {manifests[0]["run_id"]}
    assert {(t["year"], t["quarter"]) for t in manifests[1]["outputs"]["tables"]} == {(2001, 2)}
    assert_digests_on_disk(spark, out, manifests[1])

    # Q2's features come from Q1's aggregates, read back from the stored Parquet.
    features = spark.read.parquet(str(out / "features"))
    q2 = features.where("quarter = 2").collect()
    assert [(r.route, r.route_prev_quarter_flights, r.route_prev_quarter_mean_delay) for r in q2] == [("AAA-BBB", 2, 20.0)]
    route_csv = csv_rows(out / "aggregates" / "route_quarter" / "csv")
    assert sorted((r["year"], r["quarter"], r["route"], r["flights"]) for r in route_csv) == [
        ("2001", "1", "AAA-BBB", "2"), ("2001", "1", "BBB-AAA", "1"), ("2001", "2", "AAA-BBB", "1"),
    ]

    # Run 3: the same input again changes nothing.
    fake_glue.reset()
    register(fake_glue, raw, ["04"])
    third = job.main(argv(out))
    assert third["rows"] == second["rows"]
    # Q2 has history now: its delivered/ rows are written, not moved, and digested as written.
    assert_digests_on_disk(spark, out, json.loads(Path(third["outputs"]["run_manifest"]).read_text()))
    assert spark.read.parquet(str(out / "features")).count() == 4
    assert spark.read.parquet(str(out / "rejected")).groupBy("reject_reason").count().orderBy("reject_reason").collect() == [
        ("duplicate", 1), ("non_numeric_delay", 1), ("unknown_destination", 1), ("unparseable_timestamp", 1),
    ]
    assert snapshot(out / "features" / "year=2001" / "quarter=1") == q1_features
    assert [(r.route_prev_quarter_flights,) for r in spark.read.parquet(str(out / "features")).where("quarter = 2").collect()] == [(2,)]
    for name in ("route_quarter", "origin_hour", "day_of_week"):
        stored = spark.read.parquet(str(out / "aggregates" / name / "parquet"))
        assert stored.groupBy("year", "quarter").count().count() == 2
        assert stored.count() == len(csv_rows(out / "aggregates" / name / "csv"))


def test_a_bookmarked_read_with_nothing_new_writes_nothing_and_commits(spark, fake_glue, raw, tmp_path):
    import job

    register(fake_glue, raw, ["01"])
    fake_glue.CATALOG[("flights_db", "flights")] = lambda s: s.createDataFrame([], StructType([]))
    out = tmp_path / "processed"
    document = job.main(argv(out))
    assert document["rows"] == {"read": 0, "written": 0, "rejected": 0}
    assert not (out / "features").exists()
    assert (out / "reports" / "run_report.json").exists()
    assert fake_glue.CALLS[-1] == ("commit",)


def test_a_failing_run_does_not_commit(spark, fake_glue, raw, tmp_path):
    import job

    register(fake_glue, raw, ["01"])
    fake_glue.CATALOG[("flights_db", "flights")] = lambda s: s.createDataFrame([("x",)], "date string")
    with pytest.raises(ValueError, match="lack columns"):
        job.main(argv(tmp_path / "processed"))
    assert ("commit",) not in fake_glue.CALLS


def test_paths_mode_on_glue_reads_the_paths_not_the_catalog(spark, fake_glue, raw, tmp_path):
    import job

    out = tmp_path / "processed"
    document = job.main([
        "job.py", "--JOB_NAME", "j", "--database", "flights_db", "--output_path", str(out),
        "--flights_path", str(raw / "flights"), "--airports_path", str(raw / "airports"),
    ])
    assert not [c for c in fake_glue.CALLS if c[0] == "from_catalog"]
    assert document["source"]["mode"] == "paths"
    assert document["rows"] == {"read": 8, "written": 4, "rejected": 4}
    assert fake_glue.CALLS[-1] == ("commit",)


def test_without_awsglue_the_catalog_cannot_be_read(monkeypatch):
    import job
    import runtime

    monkeypatch.setattr(runtime, "glue_modules", lambda: None)
    with pytest.raises(options.OptionsError, match="--flights_path"):
        job.main(["job.py", "--database", "d", "--output_path", "/tmp/never"])
