"""Risk arithmetic: Wilson intervals, the excess-risk formula and the levels."""

from __future__ import annotations

import math

import pytest

from genesis.privacy_attacks import (
    RiskLevel,
    excess_risk,
    risk_level,
    risk_with_interval,
    wilson_interval,
)


def test_wilson_interval_matches_the_textbook():
    low, high = wilson_interval(81, 263)  # Wilson (1927) via Newcombe (1998): 0.2553-0.3662
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == 1.0
    assert all(math.isnan(v) for v in wilson_interval(0, 0))


def test_risk_formula_and_levels():
    assert excess_risk(0.6, 0.2) == pytest.approx(0.5)
    assert excess_risk(0.5, 1.0) == 0.0
    figures = risk_with_interval(60, 100, 20, 100)
    assert figures["risk"] == pytest.approx(0.5)
    low, high = figures["risk_ci"]
    assert low < 0.5 < high
    assert [risk_level(r) for r in (-0.2, 0.049, 0.05, 0.149, 0.15, 0.39, 0.4)] == [
        RiskLevel.LOW, RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.MEDIUM,
        RiskLevel.HIGH, RiskLevel.HIGH, RiskLevel.CRITICAL,
    ]  # fmt: skip
    assert RiskLevel.LOW < RiskLevel.MEDIUM < RiskLevel.HIGH < RiskLevel.CRITICAL
    assert risk_level(float("nan")) is RiskLevel.LOW
