"""PipelineBuilder: fluent calls, default and explicit inputs, build()."""

from __future__ import annotations

import pandas as pd
import pytest

from genesis.errors import PipelineDefinitionError
from genesis.pipeline import Pipeline, PipelineBuilder, PipelineNode

FRAME = pd.DataFrame({"age": [20, 30, 40, 50], "sex": ["F", "M", "F", "M"]})


class Tag(PipelineNode):
    node_type = "tag_builder_test"

    def execute(self, inputs: dict) -> dict:
        return {"output": self.input_frame(inputs).assign(tag=self.params["tag"])}


def test_every_call_returns_the_builder_and_build_returns_a_pipeline(tmp_path):
    builder = PipelineBuilder("chain", seed=4)
    calls = [
        lambda b: b.source("load", frame=FRAME),
        lambda b: b.transform("t", op="dropna"),
        lambda b: b.synthesize("s", method="cart", n=5),
        lambda b: b.evaluate("q", real="t"),
        lambda b: b.add_node(Tag("tagged", tag="x")),
        lambda b: b.sink("save", path=tmp_path / "o.csv"),
    ]
    for call in calls:
        assert call(builder) is builder
    pipeline = builder.build()
    assert isinstance(pipeline, Pipeline)
    assert (pipeline.name, pipeline.seed) == ("chain", 4)
    assert pipeline.edges == [
        ("load", "t"),
        ("t", "s"),
        ("s", "q"),
        ("t", "q"),
        ("q", "tagged"),
        ("tagged", "save"),
    ]
    described = pipeline.describe()
    assert described["order"] == pipeline.order
    assert described["nodes"][4] == {
        "name": "tagged",
        "node_type": "tag_builder_test",
        "inputs": ["q"],
        "seed": pipeline.node("tagged").seed,
        "params": {"tag": "x"},
    }


def test_explicit_inputs_make_branches_and_joins():
    pipeline = (
        PipelineBuilder("branches")
        .source("load", frame=FRAME)
        .transform("women", op="filter", conditions={"sex": "F"})
        .transform("men", op="filter", conditions={"sex": "M"}, inputs=["load"])
        .transform("all", op="concat", inputs=["women", "men"])
        .build()
    )
    assert pipeline.node("men").inputs == ["load"]
    assert pipeline.node("all").inputs == ["women", "men"]
    assert sorted(pipeline.run().output("all")["age"]) == [20, 30, 40, 50]


def test_add_node_gives_a_node_without_inputs_the_previous_one_and_keeps_the_callers():
    node = Tag("tagged", tag="y")
    builder = PipelineBuilder("p").source("load", frame=FRAME).add_node(node)
    assert node.inputs == []  # the caller's node is not changed
    assert builder.build().node("tagged").inputs == ["load"]
    assert builder.build().node("tagged").seed is not None and node.seed is None
    with pytest.raises(PipelineDefinitionError, match="add_node takes a PipelineNode"):
        builder.add_node("not a node")  # type: ignore[arg-type]


def test_a_second_source_starts_a_new_branch():
    pipeline = PipelineBuilder("p").source("a", frame=FRAME).source("b", frame=FRAME).build()
    assert pipeline.node("b").inputs == []
