"""Pipeline.validate(): each mistake is its own error naming the node and the fix."""

from __future__ import annotations

import pandas as pd
import pytest

from genesis.errors import (
    DuplicateNodeError,
    MissingInputError,
    PipelineCycleError,
    PipelineDefinitionError,
    PipelineValidationError,
    SinkWithoutInputError,
    SourceWithInputsError,
    UnknownNodeTypeError,
)
from genesis.pipeline import (
    Pipeline,
    PipelineBuilder,
    PipelineExecutor,
    PipelineNode,
    TransformNode,
)
from genesis.pipeline.builtin import SinkNode, SourceNode

FRAME = pd.DataFrame({"x": [1, 2, 3]})


def identity(frame):
    return frame


def test_a_cycle_is_named_in_data_flow_order():
    nodes = [
        SourceNode("load", frame=FRAME),
        TransformNode("a", identity, inputs=["c"]),
        TransformNode("b", identity, inputs=["a"]),
        TransformNode("c", identity, inputs=["b"]),
        SinkNode("save", "out.csv", inputs=["c"]),
    ]
    with pytest.raises(PipelineCycleError, match="cycle") as info:
        Pipeline(nodes, name="loop")
    message = str(info.value)
    # the cycle is printed as one rotation of a -> b -> c -> a
    assert any(
        f"{x} -> {y} -> {z} -> {x}" in message
        for x, y, z in (("a", "b", "c"), ("b", "c", "a"), ("c", "a", "b"))
    )
    assert "load" not in message.split("cycle")[1] and "remove one of these inputs" in message


def test_a_node_reading_itself_is_a_cycle():
    with pytest.raises(PipelineCycleError, match="self_loop -> self_loop"):
        Pipeline([TransformNode("self_loop", identity, inputs=["self_loop"])])


def test_a_missing_input_names_the_node_and_the_missing_name():
    builder = PipelineBuilder("p").source("load", frame=FRAME)
    builder.transform("clean", identity, inputs=["laod"])
    with pytest.raises(
        MissingInputError, match="node 'clean' reads input 'laod'.*nodes: \\['load', 'clean'\\]"
    ):
        builder.build()


def test_an_unknown_node_type_is_refused():
    class Unregistered(PipelineNode):  # no node_type in its body
        def execute(self, inputs):
            return {}

    with pytest.raises(UnknownNodeTypeError, match="'odd'.*unknown node type None"):
        Pipeline([Unregistered("odd")])
    node = SourceNode("load", frame=FRAME)
    node.node_type = "not_registered_anywhere"
    with pytest.raises(UnknownNodeTypeError, match="not_registered_anywhere"):
        Pipeline([node])
    with pytest.raises(UnknownNodeTypeError, match="not a PipelineNode"):
        Pipeline([object()])  # type: ignore[list-item]


def test_a_sink_without_input_is_refused():
    builder = PipelineBuilder("p").source("load", frame=FRAME).sink("save", "out.csv", inputs=[])
    with pytest.raises(SinkWithoutInputError, match="sink node 'save' has no input"):
        builder.build()
    with pytest.raises(SinkWithoutInputError):
        Pipeline([SinkNode("alone", "out.csv")])


def test_a_sink_with_two_inputs_is_refused():
    nodes = [
        SourceNode("a", frame=FRAME),
        SourceNode("b", frame=FRAME),
        SinkNode("save", "out.csv", inputs=["a", "b"]),
    ]
    with pytest.raises(PipelineValidationError, match="writes one table"):
        Pipeline(nodes)


def test_a_source_with_inputs_is_refused():
    nodes = [SourceNode("a", frame=FRAME), SourceNode("b", frame=FRAME, inputs=["a"])]
    with pytest.raises(SourceWithInputsError, match="source node 'b' has inputs \\['a'\\]"):
        Pipeline(nodes)


def test_duplicate_names_are_refused():
    builder = PipelineBuilder("p").source("load", frame=FRAME).transform("load", identity)
    with pytest.raises(DuplicateNodeError, match="two nodes are named 'load'"):
        builder.build()


def test_bad_names_and_empty_pipelines_are_refused():
    with pytest.raises(PipelineValidationError, match="node name 'my-node'"):
        Pipeline([SourceNode("my-node", frame=FRAME)])
    with pytest.raises(PipelineValidationError, match="pipeline name 'my pipeline'"):
        Pipeline([SourceNode("load", frame=FRAME)], name="my pipeline")
    with pytest.raises(PipelineValidationError, match="has no nodes"):
        Pipeline([])
    with pytest.raises(PipelineDefinitionError, match="seed"):
        Pipeline([SourceNode("load", frame=FRAME)], seed=-1)


def test_validation_errors_are_value_errors_of_genesis():
    from genesis.errors import GenesisError

    assert issubclass(PipelineCycleError, ValueError)
    assert issubclass(PipelineCycleError, GenesisError)


def test_the_executor_validates_again_before_running():
    pipeline = PipelineBuilder("p").source("load", frame=FRAME).transform("t", identity).build()
    pipeline.node("t").inputs = ["gone"]  # broken after build
    with pytest.raises(MissingInputError, match="'gone'"):
        PipelineExecutor().run(pipeline)


def test_topological_order_puts_inputs_first():
    nodes = [
        SinkNode("save", "out.csv", inputs=["t"]),
        TransformNode("t", identity, inputs=["load"]),
        SourceNode("load", frame=FRAME),
    ]
    assert Pipeline(nodes).order == ["load", "t", "save"]
