#!/usr/bin/env python3
"""The one way this repository starts a local moto server (the AWS emulator).

scripts/demo.sh, scripts/image-test.sh, the integration tests (test/integration/support/moto.ts)
and bench/sync_bench.py all start moto through this file, so they pick ports, wait, log and stop
the same way:

  - runs .venv/bin/moto_server (else moto_server on PATH) on 127.0.0.1 only, on the given port or
    a free one (a free port that another process takes first is retried with a new one);
  - waits, at most --timeout seconds (30), until GET /moto-api/data.json answers;
  - fails with the tail of moto's log when moto exits early or never answers;
  - stops moto with SIGTERM, then SIGKILL if it is still there after a few seconds.

As a program it stays in the foreground as moto's parent and is the handle to it:

    python3 scripts/moto_launcher.py [--port N] [--log FILE] [--timeout S] [--watch-stdin] [--patch NAME]...

prints one line, the endpoint URL (http://127.0.0.1:PORT), once moto answers, then waits.
SIGTERM, SIGINT or SIGHUP to it stops moto and ends it with status 0; --watch-stdin also stops
when its stdin closes, so moto goes away with a parent that dies without cleaning up. If moto
exits on its own, it ends non-zero with moto's log tail on stderr. Moto runs in its own session
(a Ctrl-C reaches it only through the launcher) and, on Linux, is killed if the launcher is
killed outright. Without --log, moto's log is a temporary file removed on exit.

From bash, read the URL from a process substitution and keep the pid to stop it:
    exec {fd}< <(exec python3 scripts/moto_launcher.py --log moto.log); pid=$!
    read -r url <&"$fd" || exit 1   # empty: moto did not start; the reason is on stderr
    ...; kill "$pid"; wait "$pid"
From Node, spawn it and read the first line of stdout (test/integration/support/moto.ts).
From Python, import it: `with MotoServer() as moto: moto.url` (only the standard library).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

HOST = "127.0.0.1"  # loopback only: the emulator accepts any credentials
REPO_ROOT = Path(__file__).resolve().parent.parent
READY_PATH = "/moto-api/data.json"
STOP_GRACE_SECONDS = 5.0
PORT_ATTEMPTS = 3
LOG_TAIL_LINES = 40


class MotoError(RuntimeError):
    """moto did not start (the message ends with the tail of its log)."""


def moto_executable() -> str:
    """The venv's moto_server, as `make install` creates it, else the one on PATH."""
    local = REPO_ROOT / ".venv" / "bin" / "moto_server"
    if os.access(local, os.X_OK):
        return str(local)
    found = shutil.which("moto_server")
    if not found:
        raise MotoError(f"moto_server is neither at {local} nor on PATH: run 'make install'")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    tail = text.splitlines()[-lines:]
    return "\n".join(tail) if tail else "(the log is empty)"


# No proxies: the endpoint is on this machine whatever HTTP_PROXY says.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _answers(url: str) -> bool:
    try:
        with _opener.open(url + READY_PATH, timeout=2) as response:
            response.read()
            return True
    except urllib.error.HTTPError:
        return True  # something answered; moto's readiness endpoint returns 200
    except OSError:
        return False


def _load_prctl() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_prctl = _load_prctl()
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In moto's process before exec: get SIGTERM when the launcher dies (Linux)."""
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class MotoServer:
    """One moto server on 127.0.0.1; start() waits until it answers, stop() ends it."""

    def __init__(
        self, port: int = 0, log: str | os.PathLike[str] | None = None, timeout: float = 30.0, patches: list[str] | None = None
    ) -> None:
        self.requested_port = port
        # Named start-up patches (scripts/moto_patches.py): moto then runs from this Python, patched.
        self.patches = list(patches or [])
        self.timeout = timeout
        self._own_log = log is None
        if log is None:
            fd, name = tempfile.mkstemp(prefix="moto-", suffix=".log")
            os.close(fd)
            log = name
        self.log = Path(log)
        self.port = 0
        self.url = ""
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        """Start moto and return its URL once /moto-api/data.json answers; else MotoError (moto stopped)."""
        command = (
            [sys.executable, str(REPO_ROOT / "scripts" / "moto_patches.py"), *(arg for name in self.patches for arg in ("--patch", name))]
            if self.patches
            else [moto_executable()]
        )
        attempts = 1 if self.requested_port else PORT_ATTEMPTS
        for attempt in range(1, attempts + 1):
            self.port = self.requested_port or free_port()
            self.url = f"http://{HOST}:{self.port}"
            with open(self.log, "ab") as log:
                self.process = subprocess.Popen(
                    [*command, "-H", HOST, "-p", str(self.port)],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    preexec_fn=_die_with_parent if _prctl is not None else None,
                )
            deadline = time.monotonic() + self.timeout
            while True:
                code = self.process.poll()
                if code is not None:
                    self.process = None
                    tail = log_tail(self.log)
                    if attempt < attempts and "Address already in use" in tail:
                        break  # the free port was taken meanwhile: try another
                    self.stop()
                    raise MotoError(f"moto_server exited early (status {code}) on port {self.port}:\n{tail}")
                if _answers(self.url):
                    return self.url
                if time.monotonic() > deadline:
                    self.stop(remove_log=False)
                    tail = log_tail(self.log)
                    self.stop()
                    raise MotoError(f"moto_server did not answer on {self.url} within {self.timeout:g} s:\n{tail}")
                time.sleep(0.1)
        raise MotoError("unreachable")  # pragma: no cover

    def stop(self, remove_log: bool = True) -> None:
        """SIGTERM, then SIGKILL after a few seconds. Safe to call more than once."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if remove_log and self._own_log:
            self.log.unlink(missing_ok=True)

    def __enter__(self) -> MotoServer:
        self.start()
        return self

    def __exit__(self, _type: type[BaseException] | None, _value: BaseException | None, _tb: TracebackType | None) -> None:
        self.stop()


class _StopRequested(Exception):
    pass


def _request_stop(_signum: int, _frame: object) -> None:
    raise _StopRequested


def _watch_stdin() -> None:
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except (OSError, ValueError):
        pass
    os.kill(os.getpid(), signal.SIGTERM)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run a local moto server on 127.0.0.1; print its URL when it answers.")
    parser.add_argument("--port", type=int, default=0, help="port to use (default: a free one)")
    parser.add_argument("--log", help="file for moto's output (default: a temporary file, removed on exit)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for moto to answer (default: 30)")
    parser.add_argument("--watch-stdin", action="store_true", help="also stop when stdin reaches end of file")
    parser.add_argument("--patch", action="append", default=[], help="a start-up patch of scripts/moto_patches.py (repeatable)")
    args = parser.parse_args(argv)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, _request_stop)
    moto = MotoServer(port=args.port, log=args.log, timeout=args.timeout, patches=args.patch)
    try:
        try:
            url = moto.start()
        except MotoError as error:
            print(f"moto_launcher: {error}", file=sys.stderr)
            return 1
        try:
            print(url, flush=True)
        except BrokenPipeError:
            return 1  # nobody reads the URL: stop again
        if args.watch_stdin:
            threading.Thread(target=_watch_stdin, daemon=True).start()
        process = moto.process
        assert process is not None
        code = process.wait()
        moto.process = None
        print(f"moto_launcher: moto_server exited on its own (status {code}):\n{log_tail(moto.log)}", file=sys.stderr)
        return code if code > 0 else 1
    except _StopRequested:
        return 0
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        moto.stop()


if __name__ == "__main__":
    sys.exit(main())
