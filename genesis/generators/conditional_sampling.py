"""Sampling rows that satisfy conditions: from a real table, or from any black-box generator.

:class:`ConditionalSampler` draws rows of a table that satisfy the conditions (with
replacement, exactly the number asked). :class:`GuidedConditionalSampler` wraps any
``generator_fn(n) -> DataFrame`` (or ``generator_fn(n, seed)``) in a bounded search:

- ``"iterative_refinement"``: batched rejection; each batch is sized from the acceptance rate
  observed so far (the first from the training data's rate when fitted, else
  ``batch_multiplier`` times the rows still missing), at most ``max_iterations`` batches.
- ``"importance_sampling"``: the same search collects a pool of up to
  ``batch_multiplier * n`` accepted rows, then draws ``n`` of them without replacement with
  weights that correct the pool's distribution of the unconditioned columns towards the real
  conditional distribution learned in :meth:`~GuidedConditionalSampler.fit` (per column, the
  ratio of the real matching rows' histogram to the pool's, multiplied over columns, i.e. an
  independence approximation, each ratio clipped to [0.1, 10]).

Both return exactly ``n_samples`` rows, or raise
:class:`~genesis.errors.InfeasibleConditionError` with the observed acceptance rate.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import InfeasibleConditionError, InvalidParameterError, NotFittedError
from genesis.generators.conditional_ops import looks_like_datetimes, to_datetimes
from genesis.validation import require_choice, require_frame, require_int, require_seed

STRATEGIES = ("iterative_refinement", "importance_sampling")


def _condition_set(conditions: Any) -> Any:
    # imported here: conditional.py re-exports this module's classes
    from genesis.generators.conditional import ConditionSet, as_condition_set

    return as_condition_set(conditions) or ConditionSet()


def _match_counts(conditions: Any, df: pd.DataFrame) -> tuple[np.ndarray, list[int]]:
    """The mask of rows satisfying all conditions, and each condition's own match count."""
    masks = [condition.mask(df) for condition in conditions]
    overall = np.logical_and.reduce(masks) if masks else np.ones(len(df), dtype=bool)
    return overall, [int(m.sum()) for m in masks]


def _tightest(conditions: Any, counts: list[int], n_rows: int) -> tuple[Any, str]:
    """The condition with the fewest matches, and a sentence naming it for an error."""
    index = int(np.argmin(counts))
    worst = list(conditions)[index]
    share = counts[index] / n_rows if n_rows else 0.0
    return worst, f"the most restrictive condition is {worst} ({counts[index]} rows, {share:.2%})"


def _alternative(conditions: Any, worst: Any, df: pd.DataFrame) -> str:
    """How many rows remain without the most restrictive condition (the nearest feasible)."""
    rest = [c for c in conditions if c is not worst]
    if not rest:
        return f"drop the condition {worst} or loosen it"
    remaining, _ = _match_counts(rest, df)
    return f"without {worst}, {int(remaining.sum())} of {len(df)} rows match"


class ConditionalSampler:
    """Rows of ``base_data`` that satisfy conditions (rejection sampling over a real table).

    Args:
        base_data: the table to draw rows from.
    """

    def __init__(self, base_data: pd.DataFrame) -> None:
        self.base_data = require_frame(base_data, "base_data", min_rows=1)

    def sample(self, conditions: Any, n_samples: int, seed: int | None = None) -> pd.DataFrame:
        """Exactly ``n_samples`` rows drawn with replacement from the matching rows of
        ``base_data`` (index reset). ``conditions``: a ConditionSet, a Condition, or the dict
        format. Raises :class:`InfeasibleConditionError` when no row matches."""
        n_samples = require_int(n_samples, "n_samples", 0)
        seed = require_seed(seed)
        conditions = _condition_set(conditions)
        data = self.base_data
        overall, counts = _match_counts(conditions, data)
        matching = np.flatnonzero(overall)
        if len(matching) == 0:
            worst, sentence = _tightest(conditions, counts, len(data))
            raise InfeasibleConditionError(
                f"no row of base_data satisfies {conditions}; {sentence}. Loosen or drop it.",
                probability=0.0,
                alternative=_alternative(conditions, worst, data),
            )
        rng = np.random.default_rng(seed)
        picks = rng.choice(matching, size=n_samples, replace=True)
        return data.iloc[picks].reset_index(drop=True)

    def estimate_feasibility(self, conditions: Any) -> float:
        """Share of ``base_data``'s rows that satisfy every condition, in [0, 1]."""
        conditions = _condition_set(conditions)
        overall, _ = _match_counts(conditions, self.base_data)
        return float(overall.mean())

    def feasibility_report(self, conditions: Any) -> dict[str, Any]:
        """Matching share overall and per condition: ``{"probability", "matching_rows",
        "rows", "feasible", "per_condition": [{"condition", "matching_rows",
        "probability"}]}``."""
        conditions = _condition_set(conditions)
        n_rows = len(self.base_data)
        overall, counts = _match_counts(conditions, self.base_data)
        return {
            "probability": float(overall.mean()),
            "matching_rows": int(overall.sum()),
            "rows": n_rows,
            "feasible": bool(overall.any()),
            "per_condition": [
                {"condition": c.to_dict(), "matching_rows": k, "probability": k / n_rows}
                for c, k in zip(conditions, counts, strict=True)
            ],
        }


class GuidedConditionalSampler:
    """Conditioned rows from any black-box generator, with a bound on the work.

    Args:
        strategy: ``"iterative_refinement"`` or ``"importance_sampling"`` (module docstring).
        max_iterations: the most batches drawn from the generator before giving up.
        batch_multiplier: oversampling factor: the first batch (when not fitted) is this many
            times the rows asked; ``importance_sampling``'s pool is this many times ``n``.
    """

    #: the largest batch requested from the generator in one call
    MAX_BATCH = 200_000

    def __init__(
        self,
        strategy: str = "iterative_refinement",
        max_iterations: int = 100,
        batch_multiplier: float = 5.0,
    ) -> None:
        self.strategy = strategy
        self.max_iterations = max_iterations
        self.batch_multiplier = batch_multiplier

    def _validate_params(self) -> None:
        require_choice(self.strategy, "strategy", STRATEGIES)
        require_int(self.max_iterations, "max_iterations", 1)
        multiplier = self.batch_multiplier
        if (
            isinstance(multiplier, bool)
            or not isinstance(multiplier, int | float)
            or not math.isfinite(multiplier)
            or multiplier < 1
        ):
            raise InvalidParameterError(
                f"batch_multiplier must be a number >= 1, got {multiplier!r}; pass e.g. 5.0"
            )

    def fit(self, data: pd.DataFrame) -> GuidedConditionalSampler:
        """Learn from the real table: its acceptance rates size the first batch, and its
        rows that satisfy the conditions are the target of ``importance_sampling``."""
        self._validate_params()
        self.data_ = require_frame(data, "data", min_rows=1).reset_index(drop=True)
        return self

    def sample(
        self,
        generator_fn: Callable[..., pd.DataFrame],
        n_samples: int,
        conditions: Any,
        seed: int | None = None,
    ) -> pd.DataFrame:
        """Exactly ``n_samples`` rows of ``generator_fn``'s output that satisfy
        ``conditions`` (index reset). ``generator_fn(n)`` or ``generator_fn(n, seed)``
        returns a DataFrame of ``n`` rows; with a seed each batch gets its own derived seed,
        so the same seed gives the same rows. Raises :class:`InfeasibleConditionError` with
        the observed acceptance rate when ``max_iterations`` batches do not suffice."""
        self._validate_params()
        if not callable(generator_fn):
            raise InvalidParameterError(
                f"generator_fn must be callable as generator_fn(n) -> DataFrame, got "
                f"{type(generator_fn).__name__}; pass e.g. model.generate"
            )
        n_samples = require_int(n_samples, "n_samples", 0)
        seed = require_seed(seed)
        conditions = _condition_set(conditions)
        importance = self.strategy == "importance_sampling"
        if importance and not hasattr(self, "data_"):
            raise NotFittedError(
                "importance_sampling learns the real conditional distribution in fit(data); "
                "call GuidedConditionalSampler(...).fit(real_df) first"
            )
        if n_samples == 0:
            return self._empty(generator_fn, seed)
        target = max(n_samples, math.ceil(n_samples * self.batch_multiplier) if importance else 0)
        pool, generated, iterations = self._search(
            generator_fn, conditions, n_samples, target, seed
        )
        self.diagnostics_ = {
            "strategy": self.strategy,
            "iterations": iterations,
            "generated_rows": generated,
            "accepted_rows": len(pool),
            "acceptance_rate": len(pool) / generated if generated else 0.0,
        }
        if importance:
            rng = np.random.default_rng(np.random.SeedSequence([seed or 0, 7]))
            weights = self._weights(pool, conditions)
            picks = rng.choice(len(pool), size=n_samples, replace=False, p=weights)
            return pool.iloc[np.sort(picks)].reset_index(drop=True)
        return pool.iloc[:n_samples].reset_index(drop=True)

    # -- the bounded search -------------------------------------------------------------------

    def _search(
        self, generator_fn: Callable, conditions: Any, needed: int, target: int, seed: int | None
    ) -> tuple[pd.DataFrame, int, int]:
        """Accepted rows until ``target`` (at least ``needed``) or the iteration bound."""
        call = _caller(generator_fn)
        seeds = (
            np.random.SeedSequence(seed).spawn(self.max_iterations) if seed is not None else None
        )
        rate = self._prior_rate(conditions)
        accepted: list[pd.DataFrame] = []
        have = generated = 0
        counts_total: np.ndarray | None = None
        last_batch: pd.DataFrame | None = None
        for iteration in range(self.max_iterations):
            missing = target - have
            if rate is None:
                size = math.ceil(missing * self.batch_multiplier)
            else:
                # 20% headroom over the expected need, so one more batch is rarely required
                size = math.ceil(1.2 * missing / max(rate, 1e-9))
            size = int(min(max(size, 1), self.MAX_BATCH))
            batch_seed = int(seeds[iteration].generate_state(1)[0]) if seeds is not None else None
            batch = require_frame(call(size, batch_seed), "generator_fn's output")
            missing_cols = [c for c in conditions.columns if c not in batch.columns]
            if missing_cols:
                raise InvalidParameterError(
                    f"generator_fn's output lacks the conditioned column(s) {missing_cols}; "
                    "it must return the columns the conditions name"
                )
            overall, counts = _match_counts(conditions, batch)
            counts_total = np.asarray(counts) if counts_total is None else counts_total + counts
            generated += len(batch)
            last_batch = batch
            if overall.any():
                accepted.append(batch[overall])
                have += int(overall.sum())
            if have >= target:
                break
            observed = have / generated if generated else 0.0
            # nothing accepted yet: grow the batch geometrically instead of guessing a rate
            rate = observed if have else (1.0 / (self.batch_multiplier * size / max(missing, 1)))
        else:
            if have < needed:
                self._give_up(conditions, needed, have, generated, counts_total, last_batch)
        return pd.concat(accepted, ignore_index=True), generated, iteration + 1

    def _prior_rate(self, conditions: Any) -> float | None:
        """The training data's acceptance rate (None when not fitted or when it is zero)."""
        if not hasattr(self, "data_") or not len(conditions):
            return None
        if any(c not in self.data_.columns for c in conditions.columns):
            return None
        overall, _ = _match_counts(conditions, self.data_)
        share = float(overall.mean())
        return share if share > 0 else None

    def _give_up(
        self,
        conditions: Any,
        needed: int,
        have: int,
        generated: int,
        counts: np.ndarray | None,
        batch: pd.DataFrame | None,
    ) -> None:
        rate = have / generated if generated else 0.0
        worst_text, alternative = "", None
        if counts is not None and len(conditions):
            worst, worst_text = _tightest(conditions, list(counts), generated)
            worst_text = "; " + worst_text.replace("rows", "generated rows", 1)
            if batch is not None:
                alternative = _alternative(conditions, worst, batch)
                alternative = alternative.replace("rows match", "rows of the last batch match")
        raise InfeasibleConditionError(
            f"after max_iterations={self.max_iterations} batches ({generated} generated rows) "
            f"only {have} of {needed} rows satisfy {conditions}: observed acceptance rate "
            f"{rate:.3g}{worst_text}. Loosen the conditions, raise max_iterations or "
            "batch_multiplier, or condition inside the model (SyntheticGenerator.generate("
            "n, conditions=...)).",
            probability=rate,
            alternative=alternative,
        )

    def _empty(self, generator_fn: Callable, seed: int | None) -> pd.DataFrame:
        if hasattr(self, "data_"):
            return self.data_.iloc[:0].copy()
        return require_frame(_caller(generator_fn)(1, seed), "generator_fn's output").iloc[:0]

    # -- importance weights -------------------------------------------------------------------

    def _weights(self, pool: pd.DataFrame, conditions: Any) -> np.ndarray:
        """Resampling weights of the pool's rows (see the module docstring)."""
        log_w = np.zeros(len(pool))
        real = self.data_
        usable = all(c in real.columns for c in conditions.columns)
        target = real[conditions.mask(real)] if usable else real.iloc[:0]
        if len(target):
            for column in pool.columns:
                if column in conditions.columns or column not in target.columns:
                    continue
                log_w += _log_ratio(target[column], pool[column])
        weights = np.exp(log_w - log_w.max())
        return weights / weights.sum()


def _log_ratio(real: pd.Series, pool: pd.Series, bins: int = 10) -> np.ndarray:
    """Per pool row, log(p_real(bin) / p_pool(bin)) for its bin, clipped to [0.1, 10]
    (add-half smoothing; missing values form their own bin)."""
    real_codes, pool_codes, n_bins = _bin_codes(real, pool, bins)
    real_freq = (np.bincount(real_codes, minlength=n_bins) + 0.5) / (len(real) + 0.5 * n_bins)
    pool_freq = (np.bincount(pool_codes, minlength=n_bins) + 0.5) / (len(pool) + 0.5 * n_bins)
    ratio = np.clip(real_freq / pool_freq, 0.1, 10.0)
    return np.log(ratio)[pool_codes]


def _bin_codes(real: pd.Series, pool: pd.Series, bins: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Integer bin codes for both columns on common bins (the last code is "missing")."""
    if looks_like_datetimes(real) and looks_like_datetimes(pool):
        real = to_datetimes(real).astype("int64").where(to_datetimes(real).notna())
        pool = to_datetimes(pool).astype("int64").where(to_datetimes(pool).notna())
    numeric = (
        pd.api.types.is_numeric_dtype(real.dtype)
        and pd.api.types.is_numeric_dtype(pool.dtype)
        and not pd.api.types.is_bool_dtype(real.dtype)
        and real.nunique() > bins
    )
    if numeric:
        edges = np.unique(np.nanquantile(real.to_numpy(dtype=float), np.linspace(0, 1, bins + 1)))
        inner = edges[1:-1]

        def code(s: pd.Series) -> np.ndarray:
            values = s.to_numpy(dtype=float)
            out = np.searchsorted(inner, values, side="right")
            return np.where(np.isnan(values), len(inner) + 1, out)

        return code(real), code(pool), len(inner) + 2
    labels = pd.Index(pd.unique(pd.concat([real, pool], ignore_index=True).dropna()))

    def code_labels(s: pd.Series) -> np.ndarray:
        out = labels.get_indexer(s)
        return np.where(out < 0, len(labels), out)

    return code_labels(real), code_labels(pool), len(labels) + 1


def _caller(generator_fn: Callable) -> Callable[[int, int | None], pd.DataFrame]:
    """``generator_fn`` as ``f(n, seed)``, whether or not it takes a seed."""
    try:
        params = list(inspect.signature(generator_fn).parameters.values())
    except (TypeError, ValueError):
        params = []
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    takes_seed = (
        any(p.kind is p.VAR_POSITIONAL for p in params)
        or len(positional) >= 2
        or any(p.name == "seed" for p in params)
    )
    if any(p.name == "seed" and p.kind is not p.POSITIONAL_ONLY for p in params):
        return lambda n, seed: generator_fn(n, seed=seed)
    if takes_seed:
        return lambda n, seed: generator_fn(n, seed)
    return lambda n, seed: generator_fn(n)


__all__ = ["STRATEGIES", "ConditionalSampler", "GuidedConditionalSampler"]
