"""genesis.generators.conditional: conditions, their validation, and the two samplers."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from genesis.errors import (
    ConditionOutOfRangeError,
    GenesisError,
    InfeasibleConditionError,
    InvalidConditionError,
    InvalidParameterError,
    NotFittedError,
)
from genesis.generators.conditional import (
    Condition,
    ConditionalSampler,
    ConditionBuilder,
    ConditionSet,
    GuidedConditionalSampler,
    as_condition_set,
)
from genesis.schema import infer_schema


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


@pytest.fixture(scope="module")
def adult_schema(adult_df):
    return infer_schema(adult_df)


@pytest.fixture(scope="module")
def weather_schema(weather_df):
    return infer_schema(weather_df)


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


# --- ConditionalSampler -----------------------------------------------------------------


def test_conditional_sampler_exact_rows_all_satisfy(adult_df):
    cs = {"age": ("between", (30, 40)), "native-country": "Cuba"}
    sampler = ConditionalSampler(adult_df)
    out = sampler.sample(cs, 500, seed=4)
    assert len(out) == 500
    assert ConditionSet.from_dict(cs).mask(out).all()
    assert list(out.index) == list(range(500))
    pd.testing.assert_frame_equal(out, sampler.sample(cs, 500, seed=4))
    assert not out.equals(sampler.sample(cs, 500, seed=5))
    expected = ConditionSet.from_dict(cs).mask(adult_df).mean()
    assert sampler.estimate_feasibility(cs) == pytest.approx(expected)
    assert 0 < expected < 0.01


def test_conditional_sampler_feasibility_report(adult_df):
    report = ConditionalSampler(adult_df).feasibility_report({"sex": "Female", "age": (">", 80)})
    assert report["rows"] == len(adult_df)
    assert report["feasible"] is True
    assert report["matching_rows"] == int(((adult_df.sex == "Female") & (adult_df.age > 80)).sum())
    assert [p["matching_rows"] for p in report["per_condition"]] == [
        int((adult_df.sex == "Female").sum()),
        int((adult_df.age > 80).sum()),
    ]


def test_conditional_sampler_infeasible_names_tightest(adult_df):
    sampler = ConditionalSampler(adult_df)
    cs = {"sex": "Female", "relationship": "Husband", "marital-status": "Never-married"}
    assert not ConditionSet.from_dict(cs).mask(adult_df).any()  # precondition
    with pytest.raises(InfeasibleConditionError) as info:
        sampler.sample(cs, 10)
    message = str(info.value)
    # Female: 10,771 rows, Never-married 10,683, Husband 13,193: the tightest is named
    assert "most restrictive condition is marital-status == 'Never-married' (10683 rows" in message
    assert info.value.probability == 0.0
    assert (
        info.value.alternative
        == f"without marital-status == 'Never-married', 1 of {len(adult_df)} rows match"
    )
    assert sampler.estimate_feasibility(cs) == 0.0


def test_conditional_sampler_bad_inputs(adult_df):
    with pytest.raises(GenesisError, match="pandas DataFrame"):
        ConditionalSampler([1, 2])
    with pytest.raises(InvalidParameterError, match="n_samples"):
        ConditionalSampler(adult_df).sample({"age": 30}, -1)
    with pytest.raises(InvalidParameterError, match="seed"):
        ConditionalSampler(adult_df).sample({"age": 30}, 1, seed=1.5)
    assert len(ConditionalSampler(adult_df).sample(None, 3, seed=0)) == 3


# --- GuidedConditionalSampler -----------------------------------------------------------


class Uniform:
    """A black-box generator: independent uniform columns, counting its calls."""

    def __init__(self):
        self.calls = 0
        self.rows = 0

    def __call__(self, n, seed=None):
        self.calls += 1
        self.rows += n
        rng = np.random.default_rng(seed)
        return pd.DataFrame(
            {
                "x": rng.uniform(0, 100, n),
                "y": rng.uniform(0, 1, n),
                "cat": rng.choice(["a", "b", "c", "d"], n),
            }
        )


@pytest.mark.parametrize("strategy", ["iterative_refinement", "importance_sampling"])
def test_guided_sampler_exact_rows_all_satisfy(strategy):
    real = Uniform()(5000, 0)
    gen = Uniform()
    sampler = GuidedConditionalSampler(strategy=strategy, batch_multiplier=2.0).fit(real)
    cs = {"x": ("between", (10, 12)), "cat": ("in", ["a", "b"])}  # ~1% of rows
    out = sampler.sample(gen, 300, cs, seed=1)
    assert len(out) == 300
    assert ConditionSet.from_dict(cs).mask(out).all()
    assert out.index.equals(pd.RangeIndex(300))
    assert sampler.diagnostics_["accepted_rows"] >= 300
    assert 0.005 < sampler.diagnostics_["acceptance_rate"] < 0.02
    pd.testing.assert_frame_equal(out, sampler.sample(Uniform(), 300, cs, seed=1))
    assert not out.equals(sampler.sample(Uniform(), 300, cs, seed=2))


def test_iterative_refinement_adapts_batch_without_fit():
    gen = Uniform()
    sampler = GuidedConditionalSampler(batch_multiplier=2.0)
    out = sampler.sample(gen, 200, {"x": ("<", 1)}, seed=0)  # 1% acceptance
    assert len(out) == 200 and (out["x"] < 1).all()
    # first batch 400 rows; then batches sized from the observed rate: a handful of calls
    assert gen.calls <= 5


def test_generator_without_seed_parameter():
    rng = np.random.default_rng(0)

    def plain(n):
        return pd.DataFrame({"x": rng.integers(0, 10, n)})

    out = GuidedConditionalSampler().sample(plain, 50, Condition("x", "eq", 3))
    assert len(out) == 50 and (out["x"] == 3).all()

    def positional(n, s):
        return pd.DataFrame({"x": np.random.default_rng(s).integers(0, 10, n)})

    a = GuidedConditionalSampler().sample(positional, 20, {"x": 3}, seed=9)
    assert a.equals(GuidedConditionalSampler().sample(positional, 20, {"x": 3}, seed=9))


@pytest.mark.parametrize("strategy", ["iterative_refinement", "importance_sampling"])
def test_guided_sampler_infeasible_after_bound(strategy):
    gen = Uniform()
    sampler = GuidedConditionalSampler(strategy, max_iterations=3, batch_multiplier=1.5)
    sampler.fit(Uniform()(1000, 0))
    with pytest.raises(InfeasibleConditionError) as info:
        sampler.sample(gen, 10, {"x": (">", 100), "cat": "a"}, seed=0)
    assert gen.calls == 3
    message = str(info.value)
    assert "max_iterations=3" in message and "acceptance rate 0" in message
    assert "x > 100" in message
    assert info.value.probability == 0.0
    assert info.value.alternative is not None and "x > 100" in info.value.alternative


def test_importance_sampling_moves_towards_real_conditional():
    # the generator over-produces high y among accepted rows; the real data does not
    def skewed(n, seed=None):
        rng = np.random.default_rng(seed)
        x = rng.uniform(0, 100, n)
        y = np.where(x < 50, rng.uniform(0, 1, n) ** 0.4, rng.uniform(0, 1, n))
        return pd.DataFrame({"x": x, "y": y})

    rng = np.random.default_rng(0)
    real = pd.DataFrame({"x": rng.uniform(0, 100, 20000), "y": rng.uniform(0, 1, 20000)})
    cs = {"x": ("<", 50)}
    plain = GuidedConditionalSampler().fit(real).sample(skewed, 1000, cs, seed=3)
    weighted = (
        GuidedConditionalSampler("importance_sampling", batch_multiplier=5.0)
        .fit(real)
        .sample(skewed, 1000, cs, seed=3)
    )
    assert (weighted["x"] < 50).all() and len(weighted) == 1000
    # real conditional mean of y is 0.5; the raw generator gives 1 / 1.4 = 0.71
    assert plain["y"].mean() > 0.68
    assert abs(weighted["y"].mean() - 0.5) < abs(plain["y"].mean() - 0.5) - 0.08


def test_guided_sampler_bad_inputs():
    with pytest.raises(InvalidParameterError, match="strategy"):
        GuidedConditionalSampler("magic").sample(Uniform(), 5, {"x": 1})
    with pytest.raises(InvalidParameterError, match="max_iterations"):
        GuidedConditionalSampler(max_iterations=0).sample(Uniform(), 5, {"x": 1})
    with pytest.raises(InvalidParameterError, match="batch_multiplier"):
        GuidedConditionalSampler(batch_multiplier=0.5).sample(Uniform(), 5, {"x": 1})
    with pytest.raises(NotFittedError, match=r"fit\(real_df\)"):
        GuidedConditionalSampler("importance_sampling").sample(Uniform(), 5, {"x": (">", 1)})
    with pytest.raises(InvalidParameterError, match="callable"):
        GuidedConditionalSampler().sample("model", 5, {"x": 1})
    with pytest.raises(InvalidParameterError, match=r"lacks the conditioned column\(s\) \['z'\]"):
        GuidedConditionalSampler().sample(Uniform(), 5, {"z": 1})
    empty = GuidedConditionalSampler().sample(Uniform(), 0, {"x": (">", 1)}, seed=0)
    assert len(empty) == 0 and list(empty.columns) == ["x", "y", "cat"]
