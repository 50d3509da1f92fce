"""The coverage invariant: no content word of a prompt is dropped silently."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from genesis.nl import interpret
from genesis.nl.evaluation import condition_keys, load_prompts

PROMPTS = Path(__file__).resolve().parents[3] / "benchmarks" / "nl_prompts.jsonl"
#: words that carry no condition in any prompt of the set (checked independently of the
#: parser's own lists: a test of the invariant must not reuse the code it checks)
_NONSENSE = ["glorbing zanfits", "with plonky wibbles", "who frabjously quux"]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


@pytest.mark.parametrize("junk", _NONSENSE)
def test_every_prompt_of_the_set_reports_an_unknown_phrase(adult_schema, weather_schema, junk):
    """Recall: a phrase no schema can read, added to any prompt of the shipped set, is
    listed in ``unresolved`` (or, a plural noun, taken as the rows' name) and lowers the
    confidence; never silently dropped."""
    schemas = {"adult": adult_schema, "nycflights13_weather": weather_schema}
    rows = [r for r in load_prompts(PROMPTS) if r["dataset"] in schemas]
    assert len(rows) >= 150
    content = [w for w in _words(junk) if w not in ("with", "who")]
    for row in rows:
        got = interpret(f"{row['prompt']} {junk}", schemas[row["dataset"]])
        listed = {w for u in got.unresolved for w in _words(u)}
        listed |= set(_words(got.data_context or ""))
        assert set(content) <= listed, (row["prompt"], got.unresolved)
        assert got.confidence < 1.0


def test_no_prompt_of_the_set_loses_a_word(adult_schema, weather_schema):
    """Precision on the shipped set: every prompt read exactly right leaves nothing
    unresolved except words that truly name nothing in the table (listed here by hand)."""
    known_unread = {"filipino", "voters", "collar"}
    schemas = {"adult": adult_schema, "nycflights13_weather": weather_schema}
    for row in load_prompts(PROMPTS):
        if row["dataset"] not in schemas:
            continue
        got = interpret(row["prompt"], schemas[row["dataset"]])
        if condition_keys(got.conditions) != condition_keys(row["conditions"]):
            continue
        left = {w for u in got.unresolved for w in _words(u)} - known_unread
        assert not left, (row["prompt"], got.unresolved)


@pytest.mark.parametrize(
    ("prompt", "dropped"),
    [
        ("500 United flights from JFK delayed by more than an hour", "delayed"),
        ("flights with air time under 60 minutes", "air"),  # air_time's unit is unknown
        ("300 flights from Newark that were diverted", "diverted"),
        ("200 flights from JFK with turbulence", "turbulence"),
    ],
)
def test_flights_phrases_are_never_dropped_silently(flights_schema, prompt, dropped):
    """The lead's cases: a phrase the parser cannot apply is listed as unresolved."""
    got = interpret(prompt, flights_schema)
    assert dropped in " ".join(got.unresolved), got
    assert got.confidence < 1.0


def test_column_word_without_a_condition_is_listed(adult_schema):
    """A word naming a column that took no condition ("occupation" with no value) is a
    part of the request not applied: listed, not dropped."""
    got = interpret("500 women with an interesting occupation", adult_schema)
    assert {("sex", "eq", "Female")} == set(condition_keys(got.conditions))
    assert any("occupation" in u for u in got.unresolved)
    assert any("interesting" in u for u in got.unresolved)


def test_fillers_are_not_listed(adult_schema):
    got = interpret("Please generate 1000 people over 50 for me", adult_schema)
    assert got.unresolved == [] and got.confidence == 1.0
