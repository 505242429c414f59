"""Prints what the demo's job run produced: rows in, features out, rejections, worst routes.

Reads the run report that `provisioner run --local --json` printed and the route aggregates the
job wrote to the bucket (through the same endpoint and credentials as the CLI).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
from typing import TypedDict

import boto3

# Routes with fewer flights than this have a mean delay too noisy to rank.
MIN_FLIGHTS_TO_RANK = 200


class RankedRoute(TypedDict):
    route: str
    flights: int
    mean_delay_minutes: float


def most_delayed_routes(bucket: str, limit: int = 5) -> list[RankedRoute]:
    s3 = boto3.client("s3", endpoint_url=os.environ.get("AWS_ENDPOINT_URL"))
    prefix = "processed/aggregates/route_quarter/csv/"
    totals: dict[str, list[float]] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            if not obj["Key"].endswith(".csv"):
                continue
            body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read().decode()
            for row in csv.DictReader(io.StringIO(body)):
                flights = int(row["flights"])
                entry = totals.setdefault(row["route"], [0.0, 0.0])
                entry[0] += flights
                entry[1] += flights * float(row["mean_delay"])
    ranked: list[RankedRoute] = [
        {"route": route, "flights": int(n), "mean_delay_minutes": round(weighted / n, 1)}
        for route, (n, weighted) in totals.items()
        if n >= MIN_FLIGHTS_TO_RANK
    ]
    ranked.sort(key=lambda r: r["mean_delay_minutes"], reverse=True)
    return ranked[:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--report", required=True)
    parser.add_argument("--status", required=True)
    parser.add_argument("--json-out")
    args = parser.parse_args()

    with open(args.report) as handle:
        report = json.load(handle)
    with open(args.status) as handle:
        status = json.load(handle)
    bucket = next(r["name"] for r in status["resources"] if r["kind"] == "bucket")
    routes = most_delayed_routes(bucket)
    rows = report["rows"]

    print(f"rows in:           {rows['read']:>10,}")
    print(f"features written:  {rows['written']:>10,}")
    print(f"rejected:          {rows['rejected']:>10,}")
    for reason, count in report["rejected_by_reason"].items():
        if count:
            print(f"  {reason:<16} {count:>10,}")
    print(f"five most delayed routes (at least {MIN_FLIGHTS_TO_RANK} flights):")
    for r in routes:
        print(f"  {r['route']:<9} {r['mean_delay_minutes']:>6} min mean delay over {r['flights']:,} flights")

    if args.json_out:
        with open(args.json_out, "w") as out:
            json.dump({"rows": rows, "rejected_by_reason": report["rejected_by_reason"], "most_delayed_routes": routes}, out, indent=2)


if __name__ == "__main__":
    main()
