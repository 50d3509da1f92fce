"""What ``synthesis_model`` does for method ``auto``, and the Great Expectations check.

Kept out of the asset bodies so they stay a few lines: the AutoML search logged to MLflow
(one parent run per materialization, one nested run per trial, the winner registered as
``genesis-<dataset>``), and the validation of ``synthetic_dataset`` against the suite built
from ``inferred_schema``.
"""

from __future__ import annotations

from typing import Any

import dagster as dg
import pandas as pd

from genesis.schema.types import Schema
from genesis_assets.config import DatasetConfig
from genesis_resources import ComputeResource, MLflowResource

#: leaderboard columns shown in the materialization's metadata
LEADERBOARD_COLUMNS = (
    "rank",
    "method",
    "params",
    "status",
    "fit_seconds",
    "score",
    "quality_score",
    "detection_auc",
    "privacy_score",
    "reason",
)


def automl_params(ds: DatasetConfig, compute: ComputeResource) -> dict[str, Any]:
    """``AutoMLSynthesizer`` parameters: the dataset's budget and method_params, and the compute
    resource's settings for neural candidates."""
    params: dict[str, Any] = {"time_budget": float(ds.automl_time_budget), **ds.method_params}
    neural = compute.synthesizer_params("tvae")
    if neural and "neural_params" not in params:
        params["neural_params"] = neural
    return params


def fit_automl(
    ds: DatasetConfig,
    compute: ComputeResource,
    mlflow: MLflowResource,
    training_data: pd.DataFrame,
    schema: Schema,
) -> tuple[Any, dict[str, Any]]:
    """Run the AutoML search, log it to MLflow, register the winner.

    Returns the winner as a ``SyntheticGenerator`` of its own method (what the IO manager
    stores and ``synthetic_dataset`` draws from) and the materialization metadata.
    """
    from genesis.automl import AutoMLSynthesizer

    params = automl_params(ds, compute)
    if ds.privacy_retry is not None:  # the winner is audited; the registered model passed
        from genesis_assets.privacy_retry_stage import automl_retry

        params["privacy_retry"] = automl_retry(ds, schema)
    automl = AutoMLSynthesizer(seed=ds.seed, **params)
    with mlflow.start_run(ds.name) as tracker:
        mlflow.log_params(
            {
                "dataset": ds.name,
                "training_rows": len(training_data),
                "time_budget": params["time_budget"],
                "scoring": automl.scoring,
                "seed": ds.seed,
            }
        )
        automl.fit(training_data, schema, on_trial=tracker.log_trial)
        winner = automl.best_generator()
        board = automl.leaderboard_
        mlflow.log_params(
            {"selected_method": str(automl.selected_method), **_prefixed(automl.selected_params_)}
        )
        best = board.loc[board["selected"]].iloc[0]
        mlflow.log_metrics(
            {
                "selection_confidence": automl.selection_confidence,
                "automl_seconds": automl.fit_seconds_,
                "best_score": best["score"],
                "best_quality_score": best["quality_score"],
                "trials": len(board),
            }
        )
        mlflow.log_text(board.to_csv(index=False), "leaderboard.csv")
        version = tracker.log_model(winner)
    shown = board[[c for c in LEADERBOARD_COLUMNS if c in board.columns]]
    metadata = {
        "method": f"auto -> {automl.selected_method}",
        "selected_method": str(automl.selected_method),
        "selected_params": dg.MetadataValue.json(automl.selected_params_),
        "selection_confidence": automl.selection_confidence,
        "refitted_on_all_rows": bool(automl.refitted_),
        "fit_seconds": round(float(automl.fit_seconds_), 3),
        "time_budget": params["time_budget"],
        "training_rows": len(training_data),
        "leaderboard": dg.MetadataValue.md(shown.to_markdown(index=False)),
        "mlflow_run_id": tracker.parent_run_id,
        "mlflow_tracking_uri": _masked(mlflow.resolved_tracking_uri()),
        "registered_model": tracker.registered_model,
        "registered_model_version": version if version is not None else "not registered",
        "model_uri": f"models:/{tracker.registered_model}/{version}" if version else "",
    }
    retry = getattr(automl, "privacy_retry_", None)
    if retry is not None:
        from genesis_assets.privacy_retry_stage import ATTEMPTS

        metadata[ATTEMPTS] = dg.MetadataValue.json(retry.to_dict())
        metadata["privacy_attempts"] = len(retry.attempts)
    return winner, metadata


def _prefixed(params: dict[str, Any]) -> dict[str, Any]:
    return {f"selected.{k}": v for k, v in params.items()}


def _masked(uri: str) -> str:
    from genesis.io import redact_url

    return redact_url(uri)


def expectations_check(df: pd.DataFrame, schema: Schema) -> dg.AssetCheckResult:
    """Validate ``df`` against the Great Expectations suite built from ``schema``."""
    from genesis.expectations import validate_table

    summary = validate_table(df, schema)
    failures = summary.to_dict()["failures"]
    return dg.AssetCheckResult(
        passed=summary.success,
        severity=dg.AssetCheckSeverity.ERROR,
        description=None
        if summary.success
        else f"{summary.failed} of {summary.evaluated} expectations failed",
        metadata={
            "problems": summary.failed,
            "evaluated_expectations": summary.evaluated,
            "successful_expectations": summary.successful,
            "details": dg.MetadataValue.md(summary.to_markdown()),
            "failures": dg.MetadataValue.json(failures),
        },
    )
