"""Attribute inference: copies are caught, the control is respected."""

from __future__ import annotations

import pytest

from genesis.errors import InvalidParameterError
from genesis.privacy_attacks import AttributeInferenceAttack, AttributeResult


def test_attribute_inference_detects_copies_and_respects_the_control(tables):
    attack = AttributeInferenceAttack(max_rows=1_000)
    leaky = attack.run(
        tables["train"], tables["leaky"], ["income", "age"], holdout=tables["holdout"]
    )
    shuffled = attack.run(tables["train"], tables["shuffled"], "income", holdout=tables["holdout"])
    assert leaky["age"].risk_ci[0] > 0.1  # a numeric column, within 5 %
    assert leaky["income"].details["attack_rate"] > leaky["income"].details["control_rate"]
    assert shuffled["income"].risk_ci[0] < 0.05 < shuffled["income"].risk_ci[1] + 0.05
    model = AttributeInferenceAttack(model="model", max_rows=500, max_synthetic=1_500).run(
        tables["train"],
        tables["cart"],
        ["income"],
        ["age", "education", "sex"],
        holdout=tables["holdout"],
    )
    assert model["income"].details["known"] == ["age", "education", "sex"]
    assert 0.5 < model["income"].details["control_rate"] < 1.0  # better than nothing on strangers


def test_results_are_typed_and_bad_models_refused(tables):
    train, synthetic, holdout = tables["train"], tables["cart"], tables["holdout"]
    results = AttributeInferenceAttack(max_rows=200).run(
        train, synthetic, ["income", "sex"], holdout=holdout
    )
    assert all(isinstance(r, AttributeResult) for r in results.values())
    assert results["sex"].column == "sex"
    assert 0 <= results["sex"].control_rate <= 1
    with pytest.raises(InvalidParameterError, match="model must be one of"):
        AttributeInferenceAttack(model="svm").run(train, synthetic, "income", holdout=holdout)
    with pytest.raises(InvalidParameterError, match="tolerance"):
        AttributeInferenceAttack(tolerance=2).run(train, synthetic, "income", holdout=holdout)
