#!/usr/bin/env python3
"""Regenerate rawdata/ from the npm package vega-datasets@3.2.1.

The package ships 3,000,000 US domestic flights as one zstd Parquet file and
an airports list as CSV. Raw data reaches the pipeline as gzip CSV, one file
per month, in Hive-style folders, so this script writes:

    rawdata/flights/year=2001/month=MM/flights-2001-MM.csv.gz
    rawdata/airports/airports.csv            (the source file, byte for byte)

Nothing is cleaned: every source row is written, in source order, with its
values as they are. The month folder is the calendar month of the row's
`date` value. `date` is written as `YYYY-MM-DD HH:MM:SS` (the source has
minute precision, so seconds are always 00).

The output is byte-for-byte reproducible: gzip headers carry no file name
and mtime 0, and rows keep the source order.

Usage:
    .venv/bin/python scripts/make_rawdata.py               # npm pack into a temp dir
    .venv/bin/python scripts/make_rawdata.py --source DIR  # an unpacked package (or its data/)
    .venv/bin/python scripts/make_rawdata.py --source vega-datasets-3.2.1.tgz
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

PACKAGE = "vega-datasets"
VERSION = "3.2.1"
FLIGHTS_FILE = "flights-3m.parquet"
AIRPORTS_FILE = "airports.csv"
FLIGHT_COLUMNS = ["date", "delay", "distance", "origin", "destination"]
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "rawdata"


def git_blob_sha1(path: Path) -> str:
    """The sha1 git gives a file's contents: what datapackage.json declares."""
    digest = hashlib.sha1(f"blob {path.stat().st_size}\0".encode())
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def npm_pack(workdir: Path) -> Path:
    """Download the package tarball with npm and return its path."""
    spec = f"{PACKAGE}@{VERSION}"
    result = subprocess.run(
        ["npm", "pack", spec, "--silent"],
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    )
    name = result.stdout.strip().splitlines()[-1]
    return workdir / name


def unpack(tarball: Path, workdir: Path) -> Path:
    with tarfile.open(tarball, "r:gz") as archive:
        archive.extractall(workdir, filter="data")
    return workdir / "package"


def locate_data_dir(source: Path) -> Path:
    """Accept an unpacked package root, its data/ folder, or a .tgz."""
    for candidate in (source / "data", source):
        if (candidate / FLIGHTS_FILE).is_file() and (candidate / AIRPORTS_FILE).is_file():
            return candidate
    raise SystemExit(f"{source}: no {FLIGHTS_FILE} and {AIRPORTS_FILE} found")


def verify_against_datapackage(data_dir: Path) -> None:
    """Check the files against the (git blob) sha1 sums the package itself declares."""
    manifest = data_dir / "datapackage.json"
    if not manifest.is_file():
        manifest = data_dir.parent / "datapackage.json"
    if not manifest.is_file():
        print("note: no datapackage.json next to the data; hashes not checked", file=sys.stderr)
        return
    resources = {r["path"]: r for r in json.loads(manifest.read_text())["resources"]}
    for name in (FLIGHTS_FILE, AIRPORTS_FILE):
        declared = resources[name]["hash"].removeprefix("sha1:")
        actual = git_blob_sha1(data_dir / name)
        if declared != actual:
            raise SystemExit(f"{name}: sha1 {actual} does not match datapackage.json ({declared})")


def flights_as_text(table: pa.Table) -> pa.Table:
    """Every column as text, `date` as YYYY-MM-DD HH:MM:SS."""
    date = table["date"]
    if not pa.types.is_timestamp(date.type) or date.null_count:
        raise SystemExit(f"unexpected date column: {date.type}, {date.null_count} nulls")
    # A safe cast to whole seconds fails rather than drop sub-second parts.
    seconds = pc.cast(date, pa.timestamp("s", tz=date.type.tz), safe=True)
    columns = {"date": pc.strftime(seconds, format=TIMESTAMP_FORMAT)}
    for name in FLIGHT_COLUMNS[1:]:
        columns[name] = pc.cast(table[name], pa.string())
    return pa.table(columns)


def csv_bytes(text_table: pa.Table) -> bytes:
    """Plain CSV with a header; none of the source values needs quoting."""
    buffer = io.StringIO()
    buffer.write(",".join(text_table.column_names) + "\n")
    columns = [text_table[name].to_pylist() for name in text_table.column_names]
    for row in zip(*columns, strict=True):
        for value in row:
            if value is None or any(ch in value for ch in ',"\n\r'):
                raise SystemExit(f"value needs quoting or is missing: {row!r}")
        buffer.write(",".join(row))
        buffer.write("\n")
    return buffer.getvalue().encode("utf-8")


def write_gzip(path: Path, payload: bytes) -> None:
    """gzip with no file name and mtime 0, so the bytes depend on the data only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw, gzip.GzipFile(
        filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0
    ) as zipped:
        zipped.write(payload)


def convert(data_dir: Path, out_dir: Path) -> dict[str, int]:
    table = pq.read_table(data_dir / FLIGHTS_FILE, columns=FLIGHT_COLUMNS)
    text = flights_as_text(table)
    years = pc.year(table["date"])
    months = pc.month(table["date"])

    flights_root = out_dir / "flights"
    if flights_root.exists():
        shutil.rmtree(flights_root)
    written: dict[str, int] = {}
    keys = sorted(set(zip(years.to_pylist(), months.to_pylist(), strict=True)))
    for year, month in keys:
        mask = pc.and_(pc.equal(years, year), pc.equal(months, month))
        part = text.filter(mask)  # filter keeps source order
        name = f"year={year}/month={month:02d}/flights-{year}-{month:02d}.csv.gz"
        write_gzip(flights_root / name, csv_bytes(part))
        written[name] = part.num_rows

    airports_dir = out_dir / "airports"
    airports_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(data_dir / AIRPORTS_FILE, airports_dir / AIRPORTS_FILE)

    if sum(written.values()) != table.num_rows:
        raise SystemExit("row count mismatch between source and output")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source",
        type=Path,
        help=f"unpacked {PACKAGE} package, its data/ folder, or the .tgz; default: npm pack {PACKAGE}@{VERSION}",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: rawdata/)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if args.source is None:
            source = unpack(npm_pack(workdir), workdir)
        elif args.source.is_file():
            source = unpack(args.source, workdir)
        else:
            source = args.source
        data_dir = locate_data_dir(source)
        verify_against_datapackage(data_dir)
        written = convert(data_dir, args.out)

    for name, rows in written.items():
        print(f"{rows:>9,d}  flights/{name}")
    print(f"{sum(written.values()):>9,d}  rows in {len(written)} files; airports/{AIRPORTS_FILE} copied")
    return 0


if __name__ == "__main__":
    sys.exit(main())
