"""One AutoML search: split the table, run the candidates within the budget, keep trials."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from genesis.automl.candidates import (
    _PRIOR_SECONDS_PER_CELL,
    _TORCH_IMPORT_SECONDS,
    GRID,
    MAX_EPOCHS,
    MIN_EPOCHS,
    NEURAL,
    PROBE_ROWS,
    SAFETY,
    SCORE_ROWS,
    _prior_epoch,
    make_candidate,
)
from genesis.automl.scoring import candidate_score, score_candidate
from genesis.automl.selector import SelectionResult
from genesis.generators.base import BaseSynthesizer, check_seed
from genesis.generators.methods import METHODS
from genesis.generators.seeding import SKLEARN, library_seed
from genesis.schema.types import Schema

if TYPE_CHECKING:  # pragma: no cover
    from genesis.automl.synthesizer import AutoMLSynthesizer

TrialCallback = Callable[[dict[str, Any]], None]


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


class CandidateSearch:
    """One search: the split, the candidates in prior order, their trials and models."""

    def __init__(
        self,
        owner: AutoMLSynthesizer,
        df: pd.DataFrame,
        schema: Schema,
        selection: SelectionResult,
        deadline: float,
        on_trial: TrialCallback | None,
    ) -> None:
        self.owner = owner
        self.schema = schema
        self.deadline = deadline
        self.on_trial = on_trial
        self.seed = check_seed(owner.seed)
        # scikit-learn (the evaluator's classifiers) takes seeds below 2**32 only
        self.score_seed = library_seed(self.seed, SKLEARN)
        rng = np.random.default_rng(self.seed)
        order = rng.permutation(len(df))
        n_val = max(int(round(len(df) * owner.validation_fraction)), 2)
        train_rows, validation_rows = order[n_val:], order[:n_val]
        self.train = df.iloc[np.sort(train_rows)].reset_index(drop=True)
        self.n_train, self.n_validation = len(train_rows), len(validation_rows)
        # random subsets (the permutation's first rows), kept in source order
        self.validation = df.iloc[np.sort(validation_rows[:SCORE_ROWS])].reset_index(drop=True)
        self.reference = df.iloc[np.sort(train_rows[: SCORE_ROWS * 2])].reset_index(drop=True)
        allowed = list(owner.methods) if owner.methods is not None else list(METHODS)
        self.priors = {r.method: r.confidence for r in selection.all_recommendations}
        self.methods = [m for m in selection.ranking if m in allowed]
        self.trials: list[dict[str, Any]] = []
        self.models: dict[int, BaseSynthesizer] = {}
        self.fit_seconds: dict[str, float] = {}
        self.score_seconds: list[float] = []

    def make(self, method: str, params: dict[str, Any]) -> BaseSynthesizer:
        """An unfitted candidate with the owner's shared settings."""
        return make_candidate(
            method,
            params,
            max_categories=self.owner.max_categories,
            seed=self.seed,
            rare_rows=int(self.owner.rare_rows),
        )

    # -- estimates ----------------------------------------------------------------------------
    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def refit_factor(self) -> float:
        return (self.n_train + self.n_validation) / self.n_train * SAFETY

    def reserve(self) -> float:
        """Seconds kept back to refit the best candidate so far on every row."""
        ok = [t for t in self.trials if t["status"] == "ok"]
        if not ok:
            return 0.0
        best = max(ok, key=lambda t: t["score"])
        return best["fit_seconds"] * self.refit_factor()

    def score_estimate(self) -> float:
        if self.score_seconds:
            return float(np.mean(self.score_seconds))
        return 0.4 + 2.5e-4 * len(self.validation)

    def fit_estimate(self, method: str) -> float:
        if method in self.fit_seconds:
            return self.fit_seconds[method]
        cells = self.n_train * len(self.schema)
        return _PRIOR_SECONDS_PER_CELL[method] * cells

    # -- the loop -------------------------------------------------------------------------------
    def run(self) -> None:
        for method in self.methods:
            for params in GRID[method]:
                if method in NEURAL:
                    self.neural_trial(method)
                else:
                    self.statistical_trial(method, params)

    def new_trial(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "trial": len(self.trials),
            "method": method,
            "params": dict(params),
            "status": "skipped",
            "reason": "",
            "prior_confidence": self.priors.get(method),
            "estimated_seconds": None,
            "probe_seconds": None,
            "fit_seconds": None,
            "score_seconds": None,
            "score": float("nan"),
            "selected": False,
        }

    def record(self, trial: dict[str, Any]) -> None:
        self.trials.append(trial)
        if self.on_trial is not None:
            self.on_trial(dict(trial))

    def statistical_trial(self, method: str, params: dict[str, Any]) -> None:
        trial = self.new_trial(method, params)
        fit = self.fit_estimate(method)
        cost = (fit + self.score_estimate()) * SAFETY
        needed = cost + max(self.reserve(), fit * self.refit_factor())
        trial["estimated_seconds"] = round(cost, 3)
        if needed > self.left():
            trial["reason"] = (
                f"skipped: needs ~{needed:.1f} s (trial and refit), {max(self.left(), 0):.1f} s left"
            )
            self.record(trial)
            return
        self.evaluate(trial)

    def neural_trial(self, method: str) -> None:
        trial = self.new_trial(method, {})
        extra = dict(self.owner.neural_params or {})
        torch_cost = 0.0 if "ctgan" in sys.modules else _TORCH_IMPORT_SECONDS
        probe_rows = min(PROBE_ROWS, max(self.n_train // 2, min(self.n_train, 200)))
        probe_guess = (
            torch_cost
            + 2.0 * (0.5 + 5e-4 * probe_rows)
            + 5.0 * _prior_epoch(method, probe_rows, len(self.schema))
        )
        reserve = self.reserve()
        # optimistic: half the usual seconds per epoch, so only hopeless cases skip the probe
        hopeful = 0.5 * MIN_EPOCHS * _prior_epoch(method, self.n_train, len(self.schema))
        hopeful *= SAFETY
        if probe_guess + hopeful + reserve + self.score_estimate() > self.left():
            trial["estimated_seconds"] = round(probe_guess + hopeful, 3)
            trial["reason"] = (
                f"skipped: timing its epochs and {MIN_EPOCHS} epochs need at least "
                f"~{probe_guess + hopeful:.1f} s, {max(self.left() - reserve, 0):.1f} s left after "
                "the refit reserve"
            )
            self.record(trial)
            return
        tick = time.perf_counter()
        try:
            overhead, per_epoch = self.probe(method, probe_rows, extra)
        except Exception as exc:  # a method that cannot fit this table is reported, not fatal
            trial["status"] = "failed"
            trial["reason"] = f"probe failed: {type(exc).__name__}: {exc}"
            trial["probe_seconds"] = round(time.perf_counter() - tick, 3)
            self.record(trial)
            return
        trial["probe_seconds"] = round(time.perf_counter() - tick, 3)
        # what is left after the best-so-far's refit reserve pays for this fit and its scoring;
        # should it win without time left to refit, the model fitted on the training split stays
        reserve = self.reserve()
        available = self.left() - reserve - self.score_estimate() * SAFETY
        fit_share = available / SAFETY
        epochs = int((fit_share - overhead) / per_epoch) if per_epoch > 0 else MAX_EPOCHS
        epochs = min(epochs, MAX_EPOCHS)
        probe_note = (
            f"probe: {per_epoch:.2f} s/epoch + {overhead:.1f} s setup on {self.n_train:,} rows"
        )
        if epochs < MIN_EPOCHS:
            need = (overhead + MIN_EPOCHS * per_epoch) * SAFETY
            trial["estimated_seconds"] = round(need, 3)
            trial["reason"] = _join(
                f"skipped: {MIN_EPOCHS} epochs need ~{need:.1f} s, {max(available, 0):.1f} s left",
                probe_note,
            )
            self.record(trial)
            return
        trial["params"] = {"epochs": epochs, **extra}
        trial["estimated_seconds"] = round(
            (overhead + epochs * per_epoch + self.score_estimate()) * SAFETY, 3
        )
        self.evaluate(trial, note=_join(f"epochs from the budget ({epochs})", probe_note))

    def probe(self, method: str, rows: int, extra: dict[str, Any]) -> tuple[float, float]:
        """Setup seconds and seconds per epoch on the whole training split, measured.

        Two short fits on ``rows`` training rows, of 1 and 4 epochs, give the seconds per epoch
        and the setup (the mode-specific normalisation); both are scaled linearly to the
        training split. Setup has a fixed part, so the scaled figure errs on the safe side.
        """
        # imported first, so their one-off import cost is not taken for setup or an epoch
        import ctgan  # noqa: F401
        import torch  # noqa: F401

        def timed(epochs: int) -> float:
            model = self.make(method, {"epochs": epochs, **extra})
            tick = time.perf_counter()
            model.fit(self.train.iloc[:rows], self.schema)
            return time.perf_counter() - tick

        one, four = timed(1), timed(4)
        per_epoch = max((four - one) / 3.0, one * 0.05)
        setup = max(one - per_epoch, 0.0)
        scale = self.n_train / rows
        return setup * scale, per_epoch * scale

    def evaluate(self, trial: dict[str, Any], note: str = "") -> None:
        method, params = trial["method"], trial["params"]
        try:
            model = self.make(method, params)
            tick = time.perf_counter()
            model.fit(self.train, self.schema)
            trial["fit_seconds"] = round(time.perf_counter() - tick, 3)
            self.fit_seconds[method] = max(
                self.fit_seconds.get(method, 0.0), time.perf_counter() - tick
            )
            tick = time.perf_counter()
            synthetic = model.generate(len(self.validation), seed=self.seed)
            scores = score_candidate(
                self.reference, self.validation, synthetic, self.schema, self.score_seed
            )
            elapsed = time.perf_counter() - tick
        except Exception as exc:  # a method that cannot fit this table is reported, not fatal
            trial["status"] = "failed"
            trial["reason"] = _join(note, f"failed: {type(exc).__name__}: {exc}")
            self.record(trial)
            return
        self.score_seconds.append(elapsed)
        trial.update(scores)
        trial["score_seconds"] = round(elapsed, 3)
        trial["score"] = candidate_score(scores, self.owner.scoring)
        trial["status"] = "ok"
        trial["reason"] = note
        self.models[trial["trial"]] = model
        self.record(trial)
