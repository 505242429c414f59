"""The drift/ table against an independent computation over the feature table the job wrote.

The job profiles each quarter in Spark (counts per value, quantiles from a
running sum of them) and scores it against the quarter before on the driver.
Here the features are read back with pyarrow and every figure is recomputed in
plain Python: bins with bisect, means with fsum, quantiles by sorting (the
value at rank ceil(p * n / 100)), PSI from its definition. A second check runs
the profile over generated quarters (seeded, of every size from one value up,
with ties, nulls and quarters of nulls only) against the same computation and
against the nearest-rank definition itself.
"""

from __future__ import annotations

import bisect
import json
import math
import random
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import drift

HEADER = "date,delay,distance,origin,destination\n"
AIRPORTS = (
    "iata,name,city,state,country,latitude,longitude\n"
    "AAA,Alpha,Alpha,CA,USA,34.5,-118.25\n"
    "BBB,Beta,Beta,NY,USA,40.75,-73.5\n"
    "CCC,Gamma,Gamma,TX,USA,29.9,-95.3\n"
)
CODES = ("AAA", "BBB", "CCC")


def _quarter_rows(rng: random.Random, year: int, first_month: int, rows: int, delay_shift: int) -> list[str]:
    lines = []
    for _ in range(rows):
        month = first_month + rng.randrange(3)
        origin, destination = rng.sample(CODES, 2)
        delay = max(-100, min(1400, int(rng.gauss(5, 20)) + delay_shift))
        lines.append(
            f"{year}-{month:02d}-{rng.randint(1, 28):02d} {rng.randrange(24):02d}:{rng.randrange(60):02d}:00,"
            f"{delay},{rng.choice((120, 480, 900, 1600, 2500))},{origin},{destination}"
        )
    return lines


@pytest.fixture(scope="module")
def written(spark, tmp_path_factory):
    """Three quarters; the third with every delay 45 minutes later (a shift PSI must see)."""
    import job

    root = tmp_path_factory.mktemp("drift")
    rng = random.Random(7)
    for month, shift in ((1, 0), (4, 0), (7, 45)):
        folder = root / "flights" / f"year=2003/month={month:02d}"
        folder.mkdir(parents=True)
        (folder / "part.csv").write_text(HEADER + "\n".join(_quarter_rows(rng, 2003, month, 1500, shift)) + "\n")
    (root / "airports").mkdir()
    (root / "airports" / "airports.csv").write_text(AIRPORTS)
    out = root / "out"
    report = job.main([
        "job.py", "--flights_path", str(root / "flights"), "--airports_path", str(root / "airports"),
        "--output_path", str(out), "--drift_threshold", "0.2",
    ])
    return out, report


def _features_by_quarter(out: Path) -> dict[tuple[int, int], list[dict]]:
    table = pq.read_table(out / "features").to_pylist()
    found: dict[tuple[int, int], list[dict]] = {}
    for row in table:
        found.setdefault((int(row["year"]), int(row["quarter"])), []).append(row)
    return found


def _psi(current: list[int], reference: list[int]) -> float | None:
    a_total, e_total = sum(current), sum(reference)
    if not a_total or not e_total:
        return None  # nothing to compare: a quarter without a single value
    shares = [(max(a / a_total, 1e-4), max(e / e_total, 1e-4)) for a, e in zip(current, reference, strict=True)]
    return sum((a - e) * math.log(a / e) for a, e in shares)


def _bins(values: list[float], edges: tuple[float, ...]) -> list[int]:
    counts = [0] * (len(edges) + 1)
    for value in values:
        counts[bisect.bisect_right(edges, value)] += 1
    return counts


def _nearest_rank(ordered: list[float], percent: int) -> float | None:
    """The value at rank ceil(percent * n / 100), from 1, of the n `ordered` values; None for none."""
    if not ordered:
        return None
    rank = -(-percent * len(ordered) // 100)
    return ordered[rank - 1]


def _assert_quantiles(profile: dict, values: list[float], where: object) -> None:
    ordered = sorted(values)
    for percent in drift.QUANTILES:
        found = profile[drift.quantile_column(percent)]
        assert found == _nearest_rank(ordered, percent), (where, percent)
        if found is not None:
            # The definition itself: the least value with at least p% of the values at or below it.
            assert found in values, (where, percent)
            assert 100 * sum(v <= found for v in values) >= percent * len(values), (where, percent)
            assert 100 * sum(v < found for v in values) < percent * len(values), (where, percent)


def test_every_profile_and_psi_equals_an_independent_computation(written):
    out, _ = written
    features = _features_by_quarter(out)
    profiles = {(r["year"], r["quarter"], r["feature"]): r for r in pq.read_table(out / "drift").to_pylist()}
    assert {(y, q) for y, q, _ in profiles} == set(features) == {(2003, 1), (2003, 2), (2003, 3)}
    assert len(profiles) == 3 * (len(drift.NUMERIC_FEATURES) + len(drift.CODE_FEATURES))

    for (year, quarter), rows in features.items():
        for name, edges in drift.NUMERIC_FEATURES.items():
            profile = profiles[(year, quarter, name)]
            values = sorted(float(r[name]) for r in rows if r[name] is not None)
            assert (profile["rows"], profile["nulls"]) == (len(rows), len(rows) - len(values)), name
            assert profile["edges"] == [float(e) for e in edges]
            assert profile["bins"] == _bins(values, edges), name
            if values:
                assert profile["mean"] == pytest.approx(math.fsum(values) / len(values), rel=1e-12, abs=1e-12)
                assert (profile["min"], profile["max"]) == (values[0], values[-1])
            _assert_quantiles(profile, values, (year, quarter, name))
            before = profiles.get((year, quarter - 1, name))
            if before is None:
                assert profile["psi"] is None and profile["against_year"] is None
            else:
                assert (profile["against_year"], profile["against_quarter"]) == (year, quarter - 1)
                earlier = [float(r[name]) for r in features[(year, quarter - 1)] if r[name] is not None]
                expected = _psi(_bins(values, edges), _bins(earlier, edges))
                if expected is None:
                    assert profile["psi"] is None, name
                else:
                    assert profile["psi"] == pytest.approx(expected, rel=1e-12, abs=1e-15), name
        for name in drift.CODE_FEATURES:
            profile = profiles[(year, quarter, name)]
            codes = [r[name] for r in rows if r[name] is not None]
            assert profile["distinct"] == len(set(codes)), name
            assert profile["nulls"] == len(rows) - len(codes)
            assert profile["psi"] is None and profile["bins"] is None
            assert all(profile[drift.quantile_column(p)] is None for p in drift.QUANTILES)


def test_the_shifted_quarter_drifts_and_the_others_do_not(written):
    _, report = written
    by_quarter = {(d["year"], d["quarter"]): d for d in report["drift"]}
    assert by_quarter[(2003, 1)]["against"] is None
    assert all(v is None for v in by_quarter[(2003, 1)]["psi"].values())
    assert by_quarter[(2003, 2)]["against"] == {"year": 2003, "quarter": 1}
    # The same distribution (1,500 rows each): stable; 45 minutes later: a different population.
    assert by_quarter[(2003, 2)]["psi"]["delay_minutes"] < 0.1
    assert by_quarter[(2003, 3)]["psi"]["delay_minutes"] > 0.2
    assert by_quarter[(2003, 3)]["psi"]["distance_miles"] < 0.1
    # The report's figures are the table's, rounded.
    table = {(r["year"], r["quarter"], r["feature"]): r["psi"] for r in pq.read_table(written[0] / "drift").to_pylist()}
    features = _features_by_quarter(written[0])
    for (year, quarter), entry in by_quarter.items():
        assert entry["rows"] == len(features[(year, quarter)])
        for name, value in entry["psi"].items():
            expected = table[(year, quarter, name)]
            assert value == (None if expected is None else round(expected, 6))


def test_the_report_carries_each_features_quantiles_as_the_table_has_them(written):
    out, report = written
    table = {(r["year"], r["quarter"], r["feature"]): r for r in pq.read_table(out / "drift").to_pylist()}
    for entry in report["drift"]:
        assert set(entry["quantiles"]) == set(drift.NUMERIC_FEATURES)
        for name, quantiles in entry["quantiles"].items():
            stored = table[(entry["year"], entry["quarter"], name)]
            assert quantiles == {drift.quantile_column(p): stored[drift.quantile_column(p)] for p in drift.QUANTILES}
    # 45 minutes later, every delay: so is each quantile (from 1,500 rows each, within a few minutes).
    by_quarter = {(d["year"], d["quarter"]): d["quantiles"]["delay_minutes"] for d in report["drift"]}
    for column in ("p25", "p50", "p75"):
        assert 40 <= by_quarter[(2003, 3)][column] - by_quarter[(2003, 2)][column] <= 50, column


# The features table's column types (tables.json): the profile reads each as the job writes it.
_FEATURE_TYPES = {
    c["name"]: c["type"]
    for t in json.loads((Path(drift.__file__).parent / "tables.json").read_text())["tables"]
    if t["name"] == "features"
    for c in t["columns"]
}


def _generated_quarter(rng: random.Random) -> dict[str, list]:
    """One quarter's values per numeric feature: of any size, from a handful of values (ties) or many,
    some or all of them null."""
    size = rng.choice((1, 2, 3, 4, 5, 19, 20, 21, 99, 100, 101, rng.randrange(1, 1500)))
    columns: dict[str, list] = {}
    for name in drift.NUMERIC_FEATURES:
        whole = _FEATURE_TYPES[name] in ("int", "bigint")
        distinct = rng.choice((1, 2, 7, 1000))
        pool = [rng.randrange(-300, 1500) if whole else round(rng.uniform(-200, 200), rng.choice((0, 3, 12))) for _ in range(distinct)]
        nulls = rng.choice((0.0, 0.0, 0.1, 0.5, 1.0))
        columns[name] = [None if rng.random() < nulls else rng.choice(pool) for _ in range(size)]
    return columns


def test_quantiles_of_generated_quarters_equal_sorting_the_values(spark):
    from pyspark.sql.types import DoubleType, IntegerType, StructField, StructType

    rng = random.Random(2027)
    quarters = {(2000 + i // 4, i % 4 + 1): _generated_quarter(rng) for i in range(48)}
    schema = StructType(
        [
            StructField("year", IntegerType()),
            StructField("quarter", IntegerType()),
            *(StructField(n, IntegerType() if _FEATURE_TYPES[n] == "int" else DoubleType()) for n in drift.NUMERIC_FEATURES),
        ]
    )
    rows = [
        (year, quarter, *(columns[name][i] for name in drift.NUMERIC_FEATURES))
        for (year, quarter), columns in quarters.items()
        for i in range(len(next(iter(columns.values()))))
    ]
    routes = spark.createDataFrame(
        [(y, q, "AAA", "BBB", "AAA-BBB") for y, q in quarters], "year int, quarter int, origin string, destination string, route string"
    )
    found = {(r["year"], r["quarter"], r["feature"]): r for r in drift.profiles(spark.createDataFrame(rows, schema), routes)}

    assert {(y, q) for y, q, _ in found} == set(quarters)
    for (year, quarter), columns in quarters.items():
        for name, edges in drift.NUMERIC_FEATURES.items():
            profile, where = found[(year, quarter, name)], (year, quarter, name)
            values = [float(v) for v in columns[name] if v is not None]
            assert (profile["rows"], profile["nulls"]) == (len(columns[name]), len(columns[name]) - len(values)), where
            assert profile["bins"] == _bins(values, edges), where
            assert (profile["min"], profile["max"]) == ((min(values), max(values)) if values else (None, None)), where
            if values:
                assert profile["mean"] == pytest.approx(math.fsum(values) / len(values), rel=1e-12, abs=1e-9), where
            else:
                assert profile["mean"] is None, where
            _assert_quantiles(profile, values, where)


def test_every_numeric_feature_is_counted_in_exactly_one_group():
    # A feature in no group would have no profile; one in two would be counted twice.
    counted = [name for group in drift.COUNTED_TOGETHER for name in group]
    assert sorted(counted) == sorted(drift.NUMERIC_FEATURES)


def test_psi_of_identical_bins_is_zero_and_grows_with_the_shift():
    assert drift.psi([10, 20, 30], [10, 20, 30]) == 0
    far, near = drift.psi([0, 0, 60], [10, 20, 30]), drift.psi([5, 20, 35], [10, 20, 30])
    assert far is not None and near is not None and far > near > 0
    assert drift.psi([], []) is None and drift.psi([0, 0], [1, 2]) is None


def test_a_run_with_drift_above_the_threshold_writes_its_alert_naming_the_features(written):
    out, report = written
    alerts = sorted((out / "reports").glob("drift_alert-*.json"))
    assert [a.name for a in alerts] == [f"drift_alert-{report['started_at'].replace('-', '').replace(':', '')}.json"]
    alert = json.loads(alerts[0].read_text())
    assert alert["threshold"] == 0.2 and alert["started_at"] == report["started_at"]
    # Exactly the scores of the report above 0.2, worst first: 2003 Q3's delays among them.
    scores = [(d["year"], d["quarter"], name, value) for d in report["drift"] for name, value in d["psi"].items()]
    expected = sorted((s for s in scores if s[3] is not None and s[3] > 0.2), key=lambda e: -e[3])
    assert [(a["year"], a["quarter"], a["feature"], a["psi"]) for a in alert["drifted"]] == expected
    assert (2003, 3, "delay_minutes") in {(a["year"], a["quarter"], a["feature"]) for a in alert["drifted"]}


def test_above_threshold_keeps_only_scores_above_it_worst_first():
    summary = [
        {"year": 2003, "quarter": 1, "psi": {"a": None, "b": None}},
        {"year": 2003, "quarter": 2, "psi": {"a": 0.2, "b": 0.5, "c": 0.21}},
    ]
    assert drift.above_threshold(summary, 0.2) == [
        {"year": 2003, "quarter": 2, "feature": "b", "psi": 0.5},
        {"year": 2003, "quarter": 2, "feature": "c", "psi": 0.21},
    ]
    assert drift.above_threshold(summary, 0.5) == []
