"""Where the job writes, under `--output_path`.

The paths are a contract: the provisioner CLI, QuickSight manifests and
downstream readers find the job's output by them, and the run report lists
them under "outputs". Change nothing here without changing those readers.

    features/                        feature table, Parquet, partitioned by year and quarter
    rejected/                        quarantined rows, Parquet, partitioned the same way
    delivered/                       every row delivered so far, as text (the job's own memory)
    drift/                           per quarter, a profile of each feature and its PSI (drift.py)
    aggregates/<name>/parquet/       per-quarter aggregates, Parquet
    aggregates/<name>/csv/           the same aggregates, one CSV with a header
    manifests/<name>.json            QuickSight manifest of that CSV folder
    manifests/runs/<run id>.json     the run manifest: what a run read, ran with and left (run_manifest.py)
    reports/run_report.json          the latest run report
    reports/run_report-<stamp>.json  a copy kept per run
    reports/drift_alert-<stamp>.json the features that drifted above --drift_threshold, when any did
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from storage import join

REPORT_NAME = "run_report.json"
# Beside the QuickSight manifests but a folder of their own: QuickSight reads a
# manifest by its name, and a run manifest is no data for it.
RUN_MANIFESTS = ("manifests", "runs")


def _folder(base: str, *parts: str) -> str:
    # Folders end in "/": the report has always shown them so, and QuickSight
    # manifests take prefixes in that form.
    return join(base, *parts) + "/"


@dataclass(frozen=True)
class AggregateOutput:
    """The three places one aggregate is written to."""

    name: str
    parquet: str
    csv: str
    manifest: str

    def as_report(self) -> dict[str, str]:
        return {"parquet": self.parquet, "csv": self.csv, "manifest": self.manifest}


@dataclass(frozen=True)
class OutputLayout:
    """Every path the job writes under one output prefix."""

    features: str
    rejected: str
    aggregates: tuple[AggregateOutput, ...]
    delivered: str
    drift: str
    report: str
    run_manifests: str

    @classmethod
    def under(cls, output_path: str, aggregate_names: Iterable[str]) -> OutputLayout:
        return cls(
            features=_folder(output_path, "features"),
            rejected=_folder(output_path, "rejected"),
            aggregates=tuple(
                AggregateOutput(
                    name=name,
                    parquet=_folder(output_path, "aggregates", name, "parquet"),
                    csv=_folder(output_path, "aggregates", name, "csv"),
                    manifest=join(output_path, "manifests", f"{name}.json"),
                )
                for name in aggregate_names
            ),
            delivered=_folder(output_path, "delivered"),
            drift=_folder(output_path, "drift"),
            report=join(output_path, "reports", REPORT_NAME),
            run_manifests=_folder(output_path, *RUN_MANIFESTS),
        )

    def aggregate(self, name: str) -> AggregateOutput:
        for output in self.aggregates:
            if output.name == name:
                return output
        raise KeyError(name)

    def partitioned_tables(self) -> tuple[str, ...]:
        """Every folder partitioned by year and quarter."""
        return (self.features, self.rejected, *(a.parquet for a in self.aggregates), self.delivered, self.drift)

    def report_copy(self, stamp: str) -> str:
        """The per-run copy of the report, e.g. reports/run_report-20260101T060000Z.json."""
        folder = self.report[: -len(REPORT_NAME)]
        return f"{folder}run_report-{stamp}.json"

    def drift_alert(self, stamp: str) -> str:
        """The run's drift alert, e.g. reports/drift_alert-20260101T060000Z.json: written only when
        a feature drifted above the threshold, so that its arrival alone is the alert."""
        folder = self.report[: -len(REPORT_NAME)]
        return f"{folder}drift_alert-{stamp}.json"

    def run_manifest(self, run_id: str) -> str:
        """The manifest of one run, e.g. manifests/runs/jr_0123abcd.json."""
        return f"{self.run_manifests}{run_id}.json"

    def as_report(self, run_id: str) -> dict[str, Any]:
        """The run report's "outputs" object (its keys and order are part of the report's shape)."""
        return {
            "features": self.features,
            "rejected": self.rejected,
            "aggregates": {output.name: output.as_report() for output in self.aggregates},
            "delivered": self.delivered,
            "drift": self.drift,
            "report": self.report,
            "run_manifest": self.run_manifest(run_id),
        }
