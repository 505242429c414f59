#!/usr/bin/env python3
"""Transfer benchmark: `provisioner up` against `aws s3 cp/sync` and `rclone copy`, side by side.

Not a test: it asserts nothing about time, it only measures and reports (issue 10).

Cases, each run with no added latency and again through toxiproxy adding --latency-ms (15) on
both streams (so a 30 ms round trip, like an office or a data centre to an AWS region):
  small  2,000 files x 16 KiB, uploaded into an empty account (cold)
  large  8 files x 64 MiB, cold
  noop   the 2,000 small files again, nothing changed (the first upload is setup, not timed)
Tools, each with its own default concurrency and settings:
  provisioner  dist/cli.js up --data-dir SET --endpoint-url URL --name bench-transfer, started as
               the `provisioner` executable is (its first line sets Node's memory options): the
               whole `up` (bucket, role, database, crawler, job, triggers and the job scripts under
               scripts/), not only the data files; noop is a second `up`
  aws-cli      aws s3 cp --recursive (cold) or aws s3 sync (noop), AWS CLI v1, into a bucket made
               beforehand (untimed)
  rclone       rclone copy (cold and noop), an S3 remote given by RCLONE_CONFIG_BENCH_* variables,
               into a bucket made beforehand (untimed)
  floor        bench/floor_put.mjs (cold cases only): every file PUT with nothing else done, no
               signature, checksum, listing or retry, 32 in flight on kept-alive connections, into
               a bucket made beforehand. No tool can take less time against the same endpoint: it
               is how much of each tool's time is the emulator's own, and so the best ratio to a
               peer that any tool could reach here

How:
  - One moto server (scripts/moto_launcher.py) on 127.0.0.1, reset (POST /moto-api/reset) before
    every measured run, so each run starts from an empty account. Setup (peer bucket, the first
    upload of noop) goes straight to moto, never through toxiproxy.
  - One toxiproxy server on 127.0.0.1 with one proxy in front of moto carrying a `latency` toxic on
    the upstream and on the downstream stream.
  - Each measured command runs under GNU /usr/bin/time: wall seconds (%e) and peak RSS (%M, the
    "Maximum resident set size": the largest single process of the tool's process tree; each of
    these tools is a single process). Reported: the median of --runs runs (--latency-runs for the
    latency setting). After each run the uploaded objects are counted and summed (untimed).
  - The data sets are random bytes from a seeded generator (the same bytes every time), written
    into a temporary directory that is removed at the end.
  - Tools are installed on first use, outside the project's .venv: the AWS CLI in .venv-bench (as
    bench/sync_bench.py does), rclone from Debian (apt-get) or else `go install`, and toxiproxy's
    server by `go install` into .bench-tools/.
  - Results: a table and the ratios provisioner / aws-cli and provisioner / rclone on stdout, and
    the same as JSON in bench/results/transfer-<date>.json (not committed).

Everything runs on this machine, on the loopback address; runs, files and commands are bounded
(--timeout per command), and moto, toxiproxy and any tool still running are stopped on exit.

    .venv/bin/python bench/transfer_bench.py [--runs 3] [--latency-runs N] [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "scripts"))
from moto_launcher import HOST, MotoError, MotoServer, _die_with_parent, free_port  # noqa: E402
from sync_bench import aws_cli  # noqa: E402  (the AWS CLI in .venv-bench, as the sync bench installs it)

TOOLS_DIR = REPO_ROOT / ".bench-tools"
RESULTS_DIR = REPO_ROOT / "bench" / "results"
TOXIPROXY_MODULE = "github.com/Shopify/toxiproxy/v2/cmd/server@v2.12.0"
RCLONE_MODULE = "github.com/rclone/rclone@v1.68.2"  # only when apt has no rclone

REGION = "us-east-1"
MOTO_ACCOUNT = "123456789012"
STACK = "bench-transfer"
PROVISIONER_BUCKET = f"{STACK}-{MOTO_ACCOUNT}-{REGION}"
PEER_BUCKET = "bench-peer"
PREFIX = "raw/"
TOOL_NAMES = ("provisioner", "aws-cli", "rclone", "floor")
PEERS = ("aws-cli", "rclone")
FLOOR_SCRIPT = REPO_ROOT / "bench" / "floor_put.mjs"
KIB = 1024
MIB = 1024 * KIB

# No proxies: every endpoint here is on this machine, whatever HTTP_PROXY says.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class BenchError(RuntimeError):
    """A tool failed, a check did not hold, or a server did not start."""


# --- data sets ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DataSet:
    name: str
    count: int
    size: int
    seed: int
    per_dir: int  # files per subdirectory; 0 = all in one directory
    path: Path = Path()

    @property
    def total(self) -> int:
        return self.count * self.size

    def describe(self) -> str:
        size = f"{self.size // MIB} MiB" if self.size >= MIB else f"{self.size // KIB} KiB"
        return f"{self.count:,} x {size}"


def write_data_set(root: Path, spec: DataSet) -> DataSet:
    """Write spec.count files of spec.size seeded random bytes under root/spec.name."""
    rng = random.Random(spec.seed)
    base = root / spec.name
    for i in range(spec.count):
        folder = base / f"d{i // spec.per_dir:02d}" if spec.per_dir else base
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / f"f{i:04d}.bin", "wb") as out:
            remaining = spec.size
            while remaining:
                chunk = min(remaining, MIB)
                out.write(rng.randbytes(chunk))
                remaining -= chunk
    return dataclasses.replace(spec, path=base)


# --- cases ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    data: str  # which data set
    warm: bool  # upload once untimed first, then time the run that finds nothing to do

    def title(self, sets: dict[str, DataSet]) -> str:
        kind = "nothing changed" if self.warm else "cold upload"
        return f"{sets[self.data].describe()}, {kind}"


CASES = (Case("small", "small", warm=False), Case("large", "large", warm=False), Case("noop", "small", warm=True))


@dataclass(frozen=True)
class Setting:
    name: str
    latency_ms: int
    endpoint: str  # what the measured tool talks to
    runs: int


# --- tools ----------------------------------------------------------------------------------------


STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


def run(command: list[str], env: dict[str, str], timeout: float) -> None:
    """Run a command to completion in its own process group; BenchError with its stderr if it fails.

    Ctrl-C, SIGTERM or SIGHUP are held off while the child starts, so that a stop always finds it
    and kills its whole group (a tool under /usr/bin/time included)."""
    process = None
    try:
        with held_signals():
            process = subprocess.Popen(
                command,
                env=env,
                cwd=REPO_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                start_new_session=True,
                preexec_fn=_child_setup,
            )
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        assert process is not None
        kill_group(process)
        raise BenchError(f"{' '.join(command)} took more than {timeout:g} s (--timeout); killed") from None
    except BaseException:  # a stop: the tool and its children go too
        if process is not None:
            kill_group(process)
        raise
    if process.returncode != 0:
        tail = "\n".join(stderr.decode(errors="replace").splitlines()[-20:])
        raise BenchError(f"{' '.join(command)} exited {process.returncode}:\n{tail}")


@contextlib.contextmanager
def held_signals() -> Iterator[None]:
    old = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _child_setup() -> None:
    """In the child before exec: take signals again, and get SIGTERM if this benchmark dies (Linux)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    _die_with_parent()


def kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def ensure_rclone() -> Path:
    """rclone from .bench-tools, PATH, Debian's package (apt-get), or else built with go install."""
    local = TOOLS_DIR / "rclone"
    if local.exists():
        return local
    found = shutil.which("rclone")
    if found:
        return Path(found)
    if shutil.which("apt-get") and apt_has("rclone"):
        print("installing rclone with apt-get", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "-qq", "rclone"], check=True, stdout=subprocess.DEVNULL)
        found = shutil.which("rclone")
        if found:
            return Path(found)
    return go_install(RCLONE_MODULE, "rclone", "rclone")


def apt_has(package: str) -> bool:
    def candidate() -> bool:
        policy = subprocess.run(["apt-cache", "policy", package], capture_output=True, text=True).stdout
        return "Candidate:" in policy and "Candidate: (none)" not in policy

    if candidate():
        return True
    subprocess.run(["apt-get", "update", "-qq"], check=False)
    return candidate()


def ensure_toxiproxy() -> Path:
    """toxiproxy's server, built once with go install and kept as .bench-tools/toxiproxy-server."""
    local = TOOLS_DIR / "toxiproxy-server"
    return local if local.exists() else go_install(TOXIPROXY_MODULE, "server", local.name)


def go_install(module: str, built: str, name: str) -> Path:
    """go install module into a scratch GOBIN (not GOPATH/bin), then move the binary to .bench-tools/name."""
    if not shutil.which("go"):
        raise BenchError(f"go is not on PATH; it is needed to build {module}")
    print(f"building {module} with go install", file=sys.stderr)
    TOOLS_DIR.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gobin-") as gobin:
        subprocess.run(["go", "install", module], check=True, env={**os.environ, "GOBIN": gobin})
        target = TOOLS_DIR / name
        shutil.move(str(Path(gobin) / built), target)
    return target


@dataclass(frozen=True)
class Tools:
    cli_js: Path
    aws: Path
    rclone: Path
    toxiproxy: Path

    def versions(self) -> dict[str, str]:
        def first_line(command: list[str]) -> str:
            result = subprocess.run(command, capture_output=True, text=True)
            lines = (result.stdout or result.stderr).strip().splitlines()
            return lines[0] if lines else "?"

        return {
            "provisioner": f"{self.cli_js} ({provisioner_revision(self.cli_js)})",
            "node": first_line(["node", "--version"]),
            "aws-cli": first_line([str(self.aws), "--version"]),
            "rclone": first_line([str(self.rclone), "version"]),
            "toxiproxy": f"{self.toxiproxy.name} from {TOXIPROXY_MODULE}",  # built without VCS stamps: -version says 'git'
        }


def provisioner_revision(cli_js: Path) -> str:
    """The commit of the tree the CLI was built from, '+changes' when the work tree differs; else 'not in git'."""
    folder = cli_js.resolve().parent
    head = subprocess.run(["git", "-C", str(folder), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    if head.returncode != 0:
        return "not in git"
    dirty = subprocess.run(["git", "-C", str(folder), "status", "--porcelain", "--", "src"], capture_output=True, text=True).stdout
    return head.stdout.strip() + (" +changes in src/" if dirty.strip() else "")


def tool_env(endpoint: str, rclone_config: Path) -> dict[str, str]:
    """Dummy credentials for the emulator, no shared config, no proxies; an rclone remote 'bench'."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "AWS_EC2_METADATA_DISABLED": "true",
            "NO_PROXY": "127.0.0.1,localhost",
            "RCLONE_CONFIG": str(rclone_config),
            "RCLONE_CONFIG_BENCH_TYPE": "s3",
            "RCLONE_CONFIG_BENCH_PROVIDER": "Other",
            "RCLONE_CONFIG_BENCH_ENDPOINT": endpoint,
            "RCLONE_CONFIG_BENCH_REGION": REGION,
            "RCLONE_CONFIG_BENCH_ACCESS_KEY_ID": "testing",
            "RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY": "testing",
            "RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE": "true",
        }
    )
    # Plain HTTP to loopback: no profile, no endpoint from outside, and no CA bundle (rclone's SDK
    # refuses AWS_CA_BUNDLE with its own HTTP transport).
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_CA_BUNDLE"):
        env.pop(name, None)
    return env


def upload_command(tools: Tools, tool: str, data: Path, endpoint: str, warm: bool) -> list[str]:
    """The command of one tool for one case: a cold upload, or (warm) the run that should find nothing to do."""
    if tool == "provisioner":
        # Run as installed (`provisioner`): the file's first line starts Node with its memory options.
        cli = [str(tools.cli_js), "up", "--data-dir", str(data), "--endpoint-url", endpoint]
        return [*cli, "--name", STACK, "--log-level", "warn"]
    if tool == "aws-cli":
        verb = ["sync"] if warm else ["cp", "--recursive"]
        return [str(tools.aws), "s3", *verb, str(data), f"s3://{PEER_BUCKET}/{PREFIX}", "--endpoint-url", endpoint, "--only-show-errors"]
    if tool == "rclone":
        return [str(tools.rclone), "copy", str(data), f"bench:{PEER_BUCKET}/{PREFIX.rstrip('/')}"]
    if tool == "floor":
        return ["node", str(FLOOR_SCRIPT), str(data), endpoint, PEER_BUCKET, PREFIX]
    raise ValueError(tool)


def applies(tool: str, case: Case) -> bool:
    """The floor only uploads: it has no way to find that nothing changed."""
    return not (tool == "floor" and case.warm)


def bucket_of(tool: str) -> str:
    return PROVISIONER_BUCKET if tool == "provisioner" else PEER_BUCKET


# --- measuring ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    seconds: float
    peak_kib: int


def measure(command: list[str], env: dict[str, str], timeout: float) -> Sample:
    """Wall seconds and peak RSS (GNU time's %M, largest process of the tree) of one command."""
    with tempfile.NamedTemporaryFile(mode="r", prefix="time-", suffix=".txt") as out:
        run(["/usr/bin/time", "-o", out.name, "-f", "%e %M", *command], env, timeout)
        seconds, kib = out.read().strip().splitlines()[-1].split()
    return Sample(float(seconds), int(kib))


def http(method: str, url: str, body: dict[str, Any] | None = None) -> bytes:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with _opener.open(request, timeout=30) as response:
        content: bytes = response.read()
        return content


def reset_moto(moto_url: str) -> None:
    http("POST", f"{moto_url}/moto-api/reset")


def check_uploaded(s3: Any, bucket: str, data: DataSet) -> None:
    """Every file of the set is under raw/ with its size (a tool that silently sent nothing is no result)."""
    count = total = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=PREFIX):
        for item in page.get("Contents", []):
            count += 1
            total += item["Size"]
    if (count, total) != (data.count, data.total):
        raise BenchError(f"s3://{bucket}/{PREFIX} holds {count} objects, {total} bytes; expected {data.count}, {data.total}")


class Toxiproxy:
    """toxiproxy's server on 127.0.0.1, and one proxy that adds latency each way in front of an endpoint."""

    def __init__(self, executable: Path, log: Path) -> None:
        self.executable = executable
        self.log = log
        self.api = ""
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 15.0) -> None:
        port = free_port()
        self.api = f"http://{HOST}:{port}"
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [str(self.executable), "-host", HOST, "-port", str(port)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,  # gone with this process, however it ends (Linux)
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"toxiproxy exited early (status {self.process.returncode}); see {self.log}")
            try:
                http("GET", f"{self.api}/version")
                return
            except OSError:
                time.sleep(0.1)
        raise BenchError(f"toxiproxy did not answer on {self.api} within {timeout:g} s; see {self.log}")

    def latency_proxy(self, upstream_port: int, latency_ms: int) -> str:
        """A proxy 127.0.0.1:<free port> -> 127.0.0.1:upstream_port, latency_ms added upstream and downstream."""
        listen = free_port()
        proxy = {"name": "moto", "listen": f"{HOST}:{listen}", "upstream": f"{HOST}:{upstream_port}", "enabled": True}
        http("POST", f"{self.api}/proxies", proxy)
        for stream in ("upstream", "downstream"):
            toxic = {"name": f"latency_{stream}", "type": "latency", "stream": stream, "attributes": {"latency": latency_ms, "jitter": 0}}
            http("POST", f"{self.api}/proxies/moto/toxics", toxic)
        return f"http://{HOST}:{listen}"

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass
class Bench:
    """Runs every case for every tool and setting, keeping the samples."""

    tools: Tools
    sets: dict[str, DataSet]
    moto_url: str
    s3: Any
    rclone_config: Path
    timeout: float
    samples: dict[tuple[str, str, str], list[Sample]]

    def prepare(self, tool: str, case: Case) -> None:
        """Untimed, straight to moto: the peers' bucket, and for a warm case the first upload."""
        env = tool_env(self.moto_url, self.rclone_config)
        if tool != "provisioner":
            run([str(self.tools.aws), "s3", "mb", f"s3://{PEER_BUCKET}", "--endpoint-url", self.moto_url], env, self.timeout)
        if case.warm:
            run(upload_command(self.tools, tool, self.sets[case.data].path, self.moto_url, warm=False), env, self.timeout)

    def one(self, setting: Setting, case: Case, tool: str) -> Sample:
        reset_moto(self.moto_url)
        self.prepare(tool, case)
        env = tool_env(setting.endpoint, self.rclone_config)
        sample = measure(upload_command(self.tools, tool, self.sets[case.data].path, setting.endpoint, case.warm), env, self.timeout)
        check_uploaded(self.s3, bucket_of(tool), self.sets[case.data])
        self.samples.setdefault((setting.name, case.name, tool), []).append(sample)
        return sample

    def all(self, settings: list[Setting], cases: list[Case], tools: list[str]) -> None:
        for setting in settings:
            for case in cases:
                for i in range(setting.runs):
                    for tool in (t for t in tools if applies(t, case)):  # interleaved: a busy moment is shared out
                        sample = self.one(setting, case, tool)
                        print(
                            f"  [{setting.name}] {case.name:5} {tool:11} run {i + 1}/{setting.runs}: "
                            f"{sample.seconds:7.2f} s {sample.peak_kib / KIB:7.1f} MiB",
                            file=sys.stderr,
                            flush=True,
                        )


# --- report ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    setting: str
    case: str
    tool: str
    seconds: float
    peak_mib: float
    samples: list[Sample]


def summarize(samples: dict[tuple[str, str, str], list[Sample]]) -> list[Row]:
    return [
        Row(s, c, t, statistics.median(x.seconds for x in runs), statistics.median(x.peak_kib for x in runs) / KIB, runs)
        for (s, c, t), runs in samples.items()
    ]


def ratios(rows: list[Row]) -> list[dict[str, Any]]:
    """provisioner / peer and floor / peer for each setting and case where both were measured: wall time and peak RSS."""
    by_key = {(r.setting, r.case, r.tool): r for r in rows}
    out = []
    for row in rows:
        if row.tool not in ("provisioner", "floor"):
            continue
        for peer in PEERS:
            other = by_key.get((row.setting, row.case, peer))
            if other:
                time_ratio, rss_ratio = row.seconds / other.seconds, row.peak_mib / other.peak_mib
                out.append({"tool": row.tool, "setting": row.setting, "case": row.case, "peer": peer, "time": time_ratio, "rss": rss_ratio})
    return out


def print_report(rows: list[Row], found: list[dict[str, Any]], cases: dict[str, str], header: str) -> None:
    print(header)
    print(f"{'latency':9} {'case':36} {'tool':12} {'wall s':>8} {'peak MiB':>9} {'runs':>5}")
    for r in rows:
        print(f"{r.setting:9} {cases[r.case]:36} {r.tool:12} {r.seconds:8.2f} {r.peak_mib:9.1f} {len(r.samples):5}")
    for tool, title in (
        ("provisioner", "provisioner / peer, as time ratio / peak RSS ratio (of the medians; below 1 = provisioner better)"),
        ("floor", "floor / peer, time: the lowest ratio to each peer that any tool could reach against this endpoint"),
    ):
        pairs: dict[tuple[str, str], dict[str, str]] = {}
        for ratio in (r for r in found if r["tool"] == tool):
            shown = f"{ratio['time']:5.2f}x / {ratio['rss']:4.2f}x" if tool == "provisioner" else f"{ratio['time']:5.2f}x"
            pairs.setdefault((ratio["setting"], ratio["case"]), {})[ratio["peer"]] = shown
        if not pairs:
            continue
        print()
        print(title)
        print(f"{'latency':9} {'case':36} {'/ aws-cli':>16} {'/ rclone':>16}")
        for (setting, case), peers in pairs.items():
            print(f"{setting:9} {cases[case]:36} {peers.get('aws-cli', '-'):>16} {peers.get('rclone', '-'):>16}")


def write_json(path: Path, meta: dict[str, Any], rows: list[Row], found: list[dict[str, Any]]) -> None:
    results = [
        {
            "setting": r.setting,
            "case": r.case,
            "tool": r.tool,
            "median_seconds": r.seconds,
            "median_peak_mib": r.peak_mib,
            "seconds": [s.seconds for s in r.samples],
            "peak_kib": [s.peak_kib for s in r.samples],
        }
        for r in rows
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**meta, "results": results, "ratios": found}, indent=2) + "\n")


# --- main -----------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs per case, tool and setting; the median is reported (default 3)")
    parser.add_argument("--latency-runs", type=int, help="runs with added latency (default: --runs)")
    parser.add_argument("--latency-ms", type=int, default=15, help="ms added each way through toxiproxy; 0 skips that setting (default 15)")
    parser.add_argument("--quick", action="store_true", help="smoke check: 200 small files, 2 large, 1 run")
    parser.add_argument("--cases", default="small,large,noop", help="comma-separated subset of small,large,noop")
    parser.add_argument("--tools", default=",".join(TOOL_NAMES), help="comma-separated subset of " + ",".join(TOOL_NAMES))
    parser.add_argument("--provisioner", type=Path, default=REPO_ROOT / "dist" / "cli.js", help="the CLI to measure (default dist/cli.js)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds one command may take before it is killed (default 900)")
    parser.add_argument("--label", default="", help="a note kept with the results, e.g. which build of the CLI this is")
    parser.add_argument("--json", type=Path, help="where to write the results (default bench/results/transfer-<date>.json)")
    args = parser.parse_args()
    if args.quick:
        args.runs = 1
        args.latency_runs = 1
    if args.latency_runs is None:
        args.latency_runs = args.runs
    args.cases = [c for c in CASES if c.name in args.cases.split(",")]
    args.tools = [t for t in TOOL_NAMES if t in args.tools.split(",")]
    if not args.cases or not args.tools or args.runs < 1 or args.latency_runs < 1:
        parser.error("nothing to run: check --cases, --tools, --runs and --latency-runs")
    if not args.provisioner.exists():
        parser.error(f"{args.provisioner} does not exist: run 'npm run build' (or 'make build') first")
    return args


def data_specs(quick: bool) -> list[DataSet]:
    return [
        DataSet("small", 200 if quick else 2000, 16 * KIB, seed=10_016, per_dir=100),
        DataSet("large", 2 if quick else 8, 64 * MIB, seed=10_064, per_dir=0),
    ]


def _stop_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally blocks: tools, toxiproxy, moto, temp files


@dataclass
class Outcome:
    """What a benchmark run measured, and why it stopped early if it did."""

    settings: list[Setting] = field(default_factory=list)
    samples: dict[tuple[str, str, str], list[Sample]] = field(default_factory=dict)
    error: str = ""


def measure_everything(args: argparse.Namespace, tools: Tools, sets: dict[str, DataSet], scratch: Path) -> Outcome:
    """Start moto and toxiproxy, run every case, stop them whatever happens; a failure keeps what was measured."""
    import boto3  # the emulator's dependency, in .venv: lists what a tool uploaded

    outcome = Outcome()
    rclone_config = scratch / "rclone.conf"
    rclone_config.touch()
    moto = MotoServer(log=scratch / "moto.log")
    toxiproxy = Toxiproxy(tools.toxiproxy, scratch / "toxiproxy.log")
    try:
        moto_url = moto.start()
        outcome.settings.append(Setting("none", 0, moto_url, args.runs))
        if args.latency_ms > 0:
            toxiproxy.start()
            proxy_url = toxiproxy.latency_proxy(moto.port, args.latency_ms)
            outcome.settings.append(Setting(f"{args.latency_ms}ms", args.latency_ms, proxy_url, args.latency_runs))
        s3 = boto3.client("s3", endpoint_url=moto_url, region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
        bench = Bench(tools, sets, moto_url, s3, rclone_config, args.timeout, outcome.samples)
        bench.all(outcome.settings, args.cases, args.tools)
    except (MotoError, BenchError) as error:
        outcome.error = str(error)
        print(f"transfer_bench: {error}", file=sys.stderr)
    finally:
        toxiproxy.stop()
        moto.stop()
    return outcome


def report(args: argparse.Namespace, tools: Tools, sets: dict[str, DataSet], outcome: Outcome, started: datetime.datetime) -> None:
    """The table and ratios on stdout, the same as JSON in a file."""
    rows = summarize(outcome.samples)
    found = ratios(rows)
    titles = {c.name: c.title(sets) for c in args.cases}
    note = (
        f"{os.cpu_count()} cores, shared with whatever else runs here (load average {args.load_start:.2f} at the start, "
        f"{os.getloadavg()[0]:.2f} at the end); all tools and moto on the same machine; peak RSS is GNU time's "
        "'Maximum resident set size' (largest single process of each tool's tree)"
    )
    meta = {
        "started": started.isoformat(timespec="seconds"),
        "seconds": round((datetime.datetime.now(datetime.timezone.utc) - started).total_seconds()),
        "label": args.label,
        "note": note,
        "incomplete": outcome.error or None,
        "rss_method": "GNU /usr/bin/time %M: Maximum resident set size (largest process of the tree)",
        "runs": {s.name: s.runs for s in outcome.settings},
        "quick": args.quick,
        "cases": titles,
        "versions": tools.versions(),
    }
    runs = ", ".join(f"{s.name}: median of {s.runs}" for s in outcome.settings)
    label = f"{args.label}; " if args.label else ""
    incomplete = "INCOMPLETE, stopped by an error; " if outcome.error else ""
    print_report(rows, found, titles, f"transfer benchmark ({incomplete}{label}{runs}; {note})")
    out = args.json or RESULTS_DIR / f"transfer-{started.strftime('%Y%m%d-%H%M%S')}.json"
    write_json(out, meta, rows, found)
    print(f"\nresults: {out}")


def main() -> int:
    args = parse_args()
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _stop_on_signal)
    started = datetime.datetime.now(datetime.timezone.utc)
    args.load_start = os.getloadavg()[0]

    try:
        tools = Tools(cli_js=args.provisioner.resolve(), aws=aws_cli(), rclone=ensure_rclone(), toxiproxy=ensure_toxiproxy())
    except (BenchError, subprocess.CalledProcessError) as error:
        print(f"transfer_bench: could not install the tools: {error}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="transfer-bench-") as name:
        scratch = Path(name)
        print(f"writing data sets into {scratch}", file=sys.stderr)
        needed = {c.data for c in args.cases}
        sets = {spec.name: write_data_set(scratch, spec) for spec in data_specs(args.quick) if spec.name in needed}
        outcome = measure_everything(args, tools, sets, scratch)
    if outcome.samples:
        report(args, tools, sets, outcome, started)
    return 1 if outcome.error else 0


if __name__ == "__main__":
    sys.exit(main())
