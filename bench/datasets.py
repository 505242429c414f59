#!/usr/bin/env python3
"""Larger flight data sets for the job benchmark, made from rawdata/ and cached.

Copy k of the real data is every row of rawdata/flights/ with its `date`
moved k * 6 calendar months on (a day past the new month's end becomes its
last day: Mar 31 + 6 months = Sep 30), the time of day and the
`yyyy-MM-dd HH:mm:ss` text kept. Every other byte of a line is the source's.
Copy 0 is the real data itself, so the copies follow each other without
overlap: copy 1 is Jul-Dec 2001 (plus the six 1 Jan 2002 departures), copy 2
Jan-Jun 2002, and so on. A value that is not a `yyyy-MM-dd` date is left as it
is (the real data has none).

Each file of copy k goes under the Hive folders of its moved month, named
apart from every other copy's (flights-2001-07-k1.csv.gz, ...), gzip CSV
with the source header. A data set is a run of copies presented as one
folder of symlinks, the root both the job and the DuckDB peer read:

    .bench-data/<VERSION>/copies/k<k>/flights/year=Y/month=MM/flights-Y-MM-k<k>.csv.gz
    .bench-data/<VERSION>/sets/copies-<first>-<last>/flights/year=Y/month=MM/<file> -> the copy's file

Built once and kept: a copy or a set is reused when its folder is marked
complete. Changing how copies are made means changing VERSION.

    .venv/bin/python bench/datasets.py 3,12,24     # build the sets of 3M, 12M and 24M rows
"""

from __future__ import annotations

import argparse
import calendar
import gzip
import re
import shutil
import sys
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
RAW_FLIGHTS = REPO_ROOT / "rawdata" / "flights"
RAW_AIRPORTS = REPO_ROOT / "rawdata" / "airports"
CACHE = REPO_ROOT / ".bench-data"
# Part of every cached path: a new version builds beside the old one.
VERSION = "v1"
ROWS_PER_COPY = 3_000_000
MONTHS_PER_COPY = 6
HEADER = b"date,delay,distance,origin,destination"
COMPLETE = ".complete"
# zlib's usual level: files about the size of the source's.
GZIP_LEVEL = 6
THREADS = 2

_DATE = re.compile(rb"(\d{4})-(\d{2})-(\d{2})")
_FOLDER = re.compile(r"year=(\d{4})/month=(\d{2})")


def _root() -> Path:
    return CACHE / VERSION


def shift_month(year: int, month: int, months: int) -> tuple[int, int]:
    total = year * 12 + (month - 1) + months
    return total // 12, total % 12 + 1


def shift_date(text: bytes, months: int) -> bytes:
    """`yyyy-MM-dd` moved `months` calendar months on, the day kept within the month; else unchanged."""
    match = _DATE.fullmatch(text)
    if match is None:
        return text
    year, month, day = (int(g) for g in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]):
        return text
    new_year, new_month = shift_month(year, month, months)
    if new_year > 9999:
        return text
    new_day = min(day, calendar.monthrange(new_year, new_month)[1])
    return b"%04d-%02d-%02d" % (new_year, new_month, new_day)


def shift_lines(data: bytes, months: int) -> bytes:
    """A whole CSV file (header first) with the date of each line moved `months` on.

    `date` is the first field, so its date is a line's first ten bytes; the
    rest of the line (time of day, other fields, line ending) stays as it is.
    """
    header, newline, body = data.partition(b"\n")
    if header.rstrip(b"\r") != HEADER:
        raise ValueError(f"unexpected header {header[:200]!r}")
    lines = body.split(b"\n")
    moved = {prefix: shift_date(prefix, months) for prefix in {line[:10] for line in lines}}
    return header + newline + b"\n".join([moved[line[:10]] + line[10:] for line in lines])


def _source_files() -> list[tuple[Path, int, int]]:
    """(file, year, month of its folder) of every raw flights file."""
    found = []
    for path in sorted(RAW_FLIGHTS.rglob("*.csv.gz")):
        match = _FOLDER.search(path.relative_to(RAW_FLIGHTS).as_posix())
        if match is None:
            raise ValueError(f"{path} is not under year=YYYY/month=MM/")
        found.append((path, int(match.group(1)), int(match.group(2))))
    if not found:
        raise SystemExit(f"no flights under {RAW_FLIGHTS}")
    return found


def _copy_dir(k: int) -> Path:
    return _root() / "copies" / f"k{k}"


def _copy_one(source: Path, target: Path, months: int) -> None:
    data = shift_lines(gzip.decompress(source.read_bytes()), months)
    target.parent.mkdir(parents=True, exist_ok=True)
    # mtime 0: the same bytes on every build.
    target.write_bytes(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))


def copy_files(k: int) -> list[Path]:
    """The files of copy k, building the copy if needed (copy 0: the raw files themselves)."""
    if k == 0:
        return [path for path, _, _ in _source_files()]
    folder = _copy_dir(k)
    months = k * MONTHS_PER_COPY
    plan = []
    for source, year, month in _source_files():
        new_year, new_month = shift_month(year, month, months)
        name = f"flights-{new_year:04d}-{new_month:02d}-k{k}.csv.gz"
        plan.append((source, folder / "flights" / f"year={new_year:04d}" / f"month={new_month:02d}" / name))
    if not (folder / COMPLETE).exists():
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        with ThreadPoolExecutor(THREADS) as pool:  # zlib lets go of the GIL
            list(pool.map(lambda job: _copy_one(job[0], job[1], months), plan))
        (folder / COMPLETE).write_text(VERSION + "\n")
        print(f"  built copy {k} in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return [target for _, target in plan]


def _flights_root(path: Path) -> Path:
    """The `flights` folder a data file lies under (its Hive folders start below it)."""
    for parent in path.parents:
        if parent.name == "flights":
            return parent
    raise ValueError(f"{path} is not under a flights/ folder")


def dataset(copies: Iterable[int]) -> Path:
    """The flights folder of the set of these consecutive copies (symlinks), built if needed."""
    ks = sorted(set(copies))
    if not ks or ks != list(range(ks[0], ks[-1] + 1)):
        raise ValueError(f"copies must be consecutive: {ks}")
    folder = _root() / "sets" / f"copies-{ks[0]}-{ks[-1]}"
    flights = folder / "flights"
    # A set made from another checkout links into it: made again when a link broke.
    if (folder / COMPLETE).exists() and all(link.exists() for link in flights.rglob("*.csv*")):
        return flights
    shutil.rmtree(folder, ignore_errors=True)
    for k in ks:
        for target in copy_files(k):
            link = flights / target.relative_to(_flights_root(target))
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(target.resolve())
    (folder / COMPLETE).write_text(VERSION + "\n")
    return flights


def copies_for_millions(millions: int) -> range:
    """Copies 0..N/3-1: the set of N million rows."""
    per_copy = ROWS_PER_COPY // 1_000_000
    if millions <= 0 or millions % per_copy:
        raise ValueError(f"a data set has a multiple of {per_copy} million rows, not {millions}")
    return range(millions // per_copy)


def fresh_set(millions: int) -> Path:
    return dataset(copies_for_millions(millions))


def main() -> int:
    parser = argparse.ArgumentParser(description="Build the benchmark's data sets (cached under .bench-data/)")
    parser.add_argument("sizes", nargs="?", default="3,12", help="millions of rows, comma separated (multiples of 3)")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"{size}M rows: {fresh_set(size)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
