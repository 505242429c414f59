"""The drift/ table against an independent computation over the feature table the job wrote.

The job profiles each quarter in Spark (one grouped pass, bins as SQL
expressions) and scores it against the quarter before on the driver. Here
the features are read back with pyarrow and every figure is recomputed in
plain Python: bins with bisect, means with fsum, PSI from its definition.
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
