"""The run manifest (run_manifest.py), through the Glue path on small files.

Two runs handed what a bookmark would hand them, Q1's files: run A, then, into
an empty output again, run C, which must record what run A recorded but for
the fields run_manifest.VARIES declares. (A run that carries the records of
the run before it: test_job_glue.py.) Glue's GetJobRun is answered by
botocore's Stubber, which holds each request and answer to Glue's own API model.
"""

from __future__ import annotations

import copy
import hashlib
import json
import platform
import re
import shutil
from pathlib import Path
from typing import Any

import boto3
import pyspark
import pytest
from botocore.stub import Stubber  # type: ignore[import-untyped]  # no stubs

import run_manifest
from conftest import JOB_DIR, read_back_digests
from test_job_glue import register

HEADER = "date,delay,distance,origin,destination\n"
FILES = {
    "year=2001/month=01/a.csv": [
        "2001-01-10 09:00:00,10,300,AAA,BBB",
        "2001-01-10 09:00:00,10,300,AAA,BBB",
        "2001-01-11 09:00:00,n/a,300,AAA,BBB",
        "2001-01-12 10:00:00,50,300,BBB,AAA",
    ],
    "year=2001/month=03/c.csv": [
        "2001-03-14 09:00:00,30,300,AAA,BBB",
        "2001-03-15 10:00:00,5,300,BBB,AAA",
        "bad-date,5,300,AAA,BBB",
    ],
    "year=2001/month=04/d.csv": [
        "2001-04-11 09:00:00,40,300,AAA,BBB",
        "2001-04-12 10:00:00,0,300,BBB,ZZZ",
        "2001-05-02 11:00:00,-3,300,BBB,AAA",
    ],
}
AIRPORTS_CSV = "iata,name,city,state,country,latitude,longitude\nAAA,Alpha,Alpha,CA,USA,34.5,-118.25\nBBB,Beta,Beta,NY,USA,40.75,-73.5\n"
JOB_NAME = "flights-features-test"
RUN_A, RUN_C = (f"jr_{letter * 64}" for letter in "ac")
CONTRACT = hashlib.sha256(b"a contract").hexdigest()
# Spark's file names: part-NNNNN-<the write's UUID>.cNNN.snappy.parquet, or -cNNN.csv
SPARK_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
JOB_RUN = {"GlueVersion": "5.0", "WorkerType": "G.1X", "NumberOfWorkers": 3, "ExecutionClass": "STANDARD"}


def deliver(glue, raw: Path, months: list[str]) -> None:
    """The catalog tables of a fresh Glue stub, as test_job_glue registers them."""
    glue.reset()
    register(glue, raw, months)


def stubbed_glue(run_id: str) -> Any:
    """A real Glue client whose one call, GetJobRun of this run, is checked and answered by Stubber."""
    client = boto3.client("glue", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    stubber = Stubber(client)
    stubber.add_response("get_job_run", {"JobRun": {"Id": run_id, "JobName": JOB_NAME, **JOB_RUN}}, {"JobName": JOB_NAME, "RunId": run_id})
    stubber.activate()
    return client


def run(monkeypatch, out: Path, run_id: str) -> dict[str, Any]:
    import job

    client = stubbed_glue(run_id)
    monkeypatch.setattr(run_manifest, "glue_client", lambda: client)
    document = job.main([
        "job.py", "--JOB_NAME", JOB_NAME, "--JOB_RUN_ID", run_id, "--job-bookmark-option", "job-bookmark-enable",
        "--database", "flights_db", "--output_path", str(out), "--contract_sha256", CONTRACT,
        "--db_password", "hunter2", "--api-token=s3cr3t", "--CLIENT_SECRET", "sesame",
    ])
    return document


def manifest_of(out: Path, run_id: str) -> dict[str, Any]:
    return json.loads((out / "manifests" / "runs" / f"{run_id}.json").read_text())


def listing(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, tuple[int, str]]:
    """Every visible file under `folder` by its path relative to it, less those under `skip`: its size and SHA-256."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_size, sha256(p))
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith((".", "_")) and not p.relative_to(folder).as_posix().startswith(skip)
    }


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def runs(spark, tmp_path_factory):
    """Runs A and C (see the module docstring), each with its manifest and a listing of its output as it stood."""
    root = tmp_path_factory.mktemp("run-manifest")
    raw = root / "raw"
    for name, lines in FILES.items():
        path = raw / "flights" / name
        path.parent.mkdir(parents=True)
        path.write_text(HEADER + "\n".join(lines) + "\n")
    (raw / "airports").mkdir()
    (raw / "airports" / "airports.csv").write_text(AIRPORTS_CSV)
    out = root / "processed"
    found: dict[str, Any] = {"raw": raw}
    # The fixtures the job's tests share are function-scoped; these runs stand on their own.
    with pytest.MonkeyPatch.context() as monkeypatch:
        import sys

        monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent / "glue_stub"))
        for name in [m for m in sys.modules if m == "awsglue" or m.startswith("awsglue.")]:
            monkeypatch.delitem(sys.modules, name)
        import awsglue.context as glue

        for run_id in (RUN_A, RUN_C):
            deliver(glue, raw, ["01", "03"])
            found[run_id] = (run(monkeypatch, out, run_id), manifest_of(out, run_id), listing(out, ("reports/", "manifests/runs/")))
            shutil.move(out, root / run_id)
        for name in [m for m in sys.modules if m == "awsglue" or m.startswith("awsglue.")]:
            del sys.modules[name]
    return found


def without_what_varies(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest less exactly the fields run_manifest.VARIES names."""
    kept = copy.deepcopy(manifest)
    for field in ("run_id", "started_at", "finished_at"):
        del kept[field]
    del kept["arguments"]["--JOB_RUN_ID"]
    files = []
    for entry in kept["outputs"]["files"]:
        del entry["modified"], entry["run_id"]
        entry["key"] = SPARK_UUID.sub("<uuid>", entry["key"])
        if entry["key"].startswith(run_manifest.FREE_ORDER):
            del entry["size"], entry["sha256"]
        files.append(entry)
    kept["outputs"]["files"] = sorted(files, key=lambda e: json.dumps(e, sort_keys=True))
    return kept


def test_two_runs_over_the_same_input_differ_only_in_what_varies(runs):
    _, first, _ = runs[RUN_A]
    _, again, _ = runs[RUN_C]
    assert first["run_id"] == RUN_A and again["run_id"] == RUN_C
    assert without_what_varies(first) == without_what_varies(again)
    # What is compared is there: the content of every table, and the bytes of the files written in an order of their own.
    (quarter,) = first["quarters"]
    tables = {t["table"]: t["rows"] for t in first["outputs"]["tables"]}
    assert (tables["features"], tables["rejected"], tables["delivered"]) == (quarter["written"], quarter["rejected"], quarter["read"])
    assert len(tables) == 7 and all(tables.values())
    ordered = [f for f in first["outputs"]["files"] if not f["key"].startswith(run_manifest.FREE_ORDER)]
    assert {f["key"].split("/", 1)[0] for f in ordered} == {"aggregates", "manifests", "drift"}


def test_the_manifest_names_every_file_read_and_every_file_left_with_its_checksum(runs):
    raw = runs["raw"]
    _, manifest, left = runs[RUN_A]
    read = {
        "flights": sorted(p for p in (raw / "flights").rglob("*.csv") if p.parent.name in ("month=01", "month=03")),
        "airports": [raw / "airports" / "airports.csv"],
    }
    assert [(i["table"], i["key"], i["size"], i["sha256"]) for i in manifest["inputs"]] == [
        (table, f"file:{p}", p.stat().st_size, sha256(p)) for table in sorted(read) for p in read[table]
    ]
    assert {f["key"]: (f["size"], f["sha256"]) for f in manifest["outputs"]["files"]} == left
    assert {f["run_id"] for f in manifest["outputs"]["files"]} == {RUN_A}


def test_what_ran_and_with_what(runs):
    report, manifest, _ = runs[RUN_A]
    assert report["outputs"]["run_manifest"].endswith(f"/manifests/runs/{RUN_A}.json")
    versions = {key: manifest["runtime"][key] for key in ("python_version", "spark_version")}
    assert manifest["runtime"] == {
        "platform": "glue", "glue_version": "5.0", "worker_type": "G.1X", "number_of_workers": 3, "execution_class": "STANDARD",
        **versions, "lookup_error": None,
    }
    assert versions == {"python_version": platform.python_version(), "spark_version": pyspark.__version__}
    assert manifest["contract_sha256"] == CONTRACT
    assert manifest["arguments"]["--database"] == "flights_db" and manifest["arguments"]["--JOB_RUN_ID"] == RUN_A
    text = json.dumps(manifest)
    for secret in ("hunter2", "s3cr3t", "sesame", "password", "token", "SECRET"):
        assert secret not in text
    files = sorted(p.name for p in JOB_DIR.glob("*.py"))
    assert sorted(manifest["script"]["files"]) == files  # every module of the job, none forgotten
    assert manifest["script"]["files"]["job.py"] == sha256(JOB_DIR / "job.py")
    listed = "".join(f"{sha256(JOB_DIR / name)}  {name}\n" for name in files)
    assert manifest["script"]["sha256"] == hashlib.sha256(listed.encode()).hexdigest()
    assert (manifest["rows"], manifest["quarters"]) == (report["rows"], report["quarters"])


def test_the_tables_count_what_is_on_disk(spark, runs):
    _, manifest, _ = runs[RUN_A]
    out = Path(manifest["output_path"])
    for table in ("features", "rejected", "aggregates/route_quarter/parquet", "delivered"):
        stored = spark.read.parquet(str(out.parent / RUN_A / table)).count()
        (entry,) = [t for t in manifest["outputs"]["tables"] if t["table"] == table]
        assert entry["rows"] == stored, table


def test_the_table_digests_are_those_of_the_rows_on_disk(spark, runs):
    # Taken while the rows were written; read back from the files here. Q1's delivered/ rows
    # were moved there from the first working copy, not written: their digest is the copy's.
    _, manifest, _ = runs[RUN_A]
    tables = manifest["outputs"]["tables"]
    quarters = [(q["year"], q["quarter"]) for q in manifest["recomputed_quarters"]]
    names = list(dict.fromkeys(t["table"] for t in tables))
    on_disk = read_back_digests(spark, Path(manifest["output_path"]).parent / RUN_A, names, quarters)
    assert on_disk == (tables, manifest["outputs"]["table_digests"])
    assert {t["table"] for t in tables if t["rows"]} == set(names)


def test_a_failed_lookup_leaves_the_runtime_unknown_and_says_why(capsys):
    class Refusing:
        def get_job_run(self, **_: Any) -> None:
            raise RuntimeError("AccessDeniedException: not allowed\nmore")

    found = run_manifest.glue_runtime(JOB_NAME, RUN_A, client=Refusing)
    assert found["glue_version"] is None
    assert found["lookup_error"] == "glue:GetJobRun failed: RuntimeError: AccessDeniedException: not allowed"
    assert "warning: run manifest: glue:GetJobRun failed" in capsys.readouterr().err


def test_the_files_a_paths_mode_run_reads(spark, tmp_path):
    (tmp_path / "flights" / "year=2001").mkdir(parents=True)
    for name in ("a.csv", "b.csv.gz", "README.md", ".hidden.csv", "_SUCCESS"):
        (tmp_path / "flights" / "year=2001" / name).write_text("x")
    found = run_manifest.readable_files(spark, str(tmp_path / "flights"))
    assert sorted(Path(p).name for p in found) == ["a.csv", "b.csv.gz"]
    single = tmp_path / "flights" / "year=2001" / "a.csv"
    assert run_manifest.readable_files(spark, str(single)) == [f"file:{single}"]
