"""The extension point of the privacy audit: :class:`PrivacyAttack`, :class:`AttackResult` and
the typed results of the three built-in attacks."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import InvalidParameterError
from genesis.jsonsafe import json_safe
from genesis.privacy_attacks.risk import RiskLevel, risk_level
from genesis.validation import check_int, require_frame, require_seed


@dataclass
class AttackResult:
    """What one attack found.

    Every field has a default, so a custom attack can return as little as
    ``AttackResult(accuracy=0.5, risk_level="LOW")`` (a level given as text is parsed).

    Attributes:
        name: the attack (``"membership_inference"``, ``"attribute_inference:income"`` ...).
        accuracy: the attack's headline success figure (AUC for membership inference, the
            success rate on training rows for the others).
        risk: the privacy risk, ``(attack - control) / (1 - control)`` (see
            :mod:`genesis.privacy_attacks.risk`); negative values mean the attack did worse
            on training rows than on strangers (no leak).
        risk_ci: 95 % interval of ``risk``.
        risk_level: the :class:`RiskLevel` of the lower end of ``risk_ci`` (the risk the
            attack demonstrates; see :mod:`genesis.privacy_attacks.risk`).
        control: the same attack's success on holdout rows (NaN when not applicable).
        details: every supporting figure (rates, intervals, sample sizes, sub-attacks).
        interpretation: one or two plain sentences for a reviewer.
    """

    name: str = "custom_attack"
    accuracy: float = float("nan")
    risk: float = float("nan")
    risk_ci: tuple[float, float] = (float("nan"), float("nan"))
    risk_level: RiskLevel = RiskLevel.LOW
    control: float = float("nan")
    details: dict[str, Any] = field(default_factory=dict)
    interpretation: str = ""

    def __post_init__(self) -> None:
        self.risk_level = RiskLevel.parse(self.risk_level)
        if not isinstance(self.name, str) or not self.name:
            raise InvalidParameterError(f"name must be a non-empty string, got {self.name!r}")
        low, high = self.risk_ci
        self.risk_ci = (float(low), float(high))
        if not isinstance(self.details, dict):
            raise InvalidParameterError(
                f"details must be a dict, got {type(self.details).__name__}"
            )

    @classmethod
    def from_risk(cls, name: str, accuracy: float, risk: float, risk_ci, **kwargs) -> AttackResult:
        """A result whose level is derived from the lower end of ``risk_ci``."""
        return cls(
            name=name,
            accuracy=float(accuracy),
            risk=float(risk),
            risk_ci=(float(risk_ci[0]), float(risk_ci[1])),
            risk_level=risk_level(float(risk_ci[0])),
            **kwargs,
        )

    @property
    def upper_level(self) -> RiskLevel:
        """The level of the upper end of ``risk_ci``: the worst the data cannot rule out."""
        high = self.risk_ci[1]
        if not math.isfinite(high):
            return self.risk_level
        return max(self.risk_level, risk_level(high), key=lambda level: level.rank)

    @property
    def inconclusive(self) -> bool:
        """Whether the interval spans more than one level (more rows would settle it)."""
        return self.upper_level > self.risk_level

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (NaN as None)."""
        return json_safe(
            {
                "name": self.name,
                "kind": type(self).__name__,
                "accuracy": self.accuracy,
                "risk": self.risk,
                "risk_ci": list(self.risk_ci),
                "risk_level": self.risk_level.value,
                "upper_level": self.upper_level.value,
                "inconclusive": self.inconclusive,
                "control": self.control,
                "interpretation": self.interpretation,
                "details": self.details,
            }
        )


@dataclass
class MembershipResult(AttackResult):
    """The result of :class:`~genesis.privacy_attacks.MembershipInferenceAttack`."""

    name: str = "membership_inference"

    @property
    def auc(self) -> float:
        """The attack's ROC AUC (0.5: guessing)."""
        return self.accuracy

    @property
    def auc_ci(self) -> tuple[float, float]:
        """95 % bootstrap interval of the AUC."""
        low, high = self.details.get("auc_ci", (float("nan"), float("nan")))
        return float(low), float(high)


@dataclass
class AttributeResult(AttackResult):
    """The result of :class:`~genesis.privacy_attacks.AttributeInferenceAttack` on one column."""

    name: str = "attribute_inference"

    @property
    def column(self) -> str | None:
        """The sensitive column attacked."""
        return self.details.get("sensitive")

    @property
    def attack_rate(self) -> float:
        """Share of training rows whose value was guessed right."""
        return float(self.details.get("attack_rate", float("nan")))

    @property
    def control_rate(self) -> float:
        """Share of holdout rows whose value was guessed right."""
        return float(self.details.get("control_rate", float("nan")))


@dataclass
class ReidentificationResult(AttackResult):
    """The result of :class:`~genesis.privacy_attacks.ReidentificationAttack`."""

    name: str = "reidentification"

    @property
    def sub_attacks(self) -> dict[str, dict[str, Any]]:
        """Exact match, singling out and linkage figures, each with its own risk."""
        return dict(self.details.get("sub_attacks", {}))

    @property
    def worst_sub_attack(self) -> str | None:
        """The sub-attack whose risk is the result's risk."""
        return self.details.get("worst")


class PrivacyAttack:
    """Base class of the attacks: subclass it and implement :meth:`run`.

    Subclasses keep the scikit-learn habit: ``__init__`` stores parameters, ``run``
    validates them and its inputs. Every attack takes a ``seed``; the same seed gives the
    same result.
    """

    name = "attack"

    def run(self, real: pd.DataFrame, synthetic: pd.DataFrame, *args, **kwargs) -> AttackResult:
        """Attack ``synthetic`` to learn about ``real`` (the generator's training rows)."""
        raise NotImplementedError

    def _check_common(self) -> None:
        require_seed(getattr(self, "seed", 0))
        if hasattr(self, "max_rows"):
            check_int("max_rows", self.max_rows, 10)


def check_table(df: Any, role: str, *, min_rows: int = 1) -> pd.DataFrame:
    """``df`` as a DataFrame with at least ``min_rows`` rows, else :class:`InvalidDataError`."""
    return require_frame(df, role, min_rows=min_rows)


def check_columns(columns: Any, role: str, available: list[str]) -> list[str]:
    """``columns`` as a list of names present in every table; :class:`InvalidParameterError`."""
    if isinstance(columns, str):
        columns = [columns]
    if not isinstance(columns, (list, tuple)) or not all(isinstance(c, str) for c in columns):
        raise InvalidParameterError(
            f"{role} must be a list of column names, got {columns!r}; pass e.g. ['age', 'sex']"
        )
    missing = [c for c in columns if c not in available]
    if missing:
        raise InvalidParameterError(
            f"{role} {missing} are not columns of every table (real, synthetic, holdout); "
            f"choose among {available}"
        )
    if len(set(columns)) != len(columns):
        raise InvalidParameterError(f"{role} lists a column twice: {list(columns)}; list each once")
    return list(columns)


def check_attack_tables(
    real: Any, synthetic: Any, holdout: Any, *, min_real: int = 1, min_synthetic: int = 1
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[str]]:
    """The three tables every attack takes, checked, and the columns they all share.

    ``min_real`` applies to the training and holdout rows alike (an attack compares them).
    """
    real = check_table(real, "real (training rows)", min_rows=min_real)
    synthetic = check_table(synthetic, "synthetic", min_rows=min_synthetic)
    holdout = check_table(holdout, "holdout", min_rows=min_real)
    return real, synthetic, holdout, common_columns(real, synthetic, holdout)


def columns_left_out(available: list[str], **tables: pd.DataFrame) -> dict[str, list[str]]:
    """Per table, the columns the attacks cannot use because another table lacks them."""
    shared = set(available)
    left_out = {name: [c for c in t.columns if c not in shared] for name, t in tables.items()}
    return {name: columns for name, columns in left_out.items() if columns}


def common_columns(*tables: pd.DataFrame) -> list[str]:
    """Columns present in every table, in the first table's order."""
    shared = set(tables[0].columns)
    for t in tables[1:]:
        shared &= set(t.columns)
    return [c for c in tables[0].columns if c in shared]


def sample_rows(df: pd.DataFrame, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """At most ``n`` rows of ``df`` drawn without replacement (all of them when fewer)."""
    if len(df) <= n:
        return df.reset_index(drop=True)
    return df.iloc[np.sort(rng.choice(len(df), n, replace=False))].reset_index(drop=True)
