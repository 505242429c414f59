"""The output layout is a contract with the CLI and downstream readers: pin every path."""

from __future__ import annotations

import dataclasses

import pytest

import transforms
from layout import OutputLayout


def test_paths_under_an_s3_prefix():
    layout = OutputLayout.under("s3://bucket/processed/", transforms.AGGREGATE_KEYS)
    assert layout.as_report("jr_0123") == {
        "features": "s3://bucket/processed/features/",
        "rejected": "s3://bucket/processed/rejected/",
        "aggregates": {
            name: {
                "parquet": f"s3://bucket/processed/aggregates/{name}/parquet/",
                "csv": f"s3://bucket/processed/aggregates/{name}/csv/",
                "manifest": f"s3://bucket/processed/manifests/{name}.json",
            }
            for name in ("route_quarter", "origin_hour", "day_of_week")
        },
        "delivered": "s3://bucket/processed/delivered/",
        "drift": "s3://bucket/processed/drift/",
        "report": "s3://bucket/processed/reports/run_report.json",
        "run_manifest": "s3://bucket/processed/manifests/runs/jr_0123.json",
    }
    assert list(layout.as_report("jr_0123")) == ["features", "rejected", "aggregates", "delivered", "drift", "report", "run_manifest"]
    assert layout.report_copy("20260101T060000Z") == "s3://bucket/processed/reports/run_report-20260101T060000Z.json"


def test_lookup_by_name_and_immutability():
    layout = OutputLayout.under("/tmp/out", ["day_of_week"])
    assert layout.aggregate("day_of_week").csv == "/tmp/out/aggregates/day_of_week/csv/"
    with pytest.raises(KeyError):
        layout.aggregate("nope")
    with pytest.raises(dataclasses.FrozenInstanceError):
        layout.features = "elsewhere"  # type: ignore[misc]
