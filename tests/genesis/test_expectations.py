"""genesis.expectations: Great Expectations suites from a schema, validation with examples."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from genesis.errors import InvalidDataError, InvalidParameterError
from genesis.expectations import build_expectation_suite, validate_table
from genesis.schema import infer_schema


@pytest.fixture(scope="module")
def adult(adult_df: pd.DataFrame) -> pd.DataFrame:
    return adult_df.sample(n=2_000, random_state=0).reset_index(drop=True)


@pytest.fixture(scope="module")
def adult_suite(adult):
    return build_expectation_suite(infer_schema(adult))


def _types(suite) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for e in suite.expectations:
        out.setdefault(getattr(e, "column", None) or "<table>", set()).add(e.expectation_type)
    return out


def test_suite_covers_the_schema(adult, adult_suite):
    kinds = _types(adult_suite)
    assert "expect_table_columns_to_match_ordered_list" in kinds["<table>"]
    for column in adult.columns:
        assert {
            "expect_column_values_to_be_in_type_list",
            "expect_column_proportion_of_non_null_values_to_be_between",
        } <= kinds[column]
    assert "expect_column_values_to_be_in_set" in kinds["workclass"]
    assert "expect_column_values_to_be_between" in kinds["age"]


def test_real_and_synthetic_tables_pass(adult, adult_suite):
    from genesis.generators import SyntheticGenerator

    assert validate_table(adult, adult_suite).success
    synthetic = SyntheticGenerator("cart", seed=0).fit(adult).generate(1_000)
    summary = validate_table(synthetic, adult_suite)
    assert summary.success, summary.to_markdown()
    assert summary.failed == 0 and summary.evaluated == len(adult_suite.expectations)


def test_broken_table_fails_with_offending_values(adult, adult_suite):
    broken = adult.drop(columns=["race"]).copy()
    broken.loc[:9, "age"] = 250
    broken.loc[:4, "workclass"] = "Astronaut"
    summary = validate_table(broken, adult_suite)
    assert not summary.success
    by_kind = {(f.expectation, f.column): f for f in summary.failures}
    assert ("expect_table_columns_to_match_ordered_list", None) in by_kind
    age = by_kind[("expect_column_values_to_be_between", "age")]
    assert age.unexpected_count == 10 and age.examples == [250]
    assert by_kind[("expect_column_values_to_be_in_set", "workclass")].examples == ["Astronaut"]
    race = [f for f in summary.failures if f.column == "race"]
    assert race and all("missing" in f.error for f in race)
    text = summary.to_markdown()
    assert "Astronaut" in text and "250" in text
    json.dumps(summary.to_dict())  # metadata-ready


def test_null_shares_types_and_uniqueness(weather_df):
    df = weather_df.head(2_000).copy()
    df["id"] = range(len(df))
    schema = infer_schema(df)
    suite = build_expectation_suite(schema)
    assert validate_table(df, suite).success
    changed = df.copy()
    changed["wind_gust"] = 1.0  # 80% null in the source, none here
    changed["id"] = 7  # identifier no longer unique
    changed["origin"] = 3  # text column turned numeric
    failed = {(f.expectation, f.column) for f in validate_table(changed, suite).failures}
    assert ("expect_column_proportion_of_non_null_values_to_be_between", "wind_gust") in failed
    assert ("expect_column_values_to_be_unique", "id") in failed
    assert ("expect_column_values_to_be_in_type_list", "origin") in failed


def test_semantic_format_patterns():
    emails = [f"user{i}@example.com" for i in range(200)]
    df = pd.DataFrame({"email": emails, "n": range(200)})
    schema = infer_schema(df)
    assert schema["email"].semantic_type is not None
    assert validate_table(df, schema).success
    bad = df.assign(email=["not an email"] * 200)
    failures = validate_table(bad, schema).failures
    regex = [f for f in failures if f.expectation == "expect_column_values_to_match_regex"]
    assert regex and regex[0].examples == ["not an email"]


def test_bad_inputs():
    with pytest.raises(InvalidParameterError, match="Schema"):
        build_expectation_suite({"columns": []})
    schema = infer_schema(pd.DataFrame({"a": [1, 2, 3]}))
    with pytest.raises(InvalidParameterError, match="null_tolerance"):
        build_expectation_suite(schema, null_tolerance=2)
    with pytest.raises(InvalidDataError, match="DataFrame"):
        validate_table([1, 2], schema)
    with pytest.raises(InvalidParameterError, match="ExpectationSuite or a genesis Schema"):
        validate_table(pd.DataFrame({"a": [1]}), "suite")
