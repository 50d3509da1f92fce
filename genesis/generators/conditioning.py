"""Conditional generation shared by every synthesizer: ``generate(n, conditions=...)``.

A condition is written on source values (``age >= 50``, ``education == "Doctorate"``) while
models work on the model frame (codes, floats, state columns). :class:`ColumnCondition`
translates: it inverse-transforms candidate model values of one source column through that
column's own handler and evaluates the conditions on the result, so a model can restrict
its draws to the model values that satisfy them (``cart`` and ``gaussian_copula`` do, see
their ``_generate_conditioned``).

:func:`generate_conditioned` runs the draw and guarantees the contract: exactly ``n`` rows,
every one satisfying. A model with native support draws rows that satisfy by construction;
the few that the inverse transform can still move out (a label drawn behind ``__other__``,
a value snapped onto its grid at a range's edge) are redrawn. ``ctgan`` draws under its own
conditional vector for one discrete condition (the most selective) and gets guided sampling
for the rest; a model without native support (``tvae``) gets guided sampling alone. Guided
sampling: batches of the model's rows, the satisfying ones kept, with a bound on the work
(:data:`MAX_ROUNDS` batches, :data:`MAX_ROWS_FACTOR` times ``n`` rows); reaching it raises
:class:`~genesis.errors.InfeasibleConditionError` with the acceptance rate observed and the
model's advice (its ``infeasible_hint`` when it has one). Never fewer rows in silence.
"""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import InfeasibleConditionError
from genesis.generators.memory import check_generation_memory

#: most batches one conditioned draw makes before giving up
MAX_ROUNDS = 50
#: most rows (times ``n``) one conditioned draw generates before giving up
MAX_ROWS_FACTOR = 100
#: extra rows drawn per batch, beyond the rows still missing over the acceptance rate
_SLACK = 1.1
#: most rows of one batch (beyond twice ``n``)
_MAX_BATCH = 100_000
#: draws per discrete code when its label is drawn at random (``__other__``, rare stand-ins)
_CODE_DRAWS = 32


def prepare_conditions(model: Any, conditions: Any):
    """``conditions`` as a validated ``ConditionSet`` (None when there is none).

    Raises:
        InvalidConditionError: a condition names an unknown column, uses an operator its
            column does not support, or a value of the wrong type (see
            ``ConditionSet.validate``).
    """
    from genesis.generators.conditional import as_condition_set

    condition_set = as_condition_set(conditions)
    if condition_set is None or not len(list(condition_set)):
        return None
    condition_set.validate(model.schema_, data=None)
    return condition_set


class ColumnCondition:
    """The conditions on one modelled source column, evaluated on its model values.

    Args:
        transformer: the fitted :class:`~genesis.generators.transformer.TableTransformer`.
        column: the source column.
        conditions: every condition (those on other columns are ignored).

    ``model_columns`` are the column's model columns (``[state, value]`` for a number or
    datetime with a state column, else one); ``state`` the state column or None.
    """

    def __init__(self, transformer: Any, column: str, conditions: Any) -> None:
        self.column = column
        self.conditions = [c for c in conditions if c.column == column]
        self.handler = next(h for h in transformer.handlers_ if h.name == column)
        self.model_columns = list(transformer.source_columns_[column])
        self.discrete = transformer.roles_.get(column) == "discrete"
        self.state = self.model_columns[0] if len(self.model_columns) == 2 else None
        self.value = self.model_columns[-1]
        self.n_states = transformer.n_codes_[self.state] if self.state else 1

    def satisfied(self, arrays: dict[str, np.ndarray], seed: int = 0) -> np.ndarray:
        """Which rows of the model values ``arrays`` (this column's model columns) satisfy
        the conditions once turned back into source values."""
        n = len(arrays[self.value])
        values = self.handler.inverse(arrays, n, np.random.default_rng(seed))
        frame = pd.DataFrame({self.column: values.reset_index(drop=True)})
        mask = np.ones(n, dtype=bool)
        for condition in self.conditions:
            mask &= np.asarray(condition.mask(frame), dtype=bool)
        return mask

    def allowed_codes(self, n_codes: int) -> np.ndarray:
        """For a discrete column, which codes can satisfy (a code whose label is drawn at
        random, ``__other__`` or a rare stand-in, when some of its draws do)."""
        codes = np.tile(np.arange(n_codes), _CODE_DRAWS)
        ok = self.satisfied({self.value: codes})
        return ok.reshape(_CODE_DRAWS, n_codes).any(axis=0)

    def satisfied_pairs(self, states: np.ndarray | None, values: np.ndarray) -> np.ndarray:
        """Which (state, value) model pairs satisfy (``states`` None: no state column)."""
        arrays = {self.value: values}
        if self.state is not None:
            arrays[self.state] = np.zeros(values.size, dtype=np.int64) if states is None else states
        return self.satisfied(arrays)

    def infeasible(self, candidates: np.ndarray, states: np.ndarray | None = None) -> Exception:
        """The error for a condition no candidate model value of the column meets, with the
        nearest value the column can take as the alternative."""
        arrays = {self.value: candidates}
        if self.state is not None:
            arrays[self.state] = (
                np.zeros(candidates.size, dtype=np.int64) if states is None else states
            )
        values = self.handler.inverse(arrays, candidates.size, np.random.default_rng(0))
        return InfeasibleConditionError(
            f"no value the model can generate for {self.column!r} satisfies "
            f"{describe(self.conditions)} (probability 0 under the model); "
            f"{nearest_alternative(self.column, self.conditions, values)}",
            probability=0.0,
            alternative=nearest_alternative(self.column, self.conditions, values),
        )


class LeafCondition:
    """A CART column's real leaf values restricted to those satisfying a condition.

    Args:
        check: the :class:`ColumnCondition` of the column's source.
        leaves: the column's ``_Leaves`` (real values grouped by leaf, and by state).
        transformer: the fitted transformer.
    """

    def __init__(self, check: ColumnCondition, leaves: Any, transformer: Any) -> None:
        self.leaves = leaves
        self.value_states = None
        n_states = getattr(leaves, "n_states", None)
        if n_states is not None:
            keys = np.arange(leaves.state_counts.size)
            self.value_states = np.repeat(keys % n_states, leaves.state_counts)
        self.ok = self.evaluate(check, leaves.values, self.value_states, transformer)
        if not self.ok.any():
            raise check.infeasible(*_distinct(leaves.values, self.value_states))
        self.check = check
        self.transformer = transformer
        self.cumulative = np.concatenate([[0], np.cumsum(self.ok)])
        self.positions = np.flatnonzero(self.ok)

    @staticmethod
    def evaluate(
        check: ColumnCondition, values: np.ndarray, states: np.ndarray | None, transformer: Any
    ) -> np.ndarray:
        """Which model ``values`` (with their ``states``) satisfy, each distinct pair once."""
        if check.discrete:
            allowed = check.allowed_codes(transformer.n_codes_[check.value])
            return allowed[np.clip(values.astype(np.int64), 0, allowed.size - 1)]
        distinct_values, distinct_states, inverse = _distinct(values, states, inverse=True)
        return check.satisfied_pairs(distinct_states, distinct_values)[inverse]

    def draw(
        self, leaves: np.ndarray, rng: np.random.Generator, states: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
        """A satisfying real value per row of its leaf (its leaf and state when that slice
        holds one), the state of each value drawn, and each row's probability of a
        satisfying value under the unconditioned draw (its importance weight)."""
        data = self.leaves
        counts, starts = data.counts[leaves], data.starts[leaves]
        satisfying = self.cumulative[starts + counts] - self.cumulative[starts]
        share = satisfying / np.maximum(counts, 1)
        if states is not None and self.value_states is not None:
            keys = leaves * data.n_states + np.clip(states.astype(np.int64), 0, data.n_states - 1)
            same, same_starts = data.state_counts[keys], data.state_starts[keys]
            same_ok = self.cumulative[same_starts + same] - self.cumulative[same_starts]
            share = np.where(same > 0, same_ok / np.maximum(same, 1), share)
            starts = np.where(same_ok > 0, same_starts, starts)
            satisfying = np.where(same_ok > 0, same_ok, satisfying)
        offset = (rng.random(leaves.size) * satisfying).astype(np.int64)
        anywhere = self.positions[rng.integers(0, self.positions.size, size=leaves.size)]
        inside = self.positions[
            np.minimum(self.cumulative[starts] + offset, self.positions.size - 1)
        ]
        picks = np.where(satisfying > 0, inside, anywhere)
        values = data.values[picks]
        drawn_states = None if self.value_states is None else self.value_states[picks]
        if data.bandwidth is not None:
            jittered = values + rng.standard_normal(leaves.size) * data.bandwidth[leaves]
            jittered = np.clip(jittered, data.low[leaves], data.high[leaves])
            rare = getattr(data, "rare", None)
            jittered = jittered if rare is None else np.where(rare[picks], jittered, values)
            # jitter never moves a value out of the condition
            kept = self.check.satisfied_pairs(drawn_states, jittered.astype(values.dtype))
            values = np.where(kept, jittered, values).astype(values.dtype)
        return values, drawn_states, share


def _distinct(
    values: np.ndarray, states: np.ndarray | None, inverse: bool = False
) -> tuple[np.ndarray, ...]:
    """The distinct (value, state) pairs (and, with ``inverse``, each row's pair)."""
    if states is None:
        distinct, where = np.unique(values, return_inverse=True)
        return (distinct, None, where) if inverse else (distinct, None)
    pairs = np.stack([values.astype(np.float64), states.astype(np.float64)], axis=1)
    distinct, where = np.unique(pairs, axis=0, return_inverse=True)
    out_values = distinct[:, 0].astype(values.dtype)
    out_states = distinct[:, 1].astype(np.int64)
    return (out_values, out_states, where.ravel()) if inverse else (out_values, out_states)


def describe(conditions: Any) -> str:
    """``conditions`` as text, e.g. ``age gte 50 and sex eq 'Male'``."""
    return " and ".join(f"{c.column} {c.operator} {c.value!r}" for c in conditions)


def nearest_alternative(column: str, conditions: list, values: pd.Series) -> str:
    """A condition close to ``conditions`` that the values ``column`` can take meet."""
    present = pd.Series(values).dropna()
    if present.empty:
        return f"{column} is always missing in the model; drop the condition on it"
    target = next(
        (
            c.value[0] if isinstance(c.value, tuple | list) and c.value else c.value
            for c in conditions
        ),
        None,
    )
    numeric = pd.to_numeric(present, errors="coerce")
    if numeric.notna().all() and isinstance(target, int | float | np.number):
        nearest = numeric.iloc[int(np.argmin(np.abs(numeric.to_numpy() - float(target))))]
        return (
            f"the nearest value {column} takes is {nearest:g} (range {numeric.min():g} to "
            f"{numeric.max():g}): condition on e.g. {column} == {nearest:g}"
        )
    nearest_time = _nearest_datetime(present, target)
    if nearest_time is not None:
        nearest, low, high = nearest_time
        return (
            f"the nearest value {column} takes is {nearest} (range {low} to {high}): "
            f"condition on e.g. {column} == {nearest!r}"
        )
    labels = list(pd.unique(present.astype(str)))[:10]
    return f"{column} takes values such as {labels}: condition on one of them"


def _nearest_datetime(present: pd.Series, target: Any) -> tuple[Any, Any, Any] | None:
    """For a column of dates and a date ``target``: the value nearest to it, the smallest
    and the largest (as the column writes them); None otherwise."""
    from genesis.generators.conditional_ops import looks_like_datetimes, to_datetimes, to_timestamp

    if target is None or not looks_like_datetimes(present):
        return None
    try:
        stamp = to_timestamp(target)
    except (TypeError, ValueError):
        return None
    stamps = to_datetimes(present.reset_index(drop=True)).dropna()
    if stamps.empty:
        return None
    gaps = np.abs((stamps - stamp).to_numpy().astype("timedelta64[ns]").astype(np.int64))
    original = present.reset_index(drop=True)

    def shown(position: Any) -> Any:
        value = original.loc[position]
        return value.isoformat() if hasattr(value, "isoformat") else value

    return (
        shown(stamps.index[int(np.argmin(gaps))]),
        shown(stamps.idxmin()),
        shown(stamps.idxmax()),
    )


def generate_conditioned(model: Any, n: int, seed: int, conditions: Any) -> pd.DataFrame:
    """Exactly ``n`` rows of ``model`` (fitted) that all satisfy ``conditions`` (validated).

    Raises:
        InfeasibleConditionError: the conditions have probability zero under the model, or
            the bounded search (:data:`MAX_ROUNDS`, :data:`MAX_ROWS_FACTOR`) could not find
            ``n`` satisfying rows; ``probability`` is the acceptance rate observed.
    """
    transformer = model.transformer_
    check_generation_memory(n, transformer)
    if n == 0:
        return model.generate(0, seed=seed)
    modelled = set(transformer.source_columns_)
    # the model draws under the conditions on the columns it learns; those on columns it
    # does not (identifiers, fakes, constants) are met by the check below
    inside = [c for c in conditions if c.column in modelled]
    native = getattr(model, "_generate_conditioned", None) is not None and bool(inside)
    model_conditions = type(conditions)(inside) if native else None
    rounds = np.random.SeedSequence([seed, 1]).spawn(MAX_ROUNDS)
    kept: list[pd.DataFrame] = []
    have = drawn = accepted = 0
    met = [0] * len(list(conditions))  # rows meeting each condition alone
    rate = 1.0
    for child in rounds:
        if have >= n or drawn >= MAX_ROWS_FACTOR * n:
            break
        need = n - have
        size = int(min(MAX_ROWS_FACTOR * n - drawn, np.ceil(need / max(rate, 1e-3) * _SLACK)))
        size = max(size, min(need, MAX_ROWS_FACTOR * n - drawn), 1)
        size = min(size, max(2 * n, _MAX_BATCH))  # memory: one batch at a time
        model_rng, output_rng = (np.random.default_rng(s) for s in child.spawn(2))
        if not transformer.model_columns_:  # nothing learned: constants, identifiers, fakes
            frame = {}
        elif native:
            frame = model._generate_conditioned(size, model_rng, model_conditions)
        else:
            frame = model._generate(size, model_rng)
        rows = transformer.inverse_transform(frame, output_rng, n=size)
        each = [np.asarray(c.mask(rows), dtype=bool) for c in conditions]
        ok = np.logical_and.reduce(each)
        met = [m + int(e.sum()) for m, e in zip(met, each, strict=True)]
        drawn += size
        accepted += int(ok.sum())
        rate = max(accepted / drawn, 1.0 / (MAX_ROWS_FACTOR * n))
        if ok.any():
            kept.append(rows[ok])
            have += int(ok.sum())
    if have < n:
        probability = accepted / drawn if drawn else 0.0
        raise InfeasibleConditionError(
            f"only {have} of {n} rows satisfying {describe(conditions)} were found in "
            f"{drawn} generated rows (acceptance {probability:.2%}), the bound on the work "
            f"({MAX_ROUNDS} batches, {MAX_ROWS_FACTOR} x n rows); " + _bound_hint(model, native),
            probability=probability,
            alternative=_widest_gap(list(conditions), met, drawn),
        )
    out = pd.concat(kept, ignore_index=True).iloc[:n].reset_index(drop=True)
    # concatenation can widen a categorical dtype; keep the unconditioned draw's types
    reference = model.generate(0, seed=seed)
    for name in out.columns:
        if out[name].dtype != reference[name].dtype:
            with contextlib.suppress(TypeError, ValueError):
                out[name] = out[name].astype(reference[name].dtype)
    return out


def _bound_hint(model: Any, native: bool) -> str:
    """What to do when the bounded search fell short: the model's own ``infeasible_hint``
    (a class attribute; CTGAN's says what its conditional vector covers), else the advice
    for a model that conditions inside (``native``) or one that samples guided only."""
    own = getattr(model, "infeasible_hint", None)
    if own:
        return str(own)
    if native:
        return (
            "the model's values rarely meet it once decoded (e.g. a label pooled under "
            "__other__): relax the condition or refit with a larger max_categories"
        )
    return (
        "relax the condition, or use method='cart' or 'gaussian_copula', which condition "
        "inside the model"
    )


def _widest_gap(conditions: list, met: list[int], drawn: int) -> str:
    """The condition met least often by the rows drawn: the one to widen or drop."""
    if not drawn:
        return "a wider condition"
    shares = [m / drawn for m in met]
    worst = int(np.argmin(shares))
    others = [
        describe([c]) + f" ({s:.2%})"
        for i, (c, s) in enumerate(zip(conditions, shares, strict=True))
        if i != worst
    ]
    return (
        f"widen or drop {describe([conditions[worst]])}, met by {shares[worst]:.2%} of the "
        f"rows generated" + (f"; the others alone: {', '.join(others)}" if others else "")
    )


def effective_resample(
    weights: np.ndarray, n: int, target: float, rng: np.random.Generator
) -> np.ndarray:
    """``n`` indices drawn with probabilities mixing ``weights`` (normalised) with the
    uniform, as close to ``weights`` as keeps an effective sample size of ``target``.

    Sequential importance resampling (systematic): the exact conditional when the weights
    are spread enough; otherwise the mixture keeps the draw from collapsing on a few
    candidates.
    """
    m = weights.size
    total = float(weights.sum())
    if total <= 0:
        return rng.integers(0, m, size=n)
    p = weights / total
    spread = float((p * p).sum()) - 1.0 / m
    target = min(float(target), float(m))
    if spread <= 0 or 1.0 / float((p * p).sum()) >= target:
        mix = 1.0
    else:
        mix = float(np.sqrt(max(0.0, (1.0 / target - 1.0 / m) / spread)))
        mix = min(1.0, mix)
    q = mix * p + (1.0 - mix) / m
    cumulative = np.cumsum(q)
    # systematic resampling: each candidate is picked floor(n q) or ceil(n q) times, so
    # candidates of similar weight are not repeated by chance (fewer duplicate rows)
    positions = (rng.random() + np.arange(n)) / n * cumulative[-1]
    picks = np.minimum(np.searchsorted(cumulative, positions, side="right"), m - 1)
    return rng.permutation(picks)


__all__ = [
    "MAX_ROUNDS",
    "MAX_ROWS_FACTOR",
    "ColumnCondition",
    "LeafCondition",
    "describe",
    "effective_resample",
    "generate_conditioned",
    "nearest_alternative",
    "prepare_conditions",
]
