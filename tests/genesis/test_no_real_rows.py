"""Issue 12's property: no file a user may share holds a real row, or a combination of four or
more real values that singles one person out.

Every shareable artifact built from one real table (each method's saved model, the quality
report, the privacy audit in HTML / markdown / JSON, the drift report in HTML / markdown /
JSON, the dashboard) is searched with the one leak checker, ``tests/leakage.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.leakage import leaked_combinations, leaked_rows

COLUMNS = ["age", "workclass", "education", "marital-status", "occupation", "sex",
           "hours-per-week", "capital-gain", "income"]  # fmt: skip


@pytest.fixture(scope="module")
def tables(adult_df):
    sample = adult_df[COLUMNS].sample(3_000, random_state=7).reset_index(drop=True)
    return sample.iloc[:2_000].reset_index(drop=True), sample.iloc[2_000:].reset_index(drop=True)


@pytest.fixture(scope="module")
def synthetic(tables):
    from genesis.generators import SyntheticGenerator

    train, _ = tables
    model = SyntheticGenerator("cart", seed=0).fit(train)
    return model, model.generate(len(train), seed=0)


def _assert_no_leak(content, real, what: str) -> None:
    assert leaked_rows(content, real) == [], f"{what} holds real rows"
    assert leaked_combinations(content, real, k=4) == [], f"{what} holds unique real values"


@pytest.mark.parametrize("method", ["cart", "gaussian_copula"])
def test_saved_models_hold_no_real_rows(method, tables, tmp_path):
    from genesis.generators import SyntheticGenerator

    train, _ = tables
    model = SyntheticGenerator(method, seed=0).fit(train)
    path = model.save(tmp_path / f"{method}.model")
    _assert_no_leak(Path(path).read_bytes(), train, f"the saved {method} model")


def test_reports_hold_no_real_rows(tables, synthetic):
    from genesis.drift import DriftDetector
    from genesis.privacy_attacks import PrivacyAttackTester
    from genesis.quality import QualityEvaluator

    train, holdout = tables
    model, fake = synthetic
    quality = QualityEvaluator(train, fake, holdout=holdout, target="income", seed=0).evaluate()
    _assert_no_leak(quality.to_json(), train, "the quality report")
    audit = PrivacyAttackTester(
        sensitive_columns=["income"], quasi_identifiers=["age", "sex", "education"], seed=0
    ).run_all_attacks(train, fake, holdout, model=model)
    for text, what in ((audit.to_html(), "HTML"), (audit.to_markdown(), "markdown"),
                       (audit.to_json(), "JSON")):  # fmt: skip
        _assert_no_leak(text, train, f"the privacy audit's {what}")
    drift = DriftDetector(schema=model.schema_).detect(train, fake)
    for text, what in ((drift.to_html(), "HTML"), (drift.to_markdown(), "markdown"),
                       (drift.to_json(), "JSON")):  # fmt: skip
        _assert_no_leak(text, train, f"the drift report's {what}")


def test_the_dashboard_holds_no_real_rows(tables, synthetic):
    from genesis.dashboard import QualityDashboard, scenario_summary

    train, holdout = tables
    model, fake = synthetic
    scenarios = [
        scenario_summary(name, where, model.generate(200, seed=0, conditions=where), train)
        for name, where in (("women", {"sex": "Female"}), ("older", {"age": (">=", 70)}))
    ]
    page = QualityDashboard(
        real_data=train, synthetic_data=fake, holdout=holdout, target="income", method=model,
        seed=0, scenarios=scenarios,
    ).generate_html_report()  # fmt: skip
    assert 'id="scenarios"' in page
    _assert_no_leak(page, train, "the dashboard")
