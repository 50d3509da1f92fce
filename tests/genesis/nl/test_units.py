"""Durations with units and times of day on real flight columns (genesis.nl.units)."""

from __future__ import annotations

import pytest

from genesis.nl import clarify, interpret
from genesis.nl.columns import SchemaIndex
from genesis.nl.evaluation import condition_keys
from genesis.nl.units import clock_kind, clock_value, convert_duration, duration_unit


def keys(got):
    return set(condition_keys(got.conditions))


def test_clock_and_duration_columns_are_read_from_the_schema(flights_schema, adult_schema):
    index = SchemaIndex(flights_schema)
    kinds = {c.name: clock_kind(c) for c in index.columns}
    assert kinds["hour"] == "hour"
    assert kinds["dep_time"] == kinds["sched_arr_time"] == "hhmm"
    assert kinds["dep_delay"] is None and kinds["distance"] is None
    assert duration_unit(index.column("dep_delay")) == "minute"
    assert duration_unit(index.column("air_time")) is None  # the name does not say
    assert duration_unit(index.column("hour")) is None  # a time of day, not a length
    assert clock_value(index.column("dep_time"), 7.5) == 730
    assert clock_value(index.column("hour"), 8.0) == 8
    hours = SchemaIndex(adult_schema).column("hours-per-week")
    assert duration_unit(hours) == "hour"
    assert convert_duration(2, "days", hours) == 48
    assert convert_duration(2, "parsecs", hours) is None


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("150 flights with a departure delay of at least 2 hours", {("dep_delay", "gte", 120.0)}),
        ("300 flights with an arrival delay over 90 minutes", {("arr_delay", "gt", 90.0)}),
        ("flights with a departure delay of more than half an hour", {("dep_delay", "gt", 30.0)}),
        ("flights with an arrival delay under 1 hour", {("arr_delay", "lt", 60.0)}),
    ],
)  # fmt: skip
def test_durations_convert_to_the_columns_unit(flights_schema, prompt, expected):
    got = interpret(prompt, flights_schema)
    assert keys(got) == expected and got.unresolved == [], got


def test_a_duration_matching_two_columns_is_a_question(flights_schema):
    """ "delayed by more than an hour": dep_delay and arr_delay match equally; interpret
    applies neither, lists "delayed" as unresolved, and clarify asks with both options and
    the value already in minutes."""
    prompt = "500 United flights from JFK delayed by more than an hour"
    got = interpret(prompt, flights_schema)
    assert keys(got) == {("carrier", "eq", "UA"), ("origin", "eq", "JFK")}
    assert got.unresolved == ["delayed"] and got.confidence < 1.0
    (amb,) = got.ambiguities
    assert set(amb["candidates"]) == {"dep_delay", "arr_delay"} and amb["values"] == [60]
    c = clarify(prompt, flights_schema)
    assert c.interpretation.confidence == got.confidence  # the term counted once
    question = next(q for q in c.questions if q["field"] == "conditions")
    assert set(question["options"]) == {"dep_delay", "arr_delay"}
    answer = clarify("arr_delay", flights_schema, session_id=c.session_id)
    assert ("arr_delay", "gt", 60.0) in condition_keys(answer.interpretation.conditions)
    assert not answer.needs_clarification


def test_a_duration_on_a_column_of_unknown_unit_is_unresolved(flights_schema):
    got = interpret("flights with air time under 60 minutes", flights_schema)
    assert keys(got) == set()
    assert got.unresolved == ["air time under 60 minutes"]
    # and a duration is never read as a time of day on the hour column
    got = interpret("flights over 2 hours", flights_schema)
    assert all(c.column != "hour" for c in got.conditions) and got.unresolved


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("1000 flights to LAX or SFO in December departing before 8am",
         {("dest", "in", frozenset({"LAX", "SFO"})), ("month", "eq", 12.0),
          ("dep_time", "lt", 800.0)}),
        ("250 JetBlue flights departing after 6 pm",
         {("carrier", "eq", "B6"), ("dep_time", "gt", 1800.0)}),
        ("flights departing between 9 and 5", {("dep_time", "between", (900.0, 1700.0))}),
        ("flights arriving after 7:30 pm", {("arr_time", "gt", 1930.0)}),
        ("flights before 8am", {("hour", "lt", 8.0)}),  # no column named: the hour column
    ],
)  # fmt: skip
def test_times_of_day_on_hour_and_hhmm_columns(flights_schema, prompt, expected):
    got = interpret(prompt, flights_schema)
    assert keys(got) == expected and got.unresolved == [], got


def test_time_of_day_without_a_clock_column_is_unresolved(adult_schema):
    got = interpret("500 people working before 8am", adult_schema)
    assert keys(got) == set() and got.unresolved and got.confidence < 1.0


def test_rates_and_the_data_context(adult_schema):
    got = interpret(
        "2k married men earning more than 50k working over 45 hours a week", adult_schema
    )
    assert got.data_context is None and got.n_samples == 2000
    assert ("hours-per-week", "gt", 45.0) in keys(got) and got.unresolved == []
    got = interpret("men working more than 2 hours a day", adult_schema)
    assert ("hours-per-week", "gt", 14.0) in keys(got)
    # "$20 an hour" is a rate, not "20 1 hour"
    assert interpret("people earning 20 an hour", adult_schema).n_samples is None


@pytest.mark.parametrize(
    ("prompt", "expected", "unresolved"),
    [
        # a duration is never read on the minute-of-the-hour column
        ("500 flights arriving more than 30 minutes late", {("arr_delay", "gt", 30.0)}, []),
        # "am" written once applies to both ends (was 6,000,000: "6" + the "m" of "am")
        ("flights leaving between 6 and 9 am", {("dep_time", "between", (600.0, 900.0))}, []),
        # no day-of-week column in flights: "weekends" is listed, not taken as the rows' name
        ("flights departing before noon on weekends", {("dep_time", "lt", 1200.0)},
         ["weekends"]),
    ],
)  # fmt: skip
def test_flight_phrasings(flights_schema, prompt, expected, unresolved):
    got = interpret(prompt, flights_schema)
    assert keys(got) == expected, got
    assert got.unresolved == unresolved and got.data_context in (None, "flights")
