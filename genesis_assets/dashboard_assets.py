"""Dashboard stage: ``quality_dashboard``, one HTML report per synthetic version.

The report shows what it is given as inputs: the privacy audit and the drift report when the
chain has those stages, and the release's verdict when it has a release (each only when it
describes the same snapshot as the synthetic rows; a run that regenerated the data without
re-auditing it must not show the old audit). Without them the report has the quality
evaluation's own privacy figures and no drift section.
"""

from __future__ import annotations

from typing import Any

import dagster as dg
import pandas as pd

from genesis.jsonsafe import finite, rounded
from genesis_assets.config import DatasetConfig
from genesis_assets.keys import stage_inputs
from genesis_assets.scenario_assets import scenario_stage, scenario_summaries, scenarios_markdown
from genesis_resources import ArtifactStore
from genesis_resources.iceberg import snapshot_of
from genesis_resources.reports import ReportLinks

#: stages the dashboard shows when the chain has them -> QualityDashboard keyword
OPTIONAL_STAGES = {"privacy_audit": "privacy_report", "drift_report": "drift_report"}


def _asset_keys(defs: list) -> set[dg.AssetKey]:
    keys: set[dg.AssetKey] = set()
    for d in defs:
        if isinstance(d, dg.AssetsDefinition):
            keys |= set(d.keys)
    return keys


def for_version(report: dict | None, snapshot: str) -> dict | None:
    """``report`` when it describes the synthetic version ``snapshot``, else None."""
    if not isinstance(report, dict) or str(report.get("snapshot_id")) != snapshot:
        return None
    return report


def build_dashboard_assets(
    ds: DatasetConfig, upstream: list | tuple = ()
) -> list[dg.AssetsDefinition | dg.AssetChecksDefinition]:
    """The dashboard stage of one dataset.

    ``upstream`` holds the definitions built before it for the same dataset: a
    ``privacy_audit``, ``drift_report`` or ``release`` asset among them becomes an input.
    """
    prefix = [ds.name]
    present = _asset_keys(list(upstream))
    optional = [s for s in (*OPTIONAL_STAGES, "release") if dg.AssetKey([*prefix, s]) in present]
    scenarios = [
        s for s in map(scenario_stage, ds.scenarios) if dg.AssetKey([*prefix, s]) in present
    ]

    @dg.asset(
        key_prefix=prefix,
        group_name=ds.name,
        ins={
            **stage_inputs(
                ds.name, "training_data", "holdout_data", "synthetic_dataset", "quality_report"
            ),
            **stage_inputs(ds.name, *optional),
            **stage_inputs(ds.name, *scenarios),
        },
        kinds={"html", "plotly"},
        code_version=ds.version_of("target", "seed"),
        description=(
            "One self-contained HTML report per synthetic version: distributions, associations, "
            "ML utility, privacy, drift and the scenarios, under a one-line verdict."
        ),
    )
    def quality_dashboard(
        artifact_store: ArtifactStore,
        report_links: ReportLinks,
        training_data: pd.DataFrame,
        holdout_data: pd.DataFrame,
        synthetic_dataset: pd.DataFrame,
        quality_report: dict,
        **reports: Any,  # the optional stages' reports, and the scenarios' rows
    ) -> dg.MaterializeResult:
        from genesis.dashboard import QualityDashboard

        snapshot = snapshot_of(synthetic_dataset)
        shown = {stage: for_version(reports.get(stage), snapshot) for stage in optional}
        release = shown.get("release") or {}
        recorded = release.get("verdict") or {}
        method = release.get("method") or (None if ds.method == "auto" else ds.method)
        frames = {s: reports[s] for s in scenarios}
        dashboard = QualityDashboard(
            real_data=training_data,
            synthetic_data=synthetic_dataset,
            name=f"{ds.name}: synthetic data quality",
            target=ds.target,
            holdout=holdout_data if len(holdout_data) else None,
            quality_report=for_version(quality_report, snapshot) or quality_report,
            seed=ds.seed,
            method=method,
            # the header shows the same verdict as the release's materialization
            snapshot_id=snapshot,
            model_uri=recorded.get("model_uri"),
            lineage_hash=recorded.get("lineage_hash"),
            quality_threshold=ds.quality_threshold,
            **{OPTIONAL_STAGES[s]: shown[s] for s in optional if s in OPTIONAL_STAGES},
            scenarios=scenario_summaries(ds, frames, training_data) if scenarios else None,
        )
        name = f"quality_dashboard/{snapshot}.html"
        artifact_store.write_text(ds.name, name, dashboard.generate_html_report())
        metrics = dashboard.compute_metrics()
        metadata = dashboard_metadata(metrics, snapshot, len(dashboard.generate_plotly_figures()))
        if release:
            from genesis.verdict import rows_markdown

            metadata["share_verdict"] = dg.MetadataValue.md(rows_markdown(metrics["share"]["rows"]))
        if scenarios:  # a line per scenario: rows, conditions, share meeting them
            metadata["scenarios"] = dg.MetadataValue.md(scenarios_markdown(ds, frames))
        metadata.update(report_links.metadata(artifact_store, ds.name, name, "url"))
        return dg.MaterializeResult(metadata=metadata, data_version=dg.DataVersion(snapshot))

    return [quality_dashboard]


def dashboard_metadata(metrics: dict[str, Any], snapshot: str, n_figures: int) -> dict:
    """The version the report shows, and the headline figures it shows."""
    quality = metrics["quality"]
    metadata: dict[str, Any] = {
        "snapshot_id": snapshot,
        "verdict": metrics["verdict"]["text"],
        "figures": n_figures,
    }
    for name in ("overall_score", "quality_score", "detection_auc", "exact_copy_share"):
        if (value := rounded(quality.get(name))) is not None:
            metadata[name] = value
    utility = metrics.get("ml_utility") or {}
    if (ratio := rounded(utility.get("ratio"))) is not None:
        metadata["ml_utility_ratio"] = ratio
    privacy = metrics.get("privacy") or {}
    metadata["privacy_section"] = "audit" if privacy.get("report") else "quality figures only"
    if isinstance(privacy.get("passed"), bool):
        metadata["privacy_passed"] = privacy["passed"]
    drift = metrics.get("drift")
    metadata["drift_section"] = "shown" if drift else "absent"
    if drift:
        shares = [v for k, v in drift["summary"].items() if k == "share" or k.endswith(".share")]
        if shares and (share := finite(shares[0])) is not None:
            metadata["observed_drift_share"] = round(share, 4)
    return metadata
