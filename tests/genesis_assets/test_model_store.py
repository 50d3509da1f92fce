"""``DagsterModelStore``: the latest synthesis_model of a dataset in a real instance."""

from __future__ import annotations

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
