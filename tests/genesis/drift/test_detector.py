"""genesis.drift.detector: test choice, planted shifts, missing rates, new categories, time,
tests on request, thresholds, bad inputs and speed."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from genesis.drift import DriftDetector
from genesis.errors import InvalidDataError, InvalidParameterError

# --- planted shifts ------------------------------------------------------------------------


def test_same_distribution_has_no_drift(adult_halves):
    report = DriftDetector().detect(*adult_halves)
    assert report.drifted_columns == []
    assert report.share == 0.0 and not report.dataset_drift
    assert report.number_of_columns == 15


def test_shift_planted_in_one_column_flags_exactly_that_column(adult_halves):
    baseline, current = adult_halves
    current = current.assign(age=current["age"] + 8)
    report = DriftDetector().detect(baseline, current)
    assert report.drifted_columns == ["age"]
    assert report["age"].test == "wasserstein" and report["age"].value > 0.5
    assert report.share == pytest.approx(1 / 15)
    assert not report.dataset_drift


def test_categorical_shift_flags_that_column(adult_halves):
    baseline, current = adult_halves
    flipped = current["sex"].map({"Male": "Female", "Female": "Male"})
    report = DriftDetector().detect(baseline, current.assign(sex=flipped))
    assert report.drifted_columns == ["sex"]
    assert report["sex"].test == "jensenshannon"


def test_small_baseline_uses_p_value_tests_and_flags_the_shift(weather_small):
    baseline, current = weather_small
    report = DriftDetector().detect(baseline, current)
    assert report.drifted_columns == []
    tests = {c.column: c.test for c in report.columns}
    assert tests["temp"] == "ks"  # numeric, > 5 values
    assert tests["origin"] == "chisquare"  # 3 airports
    assert tests["year"] == "z"  # one value in both tables
    shifted = DriftDetector().detect(baseline, current.assign(humid=current["humid"] * 0.8))
    assert shifted.drifted_columns == ["humid"]
    assert shifted["humid"].value_type == "p_value" and shifted["humid"].value < 0.05
    assert 0 < shifted["humid"].statistic <= 1  # the KS D statistic


def test_dataset_drift_when_share_reaches_drift_share(adult_halves):
    baseline, current = adult_halves
    shifted = current.assign(
        age=current["age"] + 8,
        fnlwgt=current["fnlwgt"] * 2,
        **{"hours-per-week": current["hours-per-week"] + 10},
    )
    report = DriftDetector(drift_share=0.2).detect(baseline, shifted)
    assert report.drifted_columns == ["age", "fnlwgt", "hours-per-week"]
    assert report.share == pytest.approx(0.2) and report.dataset_drift
    assert not DriftDetector(drift_share=0.5).detect(baseline, shifted).dataset_drift
    cols = ["age", "fnlwgt", "hours-per-week", "sex"]
    assert DriftDetector().detect(baseline[cols], shifted[cols]).dataset_drift  # 3/4


def test_missing_rate_change_is_drift(adult_halves):
    baseline, current = adult_halves
    current = current.copy()
    current.loc[current.index[::3], "hours-per-week"] = np.nan  # a third goes missing
    report = DriftDetector().detect(baseline, current)
    col = report["hours-per-week"]
    assert col.missing_share_baseline == 0.0
    assert col.missing_share_current == pytest.approx(1 / 3, abs=1e-3)
    assert col.missing_drift and col.drifted and not col.distribution_drift
    assert report.drifted_columns == ["hours-per-week"]
    # a change below missing_threshold is not drift, however significant
    few = baseline.copy()
    few.loc[few.index[:100], "age"] = np.nan  # 2 %
    assert not DriftDetector().detect(baseline, few)["age"].missing_drift
    assert DriftDetector(missing_threshold=0.01).detect(baseline, few)["age"].missing_drift


def test_all_missing_column_is_judged_on_its_missing_rate(adult_halves):
    baseline, current = adult_halves
    col = DriftDetector().detect(baseline, current.assign(age=np.nan))["age"]
    assert col.test == "none" and col.drifted and col.missing_drift


def test_unseen_categories_are_listed_and_count_as_drift(weather_small):
    baseline, current = weather_small
    current = current.copy()
    current.loc[current.index[:40], "origin"] = "SWF"  # an airport the baseline never had
    col = DriftDetector().detect(baseline, current)["origin"]
    assert col.unseen_categories == ["SWF"]
    assert col.test == "chisquare" and col.value == 0.0 and col.drifted


def test_datetime_columns_are_compared_as_time(weather_df):
    w = weather_df[["time_hour", "temp"]].iloc[:4000]
    baseline = w.assign(time_hour=pd.to_datetime(w["time_hour"], utc=True))
    same = DriftDetector().detect(baseline, baseline)
    assert same["time_hour"].kind == "datetime" and same["time_hour"].test == "wasserstein"
    assert same["time_hour"].value == 0.0
    later = baseline.assign(time_hour=baseline["time_hour"] + pd.Timedelta(days=365))
    report = DriftDetector().detect(baseline, later)
    assert report.drifted_columns == ["time_hour"]
    # text timestamps, declared as datetime, give the same value as native ones
    as_text = DriftDetector(column_kinds={"time_hour": "datetime"}).detect(
        w, later.assign(time_hour=later["time_hour"].astype(str))
    )
    assert as_text["time_hour"].value == pytest.approx(report["time_hour"].value)
    # time zones: the same instants in another zone, or as naive UTC, are no drift
    tokyo = baseline.assign(time_hour=baseline["time_hour"].dt.tz_convert("Asia/Tokyo"))
    assert DriftDetector().detect(baseline, tokyo)["time_hour"].value == 0.0
    naive = baseline.assign(time_hour=baseline["time_hour"].dt.tz_localize(None))
    assert DriftDetector().detect(naive, tokyo)["time_hour"].value == 0.0


# --- tests on request, thresholds ---------------------------------------------------------------


def test_psi_and_ks_on_request(adult_halves):
    baseline, current = adult_halves
    tests = {"age": "psi", "fnlwgt": "ks", "sex": "psi"}
    small = DriftDetector(tests=tests).detect(baseline, current.assign(age=current["age"] + 3))
    assert small["age"].psi_level == "none" and not small["age"].drifted  # PSI 0.08
    report = DriftDetector(tests=tests).detect(baseline, current.assign(age=current["age"] + 5))
    age = report["age"]
    assert age.test == "psi" and age.psi_level == "significant" and age.drifted  # PSI 0.32
    assert report["fnlwgt"].test == "ks" and report["fnlwgt"].value > 0.05
    assert report["sex"].test == "psi" and report["sex"].psi_level == "none"
    assert report["education"].test == "jensenshannon"  # the others stay automatic


def test_thresholds_by_test_and_by_column(adult_halves):
    baseline, current = adult_halves
    current = current.assign(age=current["age"] + 8)
    assert (
        DriftDetector(thresholds={"wasserstein": 5.0}).detect(baseline, current).drifted_columns
        == []
    )
    report = DriftDetector(thresholds={"wasserstein": 5.0, "age": 0.1}).detect(baseline, current)
    assert report.drifted_columns == ["age"] and report["age"].threshold == 0.1


def test_only_the_chosen_columns_are_judged(adult_halves):
    baseline, current = adult_halves
    current = current.assign(age=current["age"] + 8).drop(columns=["sex"])
    report = DriftDetector(columns=["age", "sex", "race"]).detect(baseline, current)
    assert [c.column for c in report.columns] == ["age", "race"]
    assert report.missing_columns == ["sex"] and report.drifted_columns == ["age", "sex"]
    assert report.share == pytest.approx(2 / 3) and report.dataset_drift


def test_missing_and_new_columns(adult_halves):
    baseline, current = adult_halves
    current = current.drop(columns=["fnlwgt"]).assign(extra=1)
    report = DriftDetector().detect(baseline, current)
    assert report.missing_columns == ["fnlwgt"] and report.new_columns == ["extra"]
    assert report.drifted_columns == ["fnlwgt"]
    assert report.number_of_columns == 15


# --- bad inputs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tests": "ks"}, "tests must be 'auto'"),
        ({"tests": {"age": "anova"}}, "unknown test 'anova'"),
        ({"tests": {"nope": "ks"}}, "column 'nope'"),
        ({"tests": {"sex": "ks"}}, "needs numbers"),
        ({"tests": {"education": "z"}}, "compares two values"),
        ({"drift_share": 0}, "drift_share"),
        ({"drift_share": 1.5}, "drift_share"),
        ({"thresholds": {"bogus": 0.1}}, "neither a column nor a test"),
        ({"thresholds": {"ks": -1}}, ">= 0"),
        ({"missing_threshold": 2}, "missing_threshold"),
        ({"column_kinds": {"age": "float"}}, "column_kinds"),
        ({"n_jobs": 0}, "n_jobs"),
        ({"columns": ["age", "nope"]}, "not baseline columns"),
        ({"columns": "age"}, "list of column names"),
    ],
)
def test_bad_parameters_name_the_problem(adult_halves, kwargs, message):
    with pytest.raises(InvalidParameterError, match=message):
        DriftDetector(**kwargs).detect(*adult_halves)


def test_bad_tables_name_the_problem(adult_halves):
    baseline, _ = adult_halves
    detector = DriftDetector()
    with pytest.raises(InvalidDataError, match="must be a pandas DataFrame"):
        detector.detect(baseline, baseline.to_numpy())
    with pytest.raises(InvalidDataError, match="no rows"):
        detector.detect(baseline, baseline.iloc[:0])
    with pytest.raises(InvalidDataError, match="share no column"):
        detector.detect(baseline, pd.DataFrame({"other": [1, 2]}))
    with pytest.raises(InvalidDataError, match="duplicate column"):
        detector.detect(pd.concat([baseline["age"], baseline["age"]], axis=1), baseline)


# --- speed ------------------------------------------------------------------------------------


def _wide_tables(rows: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[3] / "benchmarks" / "compare_evidently.py"
    spec = importlib.util.spec_from_file_location("compare_evidently", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_tables(rows)


def test_detector_is_fast_on_wide_tables():
    baseline, current = _wide_tables(200_000)
    start = time.perf_counter()
    report = DriftDetector().detect(baseline, current)
    assert time.perf_counter() - start < 2.0
    assert report.drifted_columns == ["num_0", "num_1", "num_2", "cat_0", "cat_1", "cat_2", "cat_3"]


@pytest.mark.slow
def test_million_rows_by_20_columns_within_two_seconds():
    baseline, current = _wide_tables(1_000_000)
    best = min(_timed(baseline, current) for _ in range(2))
    assert best <= 2.0, f"{best:.2f} s"


def _timed(baseline, current) -> float:
    start = time.perf_counter()
    DriftDetector().detect(baseline, current)
    return time.perf_counter() - start


# --- with the table's schema ---------------------------------------------------------------


def test_schema_missing_tokens_count_as_missing(adult_df, adult_halves):
    from genesis.schema import infer_schema

    baseline, current = adult_halves
    schema = infer_schema(adult_df)
    plain = DriftDetector().detect(baseline, current)["workclass"]
    assert plain.missing_share_baseline == 0.0  # '?' read as a category of its own
    report = DriftDetector(schema=schema).detect(baseline, current)
    workclass = report["workclass"]
    expected = (baseline["workclass"] == "?").mean()
    assert workclass.missing_share_baseline == pytest.approx(expected) and expected > 0.04
    assert "?" not in workclass.unseen_categories and not workclass.drifted
    assert f"| {expected:.1%} -> " in report.to_markdown()
    # more '?' in the current table is a change of the missing rate, not of the categories
    more = current.copy()
    more.loc[more.index[::5], "workclass"] = "?"
    moved = DriftDetector(schema=schema).detect(baseline, more)["workclass"]
    assert moved.missing_drift and moved.missing_share_current > 0.2


@pytest.fixture(scope="module")
def people():
    """Names and e-mails of two disjoint sets of fake people: same formats, other values."""
    from faker import Faker

    from genesis.schema import infer_schema

    def table(seed: int) -> pd.DataFrame:
        fake = Faker("en_US")
        fake.seed_instance(seed)
        rng = np.random.default_rng(seed)
        return pd.DataFrame(
            {
                "name": [fake.name() for _ in range(2_000)],
                "customer_id": [f"C{seed}-{i:06d}" for i in range(2_000)],
                "age": rng.integers(18, 90, 2_000),
            }
        )

    real, other = table(0), table(1)
    schema = infer_schema(real)
    assert schema["name"].pii  # the premise: the schema marks the names as personal data
    return real, other, schema


def test_pii_columns_are_compared_by_format_and_null_rate(people):
    real, other, schema = people
    assert other["name"].isin(real["name"]).mean() < 0.1  # the values differ by design
    by_value = DriftDetector().detect(real, other)
    assert by_value["name"].drifted  # compared by value, fakes always look drifted
    report = DriftDetector(schema=schema).detect(real, other)
    name = report["name"]
    assert name.kind == "pii" and name.compared_by == "format" and not name.drifted
    assert report.format_columns == ["name"]
    assert "customer_id" not in [c.column for c in report.columns]  # an identifier: left out
    assert "customer_id" in report.excluded_columns
    for text in (report.to_markdown(), report.to_html()):
        assert "compared by the format of their values" in text
        assert "not by" in text and "customer_id" in text
    assert not set(real["name"]) & set(map(str, name.unseen_categories))  # formats, not names
    assert not any(n in report.to_html() for n in real["name"])
    # a change of format, or of the null rate, is drift
    shouted = DriftDetector(schema=schema).detect(
        real, other.assign(name=other["name"].str.upper())
    )
    assert shouted["name"].distribution_drift
    emptier = other.assign(name=other["name"].mask(other.index % 4 == 0))
    assert DriftDetector(schema=schema).detect(real, emptier)["name"].missing_drift


def test_column_kinds_win_over_the_schema(people):
    real, other, schema = people
    report = DriftDetector(schema=schema, column_kinds={"name": "categorical"}).detect(real, other)
    assert report["name"].compared_by == "values" and report["name"].drifted


def test_a_schema_of_the_wrong_type_is_refused(adult_halves):
    with pytest.raises(InvalidParameterError, match="schema must be a genesis Schema"):
        DriftDetector(schema={"age": "numeric"}).detect(*adult_halves)
