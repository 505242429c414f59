#!/usr/bin/env python3
"""Contract benchmark: the data contract's check of rawdata/ against the upload of the same files.

Not a test: it asserts nothing about time, it only measures and reports (issue 27: `plan` and `up`
check every file "at least as fast as the upload itself").

Tools, each a fresh process, timed by GNU /usr/bin/time (wall seconds, peak RSS):
  check     dist/cli.js check --data-dir DATA: the check alone, as `plan` and `up` run it first
            (no AWS call)
  up        dist/cli.js up of the same files without a contract beside them, so nothing is
            checked: the whole `up` (bucket, role, Glue resources, job scripts) into an empty account
  up+check  dist/cli.js up --data-dir DATA with its contract: what a user runs, the check then the
            upload
  aws-cli   aws s3 cp --recursive of the same files (AWS CLI v1 in .venv-bench, as
            bench/sync_bench.py installs it), into a bucket made beforehand (untimed)
  floor     bench/floor_put.mjs: every file PUT with nothing else done, 32 in flight; no tool can
            upload them faster to the same endpoint
Settings: straight to one moto server on 127.0.0.1 (reset before every upload), and through
toxiproxy (built with `go install` into .bench-tools/, as bench/transfer_bench.py does) adding
--latency-ms each way, as a link to an AWS region from an office does. toxiproxy limits bandwidth
per connection only, not a link's, so a link's bandwidth is not measured: for each of --uplink-mbps
the report gives the least time any upload of these bytes takes at that rate, stored bytes x 8 /
rate. The check takes no network, so it is measured once per run and set against each upload.

Reported: the median of --runs runs (tools interleaved, so a busy moment is shared out), the
ratio check / each upload (below 1: the check is the faster), and the check's throughput: MB/s of
CSV as the check reads it (after gunzip) and rows/s. The rows and bytes are counted here, in
Python, from the files themselves, and must equal the rows `check --json` reports.

    .venv/bin/python bench/contract_bench.py [--runs 5] [--data-dir rawdata] [--latency-ms 15] [--uplink-mbps 20,100]
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "bench"))
sys.path.insert(0, str(REPO_ROOT / "scripts"))
from moto_launcher import MotoError, MotoServer  # noqa: E402
from sync_bench import aws_cli  # noqa: E402
from transfer_bench import (  # noqa: E402  (the transfer benchmark's runner, emulator and proxy handling)
    FLOOR_SCRIPT,
    MOTO_ACCOUNT,
    REGION,
    BenchError,
    Toxiproxy,
    ensure_toxiproxy,
    reset_moto,
    run,
    tool_env,
)

STACK = "bench-contract"
PROVISIONER_BUCKET = f"{STACK}-{MOTO_ACCOUNT}-{REGION}"
PEER_BUCKET = "bench-peer"
PREFIX = "raw/"
CONTRACT = "contract.json"
UPLOADS = ("up", "up+check", "aws-cli", "floor")
MB = 1_000_000


@dataclass(frozen=True)
class Data:
    """The data directory and what is in it, counted here."""

    checked: Path  # the data directory, contract beside it
    unchecked: Path  # a copy without the contract: `up` uploads it unchecked
    files: int  # files up uploads (all but the contract)
    stored_bytes: int  # their size on disk, as uploaded
    csv_bytes: int  # the *.csv* files' bytes after gunzip, as the check reads them
    rows: int  # data rows of the *.csv* files (lines but the header and blank lines)


@dataclass(frozen=True)
class Sample:
    seconds: float
    cpu_seconds: float  # user + system, of the whole process tree
    peak_kib: int


def measure(command: list[str], env: dict[str, str], timeout: float) -> Sample:
    """Wall seconds, CPU seconds and peak RSS (GNU time's %e, %U + %S, %M) of one command."""
    with tempfile.NamedTemporaryFile(mode="r", prefix="time-", suffix=".txt") as out:
        run(["/usr/bin/time", "-o", out.name, "-f", "%e %U %S %M", *command], env, timeout)
        wall, user, system, kib = out.read().strip().splitlines()[-1].split()
    return Sample(float(wall), float(user) + float(system), int(kib))


def count_data(data_dir: Path, scratch: Path) -> Data:
    files = [p for p in sorted(data_dir.rglob("*")) if p.is_file() and p.name != CONTRACT]
    csv_bytes = rows = 0
    for path in files:
        if ".csv" not in path.name:
            continue
        with gzip.open(path, "rb") if path.name.endswith(".gz") else open(path, "rb") as handle:
            text = handle.read()
        csv_bytes += len(text)
        lines = text.splitlines()
        rows += sum(1 for line in lines[1:] if line.strip(b"\r\n") != b"")
    unchecked = scratch / "unchecked"
    shutil.copytree(data_dir, unchecked, ignore=shutil.ignore_patterns(CONTRACT))
    stored = sum(p.stat().st_size for p in files)
    return Data(data_dir, unchecked, len(files), stored, csv_bytes, rows)


def command(tool: str, cli_js: Path, aws: Path, data: Data, endpoint: str) -> list[str]:
    if tool == "check":
        return [str(cli_js), "check", "--data-dir", str(data.checked), "--log-level", "warn"]
    if tool in ("up", "up+check"):
        folder = data.unchecked if tool == "up" else data.checked
        return [str(cli_js), "up", "--data-dir", str(folder), "--endpoint-url", endpoint, "--name", STACK, "--log-level", "warn"]
    if tool == "aws-cli":
        return [
            str(aws),
            "s3",
            "cp",
            "--recursive",
            str(data.unchecked),
            f"s3://{PEER_BUCKET}/{PREFIX}",
            "--endpoint-url",
            endpoint,
            "--only-show-errors",
        ]
    if tool == "floor":
        return ["node", str(FLOOR_SCRIPT), str(data.unchecked), endpoint, PEER_BUCKET, PREFIX]
    raise ValueError(tool)


def check_rows(cli_js: Path, data: Data, env: dict[str, str]) -> int:
    """The rows `check --json` counts: they must be the rows counted here, or the check read something else."""
    out = subprocess.run(
        [str(cli_js), "check", "--data-dir", str(data.checked), "--json"], env=env, cwd=REPO_ROOT, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise BenchError(f"check refused {data.checked} (exit {out.returncode}); the benchmark needs data that passes:\n{out.stderr}")
    result = json.loads(out.stdout)
    if result["rows"] != data.rows:
        raise BenchError(f"check counted {result['rows']} rows, this benchmark {data.rows}")
    return int(result["rows"])


def check_uploaded(s3: Any, bucket: str, data: Data) -> None:
    count = total = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=PREFIX):
        for item in page.get("Contents", []):
            count += 1
            total += item["Size"]
    if (count, total) != (data.files, data.stored_bytes):
        raise BenchError(f"s3://{bucket}/{PREFIX} holds {count} objects, {total} bytes; expected {data.files}, {data.stored_bytes}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs of each tool in each setting; the median is reported (default 5)")
    parser.add_argument(
        "--data-dir", type=Path, default=REPO_ROOT / "rawdata", help="a data directory with its contract.json (default rawdata/)"
    )
    parser.add_argument(
        "--latency-ms",
        type=int,
        default=15,
        help="ms added each way through toxiproxy; 0 skips that setting (default 15)",
    )
    parser.add_argument(
        "--uplink-mbps",
        default="20,100",
        help="uplinks in Mbit/s, comma-separated, to give the least upload time at (default 20,100)",
    )
    parser.add_argument("--tools", default=",".join(("check", *UPLOADS)), help="comma-separated subset of check," + ",".join(UPLOADS))
    parser.add_argument("--provisioner", type=Path, default=REPO_ROOT / "dist" / "cli.js", help="the CLI to measure (default dist/cli.js)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds one command may take before it is killed (default 600)")
    parser.add_argument("--label", default="", help="a note kept with the results")
    parser.add_argument("--json", type=Path, help="where to write the results (default bench/results/contract-<date>.json)")
    args = parser.parse_args()
    args.uplink_mbps = [float(rate) for rate in args.uplink_mbps.split(",") if rate]
    args.tools = [t for t in ("check", *UPLOADS) if t in args.tools.split(",")]
    if "check" not in args.tools or args.runs < 1:
        parser.error("the check is what is measured: --tools must hold check, and --runs be at least 1")
    if not (args.data_dir / CONTRACT).exists():
        parser.error(f"{args.data_dir} has no {CONTRACT}")
    if not args.provisioner.exists():
        parser.error(f"{args.provisioner} does not exist: run 'make build' first")
    return args


def main() -> int:
    args = parse_args()
    started = datetime.datetime.now(datetime.timezone.utc)
    load_start = os.getloadavg()[0]
    cli_js = args.provisioner.resolve()
    uploads = [t for t in args.tools if t != "check"]
    aws = aws_cli() if "aws-cli" in uploads else Path("aws")
    proxied = uploads and args.latency_ms > 0
    toxiproxy_exe = ensure_toxiproxy() if proxied else None
    samples: dict[tuple[str, str], list[Sample]] = {}
    error = ""
    with tempfile.TemporaryDirectory(prefix="contract-bench-") as name:
        scratch = Path(name)
        data = count_data(args.data_dir.resolve(), scratch)
        print(
            f"{data.files} files, {data.stored_bytes / MB:.1f} MB stored, {data.csv_bytes / MB:.1f} MB of CSV, {data.rows:,} rows",
            file=sys.stderr,
        )
        import boto3  # the emulator's dependency, in .venv

        moto = MotoServer(log=scratch / "moto.log")
        toxiproxy = Toxiproxy(toxiproxy_exe, scratch / "toxiproxy.log") if toxiproxy_exe else None
        try:
            moto_url = moto.start()
            settings = {"direct": moto_url}
            if toxiproxy:
                toxiproxy.start()
                settings["link"] = toxiproxy.latency_proxy(moto.port, args.latency_ms)
            s3 = boto3.client("s3", endpoint_url=moto_url, region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
            check_rows(cli_js, data, tool_env(moto_url, scratch / "rclone.conf"))
            for i in range(args.runs):
                sample = measure(command("check", cli_js, aws, data, moto_url), tool_env(moto_url, scratch / "rclone.conf"), args.timeout)
                samples.setdefault(("-", "check"), []).append(sample)
                print(
                    f"  check                run {i + 1}/{args.runs}: {sample.seconds:6.2f} s {sample.peak_kib / 1024:6.1f} MiB",
                    file=sys.stderr,
                    flush=True,
                )
                for setting, endpoint in settings.items():
                    for tool in uploads:
                        reset_moto(moto_url)
                        env = tool_env(endpoint, scratch / "rclone.conf")
                        if tool in ("aws-cli", "floor"):
                            run(
                                [str(aws_cli()), "s3", "mb", f"s3://{PEER_BUCKET}", "--endpoint-url", moto_url],
                                tool_env(moto_url, scratch / "rclone.conf"),
                                args.timeout,
                            )
                        sample = measure(command(tool, cli_js, aws, data, endpoint), env, args.timeout)
                        check_uploaded(s3, PROVISIONER_BUCKET if tool.startswith("up") else PEER_BUCKET, data)
                        samples.setdefault((setting, tool), []).append(sample)
                        print(
                            f"  {tool:8} {setting:11} run {i + 1}/{args.runs}: {sample.seconds:6.2f} s {sample.peak_kib / 1024:6.1f} MiB",
                            file=sys.stderr,
                            flush=True,
                        )
        except (MotoError, BenchError) as failure:
            error = str(failure)
            print(f"contract_bench: {failure}", file=sys.stderr)
        finally:
            if toxiproxy:
                toxiproxy.stop()
            moto.stop()
    if not samples:
        return 1
    report(args, data, samples, error, started, load_start)
    return 1 if error else 0


def report(
    args: argparse.Namespace,
    data: Data,
    samples: dict[tuple[str, str], list[Sample]],
    error: str,
    started: datetime.datetime,
    load_start: float,
) -> None:
    median = {key: statistics.median(s.seconds for s in runs) for key, runs in samples.items()}
    cpus = {key: statistics.median(s.cpu_seconds for s in runs) for key, runs in samples.items()}
    peak = {key: statistics.median(s.peak_kib for s in runs) / 1024 for key, runs in samples.items()}
    check = median[("-", "check")]
    titles = {"-": "no network", "direct": "moto on 127.0.0.1", "link": f"toxiproxy: {args.latency_ms} ms each way"}
    note = f"{os.cpu_count()} cores, load average {load_start:.2f} at the start and {os.getloadavg()[0]:.2f} at the end"
    print(f"contract benchmark ({'INCOMPLETE: ' + error + '; ' if error else ''}median of {args.runs}; {note})")
    print(f"data: {data.files} files, {data.stored_bytes / MB:.1f} MB stored, {data.csv_bytes / MB:.1f} MB of CSV, {data.rows:,} rows")
    cpu = cpus[("-", "check")]
    rate = f"{data.csv_bytes / MB / check:.0f} MB/s of CSV, {data.rows / check / 1e6:.2f} M rows/s"
    print(f"check: {check:.2f} s ({cpu:.2f} s of CPU), {rate}, peak {peak[('-', 'check')]:.0f} MiB")
    print()
    # The ratio of wall times: below 1, the check takes less time than that upload.
    print(f"{'setting':46} {'tool':9} {'wall s':>7} {'CPU s':>6} {'peak MiB':>9} {'check / it':>11}")
    for (setting, tool), seconds in median.items():
        ratio = "" if tool == "check" else f"{check / seconds:11.2f}"
        print(f"{titles[setting]:46} {tool:9} {seconds:7.2f} {cpus[(setting, tool)]:6.2f} {peak[(setting, tool)]:9.0f} {ratio}")
    least = {rate: data.stored_bytes * 8 / (rate * MB) for rate in args.uplink_mbps}
    for rate, seconds in least.items():
        print(f"{f'an uplink of {rate:g} Mbit/s (computed)':46} {'any':9} {seconds:7.2f} {'':6} {'':9} {check / seconds:11.2f}")
    results = [
        {
            "setting": titles[s],
            "tool": t,
            "median_seconds": median[(s, t)],
            "median_peak_mib": peak[(s, t)],
            "seconds": [x.seconds for x in runs],
            "cpu_seconds": [x.cpu_seconds for x in runs],
        }
        for (s, t), runs in samples.items()
    ]
    meta = {
        "started": started.isoformat(timespec="seconds"),
        "label": args.label,
        "note": note,
        "incomplete": error or None,
        "data": {"files": data.files, "stored_bytes": data.stored_bytes, "csv_bytes": data.csv_bytes, "rows": data.rows},
        "least_upload_seconds": {f"{rate:g} Mbit/s": seconds for rate, seconds in least.items()},
        "check": {"seconds": check, "cpu_seconds": cpu, "csv_mb_per_s": data.csv_bytes / MB / check, "rows_per_s": data.rows / check},
    }
    out = args.json or REPO_ROOT / "bench" / "results" / f"contract-{started.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({**meta, "results": results}, indent=2) + "\n")
    print(f"\nresults: {out}")


if __name__ == "__main__":
    sys.exit(main())
