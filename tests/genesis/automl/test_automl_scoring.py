"""genesis.automl.scoring: a candidate's score, detection AUC included (issue 13.3)."""

from __future__ import annotations

import math

import pytest

from genesis.automl.scoring import SCORINGS, candidate_score, detection_score, fidelity


def test_the_method_harder_to_tell_apart_scores_higher():
    easy_to_spot = {"quality_score": 0.95, "detection_auc": 0.80, "privacy_score": 0.9}
    hard_to_spot = {"quality_score": 0.95, "detection_auc": 0.52, "privacy_score": 0.9}
    for scoring in SCORINGS:
        assert candidate_score(hard_to_spot, scoring) > candidate_score(easy_to_spot, scoring)
    # a little less fidelity per column, much less detectable: wins on quality scoring
    assert candidate_score(
        {"quality_score": 0.93, "detection_auc": 0.55, "privacy_score": 0.9}, "quality"
    ) > candidate_score(
        {"quality_score": 0.96, "detection_auc": 0.75, "privacy_score": 0.9}, "quality"
    )


def test_detection_score_and_weights():
    assert detection_score(0.5) == 1.0 and detection_score(0.4) == 1.0
    assert detection_score(1.0) == 0.0 and detection_score(0.75) == pytest.approx(0.5)
    scores = {"quality_score": 0.9, "detection_auc": 0.6, "privacy_score": 0.5}
    assert fidelity(scores) == pytest.approx(0.5 * 0.9 + 0.5 * 0.8)
    assert candidate_score(scores, "quality") == pytest.approx(0.85)
    assert candidate_score(scores, "privacy") == pytest.approx(round(0.3 * 0.85 + 0.7 * 0.5, 4))
    assert candidate_score(scores, "balanced") == pytest.approx(round(0.5 * 0.85 + 0.5 * 0.5, 4))


def test_unknown_detection_falls_back_to_the_overall_score():
    scores = {"quality_score": 0.9, "detection_auc": math.nan, "overall_score": 0.7}
    assert fidelity(scores) == 0.7
    assert candidate_score({**scores, "privacy_score": math.nan}, "privacy") == pytest.approx(0.21)
