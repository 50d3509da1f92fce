"""Headline figures of the latest materializations: ``python -m genesis_assets.summary``.

Reads the Dagster instance in ``$DAGSTER_HOME`` and ``genesis.yaml`` (``$GENESIS_CONFIG``);
``make demo`` ends with it.
"""

from __future__ import annotations

import sys

import dagster as dg

from genesis_assets.config import GenesisConfig, load_config


def _metadata(instance: dg.DagsterInstance, key: list[str]) -> dict | None:
    event = instance.get_latest_materialization_event(dg.AssetKey(key))
    if event is None or event.asset_materialization is None:
        return None
    return {k: v.value for k, v in event.asset_materialization.metadata.items()}


def headline(instance: dg.DagsterInstance, config: GenesisConfig) -> list[str]:
    """Per dataset: rows, method, quality against its threshold, privacy, drift, where to look."""
    lines = []
    for ds in config.datasets:
        synthetic = _metadata(instance, [ds.name, "synthetic_dataset"])
        if synthetic is None:
            lines.append(f"{ds.name}: not materialized yet in this instance")
            continue
        model = _metadata(instance, [ds.name, "synthesis_model"]) or {}
        quality = _metadata(instance, [ds.name, "quality_report"]) or {}
        audit = _metadata(instance, [ds.name, "privacy_audit"]) or {}
        drift = _metadata(instance, [ds.name, "drift_report"]) or {}
        dashboard = _metadata(instance, [ds.name, "quality_dashboard"]) or {}
        release = _metadata(instance, [ds.name, "release"]) or {}
        method = model.get("selected_method") or ds.method
        line = (
            f"{ds.name}: {synthetic['dagster/row_count']:,} synthetic rows x "
            f"{synthetic['columns']} columns, method {method}"
        )
        if ds.method == "auto":
            line += " (chosen by AutoML)"
        if "fit_seconds" in model:
            line += f", fit {model['fit_seconds']:.1f} s"
        lines.append(line)
        score = quality.get("overall_score")
        if isinstance(score, int | float):
            verdict = "passed" if score >= ds.quality_threshold else "FAILED"
            lines.append(
                f"  quality score {score:.3f} (threshold {ds.quality_threshold}: {verdict})"
            )
        if "privacy_verdict" in audit:
            verdict = "passed" if audit.get("passed") else "FAILED"
            lines.append(f"  privacy risk {audit['privacy_verdict']} ({verdict})")
        if isinstance(drift.get("observed_drift_share"), int | float):
            lines.append(
                f"  source drift since training: share {drift['observed_drift_share']:.2f} "
                f"({'drifted' if drift.get('dataset_drift') else 'no dataset drift'})"
            )
        if "headline" in release:
            lines.append(f"  verdict: {release['headline']}")
        if "snapshot_id" in synthetic:
            lines.append(f"  Iceberg snapshot {synthetic['snapshot_id']}")
        if "model_uri" in model:
            lines.append(f"  MLflow model {model['model_uri']}")
        if "path" in synthetic:
            lines.append(f"  synthetic table: {synthetic['path']}")
        if "url" in dashboard:
            lines.append(f"  quality dashboard: {dashboard['url']} (make ui serves it)")
    return lines


def main() -> int:
    """Print the headline figures and where to look next."""
    config = load_config()
    with dg.DagsterInstance.get() as instance:
        lines = headline(instance, config)
    print("\n".join(lines))
    print(
        "Look at the runs, lineage and metadata in the web UI: make ui  ->  http://127.0.0.1:3000"
    )
    return 1 if any(line.endswith("not materialized yet in this instance") for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main())
