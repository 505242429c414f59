"""Pure transforms of the flights job: DataFrames in, DataFrames out.

Nothing here reads, writes or collects, and nothing runs Python per row: every
step is a Spark SQL expression, so it all scales out on the executors.

    normalise_flights(raw)                 raw columns as text, plus where each row came from
    with_quarter(flights)                  + the row's year and quarter (the partition it is filed under)
    prepare_airports(raw)                  one typed row per IATA code
    mark_duplicates(flights)               + `_duplicate`: the same raw values came earlier
    classify(flights, airports)            parsed values and `reject_reason` (null = usable)
    classify_marked(marked, airports)      the same, for rows whose duplicates are already marked
    rejected_rows(classified)              the quarantine, raw values and reason
    flight_rows(classified, airports)      the usable flights with their per-flight features
    quarterly_aggregates(flights, airports) per route / origin x hour / day of week, per quarter
    combine_aggregates(fresh, stored, q)   the quarters q recomputed by this run replace the stored ones
    with_previous_quarter(flights, aggs, airports) the feature table: flights + previous-quarter aggregates
    outcome_counts(classified)             rows per (year, quarter, reject_reason), for the report

Validation rules; the first that fails gives the row's reason:

    wrong_column_count      the CSV reader found more or fewer fields than the header
    duplicate               same five raw values as an earlier well-formed row (the first one is kept)
    unparseable_timestamp   `date` is not `yyyy-MM-dd HH:mm:ss` nor `yyyy-MM-dd HH:mm`
    non_numeric_delay       `delay` is missing, not a plain decimal number, or not a whole number of minutes
    absurd_delay            `delay` below -120 (2 h early) or above 1,440 (a day late), however large
    non_numeric_distance    `distance` is missing, not a plain decimal number, or beyond a double's range
    non_positive_distance   `distance` is 0 or less
    unknown_origin          `origin` is not an IATA code of the airports table
    unknown_destination     `destination` is not an IATA code of the airports table

A plain decimal number is an optional sign, ASCII digits with an optional
fraction, and an optional base-10 exponent (`15`, `-3`, `7.0`, `.5`, `1e3`),
with blanks around it allowed. Nothing else is a number, although Spark's cast
(Java's parser) takes more: `15d`, `15F`, `0x1p4`, `Infinity`, `NaN`. An
exponent is taken because it is still a decimal number, so `1e20` is labelled
by what is wrong with it, its size: absurd_delay, like `100000000000000000000`.

A row's `year` and `quarter` are those of its timestamp; a row whose timestamp
does not parse takes them from the partition it was delivered in (`year=`,
`month=` folders), or null if that is unknown too.

Timestamps are local wall-clock times. The job runs with the session time zone
set to UTC so that no daylight-saving gap moves or drops one.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

RAW_FLIGHT_COLUMNS = ("date", "delay", "distance", "origin", "destination")
AIRPORT_COLUMNS = ("iata", "state", "latitude", "longitude")

REASONS = (
    "wrong_column_count",
    "duplicate",
    "unparseable_timestamp",
    "non_numeric_delay",
    "absurd_delay",
    "non_numeric_distance",
    "non_positive_distance",
    "unknown_origin",
    "unknown_destination",
)

# The column Spark's CSV reader fills with the raw line of a row whose field
# count differs from the header's (read_paths in job.py asks for it).
CORRUPT_RECORD = "_corrupt_record"
# See the module docstring. Java regex: \d and \s are ASCII only.
PLAIN_DECIMAL_PATTERN = r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$"

MIN_DELAY_MINUTES = -120
MAX_DELAY_MINUTES = 24 * 60
DELAYED_THRESHOLD_MINUTES = 15
TIMESTAMP_FORMATS = ("yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm")

# (lower bound in miles, inclusive; label). A band runs up to the next bound.
DISTANCE_BANDS = ((0, "0-250"), (250, "250-500"), (500, "500-1000"), (1000, "1000-2000"), (2000, "2000+"))

# Aggregate name -> grouping keys besides year and quarter.
AGGREGATE_KEYS = {
    "route_quarter": ("origin", "destination", "route"),
    "origin_hour": ("origin", "hour"),
    "day_of_week": ("day_of_week",),
}
# Aggregate name -> the keys a flight is matched on, and the prefix of its feature columns.
AGGREGATE_JOIN_KEYS = {
    "route_quarter": ("origin", "destination"),
    "origin_hour": ("origin", "hour"),
    "day_of_week": ("day_of_week",),
}
AGGREGATE_FEATURE_PREFIX = {
    "route_quarter": "route",
    "origin_hour": "origin_hour",
    "day_of_week": "day_of_week",
}
MEASURES = ("flights", "mean_delay", "p90_delay", "share_delayed")

FLIGHT_FEATURE_COLUMNS = (
    "flight_date",
    "departure_time",
    "month",
    "day_of_month",
    "day_of_week",
    "hour",
    "is_weekend",
    "origin",
    "destination",
    "route",
    "origin_state",
    "origin_latitude",
    "origin_longitude",
    "destination_state",
    "destination_latitude",
    "destination_longitude",
    "distance_miles",
    "distance_band",
    "delay_minutes",
    "delayed",
)
PARTITION_COLUMNS = ("year", "quarter")
REJECTED_COLUMNS = (
    *RAW_FLIGHT_COLUMNS,
    "reject_reason",
    "source_file",
    "source_year",
    "source_month",
    *PARTITION_COLUMNS,
)


class InputError(ValueError):
    """The input cannot be read as flights or airports at all (the whole run stops)."""


def previous_quarter_columns() -> list[str]:
    """Names of the aggregate feature columns, in table order."""
    return [
        f"{AGGREGATE_FEATURE_PREFIX[name]}_prev_quarter_{measure}"
        for name in AGGREGATE_KEYS
        for measure in MEASURES
    ]


def feature_table_columns() -> list[str]:
    return [*FLIGHT_FEATURE_COLUMNS, *previous_quarter_columns(), *PARTITION_COLUMNS]


# ---------------------------------------------------------------------------
# Parsing. SQL try_cast / try_to_timestamp give null instead of an error in any
# ANSI mode; they take column names, so callers parse named columns.


def _try_int(name: str) -> Column:
    return F.expr(f"try_cast(trim(`{name}`) AS INT)")


def _is_finite(value: Column) -> Column:
    return ~F.isnan(value) & (F.abs(value) < F.lit(float("inf")))


def _plain_decimal(name: str) -> Column:
    """The value of a plain decimal number, else null; ±infinity when beyond a double's range."""
    value = F.expr(f"try_cast(trim(`{name}`) AS DOUBLE)")
    return F.when(F.col(name).rlike(PLAIN_DECIMAL_PATTERN), value)


def _finite_decimal(name: str) -> Column:
    value = _plain_decimal(name)
    return F.when(_is_finite(value), value)


# Text shaped exactly like one of TIMESTAMP_FORMATS: four-digit year, two digits for the rest.
TIMESTAMP_SHAPE = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$"


def parse_timestamp_by_pattern(name: str) -> Column:
    """The definition: the first of TIMESTAMP_FORMATS that reads the trimmed text, else null."""
    return F.coalesce(
        *[F.expr(f"try_to_timestamp(trim(`{name}`), '{pattern}')") for pattern in TIMESTAMP_FORMATS]
    )


def _parse_timestamp(name: str) -> Column:
    """parse_timestamp_by_pattern, several times faster on text of the usual shape.

    Text shaped like a format is read by Spark's timestamp cast, which checks
    the calendar as strictly as the patterns do (no 2001-02-30, no 24:00, no
    second 60) and gives the same instant in the session time zone; anything
    else, and shaped text the cast refuses, goes through the patterns. A
    test holds the two equal. The cast is try_cast: Spark 4 (Glue 6.0) runs
    in ANSI mode, where a plain cast of 2001-02-30 fails the job instead of
    giving null.
    """
    text = F.trim(F.col(name))
    cast = F.expr(f"try_cast(trim(`{name}`) AS TIMESTAMP)")
    return F.coalesce(F.when(text.rlike(TIMESTAMP_SHAPE), cast), parse_timestamp_by_pattern(name))


def _quarter_of_month(month: Column) -> Column:
    return ((month - 1) / 3).cast("int") + 1


def _year_and_quarter(departure_time: Column) -> tuple[Column, Column]:
    """Those of the timestamp, else those of the delivery folder (null if unknown)."""
    known = departure_time.isNotNull()
    year = F.when(known, F.year(departure_time)).otherwise(F.col("source_year"))
    quarter = F.when(known, F.quarter(departure_time)).otherwise(_quarter_of_month(F.col("source_month")))
    return year.alias("year"), quarter.alias("quarter")


# ---------------------------------------------------------------------------
# Inputs


def normalise_flights(raw: DataFrame) -> DataFrame:
    """The five raw columns as text, a malformed-row flag, plus provenance.

    Adds `wrong_column_count`, true where the reader's CORRUPT_RECORD column
    (when the read has one) holds the line of a row whose field count differs
    from the header's; `source_file`; `source_year` and `source_month`, the Hive partition the
    row was delivered in (from the partition columns `year`/`month` when the read
    has them, else from `year=`/`month=` in the file path; null if neither says);
    and `row_order`, an id that grows along each file, used to decide which of
    two identical rows came first. Crawler-typed columns (numbers, timestamps)
    become text here, so that every rule downstream parses explicitly.
    """
    missing = [name for name in RAW_FLIGHT_COLUMNS if name not in raw.columns]
    if missing:
        raise InputError(f"raw flights lack columns {missing}; found {raw.columns}")
    with_file = raw.withColumn("source_file", F.input_file_name())
    malformed = F.col(CORRUPT_RECORD).isNotNull() if CORRUPT_RECORD in raw.columns else F.lit(False)
    texts = with_file.select(
        *[F.col(name).cast("string").alias(name) for name in RAW_FLIGHT_COLUMNS],
        malformed.alias("wrong_column_count"),
        "source_file",
        (
            F.col("year").cast("string")
            if "year" in raw.columns
            else F.regexp_extract("source_file", r"/year=([^/]+)/", 1)
        ).alias("_source_year"),
        (
            F.col("month").cast("string")
            if "month" in raw.columns
            else F.regexp_extract("source_file", r"/month=([^/]+)/", 1)
        ).alias("_source_month"),
        F.monotonically_increasing_id().alias("row_order"),
    )
    month = _try_int("_source_month")
    return texts.select(
        *RAW_FLIGHT_COLUMNS,
        "wrong_column_count",
        "source_file",
        _try_int("_source_year").alias("source_year"),
        F.when(month.between(1, 12), month).alias("source_month"),
        "row_order",
    )


def is_dated() -> Column:
    """True where a row's `date` parses: its year and quarter are then those of the timestamp."""
    return _parse_timestamp("date").isNotNull()


def with_quarter(flights: DataFrame, dated: str | None = None) -> DataFrame:
    """`normalise_flights` output plus `year` and `quarter`, exactly as classify files the row.

    With `dated`, also a column of that name: is_dated, from the same parse of
    the date (the optimiser keeps one parse for the three columns, as it never
    copies a costly expression into several places).
    """
    parsed = flights.withColumn("_departure_time", _parse_timestamp("date"))
    departure_time = F.col("_departure_time")
    flags = [] if dated is None else [departure_time.isNotNull().alias(dated)]
    return parsed.select(*flights.columns, *_year_and_quarter(departure_time), *flags)


def prepare_airports(raw: DataFrame) -> DataFrame:
    """One row per IATA code: `iata`, `state`, `latitude`, `longitude` (doubles), `airport_id`.

    Rows without a code are dropped (no flight can match them). Should a code
    appear twice, the smallest (state, latitude, longitude) is kept, so a
    repeated code can neither multiply flights nor make the result depend on
    read order. `airport_id` numbers the codes 1, 2, ... in code order: the
    aggregates group on it rather than on the text (see PACKED_KEY_BITS).
    """
    missing = [name for name in AIRPORT_COLUMNS if name not in raw.columns]
    if missing:
        raise InputError(f"airports lack columns {missing}; found {raw.columns}")
    texts = raw.select(
        F.trim(F.col("iata").cast("string")).alias("iata"),
        F.trim(F.col("state").cast("string")).alias("state"),
        F.col("latitude").cast("string").alias("_latitude"),
        F.col("longitude").cast("string").alias("_longitude"),
    ).where(F.col("iata").isNotNull() & (F.col("iata") != ""))
    typed = texts.select(
        "iata",
        "state",
        _finite_decimal("_latitude").alias("latitude"),
        _finite_decimal("_longitude").alias("longitude"),
    )
    first = typed.groupBy("iata").agg(F.min(F.struct("state", "latitude", "longitude")).alias("_a"))
    # One window over the whole table: small by construction (a few thousand airports).
    number = F.row_number().over(Window.orderBy("iata"))
    return first.select("iata", "_a.state", "_a.latitude", "_a.longitude", number.alias("airport_id"))


# ---------------------------------------------------------------------------
# Validation


# What makes two rows the same delivered record.
DUPLICATE_KEY = ("wrong_column_count", *RAW_FLIGHT_COLUMNS)


def key_hash() -> Column:
    """A 64-bit hash of a row's DUPLICATE_KEY: rows with the same key have the same hash."""
    return F.xxhash64(*DUPLICATE_KEY)


def repeated_key_hashes(flights: DataFrame) -> DataFrame:
    """`_key_hash` of every key hash that more than one row of `flights` has (one long per row is shuffled).

    Nearly every hash is unique, so counting them where the rows are read, as
    Spark would before the shuffle, reduces nothing and holds every hash of a
    task at once (it spilled at 12 million rows): they are shuffled first,
    into as many pieces as any shuffle (a number, so that adaptive execution
    does not merge them back into a few), and counted once.
    """
    pieces = int(flights.sparkSession.conf.get("spark.sql.shuffle.partitions") or 200)
    return (
        flights.select(key_hash().alias("_key_hash"))
        .repartition(pieces, "_key_hash")
        .groupBy("_key_hash")
        .agg(F.count(F.lit(1)).alias("_copies"))
        .where(F.col("_copies") > 1)
        .select("_key_hash")
    )


def first_of_repeated_keys(flights: DataFrame, repeated: DataFrame) -> DataFrame:
    """Per key whose hash is in `repeated`: the key (as `_first_<column>`) and `_first`, the
    (source_file, row_order) of its earliest row. Only rows with a repeated hash are grouped."""
    return (
        flights.withColumn("_key_hash", key_hash())
        .join(repeated, "_key_hash", "left_semi")
        .groupBy(*DUPLICATE_KEY)
        .agg(F.min(F.struct("source_file", "row_order")).alias("_first"))
        .select(*[F.col(c).alias(f"_first_{c}") for c in DUPLICATE_KEY], "_first")
    )


def mark_duplicates(flights: DataFrame, firsts: DataFrame | None = None, *, small: bool = False) -> DataFrame:
    """`flights` plus `_duplicate`: true where the same raw values came earlier.

    Earlier means by file name, then position in the file. Malformed rows are
    ranked apart (wrong_column_count is part of the key), so that one can
    never make a well-formed row a duplicate.

    Exact, without sorting the rows: only rows whose key hash repeats can be
    duplicates, so the first row of each repeated key is found among those
    (`firsts`, by default first_of_repeated_keys(flights,
    repeated_key_hashes(flights))), and every row is matched against that
    table on the key itself: two keys that share a hash cost a comparison,
    never a wrong answer. With `small`, the caller vouches that `firsts` is
    small (it counted it), and it is broadcast: no row is shuffled.
    """
    if firsts is None:
        firsts = first_of_repeated_keys(flights, repeated_key_hashes(flights))
    same_key = [F.col(c).eqNullSafe(F.col(f"_first_{c}")) for c in DUPLICATE_KEY]
    joined = flights.join(F.broadcast(firsts) if small else firsts, reduce(lambda a, b: a & b, same_key), "left")
    position = F.struct("source_file", "row_order")
    duplicate = F.col("_first").isNotNull() & (position != F.col("_first"))
    return joined.select(*flights.columns, duplicate.alias("_duplicate"))


def classify(flights: DataFrame, airports: DataFrame) -> DataFrame:
    """Every row of `normalise_flights` output, parsed, with a `reject_reason`.

    `reject_reason` is null for a usable row, else one of REASONS. Duplicates
    are those of mark_duplicates among `flights` themselves.
    """
    return classify_marked(mark_duplicates(flights), airports)


def classify_marked(flights: DataFrame, airports: DataFrame, keep: Sequence[str] = ()) -> DataFrame:
    """classify, for rows that mark_duplicates has seen (with whatever rows it was given).

    Airports are broadcast to every executor for the two lookups. The columns
    named in `keep` are carried through unchanged.
    """
    parsed = flights.select(
        *[F.col(c) for c in flights.columns if c not in PARTITION_COLUMNS],
        _parse_timestamp("date").alias("departure_time"),
        _plain_decimal("delay").alias("_delay"),
        _finite_decimal("distance").alias("_distance"),
        F.trim("origin").alias("_origin"),
        F.trim("destination").alias("_destination"),
    )

    # Only the airports' ids are looked up here: a used row's code, state and
    # position follow from its id, and flight_rows looks them up again. The
    # classified rows are written once and read by every output, so each column
    # left out of them is one less to encode, write and read back per row.
    origins = F.broadcast(airports.select(F.col("iata").alias("_origin_iata"), F.col("airport_id").alias("origin_id")))
    destinations = F.broadcast(
        airports.select(F.col("iata").alias("_destination_iata"), F.col("airport_id").alias("destination_id"))
    )
    joined = parsed.join(origins, F.col("_origin") == F.col("_origin_iata"), "left").join(
        destinations, F.col("_destination") == F.col("_destination_iata"), "left"
    )

    delay = F.col("_delay")
    distance = F.col("_distance")
    # `% 1` rather than floor(), which is a BIGINT and overflows past 9.2e18;
    # an infinite delay (a plain decimal past a double's range) is absurd, not fractional.
    fractional = _is_finite(delay) & ((delay % 1) != 0)
    reason = (
        F.when(F.col("wrong_column_count"), "wrong_column_count")
        .when(F.col("_duplicate"), "duplicate")
        .when(F.col("departure_time").isNull(), "unparseable_timestamp")
        .when(delay.isNull() | fractional, "non_numeric_delay")
        .when((delay < MIN_DELAY_MINUTES) | (delay > MAX_DELAY_MINUTES), "absurd_delay")
        .when(distance.isNull(), "non_numeric_distance")
        .when(distance <= 0, "non_positive_distance")
        .when(F.col("_origin_iata").isNull(), "unknown_origin")
        .when(F.col("_destination_iata").isNull(), "unknown_destination")
    )

    return joined.select(
        *RAW_FLIGHT_COLUMNS,
        "source_file",
        "source_year",
        "source_month",
        "row_order",
        "departure_time",
        F.when(delay.between(MIN_DELAY_MINUTES, MAX_DELAY_MINUTES), delay.cast("int")).alias("delay_minutes"),
        distance.alias("distance_miles"),
        "origin_id",
        "destination_id",
        reason.alias("reject_reason"),
        *_year_and_quarter(F.col("departure_time")),
        *keep,
    )


def rejected_rows(classified: DataFrame) -> DataFrame:
    """The quarantine: raw values as delivered, the reason, and provenance."""
    return classified.where(F.col("reject_reason").isNotNull()).select(*REJECTED_COLUMNS)


def outcome_counts(classified: DataFrame) -> DataFrame:
    """Row counts per (year, quarter, reject_reason); reason null = used."""
    return classified.groupBy("year", "quarter", "reject_reason").agg(F.count(F.lit(1)).alias("rows"))


# ---------------------------------------------------------------------------
# Features


def _distance_band(miles: Column) -> Column:
    # Highest bound first: the first bound the distance reaches names its band.
    (top_lower, top_label), *lower_bands = reversed(DISTANCE_BANDS)
    band = F.when(miles >= top_lower, top_label)
    for lower, label in lower_bands:
        band = band.when(miles >= lower, label)
    return band


def _airport_columns(airports: DataFrame, end: str) -> DataFrame:
    """The airports as the `end` ("origin" or "destination") of a flight: `<end>_id`, `_<end>_code`,
    `<end>_state`, `<end>_latitude`, `<end>_longitude`."""
    return airports.select(
        F.col("airport_id").alias(f"{end}_id"),
        F.col("iata").alias(f"_{end}_code"),
        *[F.col(c).alias(f"{end}_{c}") for c in ("state", "latitude", "longitude")],
    )


def flight_rows(classified: DataFrame, airports: DataFrame) -> DataFrame:
    """The usable flights with their per-flight features and year, quarter, and the airports'
    `origin_id` and `destination_id` (which the aggregates group on; not features).

    `airports` is prepare_airports': a used row's airports are known, and
    their codes, states and positions are looked up by id (broadcast).
    day_of_week is ISO: 1 = Monday ... 7 = Sunday; is_weekend = Saturday or Sunday.
    `delayed` (the label) is delay_minutes >= 15.
    """
    ts = F.col("departure_time")
    # Spark's dayofweek is 1 = Sunday ... 7 = Saturday.
    iso_day = ((F.dayofweek(ts) + 5) % 7) + 1
    usable = (
        classified.where(F.col("reject_reason").isNull())
        .join(F.broadcast(_airport_columns(airports, "origin")), "origin_id")
        .join(F.broadcast(_airport_columns(airports, "destination")), "destination_id")
    )
    return usable.select(
        F.to_date(ts).alias("flight_date"),
        ts.alias("departure_time"),
        F.month(ts).alias("month"),
        F.dayofmonth(ts).alias("day_of_month"),
        iso_day.alias("day_of_week"),
        F.hour(ts).alias("hour"),
        (iso_day >= 6).alias("is_weekend"),
        F.col("_origin_code").alias("origin"),
        F.col("_destination_code").alias("destination"),
        _route(F.col("_origin_code"), F.col("_destination_code")).alias("route"),
        "origin_state",
        "origin_latitude",
        "origin_longitude",
        "destination_state",
        "destination_latitude",
        "destination_longitude",
        "distance_miles",
        _distance_band(F.col("distance_miles")).alias("distance_band"),
        "delay_minutes",
        (F.col("delay_minutes") >= DELAYED_THRESHOLD_MINUTES).alias("delayed"),
        "year",
        "quarter",
        "origin_id",
        "destination_id",
    )


def _route(origin: Column, destination: Column) -> Column:
    return F.concat_ws("-", origin, destination)


# Grouping keys that are functions of other keys (as flight_rows computes
# them): an aggregate groups on the keys they derive from, and adds them to
# its rows after. The same groups, with less to hash and move per flight.
DERIVED_KEYS = {"route": lambda: _route(F.col("origin"), F.col("destination"))}

# An aggregate's keys besides year and quarter are packed into one long, which
# its histogram groups on, and so are the keys a flight is matched on with
# the quarter before (a broadcast join on one long looks it up by value):
# hashing and comparing one long costs a fraction of two strings. Each key's
# bits; an airport is packed as its airport_id (the column of
# PACKED_KEY_SOURCES: 21 bits hold every code of up to four letters or
# digits) and named by its code again after. A value outside its bits fails
# the run rather than share a group with another.
PACKED_KEY_BITS = {"origin": 21, "destination": 21, "hour": 5, "day_of_week": 3, "_quarter_index": 16}
PACKED_KEY_SOURCES = {"origin": "origin_id", "destination": "destination_id"}


def _packed(keys: Sequence[str]) -> tuple[Column, dict[str, tuple[int, int]]]:
    """The long that packs `keys` (see PACKED_KEY_BITS), and each key's (shift, mask) in it."""
    layout: dict[str, tuple[int, int]] = {}
    shift = 0
    for key in reversed(keys):
        layout[key] = (shift, (1 << PACKED_KEY_BITS[key]) - 1)
        shift += PACKED_KEY_BITS[key]
    if shift > 63:
        raise ValueError(f"keys {list(keys)} need {shift} bits, more than a long holds")
    packed = F.lit(0).cast("long")
    for key, (at, mask) in layout.items():
        value = F.col(PACKED_KEY_SOURCES.get(key, key)).cast("long")
        # Null stays null (a key that matches nothing); out of range is an error.
        checked = F.when(value.isNull() | value.between(0, mask), value).otherwise(
            F.raise_error(F.concat(F.lit(f"{key} out of its {PACKED_KEY_BITS[key]} bits: "), value.cast("string")))
        )
        packed = packed.bitwiseOR(F.shiftleft(checked, at))
    return packed, layout


# Where an aggregate's number sits in the keys of aggregate_measures: above every
# layout's bits (at most 42, the route's), below the sign.
AGGREGATE_TAG_SHIFT = 60


def _aggregate_layouts() -> dict[str, tuple[list[str], Column, dict[str, tuple[int, int]]]]:
    """Per aggregate: its packed keys (AGGREGATE_KEYS less the derived ones), the long that packs
    them with the aggregate's number in its top bits (AGGREGATE_TAG_SHIFT), and the keys' layout."""
    found = {}
    for number, (name, keys) in enumerate(AGGREGATE_KEYS.items()):
        packed_keys = [k for k in keys if k not in DERIVED_KEYS]
        packed, layout = _packed(packed_keys)
        if sum(PACKED_KEY_BITS[k] for k in packed_keys) > AGGREGATE_TAG_SHIFT:
            raise ValueError(f"keys of {name} need more than {AGGREGATE_TAG_SHIFT} bits")
        found[name] = (packed_keys, packed.bitwiseOR(F.lit(number << AGGREGATE_TAG_SHIFT)), layout)
    return found


def aggregate_measures(flights: DataFrame) -> DataFrame:
    """MEASURES of every group of every aggregate, all exact, in one pass over `flights`
    (flight_rows): year, quarter, `_key` (the group's keys packed, tagged with its aggregate),
    then MEASURES. aggregates_of splits it into the aggregates.

    Delays are whole minutes within [MIN_DELAY_MINUTES, MAX_DELAY_MINUTES], so
    a group has at most 1,561 (group, delay) rows however many flights it
    holds: each flight is counted once per aggregate into that histogram (one
    hash aggregate for the three: a flight's three packed keys, one row each),
    the histogram's rows of a group are gathered into one array sorted by
    delay, and the percentile is read off their running counts, with no sort
    of the flights themselves, no window over the histogram (which shuffled
    and sorted all its rows a second time) and no approximation. Whether a
    flight is delayed is a function of its delay, so it is not a key of those
    rows either. One pass rather than one per aggregate: the flights are read,
    joined with their airports and their timestamps taken apart once.
    """
    keys = [packed for _, packed, _ in _aggregate_layouts().values()]
    histogram = (
        flights.select(*PARTITION_COLUMNS, F.explode(F.array(*keys)).alias("_key"), "delay_minutes")
        .groupBy(*PARTITION_COLUMNS, "_key", "delay_minutes")
        .agg(F.count(F.lit(1)).alias("_n"))
    )
    hashed = [*PARTITION_COLUMNS, "_key"]
    n = F.col("_n")
    delayed = F.col("delay_minutes") >= DELAYED_THRESHOLD_MINUTES
    grouped = histogram.groupBy(*hashed).agg(
        F.sum(n).alias("flights"),
        (F.sum(n * F.col("delay_minutes")) / F.sum(n)).alias("mean_delay"),
        (F.sum(F.when(delayed, n).otherwise(0)) / F.sum(n)).alias("share_delayed"),
        F.array_sort(F.collect_list(F.struct("delay_minutes", "_n"))).alias("_histogram"),
    )
    # Nearest rank: the ceil(0.9 n)-th smallest delay, the first whose running
    # count reaches (9 n + 9) div 10; integer arithmetic, so no rounding of
    # 0.9 n can move it.
    p90 = F.expr(
        "aggregate(_histogram, named_struct('seen', 0L, 'p90', cast(null AS INT)),"
        " (acc, x) -> named_struct('seen', acc.seen + x._n, 'p90',"
        " coalesce(acc.p90, IF(acc.seen + x._n >= (9 * flights + 9) div 10, x.delay_minutes, NULL))),"
        " acc -> acc.p90)"
    )
    return grouped.select(*hashed, "flights", "mean_delay", p90.alias("p90_delay"), "share_delayed")


def aggregates_of(measures: DataFrame, airports: DataFrame) -> dict[str, DataFrame]:
    """aggregate_measures split into one DataFrame per entry of AGGREGATE_KEYS: year, quarter, the
    keys, then MEASURES. `airports` (prepare_airports) names the airports of the packed keys."""
    found = {}
    for number, (name, (keys, _, layout)) in enumerate(_aggregate_layouts().items()):
        mine = measures.where(F.shiftright("_key", AGGREGATE_TAG_SHIFT) == number)
        unpacked = mine.select(
            *PARTITION_COLUMNS,
            *[
                F.shiftright("_key", at).bitwiseAND(mask).cast("int").alias(PACKED_KEY_SOURCES.get(k, k))
                for k, (at, mask) in layout.items()
            ],
            *MEASURES,
        )
        for key in keys:
            if key in PACKED_KEY_SOURCES:
                codes = airports.select(F.col("airport_id").alias(PACKED_KEY_SOURCES[key]), F.col("iata").alias(key))
                unpacked = unpacked.join(F.broadcast(codes), PACKED_KEY_SOURCES[key])
        named = [DERIVED_KEYS[c]().alias(c) if c in DERIVED_KEYS else F.col(c) for c in (*PARTITION_COLUMNS, *AGGREGATE_KEYS[name])]
        found[name] = unpacked.select(*named, *MEASURES)
    return found


def quarterly_aggregates(flights: DataFrame, airports: DataFrame) -> dict[str, DataFrame]:
    """Per quarter: flights, mean delay, 90th percentile delay, share delayed; all exact.

    One DataFrame per entry of AGGREGATE_KEYS, columns year, quarter, the keys,
    then MEASURES. p90_delay is the nearest-rank 90th percentile: the
    ceil(0.9 n)-th smallest delay of the group's n flights, always one of its
    delays (a group of 10 with delays 0, 10, ..., 90 has 80). `flights` are
    flight_rows, with their airports' ids; `airports` is prepare_airports'.
    The job computes aggregate_measures once and splits it with aggregates_of.
    """
    return aggregates_of(aggregate_measures(flights), airports)


def combine_aggregates(fresh: DataFrame, stored: DataFrame | None, recomputed: DataFrame | None = None) -> DataFrame:
    """Stored aggregates of earlier runs, with the recomputed quarters replaced by `fresh`.

    `recomputed` (year, quarter rows) defaults to the quarters of `fresh`; a
    recomputed quarter that `fresh` lacks (no usable flight left) disappears.
    """
    if stored is None:
        return fresh
    stored = stored.select(
        *[
            F.col(name).cast(dtype).alias(name)
            for name, dtype in ((f.name, f.dataType) for f in fresh.schema.fields)
        ]
    )
    if recomputed is None:
        recomputed = fresh.select(*PARTITION_COLUMNS).distinct()
    return stored.join(recomputed, list(PARTITION_COLUMNS), "left_anti").unionByName(fresh)


def with_previous_quarter(flights: DataFrame, aggregates: dict[str, DataFrame], airports: DataFrame) -> DataFrame:
    """The feature table: each flight plus the aggregates of the quarter before its own.

    A flight of quarter q gets the row of each aggregate for quarter q - 1
    (Q4 of the year before for a Q1 flight), matched on its route, its origin
    and hour, and its day of week. No quarter's own delays reach its features;
    where q - 1 has no data (the first quarter, a new route) they are null.
    `flights` are flight_rows; `airports` (prepare_airports) gives the
    aggregates' airports their ids. An aggregate's row of an airport no
    longer in the table matches no flight, as no flight can have it.
    """
    def quarter_index(df: DataFrame) -> Column:
        return df["year"] * 4 + df["quarter"] - 1

    table = flights.withColumn("_quarter_index", quarter_index(flights))
    for name, aggregate in aggregates.items():
        prefix = AGGREGATE_FEATURE_PREFIX[name]
        keys = [*AGGREGATE_JOIN_KEYS[name], "_quarter_index"]
        with_ids = aggregate.withColumn("_quarter_index", quarter_index(aggregate) + 1)
        for key in AGGREGATE_JOIN_KEYS[name]:
            if key in PACKED_KEY_SOURCES:
                ids = airports.select(F.col("iata").alias(key), F.col("airport_id").alias(PACKED_KEY_SOURCES[key]))
                with_ids = with_ids.join(F.broadcast(ids), key)
        shifted = with_ids.select(
            _packed(keys)[0].alias("_previous"),
            *[F.col(m).alias(f"{prefix}_prev_quarter_{m}") for m in MEASURES],
        )
        matched = table.withColumn("_previous", _packed(keys)[0])
        table = matched.join(F.broadcast(shifted), "_previous", "left").drop("_previous")
    return table.select(*feature_table_columns())
