"""Model and synthetic-data stages: ``synthesis_model``, ``synthetic_dataset`` and its check."""

import dagster as dg
import pandas as pd
from pydantic import Field

from genesis.schema.types import Schema
from genesis_assets.checks import schema_conformance_problems
from genesis_assets.config import DatasetConfig
from genesis_assets.metadata import preview, table_shape
from genesis_resources import ComputeResource


class GenerationConfig(dg.Config):
    """Run-time options of ``synthetic_dataset`` (shown in the launchpad)."""

    rows: int | None = Field(
        None,
        gt=0,
        description="Rows to generate in this run. Empty: 'rows' from genesis.yaml, else as many "
        "as the source has.",
    )
    seed: int | None = Field(
        None, ge=0, description="Generation seed for this run. Empty: the dataset's seed."
    )


def build_synthesis_assets(
    ds: DatasetConfig,
) -> list[dg.AssetsDefinition | dg.AssetChecksDefinition]:
    """The model stages of one dataset: ``synthesis_model``, ``synthetic_dataset`` and its check."""
    prefix = [ds.name]

    def key(stage: str) -> dg.AssetIn:
        return dg.AssetIn(key=[*prefix, stage])

    @dg.asset(
        key_prefix=prefix,
        group_name=ds.name,
        ins={"training_data": key("training_data"), "inferred_schema": key("inferred_schema")},
        code_version=ds.version_of("method", "method_params", "seed"),
        description=f"The synthesizer ('{ds.method}') fitted on the training rows.",
    )
    def synthesis_model(
        compute: ComputeResource, training_data: pd.DataFrame, inferred_schema: Schema
    ) -> dg.Output:
        from genesis.generators import SyntheticGenerator

        params = {**compute.synthesizer_params(ds.method), **ds.method_params}
        model = SyntheticGenerator(ds.method, seed=ds.seed, **params)
        model.fit(training_data, schema=inferred_schema)
        return dg.Output(
            model,
            metadata={
                "method": ds.method,
                "fit_seconds": round(float(model.fit_seconds_), 3),
                "training_rows": len(training_data),
                "params": dg.MetadataValue.json(params),
            },
        )

    @dg.asset(
        key_prefix=prefix,
        group_name=ds.name,
        ins={"synthesis_model": key("synthesis_model"), "inferred_schema": key("inferred_schema")},
        kinds={"pandas"},
        code_version=ds.version_of("rows", "seed"),
        description="The synthetic twin of the source table.",
    )
    def synthetic_dataset(
        config: GenerationConfig, synthesis_model, inferred_schema: Schema
    ) -> dg.Output[pd.DataFrame]:
        rows = config.rows or ds.rows or inferred_schema.n_rows
        seed = ds.seed if config.seed is None else config.seed
        df = synthesis_model.generate(rows, seed=seed)
        return dg.Output(
            df,
            metadata={**table_shape(df), "method": ds.method, "seed": seed, "preview": preview(df)},
        )

    @dg.asset_check(
        asset=[*prefix, "synthetic_dataset"],
        name="conforms_to_schema",
        blocking=True,
        additional_ins={"inferred_schema": key("inferred_schema")},
        description="Same columns, dtypes and category labels as the source; blocks downstream stages.",
    )
    def conforms_to_schema(
        synthetic_dataset: pd.DataFrame, inferred_schema: Schema
    ) -> dg.AssetCheckResult:
        problems = schema_conformance_problems(synthetic_dataset, inferred_schema)
        return dg.AssetCheckResult(
            passed=not problems,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "problems": len(problems),
                "details": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems) or "conforms"),
            },
        )

    return [synthesis_model, synthetic_dataset, conforms_to_schema]
