"""genesis.drift agrees with Evidently 0.7 on real data: same test per column, same value,
same drift flag, same drifted share.

Tolerance: every value (KS / chi-squared / z-test p-values, normed Wasserstein, Jensen-
Shannon, PSI) within 1e-9 absolute or relative, which in practice is floating-point noise
(the largest difference seen is ~1e-14). Evidently is imported only here (about 4 s).
"""

from __future__ import annotations

import importlib.util
import warnings

import numpy as np
import pandas as pd
import pytest

from genesis.drift import DriftDetector


@pytest.fixture(autouse=True)
def _evidently_installed():
    """Evidently is the reference these tests compare with: without it they fail, saying how
    to install it (a skip would hide that the agreement was never checked)."""
    if importlib.util.find_spec("evidently") is None:
        pytest.fail("Evidently is not installed; run: pip install 'evidently==0.7.23'")


TOLERANCE = 1e-9
EVIDENTLY_NAMES = {
    "K-S p_value": "ks",
    "chi-square p_value": "chisquare",
    "Z-test p_value": "z",
    "Wasserstein distance (normed)": "wasserstein",
    "Jensen-Shannon distance": "jensenshannon",
    "PSI": "psi",
}


def _evidently(baseline: pd.DataFrame, current: pd.DataFrame, tests=None) -> dict:
    from evidently.legacy.metrics import DataDriftTable
    from evidently.legacy.pipeline.column_mapping import ColumnMapping
    from evidently.legacy.report import Report

    numeric = [c for c in baseline.columns if pd.api.types.is_numeric_dtype(baseline[c])]
    categorical = [c for c in baseline.columns if c not in numeric]
    mapping = ColumnMapping(
        numerical_features=numeric, categorical_features=categorical, target=None, prediction=None
    )
    report = Report(metrics=[DataDriftTable(per_column_stattest=tests or None)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # Evidently's chi2 divides by zero
        report.run(reference_data=baseline, current_data=current, column_mapping=mapping)
    return report.as_dict()["metrics"][0]["result"]


def _assert_agree(baseline: pd.DataFrame, current: pd.DataFrame, tests=None, **kwargs):
    theirs = _evidently(baseline, current, tests)
    ours = DriftDetector(tests=tests or "auto", **kwargs).detect(baseline, current)
    assert set(theirs["drift_by_columns"]) == {c.column for c in ours.columns}
    for name, column in theirs["drift_by_columns"].items():
        mine = ours[name]
        assert mine.test == EVIDENTLY_NAMES[column["stattest_name"]], name
        assert mine.value == pytest.approx(column["drift_score"], rel=TOLERANCE, abs=TOLERANCE), (
            name
        )
        assert mine.distribution_drift == column["drift_detected"], name
    assert ours.share == pytest.approx(theirs["share_of_drifted_columns"])
    assert ours.dataset_drift == theirs["dataset_drift"]
    return ours


@pytest.fixture(scope="module")
def adult_parts(adult_df):
    perm = np.random.default_rng(5).permutation(len(adult_df))
    return [adult_df.iloc[perm[i * 5000 : (i + 1) * 5000]].reset_index(drop=True) for i in range(3)]


@pytest.fixture(scope="module")
def weather_parts(weather_df):
    perm = np.random.default_rng(6).permutation(len(weather_df))
    w = weather_df.drop(columns="time_hour")
    return [w.iloc[perm[i * 5000 : (i + 1) * 5000]].reset_index(drop=True) for i in range(3)]


def test_adult_large_reference_without_and_with_shift(adult_parts):
    baseline, current, _ = adult_parts
    assert _assert_agree(baseline, current).drifted_columns == []
    shifted = current.assign(
        age=current["age"] + 8,
        workclass=current["workclass"].replace({"Private": "Self-emp-inc"}),
    )
    assert _assert_agree(baseline, shifted).drifted_columns == ["age", "workclass"]


def test_adult_small_reference_p_value_tests(adult_parts):
    baseline, current, _ = adult_parts
    report = _assert_agree(baseline.iloc[:800], current.iloc[:900])
    assert {c.test for c in report.columns} == {"ks", "chisquare", "z"}
    shifted = current.iloc[:900].assign(age=current["age"].iloc[:900] * 1.2)
    assert "age" in _assert_agree(baseline.iloc[:800], shifted).drifted_columns


def test_weather_with_missing_values_both_regimes(weather_parts):
    baseline, current, _ = weather_parts
    assert baseline["wind_gust"].isna().mean() > 0.5  # NaN left out of the tests, as Evidently
    _assert_agree(baseline, current)
    _assert_agree(baseline.iloc[:700], current.iloc[:700])
    humid = current.assign(humid=current["humid"] * 0.8)
    assert _assert_agree(baseline, humid).drifted_columns == ["humid"]


def test_tests_on_request(adult_parts, weather_parts):
    baseline, current, _ = adult_parts
    tests = {
        "age": "psi",  # numeric, > 20 values: Sturges bins
        "education-num": "psi",  # numeric, <= 20 values: value shares
        "fnlwgt": "ks",
        "hours-per-week": "jensenshannon",
        "race": "psi",
        "sex": "chisquare",
        "income": "jensenshannon",
    }
    _assert_agree(baseline, current.assign(age=current["age"] + 4), tests)
    w_base, w_cur, _ = weather_parts
    _assert_agree(w_base, w_cur, {"temp": "psi", "pressure": "ks", "origin": "psi"})


def test_datetime_compared_as_epoch_seconds(weather_df):
    times = pd.to_datetime(weather_df["time_hour"], utc=True)
    baseline = pd.DataFrame({"time_hour": times.iloc[:6000]})
    current = pd.DataFrame({"time_hour": times.iloc[4000:10000]})
    ours = DriftDetector().detect(baseline, current)["time_hour"]
    seconds = {
        n: df["time_hour"].astype("int64") / 1e9 for n, df in (("b", baseline), ("c", current))
    }
    theirs = _evidently(
        pd.DataFrame({"time_hour": seconds["b"]}), pd.DataFrame({"time_hour": seconds["c"]})
    )
    column = theirs["drift_by_columns"]["time_hour"]
    assert ours.kind == "datetime" and ours.test == "wasserstein"
    assert ours.value == pytest.approx(column["drift_score"], rel=TOLERANCE)
    assert ours.distribution_drift == column["drift_detected"] is True


def test_new_api_preset_share_matches(adult_parts):
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    baseline, current, _ = adult_parts
    current = current.assign(age=current["age"] + 8, sex="Male", race="White")
    cols = ["age", "sex", "race", "hours-per-week", "education"]
    definition = DataDefinition(
        numerical_columns=["age", "hours-per-week"],
        categorical_columns=["sex", "race", "education"],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        snapshot = Report([DataDriftPreset()]).run(
            Dataset.from_pandas(current[cols], data_definition=definition),
            Dataset.from_pandas(baseline[cols], data_definition=definition),
        )
    metrics = snapshot.dict()["metrics"]
    count = next(m for m in metrics if m["metric_name"].startswith("DriftedColumnsCount"))
    ours = DriftDetector().detect(baseline[cols], current[cols])
    assert ours.share == pytest.approx(count["value"]["share"]) == 0.6
    assert ours.dataset_drift
    values = {m["config"]["column"]: m["value"] for m in metrics if "column" in m.get("config", {})}
    for name, value in values.items():
        assert ours[name].value == pytest.approx(value, rel=TOLERANCE, abs=TOLERANCE)


def test_evidently_html_repeats_our_columns_and_tests(adult_parts, weather_df):
    from genesis.drift import evidently_html
    from genesis.errors import InvalidParameterError

    baseline, current, _ = adult_parts
    cols = ["age", "sex", "education"]
    current = current.assign(age=current["age"] + 8)
    report = DriftDetector(tests={"age": "psi"}).detect(baseline[cols], current[cols])
    page = evidently_html(baseline[cols], current[cols], report)
    assert page.lstrip().lower().startswith("<html") or "<!doctype html>" in page.lower()[:200]
    assert "PSI" in page and "Jensen-Shannon distance" in page
    times = pd.to_datetime(weather_df["time_hour"], utc=True).to_frame()
    timed = DriftDetector().detect(times.iloc[:3000], times.iloc[2000:5000])
    assert "Wasserstein" in evidently_html(times.iloc[:3000], times.iloc[2000:5000], timed)
    with pytest.raises(InvalidParameterError, match="DriftReport"):
        evidently_html(baseline, current, {"share": 0})
