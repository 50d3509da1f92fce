"""PrivacyEngine: private synthesis and its audit behind one entry point.

The architecture's core holds a ``PrivacyEngine`` beside the generator and the evaluator.
Without it, a user who wants "a synthetic twin that passes the audit" wires four things by
hand: a holdout split, a DP copula's ``epsilon``/``delta``, a
:class:`~genesis.privacy_attacks.PrivacyAttackTester` with the same columns and limit at
every call, and a retry loop. The engine holds those settings once::

    engine = PrivacyEngine(max_risk_level="MEDIUM", sensitive_columns=["income"],
                           quasi_identifiers=["age", "sex"], privacy_retry=3, seed=0)
    engine.fit(train, holdout)               # method "auto", "cart", ... or epsilon=...
    synthetic = engine.generate(len(train))
    report = engine.audit(train, synthetic, holdout)

With ``epsilon`` set, ``fit`` trains the differentially private Gaussian copula. With
``privacy_retry`` set, ``fit`` audits the chosen setting and steps up the ladder of
:mod:`genesis.privacy_attacks.retry` until one passes (``retry_`` records every attempt).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from genesis.errors import InvalidParameterError, NotFittedError
from genesis.privacy_attacks.audit_report import PrivacyAuditReport
from genesis.privacy_attacks.copies import DEFAULT_ALPHA
from genesis.privacy_attacks.retry import (
    PrivacyRetry,
    PrivacyRetryResult,
    RetryStep,
    _check_epsilon,
    fit_until_private,
)
from genesis.privacy_attacks.risk import RiskLevel
from genesis.privacy_attacks.tester import PrivacyAttackTester
from genesis.validation import require_seed, validate_frame


class PrivacyEngine:
    """Fit a generator under privacy settings and audit what it generates.

    Args:
        max_risk_level: the worst overall audit level accepted (default ``"MEDIUM"``).
        sensitive_columns: columns an attacker must not infer.
        quasi_identifiers: columns an attacker could know from elsewhere.
        epsilon, delta: when ``epsilon`` is set, ``fit`` trains the differentially private
            Gaussian copula with this budget (``delta`` None: the copula's default).
        privacy_retry: opt-in retry on a failed audit (see :class:`PrivacyRetry`): None/False,
            True, a number of attempts, a dict or a ``PrivacyRetry``.
        holdout_fraction: share of rows kept out of the fit as the audit's control when
            ``fit`` gets no holdout and a retry needs one.
        copy_alpha, max_rows: as for :class:`PrivacyAttackTester`.
        seed: seed of the split, every fit, generation and attack.

    After :meth:`fit`: ``model_`` (a fitted :class:`~genesis.generators.SyntheticGenerator`
    or AutoML model), ``method_``, ``params_``, ``retry_`` (a :class:`PrivacyRetryResult`, or
    None without retry) and ``audit_`` (the retry's last audit, or None).
    """

    def __init__(
        self,
        *,
        max_risk_level: RiskLevel | str = RiskLevel.MEDIUM,
        sensitive_columns: list[str] | None = None,
        quasi_identifiers: list[str] | None = None,
        epsilon: float | None = None,
        delta: float | None = None,
        privacy_retry: Any = None,
        holdout_fraction: float = 0.2,
        copy_alpha: float = DEFAULT_ALPHA,
        max_rows: int = 5_000,
        seed: int = 0,
    ) -> None:
        self.max_risk_level = max_risk_level
        self.sensitive_columns = sensitive_columns
        self.quasi_identifiers = quasi_identifiers
        self.epsilon = epsilon
        self.delta = delta
        self.privacy_retry = privacy_retry
        self.holdout_fraction = holdout_fraction
        self.copy_alpha = copy_alpha
        self.max_rows = max_rows
        self.seed = seed

    def tester(self) -> PrivacyAttackTester:
        """The audit with the engine's columns, limit and seed."""
        RiskLevel.parse(self.max_risk_level)
        return PrivacyAttackTester(
            sensitive_columns=self.sensitive_columns,
            quasi_identifiers=self.quasi_identifiers,
            max_risk_level=self.max_risk_level,
            max_rows=self.max_rows,
            copy_alpha=self.copy_alpha,
            seed=self._seed(),
        )

    def _seed(self) -> int:
        seed = require_seed(self.seed)
        if seed is None:
            raise InvalidParameterError("seed must be a non-negative integer, got None")
        return seed

    def _step(self, method: str, params: dict[str, Any]) -> RetryStep:
        if self.epsilon is None:
            if "epsilon" in params:
                raise InvalidParameterError(
                    "pass epsilon to PrivacyEngine(epsilon=...), not to fit(), so the audit "
                    "and the model share one budget"
                )
            return RetryStep(method, params)
        epsilon = _check_epsilon(self.epsilon)
        if method not in ("auto", "gaussian_copula"):
            raise InvalidParameterError(
                f"method {method!r} is not differentially private; with epsilon set use "
                "method='gaussian_copula' (or 'auto'), or drop epsilon"
            )
        dp = {"epsilon": epsilon, **({} if self.delta is None else {"delta": self.delta})}
        return RetryStep("gaussian_copula", {**params, **dp})

    def fit(
        self,
        train: pd.DataFrame,
        holdout: pd.DataFrame | None = None,
        method: str = "auto",
        **params: Any,
    ) -> PrivacyEngine:
        """Fit a generator on ``train`` under the engine's privacy settings; returns self.

        Args:
            train: the real rows to learn from.
            holdout: real rows kept out, the retry's audit control; split off ``train``
                (``holdout_fraction``) when a retry needs one and none is given.
            method: ``"auto"`` (AutoML; the DP copula when ``epsilon`` is set) or a method of
                :data:`genesis.generators.METHODS`.
            **params: the method's parameters.
        """
        from genesis.generators import SyntheticGenerator

        train = validate_frame(train, "train")
        if holdout is not None:
            holdout = validate_frame(holdout, "holdout")
        seed = self._seed()
        retry = PrivacyRetry.coerce(self.privacy_retry)
        step = self._step(method, dict(params))
        self.retry_: PrivacyRetryResult | None = None
        self.audit_: PrivacyAuditReport | None = None
        if retry is None:
            if step.method == "auto":
                from genesis.automl import AutoMLSynthesizer

                model = AutoMLSynthesizer(seed=seed, **step.params).fit(train)
            else:
                model = SyntheticGenerator(step.method, seed=seed, **step.params).fit(train)
        else:
            if holdout is None:
                from genesis.splits import split_holdout

                train, holdout = split_holdout(train, retry.holdout_fraction, seed=seed)
            if step.method == "auto":
                from genesis.automl import AutoMLSynthesizer

                chosen = AutoMLSynthesizer(seed=seed, **step.params).fit(train)
                step = RetryStep(chosen.selected_method_, dict(chosen.selected_params_))
            epsilon = self.epsilon if self.epsilon is not None else retry.epsilon
            model, self.retry_ = fit_until_private(
                train,
                holdout,
                tester=retry.tester or self.tester(),
                ladder=retry.ladder,
                max_attempts=retry.max_attempts,
                seed=seed,
                start=step,
                epsilon=epsilon,
            )
            step = RetryStep(self.retry_.selected.method, self.retry_.selected.params)
            self.audit_ = self.retry_.report
        self.model_ = model
        self.method_ = getattr(model, "selected_method_", step.method)
        self.params_ = dict(getattr(model, "selected_params_", step.params))
        return self

    def _check_fitted(self) -> None:
        if "model_" not in self.__dict__:
            raise NotFittedError("this PrivacyEngine is not fitted yet; call fit(train) first")

    def generate(self, n: int, seed: int | None = None) -> pd.DataFrame:
        """``n`` synthetic rows from the fitted model (``seed`` None: the engine's)."""
        self._check_fitted()
        return self.model_.generate(n, seed=self._seed() if seed is None else seed)

    def audit(
        self, train: pd.DataFrame, synthetic: pd.DataFrame, holdout: pd.DataFrame
    ) -> PrivacyAuditReport:
        """Audit ``synthetic`` with the engine's settings (the model's DP budget included
        when fitted)."""
        model = self.__dict__.get("model_")
        return self.tester().run_all_attacks(train, synthetic, holdout, model=model)


__all__ = ["PrivacyEngine"]
