"""genesis.generators.conditional_validation: conditions checked against a schema.

Each error names the column and the fix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.errors import (
    ConditionOutOfRangeError,
    GenesisError,
    InfeasibleConditionError,
    InvalidConditionError,
)
from genesis.generators.conditional import ConditionSet
from genesis.schema import infer_schema


@pytest.fixture(scope="module")
def adult_schema(adult_df):
    return infer_schema(adult_df)


@pytest.fixture(scope="module")
def weather_schema(weather_df):
    return infer_schema(weather_df)


# --- validation against the schema -------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "column", "fragments"),
    [
        ({"agee": 30}, "agee", ["unknown column", "['age']", "Fix the column name"]),
        ({"education": (">", "Bachelors")}, "education", ["categorical", "'eq'"]),
        ({"sex": ("between", ("A", "Z"))}, "sex", ["unordered labels"]),
        ({"age": ("like", "3%")}, "age", ["'like' does not apply", "between"]),
        ({"age": "thirty"}, "age", ["not a number", "give a number"]),
        ({"age": True}, "age", ["boolean", "give a number"]),
        ({"age": ("in", [30, "x"])}, "age", ["not a number"]),
        ({"education": "Bachelor"}, "education", ["never occurs", "['Bachelors'", "seen"]),
        ({"native-country": ("in", ["Cuba", "Jamaca"])}, "native-country", ["'Jamaca'", "Jamaica"]),
        ({"age": ("between", (65, 18))}, "age", ["low 65 > high 18", "swap"]),
        ({"age": [(">", 50), ("<", 40)]}, "age", ["empty range", "loosen"]),
        ({"age": [(">", 50), ("<=", 50)]}, "age", ["empty range"]),
        ({"age": (">", 95)}, "age", ["outside the training range", "[17, 90]", "age == 90"]),
        ({"age": ("between", (30.2, 30.8))}, "age", ["whole numbers", "widen"]),
        ({"age": [(">", 30), ("<", 31)]}, "age", ["whole numbers"]),
        ({"age": ("<", 17)}, "age", ["outside the training range"]),
        ({"age": ("in", [5, 100])}, "age", ["outside the training range"]),
        ({"sex": [("eq", "Male"), ("ne", "Male")]}, "sex", ["leaves none of its labels"]),
    ],
)
def test_validate_errors_name_column_and_fix(adult_schema, spec, column, fragments):
    with pytest.raises(InvalidConditionError) as info:
        ConditionSet.from_dict(spec).validate(adult_schema)
    assert isinstance(info.value, GenesisError)
    assert info.value.column == column
    message = str(info.value)
    assert repr(column) in message
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(
    ("spec", "nearest"),
    [
        ({"age": (">", 500)}, "age == 90 (the largest value seen in training)"),
        ({"age": (">", 90)}, "age == 90"),
        ({"age": ("<=", 16)}, "age == 17 (the smallest"),
        ({"age": ("in", [5, 6])}, "age == 17"),
        ({"fnlwgt": ("gt", 2e6)}, "fnlwgt == 1484705"),
    ],
)
def test_out_of_range_is_invalid_and_infeasible(adult_schema, spec, nearest):
    with pytest.raises(ConditionOutOfRangeError) as info:
        ConditionSet.from_dict(spec).validate(adult_schema)
    error = info.value
    assert isinstance(error, InvalidConditionError) and isinstance(error, InfeasibleConditionError)
    assert error.probability == 0.0
    assert error.alternative.startswith(nearest)
    assert error.column == next(iter(spec))
    ConditionSet.from_dict({"age": (">=", 90)}).validate(adult_schema)  # the edge itself is fine


def test_validate_accepts_good_conditions(adult_schema, adult_df):
    ConditionSet.from_dict(
        {
            "age": [(">=", 21), ("<=", 65)],
            "education": ("in", ["Bachelors", "Masters"]),
            "sex": "Female",
            "hours-per-week": ("between", ("20", 40)),
            "capital-gain": [(">", 0), ("<", 2)],  # exactly 1 remains
            "occupation": ("like", "Exec%"),
            "native-country": ("not_in", ["Atlantis"]),  # an unseen label excluded is harmless
        }
    ).validate(adult_schema, adult_df)


def test_validate_datetimes(weather_schema):
    ConditionSet.from_dict(
        {"time_hour": ("between", ("2013-06-01", "2013-06-30T23:00:00Z"))}
    ).validate(weather_schema)
    with pytest.raises(InvalidConditionError, match="'time_hour'.*not a date"):
        ConditionSet.from_dict({"time_hour": (">", "yesterday-ish")}).validate(weather_schema)
    with pytest.raises(InvalidConditionError, match="'time_hour'.*outside the training range"):
        ConditionSet.from_dict({"time_hour": (">", "2014-02-01")}).validate(weather_schema)
    with pytest.raises(InvalidConditionError, match="'time_hour'.*empty range"):
        ConditionSet.from_dict({"time_hour": [(">", "2013-06-02"), ("<", "2013-06-01")]}).validate(
            weather_schema
        )


def test_validate_uses_data_when_schema_has_no_categories(adult_df):
    schema = infer_schema(adult_df)
    schema["education"].categories = None
    ConditionSet.from_dict({"education": "Bachelors"}).validate(schema)  # nothing to check
    with pytest.raises(InvalidConditionError, match="closest seen: \\['Masters'"):
        ConditionSet.from_dict({"education": "Master"}).validate(schema, adult_df)


def test_validate_refuses_regenerated_columns():
    df = pd.DataFrame({"id": [f"u{i:05d}" for i in range(300)], "x": np.arange(300) % 7})
    schema = infer_schema(df)
    assert schema["id"].kind.value == "identifier"
    with pytest.raises(InvalidConditionError, match="'id' is identifier.*filter the generated"):
        ConditionSet.from_dict({"id": "u00001"}).validate(schema)


def test_validate_bad_arguments(adult_df):
    with pytest.raises(InvalidConditionError, match="needs a genesis.schema.Schema"):
        ConditionSet.from_dict({"age": 30}).validate({"age": "int"})
