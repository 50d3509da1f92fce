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
import time
from collections.abc import Sequence
from typing import Any

import pandas as pd

from genesis.automl.candidates import MIN_ROWS, NEURAL_PARAMS, SAFETY, make_candidate
from genesis.automl.meta_features import MetaFeatureExtractor
from genesis.automl.scoring import SCORINGS
from genesis.automl.selector import MethodSelector
from genesis.automl.trials import CandidateSearch, TrialCallback, _join
from genesis.errors import InvalidDataError, InvalidParameterError, NotFittedError
from genesis.generators.base import (
    BaseSynthesizer,
    check_choice,
    check_int,
    check_min_rows,
    resolve_schema,
    validate_frame,
)
from genesis.generators.methods import METHODS, GenerationMethod
from genesis.generators.seeding import SKLEARN, library_seed
from genesis.schema.types import Schema


class AutoMLSynthesizer(BaseSynthesizer):
    """Pick and fit the synthesis method that scores best on held-out rows, within a budget.

    Args:
        methods: the methods to consider (default: all of :data:`genesis.generators.METHODS`).
        scoring: ``"quality"`` ranks candidates by their fidelity on unseen rows: the mean of
            the SDMetrics-style quality score and the detection score (1 - 2 x (detection AUC
            - 0.5)), so the method harder to tell apart wins; ``"privacy"`` by 0.3 x quality
            + 0.7 x privacy; ``"balanced"`` by their mean. Privacy is the distance-to-closest-
            record ratio (synthetic rows vs unseen real rows, capped at 1) discounted by exact
            copies beyond those unseen rows make.
        time_budget: seconds ``fit`` may take, search and final refit included. Candidates that
            cannot finish in what is left are skipped; ``fit`` returns within about 10% of it.
        validation_fraction: share of rows held out to score candidates (0.05 to 0.5).
        neural_params: extra parameters for the neural candidates (``device``,
            ``torch_threads``, ``batch_size``, ``verbose``).
        prefer_speed: the selector's prior favours methods that fit in seconds (CART, the
            Gaussian copula), so they are tried first and neural ones last.
        prefer_quality: the prior favours the methods with the highest fidelity given time.
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
        prefer_speed: bool = False,
        prefer_quality: bool = False,
        privacy_retry: Any = None,
        max_categories: int = 100,
        seed: int = 0,
    ) -> None:
        super().__init__(max_categories=max_categories, seed=seed)
        self.prefer_speed = prefer_speed
        self.prefer_quality = prefer_quality
        self.privacy_retry = privacy_retry
        self.methods = methods
        self.scoring = scoring
        self.time_budget = time_budget
        self.validation_fraction = validation_fraction
        self.neural_params = neural_params

    # -- validation -------------------------------------------------------------------------
    def _validate_params(self) -> None:
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
        for name in ("prefer_speed", "prefer_quality"):
            if not isinstance(getattr(self, name), bool):
                raise InvalidParameterError(
                    f"{name} must be True or False, got {getattr(self, name)!r}"
                )
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
        check_min_rows(df, int(self.min_rows))
        deadline = start + float(self.time_budget)
        schema = resolve_schema(df, schema)
        features = MetaFeatureExtractor(seed=library_seed(self.seed, SKLEARN)).extract(df, schema)
        selection = MethodSelector(
            prefer_speed=self.prefer_speed, prefer_quality=self.prefer_quality
        ).select(features)
        search = CandidateSearch(self, df, schema, selection, deadline, on_trial)
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
            model = make_candidate(
                best["method"],
                best["params"],
                max_categories=self.max_categories,
                seed=int(self.seed),
                rare_rows=int(self.rare_rows),
            )
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
        self.selected_method_ = GenerationMethod(best["method"])
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
    def selected_method(self) -> GenerationMethod:
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

    def generate(self, n: int, seed: int | None = None, conditions: Any = None) -> pd.DataFrame:
        """``n`` synthetic rows from the winning model (``seed`` None: the constructor's);
        ``conditions`` as in :meth:`~genesis.generators.base.BaseSynthesizer.generate`."""
        self._check_fitted()
        return self.best_.generate(
            n, seed=self.seed if seed is None else seed, conditions=conditions
        )

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


__all__ = ["AutoMLSynthesizer", "auto_synthesize"]
