"""Drift stage: ``drift_report`` (the real source against the rows the model was trained on,
and the synthetic rows against the real ones) and its ``source_not_drifted`` check.

The baseline is the protected ``training_data`` artifact, loaded through the IO manager like
any input: saved models carry no real rows, and no file name is read behind the IO manager.

The check is deliberately **not blocking** (severity WARN): source drift says the real data
moved since the model was trained, not that this synthetic version is broken. The version is
still scored, released and shown as "Not shareable — drift" in the verdict, and the drift
sensor requests a refit; blocking would hide that verdict instead of explaining it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
import pandas as pd

from genesis.jsonsafe import finite, rounded
from genesis_assets.config import DatasetConfig
from genesis_assets.keys import stage_inputs
from genesis_resources import ArtifactStore
from genesis_resources.iceberg import snapshot_of
from genesis_resources.reports import ReportLinks

SOURCE_HTML = "drift_report.html"
SYNTHETIC_HTML = "drift_synthetic_vs_real.html"


def detector_for(ds: DatasetConfig, schema=None):
    """The :class:`genesis.drift.DriftDetector` configured by the dataset's ``drift:`` block.

    With the model's ``schema`` (see :class:`~genesis.drift.DriftDetector`): its missing-value
    tokens count as missing, datetime columns (even stored as text) are compared as time, PII
    columns by the format of their values, and identifiers and free text are left out.
    """
    from genesis.drift import DriftDetector

    return DriftDetector(
        tests=dict(ds.drift.tests) or "auto",
        thresholds=dict(ds.drift.thresholds) or None,
        drift_share=ds.drift.drift_share,
        schema=schema,
    )


def _number(value: Any) -> str:
    number = finite(value)
    return "n/a" if number is None else f"{number:.3g}"


def _share(value: Any) -> str:
    number = finite(value)
    return "n/a" if number is None else f"{number:.1%}"


def drift_table(report: Mapping[str, Any]) -> str:
    """``DriftReport.to_dict()`` as a Markdown table with a value in every cell."""
    lines = [
        "| column | test | value | threshold | distribution | missing (baseline → now) | drifted |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in report.get("columns") or []:
        lines.append(
            f"| {c.get('column')} | {c.get('test')} | {_number(c.get('value'))} "
            f"| {_number(c.get('threshold'))} | {'drift' if c.get('distribution_drift') else 'same'} "
            f"| {_share(c.get('missing_share_baseline'))} → {_share(c.get('missing_share_current'))} "
            f"| {'**yes**' if c.get('drifted') else 'no'} |"
        )
    for name in report.get("missing_columns") or []:
        lines.append(f"| {name} | none | n/a | n/a | column missing | n/a | **yes** |")
    return "\n".join(lines)


def report_metadata(report: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Observed share, its threshold, the verdict, drifted columns and the table."""
    return {
        f"{prefix}observed_drift_share": rounded(report.get("share")),
        f"{prefix}drift_share_threshold": rounded(report.get("drift_share")),
        f"{prefix}dataset_drift": bool(report.get("dataset_drift")),
        f"{prefix}drifted_columns": ", ".join(report.get("drifted_columns") or []) or "none",
        f"{prefix}columns": dg.MetadataValue.md(drift_table(report)),
    }


def build_drift_assets(ds: DatasetConfig) -> list[dg.AssetsDefinition | dg.AssetChecksDefinition]:
    """The drift stage of one dataset: ``drift_report`` and its non-blocking check."""
    prefix = [ds.name]

    @dg.asset(
        key_prefix=prefix,
        group_name=ds.name,
        ins=stage_inputs(
            ds.name, "raw_source", "training_data", "inferred_schema", "synthetic_dataset"
        ),
        code_version=ds.version_of("drift"),
        description=(
            "Drift of the real source against the training rows the model learned from, and "
            f"of the synthetic rows against them (drift share >= {ds.drift.drift_share} is "
            "dataset drift)."
        ),
    )
    def drift_report(
        artifact_store: ArtifactStore,
        report_links: ReportLinks,
        raw_source: pd.DataFrame,
        training_data: pd.DataFrame,
        inferred_schema,
        synthetic_dataset: pd.DataFrame,
    ) -> dg.Output[dict]:
        snapshot = snapshot_of(synthetic_dataset)
        detector = detector_for(ds, inferred_schema)
        source = detector.detect(training_data, raw_source)
        synthetic = detector.detect(training_data, synthetic_dataset)
        artifact_store.write_text(
            ds.name, SOURCE_HTML, source.to_html(f"{ds.name}: source vs. training rows")
        )
        artifact_store.write_text(
            ds.name,
            SYNTHETIC_HTML,
            synthetic.to_html(f"{ds.name}: synthetic version {snapshot} vs. real training rows"),
        )
        stored = {
            "source_vs_baseline": source.to_dict(),
            "synthetic_vs_real": synthetic.to_dict(),
            "snapshot_id": snapshot,  # the version compared: no later report shows it for another
        }
        return dg.Output(
            stored,
            metadata={
                "snapshot_id": snapshot,
                **report_metadata(stored["source_vs_baseline"]),
                **report_metadata(stored["synthetic_vs_real"], "synthetic_vs_real/"),
                **report_links.metadata(artifact_store, ds.name, SOURCE_HTML, "html"),
                **report_links.metadata(
                    artifact_store, ds.name, SYNTHETIC_HTML, "synthetic_vs_real/html"
                ),
            },
        )

    @dg.asset_check(
        asset=[*prefix, "drift_report"],
        name="source_not_drifted",
        blocking=False,
        description=(
            f"Share of drifted source columns below drift_share_threshold "
            f"({ds.drift.drift_share}, drift.drift_share in genesis.yaml). Not blocking: the "
            "version is still released with a 'not shareable: drift' verdict, and the drift "
            "sensor refits the model."
        ),
    )
    def source_not_drifted(drift_report: dict) -> dg.AssetCheckResult:
        from genesis.verdict import drift_verdict

        verdict = drift_verdict(drift_report)
        return dg.AssetCheckResult(
            passed=verdict.drifted is False,
            severity=dg.AssetCheckSeverity.WARN,
            description=verdict.text,
            metadata={
                "observed_drift_share": rounded(verdict.observed_share),
                "drift_share_threshold": rounded(verdict.threshold_share),
                "drifted_columns": ", ".join(verdict.drifted_columns) or "none",
                "snapshot_id": str(drift_report.get("snapshot_id")),
            },
        )

    return [drift_report, source_not_drifted]
