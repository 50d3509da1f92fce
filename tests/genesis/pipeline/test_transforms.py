"""The named transform operations and transform callables."""

from __future__ import annotations

import pandas as pd
import pytest

from genesis.errors import (
    InvalidConditionError,
    MissingInputError,
    NodeExecutionError,
    PipelineDefinitionError,
)
from genesis.pipeline import PipelineBuilder, TransformNode

FRAME = pd.DataFrame(
    {"age": [17, 30, 45, 60, None], "sex": ["F", "M", "F", "M", "F"], "id": [1, 2, 3, 4, 5]}
)


def run(*steps, frame=FRAME):
    builder = PipelineBuilder("t").source("load", frame=frame)
    for index, (op, params) in enumerate(steps):
        builder.transform(f"step{index}", op=op, **params)
    return builder.build().run().output(f"step{len(steps) - 1}")


def test_select_drop_rename():
    assert list(run(("select", {"columns": ["sex", "age"]})).columns) == ["sex", "age"]
    assert list(run(("drop", {"columns": "id"})).columns) == ["age", "sex"]
    assert list(run(("rename", {"columns": {"sex": "gender"}})).columns) == ["age", "gender", "id"]


def test_filter_takes_a_condition_set_dict_including_yaml_lists():
    assert run(("filter", {"conditions": {"age": (">=", 40)}}))["id"].tolist() == [3, 4]
    yaml_style = {"age": [">=", 18], "sex": ["in", ["F"]]}
    assert run(("filter", {"conditions": yaml_style}))["id"].tolist() == [3]
    between = {"age": ["between", [20, 50]]}
    assert run(("filter", {"conditions": between}))["id"].tolist() == [2, 3]


def test_filter_with_a_bad_condition_names_the_node():
    with pytest.raises(NodeExecutionError, match="step0") as info:
        run(("filter", {"conditions": {"age": ("~", 3)}}))
    assert isinstance(info.value.__cause__, InvalidConditionError)


def test_sample_is_seeded_and_dropna_removes_gaps():
    first = run(("sample", {"n": 3}))
    assert len(first) == 3 and first.equals(run(("sample", {"n": 3})))
    assert len(run(("sample", {"frac": 0.4}))) == 2
    assert run(("dropna", {}))["id"].tolist() == [1, 2, 3, 4]
    with pytest.raises(NodeExecutionError, match="exactly one of n= or frac="):
        run(("sample", {}))


def test_concat_and_merge_join_branches():
    other = pd.DataFrame({"id": [1, 2], "income": [">50K", "<=50K"]})
    pipeline = (
        PipelineBuilder("join")
        .source("people", frame=FRAME)
        .source("incomes", frame=other)
        .transform("merged", op="merge", on="id", inputs=["people", "incomes"])
        .transform("stacked", op="concat", inputs=["people", "merged_copy"])
    )
    with pytest.raises(MissingInputError, match="'stacked' reads input 'merged_copy'"):
        pipeline.build()
    pipeline = (
        PipelineBuilder("join")
        .source("people", frame=FRAME)
        .source("incomes", frame=other)
        .transform("merged", op="merge", on="id", inputs=["people", "incomes"])
        .transform("twice", op="concat", inputs=["people", "merged"])
    )
    with pytest.raises(NodeExecutionError, match="same columns"):
        pipeline.build().run()
    result = (
        PipelineBuilder("join")
        .source("a", frame=FRAME)
        .source("b", frame=FRAME)
        .transform("merged", op="merge", on="id", inputs=["a", "b"])
        .transform("stacked", op="concat", inputs=["a", "b"])
        .build()
        .run()
    )
    assert len(result.output("merged")) == 5 and len(result.output("stacked")) == 10


def test_a_callable_gets_one_table_or_the_tables_by_name():
    result = (
        PipelineBuilder("fn")
        .source("a", frame=FRAME)
        .source("b", frame=FRAME.head(2))
        .transform("one", lambda df: df.head(1), inputs="a")
        .transform("both", lambda tables: tables["a"].iloc[len(tables["b"]) :], inputs=["a", "b"])
        .build()
        .run()
    )
    assert len(result.output("one")) == 1 and len(result.output("both")) == 3


def test_transform_declaration_errors():
    with pytest.raises(PipelineDefinitionError, match="exactly one of fn="):
        TransformNode("t")
    with pytest.raises(PipelineDefinitionError, match="unknown transform op 'slect'"):
        TransformNode("t", op="slect")
    with pytest.raises(
        PipelineDefinitionError, match="op 'select' takes \\['columns'\\], not \\['cols'\\]"
    ):
        TransformNode("t", op="select", cols=["a"])
    with pytest.raises(PipelineDefinitionError, match="must be callable"):
        TransformNode("t", fn="not callable")  # type: ignore[arg-type]
    with pytest.raises(NodeExecutionError, match="returned int"):
        PipelineBuilder("p").source("a", frame=FRAME).transform("t", lambda df: 3).build().run()
    with pytest.raises(NodeExecutionError, match="columns \\['nope'\\] are not in the table"):
        run(("select", {"columns": ["nope"]}))
