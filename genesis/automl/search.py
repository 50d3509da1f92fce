"""AutoML synthesis: choose the method by measuring candidates within a time budget.

The selector's meta-feature rules only order the search. Each candidate (a method and a few
hyperparameters) is fitted on a training split and scored on a held-out validation split
with :class:`~genesis.quality.QualityEvaluator` (fidelity and detectability against rows the
model never saw) and a distance-to-closest-record privacy score; the best is refitted on
every row. A candidate whose estimated cost does not fit in what is left of the budget is
skipped, and the leaderboard says why.
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from genesis.automl.meta_features import MetaFeatureExtractor, MetaFeatures
from genesis.automl.selector import MethodSelector, SelectionResult
from genesis.errors import InvalidDataError, InvalidParameterError, NotFittedError
from genesis.generators.base import (
    BaseSynthesizer,
    check_choice,
    check_int,
    check_seed,
    resolve_schema,
    validate_frame,
)
from genesis.schema.types import Schema

#: how a candidate's score is made of quality (fidelity + detectability) and privacy (DCR)
SCORINGS = ("quality", "privacy", "balanced")
_WEIGHTS = {"quality": (1.0, 0.0), "privacy": (0.3, 0.7), "balanced": (0.5, 0.5)}
#: the hyperparameter grid of the statistical methods; neural methods get epochs from the budget
GRID: dict[str, list[dict[str, Any]]] = {
    "cart": [{"min_samples_leaf": 10}, {"min_samples_leaf": 20}],
    "gaussian_copula": [{"marginals": "empirical"}, {"marginals": "parametric"}],
    "tvae": [{}],
    "ctgan": [{}],
}
NEURAL = ("tvae", "ctgan")
#: neural candidates train at least / at most this many epochs
MIN_EPOCHS, MAX_EPOCHS = 5, 300
#: at most this many validation rows (and as many synthetic rows) are scored per candidate
SCORE_ROWS = 3_000
#: rows of the training split used to time a neural method's epochs
PROBE_ROWS = 4_000
#: estimates are multiplied by this before being compared with the time left
SAFETY = 1.25
#: AutoML needs at least this many rows to hold some out for validation
MIN_ROWS = 20
#: parameters of neural candidates that may be passed through ``neural_params``
NEURAL_PARAMS = ("batch_size", "device", "torch_threads", "verbose")
# seconds per (row x column) of a first fit, before anything was measured on this table
_PRIOR_SECONDS_PER_CELL = {"cart": 6e-6, "gaussian_copula": 1.5e-6}
_TORCH_IMPORT_SECONDS = 4.0
# seconds per (row x column) of one epoch on one CPU thread (Adult, 2-core machine)
_PRIOR_EPOCH_SECONDS_PER_CELL = {"tvae": 1.6e-6, "ctgan": 8e-6}


def _prior_epoch(method: str, rows: int, columns: int) -> float:
    return _PRIOR_EPOCH_SECONDS_PER_CELL[method] * rows * columns


TrialCallback = Callable[[dict[str, Any]], None]


class AutoMLSynthesizer(BaseSynthesizer):
    """Pick and fit the synthesis method that scores best on held-out rows, within a budget.

    Args:
        methods: the methods to consider (default: all of :data:`genesis.generators.METHODS`).
        scoring: ``"quality"`` ranks candidates by the validation quality score (mean of the
            SDMetrics-style fidelity and the detection score); ``"privacy"`` by 0.3 x quality
            + 0.7 x privacy; ``"balanced"`` by their mean. Privacy is the distance-to-closest-
            record ratio (synthetic rows vs unseen real rows, capped at 1) discounted by exact
            copies beyond those unseen rows make.
        time_budget: seconds ``fit`` may take, search and final refit included. Candidates that
            cannot finish in what is left are skipped; ``fit`` returns within about 10% of it.
        validation_fraction: share of rows held out to score candidates (0.05 to 0.5).
        neural_params: extra parameters for the neural candidates (``device``,
            ``torch_threads``, ``batch_size``, ``verbose``).
        privacy_retry: opt-in: audit the winner and, when it fails, refit with the next
            stronger setting (see :mod:`genesis.privacy_attacks.retry`); None/False (off),
            True, a number of attempts, a dict or a ``PrivacyRetry``. The shipped model is
            then the audited one, fitted on the rows outside the audit's holdout, and
            ``privacy_retry_`` records every attempt.
        max_categories, seed: as for every synthesizer; the seed drives the split, every
            candidate and the scoring. Which candidates run depends on measured times, so a
            tight budget may choose differently on a slower machine.

    After :meth:`fit`: ``selected_method`` / ``selected_method_``, ``selected_params_``,
    ``selection_confidence`` / ``selection_confidence_``, ``leaderboard_`` (one row per trial),
    ``meta_features_``, ``selection_`` (the selector's prior), ``best_`` (the fitted winner),
    ``refitted_`` (whether the winner was refitted on every row), ``schema_``,
    ``fit_seconds_``.

    Example:
        >>> automl = AutoMLSynthesizer(time_budget=60).fit(df)
        >>> automl.selected_method, automl.leaderboard_[["method", "score", "status"]]
        >>> synthetic = automl.generate(10_000)
    """

    method = "auto"

    def __init__(
        self,
        *,
        methods: Sequence[str] | None = None,
        scoring: str = "quality",
        time_budget: float = 60.0,
        validation_fraction: float = 0.2,
        neural_params: dict[str, Any] | None = None,
        privacy_retry: Any = None,
        max_categories: int = 100,
        seed: int = 0,
    ) -> None:
        super().__init__(max_categories=max_categories, seed=seed)
        self.privacy_retry = privacy_retry
        self.methods = methods
        self.scoring = scoring
        self.time_budget = time_budget
        self.validation_fraction = validation_fraction
        self.neural_params = neural_params

    # -- validation -------------------------------------------------------------------------
    def _validate_params(self) -> None:
        from genesis.generators import METHODS
        from genesis.privacy_attacks.retry import PrivacyRetry

        super()._validate_params()
        PrivacyRetry.coerce(self.privacy_retry)
        if self.methods is not None:
            if isinstance(self.methods, str) or not isinstance(self.methods, Sequence):
                raise InvalidParameterError(
                    f"methods must be a list of method names or None, got {self.methods!r}; "
                    f"pass e.g. methods=['cart', 'gaussian_copula']"
                )
            unknown = [m for m in self.methods if m not in METHODS]
            if unknown or not self.methods or len(set(self.methods)) != len(self.methods):
                raise InvalidParameterError(
                    f"methods must list distinct methods among {list(METHODS)}, got "
                    f"{list(self.methods)!r}; pass e.g. methods=['cart', 'tvae'] or None for all"
                )
        check_choice("scoring", self.scoring, SCORINGS)
        budget = self.time_budget
        if (
            isinstance(budget, bool)
            or not isinstance(budget, int | float)
            or not math.isfinite(budget)
            or budget <= 0
        ):
            raise InvalidParameterError(
                f"time_budget must be a positive number of seconds, got {budget!r}; pass e.g. "
                "time_budget=60"
            )
        fraction = self.validation_fraction
        if (
            isinstance(fraction, bool)
            or not isinstance(fraction, int | float)
            or not (0.05 <= fraction <= 0.5)
        ):
            raise InvalidParameterError(
                f"validation_fraction must be a number in [0.05, 0.5], got {fraction!r}; "
                "pass e.g. validation_fraction=0.2"
            )
        if self.neural_params is not None:
            if not isinstance(self.neural_params, dict):
                raise InvalidParameterError(
                    f"neural_params must be a dict or None, got {type(self.neural_params).__name__}"
                )
            unknown = sorted(set(self.neural_params) - set(NEURAL_PARAMS))
            if unknown:
                raise InvalidParameterError(
                    f"neural_params takes only {list(NEURAL_PARAMS)}, got {unknown}; the epochs "
                    "follow from time_budget"
                )

    # -- fitting ----------------------------------------------------------------------------
    def fit(
        self,
        df: pd.DataFrame,
        schema: Schema | None = None,
        *,
        on_trial: TrialCallback | None = None,
    ) -> AutoMLSynthesizer:
        """Search the candidates on ``df`` within ``time_budget`` seconds and keep the best.

        Args:
            df: the real table (at least 20 rows).
            schema: its schema; inferred when not given.
            on_trial: called with each leaderboard row (a dict) as soon as its trial ends,
                e.g. to log it to an experiment tracker. Not stored with the model.

        Returns:
            self, fitted: :meth:`generate` draws from the winner.
        """
        start = time.perf_counter()
        self._validate_params()
        df = validate_frame(df)
        if on_trial is not None and not callable(on_trial):
            raise InvalidParameterError(
                f"on_trial must be a callable taking a dict, got {type(on_trial).__name__}"
            )
        if len(df) < MIN_ROWS:
            raise InvalidDataError(
                f"AutoML needs at least {MIN_ROWS} rows to hold some out for scoring, got "
                f"{len(df)}; pick a method yourself, e.g. SyntheticGenerator('gaussian_copula')"
            )
        deadline = start + float(self.time_budget)
        schema = resolve_schema(df, schema)
        features = MetaFeatureExtractor(seed=int(self.seed)).extract(df, schema)
        selection = MethodSelector().select(features)
        search = _Search(self, df, schema, selection, deadline, on_trial)
        search.run()
        self._finish(search, df, schema, features, selection, deadline)
        if self.privacy_retry:
            from genesis.privacy_attacks.retry import retry_automl

            retry_automl(self, df, schema)
        self.fit_seconds_ = time.perf_counter() - start
        return self

    def _finish(self, search, df, schema, features, selection, deadline) -> None:
        trials = search.trials
        ok = [t for t in trials if t["status"] == "ok"]
        if not ok:
            needed = min((t.get("estimated_seconds") or math.inf for t in trials), default=0.0)
            raise InvalidParameterError(
                f"time_budget={self.time_budget} s was too short to fit any candidate on "
                f"{len(df):,} rows (the cheapest needed about {needed:.1f} s; reasons: "
                f"{[t['reason'] for t in trials][:3]}); raise time_budget"
            )
        best = max(ok, key=lambda t: (t["score"], -t["fit_seconds"]))
        best["selected"] = True
        model = search.models[best["trial"]]
        refit_estimate = best["fit_seconds"] * len(df) / max(search.n_train, 1) * SAFETY
        left = deadline - time.perf_counter()
        if refit_estimate <= left:
            model = _make(best["method"], best["params"], self)
            model.fit(df, schema)
            self.refitted_ = True
            best["reason"] = _join(best["reason"], f"selected; refitted on all {len(df):,} rows")
        else:
            self.refitted_ = False
            best["reason"] = _join(
                best["reason"],
                f"selected; kept the model fitted on {search.n_train:,} training rows (refit "
                f"needs ~{refit_estimate:.1f} s, {max(left, 0):.1f} s left)",
            )
        others = [t["score"] for t in ok if t["method"] != best["method"]]
        if others:
            gap = best["score"] - max(others)
            confidence = 0.5 + 0.5 * min(1.0, max(gap, 0.0) / 0.05)
        else:
            confidence = next(
                r.confidence for r in selection.all_recommendations if r.method == best["method"]
            )
        board = pd.DataFrame(trials)
        board["params"] = board["params"].map(lambda p: json.dumps(p, sort_keys=True))
        board["rank"] = board["score"].rank(ascending=False, method="first").astype("Int64")
        self.leaderboard_ = board[[c for c in _BOARD_COLUMNS if c in board.columns]]
        self.selected_method_ = best["method"]
        self.selected_params_ = dict(best["params"])
        self.selection_confidence_ = round(float(confidence), 3)
        self.meta_features_ = features
        self.selection_ = selection
        self.best_ = model
        # the drift baseline (when synthesizers keep one) describes every training row
        for owner in (model, self) if not self.refitted_ else (self,):
            record = getattr(owner, "_record_baseline", None)
            if callable(record):
                record(df)
        self.schema_ = schema
        self.transformer_ = model.transformer_
        self.n_rows_ = len(df)
        self.training_rows_ = search.n_train
        self.validation_rows_ = search.n_validation

    # -- results ----------------------------------------------------------------------------
    @property
    def selected_method(self) -> str:
        """The winning method (same as ``selected_method_``)."""
        self._check_fitted()
        return self.selected_method_

    @property
    def selection_confidence(self) -> float:
        """How clearly the winner won, in [0.5, 1]: 0.5 + 0.5 x min(1, lead / 0.05), where the
        lead is its score minus the best score of another method (the selector's prior
        confidence when only one method ran)."""
        self._check_fitted()
        return self.selection_confidence_

    def generate(self, n: int, seed: int | None = None) -> pd.DataFrame:
        """``n`` synthetic rows from the winning model (``seed`` None: the constructor's)."""
        self._check_fitted()
        return self.best_.generate(n, seed=self.seed if seed is None else seed)

    def best_generator(self):
        """The winner as a :class:`~genesis.generators.SyntheticGenerator` of its own method."""
        from genesis.generators import SyntheticGenerator

        self._check_fitted()
        generator = SyntheticGenerator(
            self.selected_method_, seed=int(self.seed), **self.selected_params_
        )
        generator.synthesizer = self.best_
        return generator

    def _check_fitted(self) -> None:
        if "best_" not in self.__dict__:
            raise NotFittedError(
                "this AutoMLSynthesizer is not fitted yet; call fit(df) before generate(), "
                "save() or reading the selection"
            )

    def _before_save(self) -> None:
        self.best_._before_save()


_BOARD_COLUMNS = (
    "trial",
    "rank",
    "method",
    "params",
    "status",
    "reason",
    "prior_confidence",
    "estimated_seconds",
    "probe_seconds",
    "fit_seconds",
    "score_seconds",
    "score",
    "overall_score",
    "quality_score",
    "detection_auc",
    "privacy_score",
    "dcr_ratio",
    "exact_copy_share",
    "selected",
)


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def _make(method: str, params: dict[str, Any], owner: AutoMLSynthesizer) -> BaseSynthesizer:
    from genesis.generators import get_synthesizer_class

    cls = get_synthesizer_class(method)
    return cls(max_categories=owner.max_categories, seed=int(owner.seed), **params)


class _Search:
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
        from genesis.generators import METHODS

        self.owner = owner
        self.schema = schema
        self.deadline = deadline
        self.on_trial = on_trial
        self.seed = check_seed(owner.seed)
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
            model = _make(method, {"epochs": epochs, **extra}, self.owner)
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
            model = _make(method, params, self.owner)
            tick = time.perf_counter()
            model.fit(self.train, self.schema)
            trial["fit_seconds"] = round(time.perf_counter() - tick, 3)
            self.fit_seconds[method] = max(
                self.fit_seconds.get(method, 0.0), time.perf_counter() - tick
            )
            tick = time.perf_counter()
            synthetic = model.generate(len(self.validation), seed=self.seed)
            scores = score_candidate(
                self.reference, self.validation, synthetic, self.schema, self.seed
            )
            elapsed = time.perf_counter() - tick
        except Exception as exc:  # a method that cannot fit this table is reported, not fatal
            trial["status"] = "failed"
            trial["reason"] = _join(note, f"failed: {type(exc).__name__}: {exc}")
            self.record(trial)
            return
        self.score_seconds.append(elapsed)
        quality_weight, privacy_weight = _WEIGHTS[self.owner.scoring]
        trial.update(scores)
        trial["score_seconds"] = round(elapsed, 3)
        trial["score"] = round(
            quality_weight * scores["overall_score"] + privacy_weight * scores["privacy_score"], 4
        )
        trial["status"] = "ok"
        trial["reason"] = note
        self.models[trial["trial"]] = model
        self.record(trial)


def score_candidate(
    reference: pd.DataFrame,
    validation: pd.DataFrame,
    synthetic: pd.DataFrame,
    schema: Schema,
    seed: int,
) -> dict[str, float]:
    """Quality of ``synthetic`` against unseen ``validation`` rows, privacy against the
    ``reference`` training rows.

    Returns ``overall_score`` and ``quality_score`` / ``detection_auc`` from
    :class:`~genesis.quality.QualityEvaluator`; ``dcr_ratio`` (median distance of synthetic
    rows to their closest training row over the same for validation rows),
    ``exact_copy_share`` and ``privacy_score`` = min(1, dcr_ratio) x (1 - copies beyond the
    share of validation rows that equal a training row).
    """
    from genesis.quality import QualityEvaluator
    from genesis.quality._prepare import prepare_tables
    from genesis.quality.privacy import distance_to_closest_record

    report = QualityEvaluator(validation, synthetic, schema=schema, seed=seed).evaluate()
    prepared = prepare_tables(
        {"real": reference, "synthetic": synthetic, "holdout": validation}, schema
    )
    if prepared.modelled:
        real_hashes = prepared.row_hashes("real")
        copies = float(np.isin(prepared.row_hashes("synthetic"), real_hashes).mean())
        baseline = float(np.isin(prepared.row_hashes("holdout"), real_hashes).mean())
        _, _, ratio = distance_to_closest_record(prepared, seed)
    else:
        copies, baseline, ratio = 0.0, 0.0, float("nan")
    ratio_part = 1.0 if ratio is None or not np.isfinite(ratio) else min(float(ratio), 1.0)
    privacy = ratio_part * (1.0 - max(copies - baseline, 0.0))

    def number(value: float) -> float:
        return round(float(value), 4) if value is not None and np.isfinite(value) else float("nan")

    overall = report.overall_score if np.isfinite(report.overall_score) else 0.0
    return {
        "overall_score": number(overall),
        "quality_score": number(report.quality_score),
        "detection_auc": number(report.detection_auc),
        "privacy_score": number(privacy),
        "dcr_ratio": number(ratio) if ratio is not None else float("nan"),
        "exact_copy_share": number(copies),
    }


def auto_synthesize(
    df: pd.DataFrame,
    n_samples: int | None = None,
    *,
    time_budget: float = 60.0,
    scoring: str = "quality",
    seed: int = 0,
    **kwargs: Any,
) -> pd.DataFrame:
    """One line from a real table to a synthetic one: AutoML fit, then generate.

    Args:
        df: the real table.
        n_samples: rows to generate (default: as many as ``df``).
        time_budget, scoring, seed, **kwargs: passed to :class:`AutoMLSynthesizer`.
    """
    if n_samples is not None:
        check_int("n_samples", n_samples, 0)
    unknown = sorted(set(kwargs) - set(AutoMLSynthesizer._param_names()))
    if unknown:
        raise InvalidParameterError(
            f"auto_synthesize does not take {unknown}; AutoMLSynthesizer's parameters are "
            f"{AutoMLSynthesizer._param_names()}"
        )
    model = AutoMLSynthesizer(time_budget=time_budget, scoring=scoring, seed=seed, **kwargs)
    model.fit(df)
    return model.generate(len(df) if n_samples is None else int(n_samples))


__all__ = ["SCORINGS", "AutoMLSynthesizer", "MetaFeatures", "auto_synthesize", "score_candidate"]
