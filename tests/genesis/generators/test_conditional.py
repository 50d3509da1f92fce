"""genesis.generators.conditional: Condition (every operator), ConditionSet, the builder."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from genesis.errors import (
    InvalidConditionError,
)
from genesis.generators.conditional import (
    Condition,
    ConditionBuilder,
    ConditionSet,
    as_condition_set,
)


@pytest.fixture()
def people() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "age": [17, 21, 30, 45, 65, 66, np.nan],
            "name": ["Ann", "Bob", "Abe", "al_x", "Cy", "A%", None],
            "status": pd.Categorical(["active", "idle", "active", "gone", "idle", "active", None]),
            "vip": [True, False, True, False, False, True, None],
        }
    )


# --- operators ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("eq", 30, [2]),
        ("ne", 30, [0, 1, 3, 4, 5]),  # the missing age does not satisfy "ne" either
        ("gt", 45, [4, 5]),
        ("gte", 45, [3, 4, 5]),
        ("lt", 21, [0]),
        ("lte", 21, [0, 1]),
        ("in", [17, 66, 99], [0, 5]),
        ("not_in", [17, 66], [1, 2, 3, 4]),
        ("between", (21, 45), [1, 2, 3]),  # inclusive at both ends
        (">=", "45", [3, 4, 5]),  # a symbol, and a number written as text
        ("==", 30.0, [2]),
        ("!=", 30, [0, 1, 3, 4, 5]),
    ],
)
def test_numeric_operators(people, operator, value, expected):
    condition = Condition("age", operator, value)
    assert list(np.flatnonzero(condition.mask(people))) == expected
    assert list(condition.apply(people).index) == expected


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("eq", "Bob", [1]),
        ("ne", "Bob", [0, 2, 3, 4, 5]),
        ("in", ["Ann", "Cy"], [0, 4]),
        ("not_in", ["Ann", "Cy"], [1, 2, 3, 5]),
        ("like", "A%", [0, 2, 5]),  # case-sensitive: "al_x" does not match
        ("like", "A_e", [2]),
        ("like", "al_x", [3]),
        ("like", "%", [0, 1, 2, 3, 4, 5]),  # missing never matches
        ("like", "a%", [3]),
        ("like", "A.%", []),  # regex characters are literal
        ("gt", "B", [1, 3, 4]),  # lexicographic, so lowercase "al_x" > "B"
    ],
)
def test_string_operators(people, operator, value, expected):
    assert list(np.flatnonzero(Condition("name", operator, value).mask(people))) == expected


def test_category_and_boolean_operators(people):
    assert list(np.flatnonzero(Condition("status", "eq", "active").mask(people))) == [0, 2, 5]
    assert list(np.flatnonzero(Condition("status", "ne", "active").mask(people))) == [1, 3, 4]
    assert list(np.flatnonzero(Condition("status", "in", ["gone"]).mask(people))) == [3]
    assert list(np.flatnonzero(Condition("vip", "eq", True).mask(people))) == [0, 2, 5]
    assert list(np.flatnonzero(Condition("vip", "not_in", [True]).mask(people))) == [1, 3, 4]


def test_like_on_adult_matches_regex(adult_df):
    got = Condition("occupation", "like", "%-%").mask(adult_df)
    np.testing.assert_array_equal(got, adult_df["occupation"].str.contains("-", regex=False))
    # "_th" is exactly three characters: "10th" and "7th-8th" do not match
    got = Condition("education", "like", "_th").apply(adult_df)
    assert set(got["education"]) == {"9th"}
    assert set(Condition("education", "like", "1_th").apply(adult_df)["education"]) == {
        "10th",
        "11th",
        "12th",
    }


@pytest.mark.parametrize(
    ("operator", "value"),
    [
        ("between", ("2013-06-01", "2013-06-30T23:00:00Z")),
        ("gte", pd.Timestamp("2013-12-30 20:00", tz="UTC")),
        ("lt", "2013-01-01T08:00:00Z"),
        ("eq", "2013-01-01 06:00"),  # naive strings are taken as UTC
        ("in", ["2013-01-01T06:00:00Z", "2013-01-01T07:00:00+00:00"]),
        ("ne", "2013-01-01T06:00:00Z"),
    ],
)
def test_datetime_operators_on_weather(weather_df, operator, value):
    condition = Condition("time_hour", operator, value)
    got = condition.mask(weather_df)
    stamps = pd.to_datetime(weather_df["time_hour"], utc=True)
    if operator == "between":
        lo, hi = (pd.Timestamp(v, tz="UTC") for v in ("2013-06-01", "2013-06-30T23:00"))
        want = (stamps >= lo) & (stamps <= hi)
    elif operator == "gte":
        want = stamps >= value
    elif operator == "lt":
        want = stamps < pd.Timestamp("2013-01-01T08:00", tz="UTC")
    elif operator == "eq":
        want = stamps == pd.Timestamp("2013-01-01T06:00", tz="UTC")
    elif operator == "in":
        want = stamps.isin([pd.Timestamp("2013-01-01T06:00", tz="UTC")] * 1) | (
            stamps == pd.Timestamp("2013-01-01T07:00", tz="UTC")
        )
    else:
        want = stamps != pd.Timestamp("2013-01-01T06:00", tz="UTC")
    assert got.dtype == bool
    assert got.sum() > 0
    np.testing.assert_array_equal(got, want.to_numpy())


def test_datetime_condition_on_native_column(weather_df):
    native = weather_df.assign(time_hour=pd.to_datetime(weather_df["time_hour"]))
    condition = Condition("time_hour", "between", ("2013-06-01", "2013-06-02"))
    strings = condition.mask(weather_df)
    np.testing.assert_array_equal(condition.mask(native), strings)
    stamps = pd.to_datetime(weather_df["time_hour"])
    want = (stamps >= "2013-06-01T00:00Z") & (stamps <= "2013-06-02T00:00Z")
    np.testing.assert_array_equal(strings, want.to_numpy())
    assert 60 < strings.sum() <= 3 * 25
    aware = weather_df.assign(time_hour=pd.to_datetime(weather_df["time_hour"], utc=True))
    np.testing.assert_array_equal(condition.mask(aware), strings)
    # an aware value in another zone: 2013-06-01 02:00 in New York is 06:00 UTC
    local = Condition("time_hour", "eq", pd.Timestamp("2013-06-01 02:00", tz="America/New_York"))
    assert set(local.apply(weather_df)["time_hour"]) == {"2013-06-01T06:00:00Z"}


def test_missing_never_satisfies(people):
    for op, value in [("ne", 1000), ("not_in", [1000]), ("lt", 1000), ("gt", -1)]:
        assert not Condition("age", op, value).mask(people)[6]
    assert not Condition("name", "like", "%").mask(people)[6]


def test_operator_spellings_normalise():
    for symbol, name in [
        ("==", "eq"),
        ("!=", "ne"),
        (">", "gt"),
        (">=", "gte"),
        ("<", "lt"),
        ("<=", "lte"),
        ("not in", "not_in"),
        ("IN", "in"),
        ("<>", "ne"),
    ]:
        assert Condition("a", symbol, [1] if name in ("in", "not_in") else 1).operator == name


@pytest.mark.parametrize(
    ("operator", "value", "fragment"),
    [
        ("approx", 1, "unknown operator"),
        ("in", 5, "needs a list"),
        ("in", [], "empty list"),
        ("in", "abc", "needs a list"),
        ("between", (1, 2, 3), "pair"),
        ("between", 5, "pair"),
        ("eq", [1, 2], "use 'in'"),
        ("eq", None, "missing values"),
        ("gt", float("nan"), "missing values"),
        ("like", 5, "text pattern"),
    ],
)
def test_malformed_condition_rejected(operator, value, fragment):
    with pytest.raises(InvalidConditionError, match=fragment):
        Condition("col", operator, value)


def test_condition_on_missing_column_of_frame(people):
    with pytest.raises(InvalidConditionError, match=r"unknown column 'agee'.*\['age'\]"):
        Condition("agee", "eq", 1).mask(people)


def test_text_value_for_numeric_column_in_mask(people):
    with pytest.raises(InvalidConditionError, match="'age' holds numbers.*'abc' is not a number"):
        Condition("age", "gt", "abc").mask(people)
    with pytest.raises(InvalidConditionError, match="not a date or time"):
        Condition("t", "gt", 5).mask(pd.DataFrame({"t": pd.to_datetime(["2020-01-01"])}))


def test_incomparable_values_give_clear_error():
    df = pd.DataFrame({"mixed": ["a", 1, "b"]})
    with pytest.raises(InvalidConditionError, match="'mixed'"):
        Condition("mixed", "gt", 0).mask(df)


# --- Condition and ConditionSet round trips ----------------------------------------------


def test_condition_equality_hash_repr_and_round_trip():
    c = Condition("age", ">=", np.int64(21))
    assert c == Condition("age", "gte", 21)
    assert hash(c) == hash(Condition("age", "gte", 21))
    assert c != Condition("age", "gt", 21)
    assert repr(c) == "Condition('age', 'gte', 21)"
    assert {Condition("x", "in", [1, 2]), Condition("x", "in", (1, 2))} == {
        Condition("x", "in", [1, 2])
    }
    for cond in [
        c,
        Condition("x", "in", ["a", "b"]),
        Condition("x", "between", [1.5, 2]),
        Condition("x", "like", "a%"),
    ]:
        data = json.loads(json.dumps(cond.to_dict()))
        assert Condition.from_dict(data) == cond
    assert Condition("t", "eq", np.datetime64("2013-06-01T00:00:00.000000000")).value == (
        pd.Timestamp("2013-06-01")
    )
    stamp = Condition("t", "gte", pd.Timestamp("2013-06-01"))
    assert stamp.to_dict()["value"] == "2013-06-01T00:00:00"
    with pytest.raises(InvalidConditionError, match="'column', 'operator' and 'value'"):
        Condition.from_dict({"column": "a"})


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"age": 30}, [Condition("age", "eq", 30)]),
        (
            {"age": (">=", 21), "income": (">", 50000)},
            [Condition("age", "gte", 21), Condition("income", "gt", 50000)],
        ),
        ({"age": ("between", (18, 65))}, [Condition("age", "between", (18, 65))]),
        (
            {"country": ("in", ["US", "UK", "CA"])},
            [Condition("country", "in", ["US", "UK", "CA"])],
        ),
        ({"country": ["US", "UK"]}, [Condition("country", "in", ["US", "UK"])]),
        (
            {"age": [(">=", 21), ("<=", 65)]},
            [Condition("age", "gte", 21), Condition("age", "lte", 65)],
        ),
        ({"age": {"operator": "<", "value": 3}}, [Condition("age", "lt", 3)]),
        (
            [{"column": "a", "operator": "eq", "value": 1}],
            [Condition("a", "eq", 1)],
        ),
        (
            {"conditions": [{"column": "a", "operator": "like", "value": "x%"}]},
            [Condition("a", "like", "x%")],
        ),
    ],
)
def test_condition_set_from_dict_formats(spec, expected):
    got = ConditionSet.from_dict(spec)
    assert list(got) == expected
    again = ConditionSet.from_dict(json.loads(json.dumps(got.to_dict())))
    assert again == got


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ({"age": (18, 65)}, "is not \\(operator, value\\)"),
        ({"age": {"op": ">"}}, "needs 'operator' and 'value'"),
        ("age > 3", "must be a dict"),
        ([1, 2], "Condition objects or condition dicts"),
        ({"age": ("between", 5)}, "pair"),
    ],
)
def test_condition_set_from_dict_errors(spec, fragment):
    with pytest.raises(InvalidConditionError, match=fragment):
        ConditionSet.from_dict(spec)


def test_condition_set_and_logic_and_container_protocol(people):
    cs = ConditionSet().add(Condition("age", "gte", 21)).add(Condition("age", "lte", 45))
    cs.add(Condition("status", "eq", "active"))
    assert len(cs) == 3 and bool(cs) and not ConditionSet()
    assert cs.columns == ["age", "status"]
    assert list(cs.apply(people).index) == [2]
    assert ConditionSet().mask(people).all()
    with pytest.raises(InvalidConditionError, match="takes a Condition"):
        cs.add({"age": 3})
    assert str(cs) == "age >= 21 and age <= 45 and status == 'active'"


def test_as_condition_set_accepts_every_form():
    one = Condition("a", "eq", 1)
    assert as_condition_set(None) is None
    assert as_condition_set({}) is None
    assert as_condition_set([]) is None
    assert as_condition_set(ConditionSet()) is None
    assert list(as_condition_set(one)) == [one]
    cs = ConditionSet([one])
    assert as_condition_set(cs) is cs
    assert list(as_condition_set({"a": 1})) == [one]
    assert list(as_condition_set([one, Condition("b", "gt", 2)]))[1].operator == "gt"
    assert list(as_condition_set(cs.to_dict()["conditions"])) == [one]
    with pytest.raises(InvalidConditionError, match="got int"):
        as_condition_set(5)


# --- builder -----------------------------------------------------------------------------


def test_builder_every_method():
    cs = (
        ConditionBuilder()
        .where("age")
        .gte(21)
        .lte(65)
        .gt(0)
        .lt(99)
        .ne(40)
        .between(18, 70)
        .where("status")
        .eq("active")
        .where("country")
        .in_(["US"])
        .is_in(["US", "UK"])
        .not_in(["FR"])
        .where("name")
        .like("A%")
        .build()
    )
    assert [(c.column, c.operator) for c in cs] == [
        ("age", "gte"),
        ("age", "lte"),
        ("age", "gt"),
        ("age", "lt"),
        ("age", "ne"),
        ("age", "between"),
        ("status", "eq"),
        ("country", "in"),
        ("country", "in"),
        ("country", "not_in"),
        ("name", "like"),
    ]
    with pytest.raises(InvalidConditionError, match=r"call where\(column\) before eq"):
        ConditionBuilder().eq(1)


def test_spec_example_runs(people):
    # the reference's example, verbatim
    conditions = (
        ConditionBuilder()
        .where("age").gte(21).lte(65)
        .where("status").eq("active")
        .build()
    )  # fmt: skip
    assert isinstance(conditions, ConditionSet)
    assert list(conditions.apply(people).index) == [2]
    # and its from_dict formats
    for spec in (
        {"age": 30},
        {"age": (">=", 21), "income": (">", 50000)},
        {"age": ("between", (18, 65))},
        {"country": ("in", ["US", "UK", "CA"])},
    ):
        assert isinstance(ConditionSet.from_dict(spec), ConditionSet)
