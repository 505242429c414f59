from datetime import datetime, timezone

import pytest

import report
import transforms


def test_summary_adds_up_per_quarter_and_in_total():
    counts = [
        (2001, 2, None, 90),
        (2001, 1, None, 100),
        (2001, 1, "duplicate", 3),
        (2001, 1, "absurd_delay", 2),
        (2001, 2, "unknown_origin", 1),
        (None, None, "unparseable_timestamp", 4),
    ]
    summary = report.summarise(counts)
    assert summary["rows"] == {"read": 200, "written": 190, "rejected": 10}
    assert [(q["year"], q["quarter"]) for q in summary["quarters"]] == [(2001, 1), (2001, 2), (None, None)]
    q1 = summary["quarters"][0]
    assert (q1["read"], q1["written"], q1["rejected"]) == (105, 100, 5)
    assert q1["rejected_by_reason"]["duplicate"] == 3
    assert set(q1["rejected_by_reason"]) == set(transforms.REASONS)
    assert summary["rejected_by_reason"] == {
        **{reason: 0 for reason in transforms.REASONS},
        "duplicate": 3,
        "absurd_delay": 2,
        "unknown_origin": 1,
        "unparseable_timestamp": 4,
    }
    for quarter in summary["quarters"]:
        assert quarter["read"] == quarter["written"] + quarter["rejected"]


def test_unknown_reason_is_an_error():
    with pytest.raises(ValueError, match="unknown reject reason"):
        report.summarise([(2001, 1, "cosmic_rays", 1)])


def test_build_has_times_source_rules_and_outputs():
    started = datetime(2026, 1, 1, 6, 0, 0, tzinfo=timezone.utc)
    finished = datetime(2026, 1, 1, 6, 1, 30, 500000, tzinfo=timezone.utc)
    document = report.build(
        [],
        job_name="j",
        source={"mode": "paths"},
        output_path="o",
        outputs={"report": "o/reports/run_report.json"},
        started_at=started,
        finished_at=finished,
    )
    assert document["started_at"] == "2026-01-01T06:00:00Z"
    assert document["duration_seconds"] == 90.5
    assert document["rows"] == {"read": 0, "written": 0, "rejected": 0}
    assert document["quarters"] == []
    assert document["rules"]["delay_bounds_minutes"] == [-120, 1440]
    assert document["outputs"]["report"] == "o/reports/run_report.json"
