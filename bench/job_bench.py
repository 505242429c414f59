#!/usr/bin/env python3
"""Benchmark of the Glue job over all of rawdata/ (3,000,000 flights) on local Spark.

Not a test. Runs, each in its own process so that time and memory are its own:

  1. job        glue-job/job.py exactly as a local run does it (paths mode),
                local[2]: wall time, rows per second, peak memory, output size
  2. spark-agg  the same Spark code, but only read + validate + the three
                quarterly aggregates (no feature table, no quarantine written)
  3. peer       the same three aggregates over the same files with pyarrow
                (its own CSV reader, hash aggregates, t-digest percentile)

and prints the figures and the ratios job/peer and spark-agg/peer. Peak memory
is the largest sum of resident memory of the process and its children (the
JVM), sampled every 50 ms.

    .venv/bin/python bench/job_bench.py [--keep DIR] [--driver-memory 1g]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
JOB_DIR = REPO_ROOT / "glue-job"
RAW_FLIGHTS = REPO_ROOT / "rawdata" / "flights"
RAW_AIRPORTS = REPO_ROOT / "rawdata" / "airports"
CORES = 2
PAGE = os.sysconf("SC_PAGE_SIZE")


# ---------------------------------------------------------------------------
# Measuring


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        # A thread can end between the glob and the read.
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _tree_rss(pid: int) -> int:
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
        stack += _children(current)
    return total


def measured(cmd: list[str], env: dict[str, str]) -> dict:
    """Run a command; wall time, peak tree RSS, stdout."""
    started = time.perf_counter()
    process = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        sys.stderr.write(stderr[-6000:])
        raise SystemExit(f"{cmd[:3]} failed with exit code {process.returncode}")
    return {"wall_seconds": wall, "peak_rss_bytes": peak, "stdout": stdout}


def tree_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def spark_env(driver_memory: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYSPARK_SUBMIT_ARGS"] = (
        f"--master local[{CORES}] --driver-memory {driver_memory} "
        "--conf spark.ui.showConsoleProgress=false pyspark-shell"
    )
    return env


# ---------------------------------------------------------------------------
# Workers (run in child processes)


def worker_spark_aggregates(out: str) -> None:
    sys.path.insert(0, str(JOB_DIR))
    from pyspark.sql import SparkSession

    import job
    import transforms

    spark = SparkSession.builder.appName("bench-spark-aggregates").getOrCreate()
    job.configure(spark)
    flights_raw, airports_raw = job.read_paths(spark, str(RAW_FLIGHTS), str(RAW_AIRPORTS))
    classified = transforms.classify(
        transforms.normalise_flights(flights_raw), transforms.prepare_airports(airports_raw)
    )
    for name, aggregate in transforms.quarterly_aggregates(transforms.flight_rows(classified)).items():
        aggregate.write.mode("overwrite").parquet(f"{out}/{name}")
    spark.stop()


def worker_peer(out: str) -> None:
    """The three aggregates with pyarrow, under the job's rules (see transforms.py)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    pa.set_cpu_count(CORES)
    pa.set_io_thread_count(CORES)
    Path(out).mkdir(parents=True, exist_ok=True)
    types = {"date": pa.string(), "delay": pa.string(), "distance": pa.string(),
             "origin": pa.string(), "destination": pa.string()}
    files = sorted(RAW_FLIGHTS.rglob("*.csv.gz"))
    table = pa.concat_tables(
        pcsv.read_csv(f, convert_options=pcsv.ConvertOptions(column_types=types)) for f in files
    )
    # duplicates: identical records count once
    table = table.group_by(table.column_names, use_threads=False).aggregate([])
    airports = pcsv.read_csv(RAW_AIRPORTS / "airports.csv", convert_options=pcsv.ConvertOptions(
        column_types={"iata": pa.string()}))
    codes = pc.utf8_trim_whitespace(airports["iata"])

    ts = pc.strptime(pc.utf8_trim_whitespace(table["date"]), format="%Y-%m-%d %H:%M:%S", unit="s", error_is_null=True)
    delay = pc.cast(pc.utf8_trim_whitespace(table["delay"]), pa.float64(), safe=False)
    distance = pc.cast(pc.utf8_trim_whitespace(table["distance"]), pa.float64(), safe=False)
    keep = pc.and_kleene(pc.is_valid(ts), pc.equal(delay, pc.floor(delay)))
    keep = pc.and_kleene(keep, pc.and_(pc.greater_equal(delay, -120), pc.less_equal(delay, 1440)))
    keep = pc.and_kleene(keep, pc.greater(distance, 0))
    keep = pc.and_kleene(keep, pc.is_in(pc.utf8_trim_whitespace(table["origin"]), value_set=codes))
    keep = pc.and_kleene(keep, pc.is_in(pc.utf8_trim_whitespace(table["destination"]), value_set=codes))
    keep = pc.fill_null(keep, False)

    ts = pc.filter(ts, keep)
    delay_minutes = pc.cast(pc.filter(delay, keep), pa.int32())
    origin = pc.utf8_trim_whitespace(pc.filter(table["origin"], keep))
    destination = pc.utf8_trim_whitespace(pc.filter(table["destination"], keep))
    rows = pa.table({
        "year": pc.year(ts), "quarter": pc.quarter(ts), "hour": pc.hour(ts),
        "day_of_week": pc.add(pc.day_of_week(ts), 1),  # ISO 1 = Monday
        "origin": origin, "destination": destination,
        "route": pc.binary_join_element_wise(origin, destination, "-"),
        "delay_minutes": delay_minutes,
        "delayed": pc.cast(pc.greater_equal(delay_minutes, 15), pa.float64()),
    })
    keys = {
        "route_quarter": ["origin", "destination", "route"],
        "origin_hour": ["origin", "hour"],
        "day_of_week": ["day_of_week"],
    }
    for name, by in keys.items():
        result = rows.group_by(["year", "quarter", *by]).aggregate([
            ("delay_minutes", "count"),
            ("delay_minutes", "mean"),
            ("delay_minutes", "tdigest", pc.TDigestOptions(q=0.9)),
            ("delayed", "mean"),
        ])
        pq.write_table(result, f"{out}/{name}.parquet")


# ---------------------------------------------------------------------------
# Comparing


def compare_aggregates(spark_out: Path, peer_out: Path) -> dict:
    """Group keys and flight counts must be identical; means equal to rounding."""
    import pyarrow.parquet as pq

    summary = {}
    for name, keys in (("route_quarter", ["year", "quarter", "route"]),
                       ("origin_hour", ["year", "quarter", "origin", "hour"]),
                       ("day_of_week", ["year", "quarter", "day_of_week"])):
        spark_table = pq.read_table(spark_out / name).to_pylist()
        peer_table = pq.read_table(peer_out / f"{name}.parquet").to_pylist()
        spark_rows = {tuple(int(r[k]) if k in ("year", "quarter") else r[k] for k in keys): r for r in spark_table}
        peer_rows = {tuple(r[k] for k in keys): r for r in peer_table}
        same_keys = spark_rows.keys() == peer_rows.keys()
        counts_equal = same_keys and all(
            spark_rows[k]["flights"] == peer_rows[k]["delay_minutes_count"] for k in spark_rows
        )
        mean_diff = max(
            (abs(spark_rows[k]["mean_delay"] - peer_rows[k]["delay_minutes_mean"]) for k in spark_rows if k in peer_rows),
            default=0.0,
        )
        # Spark's percentile_approx returns an observed value, the t-digest an
        # interpolated one: they differ most in small groups, so compare large ones.
        p90_diffs = sorted(
            abs(spark_rows[k]["p90_delay"] - peer_rows[k]["delay_minutes_tdigest"][0])
            for k in spark_rows
            if k in peer_rows and spark_rows[k]["flights"] >= 1000
        )
        summary[name] = {
            "groups": len(spark_rows),
            "same_groups": same_keys,
            "same_counts": counts_equal,
            "max_mean_diff": round(mean_diff, 9),
            "groups_1000_plus": len(p90_diffs),
            "p90_median_abs_diff_1000_plus": round(p90_diffs[len(p90_diffs) // 2], 2) if p90_diffs else None,
            "p90_max_abs_diff_1000_plus": round(p90_diffs[-1], 2) if p90_diffs else None,
        }
    return summary


def mib(n: int) -> str:
    return f"{n / 2**20:,.1f} MiB"


def main() -> int:
    parser = argparse.ArgumentParser(description="Benchmark the Glue job over all raw data on local Spark")
    parser.add_argument("--keep", type=Path, help="keep outputs in this folder (default: a temp folder, removed)")
    parser.add_argument("--driver-memory", default="1g", help="Spark driver memory (default 1g, Spark's own default)")
    parser.add_argument("--worker", choices=["spark-aggregates", "peer"], help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker == "spark-aggregates":
        worker_spark_aggregates(args.out)
        return 0
    if args.worker == "peer":
        worker_peer(args.out)
        return 0

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="job-bench-"))
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    try:
        raw_flights_bytes = tree_bytes(RAW_FLIGHTS)
        raw_bytes = raw_flights_bytes + tree_bytes(RAW_AIRPORTS)
        env = spark_env(args.driver_memory)
        print(f"raw input: {mib(raw_bytes)} ({len(list(RAW_FLIGHTS.rglob('*.csv.gz')))} gzip CSV files + airports)"
              f", {CORES} cores, driver memory {args.driver_memory}", flush=True)

        out = workdir / "processed"
        print("1/3 the job (glue-job/job.py, paths mode) ...", flush=True)
        job_run = measured([sys.executable, str(JOB_DIR / "job.py"), "--flights_path", str(RAW_FLIGHTS),
                            "--airports_path", str(RAW_AIRPORTS), "--output_path", str(out)], env)
        line = next(s for s in job_run["stdout"].splitlines() if s.startswith("RUN_REPORT "))
        report = json.loads(line[len("RUN_REPORT "):])

        print("2/3 Spark, aggregates only ...", flush=True)
        spark_agg = measured([sys.executable, __file__, "--worker", "spark-aggregates",
                              "--out", str(workdir / "spark-agg")], env)
        print("3/3 pyarrow peer, aggregates only ...", flush=True)
        peer = measured([sys.executable, __file__, "--worker", "peer", "--out", str(workdir / "peer")], env)
        agreement = compare_aggregates(workdir / "spark-agg", workdir / "peer")

        read = report["rows"]["read"]
        out_bytes = {part: tree_bytes(out / part) for part in ("features", "rejected", "aggregates", "manifests", "delivered", "reports")}
        total_out = sum(out_bytes.values())
        results = {
            "rows": report["rows"],
            "rejected_by_reason": {k: v for k, v in report["rejected_by_reason"].items() if v},
            "job": {
                "wall_seconds": round(job_run["wall_seconds"], 1),
                "job_seconds_excluding_startup": report["duration_seconds"],
                "rows_per_second": round(read / job_run["wall_seconds"]),
                "peak_rss": mib(job_run["peak_rss_bytes"]),
            },
            "output": {
                "raw_bytes": raw_bytes,
                "output_bytes": total_out,
                "output_over_raw": round(total_out / raw_bytes, 3),
                "by_part": {k: mib(v) for k, v in out_bytes.items()},
            },
            "spark_aggregates_only": {"wall_seconds": round(spark_agg["wall_seconds"], 1),
                                      "peak_rss": mib(spark_agg["peak_rss_bytes"])},
            "pyarrow_peer": {"wall_seconds": round(peer["wall_seconds"], 1), "peak_rss": mib(peer["peak_rss_bytes"])},
            "ratios": {
                "job_vs_peer_wall": round(job_run["wall_seconds"] / peer["wall_seconds"], 1),
                "spark_aggregates_vs_peer_wall": round(spark_agg["wall_seconds"] / peer["wall_seconds"], 1),
                "job_vs_peer_peak_memory": round(job_run["peak_rss_bytes"] / peer["peak_rss_bytes"], 1),
            },
            "peer_agreement": agreement,
        }

        print()
        print(f"rows read {read:,}  written {report['rows']['written']:,}  rejected {report['rows']['rejected']:,}"
              f"  {results['rejected_by_reason']}")
        print(f"job wall time      {job_run['wall_seconds']:8.1f} s   (inside the job, after Spark start: "
              f"{report['duration_seconds']:.1f} s)")
        print(f"job rows/second    {read / job_run['wall_seconds']:10,.0f}")
        print(f"job peak memory    {mib(job_run['peak_rss_bytes']):>12}  (python + JVM)")
        print(f"output / raw       {mib(total_out)} / {mib(raw_bytes)} = {total_out / raw_bytes:.2f}"
              f"   {results['output']['by_part']}")
        print(f"Spark aggregates   {spark_agg['wall_seconds']:8.1f} s   peak {mib(spark_agg['peak_rss_bytes'])}")
        print(f"pyarrow peer       {peer['wall_seconds']:8.1f} s   peak {mib(peer['peak_rss_bytes'])}")
        print(f"ratio job / peer               {results['ratios']['job_vs_peer_wall']:.1f}x wall time, "
              f"{results['ratios']['job_vs_peer_peak_memory']:.1f}x peak memory")
        print(f"ratio Spark aggregates / peer  {results['ratios']['spark_aggregates_vs_peer_wall']:.1f}x wall time")
        for name, figures in agreement.items():
            print(f"peer check {name:14s} {figures}")
        print("RESULTS " + json.dumps(results))
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
