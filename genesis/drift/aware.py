"""``DriftAwareGenerator``: a synthesizer that refits itself when its data drifts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from genesis.drift.detector import DriftDetector
from genesis.drift.report import DriftReport
from genesis.errors import InvalidParameterError, NotFittedError
from genesis.validation import require_frame

STRATEGIES = ("refit", "weighted")


@dataclass(frozen=True)
class DriftUpdate:
    """What one :meth:`DriftAwareGenerator.update` found and did.

    Attributes:
        action: ``"none"`` (no dataset drift), ``"refit"`` (refitted on the current rows)
            or ``"weighted_refit"`` (refitted on a recency-weighted mix).
        report: the drift report of the current rows against the model's baseline.
        training_rows: rows the model was refitted on (0 when nothing was done).
        rows_by_age: for ``weighted``, rows taken from each generation, newest first.
    """

    action: str
    report: DriftReport
    training_rows: int
    rows_by_age: tuple[int, ...] = ()

    @property
    def refitted(self) -> bool:
        """Whether the model was refitted."""
        return self.action != "none"


class DriftAwareGenerator:
    """Wrap a synthesizer so that new data is checked for drift before it is learned.

    ``fit(df)`` fits the wrapped model as usual. ``update(current)`` compares ``current``
    with the baseline the model was trained on (a pseudo-sample of its ``baseline_profile_``,
    the per-column summary recorded at fit time: the model keeps no training rows) and, on
    dataset drift:

    - ``strategy="refit"``: refits on ``current`` alone;
    - ``strategy="weighted"``: refits on a recency-weighted mix: every row of ``current``
      plus, from each older generation of data, a random share ``decay ** age`` of its rows
      (age 1 = the previous generation), so old data fades out geometrically.

    Without drift nothing changes. Every call records a :class:`DriftUpdate` in
    ``last_update_`` and ``history_``.

    Args:
        base: a :class:`~genesis.generators.SyntheticGenerator` or any synthesizer with
            ``fit(df)``, ``generate(n, seed=None)`` and, once fitted, ``baseline_profile_``
            (a :class:`~genesis.drift.profile.BaselineProfile`).
            It may be fitted already.
        strategy: ``"refit"`` or ``"weighted"``.
        detector: the :class:`DriftDetector` to use (default: Evidently's defaults, with the
            wrapped model's ``schema_`` when it has one).
        decay: weight kept per generation of age in ``weighted`` (0 < decay < 1).
        max_generation_rows: rows kept per generation for ``weighted`` (a seeded sample).
        seed: seed of the row sampling.
    """

    def __init__(
        self,
        base: Any,
        strategy: str = "refit",
        *,
        detector: DriftDetector | None = None,
        decay: float = 0.5,
        max_generation_rows: int = 50_000,
        seed: int = 0,
    ) -> None:
        self.base = base
        self.strategy = strategy
        self.detector = detector
        self.decay = decay
        self.max_generation_rows = max_generation_rows
        self.seed = seed

    def _validate(self) -> None:
        if self.strategy not in STRATEGIES:
            raise InvalidParameterError(
                f"strategy must be one of {list(STRATEGIES)}, got {self.strategy!r}"
            )
        if not (
            callable(getattr(self.base, "fit", None))
            and callable(getattr(self.base, "generate", None))
        ):
            raise InvalidParameterError(
                f"base must be a synthesizer with fit() and generate(), got {type(self.base).__name__}; "
                "pass e.g. SyntheticGenerator('cart')"
            )
        if (
            isinstance(self.decay, bool)
            or not isinstance(self.decay, (int, float))
            or not 0 < self.decay < 1
        ):
            raise InvalidParameterError(f"decay must be in (0, 1), got {self.decay!r}; e.g. 0.5")
        if not isinstance(self.max_generation_rows, int) or self.max_generation_rows < 1:
            raise InvalidParameterError(
                f"max_generation_rows must be an integer >= 1, got {self.max_generation_rows!r}"
            )
        if self.detector is not None and not isinstance(self.detector, DriftDetector):
            raise InvalidParameterError(
                f"detector must be a genesis.drift.DriftDetector, got {type(self.detector).__name__}"
            )

    def fit(self, df: pd.DataFrame, schema=None) -> DriftAwareGenerator:
        """Fit the wrapped model on ``df`` and make ``df`` the first generation of data."""
        self._validate()
        self.base.fit(df, schema)
        self.generations_ = [self._keep(df, 0)]
        self.history_: list[DriftUpdate] = []
        self.last_update_: DriftUpdate | None = None
        return self

    def _baseline(self) -> pd.DataFrame:
        try:
            profile = self.base.baseline_profile_
        except (AttributeError, NotFittedError):
            raise NotFittedError(
                "the wrapped model has no baseline yet; call fit(df) on the DriftAwareGenerator "
                "(or fit the model) before update()"
            ) from None
        return profile.sample(seed=self.seed)

    def update(self, current: pd.DataFrame) -> DriftUpdate:
        """Check ``current`` for drift against the model's baseline; refit on drift."""
        self._validate()
        require_frame(current, "update()'s current data", min_rows=1)
        baseline = self._baseline()
        if not hasattr(self, "generations_"):  # wrapped an already-fitted model
            self.generations_ = [self._keep(baseline, 0)]
            self.history_ = []
        # the model's schema: its missing-value tokens count as missing, PII is compared by format
        detector = self.detector or DriftDetector(schema=getattr(self.base, "schema_", None))
        report = detector.detect(baseline, current)
        if not report.dataset_drift:
            result = DriftUpdate("none", report, 0)
        elif self.strategy == "refit":
            self.base.fit(current)
            self.generations_ = [self._keep(current, len(self.history_) + 1)]
            result = DriftUpdate("refit", report, len(current))
        else:
            self.generations_.append(self._keep(current, len(self.history_) + 1))
            mix, by_age = self._weighted_mix()
            self.base.fit(mix)
            result = DriftUpdate("weighted_refit", report, len(mix), by_age)
        self.history_.append(result)
        self.last_update_ = result
        return result

    def _keep(self, df: pd.DataFrame, salt: int) -> pd.DataFrame:
        if len(df) <= self.max_generation_rows:
            return df.reset_index(drop=True)
        rng = np.random.default_rng([self.seed, salt])
        rows = np.sort(rng.choice(len(df), self.max_generation_rows, replace=False))
        return df.iloc[rows].reset_index(drop=True)

    def _weighted_mix(self) -> tuple[pd.DataFrame, tuple[int, ...]]:
        rng = np.random.default_rng([self.seed, len(self.history_), 7])
        parts, by_age = [], []
        for age, frame in enumerate(reversed(self.generations_)):
            take = len(frame) if age == 0 else round(len(frame) * self.decay**age)
            if take == 0:
                by_age.append(0)
                continue
            rows = np.sort(rng.choice(len(frame), take, replace=False))
            parts.append(frame.iloc[rows])
            by_age.append(take)
        # generations whose share rounds to nothing are dropped for good
        while len(self.generations_) > 1 and by_age[len(self.generations_) - 1] == 0:
            self.generations_.pop(0)
            by_age.pop()
        mix = pd.concat(parts[::-1], ignore_index=True)
        return mix, tuple(by_age)

    def generate(self, n: int, seed: int | None = None, conditions: Any = None) -> pd.DataFrame:
        """``n`` synthetic rows from the current model; ``conditions`` as in
        :meth:`~genesis.generators.base.BaseSynthesizer.generate`."""
        return self.base.generate(n, seed=seed, conditions=conditions)

    def __repr__(self) -> str:
        return (
            f"DriftAwareGenerator({self.base!r}, strategy={self.strategy!r}, decay={self.decay!r})"
        )
