#!/usr/bin/env python3
"""Benchmark of the Glue job on local Spark, side by side with a DuckDB peer.

Not a test: it prints figures and ratios and asserts no timing. What it does
assert is that the job and the peer agree on what they wrote (see
agreement.py); any disagreement, or a run that fails, makes the exit code 1.

The job is glue-job/job.py exactly as a local run does it (paths mode,
local[2], Spark's default 1g of driver memory unless --driver-memory says
otherwise). The peer, duckdb_peer.py, does the same work in DuckDB SQL over
the same files (2 threads, 4 GB memory limit). The data sets are copies of
rawdata/ moved on in time (datasets.py), 3 million rows each, cached under
.bench-data/. Every tool runs in its own process, timed from start to exit;
peak memory is the largest resident size of the process and its children
(the JVM) together, sampled every 50 ms, as is their CPU time. The CPU that
other processes used meanwhile is shown beside ("others' CPU"): on a busy
machine every time is inflated, so compare only runs where it is near 0.
Nothing is kept from one case to the next but the data sets.

Cases:

    fresh-<N>m       the job over N million rows (copies 0 .. N/3-1) into an empty
                     folder, then the peer over the same; outputs compared
    history-3m       the job over copy 0 (3M rows), then, timed, over one delivery
                     (copy 1 alone, 3M new rows) into that same output
    history-9m       the same over copies 0-2 (9M rows), delivery copy 3
    delivery-fresh   the job over copy 3 alone into an empty folder

For the history cases the output after the delivery is compared with the
peer's over all of history and the delivery (it has no incremental mode).
Ratios printed: job / DuckDB per fresh case; the job's 12M / 3M time;
t(history-9m) / t(history-3m) (what 6M more rows of history cost a delivery)
and t(history-9m) / t(delivery-fresh) (what any history costs it). The job's
RUN_REPORT line is read for its row counts and, where it has them, Spark's
spill figures.

    .venv/bin/python bench/job_bench.py [--sizes 3,12] [--no-history] [--cases fresh-3m,history]
                                        [--driver-memory 1g] [--skip-peer] [--keep DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import datasets

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO_ROOT / "bench"
JOB = REPO_ROOT / "glue-job" / "job.py"
BENCH_VENV = REPO_ROOT / ".venv-bench"
DUCKDB_VERSION = "2.0.0"
CORES = 2
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")
# Other processes using more CPU than this (in cores) during a run are reported.
BUSY_MACHINE = 0.25
REPORT_PREFIX = "RUN_REPORT "
PEER_PREFIX = "PEER_REPORT "
AGREEMENT_PREFIX = "AGREEMENT "
HISTORY_COPIES = {"history-3m": 1, "history-9m": 3}
DELIVERY_COPY = 3  # the delivery of history-9m, also run fresh


# ---------------------------------------------------------------------------
# Measuring


def _children(pid: int) -> list[int]:
    found = []
    # A process or thread can end at any point of the walk.
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _tree(pid: int) -> dict[int, tuple[int, int]]:
    """Each live process of the tree under `pid`: (resident bytes, CPU ticks used so far)."""
    found, stack = {}, [pid]
    while stack:
        current = stack.pop()
        try:
            rss = int(Path(f"/proc/{current}/statm").read_text().split()[1]) * PAGE
            # Fields after the command name, which may hold blanks: utime and stime are the 12th and 13th.
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            found[current] = (rss, int(fields[11]) + int(fields[12]))
        except (OSError, IndexError, ValueError):
            continue
        stack += _children(current)
    return found


def _busy_ticks() -> int:
    """CPU ticks the whole machine has spent busy (not idle, not waiting on I/O) since boot."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return user + nice + system + irq + softirq + steal


@dataclass
class Run:
    wall_seconds: float
    peak_rss_bytes: int
    # CPU time of the command's processes, and of everything else on the
    # machine meanwhile (in cores: 1.0 = one core busy all along): the
    # figures mean little when the second is large.
    cpu_seconds: float
    other_cores: float
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def line(self, prefix: str) -> dict[str, Any] | None:
        """The JSON document of the stdout line starting with `prefix`."""
        for text in self.stdout.splitlines():
            if text.startswith(prefix):
                document: dict[str, Any] = json.loads(text[len(prefix):])
                return document
        return None

    def failure(self) -> str:
        """The most telling line of a failed run's stderr."""
        lines = [s.strip() for s in self.stderr.splitlines() if s.strip()]
        for marker in ("OutOfMemoryError", "error:", "Error", "Exception"):
            for text in lines:
                if marker in text:
                    return text[:300]
        return lines[-1][:300] if lines else f"exit code {self.returncode}"


def measured(cmd: list[str], env: dict[str, str] | None = None) -> Run:
    """Run a command to its end: wall time, peak RSS and CPU time of its process tree, output."""
    busy_before = _busy_ticks()
    started = time.perf_counter()
    process = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    ticks: dict[int, int] = {}
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            tree = _tree(process.pid)
            peak = max(peak, sum(rss for rss, _ in tree.values()))
            ticks.update({pid: cpu for pid, (_, cpu) in tree.items()})
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    # A process's last ticks before it ended (at most one sampling period) are not seen.
    own = sum(ticks.values())
    other = max(0, _busy_ticks() - busy_before - own)
    return Run(wall, peak, own / TICKS, other / TICKS / wall, process.returncode, stdout, stderr)


def spark_env(driver_memory: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYSPARK_SUBMIT_ARGS"] = (
        f"--master local[{CORES}] --driver-memory {driver_memory} "
        "--conf spark.ui.showConsoleProgress=false pyspark-shell"
    )
    return env


def bench_python() -> Path:
    """The Python of .venv-bench, with DuckDB installed in it (made on first use)."""
    python = BENCH_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
    probe = subprocess.run([str(python), "-c", "import duckdb; print(duckdb.__version__)"],
                           capture_output=True, text=True)
    if probe.returncode != 0 or probe.stdout.strip() != DUCKDB_VERSION:
        subprocess.run([str(BENCH_VENV / "bin" / "pip"), "install", "--quiet", f"duckdb=={DUCKDB_VERSION}"], check=True)
    return python


def peer_rule_differences() -> list[str]:
    """The rules and names the peer copies from transforms.py that no longer match it."""
    sys.path.insert(0, str(REPO_ROOT / "glue-job"))
    import drift
    import duckdb_peer as peer
    import transforms

    pairs = {
        "PLAIN_DECIMAL_PATTERN": (
            transforms.PLAIN_DECIMAL_PATTERN, peer.PLAIN_DECIMAL_PATTERN.replace(peer.JAVA_WHITESPACE, r"\s")),
        "TIMESTAMP_FORMATS": (tuple(transforms.TIMESTAMP_FORMATS), tuple(peer.TIMESTAMP_FORMATS)),
        "REASONS": (tuple(transforms.REASONS), peer.REASONS),
        "delay bounds": ((transforms.MIN_DELAY_MINUTES, transforms.MAX_DELAY_MINUTES),
                         (peer.MIN_DELAY_MINUTES, peer.MAX_DELAY_MINUTES)),
        "DELAYED_THRESHOLD_MINUTES": (transforms.DELAYED_THRESHOLD_MINUTES, peer.DELAYED_THRESHOLD_MINUTES),
        "DISTANCE_BANDS": (tuple(transforms.DISTANCE_BANDS), peer.DISTANCE_BANDS),
        "AGGREGATE_KEYS": (dict(transforms.AGGREGATE_KEYS), peer.AGGREGATE_KEYS),
        "AGGREGATE_JOIN_KEYS": (dict(transforms.AGGREGATE_JOIN_KEYS), peer.AGGREGATE_JOIN_KEYS),
        "AGGREGATE_FEATURE_PREFIX": (dict(transforms.AGGREGATE_FEATURE_PREFIX), peer.AGGREGATE_FEATURE_PREFIX),
        "MEASURES": (tuple(transforms.MEASURES), peer.MEASURES),
        "FLIGHT_FEATURE_COLUMNS": (tuple(transforms.FLIGHT_FEATURE_COLUMNS), peer.FLIGHT_FEATURE_COLUMNS),
        "REJECTED_COLUMNS": (tuple(transforms.REJECTED_COLUMNS), peer.REJECTED_COLUMNS),
        "drift NUMERIC_FEATURES": (dict(drift.NUMERIC_FEATURES), peer.NUMERIC_FEATURES),
        "drift CODE_FEATURES": (tuple(drift.CODE_FEATURES), peer.CODE_FEATURES),
        "drift QUANTILES": (tuple(drift.QUANTILES), peer.QUANTILES),
        "drift MIN_SHARE": (drift.MIN_SHARE, peer.MIN_SHARE),
        "DUPLICATE_KEY": (tuple(transforms.DUPLICATE_KEY),
                          ("wrong_column_count", "date", "delay", "distance", "origin", "destination")),
    }
    return [f"{name}: transforms.py {job!r}, peer {ours!r}" for name, (job, ours) in pairs.items() if job != ours]


# ---------------------------------------------------------------------------
# Cases


@dataclass
class Case:
    name: str
    rows: str
    job: dict[str, Any] | None = None
    peer: dict[str, Any] | None = None
    preparation: dict[str, Any] | None = None
    agreement: dict[str, Any] | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.errors) or (self.agreement is not None and not all(
            table.get("agree") for table in self.agreement.values()))


def _figures(run: Run) -> dict[str, Any]:
    return {"wall_seconds": round(run.wall_seconds, 1), "peak_rss_bytes": run.peak_rss_bytes,
            "cpu_seconds": round(run.cpu_seconds, 1), "other_processes_cores": round(run.other_cores, 2)}


def _run_text(run: Run) -> str:
    text = f"{run.wall_seconds:.1f} s, peak {mib(run.peak_rss_bytes)}, CPU {run.cpu_seconds:.0f} s"
    if run.other_cores > BUSY_MACHINE:
        text += f" (other processes busy: {run.other_cores:.1f} cores on average)"
    return text


def _spill(report: dict[str, Any] | None) -> dict[str, Any] | None:
    """The run report's Spark figures, if it has them (keys may vary)."""
    spark = (report or {}).get("spark")
    return spark if isinstance(spark, dict) else None


def _steps_text(spark: dict[str, Any] | None) -> list[str]:
    """One line per step of the job's run report (wall and task seconds), where the time went."""
    steps = (spark or {}).get("steps") or []
    return [f"{s['name']:40s} {s['seconds']:7.1f} s wall {s['task_seconds']:7.1f} s in tasks" for s in steps]


class Bench:
    def __init__(self, args: argparse.Namespace, workdir: Path) -> None:
        self.args = args
        self.workdir = workdir
        self.env = spark_env(args.driver_memory)
        self.peer_python = None if args.skip_peer else bench_python()

    def job(self, flights: Path, out: Path, label: str) -> tuple[dict[str, Any], str | None]:
        print(f"  job  {label} ...", end=" ", flush=True)
        run = measured([sys.executable, str(JOB), "--flights_path", str(flights),
                        "--airports_path", str(datasets.RAW_AIRPORTS), "--output_path", str(out)], self.env)
        report = run.line(REPORT_PREFIX) if run.ok else None
        figures = _figures(run)
        figures["ok"] = run.ok and report is not None
        if report is not None:
            figures["seconds_after_spark_start"] = report.get("duration_seconds")
            figures["rows"] = report.get("rows")
            figures["spark"] = _spill(report)
        spill = f", spill {_spill_text(figures)}" if figures.get("spark") else ""
        print(f"{_run_text(run)}{spill}", flush=True)
        for line in _steps_text(figures.get("spark")):
            print(f"    {line}", flush=True)
        if not figures["ok"]:
            error = run.failure() if not run.ok else "no RUN_REPORT line on stdout"
            print(f"    FAILED: {error}", flush=True)
            return figures, f"job {label}: {error}"
        return figures, None

    def peer(self, flights: Path, out: Path, label: str) -> tuple[dict[str, Any], str | None]:
        assert self.peer_python is not None
        print(f"  peer {label} ...", end=" ", flush=True)
        run = measured([str(self.peer_python), str(BENCH_DIR / "duckdb_peer.py"), "--flights", str(flights),
                        "--airports", str(datasets.RAW_AIRPORTS), "--out", str(out),
                        "--temp-dir", str(out.parent / "duckdb-tmp")])
        report = run.line(PEER_PREFIX) if run.ok else None
        figures = _figures(run)
        figures.update(ok=report is not None, rows=(report or {}).get("rows"),
                       steps_seconds=(report or {}).get("steps_seconds"))
        print(_run_text(run), flush=True)
        if report is None:
            print(f"    FAILED: {run.failure()}", flush=True)
            return figures, f"peer {label}: {run.failure()}"
        return figures, None

    def agree(self, case: Case, job_out: Path, peer_out: Path) -> None:
        assert self.peer_python is not None
        run = measured([str(self.peer_python), str(BENCH_DIR / "agreement.py"), str(job_out), str(peer_out)])
        result = run.line(AGREEMENT_PREFIX)
        if result is None:
            case.errors.append(f"agreement check: {run.failure()}")
            return
        case.agreement = result
        for table, figures in result.items():
            verdict = "agree" if figures.get("agree") else "DISAGREE"
            detail = {k: v for k, v in figures.items() if k != "agree" and v not in ([], 0, None)}
            print(f"    {table:26s} {verdict:8s} {json.dumps(detail, default=str)}", flush=True)

    def folder(self, case: str) -> Path:
        folder = self.workdir / case
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        return folder

    def done(self, case: str) -> None:
        if self.args.keep is None:
            shutil.rmtree(self.workdir / case, ignore_errors=True)

    def fresh(self, name: str, flights: Path, rows: str) -> Case:
        """The job, then the peer, over the same files into empty folders; --rounds times, taking
        turns, so that a slower spell of the machine falls on both tools alike."""
        case = Case(name, rows)
        folder = self.folder(name)
        jobs: list[dict[str, Any]] = []
        peers: list[dict[str, Any]] = []
        for round_number in range(1, self.args.rounds + 1):
            turn = f" (round {round_number} of {self.args.rounds})" if self.args.rounds > 1 else ""
            for side in ("job", "peer"):
                shutil.rmtree(folder / side, ignore_errors=True)
            figures, error = self.job(flights, folder / "job", f"{rows} fresh{turn}")
            case.errors += [error] if error else []
            jobs.append(figures)
            if self.peer_python is not None:
                figures, error = self.peer(flights, folder / "peer", f"{rows} fresh{turn}")
                case.errors += [error] if error else []
                peers.append(figures)
            if case.errors:
                break
        case.job, case.peer = _median_run(jobs), _median_run(peers)
        if case.peer is not None and not case.errors:
            self.agree(case, folder / "job", folder / "peer")
        self.done(name)
        return case

    def history(self, name: str, copies: int) -> Case:
        """Copies 0..h-1 as history (not in the table), then copy h as one timed delivery."""
        history_rows = copies * datasets.ROWS_PER_COPY // 1_000_000
        case = Case(name, f"3M (+{history_rows}M history)")
        folder = self.folder(name)
        out = folder / "job"
        case.preparation, error = self.job(datasets.dataset(range(copies)), out, f"{history_rows}M history (preparation)")
        if error:
            case.errors.append(error)
            self.done(name)
            return case
        case.job, error = self.job(datasets.dataset([copies]), out, f"delivery of copy {copies}")
        case.errors += [error] if error else []
        if self.peer_python is not None and not case.errors:
            # The peer has no incremental mode: it runs over history and delivery together.
            everything = datasets.dataset(range(copies + 1))
            case.peer, error = self.peer(everything, folder / "peer", f"{history_rows + 3}M fresh (agreement only)")
            case.errors += [error] if error else []
            if not case.errors:
                self.agree(case, out, folder / "peer")
        self.done(name)
        return case


# ---------------------------------------------------------------------------
# Reporting


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The run of median wall time (the lower middle of an even count), with every round's time."""
    if not runs:
        return None
    ordered = sorted(runs, key=lambda r: r.get("wall_seconds") or 0.0)
    return {**ordered[(len(ordered) - 1) // 2], "rounds_wall_seconds": [r.get("wall_seconds") for r in runs]}


def mib(n: int | None) -> str:
    return "-" if n is None else f"{n / 2**20:,.0f} MiB"


def _seconds(figures: dict[str, Any] | None) -> float | None:
    if figures is None or not figures.get("ok"):
        return None
    value = figures.get("wall_seconds")
    return float(value) if value is not None else None


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def _spill_text(figures: dict[str, Any] | None) -> str:
    spark = (figures or {}).get("spark")
    if not spark:
        return "n/a"
    return f"{mib(spark.get('memory_spilled_bytes'))} / {mib(spark.get('disk_spilled_bytes'))}"


def _others_text(case: Case) -> str:
    """CPU that other processes used meanwhile (job / DuckDB): the timings are only fair near 0."""
    values = [f.get("other_processes_cores") for f in (case.job, case.peer) if f is not None]
    return " / ".join("-" if v is None else f"{v:.2f}" for v in values) or "-"


def _agreement_text(case: Case) -> str:
    if case.errors:
        return "failed"
    if case.agreement is None:
        return "-"
    return "agree" if not case.failed else "DISAGREE"


def table(cases: list[Case]) -> list[str]:
    def cell(value: float | None, unit: str = "") -> str:
        return "-" if value is None else f"{value:.1f}{unit}" if unit != "x" else f"{value:.2f}x"

    lines = [
        "| case | rows | job s | DuckDB s | job/DuckDB | job peak RSS | DuckDB peak RSS | job spill (memory / disk) "
        "| outputs | others' CPU, cores |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for case in cases:
        job_s = _seconds(case.job)
        # A history case's peer ran over all of history: its time is not comparable.
        peer_s = None if case.name in HISTORY_COPIES else _seconds(case.peer)
        peer_rss = None if case.name in HISTORY_COPIES or case.peer is None else case.peer["peak_rss_bytes"]
        lines.append(
            f"| {case.name} | {case.rows} | {cell(job_s)} | {cell(peer_s)} | {cell(_ratio(job_s, peer_s), 'x')} "
            f"| {mib(case.job['peak_rss_bytes'] if case.job else None)} | {mib(peer_rss)} "
            f"| {_spill_text(case.job)} | {_agreement_text(case)} | {_others_text(case)} |"
        )
    return lines


def ratios(cases: list[Case]) -> dict[str, float | None]:
    by_name = {c.name: c for c in cases}

    def seconds(name: str) -> float | None:
        return _seconds(by_name[name].job) if name in by_name else None

    return {
        "job_12m_over_3m": _ratio(seconds("fresh-12m"), seconds("fresh-3m")),
        "delivery_9m_history_over_3m_history": _ratio(seconds("history-9m"), seconds("history-3m")),
        "delivery_9m_history_over_fresh_delivery": _ratio(seconds("history-9m"), seconds("delivery-fresh")),
    }


# ---------------------------------------------------------------------------
# Entry


def _size(name: str) -> int:
    """N of a case named fresh-<N>m."""
    return int(name[len("fresh-"):-1])


def case_names(args: argparse.Namespace) -> list[str]:
    """The cases to run, in order: those of --sizes and the history ones, or those --cases names."""
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
        names = [f"fresh-{size}m" for size in sizes]
        history = [*HISTORY_COPIES, "delivery-fresh"]
        default = names + ([] if args.no_history else history)
        picked = _picked(args.cases, names, history) if args.cases else default
        for name in picked:
            if name.startswith("fresh-"):
                datasets.copies_for_millions(_size(name))  # a size that is no multiple of 3 stops here
        return picked
    except ValueError as error:
        raise SystemExit(str(error)) from None


def _picked(cases: str, names: list[str], history: list[str]) -> list[str]:
    groups = {"fresh": names, "history": history}
    picked = [n for w in cases.split(",") if w.strip() for n in groups.get(w.strip(), [w.strip()])]
    unknown = [n for n in picked if n not in history and not re.fullmatch(r"fresh-\d+m", n)]
    if unknown:
        raise SystemExit(f"unknown case(s) {unknown}: give fresh-<N>m, {', '.join(history)}, or the groups fresh, history")
    return list(dict.fromkeys(picked))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="3,12", help="fresh cases, millions of rows (multiples of 3; default 3,12)")
    parser.add_argument("--no-history", action="store_true", help="skip the history and delivery-fresh cases")
    parser.add_argument("--cases", help="comma-separated case names (or the groups fresh, history) to run")
    parser.add_argument("--driver-memory", default="1g", help="Spark driver memory (default 1g, Spark's own default)")
    parser.add_argument("--skip-peer", action="store_true", help="run the job only (no DuckDB, no agreement check)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="fresh cases: run the job and the peer this many times, taking turns, and take each one's median")
    parser.add_argument("--keep", type=Path, help="keep the outputs in this folder (default: a temp folder, removed)")
    args = parser.parse_args()
    names = case_names(args)
    if not args.skip_peer:
        differences = peer_rule_differences()
        if differences:
            print("the DuckDB peer no longer follows glue-job/transforms.py:", *differences, sep="\n  ", file=sys.stderr)
            return 1

    started = time.perf_counter()
    needed: list[list[int]] = []
    for name in names:
        if name.startswith("fresh-"):
            needed.append(list(datasets.copies_for_millions(_size(name))))
        elif name in HISTORY_COPIES:
            h = HISTORY_COPIES[name]
            needed += [list(range(h)), [h], list(range(h + 1))]
        else:
            needed.append([DELIVERY_COPY])
    for copies in needed:
        datasets.dataset(copies)
    print(f"data sets ready in {time.perf_counter() - started:.1f} s (cached under {datasets.CACHE})", flush=True)

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="job-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"{CORES} cores, driver memory {args.driver_memory}, cases {', '.join(names)}", flush=True)
    cases: list[Case] = []
    try:
        bench = Bench(args, workdir)
        for name in names:
            print(f"{name}:", flush=True)
            if name.startswith("fresh-"):
                size = _size(name)
                cases.append(bench.fresh(name, datasets.fresh_set(size), f"{size}M"))
            elif name in HISTORY_COPIES:
                cases.append(bench.history(name, HISTORY_COPIES[name]))
            else:
                cases.append(bench.fresh(name, datasets.dataset([DELIVERY_COPY]), f"3M (copy {DELIVERY_COPY} alone)"))
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)

    found = ratios(cases)
    print()
    print("\n".join(table(cases)))
    print()
    labels = {
        "job_12m_over_3m": "job 12M / 3M (linearity; 4.0 = linear)",
        "delivery_9m_history_over_3m_history": "delivery after 9M history / after 3M history",
        "delivery_9m_history_over_fresh_delivery": "delivery after 9M history / the delivery alone, fresh",
    }
    for key, label in labels.items():
        value = found[key]
        print(f"{label:56s} {'-' if value is None else f'{value:.2f}'}")
    busy = [c.name for c in cases for f in (c.job, c.peer) if f and f.get("other_processes_cores", 0) > BUSY_MACHINE]
    if busy:
        print(f"other processes kept the machine busy during {', '.join(sorted(set(busy)))}: those times are inflated")
    for case in cases:
        rounds = {side: (f or {}).get("rounds_wall_seconds") or [] for side, f in (("job", case.job), ("DuckDB", case.peer))}
        if len(rounds["job"]) > 1:
            by_round = [_ratio(j, p) for j, p in zip(rounds["job"], rounds["DuckDB"], strict=False)]
            print(f"{case.name} rounds (the table shows the median of each): job {rounds['job']} s, "
                  f"DuckDB {rounds['DuckDB']} s, job / DuckDB by round {by_round}")
        spark = (case.job or {}).get("spark") or {}
        if spark.get("slowest_stage"):
            print(f"{case.name} slowest Spark stage: {json.dumps(spark['slowest_stage'], default=str)}")
        if spark.get("advice"):
            print(f"{case.name} Spark advice: {spark['advice']}")
        if case.preparation is not None:
            print(f"{case.name} preparation (history build, untimed above): {case.preparation['wall_seconds']} s")
        for error in case.errors:
            print(f"{case.name} FAILED: {error}")
        if case.agreement is not None and case.failed:
            bad = [t for t, figures in case.agreement.items() if not figures.get("agree")]
            print(f"{case.name} DISAGREE on {', '.join(bad)}")

    results = {
        "settings": {"cores": CORES, "driver_memory": args.driver_memory, "duckdb": DUCKDB_VERSION,
                     "peer": not args.skip_peer},
        "cases": {c.name: {"rows": c.rows, "job": c.job, "peer": c.peer, "preparation": c.preparation,
                           "agreement": c.agreement, "errors": c.errors} for c in cases},
        "ratios": found,
    }
    print("RESULTS " + json.dumps(results, default=str))
    failed = [c.name for c in cases if c.failed]
    if failed:
        print(f"failed or disagreeing: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
