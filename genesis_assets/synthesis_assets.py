"""Model and synthetic-data stages: ``synthesis_model``, ``synthetic_dataset`` and its check."""

import dagster as dg
import pandas as pd
from pydantic import Field

from genesis.schema.types import Schema
from genesis_assets.config import DatasetConfig
from genesis_assets.keys import stage_inputs
from genesis_assets.metadata import preview, table_shape
from genesis_assets.source_assets import PRIVATE
from genesis_resources import ComputeResource, MLflowResource


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

    @dg.asset(
        key_prefix=prefix,
        group_name=ds.name,
        ins=stage_inputs(
            ds.name,
            "training_data",
            "inferred_schema",
            *(["holdout_data"] if ds.privacy_retry is not None else []),  # the retry's control
        ),
        metadata=PRIVATE,  # a fitted model holds real values (e.g. CART leaves)
        code_version=ds.version_of(
            "method", "method_params", "seed", "automl_time_budget", "privacy_retry"
        ),
        description=f"The synthesizer ('{ds.method}') fitted on the training rows.",
    )
    def synthesis_model(
        compute: ComputeResource,
        mlflow: MLflowResource,
        training_data: pd.DataFrame,
        inferred_schema: Schema,
        **control: pd.DataFrame,  # holdout_data, an input only with privacy_retry
    ) -> dg.Output:
        from genesis.generators import SyntheticGenerator

        if ds.method == "auto":  # AutoML search, every trial and the winner logged to MLflow
            from genesis_assets.automl_stage import fit_automl

            model, metadata = fit_automl(ds, compute, mlflow, training_data, inferred_schema)
            return dg.Output(model, metadata=metadata)
        params = {**compute.synthesizer_params(ds.method), **ds.method_params}
        metadata = {"method": ds.method, "params": dg.MetadataValue.json(params)}
        if ds.privacy_retry is not None:
            from genesis_assets.privacy_retry_stage import fit_private

            holdout = control["holdout_data"]
            model, retried = fit_private(ds, training_data, holdout, inferred_schema, params)
            metadata.update(retried)
        else:
            model = SyntheticGenerator(ds.method, seed=ds.seed, **params)
            model.fit(training_data, schema=inferred_schema)
        return dg.Output(
            model,
            metadata={
                **metadata,
                "fit_seconds": round(float(model.fit_seconds_), 3),
                "training_rows": len(training_data),
            },
        )

    @dg.asset(
        key_prefix=prefix,
        group_name=ds.name,
        ins=stage_inputs(ds.name, "synthesis_model", "inferred_schema"),
        kinds={"pandas", "iceberg"},
        io_manager_key="iceberg_io_manager",
        code_version=ds.version_of("rows", "seed"),
        description="The synthetic twin of the source table: each materialization a snapshot "
        f"of the Iceberg table genesis.{ds.name} (branch '{ds.versioning.branch}'), committed "
        "by the IO manager; the snapshot id is the data version every later stage reports.",
    )
    def synthetic_dataset(
        config: GenerationConfig, synthesis_model, inferred_schema: Schema
    ) -> dg.Output[pd.DataFrame]:
        rows = config.rows or ds.rows or inferred_schema.n_rows
        seed = ds.seed if config.seed is None else config.seed
        df = synthesis_model.generate(rows, seed=seed)
        # the IO manager commits the rows and copies method, seed and rows into the commit
        return dg.Output(
            df,
            metadata={
                **table_shape(df),
                "method": str(getattr(synthesis_model, "method", ds.method)),  # auto: the winner's
                "seed": seed,
                "rows": rows,
                "preview": preview(df),
            },
        )

    @dg.asset_check(
        asset=[*prefix, "synthetic_dataset"],
        name="conforms_to_schema",
        blocking=True,
        additional_ins=stage_inputs(ds.name, "inferred_schema"),
        description="Great Expectations suite built from inferred_schema: columns and order, "
        "types, null shares, category labels, numeric ranges, unique identifiers, semantic "
        "formats. Blocks downstream stages; failures list offending values.",
    )
    def conforms_to_schema(
        synthetic_dataset: pd.DataFrame, inferred_schema: Schema
    ) -> dg.AssetCheckResult:
        from genesis_assets.automl_stage import expectations_check

        return expectations_check(synthetic_dataset, inferred_schema)

    return [synthesis_model, synthetic_dataset, conforms_to_schema]
