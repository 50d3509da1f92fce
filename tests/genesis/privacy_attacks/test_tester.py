"""PrivacyAttackTester: honest verdicts on real Adult twins, both call forms, bad inputs."""

from __future__ import annotations

import pytest

from genesis.errors import InvalidDataError, InvalidParameterError
from genesis.generators import SyntheticGenerator
from genesis.privacy_attacks import (
    AttributeResult,
    MembershipResult,
    PrivacyAttackTester,
    ReidentificationResult,
    RiskLevel,
)

QUASI_IDS = ["age", "sex", "race", "marital-status", "native-country"]


def test_leaky_generator_is_flagged_high_with_membership_interval_excluding_half(audits):
    report = audits["leaky"]
    assert report.overall_risk >= RiskLevel.HIGH
    assert not report.passed
    assert set(report.failed_checks) == {"risk level", "copies"}
    auc_low, auc_high = report.membership_result.details["auc_ci"]
    assert auc_low > 0.5
    exact = report.reidentification_result.details["sub_attacks"]["exact_match"]
    assert exact["attack_rate"] == pytest.approx(0.2, abs=0.04)  # ~one in five rows copied
    assert exact["risk_ci"][0] > 0.15


def test_shuffled_columns_are_low_risk(audits):
    report = audits["shuffled"]
    assert report.overall_risk is RiskLevel.LOW
    assert report.passed
    assert (
        report.membership_result.details["auc_ci"][0]
        < 0.5
        < report.membership_result.details["auc_ci"][1]
    )
    for result in report.results:
        assert result.risk_ci[0] < 0.05, result.name


def test_clean_cart_model_passes(audits):
    report = audits["cart"]
    assert report.passed
    assert report.failed_checks == []
    assert report.overall_risk <= RiskLevel.MEDIUM
    # and it is measurably less leaky than the planted leak
    assert report.membership_result.risk < audits["leaky"].membership_result.risk


def test_report_has_every_attack_with_intervals_and_typed_results(audits):
    report = audits["cart"]
    assert set(report.attribute_results) == {"income"}
    assert isinstance(report.membership_result, MembershipResult)
    assert isinstance(report.attribute_results["income"], AttributeResult)
    assert isinstance(report.reidentification_result, ReidentificationResult)
    assert report.attribute_results["income"].column == "income"
    assert report.membership_result.auc == report.membership_result.accuracy
    assert set(report.reidentification_result.sub_attacks) == {
        "exact_match",
        "singling_out",
        "linkage",
    }
    for result in report.results:
        low, high = result.risk_ci
        assert low <= result.risk <= high, result.name
        assert result.interpretation
    assert report.details["seconds"]["total"] > 0
    assert report.distance_metrics["n_reference"] == 1_200
    assert 0 <= report.distance_metrics["dcr_share"] <= 1


def test_share_at_distance_zero_uses_the_whole_training_table(tables):
    # a 100 % copy: every synthetic row is a training row (was 0.37-0.58 with a cut reference)
    train, holdout = tables["train"], tables["holdout"]
    report = PrivacyAttackTester(max_rows=300).run_all_attacks(train, train, holdout)
    assert report.distance_metrics["synthetic_share_at_distance_zero"] == 1.0
    assert report.distance_metrics["holdout_share_at_distance_zero"] < 0.01
    assert report.copy_check.exact_copies == len(train)
    assert not report.passed


def test_budget_of_a_dp_model_is_reported(tables):
    model = SyntheticGenerator("gaussian_copula", seed=0, epsilon=1.0, delta=1e-6)
    model.fit(tables["train"])
    synthetic = model.generate(2_000)
    report = PrivacyAttackTester(["income"], ["age", "sex"], max_rows=500).run_all_attacks(
        tables["train"], synthetic, tables["holdout"], model=model
    )
    assert report.budget["epsilon"] == 1.0
    assert report.budget["delta"] == 1e-6
    assert "epsilon = 1.0" in report.to_html()
    assert report.passed


def test_the_reference_call_form_gives_the_same_report(tables):
    train, synthetic, holdout = tables["train"], tables["cart"], tables["holdout"]
    settings = {"max_rows": 300, "seed": 2}
    by_constructor = PrivacyAttackTester(
        train,
        synthetic,
        holdout,
        sensitive_columns=["income"],
        quasi_identifiers=["age"],
        **settings,
    ).run_all_attacks()
    by_keywords = PrivacyAttackTester(
        real_data=train,
        synthetic_data=synthetic,
        holdout_data=holdout,
        sensitive_columns=["income"],
        quasi_identifiers=["age"],
        **settings,
    ).run_all_attacks()
    by_call = PrivacyAttackTester(["income"], ["age"], **settings).run_all_attacks(
        train, synthetic, holdout
    )
    figures = [
        {k: v for k, v in r.to_dict().items() if k != "details"}
        for r in (by_constructor, by_keywords, by_call)
    ]
    assert figures[0] == figures[1] == figures[2]


def test_ambiguous_calls_are_refused(tables):
    train, synthetic, holdout = tables["train"], tables["cart"], tables["holdout"]
    with pytest.raises(InvalidParameterError, match="given to PrivacyAttackTester.*and again"):
        PrivacyAttackTester(train, synthetic, holdout).run_all_attacks(train, synthetic, holdout)
    with pytest.raises(InvalidParameterError, match="no synthetic, holdout table given"):
        PrivacyAttackTester(train).run_all_attacks()
    with pytest.raises(InvalidParameterError, match="no real, synthetic, holdout table"):
        PrivacyAttackTester(["income"]).run_all_attacks()
    with pytest.raises(InvalidParameterError, match="pass either the tables"):
        PrivacyAttackTester(train, ["income"])
    with pytest.raises(InvalidParameterError, match="sensitive_columns is given twice"):
        PrivacyAttackTester(["income"], sensitive_columns=["age"])
    with pytest.raises(InvalidParameterError, match="real_data is given twice"):
        PrivacyAttackTester(train, real_data=train)
    with pytest.raises(InvalidParameterError, match="at most 3 tables"):
        PrivacyAttackTester(train, synthetic, holdout, holdout)


def test_bad_inputs_are_refused_with_the_fix(tables):
    train, synthetic, holdout = tables["train"], tables["cart"], tables["holdout"]
    with pytest.raises(InvalidParameterError, match="not columns of every table"):
        PrivacyAttackTester(["salary"], QUASI_IDS).run_all_attacks(train, synthetic, holdout)
    with pytest.raises(InvalidDataError, match="holdout has 0 rows"):
        PrivacyAttackTester(["income"], QUASI_IDS).run_all_attacks(
            train, synthetic, holdout.head(0)
        )
    with pytest.raises(InvalidParameterError, match="unknown risk level"):
        PrivacyAttackTester(["income"], max_risk_level="SEVERE").run_all_attacks(
            train, synthetic, holdout
        )
    with pytest.raises(InvalidParameterError, match="copy_alpha must be a number"):
        PrivacyAttackTester(copy_alpha=1.5).run_all_attacks(train, synthetic, holdout)
    with pytest.raises(InvalidParameterError, match="schema must be a genesis.schema.Schema"):
        PrivacyAttackTester(schema={"age": "int"}).run_all_attacks(train, synthetic, holdout)


def test_a_column_missing_from_one_table_is_reported_not_dropped_silently(adult_df):
    import warnings

    from genesis.errors import GenesisWarning
    from genesis.privacy_attacks import PrivacyAttackTester

    columns = ["age", "education", "sex", "hours-per-week", "income"]
    real = adult_df[columns].iloc[:400].reset_index(drop=True)
    holdout = adult_df[columns[:-1]].iloc[400:600].reset_index(drop=True)  # no income
    synthetic = adult_df[columns].iloc[600:1000].reset_index(drop=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = PrivacyAttackTester(seed=0).run_all_attacks(real, synthetic, holdout)
    messages = [str(w.message) for w in caught if issubclass(w.category, GenesisWarning)]
    assert any("income" in m and "leaves out" in m for m in messages)
    assert report.details["columns_left_out"] == {"real": ["income"], "synthetic": ["income"]}
