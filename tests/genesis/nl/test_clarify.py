"""genesis.nl.clarify: questions only when needed, answers merged within a session."""

from __future__ import annotations

import pandas as pd
import pytest

from genesis.errors import InvalidParameterError
from genesis.generators import SyntheticGenerator
from genesis.nl import ClarificationSessions, clarify
from genesis.nl.evaluation import condition_keys
from genesis.schema import infer_schema


@pytest.fixture()
def sessions() -> ClarificationSessions:
    return ClarificationSessions(max_sessions=10, ttl_seconds=60)


@pytest.fixture(scope="module")
def fitted(adult_df: pd.DataFrame):
    """A real small model: CART fitted on 2,000 Adult rows, and its schema."""
    sample = adult_df.sample(2000, random_state=0).reset_index(drop=True)
    model = SyntheticGenerator(method="cart", seed=0)
    model.fit(sample)
    return model, infer_schema(sample)


def fields(clarification) -> list[str]:
    return [q["field"] for q in clarification.questions]


def test_clear_prompt_asks_nothing(adult_schema, sessions):
    c = clarify("500 women over 40", adult_schema, sessions=sessions)
    assert not c.needs_clarification and c.questions == []
    assert c.interpretation.n_samples == 500
    out = c.to_dict()
    assert set(out) == {"needs_clarification", "questions", "interpretation", "session_id"}
    assert out["interpretation"]["conditions"] == {"sex": "Female", "age": [">", 40]}


def test_missing_count(adult_schema, sessions):
    c = clarify("Generate some customer data", adult_schema, sessions=sessions)
    assert c.needs_clarification
    assert fields(c) == ["n_samples"]
    assert c.questions[0]["options"]


def test_ambiguous_column(weather_schema, sessions):
    c = clarify("200 rows with wind over 20", weather_schema, sessions=sessions)
    assert fields(c) == ["conditions"]
    assert set(c.questions[0]["options"]) == {"wind_dir", "wind_speed", "wind_gust"}
    assert not c.interpretation.conditions
    answer = clarify("wind speed", weather_schema, session_id=c.session_id, sessions=sessions)
    assert not answer.needs_clarification
    assert set(condition_keys(answer.interpretation.conditions)) == {("wind_speed", "gt", 20.0)}
    assert answer.interpretation.n_samples == 200


def test_unseen_value_offers_closest(adult_schema, sessions):
    c = clarify("300 people from Mexco", adult_schema, sessions=sessions)
    (question,) = c.questions
    assert question["field"] == "native-country"
    assert "Mexico" in question["options"]
    answer = clarify("Mexico", adult_schema, session_id=c.session_id, sessions=sessions)
    assert not answer.needs_clarification
    assert set(condition_keys(answer.interpretation.conditions)) == {
        ("native-country", "eq", "Mexico")
    }


def test_unknown_word_without_close_label(adult_schema, sessions):
    c = clarify("300 people who like jazzercise", adult_schema, sessions=sessions)
    (question,) = c.questions
    assert question["field"] == "conditions" and question["options"] == []


def test_out_of_support_condition(adult_schema, sessions):
    c = clarify("100 people over 120", adult_schema, sessions=sessions)
    (question,) = c.questions
    assert question["field"] == "age"
    assert "training range" in question["question"]


def test_impossible_under_model(fitted, sessions):
    model, schema = fitted
    c = clarify("100 women who are husbands", schema, model=model, sessions=sessions)
    assert c.needs_clarification
    (question,) = c.questions
    assert question["field"] == "conditions"
    assert "probability is zero" in question["question"]
    assert any("relationship" in option for option in question["options"])
    # the same request is possible once the contradiction goes
    ok = clarify("100 women who are wives", schema, model=model, sessions=sessions)
    assert not ok.needs_clarification
    assert len(model.generate(20, seed=1, conditions=ok.interpretation.conditions)) == 20


def test_two_turn_session(adult_schema, sessions):
    first = clarify("some women from Cuba", adult_schema, session_id="abc123", sessions=sessions)
    assert first.session_id == "abc123"
    assert fields(first) == ["n_samples"]
    second = clarify("500", adult_schema, session_id="abc123", sessions=sessions)
    assert not second.needs_clarification
    assert second.interpretation.n_samples == 500
    assert set(condition_keys(second.interpretation.conditions)) == {
        ("sex", "eq", "Female"),
        ("native-country", "eq", "Cuba"),
    }
    # a later refinement replaces the condition on the same column, keeps the rest
    third = clarify(
        "from Peru instead, over 30", adult_schema, session_id="abc123", sessions=sessions
    )
    assert set(condition_keys(third.interpretation.conditions)) == {
        ("sex", "eq", "Female"),
        ("native-country", "eq", "Peru"),
        ("age", "gt", 30.0),
    }
    assert third.interpretation.n_samples == 500
    # another session does not see it
    other = clarify("some men", adult_schema, session_id="other", sessions=sessions)
    assert set(condition_keys(other.interpretation.conditions)) == {("sex", "eq", "Male")}


def test_session_state_holds_no_rows(fitted, sessions):
    model, schema = fitted
    c = clarify("100 women over 30", schema, model=model, sessions=sessions)
    state = sessions.get(c.session_id)
    assert set(state) == {"interpretation", "pending"}
    assert set(state["interpretation"]) == {"n_samples", "conditions", "data_context"}


def test_bad_inputs(adult_schema, sessions):
    with pytest.raises(InvalidParameterError, match="prompt"):
        clarify("", adult_schema, sessions=sessions)
    with pytest.raises(InvalidParameterError, match="Schema"):
        clarify("100 people", "adult", sessions=sessions)
    for bad in ("", "has space", "x" * 200, 12):
        with pytest.raises(InvalidParameterError, match="session_id"):
            clarify("100 people", adult_schema, session_id=bad, sessions=sessions)
    with pytest.raises(InvalidParameterError, match="sessions"):
        clarify("100 people", adult_schema, sessions={})
    with pytest.raises(InvalidParameterError, match="model"):
        clarify("100 people", adult_schema, model="cart", sessions=sessions)


def test_open_questions_carry_over_turns(weather_schema, sessions):
    first = clarify("wind over 20 at JFK", weather_schema, session_id="w", sessions=sessions)
    assert fields(first) == ["n_samples", "conditions"]
    second = clarify("150", weather_schema, session_id="w", sessions=sessions)
    assert fields(second) == ["conditions"]  # the column question is still open
    assert second.interpretation.n_samples == 150
    third = clarify("gust", weather_schema, session_id="w", sessions=sessions)
    assert not third.needs_clarification
    assert set(condition_keys(third.interpretation.conditions)) == {
        ("origin", "eq", "JFK"),
        ("wind_gust", "gt", 20.0),
    }


def test_label_answer_and_drop(adult_schema, sessions):
    c = clarify("100 female professionals", adult_schema, session_id="p", sessions=sessions)
    assert set(c.questions[0]["options"]) == {"education", "occupation"}
    c = clarify("Prof-specialty", adult_schema, session_id="p", sessions=sessions)
    assert not c.needs_clarification
    assert ("occupation", "eq", "Prof-specialty") in condition_keys(c.interpretation.conditions)
    c = clarify("drop occupation", adult_schema, session_id="p", sessions=sessions)
    assert set(condition_keys(c.interpretation.conditions)) == {("sex", "eq", "Female")}
    assert c.interpretation.unresolved == [] and c.interpretation.confidence == 1.0


def test_number_without_a_column_offers_columns_that_hold_it(weather_schema, sessions):
    c = clarify("500 rows over 1030", weather_schema, sessions=sessions)
    (question,) = c.questions
    assert question["field"] == "conditions"
    assert set(question["options"]) == {"pressure", "wind_speed"}  # the ranges holding 1030
    answer = clarify("pressure", weather_schema, session_id=c.session_id, sessions=sessions)
    assert set(condition_keys(answer.interpretation.conditions)) == {("pressure", "gt", 1030.0)}
