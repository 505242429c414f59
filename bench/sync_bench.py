#!/usr/bin/env python3
"""Benchmark of `provisioner up` against the AWS CLI's `aws s3 sync`, side by side.

Not a test. Both tools put rawdata/ and the job scripts into a bucket on the same local moto
server, first into an empty account (cold) and then again with nothing changed (warm, where
both only compare). `up` does more than a sync: it also creates and checks the hardened bucket,
the role, the catalog database, the crawler, the job and the triggers. The ratios say what that
whole convergence costs next to copying the files alone.

Each measurement is its own process under /usr/bin/time (wall time, peak resident memory), the
median of --repeat runs. The AWS CLI lives in its own virtualenv (.venv-bench), made on first use,
because it pins a botocore that the emulator's does not match.

    .venv/bin/python bench/sync_bench.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "scripts"))
from moto_launcher import MotoError, MotoServer  # noqa: E402  (the repository's one way to start moto)

BENCH_VENV = REPO_ROOT / ".venv-bench"
AWSCLI_VERSION = "1.46.3"
BUCKET = "flight-delays-123456789012-us-east-1"


def aws_cli() -> Path:
    exe = BENCH_VENV / "bin" / "aws"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run([str(BENCH_VENV / "bin" / "pip"), "install", "--quiet", f"awscli=={AWSCLI_VERSION}"], check=True)
    return exe


def measure(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak resident KiB of one command."""
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%e %M", *command],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
    seconds, kib = result.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kib)


def reset(endpoint: str) -> None:
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")).read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    aws = aws_cli()
    moto = MotoServer()
    try:
        endpoint = moto.start()
    except MotoError as error:
        raise SystemExit(f"moto: {error}") from None
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    try:
        # As installed (`provisioner`): the first line of dist/cli.js sets Node's memory options.
        provisioner = ["dist/cli.js", "up", "--log-level", "warn"]
        sync = [
            "bash",
            "-c",
            f"{aws} s3 mb s3://{BUCKET} >/dev/null 2>&1; "
            f"{aws} s3 sync rawdata s3://{BUCKET}/raw/ --only-show-errors && "
            f"{aws} s3 sync glue-job s3://{BUCKET}/scripts/ --exclude '*' --include '*.py' --exclude 'tests/*' --only-show-errors",
        ]
        results: dict[str, list[tuple[float, int]]] = {}
        for _ in range(args.repeat):
            for name, command in (("provisioner", provisioner), ("aws s3 sync", sync)):
                reset(endpoint)
                results.setdefault(f"{name} cold", []).append(measure(command, env))
                results.setdefault(f"{name} warm", []).append(measure(command, env))
    finally:
        moto.stop()

    def median(key: str) -> tuple[float, float]:
        runs = results[key]
        return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs) / 1024

    print(f"{'':20} {'wall s':>8} {'peak MiB':>9}   (median of {args.repeat})")
    for key in results:
        seconds, mib = median(key)
        print(f"{key:20} {seconds:8.2f} {mib:9.1f}")
    for phase in ("cold", "warm"):
        (p_s, p_m), (a_s, a_m) = median(f"provisioner {phase}"), median(f"aws s3 sync {phase}")
        print(f"provisioner / aws s3 sync, {phase}: {p_s / a_s:.2f}x wall time, {p_m / a_m:.2f}x peak memory")


if __name__ == "__main__":
    main()
