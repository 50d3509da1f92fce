"""``DagsterModelStore``: the latest synthesis_model of a dataset in a real instance."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from tests.genesis_assets.project import materialize


def test_the_store_follows_the_latest_materialization(make_config):
    from genesis_assets.config import load_config
    from genesis_assets.model_store import DagsterModelStore

    path = make_config()
    with dg.instance_for_test() as instance:
        store = DagsterModelStore(load_config(path), instance)
        assert store("adult") is None  # never materialized
        first = materialize(path, "*adult/synthesis_model", instance=instance)
        found = store("adult")
        assert found.version == first.run_id and found.source == "dagster"
        assert found.details["method"] == "cart" and found.details["training_rows"] > 0
        model = found.load()
        assert model.method == "cart" and len(model.generate(5)) == 5
        second = materialize(path, "adult/synthesis_model", instance=instance)
        assert store("adult").version == second.run_id != found.version


def test_a_dataset_never_materialized_is_found_in_the_mlflow_registry(make_config, small_adult):
    from genesis.generators import SyntheticGenerator
    from genesis.mlflow_model import log_synthesizer
    from genesis_assets.config import load_config
    from genesis_assets.model_store import DagsterModelStore, RegisteredModels
    from genesis_assets.resources import mlflow_resource

    config = load_config(make_config())
    resource = mlflow_resource(config)
    registry = RegisteredModels(resource)
    assert registry("adult") is None  # no embedded store yet, and none is created
    assert not (Path(resource.local_dir) / "mlflow.db").exists()
    fitted = SyntheticGenerator("cart", seed=0).fit(small_adult)
    with resource.start_run("adult") as tracker:
        log_synthesizer(fitted, registered_model_name=tracker.registered_model)
    with dg.instance_for_test() as instance:
        found = DagsterModelStore(config, instance, registry)("adult")
    assert found.source == "mlflow" and found.version == "mlflow:genesis-adult/1"
    assert found.details["model_uri"] == "models:/genesis-adult/1"
    loaded = found.load()
    assert loaded.generate(50, seed=3).equals(fitted.generate(50, seed=3))
