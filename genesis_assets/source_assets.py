"""Source and schema stages: ``raw_source``, the training/holdout split, ``inferred_schema``."""

import dagster as dg
import pandas as pd

from genesis.schema.types import Schema
from genesis.splits import split_holdout
from genesis_assets.config import DatasetConfig, check_columns
from genesis_assets.keys import stage_inputs
from genesis_assets.metadata import column_schema, schema_markdown, table_shape
from genesis_resources.io_manager import REAL_DATA

#: definition metadata of the stages holding real rows: stored owner-only (0600)
PRIVATE = {REAL_DATA: True}


def build_source_assets(ds: DatasetConfig) -> list[dg.AssetsDefinition]:
    """The source stages of one dataset: ``raw_source``, ``split`` and ``inferred_schema``."""
    prefix = [ds.name]

    @dg.asset(
        key_prefix=prefix,
        group_name=ds.name,
        kinds={"pandas"},
        metadata=PRIVATE,
        code_version=ds.version_of("source", "format", "query", "read_options"),
        description=f"The real table of '{ds.name}', read from {ds.display_source}.",
    )
    def raw_source() -> dg.MaterializeResult[pd.DataFrame]:
        from genesis.io import fingerprint, read_table

        df = read_table(ds.source, ds.format, query=ds.query, **ds.read_options)
        check_columns(ds, list(df.columns))
        content_hash = fingerprint(df)
        # no preview of real rows: metadata lands in the event log, readable by every UI user
        return dg.MaterializeResult(
            value=df,
            data_version=dg.DataVersion(content_hash),
            metadata={
                **table_shape(df),
                "source": ds.display_source,
                "content_hash": content_hash,
            },
        )

    @dg.multi_asset(
        outs={
            "training_data": dg.AssetOut(
                key=[*prefix, "training_data"],
                is_required=False,
                code_version=ds.version_of("holdout_fraction", "seed"),
                description="Real rows the synthesizer learns from (and the drift baseline).",
                kinds={"pandas"},
                metadata=PRIVATE,
            ),
            "holdout_data": dg.AssetOut(
                key=[*prefix, "holdout_data"],
                is_required=False,
                code_version=ds.version_of("holdout_fraction", "seed"),
                description="Real rows kept out of training, to score quality and privacy honestly.",
                kinds={"pandas"},
                metadata=PRIVATE,
            ),
        },
        ins=stage_inputs(ds.name, "raw_source"),
        name=f"{ds.name}__split",
        group_name=ds.name,
        can_subset=True,
    )
    def split(context: dg.AssetExecutionContext, raw_source: pd.DataFrame):
        training, holdout = split_holdout(raw_source, ds.holdout_fraction, ds.seed)
        selected = context.selected_output_names  # e.g. only training_data for the model
        if "training_data" in selected:
            yield dg.Output(training, "training_data", metadata=table_shape(training))
        if "holdout_data" in selected:
            yield dg.Output(
                holdout,
                "holdout_data",
                metadata={**table_shape(holdout), "holdout_fraction": ds.holdout_fraction},
            )

    @dg.asset(
        key_prefix=prefix,
        group_name=ds.name,
        ins=stage_inputs(ds.name, "raw_source"),
        code_version="1",
        description="Column kinds, semantic types, PII flags and bounds inferred from the source.",
    )
    def inferred_schema(raw_source: pd.DataFrame) -> dg.Output[Schema]:
        from genesis.schema import infer_schema

        schema = infer_schema(raw_source)
        return dg.Output(
            schema,
            metadata={
                "dagster/column_schema": column_schema(schema),
                "schema": schema_markdown(schema),
                "columns": len(schema),
                "pii_columns": ", ".join(schema.pii_columns) or "none",
                "target": ds.target or "none",
                "sensitive_columns": ", ".join(ds.sensitive_columns) or "none",
                "quasi_identifiers": ", ".join(ds.quasi_identifiers) or "none",
            },
        )

    return [raw_source, split, inferred_schema]
