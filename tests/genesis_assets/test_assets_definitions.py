"""The code location loads, validates, and builds one prefixed, grouped chain per dataset."""

from __future__ import annotations

import dagster as dg

from genesis_assets.config import load_config
from genesis_assets.factory import build_definitions

STAGES = {
    "raw_source",
    "training_data",
    "holdout_data",
    "inferred_schema",
    "synthesis_model",
    "synthetic_dataset",
    "quality_report",
    "privacy_audit",
    "drift_report",
    "release",
    "quality_dashboard",
}


def test_project_definitions_load_and_resolve_every_job(monkeypatch):
    import importlib

    import genesis_assets.definitions

    monkeypatch.delenv("GENESIS_CONFIG", raising=False)  # the project's own genesis.yaml
    defs = importlib.reload(genesis_assets.definitions).defs

    jobs = {job.name for job in defs.resolve_all_job_defs()}
    assert "materialize_all" in jobs
    defs.get_repository_def()  # validates resources, IO managers and the asset graph
    keys = defs.resolve_asset_graph().get_all_asset_keys()
    # the default genesis.yaml declares the scenario "seniors"
    assert {tuple(k.path) for k in keys} == {("adult", s) for s in {*STAGES, "scenario_seniors"}}


def test_every_asset_is_prefixed_and_grouped_by_dataset(make_config):
    defs = build_definitions(load_config(make_config()))
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        assert key.path[0] == "adult"
        assert graph.get(key).group_name == "adult"
    checks = {(c.asset_key.path[-1], c.name) for c in graph.asset_check_keys}
    assert checks == {
        ("synthetic_dataset", "conforms_to_schema"),
        ("quality_report", "quality_above_threshold"),
        ("privacy_audit", "privacy_audit_passed"),
        ("drift_report", "source_not_drifted"),
    }


def test_second_dataset_gives_a_second_chain(make_config, adult_dataset):
    config = load_config(make_config(adult_dataset("adult"), adult_dataset("census", seed=3)))
    defs = build_definitions(config)
    defs.get_repository_def()
    graph = defs.resolve_asset_graph()
    keys = {tuple(k.path) for k in graph.get_all_asset_keys()}
    assert keys == {(d, s) for d in ("adult", "census") for s in STAGES}
    assert len(graph.asset_check_keys) == 8
    upstream = graph.get(dg.AssetKey(["census", "synthesis_model"])).parent_keys
    assert {k.path[0] for k in upstream} == {"census"}  # the chains do not cross


def test_gates_block_and_drift_warns(make_config):
    defs = build_definitions(load_config(make_config()))
    blocking = {
        spec.name: spec.blocking
        for checks_def in defs.resolve_asset_graph().assets_defs
        for spec in checks_def.check_specs
    }
    assert blocking == {
        "conforms_to_schema": True,
        "quality_above_threshold": True,
        "privacy_audit_passed": True,
        "source_not_drifted": False,  # documented in drift_assets: drift explains, not hides
    }


def test_release_follows_every_report(make_config):
    graph = build_definitions(load_config(make_config())).resolve_asset_graph()
    release = graph.get(dg.AssetKey(["adult", "release"]))
    assert {k.path[-1] for k in release.parent_keys} == {
        "synthetic_dataset", "inferred_schema", "synthesis_model", "quality_report",
        "privacy_audit", "drift_report",
    }  # fmt: skip
    assert {k.path[-1] for k in release.child_keys} == {"quality_dashboard"}


def test_executor_follows_the_config(make_config):
    import yaml

    path = make_config()
    defs = build_definitions(load_config(path))
    assert (
        defs.resolve_job_def("materialize_all").executor_def.name == "multi_or_in_process_executor"
    )
    document = yaml.safe_load(path.read_text())
    document["executor"] = "in_process"
    path.write_text(yaml.safe_dump(document))
    defs = build_definitions(load_config(path))
    assert defs.resolve_job_def("materialize_all").executor_def.name == "in_process"
