"""Conditions written as text: every operator, quoting, typing against a schema, and the
one-line errors that name the grammar."""

from __future__ import annotations

import pandas as pd
import pytest

from genesis.errors import InvalidConditionError
from genesis.generators.conditional import (
    Condition,
    ConditionSet,
    as_condition_set,
    parse_condition,
)
from genesis.schema import infer_schema


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("age>=50", Condition("age", "gte", 50)),
        ("age >= 50", Condition("age", "gte", 50)),
        ("age=50", Condition("age", "eq", 50)),
        ("age == 50", Condition("age", "eq", 50)),
        ("age != 50", Condition("age", "ne", 50)),
        ("age > 50.5", Condition("age", "gt", 50.5)),
        ("age < 50", Condition("age", "lt", 50)),
        ("age <= 50", Condition("age", "lte", 50)),
        ("state in CA,NY", Condition("state", "in", ["CA", "NY"])),
        ("state IN CA, NY", Condition("state", "in", ["CA", "NY"])),
        ("state not in TX", Condition("state", "not_in", ["TX"])),
        ("age between 30 and 40", Condition("age", "between", (30, 40))),
        ("name like A%_n", Condition("name", "like", "A%_n")),
        ('"native-country" = Peru', Condition("native-country", "eq", "Peru")),
        ("native-country = Peru", Condition("native-country", "eq", "Peru")),
        ("city = 'New York'", Condition("city", "eq", "New York")),
        ("code = '01'", Condition("code", "eq", "01")),
        ("city in 'a,b', c", Condition("city", "in", ["a,b", "c"])),
        ("note = in town", Condition("note", "eq", "in town")),
    ],
)
def test_every_operator_and_quoting(text, expected):
    assert parse_condition(text) == expected


def test_parse_matches_from_dict_and_reads_lists_of_text():
    text = ConditionSet.parse(["age>=21", "country in US,UK", "age between 18 and 65"])
    as_dict = ConditionSet.from_dict(
        {"age": [(">=", 21), ("between", (18, 65))], "country": ("in", ["US", "UK"])}
    )
    assert set(text) == set(as_dict) and len(text) == 3
    assert ConditionSet.from_dict(["age>=21"]) == ConditionSet.parse("age>=21")
    assert as_condition_set(["age < 3"]) == ConditionSet([Condition("age", "lt", 3)])


def test_values_follow_the_schema_kind():
    df = pd.DataFrame(
        {
            "age": [20, 30, 40, 50] * 10,
            "zip": ["01", "02", "10", "11"] * 10,
            "flag": [True, False] * 20,
        }
    )
    schema = infer_schema(df)
    assert parse_condition("zip in 01,10", schema).value == ("01", "10")
    assert parse_condition("age = 30", schema).value == 30
    assert parse_condition("flag = true", schema).value is True
    with pytest.raises(InvalidConditionError, match="holds numbers but 'old' is not a number"):
        parse_condition("age > old", schema)


@pytest.mark.parametrize(
    "text",
    [
        "age",
        "age >> 3",
        "age >",
        "",
        "   ",
        ">= 3",
        "state in CA,,NY",
        "x in 'a,b",
        "age between 3",
        "age between 3 and",
    ],
)
def test_malformed_text_names_the_grammar(text):
    with pytest.raises(InvalidConditionError) as caught:
        parse_condition(text)
    message = str(caught.value)
    assert "\n" not in message
    assert "between" in message or "commas" in message or "quotes" in message


def test_unknown_operator_word_is_not_silently_equality():
    with pytest.raises(InvalidConditionError, match="cannot read"):
        parse_condition("age bigger 3")
