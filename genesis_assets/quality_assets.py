"""Quality stage: ``quality_report`` and the blocking ``quality_above_threshold`` check."""

from typing import Any

import dagster as dg
import pandas as pd

from genesis.jsonsafe import rounded
from genesis.quality.report import HEADLINE_SCORES
from genesis.schema.types import Schema
from genesis_assets.config import DatasetConfig
from genesis_assets.keys import stage_inputs
from genesis_resources.iceberg import snapshot_of

#: the report's scalar figures shown as metadata, in display order
SCORES = HEADLINE_SCORES


def report_metadata(report) -> dict[str, Any]:
    """The quality score and its parts, ML utility and per-column details as metadata."""
    metadata: dict[str, Any] = {}
    for name in SCORES:
        value = rounded(getattr(report, name, None))
        if value is not None:
            metadata[name] = value
    for name, value in (getattr(report, "ml_utility", None) or {}).items():
        if isinstance(value, str):
            metadata[f"ml_utility/{name}"] = value
        elif (number := rounded(value)) is not None:
            metadata[f"ml_utility/{name}"] = number
    details = getattr(report, "column_details", None)
    if isinstance(details, pd.DataFrame) and not details.empty:
        metadata["column_details"] = dg.MetadataValue.md(details.to_markdown(index=False))
    return metadata


def build_quality_assets(ds: DatasetConfig) -> list[dg.AssetsDefinition | dg.AssetChecksDefinition]:
    """The quality stage of one dataset: ``quality_report`` and its blocking check."""
    prefix = [ds.name]

    @dg.asset(
        key_prefix=prefix,
        group_name=ds.name,
        ins=stage_inputs(
            ds.name, "training_data", "holdout_data", "synthetic_dataset", "inferred_schema"
        ),
        code_version=ds.version_of("target", "seed"),
        description="How faithful the synthetic rows are: fidelity, detectability, copies, ML utility.",
    )
    def quality_report(
        training_data: pd.DataFrame,
        holdout_data: pd.DataFrame,
        synthetic_dataset: pd.DataFrame,
        inferred_schema: Schema,
    ) -> dg.Output[dict]:
        from genesis.quality import QualityEvaluator
        from genesis.verdict import quality_verdict

        report = QualityEvaluator(
            training_data,
            synthetic_dataset,
            target=ds.target,
            holdout=holdout_data if len(holdout_data) else None,
            schema=inferred_schema,
            seed=ds.seed,
        ).evaluate()
        snapshot = snapshot_of(synthetic_dataset)
        verdict = quality_verdict(report.to_dict(), ds.quality_threshold)
        return dg.Output(
            {**report.to_dict(), "snapshot_id": snapshot},
            metadata={
                "snapshot_id": snapshot,
                "headline": f"overall_score (the verdict's score): {verdict.text}",
                **report_metadata(report),
            },
        )

    @dg.asset_check(
        asset=[*prefix, "quality_report"],
        name="quality_above_threshold",
        blocking=True,
        description=(
            f"Overall quality score at least {ds.quality_threshold} (quality_threshold in "
            "genesis.yaml); a failure stops every stage downstream of the report."
        ),
    )
    def quality_above_threshold(quality_report: dict) -> dg.AssetCheckResult:
        from genesis.verdict import quality_verdict

        verdict = quality_verdict(quality_report, ds.quality_threshold)
        score = rounded(verdict.score)
        return dg.AssetCheckResult(
            passed=bool(verdict.passed),
            severity=dg.AssetCheckSeverity.ERROR,
            description=verdict.text,
            metadata={
                "overall_score": score if score is not None else "not computable",
                "threshold": ds.quality_threshold,
                "snapshot_id": str(quality_report.get("snapshot_id")),
            },
        )

    return [quality_report, quality_above_threshold]
