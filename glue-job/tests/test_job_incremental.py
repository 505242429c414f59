"""Bookmarked runs over deliveries in parts end where one run over everything ends.

Through the Glue path (the test-only `awsglue` stand-in): each run is handed
only the files a bookmark would hand it. For several splits of the same files
into successive deliveries, the feature table, the quarantine and every
aggregate (Parquet and CSV) must equal those of a single run over all files.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import functions as F

import drift

HEADER = "date,delay,distance,origin,destination\n"
FILES = {
    "a": ("year=2001/month=01/a.csv", [
        "2001-01-10 09:00:00,10,300,AAA,BBB",
        "2001-01-10 09:00:00,10,300,AAA,BBB",   # duplicate within the file
        "2001-01-11 09:00:00,30,300,AAA,BBB",
        "bad-date,5,300,AAA,BBB",               # unparseable: quarter of its folder
        "2001-01-12 10:00:00,50,300,BBB,AAA",
    ]),
    "b": ("year=2001/month=02/b.csv", [
        "2001-02-14 09:00:00,20,300,AAA,BBB",
        "2001-02-15 10:00:00,-5,300,BBB,AAA",
        "2001-01-11 09:00:00,30,300,AAA,BBB",   # a row of a.csv again
    ]),
    "c": ("year=2001/month=04/c.csv", [
        "2001-04-11 09:00:00,40,300,AAA,BBB",
        "2001-05-12 10:00:00,0,300,BBB,AAA",
        "2001-06-01 09:00:00,n/a,300,AAA,BBB",
    ]),
    "d": ("year=2001/month=07/d.csv", [       # the first part of Q3
        "2001-07-03 09:00:00,15,300,AAA,BBB",
        "2001-07-04 10:00:00,25,300,BBB,AAA",
        "bad-date,5,300,AAA,BBB",               # a.csv's unparseable row, in another quarter's folder
    ]),
    "e": ("year=2001/month=08/e.csv", [       # the rest of Q3
        "2001-08-15 09:00:00,60,300,AAA,BBB",
        "2001-09-01 10:00:00,35,300,BBB,AAA",
        "2001-01-10 09:00:00,10,300,AAA,BBB",   # a Q1 row of a.csv, delivered late in a Q3 folder
        "2001-02-14 09:00:00,20,300,AAA,BBB",   # b.csv's first row again
    ]),
}
AIRPORTS_CSV = "iata,name,city,state,country,latitude,longitude\nAAA,Alpha,Alpha,CA,USA,34.5,-118.25\nBBB,Beta,Beta,NY,USA,40.75,-73.5\n"
AGGREGATES = ("route_quarter", "origin_hour", "day_of_week")


def write_raw(root: Path) -> Path:
    for relative, lines in FILES.values():
        path = root / "flights" / relative
        path.parent.mkdir(parents=True)
        path.write_text(HEADER + "\n".join(lines) + "\n")
    (root / "airports").mkdir()
    (root / "airports" / "airports.csv").write_text(AIRPORTS_CSV)
    return root


@pytest.fixture
def raw(tmp_path):
    """FILES of this test's own, which it may change (a file delivered again)."""
    return write_raw(tmp_path / "raw")


@pytest.fixture(scope="module")
def untouched_raw(tmp_path_factory):
    """FILES for the tests that change none of them, so that their runs can be shared.

    The rows a run writes name the files they came from, so a run stands in for
    another only over the same files: see shared.
    """
    return write_raw(tmp_path_factory.mktemp("untouched") / "raw")


class Shared:
    """What the tests over untouched_raw compute alike, computed by the first that needs it."""

    def __init__(self) -> None:
        self._found: dict[str, Any] = {}

    def once(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._found:
            self._found[key] = compute()
        return self._found[key]


@pytest.fixture(scope="module")
def shared(untouched_raw) -> Shared:
    return Shared()


def deliver(glue, raw: Path, names: str) -> None:
    """Catalog tables as a bookmark hands them over: only the files `names` (letters of FILES)."""
    flights_root = str(raw / "flights")
    files = [f"{flights_root}/{FILES[name][0]}" for name in names]

    def flights(spark):
        df = spark.read.option("header", True).option("basePath", flights_root).csv(files)
        return df.select(
            "date", "delay", F.col("distance").cast("bigint").alias("distance"), "origin", "destination",
            F.format_string("%02d", "year").alias("year"), F.format_string("%02d", "month").alias("month"),
        )

    glue.reset()
    glue.CATALOG[("flights_db", "flights")] = flights
    glue.CATALOG[("flights_db", "airports")] = lambda spark: spark.read.option("header", True).csv(str(raw / "airports"))


def run_deliveries(glue, raw: Path, out: Path, deliveries: list[str]) -> list[dict]:
    import job

    reports = []
    for names in deliveries:
        deliver(glue, raw, names)
        reports.append(job.main([
            "job.py", "--JOB_NAME", "incremental-test", "--database", "flights_db", "--output_path", str(out),
        ]))
    return reports


def csv_rows(folder: Path) -> list[tuple[str, ...]]:
    (single,) = [p for p in folder.iterdir() if p.name.endswith(".csv")]
    with single.open(newline="") as handle:
        return sorted(tuple(row) for row in csv.reader(handle))


def outputs(spark, out: Path) -> dict[str, list]:
    def table(path: Path) -> list[tuple]:
        df = spark.read.parquet(str(path))
        return sorted((tuple(r) for r in df.select(*sorted(df.columns)).collect()), key=repr)

    found = {"features": table(out / "features"), "rejected": table(out / "rejected")}
    # Means are sums of doubles, whose order may differ between runs: compared to 1e-9.
    found["drift"] = sorted(
        (
            (r["year"], r["quarter"], r["feature"], r["rows"], r["nulls"], r["distinct"], tuple(r["bins"] or ()),
             None if r["mean"] is None else round(r["mean"], 9), r["min"], r["max"],
             *(r[drift.quantile_column(p)] for p in drift.QUANTILES),
             None if r["psi"] is None else round(r["psi"], 9), r["against_year"], r["against_quarter"])
            for r in spark.read.parquet(str(out / "drift")).collect()
        ),
        key=repr,
    )
    for name in AGGREGATES:
        found[f"{name} parquet"] = table(out / "aggregates" / name / "parquet")
        found[f"{name} csv"] = csv_rows(out / "aggregates" / name / "csv")
    return found


SPLITS = [
    ["acd", "be"],         # a late Q1 file after Q2 is done; Q3 in two parts; rows of a.csv again in b and e
    ["be", "acd"],         # the earlier-named file arrives later: stored rows become the duplicates
    ["c", "a", "db", "e"],  # four runs, Q3 before and after the Q1 files
]


def test_any_split_into_deliveries_ends_as_one_run_over_all(spark, fake_glue, raw, tmp_path):
    (whole,) = run_deliveries(fake_glue, raw, tmp_path / "whole", ["abcde"])
    expected = outputs(spark, tmp_path / "whole")
    assert whole["rows"]["read"] == sum(len(lines) for _, lines in FILES.values())
    assert {k: v for k, v in whole["rejected_by_reason"].items() if v} == {
        "duplicate": 5, "unparseable_timestamp": 1, "non_numeric_delay": 1,
    }

    for index, deliveries in enumerate(SPLITS):
        out = tmp_path / f"split-{index}"
        reports = run_deliveries(fake_glue, raw, out, deliveries)
        got = outputs(spark, out)
        for part in expected:
            assert got[part] == expected[part], f"{deliveries}: {part}"
        # each run reports the rows it was handed, once
        assert sum(r["rows"]["read"] for r in reports) == whole["rows"]["read"]


def test_a_file_delivered_again_replaces_its_earlier_version(spark, fake_glue, raw, tmp_path):
    out = tmp_path / "processed"
    run_deliveries(fake_glue, raw, out, ["abc"])
    # b.csv comes again, corrected: one row fixed, one dropped
    relative, _ = FILES["b"]
    (raw / "flights" / relative).write_text(HEADER + "2001-02-14 09:00:00,21,300,AAA,BBB\n2001-02-15 10:00:00,-5,300,BBB,AAA\n")
    again = run_deliveries(fake_glue, raw, out, ["b"])[0]
    assert again["rows"]["read"] == 2

    reference = tmp_path / "reference"
    run_deliveries(fake_glue, raw, reference, ["abc"])
    assert outputs(spark, out) == outputs(spark, reference)


def test_a_quarter_a_file_delivered_again_no_longer_has_leaves_every_output(spark, fake_glue, raw, tmp_path):
    out = tmp_path / "processed"
    run_deliveries(fake_glue, raw, out, ["ac"])
    assert (out / "features" / "year=2001" / "quarter=2").is_dir()
    assert (out / "rejected" / "year=2001" / "quarter=2").is_dir()
    # c.csv comes again with its one flight dated in Q1: Q2 has nothing left
    relative, _ = FILES["c"]
    (raw / "flights" / relative).write_text(HEADER + "2001-03-30 09:00:00,40,300,AAA,BBB\n")
    again = run_deliveries(fake_glue, raw, out, ["c"])[0]
    assert again["recomputed_quarters"] == [{"year": 2001, "quarter": 1}, {"year": 2001, "quarter": 2}]

    reference = tmp_path / "reference"
    run_deliveries(fake_glue, raw, reference, ["ac"])
    assert outputs(spark, out) == outputs(spark, reference)
    for table in ("features", "rejected", "delivered", "aggregates/route_quarter/parquet"):
        assert not (out / table / "year=2001" / "quarter=2").exists(), table


def test_a_delivery_reads_only_the_quarters_it_rewrites(spark, fake_glue, raw, tmp_path, monkeypatch):
    out = tmp_path / "processed"
    run_deliveries(fake_glue, raw, out, ["abc"])
    # Q1's delivered rows become unreadable: a run over Q3 alone must not open them.
    for part in (out / "delivered" / "year=2001" / "quarter=1").iterdir():
        part.write_bytes(b"not parquet")
    relative = "year=2001/month=09/f.csv"
    monkeypatch.setitem(FILES, "f", (relative, ["2001-09-02 09:00:00,12,300,AAA,BBB", "2001-09-03 10:00:00,-1,300,BBB,AAA"]))
    (raw / "flights" / relative).parent.mkdir(parents=True)
    (raw / "flights" / relative).write_text(HEADER + "\n".join(FILES["f"][1]) + "\n")
    (report,) = run_deliveries(fake_glue, raw, out, ["f"])
    assert report["recomputed_quarters"] == [{"year": 2001, "quarter": 3}]

    reference = tmp_path / "reference"
    run_deliveries(fake_glue, raw, reference, ["abcf"])
    assert outputs(spark, out) == outputs(spark, reference)


@pytest.mark.parametrize("damage", ["index removed", "index marked stale"])
def test_an_index_that_is_missing_or_stale_is_rebuilt_from_the_delivered_rows(spark, fake_glue, untouched_raw, shared, tmp_path, damage):
    raw = untouched_raw
    out = tmp_path / "processed"
    run_deliveries(fake_glue, raw, out, ["ac"])
    index = out / "delivered" / "_index"
    if damage == "index removed":  # as an output written before the index existed
        shutil.rmtree(index)
    else:  # as a run stopped between delivered/ and its index: the index lost a quarter
        shutil.rmtree(index / "undated" / "year=2001" / "quarter=1")
        (index / "_STALE").write_text("")
    # d.csv holds a.csv's undated row: only the index can tell this Q3 run about it.
    run_deliveries(fake_glue, raw, out, ["d"])

    def reference() -> dict[str, list]:
        folder = tmp_path / "reference"
        run_deliveries(fake_glue, raw, folder, ["acd"])
        return outputs(spark, folder)

    assert outputs(spark, out) == shared.once("one run over acd", reference)
    assert not (index / "_STALE").exists()


def delivered_rows(spark, out: Path) -> tuple[list[str], list[tuple]]:
    df = spark.read.parquet(str(out / "delivered"))
    return df.columns, sorted((tuple(r) for r in df.select(*sorted(df.columns)).collect()), key=repr)


def _delivered_quarters(df) -> list[tuple[int, int]]:
    return sorted({(r.year, r.quarter) for r in df.select("year", "quarter").distinct().collect()})


def a_then_bc(fake_glue, raw: Path, out: Path) -> dict[str, list]:
    """Deliveries a, then bc, into `out`, as the job runs them, seen from inside: per run, the
    quarters of each write of delivered/, and the rows of each classified working copy."""
    import job

    seen: dict[str, list] = {"delivered writes": [], "classified copies": []}
    write, staged = job._write_partitioned, job._staged

    def recording_write(df, path):
        if path.rstrip("/").endswith("delivered"):
            seen["delivered writes"][-1].append(_delivered_quarters(df))
        write(df, path)

    def recording_staged(spark, df, path):
        copy = staged(spark, df, path)
        seen["classified copies"].append(copy.collect())  # the working copies are gone when the run returns
        return copy

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(job, "_write_partitioned", recording_write)
        patch.setattr(job, "_staged", recording_staged)
        for names in ("a", "bc"):
            seen["delivered writes"].append([])
            run_deliveries(fake_glue, raw, out, [names])
    return seen


def shared_a_then_bc(shared: Shared, fake_glue, raw: Path, tmp_path_factory) -> tuple[Path, dict[str, list]]:
    """a_then_bc over untouched_raw, run once for the tests that look at it."""
    def compute() -> tuple[Path, dict[str, list]]:
        out = tmp_path_factory.mktemp("a-then-bc") / "processed"
        return out, a_then_bc(fake_glue, raw, out)

    return shared.once("a, then bc", compute)


def test_a_quarter_without_history_is_delivered_by_moving_the_new_rows(
    spark, fake_glue, untouched_raw, shared, tmp_path, tmp_path_factory, monkeypatch
):
    import job
    import storage

    out, seen = shared_a_then_bc(shared, fake_glue, untouched_raw, tmp_path_factory)
    after_a, after_bc = seen["delivered writes"]
    assert after_a == []  # a fresh output: the rows' Parquet is written once, in the working copy
    assert after_bc == [[(2001, 1)]]  # Q1 holds a.csv's rows; Q2 has no history

    # The same rows and columns as when every quarter is written from the classified rows.
    rewritten = []
    write = job._write_partitioned

    def recording(df, path):
        if path.rstrip("/").endswith("delivered"):
            rewritten.append(_delivered_quarters(df))
        write(df, path)

    monkeypatch.setattr(job, "_write_partitioned", recording)
    monkeypatch.setattr(storage, "same_file_system", lambda spark, first, second: False)
    reference = tmp_path / "reference"
    run_deliveries(fake_glue, untouched_raw, reference, ["a", "bc"])
    assert rewritten == [[(2001, 1)], [(2001, 1), (2001, 2)]]
    assert delivered_rows(spark, out) == delivered_rows(spark, reference)
    assert outputs(spark, out) == outputs(spark, reference)


def test_the_classified_copy_holds_the_raw_values_only_where_they_are_read(spark, fake_glue, untouched_raw, shared, tmp_path_factory):
    _, seen = shared_a_then_bc(shared, fake_glue, untouched_raw, tmp_path_factory)
    fresh, delivery = seen["classified copies"]

    def raw_values(rows, quarter):
        # (used, holds its raw values) of every row of the quarter
        return {(r.reject_reason is None, r.date is not None and r.row_order is not None)
                for r in rows if (r.year, r.quarter) == quarter}

    # A used row of a moved quarter is read for its features alone; rejected
    # rows keep theirs for rejected/, and a quarter with history for delivered/.
    assert raw_values(fresh, (2001, 1)) == {(True, False), (False, True)}
    assert raw_values(delivery, (2001, 1)) == {(True, True), (False, True)}
    assert raw_values(delivery, (2001, 2)) == {(True, False), (False, True)}
