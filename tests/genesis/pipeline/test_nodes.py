"""PipelineNode, the node_type registry, and the specification's extension example."""

from __future__ import annotations

import pandas as pd
import pytest

from genesis.errors import NodeExecutionError, PipelineDefinitionError, UnknownNodeTypeError
from genesis.pipeline import (
    PipelineBuilder,
    PipelineNode,
    node_seed,
    register_node_type,
    registered_types,
)
from genesis.pipeline.nodes import node_class, run_node

processed_data = pd.DataFrame({"x": [1, 2, 3]})  # the name the specification's example returns


def test_the_specifications_custom_node_example_works_as_written():
    # genesis-v1.4-architecture.md, "Custom Pipeline Node", verbatim:
    from genesis.pipeline import PipelineNode

    class CustomNode(PipelineNode):
        node_type = "custom"

        def execute(self, inputs: dict) -> dict:
            # Custom processing
            return {"output": processed_data}

    assert node_class("custom") is CustomNode
    pipeline = PipelineBuilder("spec").add_node(CustomNode("custom_step")).build()
    result = pipeline.run()
    assert result.output("custom_step") is processed_data


def test_a_custom_node_reads_the_previous_node_and_its_params():
    class Doubler(PipelineNode):
        node_type = "doubler_test"

        def execute(self, inputs: dict) -> dict:
            frame = self.input_frame(inputs)
            return {"output": frame * self.params["factor"]}

    pipeline = (
        PipelineBuilder("double")
        .source("load", frame=pd.DataFrame({"x": [1, 2]}))
        .add_node(Doubler("twice", factor=2))
        .build()
    )
    assert pipeline.node("twice").inputs == ["load"]
    assert pipeline.run().output("twice")["x"].tolist() == [2, 4]
    assert "doubler_test" in registered_types()


def test_register_node_type_refuses_built_in_names_and_non_nodes():
    with pytest.raises(PipelineDefinitionError, match="built-in type"):

        class FakeSource(PipelineNode):
            node_type = "source"

    with pytest.raises(PipelineDefinitionError, match="PipelineNode subclass"):
        register_node_type(dict)  # type: ignore[arg-type]

    class NoType(PipelineNode):
        pass

    with pytest.raises(PipelineDefinitionError, match="has no node_type"):
        register_node_type(NoType)
    assert node_class("source").__name__ == "SourceNode"  # untouched


def test_unknown_type_lookup_lists_the_known_types():
    with pytest.raises(UnknownNodeTypeError, match="'synthesize'"):
        node_class("synthesise")


def test_run_node_refuses_a_result_that_is_not_a_dict():
    class Bad(PipelineNode):
        node_type = "bad_result_test"

        def execute(self, inputs: dict) -> dict:
            return [1, 2]  # type: ignore[return-value]

    with pytest.raises(NodeExecutionError, match="'b'.*returned list") as info:
        run_node(Bad("b"), {})
    assert info.value.node == "b"


def test_input_frame_names_the_upstream_that_gave_no_table():
    node = PipelineNode("reader", ["up"])
    with pytest.raises(NodeExecutionError, match="result of 'up'.*\\['model'\\]"):
        node.input_frame({"up": {"model": object()}})
    with pytest.raises(NodeExecutionError, match="exactly one input"):
        node.input_frame({"a": {}, "b": {}})


def test_node_seed_depends_on_the_pipeline_seed_and_the_name_only():
    assert node_seed(0, "synth") == node_seed(0, "synth")
    assert node_seed(0, "synth") != node_seed(1, "synth")
    assert node_seed(0, "synth") != node_seed(0, "synth2")
    assert 0 <= node_seed(2**70, "x") < 2**32
