"""Dashboard stage: ``quality_dashboard``, one HTML report per synthetic version.

The report shows the privacy audit and the drift report when the chain has those stages:
they become upstream dependencies of the dashboard when they are defined, and their stored
JSON is read when it has been materialized. Without them the report has the quality
evaluation's own privacy figures and no drift section.
"""

import json
from pathlib import Path
from typing import Any

import dagster as dg
import pandas as pd

from genesis_assets.config import DatasetConfig
from genesis_assets.keys import stage_inputs
from genesis_resources import ArtifactStore

#: stages whose stored reports the dashboard shows when the chain has them
OPTIONAL_STAGES = {"privacy_audit": "privacy_report", "drift_report": "drift_report"}


def _asset_keys(defs: list) -> set[dg.AssetKey]:
    keys: set[dg.AssetKey] = set()
    for d in defs:
        if isinstance(d, dg.AssetsDefinition):
            keys |= set(d.keys)
    return keys


def _stored_report(
    store: ArtifactStore, dataset: str, stage: str, synthetic_version: str
) -> dict[str, Any] | None:
    """The JSON the IO manager stored for ``stage`` when it describes ``synthetic_version``;
    None when the stage was never materialized or last ran on another synthetic version (a
    run that regenerated the data without re-auditing it must not show the old audit)."""
    name = f"{stage}.json"
    if not store.exists(dataset, name):
        return None
    value = json.loads(store.read_text(dataset, name))
    if not isinstance(value, dict) or value.get("synthetic_version") != synthetic_version:
        return None
    return value


def _local_url(path: str) -> str | None:
    if "://" in path:
        return None
    return Path(path).resolve().as_uri()


def build_dashboard_assets(
    ds: DatasetConfig, upstream: list | tuple = ()
) -> list[dg.AssetsDefinition | dg.AssetChecksDefinition]:
    """The dashboard stage of one dataset.

    ``upstream`` holds the definitions built before it for the same dataset: a
    ``privacy_audit`` or ``drift_report`` asset among them becomes a dependency, so the
    dashboard runs after it and shows its result.
    """
    prefix = [ds.name]
    present = _asset_keys(list(upstream))
    optional = [s for s in OPTIONAL_STAGES if dg.AssetKey([*prefix, s]) in present]

    @dg.asset(
        key_prefix=prefix,
        group_name=ds.name,
        ins=stage_inputs(
            ds.name, "training_data", "holdout_data", "synthetic_dataset", "quality_report"
        ),
        deps=[dg.AssetKey([*prefix, s]) for s in optional],
        kinds={"html", "plotly"},
        code_version=ds.version_of("target", "seed"),
        description=(
            "One self-contained HTML report per synthetic version: distributions, associations, "
            "ML utility, privacy and drift, under a one-line verdict."
        ),
    )
    def quality_dashboard(
        artifact_store: ArtifactStore,
        training_data: pd.DataFrame,
        holdout_data: pd.DataFrame,
        synthetic_dataset: pd.DataFrame,
        quality_report: dict,
    ) -> dg.MaterializeResult:
        from genesis.dashboard import QualityDashboard
        from genesis.io import fingerprint

        version = fingerprint(synthetic_dataset)[:16]
        reports = {
            OPTIONAL_STAGES[stage]: _stored_report(artifact_store, ds.name, stage, version)
            for stage in optional
        }
        dashboard = QualityDashboard(
            training_data,
            synthetic_dataset,
            name=f"{ds.name}: synthetic data quality ({ds.method})",
            target=ds.target,
            holdout=holdout_data if len(holdout_data) else None,
            quality_report=quality_report,
            seed=ds.seed,
            **reports,
        )
        path = artifact_store.write_text(
            ds.name, f"quality_dashboard/{version}.html", dashboard.generate_html_report()
        )
        metrics = dashboard.compute_metrics()
        return dg.MaterializeResult(
            metadata=dashboard_metadata(
                metrics, path, version, len(dashboard.generate_plotly_figures())
            ),
            data_version=dg.DataVersion(version),
        )

    return [quality_dashboard]


def dashboard_metadata(metrics: dict[str, Any], path: str, version: str, n_figures: int) -> dict:
    """Where the report is, and the headline figures it shows."""
    from genesis.jsonsafe import finite as number

    quality = metrics["quality"]
    metadata: dict[str, Any] = {"path": dg.MetadataValue.path(path)}
    if (url := _local_url(path)) is not None:
        metadata["url"] = dg.MetadataValue.url(url)
    metadata.update(
        synthetic_version=version,
        verdict=metrics["verdict"]["text"],
        figures=n_figures,
    )
    for name in ("overall_score", "quality_score", "detection_auc", "exact_copy_share"):
        if (value := number(quality.get(name))) is not None:
            metadata[name] = round(value, 4)
    utility = metrics.get("ml_utility") or {}
    if (ratio := number(utility.get("ratio"))) is not None:
        metadata["ml_utility_ratio"] = round(ratio, 4)
    privacy = metrics.get("privacy") or {}
    metadata["privacy_section"] = "audit" if privacy.get("report") else "quality figures only"
    if isinstance(privacy.get("passed"), bool):
        metadata["privacy_passed"] = privacy["passed"]
    drift = metrics.get("drift")
    metadata["drift_section"] = "shown" if drift else "absent"
    if drift:
        shares = [v for k, v in drift["summary"].items() if k == "share" or k.endswith(".share")]
        if shares and (share := number(shares[0])) is not None:
            metadata["drift_share"] = round(share, 4)
    return metadata
