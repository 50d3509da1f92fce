"""ML utility: train on synthetic, test on real."""

from __future__ import annotations

import numpy as np
import pytest

from genesis.quality import QualityEvaluator


def test_ml_utility_classification_with_holdout(adult_split) -> None:
    train, holdout = adult_split
    other_real = train.sample(frac=1.0, replace=True, random_state=1).reset_index(drop=True)
    report = QualityEvaluator(train, other_real, target="income", holdout=holdout).evaluate()
    utility = report.ml_utility
    assert utility["task"] == "classification" and utility["metric"] == "roc_auc"
    assert utility["test_set"] == "holdout" and utility["n_test"] == len(holdout)
    assert utility["trtr"] > 0.85
    assert utility["tstr"] > 0.8
    assert utility["ratio"] == pytest.approx(utility["tstr"] / utility["trtr"])
    assert utility["difference"] == pytest.approx(utility["trtr"] - utility["tstr"])
    assert 0.5 < utility["scores"]["accuracy"]["tstr"] <= 1.0
    assert report.overall_score == pytest.approx(
        np.mean([report.quality_score, report.detection_score, min(utility["ratio"], 1.0)])
    )


def test_ml_utility_is_lost_when_the_target_is_shuffled(adult_split) -> None:
    train, _ = adult_split
    noise = train.copy()
    noise["income"] = np.random.default_rng(0).permutation(noise["income"].to_numpy())
    utility = QualityEvaluator(train, noise, target="income").evaluate().ml_utility
    assert utility["test_set"].endswith("split of real")
    assert utility["n_test"] == pytest.approx(0.2 * len(train), abs=1)
    assert utility["trtr"] > 0.85
    assert utility["tstr"] < 0.65


def test_ml_utility_regression_and_multiclass(adult_split) -> None:
    train, holdout = adult_split
    regression = QualityEvaluator(train, train, target="age", holdout=holdout).evaluate()
    assert regression.ml_utility["task"] == "regression"
    assert regression.ml_utility["metric"] == "r2"
    assert regression.ml_utility["tstr"] == pytest.approx(regression.ml_utility["trtr"])
    multiclass = QualityEvaluator(train, train, target="race", holdout=holdout).evaluate()
    assert multiclass.ml_utility["task"] == "classification"
    assert 0.5 < multiclass.ml_utility["tstr"] <= 1.0
