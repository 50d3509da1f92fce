"""Re-identification: exact match, singling out and linkage on copied records."""

from __future__ import annotations

import pytest

from genesis.errors import InvalidParameterError
from genesis.privacy_attacks import ReidentificationAttack, ReidentificationResult, RiskLevel

QUASI_IDS = ["age", "sex", "race", "marital-status", "native-country"]


def test_reidentification_singles_out_copied_unique_records(tables):
    train, holdout = tables["train"], tables["holdout"]
    # synthetic data = the training rows themselves: every unique record is singled out
    result = ReidentificationAttack(max_rows=1_000).run(train, train, QUASI_IDS, holdout=holdout)
    sub = result.details["sub_attacks"]
    assert sub["exact_match"]["attack_rate"] == 1.0
    assert sub["exact_match"]["control_rate"] < 0.01
    assert sub["singling_out"]["attack_rate"] > sub["singling_out"]["control_rate"]
    assert sub["linkage"]["risk"] > 0.2
    assert result.risk_level is RiskLevel.CRITICAL
    assert isinstance(result, ReidentificationResult)
    assert result.worst_sub_attack in result.sub_attacks


def test_bad_quasi_identifiers_are_refused(tables):
    train, synthetic, holdout = tables["train"], tables["cart"], tables["holdout"]
    with pytest.raises(InvalidParameterError, match="quasi-identifier"):
        ReidentificationAttack().run(train, synthetic, [], holdout=holdout)
    with pytest.raises(InvalidParameterError, match="listed|twice"):
        ReidentificationAttack().run(train, synthetic, ["age", "age"], holdout=holdout)
