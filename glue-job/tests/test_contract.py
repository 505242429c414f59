"""The job's validation rules and the data contract (rawdata/contract.json) say the same.

The provisioner checks raw files against the contract before it uploads them and the job
quarantines by its own rules: should the two drift apart, the plan would count one set of bad
rows and the job reject another. No Spark is started: these are the rules as written.
"""

from __future__ import annotations

import json
from pathlib import Path

import transforms

CONTRACT = Path(__file__).resolve().parents[2] / "rawdata" / "contract.json"

# strptime directive -> the Java DateTimeFormatter letters the job parses with.
STRPTIME_TO_JAVA = {"%Y": "yyyy", "%m": "MM", "%d": "dd", "%H": "HH", "%M": "mm", "%S": "ss"}


def _contract() -> dict:
    return json.loads(CONTRACT.read_text())


def _table(name: str) -> dict:
    return next(r for r in _contract()["resources"] if r["name"] == name)


def _field(table: str, name: str) -> dict:
    return next(f for f in _table(table)["schema"]["fields"] if f["name"] == name)


def _java(pattern: str) -> str:
    for directive, letters in STRPTIME_TO_JAVA.items():
        pattern = pattern.replace(directive, letters)
    return pattern


def test_the_flights_columns_and_their_order_are_the_jobs():
    assert tuple(f["name"] for f in _table("flights")["schema"]["fields"]) == transforms.RAW_FLIGHT_COLUMNS


def test_duplicates_are_judged_on_the_contracts_primary_key():
    key = tuple(_table("flights")["schema"]["primaryKey"])
    assert key == transforms.RAW_FLIGHT_COLUMNS
    assert ("wrong_column_count", *key) == transforms.DUPLICATE_KEY


def test_timestamps_are_read_in_the_same_formats_in_the_same_order():
    date = _field("flights", "date")
    formats = [date["format"], *date.get("x-fallbackFormats", [])]
    assert tuple(_java(f) for f in formats) == transforms.TIMESTAMP_FORMATS
    assert date["type"] == "datetime"


def test_numbers_are_the_jobs_plain_decimal_numbers():
    assert _contract()["x-numberPattern"] == transforms.PLAIN_DECIMAL_PATTERN


def test_the_delay_range_and_the_distance_bound_are_the_jobs():
    delay = _field("flights", "delay")
    assert delay["type"] == "integer"  # whole minutes: non_numeric_delay otherwise
    assert delay["constraints"]["minimum"] == transforms.MIN_DELAY_MINUTES
    assert delay["constraints"]["maximum"] == transforms.MAX_DELAY_MINUTES
    distance = _field("flights", "distance")
    assert distance["type"] == "number"
    assert distance["constraints"] == {"required": True, "exclusiveMinimum": 0}  # non_positive_distance


def test_every_flight_column_is_required_as_the_job_rejects_a_missing_value():
    assert all(f["constraints"]["required"] for f in _table("flights")["schema"]["fields"])


def test_origin_and_destination_must_be_airport_codes():
    keys = _table("flights")["schema"]["foreignKeys"]
    assert {(k["fields"][0], k["reference"]["resource"], k["reference"]["fields"][0]) for k in keys} == {
        ("origin", "airports", "iata"),
        ("destination", "airports", "iata"),
    }
    airports = [f["name"] for f in _table("airports")["schema"]["fields"]]
    assert set(transforms.AIRPORT_COLUMNS) <= set(airports)
