"""How attack success becomes a privacy risk, with intervals, and how risk becomes a level.

Every attack is run twice: on real rows the generator was trained on (the *attack*) and on
real rows it never saw (the *control*, the holdout). The control measures what an attacker
learns from the population alone; only the excess is a privacy leak. Following Anonymeter
(Giomi et al., PoPETs 2023)::

    risk = (attack_rate - control_rate) / (1 - control_rate)

so 0 means "no better than for strangers" and 1 means "right about every training record
the control got wrong". Rates carry Wilson score intervals; the risk interval combines them
conservatively (attack low against control high, and the reverse).

Risk levels come from the **lower end of the risk's 95 % interval**: the risk the audit
can demonstrate beyond sampling noise. The point estimate and the upper end are reported
beside it, and an attack whose upper end reaches a worse level is marked *inconclusive* in
the report (more holdout rows narrow the interval). Reading the lower end keeps a noisy
attack (e.g. inferring a column whose control rate is already 80 %, where the risk's
denominator is 0.2) from deciding the verdict on noise, while a real leak, whose interval
is narrow, is still called by its size.

=========  =================  ======================================================
level      risk (lower end)   reading
=========  =================  ======================================================
LOW        < 0.05             no demonstrable leak beyond what strangers' records reveal
MEDIUM     0.05 - < 0.15      a measurable leak about a small share of the records
HIGH       0.15 - < 0.40      a sizeable share of the records is exposed
CRITICAL   >= 0.40            most of the records the attack targets are exposed
=========  =================  ======================================================

The cut-offs are stricter than "10/30/60 %" scales on purpose: a generator that copies one
record in five verbatim exposes about 20 % of its training records, and that must read HIGH.
Measured on Adult (26k training rows, 6.5k holdout): 20 % verbatim copies read HIGH (with the
rest from CART or from shuffled columns); CART with leaf size 5 reads MEDIUM with a
membership advantage of 0.13-0.17 depending on the split (lower ends 0.10-0.15, close to
HIGH), which is why CART's default leaf size is 10 (advantage 0.10, same fidelity); a
generator that shuffles each column independently, and the Gaussian copula with
epsilon = 1, read LOW.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable

import numpy as np
from scipy import stats

from genesis.errors import InvalidParameterError


class RiskLevel(str, enum.Enum):
    """Ordered privacy risk levels (compare with ``<``: LOW < MEDIUM < HIGH < CRITICAL)."""

    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"

    @property
    def rank(self) -> int:
        return list(RiskLevel).index(self)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, RiskLevel):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, RiskLevel):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, RiskLevel):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, RiskLevel):
            return NotImplemented
        return self.rank >= other.rank

    @classmethod
    def parse(cls, value: RiskLevel | str) -> RiskLevel:
        """A level from its name (any case); :class:`InvalidParameterError` otherwise."""
        if isinstance(value, RiskLevel):
            return value
        try:
            return cls(str(value).upper())
        except ValueError:
            raise InvalidParameterError(
                f"unknown risk level {value!r}; use one of {[lvl.value for lvl in cls]}"
            ) from None


#: upper bounds (exclusive) of LOW, MEDIUM and HIGH; CRITICAL above the last
RISK_THRESHOLDS = {RiskLevel.LOW: 0.05, RiskLevel.MEDIUM: 0.15, RiskLevel.HIGH: 0.40}


def risk_level(risk: float) -> RiskLevel:
    """The level of a risk point estimate (NaN, e.g. no data to attack, reads LOW)."""
    if risk is None or not math.isfinite(risk):
        return RiskLevel.LOW
    for level, bound in RISK_THRESHOLDS.items():
        if risk < bound:
            return level
    return RiskLevel.CRITICAL


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion ``successes / n`` (``(nan, nan)`` when n = 0)."""
    if n <= 0:
        return float("nan"), float("nan")
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    low = 0.0 if successes <= 0 else max(0.0, centre - half)
    high = 1.0 if successes >= n else min(1.0, centre + half)
    return low, high


def excess_risk(attack: float, control: float) -> float:
    """``(attack - control) / (1 - control)``; a perfect control leaves no room: 0."""
    if not (math.isfinite(attack) and math.isfinite(control)):
        return float("nan")
    if control >= 1.0:
        return 0.0
    return (attack - control) / (1.0 - control)


def risk_with_interval(
    attack_successes: int,
    attack_n: int,
    control_successes: int,
    control_n: int,
    confidence: float = 0.95,
) -> dict[str, float]:
    """Attack and control rates with Wilson intervals, and the risk with its interval.

    The risk interval pairs the attack's lower bound with the control's upper bound (and the
    reverse), so it is at least as wide as either rate's interval.
    """
    attack = attack_successes / attack_n if attack_n else float("nan")
    control = control_successes / control_n if control_n else float("nan")
    a_low, a_high = wilson_interval(attack_successes, attack_n, confidence)
    c_low, c_high = wilson_interval(control_successes, control_n, confidence)
    return {
        "attack_rate": attack,
        "attack_ci": (a_low, a_high),
        "control_rate": control,
        "control_ci": (c_low, c_high),
        "risk": excess_risk(attack, control),
        "risk_ci": (excess_risk(a_low, c_high), excess_risk(a_high, c_low)),
        "n_attack": attack_n,
        "n_control": control_n,
    }


def bootstrap_interval(
    statistic: Callable[[np.ndarray], float],
    n: int,
    *,
    n_bootstrap: int = 200,
    confidence: float = 0.95,
    seed: int = 0,
    strata: np.ndarray | None = None,
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``statistic(indices)`` over ``n`` resampled rows.

    ``statistic`` receives an index array drawn with replacement; ``strata`` (labels per row)
    resamples within each stratum, keeping e.g. the member/non-member balance fixed.
    """
    rng = np.random.default_rng(seed)
    values = np.empty(n_bootstrap)
    if strata is None:
        draws = [rng.integers(0, n, size=(n_bootstrap, n))]
    else:
        groups = [np.flatnonzero(strata == s) for s in np.unique(strata)]
        draws = [g[rng.integers(0, g.size, size=(n_bootstrap, g.size))] for g in groups]
    indices = np.concatenate(draws, axis=1)
    for b in range(n_bootstrap):
        values[b] = statistic(indices[b])
    alpha = (1 - confidence) / 2
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan"), float("nan")
    return float(np.quantile(values, alpha)), float(np.quantile(values, 1 - alpha))
