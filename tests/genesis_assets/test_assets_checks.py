"""schema_conformance_problems: what the conforms_to_schema check reports."""

from __future__ import annotations

import pandas as pd
import pytest

from genesis.schema.types import ColumnKind, ColumnSchema, Schema
from genesis_assets.checks import dtype_family, schema_conformance_problems


@pytest.fixture
def schema() -> Schema:
    return Schema(
        columns=[
            ColumnSchema("age", ColumnKind.INTEGER, "int64"),
            ColumnSchema(
                "sex",
                ColumnKind.CATEGORICAL,
                "object",
                categories=["Male", "Female"],
                missing_tokens=["?"],
            ),
            ColumnSchema("when", ColumnKind.DATETIME, "datetime64[ns]"),
        ],
        n_rows=3,
    )


def _frame(**overrides) -> pd.DataFrame:
    data = {
        "age": [30, 40, 50],
        "sex": ["Male", "?", None],
        "when": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]),
    }
    data.update(overrides)
    return pd.DataFrame(data)


def test_conforming_frame_has_no_problems(schema):
    assert schema_conformance_problems(_frame(), schema) == []
    nullable_ints = _frame(age=pd.array([30, None, 50], dtype="Int64"))
    assert schema_conformance_problems(nullable_ints, schema) == []


def test_missing_extra_and_reordered_columns(schema):
    assert "columns missing: ['when']" in schema_conformance_problems(
        _frame().drop(columns="when"), schema
    )
    extra = _frame().assign(zip=1)
    assert "columns not in the schema: ['zip']" in schema_conformance_problems(extra, schema)
    reordered = _frame()[["sex", "age", "when"]]
    assert any("order" in p for p in schema_conformance_problems(reordered, schema))


def test_wrong_dtype_family(schema):
    problems = schema_conformance_problems(_frame(age=["30", "40", "x"]), schema)
    assert problems == ["column 'age': dtype object (text) where the source has int64 (numeric)"]


def test_unknown_category(schema):
    (problem,) = schema_conformance_problems(_frame(sex=["Male", "Other", "Female"]), schema)
    assert "'sex'" in problem and "Other" in problem


@pytest.mark.parametrize(
    ("dtype", "family"),
    [
        ("int64", "numeric"),
        ("Int64", "numeric"),
        ("float32", "numeric"),
        ("bool", "boolean"),
        ("datetime64[ns]", "datetime"),
        ("object", "text"),
        ("category", "text"),
        ("str", "text"),
    ],
)
def test_dtype_family(dtype, family):
    assert dtype_family(dtype) == family
