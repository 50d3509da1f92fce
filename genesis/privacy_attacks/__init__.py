"""Privacy attacks with holdout controls: membership inference, attribute inference and
re-identification (singling out, linkage), distance metrics, and the audit report.

``PrivacyAttackTester(real, synthetic, holdout, sensitive_columns=..., quasi_identifiers=...)
.run_all_attacks()`` (or ``PrivacyAttackTester(sensitive, quasi).run_all_attacks(real,
synthetic, holdout)``) returns a :class:`PrivacyAuditReport` with an overall risk level, a
copy check and ``passed``. Every attack compares its success on training rows with its
success on holdout rows, and reports ``risk = (attack - control) / (1 - control)`` with a
95 % interval. :class:`PrivacyEngine` puts the differentially private copula, the audit and
an opt-in privacy retry (:func:`fit_until_private`) behind one entry point.
"""

from genesis.privacy_attacks.attribute import AttributeInferenceAttack
from genesis.privacy_attacks.audit_report import PrivacyAuditReport
from genesis.privacy_attacks.base import (
    AttackResult,
    AttributeResult,
    MembershipResult,
    PrivacyAttack,
    ReidentificationResult,
)
from genesis.privacy_attacks.copies import CopyCheck, check_copies
from genesis.privacy_attacks.distance import (
    distance_metrics,
    distance_to_closest_record,
    nearest_neighbor_distance_ratio,
)
from genesis.privacy_attacks.encoding import TableEncoder
from genesis.privacy_attacks.engine import PrivacyEngine
from genesis.privacy_attacks.membership import MembershipInferenceAttack
from genesis.privacy_attacks.reidentification import ReidentificationAttack
from genesis.privacy_attacks.retry import (
    PrivacyAttempt,
    PrivacyRetry,
    PrivacyRetryResult,
    RetryStep,
    default_ladder,
    fit_until_private,
)
from genesis.privacy_attacks.risk import (
    RISK_THRESHOLDS,
    RiskLevel,
    bootstrap_interval,
    excess_risk,
    risk_level,
    risk_with_interval,
    wilson_interval,
)
from genesis.privacy_attacks.tester import PrivacyAttackTester

__all__ = [
    "RISK_THRESHOLDS",
    "AttackResult",
    "AttributeInferenceAttack",
    "AttributeResult",
    "CopyCheck",
    "MembershipInferenceAttack",
    "MembershipResult",
    "PrivacyAttack",
    "PrivacyAttackTester",
    "PrivacyAttempt",
    "PrivacyEngine",
    "PrivacyRetry",
    "PrivacyRetryResult",
    "PrivacyAuditReport",
    "ReidentificationAttack",
    "ReidentificationResult",
    "RetryStep",
    "RiskLevel",
    "TableEncoder",
    "bootstrap_interval",
    "check_copies",
    "default_ladder",
    "distance_metrics",
    "distance_to_closest_record",
    "excess_risk",
    "fit_until_private",
    "nearest_neighbor_distance_ratio",
    "risk_level",
    "risk_with_interval",
    "wilson_interval",
]
