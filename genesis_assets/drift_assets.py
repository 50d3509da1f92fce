"""Drift stage: ``drift_report``, the real source against the model's baseline and the
synthetic rows against the real ones."""

from __future__ import annotations

from typing import Any

import dagster as dg
import pandas as pd

from genesis_assets.config import DatasetConfig
from genesis_assets.keys import stage_inputs
from genesis_resources import ArtifactStore

#: metadata key of ``synthesis_model`` holding the source's fingerprint at training time
SOURCE_FINGERPRINT = "source_fingerprint"
#: metadata key of ``synthesis_model`` holding the model's own training-data fingerprint
TRAINING_FINGERPRINT = "training_fingerprint"
#: where the model's file lives in the artifact store (the IO manager's naming)
MODEL_FILE = "synthesis_model.model"


def detector_for(ds: DatasetConfig, schema=None):
    """The :class:`genesis.drift.DriftDetector` configured by the dataset's ``drift:`` block.

    With the model's ``schema``, datetime columns (even stored as text) are compared as time,
    and identifiers and free text, which differ from row to row by design, are left out.
    """
    from genesis.drift import DriftDetector
    from genesis.schema.types import ColumnKind

    kinds, columns = None, None
    if schema is not None:
        as_kind = {
            ColumnKind.CONTINUOUS: "numeric",
            ColumnKind.INTEGER: "numeric",
            ColumnKind.DATETIME: "datetime",
            ColumnKind.CATEGORICAL: "categorical",
            ColumnKind.BOOLEAN: "categorical",
        }
        kinds = {c.name: as_kind[c.kind] for c in schema.columns if c.kind in as_kind}
        columns = list(kinds) or None
    return DriftDetector(
        tests=dict(ds.drift.tests) or "auto",
        thresholds=dict(ds.drift.thresholds) or None,
        drift_share=ds.drift.drift_share,
        column_kinds=kinds,
        columns=columns,
    )


def training_fingerprints(
    context: dg.AssetExecutionContext, dataset: str, model: Any
) -> dict[str, str]:
    """Metadata for ``synthesis_model``: the fingerprints the drift sensor compares with.

    ``source_fingerprint`` is the content hash of the ``raw_source`` the training rows came
    from (its latest materialization); ``training_fingerprint`` the model's own.
    """
    out: dict[str, str] = {}
    event = context.instance.get_latest_materialization_event(dg.AssetKey([dataset, "raw_source"]))
    if event is not None and event.asset_materialization is not None:
        value = event.asset_materialization.metadata.get("content_hash")
        if value is not None:
            out[SOURCE_FINGERPRINT] = str(value.value)
    fingerprint = getattr(model, "training_fingerprint_", None)
    if fingerprint:
        out[TRAINING_FINGERPRINT] = str(fingerprint)
    return out


def model_baseline(model: Any, fallback: pd.DataFrame | None = None) -> pd.DataFrame:
    """The training rows a model recorded at fit time (``baseline_sample_``), else ``fallback``."""
    try:
        return model.baseline_sample_
    except AttributeError:
        if fallback is None:
            raise
        return fallback


def report_metadata(report, prefix: str = "") -> dict[str, Any]:
    """Drift share, verdict, drifted columns and the per-column table as metadata."""
    return {
        f"{prefix}drift_share": round(report.share, 4),
        f"{prefix}dataset_drift": report.dataset_drift,
        f"{prefix}drifted_columns": ", ".join(report.drifted_columns) or "none",
        f"{prefix}columns": dg.MetadataValue.md(report.to_markdown()),
    }


def build_drift_assets(ds: DatasetConfig) -> list[dg.AssetsDefinition]:
    """The drift stage of one dataset: ``drift_report``."""
    prefix = [ds.name]

    @dg.asset(
        key_prefix=prefix,
        group_name=ds.name,
        ins=stage_inputs(
            ds.name, "raw_source", "training_data", "synthesis_model", "synthetic_dataset"
        ),
        code_version=ds.version_of("drift"),
        description=(
            "Drift of the real source against the baseline the model was trained on, and of "
            f"the synthetic rows against the real training rows (drift share >= "
            f"{ds.drift.drift_share} is dataset drift)."
        ),
    )
    def drift_report(
        artifact_store: ArtifactStore,
        raw_source: pd.DataFrame,
        training_data: pd.DataFrame,
        synthesis_model,
        synthetic_dataset: pd.DataFrame,
    ) -> dg.Output[dict]:
        detector = detector_for(ds, getattr(synthesis_model, "schema_", None))
        source = detector.detect(model_baseline(synthesis_model, training_data), raw_source)
        synthetic = detector.detect(training_data, synthetic_dataset)
        source_html = artifact_store.write_text(
            ds.name, "drift_report.html", source.to_html(f"{ds.name}: source vs. model baseline")
        )
        synthetic_html = artifact_store.write_text(
            ds.name,
            "drift_synthetic_vs_real.html",
            synthetic.to_html(f"{ds.name}: synthetic vs. real training rows"),
        )
        from genesis.io import fingerprint

        return dg.Output(
            {
                "source_vs_baseline": source.to_dict(),
                "synthetic_vs_real": synthetic.to_dict(),
                # the synthetic version compared, so no later report shows it for another
                "synthetic_version": fingerprint(synthetic_dataset)[:16],
            },
            metadata={
                **report_metadata(source),
                **report_metadata(synthetic, "synthetic_vs_real/"),
                "html": dg.MetadataValue.path(source_html),
                "synthetic_vs_real/html": dg.MetadataValue.path(synthetic_html),
            },
        )

    return [drift_report]
