"""Pipelines compiled to Dagster: Pipeline.to_dagster() materialized on a real instance gives
the in-process executor's results, and genesis.yaml's ``pipelines:`` loads YAML pipelines
into the code location beside the dataset chains."""

from __future__ import annotations

import importlib
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from genesis.errors import ConfigError
from genesis.pipeline import PipelineBuilder
from genesis_assets.config import load_config
from genesis_assets.pipeline_assets import PIPELINE_TAG, pipeline_resources
from tests.genesis_assets.project import adult_entry


def branching_pipeline(frame: pd.DataFrame, out: str):
    return (
        PipelineBuilder("adult_branches", seed=7)
        .source("load", frame=frame)
        .transform("adults", op="filter", conditions={"age": (">=", 25)})
        .synthesize("cart_synth", method="cart", n=120)
        .synthesize("copula_synth", method="gaussian_copula", n=80, inputs=["adults"])
        .transform("both", op="concat", inputs=["cart_synth", "copula_synth"])
        .evaluate("quality", real="adults")
        .sink("save", path=out)
        .build()
    )


@pytest.fixture(scope="module")
def frame(adult_df) -> pd.DataFrame:
    return adult_df.sample(n=300, random_state=1).reset_index(drop=True)


def test_to_dagster_compiles_one_asset_per_node_with_the_edges(tmp_path, frame):
    pipeline = branching_pipeline(frame, str(tmp_path / "out.csv"))
    assets = pipeline.to_dagster()
    resources = pipeline_resources(str(tmp_path))
    graph = dg.Definitions(assets=assets, resources=resources).resolve_asset_graph()
    keys = {tuple(k.path) for k in graph.get_all_asset_keys()}
    assert keys == {("adult_branches", n) for n in pipeline.order}
    for name in pipeline.order:
        node = graph.get(dg.AssetKey(["adult_branches", name]))
        assert {tuple(k.path)[1] for k in node.parent_keys} == set(pipeline.node(name).inputs)
        assert node.group_name == "adult_branches"
        assert node.tags[PIPELINE_TAG] == "adult_branches"


def test_materialized_assets_equal_the_in_process_run(tmp_path, frame):
    in_process = branching_pipeline(frame, str(tmp_path / "a" / "out.csv")).run()
    pipeline = branching_pipeline(frame, str(tmp_path / "b" / "out.csv"))
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            pipeline.to_dagster(),
            resources=pipeline_resources(str(tmp_path / "artifacts")),
            instance=instance,
        )
        assert result.success
        for name in pipeline.order:
            value = result.asset_value(dg.AssetKey(["adult_branches", name]))
            expected = in_process[name]["output"]
            if isinstance(expected, pd.DataFrame):
                pd.testing.assert_frame_equal(value["output"], expected)
        quality = result.asset_value(dg.AssetKey(["adult_branches", "quality"]))
        assert (
            quality["quality"]["overall_score"] == in_process["quality"]["quality"]["overall_score"]
        )
        events = {
            e.materialization.asset_key.path[-1]: e.materialization.metadata
            for e in result.get_asset_materialization_events()
        }
        assert events["both"]["rows"].value == 200
        assert events["quality"]["overall_score"].value == pytest.approx(
            in_process["quality"]["quality"]["overall_score"]
        )
        assert events["save"]["node_type"].value == "sink"
        # the same rows reached the file from both engines
        pd.testing.assert_frame_equal(
            pd.read_csv(tmp_path / "a" / "out.csv"), pd.read_csv(tmp_path / "b" / "out.csv")
        )
        # results hold real rows: stored owner-only
        stored = tmp_path / "artifacts" / "pipelines" / "adult_branches" / "load.pkl"
        assert stat.S_IMODE(stored.stat().st_mode) == 0o600
        # a second materialization of one asset reads its inputs back from storage
        again = dg.materialize(
            pipeline.to_dagster(),
            resources=pipeline_resources(str(tmp_path / "artifacts")),
            instance=instance,
            selection=[dg.AssetKey(["adult_branches", "both"])],
        )
        pd.testing.assert_frame_equal(
            again.asset_value(dg.AssetKey(["adult_branches", "both"]))["output"],
            in_process.output("both"),
        )


def test_a_failing_node_fails_its_asset_and_names_the_node(tmp_path, frame):
    def broken(df):
        raise RuntimeError("broken step")

    pipeline = (
        PipelineBuilder("failing")
        .source("load", frame=frame)
        .transform("bad", broken)
        .sink("save", path=str(tmp_path / "never.csv"))
        .build()
    )
    result = dg.materialize(
        pipeline.to_dagster(),
        resources=pipeline_resources(str(tmp_path / "artifacts")),
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert not result.success
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert [e.step_key for e in failures] == ["failing__bad"]
    assert "broken step" in str(failures[0].event_specific_data.error)
    assert not (tmp_path / "never.csv").exists()


PIPELINE_YAML = """\
name: adult_yaml
seed: 0
nodes:
  - name: load
    type: source
    path: small.csv
  - name: sub
    type: transform
    op: sample
    n: 300
  - name: synth
    type: synthesize
    method: cart
    n: 50
  - name: save
    type: sink
    path: pipeline_out/synthetic.parquet
"""


def test_genesis_yaml_pipelines_are_loaded_by_the_code_location(tmp_path, make_config, monkeypatch):
    (tmp_path / "pipelines").mkdir()
    (tmp_path / "pipelines" / "adult.yaml").write_text(
        PIPELINE_YAML.replace("small.csv", "../small.csv")
    )
    config_path = make_config(pipelines=["pipelines/adult.yaml"])
    assert load_config(config_path).pipelines == [str(tmp_path / "pipelines" / "adult.yaml")]
    import genesis_assets.definitions

    monkeypatch.setenv("GENESIS_CONFIG", str(config_path))
    try:
        defs = importlib.reload(genesis_assets.definitions).defs
        defs.get_repository_def()  # resources, IO managers and the graph resolve
        keys = {tuple(k.path) for k in defs.resolve_asset_graph().get_all_asset_keys()}
        assert {("adult_yaml", n) for n in ("load", "sub", "synth", "save")} <= keys
        assert ("adult", "synthetic_dataset") in keys  # beside the dataset chain
        with dg.instance_for_test() as instance:
            result = dg.materialize(
                defs.assets,
                resources=defs.resources,
                instance=instance,
                selection=dg.AssetSelection.groups("adult_yaml"),
            )
            assert result.success
            written = pd.read_parquet(tmp_path / "pipelines" / "pipeline_out" / "synthetic.parquet")
            expected = load_pipeline_run(tmp_path / "pipelines" / "adult.yaml")
            pd.testing.assert_frame_equal(written, expected)
            stored = tmp_path / "artifacts" / "pipelines" / "adult_yaml" / "synth.pkl"
            assert stored.is_file()  # the configured artifact store
    finally:
        monkeypatch.delenv("GENESIS_CONFIG")
        importlib.reload(genesis_assets.definitions)


def load_pipeline_run(path):
    from genesis.pipeline import load_pipeline

    pipeline = load_pipeline(path)
    pipeline.node("save").path = str(path.parent / "in_process.parquet")
    return pipeline.run().output("synth")


def test_bad_pipeline_entries_stop_the_configuration(tmp_path, make_config):
    with pytest.raises(ConfigError, match="pipelines, file 'missing.yaml' does not exist"):
        load_config(make_config(pipelines=["missing.yaml"]))
    (tmp_path / "broken.yaml").write_text(
        textwrap.dedent(
            """\
            name: broken
            nodes:
              - name: load
                type: source
                path: small.csv
              - name: save
                type: sink
                paht: out.csv
            """
        )
    )
    with pytest.raises(ConfigError, match="broken.yaml.*line 8, node 'save': unknown key 'paht'"):
        load_config(make_config(pipelines=["broken.yaml"]))
    (tmp_path / "clash.yaml").write_text(PIPELINE_YAML.replace("adult_yaml", "adult"))
    with pytest.raises(ConfigError, match="'adult' is also a dataset's name"):
        load_config(make_config(adult_entry(), pipelines=["clash.yaml"]))
    (tmp_path / "twice.yaml").write_text(PIPELINE_YAML)
    (tmp_path / "again.yaml").write_text(PIPELINE_YAML)
    with pytest.raises(ConfigError, match="'adult_yaml' is used by 'twice.yaml' too"):
        load_config(make_config(pipelines=["twice.yaml", "again.yaml"]))
    with pytest.raises(ConfigError, match="pipelines"):
        load_config(make_config(pipelines="not-a-list.yaml"))


@pytest.mark.slow
def test_the_dagster_cli_materializes_a_yaml_pipeline_step_per_process(
    tmp_path, make_config, repo_root, monkeypatch
):
    """`dagster asset materialize` on the code location, with the multiprocess executor: each
    step re-imports the definitions (and so the YAML pipeline) in its own process."""
    (tmp_path / "pipelines").mkdir()
    (tmp_path / "pipelines" / "adult.yaml").write_text(
        PIPELINE_YAML.replace("small.csv", "../small.csv")
    )
    config_path = make_config(pipelines=["pipelines/adult.yaml"])  # executor: multiprocess
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(repo_root / "dagster.yaml", home / "dagster.yaml")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "GENESIS_CONFIG": str(config_path),
        "OMP_NUM_THREADS": "1",
        "PYTHONPATH": str(repo_root),
    }
    command = [
        str(Path(sys.executable).parent / "dagster"),
        "asset",
        "materialize",
        "-m",
        "genesis_assets.definitions",
        "--select",
        "group:adult_yaml",
    ]
    done = subprocess.run(
        command, cwd=repo_root, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "Multiprocess executor" in done.stderr
    written = pd.read_parquet(tmp_path / "pipelines" / "pipeline_out" / "synthetic.parquet")
    pd.testing.assert_frame_equal(written, load_pipeline_run(tmp_path / "pipelines" / "adult.yaml"))
    monkeypatch.setenv("DAGSTER_HOME", str(home))  # dagster.yaml reads its folder from it
    with dg.DagsterInstance.from_config(str(home)) as instance:
        for node in ("load", "sub", "synth", "save"):
            event = instance.get_latest_materialization_event(dg.AssetKey(["adult_yaml", node]))
            assert event is not None, node
        assert (
            instance.get_latest_materialization_event(dg.AssetKey(["adult", "raw_source"])) is None
        )
