"""PrivacyEngine: the DP copula, the audit and the retry behind one entry point."""

from __future__ import annotations

import pytest

import genesis
from genesis.errors import InvalidParameterError, NotFittedError
from genesis.privacy_attacks import PrivacyEngine, RiskLevel


def test_epsilon_fits_the_dp_copula_and_the_audit_reports_its_budget(tables):
    train, holdout = tables["train"], tables["holdout"]
    engine = PrivacyEngine(
        sensitive_columns=["income"], quasi_identifiers=["age", "sex"], epsilon=1.0, max_rows=500
    )
    engine.fit(train)
    assert engine.method_ == "gaussian_copula" and engine.params_["epsilon"] == 1.0
    assert engine.retry_ is None
    synthetic = engine.generate(2_000)
    report = engine.audit(train, synthetic, holdout)
    assert report.budget["epsilon"] == 1.0
    assert report.passed and report.max_risk_level is RiskLevel.MEDIUM
    assert set(report.attribute_results) == {"income"}


def test_retry_steps_up_from_a_leaky_setting_with_the_engines_audit(tables):
    train, holdout = tables["train"], tables["holdout"]
    engine = PrivacyEngine(max_risk_level="MEDIUM", privacy_retry=2, max_rows=500, seed=0)
    engine.fit(train, holdout, method="cart", min_samples_leaf=1)
    attempts = engine.retry_.attempts
    assert [a.params["min_samples_leaf"] for a in attempts] == [1, 10]
    assert [a.passed for a in attempts] == [False, True]
    assert engine.params_ == {"min_samples_leaf": 10}
    assert engine.audit_.passed
    again = engine.audit(train, engine.generate(len(train)), holdout)
    assert again.passed


def test_the_engine_is_public_and_refuses_bad_settings(tables):
    assert genesis.PrivacyEngine is PrivacyEngine
    train = tables["train"]
    with pytest.raises(NotFittedError, match="call fit"):
        PrivacyEngine().generate(10)
    with pytest.raises(InvalidParameterError, match="not differentially private"):
        PrivacyEngine(epsilon=1.0).fit(train, method="cart")
    with pytest.raises(InvalidParameterError, match="epsilon must be a positive"):
        PrivacyEngine(epsilon=0).fit(train, method="gaussian_copula")
    with pytest.raises(InvalidParameterError, match="pass epsilon to PrivacyEngine"):
        PrivacyEngine().fit(train, method="gaussian_copula", epsilon=1.0)
    with pytest.raises(InvalidParameterError, match="unknown risk level"):
        PrivacyEngine(max_risk_level="SEVERE").tester()
    with pytest.raises(InvalidParameterError, match="privacy_retry must be"):
        PrivacyEngine(privacy_retry=[1]).fit(train, method="cart")
