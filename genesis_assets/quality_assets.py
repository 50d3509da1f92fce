"""Quality stage: ``quality_report`` and the blocking ``quality_above_threshold`` check."""

import math
from typing import Any

import dagster as dg
import pandas as pd

from genesis.schema.types import Schema
from genesis_assets.config import DatasetConfig
from genesis_assets.keys import stage_inputs
from genesis_resources.iceberg import VersioningResource, record_checks

#: the report's scalar figures shown as metadata, in display order
SCORES = (
    "overall_score",
    "quality_score",
    "column_shapes",
    "column_pair_trends",
    "missing_similarity",
    "detection_auc",
    "detection_score",
    "exact_copy_share",
    "dcr_ratio",
)


def _number(value: Any) -> float | int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else round(number, 4)


def report_metadata(report) -> dict[str, Any]:
    """The quality score and its parts, ML utility and per-column details as metadata."""
    metadata: dict[str, Any] = {}
    for name in SCORES:
        value = _number(getattr(report, name, None))
        if value is not None:
            metadata[name] = value
    for name, value in (getattr(report, "ml_utility", None) or {}).items():
        if isinstance(value, str):
            metadata[f"ml_utility/{name}"] = value
        elif (number := _number(value)) is not None:
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

        report = QualityEvaluator(
            training_data,
            synthetic_dataset,
            target=ds.target,
            holdout=holdout_data if len(holdout_data) else None,
            schema=inferred_schema,
            seed=ds.seed,
        ).evaluate()
        return dg.Output(report.to_dict(), metadata=report_metadata(report))

    @dg.asset_check(
        asset=[*prefix, "quality_report"],
        name="quality_above_threshold",
        blocking=True,
        description=(
            f"Overall quality score at least {ds.quality_threshold} (quality_threshold in "
            "genesis.yaml); a failure stops every stage downstream of the report."
        ),
    )
    def quality_above_threshold(
        versioning: VersioningResource, quality_report: dict
    ) -> dg.AssetCheckResult:
        score = _number(quality_report.get("overall_score"))
        passed = score is not None and score >= ds.quality_threshold
        # the verdict joins the synthetic version's lineage chain, passed or not
        record_checks(
            versioning,
            ds.name,
            [
                {
                    "check": "quality",
                    "metrics": {k: quality_report.get(k) for k in SCORES},
                    "passed": passed,
                    "threshold": ds.quality_threshold,
                }
            ],
        )
        return dg.AssetCheckResult(
            passed=passed,
            severity=dg.AssetCheckSeverity.ERROR,
            description=None if score is not None else "the overall score was not computable",
            metadata={
                "overall_score": score if score is not None else "not computable",
                "threshold": ds.quality_threshold,
            },
        )

    return [quality_report, quality_above_threshold]
