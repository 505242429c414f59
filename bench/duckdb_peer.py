#!/usr/bin/env python3
"""The Glue job's work in DuckDB SQL: the benchmark's peer (see job_bench.py).

Reads the same folders as the job in paths mode and writes what a fresh run
of the job writes, under the same folder names:

    features/year=/quarter=/            the feature table (flights + previous-quarter aggregates)
    rejected/year=/quarter=/            quarantined rows with their reason
    aggregates/<name>/parquet/year=/quarter=/   route_quarter, origin_hour, day_of_week
    aggregates/<name>/csv/              the same, all quarters, one sorted CSV
    delivered/year=/quarter=/           every row read, as text (for equal work; not compared)
    drift/year=/quarter=/               a profile of each feature per quarter and its PSI (drift.py)

and, as the job's run manifest does, it hashes every input and output file
(SHA-256) and counts and digests each table's rows per quarter (for equal
work; not compared)

all Parquet (snappy) partitioned by year and quarter, under the rules of
glue-job/transforms.py, which this file follows step by step: the validation
rules in their order, the plain-decimal pattern, the two timestamp formats,
duplicates, the airports table, the per-flight features, the exact
aggregates and the previous-quarter join. Where the two engines differ on
input the benchmark never has, the comments below say so.

Runs in .venv-bench (DuckDB is not a dependency of the job):

    .venv-bench/bin/python bench/duckdb_peer.py --flights DIR --airports DIR --out DIR
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

THREADS = 2
MEMORY_LIMIT = "4GB"

# The rules and names of glue-job/transforms.py, which cannot be imported
# here (it needs pyspark); job_bench.py checks that they still match.

# transforms.PLAIN_DECIMAL_PATTERN, with Java's \s spelled out: RE2's \s
# lacks the vertical tab that Java's has. \d is ASCII in both.
JAVA_WHITESPACE = r"[ \t\n\x0B\f\r]"
PLAIN_DECIMAL_PATTERN = rf"^{JAVA_WHITESPACE}*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?{JAVA_WHITESPACE}*$"
# transforms.TIMESTAMP_FORMATS (Spark's patterns) -> the same for DuckDB's strptime.
TIMESTAMP_FORMATS = {"yyyy-MM-dd HH:mm:ss": "%Y-%m-%d %H:%M:%S", "yyyy-MM-dd HH:mm": "%Y-%m-%d %H:%M"}
MIN_DELAY_MINUTES = -120
MAX_DELAY_MINUTES = 24 * 60
DELAYED_THRESHOLD_MINUTES = 15
DISTANCE_BANDS = ((0, "0-250"), (250, "250-500"), (500, "500-1000"), (1000, "1000-2000"), (2000, "2000+"))

AGGREGATE_KEYS = {
    "route_quarter": ("origin", "destination", "route"),
    "origin_hour": ("origin", "hour"),
    "day_of_week": ("day_of_week",),
}
AGGREGATE_JOIN_KEYS = {
    "route_quarter": ("origin", "destination"),
    "origin_hour": ("origin", "hour"),
    "day_of_week": ("day_of_week",),
}
AGGREGATE_FEATURE_PREFIX = {"route_quarter": "route", "origin_hour": "origin_hour", "day_of_week": "day_of_week"}
MEASURES = ("flights", "mean_delay", "p90_delay", "share_delayed")
FLIGHT_FEATURE_COLUMNS = (
    "flight_date", "departure_time", "month", "day_of_month", "day_of_week", "hour", "is_weekend",
    "origin", "destination", "route", "origin_state", "origin_latitude", "origin_longitude",
    "destination_state", "destination_latitude", "destination_longitude",
    "distance_miles", "distance_band", "delay_minutes", "delayed",
)
REASONS = (
    "wrong_column_count", "duplicate", "unparseable_timestamp", "non_numeric_delay", "absurd_delay",
    "non_numeric_distance", "non_positive_distance", "unknown_origin", "unknown_destination",
)
# drift.py's features, the inner edges of their bins, the percentiles of a profile and the
# least share a bin counts as in the PSI.
NUMERIC_FEATURES = {
    "delay_minutes": (-15, -5, 0, 5, 15, 30, 60, 120, 240),
    "distance_miles": (250, 500, 750, 1000, 1500, 2000, 3000),
    "hour": (6, 9, 12, 15, 18, 21),
    "day_of_week": (2, 3, 4, 5, 6, 7),
    "day_of_month": (8, 15, 22, 29),
    "origin_latitude": (25, 30, 35, 40, 45, 50),
    "origin_longitude": (-120, -110, -100, -90, -80),
    "destination_latitude": (25, 30, 35, 40, 45, 50),
    "destination_longitude": (-120, -110, -100, -90, -80),
    "route_prev_quarter_mean_delay": (-5, 0, 5, 10, 15, 20, 30),
    "route_prev_quarter_share_delayed": (0.1, 0.2, 0.3, 0.4, 0.5),
    "origin_hour_prev_quarter_mean_delay": (-5, 0, 5, 10, 15, 20, 30),
}
CODE_FEATURES = ("origin", "destination", "route")
QUANTILES = (1, 5, 25, 50, 75, 95, 99)
MIN_SHARE = 1e-4
REJECTED_COLUMNS = (
    "date", "delay", "distance", "origin", "destination",
    "reject_reason", "source_file", "source_year", "source_month", "year", "quarter",
)


def previous_quarter_columns() -> list[str]:
    """transforms.previous_quarter_columns: the aggregate feature columns, in table order."""
    return [f"{AGGREGATE_FEATURE_PREFIX[name]}_prev_quarter_{m}" for name in AGGREGATE_KEYS for m in MEASURES]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _csv_glob(folder: Path) -> str:
    # The job reads every file whose name matches *.csv* (pathGlobFilter).
    if folder.is_file():
        return str(folder)
    return str(folder / "**" / "*.csv*")


def _read_csv(path: Path, hive: bool) -> str:
    """A read of every column as text, as Spark's CSV reader does it without a schema.

    Comma, double quote, an empty field is null. Spark escapes with a
    backslash, this reader with a doubled quote (RFC 4180): the two differ only
    on a field with a quote inside, and the one such field there is (an
    airport's name) is never used.
    """
    options = ["all_varchar = true", "header = true", "delim = ','", "quote = '\"'"]
    if hive:
        # The job reads year=/month= as partition columns and parses them itself.
        options += ["hive_partitioning = true", "hive_types = {'year': 'VARCHAR', 'month': 'VARCHAR'}", "filename = true"]
    return f"read_csv({_quote(_csv_glob(path))}, {', '.join(options)})"


def _plain_decimal(name: str) -> str:
    """transforms._plain_decimal: the value of a plain decimal number, else null (±inf past a double)."""
    return f"CASE WHEN regexp_full_match({name}, {_quote(PLAIN_DECIMAL_PATTERN)}) THEN TRY_CAST(trim({name}) AS DOUBLE) END"


def _finite_decimal(name: str) -> str:
    value = _plain_decimal(name)
    return f"CASE WHEN isfinite({value}) THEN {value} END"


def _try_int(name: str) -> str:
    return f"TRY_CAST(trim({name}) AS INTEGER)"


def _parse_timestamp(name: str) -> str:
    """Spark's try_to_timestamp with either format (CORRECTED parser), else null.

    Spark wants every field at its full width, where DuckDB's strptime also
    takes '2001-1-5 9:00:00': the shape is checked first. (One difference is
    left: year 0000, which Spark refuses and DuckDB reads as 1 BC.)
    """
    shape = _quote(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?")
    parses = ", ".join(f"try_strptime(trim({name}), {_quote(f)})" for f in TIMESTAMP_FORMATS.values())
    return f"CASE WHEN regexp_full_match(trim({name}), {shape}) THEN coalesce({parses}) END"


def _distance_band(miles: str) -> str:
    whens = " ".join(f"WHEN {miles} >= {lower} THEN {_quote(label)}" for lower, label in reversed(DISTANCE_BANDS))
    return f"CASE {whens} END"


def airports_sql(airports: Path) -> str:
    """transforms.prepare_airports: one row per trimmed IATA code, the smallest (state, lat, lon) kept.

    Spark orders a struct's null fields first; DuckDB's min() over a struct
    would put them last, so the order is spelled out.
    """
    return f"""
        SELECT iata, state, latitude, longitude
        FROM (
            SELECT trim(iata) AS iata, trim(state) AS state,
                   {_finite_decimal('latitude')} AS latitude, {_finite_decimal('longitude')} AS longitude
            FROM {_read_csv(airports, hive=False)}
        )
        WHERE iata IS NOT NULL AND iata <> ''
        QUALIFY row_number() OVER (
            PARTITION BY iata ORDER BY state NULLS FIRST, latitude NULLS FIRST, longitude NULLS FIRST
        ) = 1
    """


def classified_sql(flights: Path) -> str:
    """normalise_flights, with_quarter, mark_duplicates and classify_marked, as one query.

    wrong_column_count is not reproduced: Spark keeps such a row (its raw line
    in _corrupt_record) and DuckDB's reader has no equal of that; this reader
    stops on such a row instead (strict), which the benchmark data has none of.
    So the column is false throughout and the rules start at `duplicate`.

    Duplicates: the same raw values as an earlier row by file name, then
    position in the file. The reader gives no position, so rows within one
    file are ranked arbitrarily: identical raw values in the same file give
    the same outputs whichever of them is kept.

    Rows carry the number of their file in name order (table `files`), not
    its name: the table is a third the size, and the order is the same.
    """
    delay, distance = "_delay", "_distance"
    # Reason -> the test that gives it; the first that holds wins (REASONS order).
    rules = {
        "wrong_column_count": "p.wrong_column_count",
        "duplicate": "p._duplicate",
        "unparseable_timestamp": "p.departure_time IS NULL",
        # `% 1` is fmod: -3.5 gives -0.5, and an infinite delay is absurd, not fractional.
        "non_numeric_delay": f"{delay} IS NULL OR (isfinite({delay}) AND fmod({delay}, 1) <> 0)",
        "absurd_delay": f"{delay} < {MIN_DELAY_MINUTES} OR {delay} > {MAX_DELAY_MINUTES}",
        "non_numeric_distance": f"{distance} IS NULL",
        "non_positive_distance": f"{distance} <= 0",
        "unknown_origin": "o.iata IS NULL",
        "unknown_destination": "d.iata IS NULL",
    }
    assert tuple(rules) == REASONS
    month = _try_int("month")
    return f"""
        WITH read AS (
            SELECT date, delay, distance, origin, destination,
                   false AS wrong_column_count,
                   f.file_id,
                   {_try_int('year')} AS source_year,
                   CASE WHEN {month} BETWEEN 1 AND 12 THEN {month} END AS source_month
            FROM {_read_csv(flights, hive=True)} r
            LEFT JOIN files f ON r.filename = f.source_file
        ),
        parsed AS (
            SELECT *,
                   {_parse_timestamp('date')} AS departure_time,
                   {_plain_decimal('delay')} AS {delay},
                   {_finite_decimal('distance')} AS {distance},
                   trim(origin) AS origin_code,
                   trim(destination) AS destination_code,
                   row_number() OVER (
                       PARTITION BY wrong_column_count, date, delay, distance, origin, destination
                       ORDER BY file_id
                   ) > 1 AS _duplicate
            FROM read
        )
        SELECT p.date, p.delay, p.distance, p.origin, p.destination, p.wrong_column_count,
               p.file_id, p.source_year, p.source_month,
               p.departure_time,
               CASE WHEN {delay} BETWEEN {MIN_DELAY_MINUTES} AND {MAX_DELAY_MINUTES}
                    THEN CAST(trunc({delay}) AS INTEGER) END AS delay_minutes,
               {distance} AS distance_miles,
               p.origin_code, p.destination_code,
               o.state AS origin_state, o.latitude AS origin_latitude, o.longitude AS origin_longitude,
               d.state AS destination_state, d.latitude AS destination_latitude, d.longitude AS destination_longitude,
               CASE {" ".join(f"WHEN {rule} THEN {_quote(reason)}" for reason, rule in rules.items())} END AS reject_reason,
               CAST(CASE WHEN p.departure_time IS NOT NULL THEN year(p.departure_time)
                         ELSE p.source_year END AS INTEGER) AS year,
               CAST(CASE WHEN p.departure_time IS NOT NULL THEN quarter(p.departure_time)
                         ELSE (p.source_month - 1) // 3 + 1 END AS INTEGER) AS quarter
        FROM parsed p
        LEFT JOIN airports o ON p.origin_code = o.iata
        LEFT JOIN airports d ON p.destination_code = d.iata
    """


def files_sql(flights: Path) -> str:
    """Every file the flights read takes, numbered in name order."""
    return f"SELECT file AS source_file, row_number() OVER (ORDER BY file) AS file_id FROM glob({_quote(_csv_glob(flights))})"


def with_source_file(columns: str, where: str = "") -> str:
    """Columns of `classified` (naming source_file) for rows that pass `where`."""
    return f"SELECT {columns} FROM classified c JOIN files USING (file_id) {where}"


def flights_sql() -> str:
    """transforms.flight_rows over the usable rows of `classified`."""
    ts = "departure_time"
    return f"""
        SELECT CAST({ts} AS DATE) AS flight_date,
               {ts} AS departure_time,
               CAST(month({ts}) AS INTEGER) AS month,
               CAST(day({ts}) AS INTEGER) AS day_of_month,
               CAST(isodow({ts}) AS INTEGER) AS day_of_week,
               CAST(hour({ts}) AS INTEGER) AS hour,
               isodow({ts}) >= 6 AS is_weekend,
               origin_code AS origin,
               destination_code AS destination,
               concat_ws('-', origin_code, destination_code) AS route,
               origin_state, origin_latitude, origin_longitude,
               destination_state, destination_latitude, destination_longitude,
               distance_miles,
               {_distance_band('distance_miles')} AS distance_band,
               delay_minutes,
               delay_minutes >= {DELAYED_THRESHOLD_MINUTES} AS delayed,
               year, quarter
        FROM classified
        WHERE reject_reason IS NULL
    """


def aggregate_sql(name: str) -> str:
    """transforms._exact_measures for one aggregate, exact.

    The mean and the share are an exact integer sum over the count, as the
    job computes them. p90 is the nearest rank, the ceil(0.9 n)-th smallest
    delay: DuckDB's quantile_disc with the DECIMAL 0.9 picks index
    max(1, n - floor(0.1 n)) - 1 in integer arithmetic, which is that rank.
    """
    keys = ", ".join(("year", "quarter", *AGGREGATE_KEYS[name]))
    return f"""
        SELECT {keys},
               count(*) AS flights,
               CAST(sum(delay_minutes) AS DOUBLE) / count(*) AS mean_delay,
               quantile_disc(delay_minutes, 0.9) AS p90_delay,
               CAST(count_if(delayed) AS DOUBLE) / count(*) AS share_delayed
        FROM flights
        GROUP BY {keys}
    """


def features_sql() -> str:
    """transforms.with_previous_quarter: each flight plus the aggregates of quarter q - 1."""
    joins, columns = [], []
    for i, (name, keys) in enumerate(AGGREGATE_JOIN_KEYS.items()):
        alias = f"a{i}"
        on = " AND ".join(
            [f"{alias}.{k} = f.{k}" for k in keys]
            + [f"{alias}.year * 4 + {alias}.quarter = f.year * 4 + f.quarter - 1"]
        )
        joins.append(f"LEFT JOIN {name} {alias} ON {on}")
        prefix = AGGREGATE_FEATURE_PREFIX[name]
        columns += [f"{alias}.{m} AS {prefix}_prev_quarter_{m}" for m in MEASURES]
    flight_columns = ", ".join(f"f.{c}" for c in FLIGHT_FEATURE_COLUMNS)
    return f"SELECT {flight_columns}, {', '.join(columns)}, f.year, f.quarter FROM flights f {' '.join(joins)}"


def numeric_profile_sql(name: str) -> str:
    """drift._numeric_cells for one feature, per quarter: rows, nulls, mean, min, max, the
    nearest-rank percentiles of QUANTILES (quantile_disc with DECIMAL fractions picks the
    ceil(p n / 100)-th smallest value, as aggregate_sql says of p90) and rows per bin."""
    edges = NUMERIC_FEATURES[name]
    bin_of = " + ".join(f"CAST({name} >= {float(e)} AS INTEGER)" for e in edges)
    fractions = ", ".join(f"{p / 100:.2f}" for p in QUANTILES)
    bins = ", ".join(f"count(*) FILTER (bin = {i})" for i in range(len(edges) + 1))
    return f"""
        SELECT year, quarter, count(*) AS rows, count(*) - count({name}) AS nulls,
               avg({name}) AS mean, CAST(min({name}) AS DOUBLE) AS min, CAST(max({name}) AS DOUBLE) AS max,
               CAST(quantile_disc({name}, [{fractions}]) AS DOUBLE[]) AS quantiles, [{bins}] AS bins
        FROM (SELECT year, quarter, {name}, {bin_of} AS bin FROM features)
        GROUP BY year, quarter
    """


def psi(current: list[int], reference: list[int]) -> float | None:
    """drift.psi: the population stability index of two bin counts, None if either is empty."""
    now_total, before_total = sum(current), sum(reference)
    if not now_total or not before_total:
        return None
    score = 0.0
    for now, before in zip(current, reference, strict=True):
        a, e = max(now / now_total, MIN_SHARE), max(before / before_total, MIN_SHARE)
        score += (a - e) * math.log(a / e)
    return score


def drift_rows(con: Any) -> list[tuple]:
    """drift.profiles and drift.with_psi for a fresh run: each quarter's profile of each feature,
    with the PSI of the numeric ones against the quarter before when it has one."""
    profiles: dict[tuple[int, int, str], dict[str, Any]] = {}
    for name, edges in NUMERIC_FEATURES.items():
        for year, quarter, rows, nulls, mean, low, high, quantiles, bins in con.execute(numeric_profile_sql(name)).fetchall():
            profiles[(year, quarter, name)] = {
                "kind": "numeric", "rows": rows, "nulls": nulls, "mean": mean, "min": low, "max": high,
                "quantiles": quantiles or [None] * len(QUANTILES),
                "distinct": None, "edges": [float(e) for e in edges], "bins": bins,
            }
    quarter_rows = {(y, q): p["rows"] for (y, q, _), p in profiles.items()}
    codes = con.execute(
        "SELECT year, quarter, count(DISTINCT origin), count(DISTINCT destination), count(DISTINCT route) "
        "FROM route_quarter GROUP BY year, quarter"
    ).fetchall()
    distinct = {(y, q): dict(zip(CODE_FEATURES, counts, strict=True)) for y, q, *counts in codes}
    for (year, quarter), rows in quarter_rows.items():
        for name in CODE_FEATURES:
            profiles[(year, quarter, name)] = {
                "kind": "code", "rows": rows, "nulls": 0, "mean": None, "min": None, "max": None,
                "quantiles": [None] * len(QUANTILES), "distinct": distinct.get((year, quarter), {}).get(name),
                "edges": None, "bins": None,
            }
    found = []
    for (year, quarter, name), profile in profiles.items():
        before = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
        reference = profiles.get((*before, name))
        score = None
        if reference is not None and profile["bins"] is not None and reference["bins"] is not None:
            score = psi(profile["bins"], reference["bins"])
        found.append((
            name, profile["kind"], profile["rows"], profile["nulls"], profile["mean"], profile["min"], profile["max"],
            *profile["quantiles"], profile["distinct"], profile["edges"], profile["bins"], score,
            before[0] if reference else None, before[1] if reference else None, year, quarter,
        ))
    return found


# drift.SCHEMA, in its order.
DRIFT_COLUMNS = (
    "feature VARCHAR", "kind VARCHAR", "rows BIGINT", "nulls BIGINT", "mean DOUBLE", "min DOUBLE", "max DOUBLE",
    *(f"p{p:02d} DOUBLE" for p in QUANTILES),
    "\"distinct\" BIGINT", "edges DOUBLE[]", "bins BIGINT[]", "psi DOUBLE", "against_year INTEGER",
    "against_quarter INTEGER", "year INTEGER", "quarter INTEGER",
)


def table_digests(con: Any, tables: dict[str, str]) -> list[tuple]:
    """The run manifest's rows per table and quarter, and an order-free digest of each table's rows
    (the sum of their hashes), for each query of `tables` by name."""
    found = []
    for table, query in tables.items():
        found += [(table, *r) for r in con.execute(
            f"SELECT year, quarter, count(*), sum(CAST(hash(COLUMNS(* EXCLUDE (year, quarter))) AS HUGEINT)) "
            f"FROM ({query}) GROUP BY year, quarter"
        ).fetchall()]
    return found


def file_checksums(*folders: Path) -> dict[str, str]:
    """The run manifest's SHA-256 of every file under `folders`."""
    sums = {}
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest = hashlib.sha256()
            with path.open("rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    digest.update(chunk)
            sums[str(path)] = digest.hexdigest()
    return sums


def run(flights: Path, airports: Path, out: Path, temp_dir: Path | None) -> dict[str, object]:
    # Here, not at the top: job_bench.py imports this module's rules without DuckDB.
    import duckdb  # type: ignore[import-not-found]

    con = duckdb.connect(config={"threads": THREADS, "memory_limit": MEMORY_LIMIT})
    # Row order means nothing in any output (the job does not keep it either);
    # keeping it makes DuckDB's partitioned writes about twice as slow.
    con.execute("SET preserve_insertion_order = false")
    if temp_dir is not None:
        con.execute(f"SET temp_directory = {_quote(str(temp_dir))}")
    out.mkdir(parents=True, exist_ok=True)
    steps: dict[str, float] = {}

    def step(label: str, sql: str) -> None:
        started = time.perf_counter()
        con.execute(sql)
        steps[label] = round(time.perf_counter() - started, 2)

    def write(label: str, query: str, folder: Path) -> None:
        folder.parent.mkdir(parents=True, exist_ok=True)
        step(label, f"COPY ({query}) TO {_quote(str(folder))} "
                    "(FORMAT parquet, COMPRESSION snappy, PARTITION_BY (year, quarter))")

    step("airports", f"CREATE TEMP TABLE airports AS {airports_sql(airports)}")
    step("files", f"CREATE TEMP TABLE files AS {files_sql(flights)}")
    step("classify", f"CREATE TEMP TABLE classified AS {classified_sql(flights)}")
    unmatched = con.execute("SELECT count(*) FROM classified WHERE file_id IS NULL").fetchone()
    if unmatched is None or unmatched[0]:
        raise SystemExit(f"rows whose file the glob did not list: {unmatched}")
    counts = con.execute("SELECT count(*), count(*) FILTER (reject_reason IS NULL) FROM classified").fetchone()

    # The tables that need every row first, so that they can go before the features.
    rejected = with_source_file(", ".join(REJECTED_COLUMNS), "WHERE reject_reason IS NOT NULL")
    delivered = with_source_file("date, delay, distance, origin, destination, wrong_column_count, source_file, "
                                 "source_year, source_month, c.rowid AS row_order, year, quarter")
    write("rejected", rejected, out / "rejected")
    write("delivered", delivered, out / "delivered")
    started = time.perf_counter()
    digests = table_digests(con, {"rejected": rejected, "delivered": delivered})
    steps["manifest"] = round(time.perf_counter() - started, 2)
    step("flights", f"CREATE TEMP TABLE flights AS {flights_sql()}")
    con.execute("DROP TABLE classified")

    for name in AGGREGATE_KEYS:
        step(name, f"CREATE TEMP TABLE {name} AS {aggregate_sql(name)}")
    write("features", features_sql(), out / "features")
    # As the job does, the drift profile and the digests read the feature table back.
    con.execute(f"CREATE TEMP VIEW features AS SELECT * FROM read_parquet("
                f"{_quote(str(out / 'features' / '**' / '*.parquet'))}, hive_partitioning = true)")
    started = time.perf_counter()
    con.execute(f"CREATE TEMP TABLE drift ({', '.join(DRIFT_COLUMNS)})")
    con.executemany(f"INSERT INTO drift VALUES ({', '.join('?' for _ in DRIFT_COLUMNS)})", drift_rows(con))
    steps["drift_profile"] = round(time.perf_counter() - started, 2)
    write("drift", "SELECT * FROM drift", out / "drift")
    for name, keys in AGGREGATE_KEYS.items():
        folder = out / "aggregates" / name
        write(f"{name}_parquet", f"SELECT * FROM {name}", folder / "parquet")
        (folder / "csv").mkdir(parents=True, exist_ok=True)
        order = ", ".join(("year", "quarter", *keys))
        step(f"{name}_csv", f"COPY (SELECT * FROM {name} ORDER BY {order}) TO "
                            f"{_quote(str(folder / 'csv' / 'part-00000.csv'))} (HEADER)")

    started = time.perf_counter()
    digests += table_digests(con, {name: f"SELECT * FROM {name}" for name in ("features", "drift", *AGGREGATE_KEYS)})
    checksums = file_checksums(flights, airports, out)
    steps["manifest"] += round(time.perf_counter() - started, 2)
    (out / "manifest.json").write_text(json.dumps({"tables": digests, "files": checksums}, default=str))
    con.close()
    read, written = counts if counts is not None else (0, 0)
    return {"rows": {"read": read, "written": written, "rejected": read - written}, "steps_seconds": steps}


def main() -> int:
    parser = argparse.ArgumentParser(description="The Glue job's work in DuckDB (benchmark peer)")
    parser.add_argument("--flights", type=Path, required=True, help="raw flights folder (Hive year=/month=)")
    parser.add_argument("--airports", type=Path, required=True, help="airports folder or CSV file")
    parser.add_argument("--out", type=Path, required=True, help="output folder (should be empty)")
    parser.add_argument("--temp-dir", type=Path, help="where DuckDB spills past its memory limit")
    args = parser.parse_args()
    summary = run(args.flights, args.airports, args.out, args.temp_dir)
    print("PEER_REPORT " + json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
