"""Attribute inference: does the synthetic data let an attacker guess a sensitive value of a
person they know the other attributes of?

The attacker fits a model on the synthetic rows (``known`` columns -> the sensitive column)
and applies it to real training rows (the attack) and to holdout rows (the control). The
control is what the synthetic data teaches about anyone in the population; only the excess
on training rows is a leak. Two attack models:

- ``"nearest"`` (default, as in Anonymeter): the sensitive value of the closest synthetic
  row on the known columns. Sharp against memorisation: a copied record answers exactly.
- ``"model"``: a gradient-boosted tree model, the stronger learner of population patterns.

A categorical guess is right when equal; a numeric guess when within ``tolerance`` of the
true value, relatively (``|guess - true| <= tolerance * |true|``, exact for zero).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from genesis.errors import InvalidParameterError
from genesis.privacy_attacks.base import (
    AttributeResult,
    PrivacyAttack,
    check_attack_tables,
    check_columns,
    sample_rows,
)
from genesis.privacy_attacks.distance import neighbour_distances
from genesis.privacy_attacks.encoding import TableEncoder
from genesis.privacy_attacks.risk import RiskLevel, risk_with_interval
from genesis.validation import check_choice, check_int, check_seed

ATTACK_MODELS = ("nearest", "model")


class AttributeInferenceAttack(PrivacyAttack):
    """Infer sensitive columns of real rows from a model trained on synthetic rows.

    Args:
        model: ``"nearest"`` or ``"model"`` (see the module docstring).
        tolerance: relative tolerance of a right guess for numeric sensitive columns.
        max_rows: target rows per side (training, holdout); both sides get as many.
        max_synthetic: synthetic rows the attacker learns from (a random subset beyond it).
        seed: seed of the subsamples and the model.
    """

    name = "attribute_inference"

    def __init__(
        self,
        *,
        model: str = "nearest",
        tolerance: float = 0.05,
        max_rows: int = 5_000,
        max_synthetic: int = 30_000,
        seed: int = 0,
    ) -> None:
        self.model = model
        self.tolerance = tolerance
        self.max_rows = max_rows
        self.max_synthetic = max_synthetic
        self.seed = seed

    def run(
        self,
        real: pd.DataFrame,
        synthetic: pd.DataFrame,
        sensitive: list[str] | str,
        known: list[str] | None = None,
        *,
        holdout: pd.DataFrame,
        encoder: TableEncoder | None = None,
    ) -> dict[str, AttributeResult]:
        """One result per sensitive column, keyed by column name.

        Args:
            real: the generator's training rows.
            synthetic: the generated rows.
            sensitive: the column(s) to infer.
            known: the columns the attacker knows; default every other shared column.
            holdout: real rows the generator never saw (the control).
            encoder: a :class:`TableEncoder` fitted on all three tables (fitted when None).
        """
        check_choice("model", self.model, ATTACK_MODELS)
        if not isinstance(self.tolerance, (int, float)) or not 0 <= self.tolerance < 1:
            raise InvalidParameterError(
                f"tolerance must be a number in [0, 1), got {self.tolerance!r}; pass e.g. 0.05"
            )
        check_int("max_rows", self.max_rows, 10)
        check_int("max_synthetic", self.max_synthetic, 10)
        seed = check_seed(self.seed)
        real, synthetic, holdout, available = check_attack_tables(real, synthetic, holdout)
        sensitive = check_columns(sensitive, "sensitive columns", available)
        if not sensitive:
            raise InvalidParameterError(
                "no sensitive column given; pass the column(s) the attacker must not infer, "
                "e.g. sensitive=['income']"
            )
        if known is not None:
            known = check_columns(known, "known columns", available)
        rng = np.random.default_rng(seed)
        n = min(self.max_rows, len(real), len(holdout))
        targets = sample_rows(real, n, rng)
        controls = sample_rows(holdout, n, rng)
        synthetic = sample_rows(synthetic, self.max_synthetic, rng)
        if encoder is None:
            encoder = TableEncoder(available).fit(real, synthetic, holdout)
        results = {}
        for column in sensitive:
            columns = [c for c in (known or available) if c != column]
            if not columns:
                raise InvalidParameterError(
                    f"the attacker knows no column besides {column!r}; pass known columns"
                )
            results[column] = self._attack(
                encoder, synthetic, targets, controls, column, columns, seed
            )
        return results

    def _attack(
        self, encoder, synthetic, targets, controls, column, known, seed
    ) -> AttributeResult:
        guess_targets, guess_controls = self._guesses(
            encoder, synthetic, targets, controls, column, known, seed
        )
        right_targets = self._right(encoder, targets, column, guess_targets)
        right_controls = self._right(encoder, controls, column, guess_controls)
        figures = risk_with_interval(
            int(right_targets.sum()),
            len(right_targets),
            int(right_controls.sum()),
            len(right_controls),
        )
        numeric = column in encoder.mean_
        details = {
            **figures,
            "sensitive": column,
            "known": known,
            "attack_model": self.model,
            "numeric": numeric,
            "tolerance": self.tolerance if numeric else None,
            "n_synthetic": len(synthetic),
        }
        result = AttributeResult.from_risk(
            f"{self.name}:{column}",
            figures["attack_rate"],
            figures["risk"],
            figures["risk_ci"],
            control=figures["control_rate"],
            details=details,
        )
        result.interpretation = (
            f"Knowing {len(known)} other attribute(s), an attacker using the synthetic data guesses "
            f"'{column}' right for {figures['attack_rate']:.1%} of training rows and "
            f"{figures['control_rate']:.1%} of unseen rows. "
            + (
                "The difference is within what the population itself reveals."
                if result.risk_level is RiskLevel.LOW
                else "Training rows are guessed right more often: the synthetic data leaks this attribute."
            )
        )
        return result

    def _guesses(self, encoder, synthetic, targets, controls, column, known, seed):
        numeric = column in encoder.mean_
        y = encoder.numbers(synthetic, column) if numeric else encoder.codes(synthetic, column)
        if self.model == "nearest":
            reference = encoder.transform(synthetic, known)
            from sklearn.neighbors import NearestNeighbors

            index = NearestNeighbors(n_neighbors=1, algorithm="brute").fit(reference)
            return tuple(
                y[index.kneighbors(encoder.transform(t, known), return_distance=False)[:, 0]]
                for t in (targets, controls)
            )
        from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

        x = encoder.ordinal(synthetic, known)
        keep = ~np.isnan(y) if numeric else np.ones(len(y), dtype=bool)
        if numeric:
            learner = HistGradientBoostingRegressor(max_iter=100, random_state=seed)
        else:
            learner = HistGradientBoostingClassifier(max_iter=100, random_state=seed)
        if len(np.unique(y[keep])) < 2:
            constant = y[keep][0] if keep.any() else np.nan
            return tuple(np.full(len(t), constant) for t in (targets, controls))
        learner.fit(x[keep], y[keep])
        return tuple(learner.predict(encoder.ordinal(t, known)) for t in (targets, controls))

    def _right(self, encoder, df, column, guess) -> np.ndarray:
        if column not in encoder.mean_:
            return encoder.codes(df, column) == guess
        truth = encoder.numbers(df, column) * encoder.scale_[column] + encoder.mean_[column]
        guess = guess * encoder.scale_[column] + encoder.mean_[column]
        both_missing = np.isnan(truth) & np.isnan(guess)
        close = np.abs(guess - truth) <= self.tolerance * np.abs(truth)
        return both_missing | np.nan_to_num(close, nan=0).astype(bool)


__all__ = ["ATTACK_MODELS", "AttributeInferenceAttack", "neighbour_distances"]
