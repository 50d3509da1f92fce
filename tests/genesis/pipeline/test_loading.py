"""Pipelines declared in YAML: load_pipeline / Pipeline.from_yaml, and their errors."""

from __future__ import annotations

import textwrap

import pytest

from genesis.errors import (
    MissingInputError,
    PipelineCycleError,
    PipelineDefinitionError,
    UnknownNodeTypeError,
)
from genesis.pipeline import Pipeline, load_pipeline
from tests.genesis.pipeline.custom_nodes import UpperColumnsNode

PIPELINE = """\
name: adult_yaml
seed: 3
nodes:
  - name: load
    type: source
    path: adult.csv
  - name: adults
    type: transform
    op: filter
    conditions: {age: [">=", 30]}
  - name: synth
    type: synthesize
    method: cart
    n: 40
  - name: quality
    type: evaluate
    real: adults
  - name: save
    type: sink
    path: out/synthetic.csv
  - name: shout
    type: tests.genesis.pipeline.custom_nodes.UpperColumnsNode
    inputs: [synth]
    suffix: "!"
  - name: shout_again
    type: upper_columns
  - name: kept
    type: transform
    fn: tests.genesis.pipeline.custom_nodes.keep_adults
    inputs: load
"""


def write(folder, text, name="pipeline.yaml"):
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


def test_a_yaml_pipeline_loads_and_runs(tmp_path, adult_small):
    adult_small.to_csv(tmp_path / "adult.csv", index=False)
    pipeline = Pipeline.from_yaml(write(tmp_path, PIPELINE))
    assert pipeline.name == "adult_yaml" and pipeline.seed == 3
    assert pipeline.node("adults").inputs == ["load"]  # default: the node above
    assert pipeline.node("shout").inputs == ["synth"]
    assert pipeline.node("shout_again").inputs == ["shout"]
    assert isinstance(pipeline.node("shout"), UpperColumnsNode)
    assert pipeline.node("load").path == str(tmp_path / "adult.csv")  # relative to the file
    result = pipeline.run()
    assert (result.output("adults")["age"] >= 30).all()
    assert len(result.output("synth")) == 40
    assert (tmp_path / "out" / "synthetic.csv").is_file()
    assert result.output("shout").columns[0] == "AGE!"
    assert result.output("shout_again").columns[0] == "AGE!"
    assert (result.output("kept")["age"] >= 18).all()


def error_of(tmp_path, text):
    path = write(tmp_path, text)
    with pytest.raises(PipelineDefinitionError) as info:
        load_pipeline(path)
    assert str(path) in str(info.value)
    return str(info.value)


def test_unknown_top_level_key_names_its_line(tmp_path):
    message = error_of(tmp_path, "name: p\nnode:\n  - {name: a, type: source, path: x.csv}\n")
    assert "line 2: unknown key 'node'" in message and "'nodes'" in message


def test_unknown_node_key_names_its_line_and_the_known_keys(tmp_path):
    message = error_of(
        tmp_path,
        """\
        name: p
        nodes:
          - name: load
            type: source
            path: x.csv
          - name: synth
            type: synthesize
            methd: cart
        """,
    )
    assert "line 8, node 'synth': unknown key 'methd'" in message
    assert "'method'" in message


def test_unknown_type_names_the_line(tmp_path):
    path = write(tmp_path, "name: p\nnodes:\n  - name: a\n    type: sauce\n")
    with pytest.raises(
        UnknownNodeTypeError, match="line 4, node 'a', key 'type': unknown node type 'sauce'"
    ):
        load_pipeline(path)
    path = write(tmp_path, "name: p\nnodes:\n  - name: a\n    type: no_such_pkg.nodes.Node\n")
    with pytest.raises(PipelineDefinitionError, match="cannot import module 'no_such_pkg.nodes'"):
        load_pipeline(path)
    path = write(
        tmp_path,
        "name: p\nnodes:\n  - name: a\n    type: tests.genesis.pipeline.custom_nodes.NOT_A_NODE\n",
    )
    with pytest.raises(UnknownNodeTypeError, match="not a PipelineNode subclass"):
        load_pipeline(path)


def test_bad_values_name_the_node_and_line(tmp_path):
    message = error_of(
        tmp_path,
        "name: p\nnodes:\n  - name: load\n    type: source\n    path: x.csv\n"
        "  - name: t\n    type: transform\n    op: slect\n",
    )
    assert "line 6, node 't'" in message and "unknown transform op 'slect'" in message
    message = error_of(tmp_path, "name: p\nnodes:\n  - name: a\n    path: x.csv\n")
    assert "line 3, node #1: key 'type' is required" in message
    message = error_of(
        tmp_path,
        "name: p\nnodes:\n  - {name: load, type: source, path: x.csv}\n"
        "  - {name: t, type: transform, fn: tests.genesis.pipeline.custom_nodes.nothing}\n",
    )
    assert "key 'fn'" in message and "has no 'nothing'" in message


def test_broken_files(tmp_path):
    assert "does not exist" in str(
        pytest.raises(PipelineDefinitionError, load_pipeline, tmp_path / "no.yaml").value
    )
    assert "not valid YAML" in error_of(tmp_path, "name: p\nnodes: [\n")
    assert "top level must be a mapping" in error_of(tmp_path, "- a\n- b\n")
    assert "key 'nodes' is required" in error_of(tmp_path, "name: p\n")
    assert "non-empty list" in error_of(tmp_path, "name: p\nnodes: []\n")
    twice = error_of(tmp_path, "name: p\nnodes:\n  - name: a\n    type: source\n    type: sink\n")
    assert "key 'type' appears twice" in twice and "line 5" in twice


def test_graph_errors_from_yaml_keep_their_class_and_name_the_file(tmp_path):
    path = write(
        tmp_path,
        "name: p\nnodes:\n  - {name: load, type: source, path: x.csv}\n"
        "  - {name: t, type: transform, op: dropna, inputs: [lod]}\n",
    )
    with pytest.raises(MissingInputError, match=f"{path}.*'t' reads input 'lod'"):
        load_pipeline(path)
    path = write(
        tmp_path,
        "name: p\nnodes:\n  - {name: a, type: transform, op: dropna, inputs: [b]}\n"
        "  - {name: b, type: transform, op: dropna, inputs: [a]}\n",
    )
    with pytest.raises(PipelineCycleError, match="a -> b -> a|b -> a -> b"):
        load_pipeline(path)


def test_url_paths_are_kept(tmp_path):
    path = write(
        tmp_path,
        "name: p\nnodes:\n  - {name: load, type: source, path: 's3://bucket/adult.csv'}\n",
    )
    assert load_pipeline(path).node("load").path == "s3://bucket/adult.csv"
