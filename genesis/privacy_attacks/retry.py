"""Opt-in privacy retry: when the audit fails, refit with the next stronger setting.

The architecture's flow sends a failed privacy audit back to the generator ("PA -fail->
GEN"). :func:`fit_until_private` walks a *ladder* of settings, from the least to the most
private, fits each on the training rows, generates as many rows, audits them against the
holdout with a :class:`~genesis.privacy_attacks.PrivacyAttackTester`, and stops at the first
that passes. The default ladder (:func:`default_ladder`)::

    cart  min_samples_leaf=10  ->  cart  min_samples_leaf=20  ->  cart  min_samples_leaf=50
        ->  gaussian_copula  epsilon=1.0  (differentially private)

Larger CART leaves mean each synthetic value is drawn from more training rows, so fewer rare
records come out whole; the DP copula bounds what any one row can change. Every attempt is
recorded (method, parameters, overall risk, failed checks, copies, seconds) in a
:class:`PrivacyRetryResult`; when none passes, :class:`~genesis.errors.PrivacyRetryError`
carries the same record.

``AutoMLSynthesizer(privacy_retry=...)`` and ``PrivacyEngine(privacy_retry=...)`` use it
through :class:`PrivacyRetry`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from genesis.errors import InvalidParameterError, PrivacyRetryError
from genesis.jsonsafe import json_safe
from genesis.privacy_attacks.audit_report import PrivacyAuditReport
from genesis.privacy_attacks.tester import PrivacyAttackTester
from genesis.schema.types import Schema
from genesis.validation import require_frame, require_seed

#: CART's default leaf size (a step without ``min_samples_leaf`` has this one)
CART_DEFAULT_LEAF = 10
DEFAULT_EPSILON = 1.0


@dataclass(frozen=True)
class RetryStep:
    """One rung of the ladder: a method and its parameters."""

    method: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def epsilon(self) -> float | None:
        """The step's differential-privacy epsilon (None: not DP)."""
        value = self.params.get("epsilon")
        return None if value is None else float(value)

    def is_stronger_than(self, other: RetryStep) -> bool:
        """Whether this step is more private than ``other``.

        A DP step beats any non-DP step and a DP step with a larger epsilon; a CART step
        beats a CART step with smaller leaves; anything else is not comparable (False).
        """
        if self.epsilon is not None:
            return other.epsilon is None or self.epsilon < other.epsilon
        if other.epsilon is None and self.method == other.method == "cart":
            leaf = self.params.get("min_samples_leaf", CART_DEFAULT_LEAF)
            return leaf > other.params.get("min_samples_leaf", CART_DEFAULT_LEAF)
        return False

    def describe(self) -> str:
        params = ", ".join(f"{k}={v}" for k, v in sorted(self.params.items()))
        return f"{self.method}({params})"


def default_ladder(epsilon: float = DEFAULT_EPSILON) -> list[RetryStep]:
    """CART with leaves of 10, 20 and 50 rows, then the DP Gaussian copula at ``epsilon``."""
    return [
        RetryStep("cart", {"min_samples_leaf": 10}),
        RetryStep("cart", {"min_samples_leaf": 20}),
        RetryStep("cart", {"min_samples_leaf": 50}),
        RetryStep("gaussian_copula", {"epsilon": float(epsilon)}),
    ]


@dataclass
class PrivacyAttempt:
    """One fit-and-audit of the retry."""

    attempt: int
    method: str
    params: dict[str, Any]
    overall_risk: str
    passed: bool
    failed_checks: list[str]
    copies: int | None
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return json_safe(self.__dict__)


@dataclass
class PrivacyRetryResult:
    """Every attempt of :func:`fit_until_private`, and the last audit report."""

    attempts: list[PrivacyAttempt]
    report: PrivacyAuditReport | None = None

    @property
    def passed(self) -> bool:
        """Whether some attempt passed (the last one, as the retry stops there)."""
        return bool(self.attempts) and self.attempts[-1].passed

    @property
    def selected(self) -> PrivacyAttempt | None:
        """The attempt whose model was kept (None when none passed)."""
        return self.attempts[-1] if self.passed else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``passed``, ``selected`` (attempt number) and every attempt."""
        return {
            "passed": self.passed,
            "selected": self.selected.attempt if self.selected else None,
            "attempts": [a.to_dict() for a in self.attempts],
        }


def _steps(ladder: Any, epsilon: float) -> list[RetryStep]:
    if ladder is None:
        return default_ladder(epsilon)
    if isinstance(ladder, str | bytes) or not hasattr(ladder, "__iter__"):
        raise InvalidParameterError(
            f"ladder must be a list of (method, params) steps, got {ladder!r}; pass e.g. "
            "[('cart', {'min_samples_leaf': 20}), ('gaussian_copula', {'epsilon': 1.0})]"
        )
    steps = []
    for item in ladder:
        if isinstance(item, RetryStep):
            steps.append(item)
        elif isinstance(item, str):
            steps.append(RetryStep(item, {}))
        elif isinstance(item, tuple | list) and len(item) == 2 and isinstance(item[1], dict):
            steps.append(RetryStep(str(item[0]), dict(item[1])))
        else:
            raise InvalidParameterError(
                f"each ladder step must be (method, params) or a RetryStep, got {item!r}"
            )
    if not steps:
        raise InvalidParameterError("ladder is empty; give at least one (method, params) step")
    return steps


def _check_epsilon(epsilon: Any) -> float:
    if (
        isinstance(epsilon, bool)
        or not isinstance(epsilon, int | float)
        or not math.isfinite(epsilon)
        or epsilon <= 0
    ):
        raise InvalidParameterError(
            f"epsilon must be a positive number, got {epsilon!r}; pass e.g. epsilon=1.0"
        )
    return float(epsilon)


def plan(
    ladder: Any = None,
    *,
    max_attempts: int | None = None,
    start: RetryStep | tuple[str, dict[str, Any]] | None = None,
    epsilon: float = DEFAULT_EPSILON,
) -> list[RetryStep]:
    """The steps :func:`fit_until_private` tries: ``start`` (if given), then the ladder's
    stronger steps, at most ``max_attempts`` of them."""
    steps = _steps(ladder, _check_epsilon(epsilon))
    if start is not None:
        first = start if isinstance(start, RetryStep) else _steps([start], epsilon)[0]
        steps = [first, *[s for s in steps if s.is_stronger_than(first)]]
    if max_attempts is not None:
        if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
            raise InvalidParameterError(
                f"max_attempts must be an integer >= 1 or None, got {max_attempts!r}"
            )
        steps = steps[:max_attempts]
    return steps


def fit_until_private(
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    *,
    tester: PrivacyAttackTester,
    ladder: Any = None,
    max_attempts: int | None = None,
    seed: int = 0,
    start: RetryStep | tuple[str, dict[str, Any]] | None = None,
    schema: Schema | None = None,
    n_synthetic: int | None = None,
    epsilon: float = DEFAULT_EPSILON,
) -> tuple[Any, PrivacyRetryResult]:
    """Fit the ladder's settings in turn until one passes the audit.

    Args:
        train: the rows to learn from.
        holdout: real rows kept out of every fit, the audit's control.
        tester: the audit (its sensitive columns, quasi-identifiers, ``max_risk_level``);
            tables must not be bound to it.
        ladder: ``(method, params)`` steps or :class:`RetryStep`s from least to most private;
            default :func:`default_ladder` at ``epsilon``.
        max_attempts: at most this many fits (None: the whole ladder).
        seed: seed of every fit and generation.
        start: a first setting to try before the ladder (e.g. what AutoML chose); the ladder
            then continues with the steps stronger than it only.
        schema: the training rows' schema (inferred once when None).
        n_synthetic: rows generated for each audit (default ``len(train)``).
        epsilon: the DP copula's epsilon in the default ladder.

    Returns:
        ``(model, result)``: the fitted :class:`~genesis.generators.SyntheticGenerator` of the
        first passing attempt, and the :class:`PrivacyRetryResult` of every attempt.

    Raises:
        PrivacyRetryError: no attempt passed; ``error.result`` lists them.
    """
    from genesis.generators import SyntheticGenerator
    from genesis.schema import infer_schema

    train = require_frame(train, "train", min_rows=20)
    holdout = require_frame(holdout, "holdout", min_rows=20)
    seed = require_seed(seed)
    if seed is None:
        raise InvalidParameterError("seed must be a non-negative integer, got None")
    if not isinstance(tester, PrivacyAttackTester):
        raise InvalidParameterError(
            f"tester must be a PrivacyAttackTester, got {type(tester).__name__}; pass e.g. "
            "tester=PrivacyAttackTester(['income'], ['age', 'sex'])"
        )
    if tester.real_data is not None:
        raise InvalidParameterError(
            "the tester holds tables of its own; build it with the columns only, e.g. "
            "PrivacyAttackTester(sensitive_columns=[...], quasi_identifiers=[...])"
        )
    n = len(train) if n_synthetic is None else n_synthetic
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise InvalidParameterError(f"n_synthetic must be an integer >= 2, got {n_synthetic!r}")
    steps = plan(ladder, max_attempts=max_attempts, start=start, epsilon=epsilon)
    schema = infer_schema(train, seed=seed) if schema is None else schema
    result = PrivacyRetryResult([])
    for number, step in enumerate(steps, start=1):
        tick = time.perf_counter()
        model = SyntheticGenerator(step.method, seed=seed, **step.params).fit(train, schema)
        report = tester.run_all_attacks(train, model.generate(n, seed=seed), holdout, model=model)
        result.report = report
        result.attempts.append(
            PrivacyAttempt(
                attempt=number,
                method=step.method,
                params=dict(step.params),
                overall_risk=report.overall_risk.value,
                passed=bool(report.passed),
                failed_checks=report.failed_checks,
                copies=report.copy_check.near_copies if report.copy_check else None,
                seconds=round(time.perf_counter() - tick, 3),
            )
        )
        if report.passed:
            return model, result
    tried = "; ".join(
        f"{a.attempt}. {RetryStep(a.method, a.params).describe()}: {a.overall_risk}, failed "
        f"{', '.join(a.failed_checks)}"
        for a in result.attempts
    )
    raise PrivacyRetryError(
        f"no setting passed the privacy audit after {len(result.attempts)} attempt(s) ({tried}); "
        "add stronger steps to the ladder (larger min_samples_leaf, a smaller epsilon), raise "
        "max_attempts, or review the sensitive columns and quasi-identifiers",
        result,
    )


@dataclass
class PrivacyRetry:
    """How AutoML and :class:`~genesis.privacy_attacks.engine.PrivacyEngine` retry.

    Args:
        max_attempts: at most this many fits (None: the whole ladder).
        ladder: the settings to try (default :func:`default_ladder`).
        epsilon: the DP copula's epsilon in the default ladder.
        holdout_fraction: share of rows kept out of every fit as the audit's control when
            no holdout is given.
        tester: the audit; default ``PrivacyAttackTester(seed=seed)`` (membership inference,
            copies, distances).
    """

    max_attempts: int | None = None
    ladder: Any = None
    epsilon: float = DEFAULT_EPSILON
    holdout_fraction: float = 0.2
    tester: PrivacyAttackTester | None = None

    @classmethod
    def coerce(cls, value: Any) -> PrivacyRetry | None:
        """``None``/``False``/``0``: off; ``True``: defaults; an int: ``max_attempts``; a dict
        of the fields; or a :class:`PrivacyRetry`."""
        if value is None or value is False or (isinstance(value, int) and value == 0):
            return None
        if value is True:
            return cls()
        if isinstance(value, cls):
            return value
        if isinstance(value, int) and value > 0:
            return cls(max_attempts=value)
        if isinstance(value, dict):
            unknown = sorted(set(value) - set(cls.__dataclass_fields__))
            if not unknown:
                return cls(**value)
        raise InvalidParameterError(
            f"privacy_retry must be None, True, a number of attempts, a dict of "
            f"{sorted(cls.__dataclass_fields__)} or a PrivacyRetry, got {value!r}"
        )

    def run(
        self,
        df: pd.DataFrame,
        *,
        holdout: pd.DataFrame | None = None,
        start: RetryStep | None = None,
        schema: Schema | None = None,
        seed: int = 0,
    ) -> tuple[Any, PrivacyRetryResult, pd.DataFrame, pd.DataFrame]:
        """Split ``df`` when no holdout is given, then :func:`fit_until_private`.

        Returns ``(model, result, train, holdout)``.
        """
        from genesis.splits import split_holdout

        if holdout is None:
            train, holdout = split_holdout(df, self.holdout_fraction, seed=seed)
        else:
            train = df
        model, result = fit_until_private(
            train,
            holdout,
            tester=self.tester or PrivacyAttackTester(seed=seed),
            ladder=self.ladder,
            max_attempts=self.max_attempts,
            seed=seed,
            start=start,
            schema=schema,
            epsilon=self.epsilon,
        )
        return model, result, train, holdout


def retry_automl(automl: Any, df: pd.DataFrame, schema: Schema) -> None:
    """AutoML's privacy retry: audit the winner's setting, step up the ladder on failure.

    The winner's setting is refitted on the rows outside the audit's holdout and audited;
    the model that passes (fitted on those rows) replaces ``best_``, so the shipped model is
    the audited one. Sets ``privacy_retry_`` (the :class:`PrivacyRetryResult`).
    """
    config = PrivacyRetry.coerce(automl.privacy_retry)
    if config is None:
        return
    start = RetryStep(automl.selected_method_, dict(automl.selected_params_))
    model, result, train, _ = config.run(df, start=start, schema=schema, seed=int(automl.seed))
    chosen = result.selected
    automl.best_ = model.synthesizer
    automl.transformer_ = model.synthesizer.transformer_
    automl.selected_method_ = chosen.method
    automl.selected_params_ = dict(chosen.params)
    automl.refitted_ = False
    automl.training_rows_ = len(train)
    automl.privacy_retry_ = result


__all__ = [
    "DEFAULT_EPSILON",
    "PrivacyAttempt",
    "PrivacyRetry",
    "PrivacyRetryResult",
    "RetryStep",
    "default_ladder",
    "fit_until_private",
    "plan",
    "retry_automl",
]
