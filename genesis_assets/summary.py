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
    """One line per dataset: rows, method, fit time, quality score against its threshold."""
    lines = []
    for ds in config.datasets:
        synthetic = _metadata(instance, [ds.name, "synthetic_dataset"])
        model = _metadata(instance, [ds.name, "synthesis_model"]) or {}
        quality = _metadata(instance, [ds.name, "quality_report"]) or {}
        if synthetic is None:
            lines.append(f"{ds.name}: not materialized yet in this instance")
            continue
        line = (
            f"{ds.name}: {synthetic['dagster/row_count']:,} synthetic rows x "
            f"{synthetic['columns']} columns, method {ds.method}"
        )
        if "fit_seconds" in model:
            line += f" (fit {model['fit_seconds']:.1f} s)"
        score = quality.get("overall_score")
        if isinstance(score, int | float):
            verdict = "passed" if score >= ds.quality_threshold else "FAILED"
            line += f", quality score {score:.3f} (threshold {ds.quality_threshold}: {verdict})"
        lines.append(line)
        if "path" in synthetic:
            lines.append(f"  synthetic table: {synthetic['path']}")
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
