"""Membership inference: deterministic for a seed, refuses bad inputs."""

from __future__ import annotations

import pytest

from genesis.errors import InvalidDataError, InvalidParameterError
from genesis.privacy_attacks import MembershipInferenceAttack, MembershipResult


def test_attacks_are_deterministic_for_a_seed(tables):
    args = (tables["train"].head(800), tables["leaky"].head(800), tables["holdout"].head(400))
    first = MembershipInferenceAttack(max_rows=300, seed=3).run(*args)
    again = MembershipInferenceAttack(max_rows=300, seed=3).run(*args)
    assert first.accuracy == again.accuracy and first.risk_ci == again.risk_ci


def test_result_is_typed_and_the_bad_inputs_are_refused(tables):
    train, synthetic, holdout = tables["train"], tables["cart"], tables["holdout"]
    result = MembershipInferenceAttack(max_rows=200, n_bootstrap=20).run(train, synthetic, holdout)
    assert isinstance(result, MembershipResult)
    assert result.name == "membership_inference"
    assert result.auc_ci == tuple(result.details["auc_ci"])
    with pytest.raises(InvalidDataError, match="DataFrame"):
        MembershipInferenceAttack().run(train, synthetic.to_numpy(), holdout)
    with pytest.raises(InvalidParameterError, match="n_folds"):
        MembershipInferenceAttack(n_folds=1).run(train, synthetic, holdout)
