"""Privacy retry: a failed audit steps up the ladder; every attempt is recorded."""

from __future__ import annotations

import json

import pytest

from genesis.automl import AutoMLSynthesizer
from genesis.errors import InvalidParameterError, PrivacyRetryError
from genesis.privacy_attacks import (
    PrivacyAttackTester,
    PrivacyRetry,
    RetryStep,
    default_ladder,
    fit_until_private,
)
from genesis.privacy_attacks.retry import plan


@pytest.fixture(scope="module")
def tester():
    return PrivacyAttackTester(["income"], ["age", "sex"], max_rows=500, seed=0)


def test_a_leaky_setting_fails_and_the_next_stronger_one_is_kept(tables, tester):
    train, holdout = tables["train"], tables["holdout"]
    model, result = fit_until_private(
        train, holdout, tester=tester, start=("cart", {"min_samples_leaf": 1}), max_attempts=3
    )
    first, second = result.attempts
    assert (first.method, first.params, first.passed) == ("cart", {"min_samples_leaf": 1}, False)
    assert "copies" in first.failed_checks and first.copies > 100
    assert (second.method, second.params, second.passed) == ("cart", {"min_samples_leaf": 10}, True)
    assert result.passed and result.selected is second
    assert model.method == "cart" and model.method_params == {"min_samples_leaf": 10}
    assert result.report.passed
    record = json.loads(json.dumps(result.to_dict()))
    assert record["selected"] == 2
    assert [a["overall_risk"] for a in record["attempts"]] == [
        first.overall_risk,
        second.overall_risk,
    ]


def test_a_clear_error_when_no_setting_passes(tables, tester):
    with pytest.raises(PrivacyRetryError, match="no setting passed the privacy audit") as caught:
        fit_until_private(
            tables["train"],
            tables["holdout"],
            tester=tester,
            ladder=[("cart", {"min_samples_leaf": 1})],
        )
    attempts = caught.value.result.attempts
    assert len(attempts) == 1 and not attempts[0].passed
    assert "cart(min_samples_leaf=1)" in str(caught.value)


def test_the_ladder_goes_from_larger_leaves_to_the_dp_copula():
    steps = default_ladder(epsilon=0.5)
    assert [s.params.get("min_samples_leaf") for s in steps[:3]] == [10, 20, 50]
    assert steps[-1] == RetryStep("gaussian_copula", {"epsilon": 0.5})
    # after CART with leaves of 20, only stronger steps follow
    after = plan(start=RetryStep("cart", {"min_samples_leaf": 20}), epsilon=0.5)
    assert after == [steps[1], steps[2], steps[3]]
    # after a copula without DP, only the DP step is stronger
    copula = RetryStep("gaussian_copula", {"marginals": "empirical"})
    assert plan(start=copula) == [copula, default_ladder()[-1]]
    assert len(plan(max_attempts=2)) == 2


def test_bad_retry_settings_are_refused(tables, tester):
    train, holdout = tables["train"], tables["holdout"]
    with pytest.raises(InvalidParameterError, match="max_attempts"):
        plan(max_attempts=0)
    with pytest.raises(InvalidParameterError, match="epsilon must be a positive"):
        plan(epsilon=-1)
    with pytest.raises(InvalidParameterError, match="each ladder step"):
        plan(ladder=[42])
    with pytest.raises(InvalidParameterError, match="ladder is empty"):
        plan(ladder=[])
    with pytest.raises(InvalidParameterError, match="tester must be a PrivacyAttackTester"):
        fit_until_private(train, holdout, tester="strict")
    bound = PrivacyAttackTester(train, tables["cart"], holdout)
    with pytest.raises(InvalidParameterError, match="holds tables of its own"):
        fit_until_private(train, holdout, tester=bound)
    with pytest.raises(InvalidParameterError, match="privacy_retry must be"):
        PrivacyRetry.coerce("yes")
    assert PrivacyRetry.coerce(None) is None and PrivacyRetry.coerce(0) is None
    assert PrivacyRetry.coerce(2).max_attempts == 2
    assert PrivacyRetry.coerce({"epsilon": 0.5}).epsilon == 0.5


def test_automl_retries_more_privately_when_its_winner_fails(adult_df):
    # a strict audit (LOW only; any training record reproduced fails it): CART's measurable
    # membership advantage fails it, and AutoML's CART winner gives way to the DP copula
    strict = PrivacyAttackTester(max_rows=500, max_risk_level="LOW", copy_alpha=0.99)
    retry = PrivacyRetry(tester=strict, ladder=[("gaussian_copula", {"epsilon": 2.0})])
    automl = AutoMLSynthesizer(methods=["cart"], time_budget=60, privacy_retry=retry, seed=0)
    rows = adult_df.sample(6_000, random_state=0).reset_index(drop=True).iloc[:4_800]
    automl.fit(rows)
    first, *_, last = automl.privacy_retry_.attempts
    assert first.method == "cart" and not first.passed and first.failed_checks
    assert (last.method, last.params, last.passed) == ("gaussian_copula", {"epsilon": 2.0}, True)
    assert automl.selected_method_ == "gaussian_copula"
    assert automl.best_.privacy_budget_["epsilon"] == 2.0
    assert automl.refitted_ is False and automl.training_rows_ == round(0.8 * len(rows))
    assert len(automl.generate(50)) == 50
    with pytest.raises(InvalidParameterError, match="privacy_retry must be"):
        AutoMLSynthesizer(privacy_retry="always").fit(rows)
