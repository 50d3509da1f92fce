"""AttackResult as the extension point: the reference's custom-attack example constructs."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from genesis.errors import InvalidParameterError
from genesis.privacy_attacks import (
    AttackResult,
    AttributeResult,
    MembershipResult,
    PrivacyAttack,
    ReidentificationResult,
    RiskLevel,
)


class CustomAttack(PrivacyAttack):
    """The architecture document's example, as written there."""

    def run(self, real_data, synthetic_data) -> AttackResult:
        return AttackResult(accuracy=0.5, risk_level="LOW")


def test_the_reference_custom_attack_example_constructs():
    result = CustomAttack().run(pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [2]}))
    assert result.accuracy == 0.5
    assert result.risk_level is RiskLevel.LOW  # text coerced to the enum
    assert math.isnan(result.risk) and result.details == {}
    assert result.upper_level is RiskLevel.LOW and not result.inconclusive
    assert result.to_dict()["risk_level"] == "LOW"
    assert result.to_dict()["risk"] is None  # NaN as JSON null
    assert AttackResult(risk_level="high").risk_level is RiskLevel.HIGH


def test_typed_results_are_attack_results_with_their_own_names():
    for cls, name in (
        (MembershipResult, "membership_inference"),
        (AttributeResult, "attribute_inference"),
        (ReidentificationResult, "reidentification"),
    ):
        result = cls(accuracy=0.6)
        assert isinstance(result, AttackResult)
        assert result.name == name
        assert result.to_dict()["kind"] == cls.__name__
    built = MembershipResult.from_risk("membership_inference", 0.7, 0.4, (0.3, 0.5))
    assert isinstance(built, MembershipResult)
    assert built.risk_level is RiskLevel.HIGH and built.upper_level is RiskLevel.CRITICAL
    assert built.inconclusive


def test_bad_results_are_refused():
    with pytest.raises(InvalidParameterError, match="unknown risk level"):
        AttackResult(accuracy=0.5, risk_level="SEVERE")
    with pytest.raises(InvalidParameterError, match="details must be a dict"):
        AttackResult(details=[1, 2])
    with pytest.raises(InvalidParameterError, match="name must be a non-empty string"):
        AttackResult(name="")
