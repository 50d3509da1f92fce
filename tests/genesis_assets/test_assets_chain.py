"""The whole chain materializes in-process on 1,000 Adult rows, with its metadata and checks."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from genesis_assets.config import load_config
from genesis_assets.factory import build_definitions
from genesis_resources import ComputeResource


def _materialize(
    config_path: Path, selection: str = "*", raise_on_error: bool = True, instance=None
):
    defs = build_definitions(load_config(config_path))
    return dg.materialize(
        _definitions(defs),
        resources=defs.resources,
        instance=instance or dg.DagsterInstance.ephemeral(),
        selection=selection,
        raise_on_error=raise_on_error,
    )


def _definitions(defs: dg.Definitions) -> list:
    """The assets and checks of a Definitions object, for ``dg.materialize``."""
    return [*defs.assets, *defs.asset_checks]


def _metadata(result, stage: str, dataset: str = "adult") -> dict:
    events = result.asset_materializations_for_node(f"{dataset}__{stage}")
    if not events:  # multi-asset nodes are named after the op
        events = [
            e.materialization
            for e in result.get_asset_materialization_events()
            if e.materialization.asset_key == dg.AssetKey([dataset, stage])
        ]
    (event,) = events
    return {k: v.value for k, v in event.metadata.items()}


@pytest.fixture(scope="module")
def chain(tmp_path_factory, adult_df):
    """One materialization of the whole chain, shared by the tests that only read it."""
    import yaml

    folder = tmp_path_factory.mktemp("chain")
    adult_df.sample(n=1000, random_state=0).to_csv(folder / "small.csv", index=False)
    config = {
        "storage": {"root": "artifacts"},
        "datasets": [
            {
                "name": "adult",
                "source": "small.csv",
                "target": "income",
                "sensitive_columns": ["income"],
                "quasi_identifiers": ["age", "sex", "race"],
                "method": "cart",
                "seed": 0,
                "quality_threshold": 0.5,
            }
        ],
    }
    (folder / "genesis.yaml").write_text(yaml.safe_dump(config))
    with dg.instance_for_test() as instance:
        result = _materialize(folder / "genesis.yaml", instance=instance)
        yield folder, result, instance


def test_chain_succeeds_and_writes_its_files(chain):
    folder, result, _ = chain
    assert result.success
    written = sorted(p.name for p in (folder / "artifacts" / "adult").iterdir())
    assert written == [
        "drift_report.html",
        "drift_report.json",
        "drift_synthetic_vs_real.html",
        "holdout_data.parquet",
        "inferred_schema.schema.json",
        "privacy_audit.html",
        "privacy_audit.json",
        "quality_dashboard",
        "quality_report.json",
        "raw_source.parquet",
        "synthesis_model.model",
        "synthetic_dataset.parquet",
        "training_data.parquet",
    ]
    (dashboard,) = (folder / "artifacts" / "adult" / "quality_dashboard").iterdir()
    assert dashboard.suffix == ".html"


def test_the_synthetic_version_carries_its_checks_in_a_verifiable_lineage(chain):
    from genesis_assets.resources import versioning_resource
    from genesis_resources.iceberg import read_lineage

    folder, _, _ = chain
    lineage = read_lineage(versioning_resource(load_config(folder / "genesis.yaml")), "adult")
    assert lineage.verify()
    types = [block.block_type for block in lineage.blocks]
    assert types[0] == "source" and "generation" in types
    checks = {
        b.content["check"]: b.content for b in lineage.blocks if b.block_type == "quality_check"
    }
    assert set(checks) == {"quality", "privacy"}
    assert checks["quality"]["passed"] and checks["quality"]["threshold"] == 0.5
    assert 0 < checks["quality"]["metrics"]["overall_score"] <= 1


def test_raw_source_metadata_and_data_version(chain):
    _, result, instance = chain
    meta = _metadata(result, "raw_source")
    assert meta["dagster/row_count"] == 1000
    assert meta["columns"] == 15
    record = instance.get_latest_materialization_event(dg.AssetKey(["adult", "raw_source"]))
    tags = record.asset_materialization.tags
    assert tags["dagster/data_version"] == meta["content_hash"]
    assert len(meta["content_hash"]) >= 16


def test_split_keeps_the_holdout_out_of_training(chain):
    folder, result, _ = chain
    train = pd.read_parquet(folder / "artifacts" / "adult" / "training_data.parquet")
    holdout = pd.read_parquet(folder / "artifacts" / "adult" / "holdout_data.parquet")
    assert (len(train), len(holdout)) == (800, 200)
    assert _metadata(result, "synthesis_model")["training_rows"] == 800


def test_schema_and_model_metadata(chain):
    _, result, _ = chain
    schema_meta = _metadata(result, "inferred_schema")
    assert [c.name for c in schema_meta["dagster/column_schema"].columns][0] == "age"
    assert "| income |" in schema_meta["schema"]
    model_meta = _metadata(result, "synthesis_model")
    assert model_meta["method"] == "cart"
    assert model_meta["fit_seconds"] >= 0


def test_synthetic_dataset_has_source_row_count_and_preview(chain):
    folder, result, _ = chain
    meta = _metadata(result, "synthetic_dataset")
    assert meta["dagster/row_count"] == 1000  # default: as many rows as the source
    assert meta["preview"].count("\n") == 11  # header, rule, ten rows
    synthetic = pd.read_parquet(meta["path"])
    assert list(synthetic.columns) == list(pd.read_csv(folder / "small.csv").columns)


def test_quality_report_metadata_and_file(chain):
    _, result, _ = chain
    meta = _metadata(result, "quality_report")
    for name in ("overall_score", "column_shapes", "column_pair_trends", "detection_auc"):
        assert 0.0 <= meta[name] <= 1.0, name
    assert "exact_copy_share" in meta
    report = json.loads(Path(meta["path"]).read_text())
    assert report["overall_score"] == pytest.approx(meta["overall_score"], abs=1e-4)


def test_every_check_passes_on_the_default_method(chain):
    _, result, _ = chain
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert set(evaluations) == {
        "conforms_to_schema",
        "quality_above_threshold",
        "privacy_audit_passed",
    }
    assert all(e.passed for e in evaluations.values())
    quality = evaluations["quality_above_threshold"].metadata
    assert quality["threshold"].value == 0.5


def test_run_time_rows_and_seed_override(make_config):
    path = make_config()
    assert _materialize(path).success
    defs = build_definitions(load_config(path))
    rerun = dg.materialize(
        _definitions(defs),
        resources=defs.resources,
        instance=dg.DagsterInstance.ephemeral(),
        selection="adult/synthetic_dataset",
        run_config={"ops": {"adult__synthetic_dataset": {"config": {"rows": 123, "seed": 7}}}},
    )
    meta = _metadata(rerun, "synthetic_dataset")
    assert meta["dagster/row_count"] == 123
    assert meta["seed"] == 7


def test_changing_the_source_changes_raw_source_data_version(make_config, tmp_path):
    path = make_config()
    with dg.instance_for_test() as instance:
        first = _materialize(path, "adult/raw_source", instance=instance)
        again = _materialize(path, "adult/raw_source", instance=instance)
        csv = tmp_path / "small.csv"
        df = pd.read_csv(csv)
        df.loc[0, "age"] = df.loc[0, "age"] + 1
        df.to_csv(csv, index=False)
        changed = _materialize(path, "adult/raw_source", instance=instance)
    versions = [_metadata(r, "raw_source")["content_hash"] for r in (first, again, changed)]
    assert versions[0] == versions[1]  # same content, same version: nothing downstream is stale
    assert versions[2] != versions[0]


def test_quality_below_threshold_fails_the_blocking_check_and_stops_downstream(
    make_config, adult_dataset
):
    path = make_config(adult_dataset("adult", quality_threshold=1.0))
    published = []

    # stands in for the stages that later issues put downstream of the report
    @dg.asset(key=["adult", "published"], deps=[dg.AssetKey(["adult", "quality_report"])])
    def publish() -> None:
        published.append(True)

    defs = build_definitions(load_config(path))
    result = dg.materialize(
        [*_definitions(defs), publish],
        resources=defs.resources,
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    quality = evaluations["quality_above_threshold"]
    assert quality.metadata["overall_score"].value < 1.0
    assert not quality.passed
    assert evaluations["conforms_to_schema"].passed
    assert not result.success  # a failed blocking check fails its step, so the run fails
    materialized = {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}
    assert "quality_report" in materialized
    assert "published" not in materialized and not published


def test_missing_column_in_config_fails_raw_source_with_a_clear_error(make_config, adult_dataset):
    path = make_config(adult_dataset("adult", target="salary"))
    result = _materialize(path, "adult/raw_source", raise_on_error=False)
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    message = failure.step_failure_data.error.cause.message
    assert "dataset 'adult'" in message and "field 'target'" in message


def test_neural_method_gets_the_compute_settings(make_config, adult_dataset):
    path = make_config(adult_dataset("adult", method="tvae", method_params={"epochs": 1}))
    defs = build_definitions(load_config(path))
    resources = {**defs.resources, "compute": ComputeResource(device="cpu", batch_size=100)}
    result = dg.materialize(
        _definitions(defs),
        resources=resources,
        instance=dg.DagsterInstance.ephemeral(),
        selection="*adult/synthesis_model",
    )
    materialized = {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}
    # the split is subsettable: selecting the model's upstream skips the holdout
    assert materialized == {"raw_source", "training_data", "inferred_schema", "synthesis_model"}
    meta = _metadata(result, "synthesis_model")
    assert meta["method"] == "tvae"
    assert meta["params"]["device"] == "cpu"
    assert meta["params"]["batch_size"] == 100
    assert meta["params"]["epochs"] == 1
