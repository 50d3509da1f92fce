"""Method "auto": the AutoML search logged to MLflow, the winner registered; the Great
Expectations check blocks a broken synthetic table."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from genesis_assets.config import load_config
from genesis_assets.factory import build_definitions

BUDGET = 8.0


def _definitions(config_path: Path):
    defs = build_definitions(load_config(config_path))
    return defs, [*defs.assets, *defs.asset_checks]


def _upto(stage: str) -> dg.AssetSelection:
    return dg.AssetSelection.assets(dg.AssetKey(["adult", stage])).upstream()


@pytest.fixture(scope="module")
def auto_chain(tmp_path_factory, adult_df):
    from tests.genesis_assets.project import adult_entry, write_project

    folder = tmp_path_factory.mktemp("auto")
    entry = adult_entry(
        method="auto",
        automl_time_budget=BUDGET,
        method_params={"methods": ["cart", "gaussian_copula"]},
    )
    path = write_project(folder, adult_df.sample(n=1_000, random_state=0), entry)
    defs, nodes = _definitions(path)
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            nodes,
            resources=defs.resources,
            instance=instance,
            selection=_upto("synthetic_dataset"),
        )
        yield folder, defs, nodes, instance, result


def _metadata(result, stage: str) -> dict:
    events = [
        e.materialization
        for e in result.get_asset_materialization_events()
        if e.materialization.asset_key == dg.AssetKey(["adult", stage])
    ]
    return {k: v.value for k, v in events[-1].metadata.items()}


def test_auto_chain_logs_the_search_and_registers_the_winner(auto_chain):
    import mlflow

    folder, _, _, _, result = auto_chain
    assert result.success
    meta = _metadata(result, "synthesis_model")
    assert meta["selected_method"] in ("cart", "gaussian_copula")
    assert meta["method"] == f"auto -> {meta['selected_method']}"
    assert _metadata(result, "synthetic_dataset")["method"] == meta["selected_method"]
    assert meta["registered_model"] == "genesis-adult"
    assert meta["registered_model_version"] == 1
    assert "| method " in meta["leaderboard"] and "min_samples_leaf" in meta["leaderboard"]
    assert meta["fit_seconds"] <= BUDGET * 1.1

    uri = f"sqlite:///{folder / 'mlflow.db'}"
    assert meta["mlflow_tracking_uri"] == uri
    client = mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
    parent = client.get_run(meta["mlflow_run_id"])
    assert parent.data.params["selected_method"] == meta["selected_method"]
    assert parent.data.metrics["trials"] == 4
    children = client.search_runs(
        [parent.info.experiment_id],
        filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'",
    )
    assert len(children) == 4
    assert {c.data.params["method"] for c in children} == {"cart", "gaussian_copula"}
    assert all("fit_seconds" in c.data.metrics and "score" in c.data.metrics for c in children)
    (version,) = client.search_model_versions("name='genesis-adult'")
    assert int(version.version) == 1 and version.run_id == parent.info.run_id
    assert (folder / "mlartifacts").is_dir()

    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    model = mlflow.pyfunc.load_model("models:/genesis-adult/1")
    rows = model.predict(5)
    training = pd.read_parquet(folder / "artifacts" / "adult" / "training_data.parquet")
    assert isinstance(rows, pd.DataFrame) and len(rows) == 5
    assert list(rows.columns) == list(training.columns)


def test_each_materialization_registers_a_new_version(auto_chain):
    import mlflow

    folder, defs, nodes, instance, _ = auto_chain
    again = dg.materialize(
        nodes,
        resources=defs.resources,
        instance=instance,
        selection=dg.AssetSelection.assets(dg.AssetKey(["adult", "synthesis_model"])),
    )
    assert again.success
    assert _metadata(again, "synthesis_model")["registered_model_version"] == 2
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    versions = mlflow.MlflowClient(uri, uri).search_model_versions("name='genesis-adult'")
    assert sorted(int(v.version) for v in versions) == [1, 2]


def test_the_expectations_check_passes_the_real_winner(auto_chain):
    *_, result = auto_chain
    (evaluation,) = [
        e for e in result.get_asset_check_evaluations() if e.check_name == "conforms_to_schema"
    ]
    assert evaluation.passed
    assert evaluation.metadata["problems"].value == 0
    assert evaluation.metadata["evaluated_expectations"].value > 30


def test_a_broken_synthetic_table_fails_the_check_and_blocks_downstream(auto_chain):
    from genesis.generators import SyntheticGenerator

    folder, defs, nodes, instance, _ = auto_chain
    training = pd.read_parquet(folder / "artifacts" / "adult" / "training_data.parquet")
    broken = training.drop(columns=["race"]).assign(age=training["age"] + 500)
    # a real model of a broken table: what synthetic_dataset draws from it is broken the same way
    SyntheticGenerator("gaussian_copula", seed=0).fit(broken).save(
        folder / "artifacts" / "adult" / "synthesis_model.model"
    )
    result = dg.materialize(
        nodes,
        resources=defs.resources,
        instance=instance,
        selection=dg.AssetSelection.assets(
            dg.AssetKey(["adult", "synthetic_dataset"]), dg.AssetKey(["adult", "quality_report"])
        ),
        raise_on_error=False,
    )
    assert not result.success
    (evaluation,) = [
        e for e in result.get_asset_check_evaluations() if e.check_name == "conforms_to_schema"
    ]
    assert not evaluation.passed
    details = evaluation.metadata["details"].value
    assert "expect_table_columns_to_match_ordered_list" in details
    assert "race" in details and "missing" in details
    failures = evaluation.metadata["failures"].value
    age = [
        f
        for f in failures
        if f["column"] == "age" and f["expectation"] == "expect_column_values_to_be_between"
    ]
    assert age and all(v > 500 for v in age[0]["examples"])
    materialized = {e.materialization.asset_key for e in result.get_asset_materialization_events()}
    assert dg.AssetKey(["adult", "synthetic_dataset"]) in materialized
    assert dg.AssetKey(["adult", "quality_report"]) not in materialized
