"""Transforms on small hand-made DataFrames, with exact expected rows."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

import pytest
from pyspark.sql import functions as F

import transforms

NORMALISED_SCHEMA = (
    "date string, delay string, distance string, origin string, destination string, "
    "wrong_column_count boolean, source_file string, source_year int, source_month int, row_order long"
)
AIRPORTS = [
    ("AAA", "Alpha Field", "Alpha", "CA", "USA", "34.5", "-118.25"),
    ("BBB", "Beta Intl", "Beta", "NY", "USA", "40.75", "-73.5"),
    ("CCC", "Gamma", "Gamma", "TX", "USA", "29.0", "-95.0"),
]


@pytest.fixture(scope="module")
def airports(spark):
    raw = spark.createDataFrame(
        AIRPORTS, "iata string, name string, city string, state string, country string, latitude string, longitude string"
    )
    return transforms.prepare_airports(raw)


def normalised(spark, rows, source=("f.csv", 2001, 1), wrong_column_count=()):
    """Rows of (date, delay, distance, origin, destination) as normalise_flights would give them.

    `wrong_column_count` holds the indexes of rows the CSV reader found with more
    or fewer fields than the header.
    """
    data = [(*row, index in wrong_column_count, *source, index) for index, row in enumerate(rows)]
    return spark.createDataFrame(data, NORMALISED_SCHEMA)


def flights_of(spark, airports, rows):
    return transforms.flight_rows(transforms.classify(normalised(spark, rows), airports), airports)


# ---------------------------------------------------------------------------
# Inputs


def test_normalise_takes_partitions_from_columns_and_turns_typed_values_into_text(spark):
    raw = spark.createDataFrame(
        [(dt.datetime(2001, 1, 1, 0, 1), 33, 2176, "LAS", "PHL", "2001", "01"),
         (dt.datetime(2001, 1, 1, 0, 2), -4, 215, "ATL", "SAV", "2001", "13")],
        "date timestamp, delay long, distance long, origin string, destination string, year string, month string",
    )
    rows = transforms.normalise_flights(raw).orderBy("row_order").collect()
    assert [tuple(r)[:5] for r in rows] == [
        ("2001-01-01 00:01:00", "33", "2176", "LAS", "PHL"),
        ("2001-01-01 00:02:00", "-4", "215", "ATL", "SAV"),
    ]
    assert [r.wrong_column_count for r in rows] == [False, False]
    assert [(r.source_year, r.source_month) for r in rows] == [(2001, 1), (2001, None)]
    assert rows[0].row_order < rows[1].row_order


def test_normalise_takes_partitions_from_the_file_path_without_partition_columns(spark, tmp_path):
    folder = tmp_path / "flights" / "year=2001" / "month=05"
    folder.mkdir(parents=True)
    (folder / "part.csv").write_text("date,delay,distance,origin,destination\n2001-05-01 10:00:00,1,100,AAA,BBB\n")
    raw = spark.read.option("header", True).option("recursiveFileLookup", True).csv(str(tmp_path / "flights"))
    assert "year" not in raw.columns
    row = transforms.normalise_flights(raw).collect()[0]
    assert (row.source_year, row.source_month) == (2001, 5)
    assert row.source_file.endswith("/year=2001/month=05/part.csv")


def test_normalise_flags_the_rows_the_csv_reader_found_malformed(spark):
    raw = spark.createDataFrame(
        [("2001-01-01 00:01:00", "33", "2176", "LAS", "PHL", None),
         ("2001-01-01 00:01:00", "33", "2176", "LAS", "PHL", "2001-01-01 00:01:00,33,2176,LAS,PHL,9")],
        f"date string, delay string, distance string, origin string, destination string, {transforms.CORRUPT_RECORD} string",
    )
    rows = transforms.normalise_flights(raw).orderBy("row_order").collect()
    assert [r.wrong_column_count for r in rows] == [False, True]


def test_normalise_refuses_input_without_the_raw_columns(spark):
    with pytest.raises(ValueError, match="delay"):
        transforms.normalise_flights(spark.createDataFrame([("x",)], "date string"))


def test_prepare_airports_types_values_and_keeps_one_row_per_code(spark):
    raw = spark.createDataFrame(
        [(" AAA ", "CA", "34.5", "-118.25"), ("AAA", "AZ", "1", "2"), ("", "TX", "1", "1"),
         (None, "TX", "1", "1"), ("DDD", "WA", "north", "-120")],
        "iata string, state string, latitude string, longitude string",
    )
    rows = sorted(tuple(r) for r in transforms.prepare_airports(raw).collect())
    assert rows == [("AAA", "AZ", 1.0, 2.0, 1), ("DDD", "WA", None, -120.0, 2)]


# ---------------------------------------------------------------------------
# Validation


def test_every_row_is_used_or_gets_exactly_one_reason(spark, airports):
    cases = [
        (("2001-01-02 08:05:00", "20", "300", "AAA", "BBB"), None),
        (("2001-01-02 08:05:00", "20", "300", "AAA", "BBB"), "duplicate"),
        (("2001-02-30 10:00:00", "5", "300", "AAA", "BBB"), "unparseable_timestamp"),
        (("yesterday", "5", "300", "AAA", "BBB"), "unparseable_timestamp"),
        ((None, "5", "300", "AAA", "BBB"), "unparseable_timestamp"),
        (("2001-1-2 08:05:00", "5", "300", "AAA", "BBB"), "unparseable_timestamp"),
        (("2001-01-02 09:00:00", "abc", "300", "AAA", "BBB"), "non_numeric_delay"),
        (("2001-01-02 09:01:00", "12.5", "300", "AAA", "BBB"), "non_numeric_delay"),
        (("2001-01-02 09:02:00", "", "300", "AAA", "BBB"), "non_numeric_delay"),
        (("2001-01-02 09:03:00", None, "300", "AAA", "BBB"), "non_numeric_delay"),
        (("2001-01-02 09:04:00", "-121", "300", "AAA", "BBB"), "absurd_delay"),
        (("2001-01-02 09:05:00", "1441", "300", "AAA", "BBB"), "absurd_delay"),
        (("2001-01-02 09:06:00", "-120", "300", "AAA", "BBB"), None),
        (("2001-01-02 09:07:00", "1440", "300", "AAA", "BBB"), None),
        (("2001-01-02 09:08:00", "3", "far", "AAA", "BBB"), "non_numeric_distance"),
        (("2001-01-02 09:09:00", "3", "NaN", "AAA", "BBB"), "non_numeric_distance"),
        (("2001-01-02 09:10:00", "3", "0", "AAA", "BBB"), "non_positive_distance"),
        (("2001-01-02 09:11:00", "3", "-5", "AAA", "BBB"), "non_positive_distance"),
        (("2001-01-02 09:12:00", "3", "300", "ZZZ", "BBB"), "unknown_origin"),
        (("2001-01-02 09:13:00", "3", "300", None, "BBB"), "unknown_origin"),
        (("2001-01-02 09:14:00", "3", "300", "AAA", "YYY"), "unknown_destination"),
        # the first failing rule wins
        (("garbage", "abc", "-1", "ZZZ", "YYY"), "unparseable_timestamp"),
        (("2001-01-02 09:15:00", "9999", "-1", "ZZZ", "YYY"), "absurd_delay"),
        # a repeat of a bad row is a duplicate
        (("2001-01-02 09:00:00", "abc", "300", "AAA", "BBB"), "duplicate"),
        # accepted variants: minute format, padding, whole numbers written as decimals
        (("2001-01-02 10:00", " 7 ", "300.0", " AAA", "BBB "), None),
        (("2001-01-02 10:01:00", "7.0", "1e3", "AAA", "CCC"), None),
        (("2001-01-02 10:02:00", "+5", "300.", "AAA", "CCC"), None),
        # plain decimal numbers only: no Java type suffixes, hexadecimal, words
        (("2001-01-02 10:03:00", "15d", "300", "AAA", "BBB"), "non_numeric_delay"),
        (("2001-01-02 10:04:00", "15F", "300", "AAA", "BBB"), "non_numeric_delay"),
        (("2001-01-02 10:05:00", "0x1p4", "300", "AAA", "BBB"), "non_numeric_delay"),
        (("2001-01-02 10:06:00", "Infinity", "300", "AAA", "BBB"), "non_numeric_delay"),
        (("2001-01-02 10:07:00", "NaN", "300", "AAA", "BBB"), "non_numeric_delay"),
        (("2001-01-02 10:08:00", "1_000", "300", "AAA", "BBB"), "non_numeric_delay"),
        (("2001-01-02 10:09:00", "5", "300d", "AAA", "BBB"), "non_numeric_distance"),
        (("2001-01-02 10:10:00", "5", "0x1p8", "AAA", "BBB"), "non_numeric_distance"),
        (("2001-01-02 10:11:00", "5", "Infinity", "AAA", "BBB"), "non_numeric_distance"),
        (("2001-01-02 10:12:00", "5", "1e999", "AAA", "BBB"), "non_numeric_distance"),
        # a number, but a huge one: what is wrong is its size
        (("2001-01-02 10:13:00", "1e20", "300", "AAA", "BBB"), "absurd_delay"),
        (("2001-01-02 10:14:00", "100000000000000000000", "300", "AAA", "BBB"), "absurd_delay"),
        (("2001-01-02 10:15:00", "-1e999", "300", "AAA", "BBB"), "absurd_delay"),
        (("2001-01-02 10:16:00", "1.5e1", "300", "AAA", "BBB"), None),
        (("2001-01-02 10:17:00", "1.55e1", "300", "AAA", "BBB"), "non_numeric_delay"),
    ]
    classified = transforms.classify(normalised(spark, [row for row, _ in cases]), airports)
    got = classified.orderBy("row_order").select("row_order", "reject_reason").collect()
    assert [r.reject_reason for r in got] == [reason for _, reason in cases]
    assert classified.count() == len(cases)


def test_a_row_with_the_wrong_number_of_fields_has_its_own_reason(spark, airports):
    record = ("2001-01-02 08:05:00", "20", "300", "AAA", "BBB")
    # rows 0 and 2 had an extra field the reader left out; row 1 is the same record, well formed
    classified = transforms.classify(normalised(spark, [record, record, record], wrong_column_count=(0, 2)), airports)
    got = [r.reject_reason for r in classified.orderBy("row_order").collect()]
    # a malformed row neither counts as the first of a duplicate nor is one
    assert got == ["wrong_column_count", None, "wrong_column_count"]
    assert transforms.REASONS[0] == "wrong_column_count"


def test_parsed_values_and_quarter_of_used_and_rejected_rows(spark, airports):
    rows = [
        ("2001-04-01 02:30:00", "-3", "300", "AAA", "BBB"),  # in a US daylight-saving gap
        ("not a time", "1", "300", "AAA", "BBB"),
    ]
    classified = transforms.classify(normalised(spark, rows, source=("f.csv", 2001, 5)), airports)
    got = classified.orderBy("row_order").collect()
    used, rejected = got
    assert used.departure_time == dt.datetime(2001, 4, 1, 2, 30)
    assert (used.delay_minutes, used.distance_miles, used.year, used.quarter) == (-3, 300.0, 2001, 2)
    (flight,) = transforms.flight_rows(classified, airports).collect()
    assert (flight.origin, flight.origin_state, flight.origin_latitude, flight.destination_state) == ("AAA", "CA", 34.5, "NY")
    # no timestamp: the quarter of the delivery partition (month 5)
    assert (rejected.reject_reason, rejected.year, rejected.quarter) == ("unparseable_timestamp", 2001, 2)

    no_source = transforms.classify(normalised(spark, rows[1:], source=("f.csv", None, None)), airports)
    row = no_source.collect()[0]
    assert (row.year, row.quarter) == (None, None)


def test_duplicates_keep_the_first_row_in_file_order(spark, airports):
    record = ("2001-01-02 08:05:00", "20", "300", "AAA", "BBB")
    data = [
        (*record, False, "s3://b/raw/month=01/b.csv.gz", 2001, 1, 0),
        (*record, False, "s3://b/raw/month=01/a.csv.gz", 2001, 1, 7),
        (*record, False, "s3://b/raw/month=01/a.csv.gz", 2001, 1, 9),
    ]
    classified = transforms.classify(spark.createDataFrame(data, NORMALISED_SCHEMA), airports)
    kept = classified.where(F.col("reject_reason").isNull()).collect()
    assert [(r.source_file, r.row_order) for r in kept] == [("s3://b/raw/month=01/a.csv.gz", 7)]
    assert classified.where(F.col("reject_reason") == "duplicate").count() == 2


def test_rejected_rows_keep_raw_values_reason_and_provenance(spark, airports):
    rows = [("2001-01-02 09:00:00", "abc", "300", " AAA", "BBB"), ("2001-01-02 09:00:00", "1", "300", "AAA", "BBB")]
    rejected = transforms.rejected_rows(transforms.classify(normalised(spark, rows), airports))
    assert list(rejected.columns) == list(transforms.REJECTED_COLUMNS)
    assert [tuple(r) for r in rejected.collect()] == [
        ("2001-01-02 09:00:00", "abc", "300", " AAA", "BBB", "non_numeric_delay", "f.csv", 2001, 1, 2001, 1)
    ]


def test_airports_are_broadcast_to_the_flights(spark, airports):
    # The airports' joins are classify_marked's; the duplicate check before it has joins of its own.
    marked = normalised(spark, [("2001-01-02 08:05:00", "1", "3", "AAA", "BBB")]).withColumn("_duplicate", F.lit(False))
    classified = transforms.classify_marked(marked, airports)
    plan = classified._jdf.queryExecution().sparkPlan().toString()
    assert plan.count("BroadcastHashJoin") == 2
    assert "SortMergeJoin" not in plan


def test_outcome_counts(spark, airports):
    rows = [
        ("2001-01-02 08:05:00", "1", "3", "AAA", "BBB"),
        ("2001-01-02 08:05:00", "1", "3", "AAA", "BBB"),
        ("2001-05-02 08:05:00", "1", "3", "AAA", "BBB"),
        ("2001-05-02 08:06:00", "1", "3", "AAA", "QQQ"),
    ]
    counts = transforms.outcome_counts(transforms.classify(normalised(spark, rows), airports))
    assert {tuple(r) for r in counts.collect()} == {
        (2001, 1, None, 1),
        (2001, 1, "duplicate", 1),
        (2001, 2, None, 1),
        (2001, 2, "unknown_destination", 1),
    }


# ---------------------------------------------------------------------------
# Features


def test_per_flight_features(spark, airports):
    rows = [
        ("2001-03-31 23:59:00", "15", "249", "AAA", "BBB"),
        ("2001-04-01 02:30:00", "14", "250", "BBB", "AAA"),
        ("2001-01-01 00:01:00", "-3", "999", "AAA", "CCC"),
        ("2001-12-31 12:00:00", "0", "2000", "CCC", "AAA"),
    ]
    got = flights_of(spark, airports, rows).orderBy("departure_time").collect()
    wanted_columns = [*transforms.FLIGHT_FEATURE_COLUMNS, "year", "quarter"]
    assert [tuple(r[c] for c in wanted_columns) for r in got] == [
        (dt.date(2001, 1, 1), dt.datetime(2001, 1, 1, 0, 1), 1, 1, 1, 0, False, "AAA", "CCC", "AAA-CCC",
         "CA", 34.5, -118.25, "TX", 29.0, -95.0, 999.0, "500-1000", -3, False, 2001, 1),
        (dt.date(2001, 3, 31), dt.datetime(2001, 3, 31, 23, 59), 3, 31, 6, 23, True, "AAA", "BBB", "AAA-BBB",
         "CA", 34.5, -118.25, "NY", 40.75, -73.5, 249.0, "0-250", 15, True, 2001, 1),
        (dt.date(2001, 4, 1), dt.datetime(2001, 4, 1, 2, 30), 4, 1, 7, 2, True, "BBB", "AAA", "BBB-AAA",
         "NY", 40.75, -73.5, "CA", 34.5, -118.25, 250.0, "250-500", 14, False, 2001, 2),
        (dt.date(2001, 12, 31), dt.datetime(2001, 12, 31, 12, 0), 12, 31, 1, 12, False, "CCC", "AAA", "CCC-AAA",
         "TX", 29.0, -95.0, "CA", 34.5, -118.25, 2000.0, "2000+", 0, False, 2001, 4),
    ]


def test_quarterly_aggregates(spark, airports):
    delays = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]
    # Mondays, 08:xx, Q1; one more flight on another route in Q2
    rows = [(f"2001-01-{1 + 7 * (i % 4):02d} 08:{i:02d}:00", str(d), "300", "AAA", "BBB") for i, d in enumerate(delays)]
    rows.append(("2001-04-03 17:00:00", "-5", "300", "BBB", "AAA"))
    aggregates = transforms.quarterly_aggregates(flights_of(spark, airports, rows), airports)

    route = sorted(tuple(r) for r in aggregates["route_quarter"].collect())
    assert route == [
        (2001, 1, "AAA", "BBB", "AAA-BBB", 10, 45.0, 80, 0.8),
        (2001, 2, "BBB", "AAA", "BBB-AAA", 1, -5.0, -5, 0.0),
    ]
    assert sorted(tuple(r) for r in aggregates["origin_hour"].collect()) == [
        (2001, 1, "AAA", 8, 10, 45.0, 80, 0.8),
        (2001, 2, "BBB", 17, 1, -5.0, -5, 0.0),
    ]
    assert sorted(tuple(r) for r in aggregates["day_of_week"].collect()) == [
        (2001, 1, 1, 10, 45.0, 80, 0.8),
        (2001, 2, 2, 1, -5.0, -5, 0.0),
    ]


def _nearest_rank_p90(delays: list[int]) -> int:
    """The ceil(0.9 n)-th smallest delay, in integers (no float rounding of 0.9 n)."""
    rank = -(-9 * len(delays) // 10)
    return sorted(delays)[rank - 1]


def test_p90_is_exact_against_an_independent_computation(spark):
    # Groups of thousands of flights over many distinct delays, spread over
    # several partitions (an approximate percentile merges per-partition
    # summaries and lands a rank or more off in some of them); small groups,
    # and one of a single flight.
    generator = random.Random(7)
    sizes = [generator.randint(3_000, 9_000) for _ in range(16)] + [10, 2, 1]
    rows = []
    for index, size in enumerate(sizes):
        origin = f"A{index:02d}"
        for _ in range(size):
            wide = generator.random() < 0.5
            delay = generator.randint(-120, 1440) if wide else generator.randint(-20, 200)
            rows.append((2001, 2, origin, "ZZZ", f"{origin}-ZZZ", 8, 3, delay, delay >= 15, index + 1, len(sizes) + 1))
    flights = spark.createDataFrame(
        rows,
        "year int, quarter int, origin string, destination string, route string, hour int, "
        "day_of_week int, delay_minutes int, delayed boolean, origin_id int, destination_id int",
    ).repartition(4)
    codes = [(f"A{index:02d}", index + 1) for index in range(len(sizes))] + [("ZZZ", len(sizes) + 1)]
    airports = spark.createDataFrame(codes, "iata string, airport_id int")
    got = {
        (r.origin, r.hour): (r.flights, r.mean_delay, r.p90_delay, r.share_delayed)
        for r in transforms.quarterly_aggregates(flights, airports)["origin_hour"].collect()
    }

    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    for _, _, origin, _, _, hour, _, delay, _, _, _ in rows:
        groups[(origin, hour)].append(delay)
    expected = {
        key: (len(d), sum(d) / len(d), _nearest_rank_p90(d), sum(x >= 15 for x in d) / len(d))
        for key, d in groups.items()
    }
    assert got.keys() == expected.keys()
    for key, (flights_n, mean, p90, share) in expected.items():
        assert got[key][0] == flights_n and got[key][2] == p90, key
        assert got[key][1] == pytest.approx(mean, rel=1e-12) and got[key][3] == pytest.approx(share, rel=1e-12)


LEAKAGE_ROWS = [
    ("2000-12-15 09:00:00", "100", "300", "AAA", "BBB"),  # 2000 Q4, a Friday; the rest are Wednesdays
    ("2001-01-10 09:00:00", "10", "300", "AAA", "BBB"),   # 2001 Q1
    ("2001-02-14 09:00:00", "20", "300", "AAA", "BBB"),   # 2001 Q1
    ("2001-02-14 11:00:00", "50", "300", "CCC", "AAA"),   # 2001 Q1, route absent in Q2
    ("2001-05-16 09:00:00", "30", "300", "AAA", "BBB"),   # 2001 Q2
    ("2001-08-15 09:00:00", "40", "300", "AAA", "BBB"),   # 2001 Q3
    ("2001-08-15 11:00:00", "60", "300", "CCC", "AAA"),   # 2001 Q3
]


def _feature_table(spark, airports, rows):
    flights = flights_of(spark, airports, rows)
    aggregates = transforms.quarterly_aggregates(flights, airports)
    return transforms.with_previous_quarter(flights, aggregates, airports)


def test_aggregate_features_come_from_the_previous_quarter_only(spark, airports):
    table = _feature_table(spark, airports, LEAKAGE_ROWS)
    assert list(table.columns) == transforms.feature_table_columns()
    columns = ["year", "quarter", "route", "delay_minutes", "route_prev_quarter_flights",
               "route_prev_quarter_mean_delay", "route_prev_quarter_p90_delay",
               "route_prev_quarter_share_delayed", "origin_hour_prev_quarter_flights",
               "origin_hour_prev_quarter_mean_delay", "day_of_week_prev_quarter_flights"]
    got = sorted(tuple(r) for r in table.select(*columns).collect())
    assert got == [
        # first quarter with data: nothing earlier
        (2000, 4, "AAA-BBB", 100, None, None, None, None, None, None, None),
        # Q1 sees Q4 of the year before
        (2001, 1, "AAA-BBB", 10, 1, 100.0, 100, 1.0, 1, 100.0, None),
        (2001, 1, "AAA-BBB", 20, 1, 100.0, 100, 1.0, 1, 100.0, None),
        (2001, 1, "CCC-AAA", 50, None, None, None, None, None, None, None),
        # Q2 sees Q1 only (all three Q1 flights and the Q2 one are on Wednesdays)
        (2001, 2, "AAA-BBB", 30, 2, 15.0, 20, 0.5, 2, 15.0, 3),
        # Q3 sees Q2 only: not Q1, not a mean over Q1 and Q2
        (2001, 3, "AAA-BBB", 40, 1, 30.0, 30, 1.0, 1, 30.0, 1),
        (2001, 3, "CCC-AAA", 60, None, None, None, None, None, None, 1),
    ]


def test_a_quarters_own_delays_never_reach_its_features(spark, airports):
    changed = [
        (d, "999" if d.startswith("2001-05") else delay, dist, o, de)
        for d, delay, dist, o, de in LEAKAGE_ROWS
    ]
    feature_columns = transforms.previous_quarter_columns()

    def by_quarter(rows):
        table = _feature_table(spark, airports, rows)
        return {
            (r.year, r.quarter, r.route, r.hour): tuple(r[c] for c in feature_columns)
            for r in table.collect()
        }

    before, after = by_quarter(LEAKAGE_ROWS), by_quarter(changed)
    q2 = [k for k in before if k[:2] == (2001, 2)]
    assert q2 and all(before[k] == after[k] for k in q2)
    q3 = [k for k in before if k[:2] == (2001, 3) and k[2] == "AAA-BBB"]
    assert q3 and all(before[k] != after[k] for k in q3)


def test_combine_aggregates_replaces_stored_quarters_with_fresh_ones(spark):
    schema = "year int, quarter int, day_of_week int, flights long, mean_delay double, p90_delay int, share_delayed double"
    stored = spark.createDataFrame(
        [(2001, 1, 1, 5, 1.0, 2, 0.1), (2001, 2, 1, 6, 2.0, 3, 0.2)],
        "year string, quarter string, day_of_week int, flights long, mean_delay double, p90_delay int, share_delayed double",
    )
    fresh = spark.createDataFrame([(2001, 2, 1, 7, 3.0, 4, 0.3), (2001, 3, 1, 8, 4.0, 5, 0.4)], schema)
    combined = transforms.combine_aggregates(fresh, stored)
    assert combined.schema == fresh.schema
    assert sorted(tuple(r) for r in combined.collect()) == [
        (2001, 1, 1, 5, 1.0, 2, 0.1),
        (2001, 2, 1, 7, 3.0, 4, 0.3),
        (2001, 3, 1, 8, 4.0, 5, 0.4),
    ]
    assert transforms.combine_aggregates(fresh, None) is fresh


def test_timestamps_of_the_usual_shape_parse_as_the_formats_define(spark):
    # The fast cast path must agree with the patterns on every text it takes:
    # digits at random in each field (so month 13, day 31 of a short month,
    # hour 24 and second 60 all occur), both formats, and blanks around.
    rng = random.Random(20261206)

    def field(width):
        return "".join(rng.choice("0123456789") for _ in range(width))

    texts: list[str | None] = []
    for _ in range(3000):
        year = rng.choice(["2001", "2004", "1900", "0000", "9999", field(4)])
        month = rng.choice([f"{rng.randint(0, 13):02d}", field(2)])
        day = rng.choice([f"{rng.randint(0, 32):02d}", "29", "30", "31"])
        hour = f"{rng.randint(0, 25):02d}"
        minute = f"{rng.randint(0, 61):02d}"
        text = f"{year}-{month}-{day} {hour}:{minute}"
        if rng.random() < 0.7:
            text += f":{rng.randint(0, 61):02d}"
        texts.append(rng.choice(["", " ", "  "]) + text + rng.choice(["", " "]))
    texts += ["2001-01-01 00:01:00", "2001-01-01T00:01:00", "2001-1-01 00:01:00", "2001-01-01 00:01:00.5", None]
    df = spark.createDataFrame([(t,) for t in texts], "date string")
    both = df.select(
        "date",
        transforms._parse_timestamp("date").alias("fast"),
        transforms.parse_timestamp_by_pattern("date").alias("defined"),
    )
    # Compared in Spark, as text: Python has no year 0.
    differing = both.where(~F.col("fast").eqNullSafe(F.col("defined"))).select(
        "date", F.col("fast").cast("string"), F.col("defined").cast("string")
    )
    assert [tuple(r) for r in differing.collect()] == []
    parsed = both.where(F.col("defined").isNotNull()).count()
    assert 0.2 * len(texts) < parsed < 0.9 * len(texts)  # both valid and invalid texts were tried


@pytest.mark.parametrize("ansi", ["true", "false"])
def test_unreadable_text_parses_to_null_in_either_ansi_mode(spark, ansi):
    # Spark 4 (Glue 6.0) runs SQL in ANSI mode, where a plain cast of text
    # that is no number or no date fails the whole job; Spark 3.5 (Glue 5.x)
    # gives null. Both modes are tried here on either Spark.
    texts = ["2001-02-30 10:00:00", "2001-13-01 00:00", "2001-01-01 24:00:00", "abc", "1e999", "12x", "", None, "2001-02-28 10:00:00"]
    before = spark.conf.get("spark.sql.ansi.enabled")
    spark.conf.set("spark.sql.ansi.enabled", ansi)
    try:
        df = spark.createDataFrame([(t,) for t in texts], "text string")
        rows = df.select(
            "text",
            transforms._parse_timestamp("text").cast("string").alias("at"),
            transforms._try_int("text").alias("int"),
            transforms._finite_decimal("text").alias("number"),
        ).collect()
    finally:
        spark.conf.set("spark.sql.ansi.enabled", before)
    parsed = {r["text"]: (r["at"], r["int"], r["number"]) for r in rows}
    assert parsed["2001-02-28 10:00:00"] == ("2001-02-28 10:00:00", None, None)
    assert all(value == (None, None, None) for text, value in parsed.items() if text != "2001-02-28 10:00:00")


def test_packed_keys_keep_every_value_apart_and_refuse_one_too_large(spark):
    keys = ["origin", "destination", "_quarter_index"]
    packed, layout = transforms._packed(keys)
    maxima = [(1 << transforms.PACKED_KEY_BITS[k]) - 1 for k in keys]
    values = [(0, 0, 0), (1, 0, 0), (0, 1, 0), (0, 0, 1), tuple(maxima), (maxima[0], 0, maxima[2]), (None, 3, 4)]
    frame = spark.createDataFrame(values, "origin_id long, destination_id long, _quarter_index long")
    got = [r["p"] for r in frame.select(packed.alias("p")).collect()]
    assert len(set(got[:-1])) == len(values) - 1 and got[-1] is None
    unpacked = [
        tuple((p >> layout[k][0]) & layout[k][1] for k in keys) for p in got[:-1]
    ]
    assert unpacked == values[:-1]
    too_large = spark.createDataFrame([(maxima[0] + 1, 0, 0)], "origin_id long, destination_id long, _quarter_index long")
    with pytest.raises(Exception, match="origin out of its 21 bits: 2097152"):
        too_large.select(packed).collect()
