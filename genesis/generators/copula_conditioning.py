"""Conditional sampling of the Gaussian copula: the multivariate normal, conditioned.

Each condition becomes the set of normal scores of its column that decode to satisfying
values: for a discrete column the intervals of its allowed codes; for a number or datetime
the runs of a fine grid of its marginal's quantiles (every order statistic kept, plus 4,096
evenly spaced levels) whose values satisfy, so equality on a number is the interval of its
ties and a range the interval between its quantiles. A number with a state column (missing
values, point masses, a round grid) has one set per state: the state's score is restricted
to the states that can satisfy, and the value's score to that state's set.

Sampling is sequential: the correlation matrix is factored with the conditioned scores
first, so each conditioned score, given those drawn before it, is normal with a known mean
and standard deviation; it is drawn from that normal truncated to its allowed intervals (an
interval chosen by its mass, then inverse-CDF sampling with :func:`scipy.stats.truncnorm`).
With one conditioned score this is the exact conditional law. With several, the sequential
draw alone would ignore how likely each earlier score makes the later conditions, so
candidates (``max(8 n, 20,000)``, at most ``max(2 n, 400,000)``) are weighted by the
probability of each later condition given the earlier scores and ``n`` are resampled
(:func:`~genesis.generators.conditioning.effective_resample`): the truncated multivariate
normal's joint law. The other scores follow from the same factor, i.e. from their
conditional normal given the conditioned ones. No rejection loop: every score drawn decodes
to a satisfying value (up to the grid's resolution at a range's edge, which
:func:`~genesis.generators.conditioning.generate_conditioned` checks and redraws).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import special, stats

from genesis.generators.conditioning import ColumnCondition, effective_resample

#: evenly spaced quantile levels added to the order statistics of a continuous marginal
_GRID_LEVELS = 4096
_EDGE = 1e-9
#: the whole real line, as one interval
_EVERYWHERE = (np.array([-np.inf]), np.array([np.inf]))


def conditioned_scores(model: Any, n: int, rng: np.random.Generator, conditions: Any) -> np.ndarray:
    """``n`` rows of normal scores of ``model`` (a fitted ``GaussianCopulaSynthesizer``),
    every conditioned score inside its allowed set.

    Raises:
        InfeasibleConditionError: a condition has no allowed score (probability zero).
    """
    transformer = model.transformer_
    index = {column: j for j, column in enumerate(model._columns)}
    steps: list[tuple[int, Any]] = []  # (column, intervals or a function of earlier draws)
    for column in conditions.columns:
        check = ColumnCondition(transformer, column, conditions)
        if check.discrete:
            j = index[check.value]
            allowed = check.allowed_codes(transformer.n_codes_[check.value])
            intervals = _code_intervals(model._marginals[j], allowed)
            if not intervals[0].size:
                raise check.infeasible(model._marginals[j][2])
            steps.append((j, intervals))
            continue
        j = index[check.value]
        grid, values = _grid(model, j)
        if check.state is None:
            intervals = _runs(grid, check.satisfied_pairs(None, values))
            if not intervals[0].size:
                raise check.infeasible(values)
            steps.append((j, intervals))
            continue
        s = index[check.state]
        per_state = {
            state: _runs(grid, check.satisfied_pairs(np.full(values.size, state), values))
            for state in range(check.n_states)
        }
        allowed = np.array([per_state[state][0].size > 0 for state in range(check.n_states)])
        state_intervals = _code_intervals(model._marginals[s], allowed)
        if not state_intervals[0].size:
            raise check.infeasible(values)
        steps.append((s, state_intervals))
        steps.append((j, (s, per_state)))
    return _sample(model, n, rng, steps)


def _sample(model: Any, n: int, rng: np.random.Generator, steps: list) -> np.ndarray:
    chol = model._cholesky.astype(np.float64)
    k = chol.shape[0]
    first = [j for j, _ in steps]
    order = np.array(first + [j for j in range(k) if j not in first])
    corr = (chol @ chol.T)[np.ix_(order, order)]
    try:
        factor = np.linalg.cholesky(corr)
    except np.linalg.LinAlgError:
        from genesis.generators.gaussian_copula import _cholesky

        factor = _cholesky(corr)
    # several conditioned scores: candidates weighted by the probability each later
    # condition had given the earlier draws, resampled (the truncated normal's joint law)
    m = n if len(steps) <= 1 else int(min(max(8 * n, 20_000), max(2 * n, 400_000)))
    e = rng.standard_normal((m, k))
    weights = np.ones(m)
    drawn: dict[int, np.ndarray] = {}
    for t, (j, spec) in enumerate(steps):
        mean = e[:, :t] @ factor[t, :t]
        sd = factor[t, t]
        z = np.empty(m)
        if isinstance(spec, tuple) and isinstance(spec[1], dict):
            state_column, per_state = spec
            states = model._decode(state_column, drawn[state_column])
            for state in np.unique(states):
                rows = states == state
                low, high = per_state[int(state)]
                if not low.size:  # cannot happen: the state's score was restricted
                    low, high = _EVERYWHERE
                z[rows], mass = _truncated(mean[rows], sd, low, high, rng)
                weights[rows] *= mass
        else:
            z, mass = _truncated(mean, sd, spec[0], spec[1], rng)
            weights *= mass
        drawn[j] = z
        e[:, t] = (z - mean) / sd
    if m != n:
        keep = effective_resample(weights, n, n, rng)
        e = e[keep]
        e[:, len(steps) :] = rng.standard_normal((n, k - len(steps)))
        drawn = {j: z[keep] for j, z in drawn.items()}
    scores = np.empty((n, k))
    scores[:, order] = e @ factor.T
    for j, z in drawn.items():  # exactly the values drawn (no round-off at an interval's edge)
        scores[:, j] = z
    return scores


def _truncated(
    mean: np.ndarray, sd: float, low: np.ndarray, high: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """One draw per row of N(mean, sd^2) truncated to the union of [low_i, high_i], and
    each row's probability of that union."""
    a = (low[None, :] - mean[:, None]) / sd
    b = (high[None, :] - mean[:, None]) / sd
    # upper tails through the survival function: ndtr(b) - ndtr(a) underflows there
    mass = np.where(a > 0, special.ndtr(-a) - special.ndtr(-b), special.ndtr(b) - special.ndtr(a))
    mass = np.clip(mass, 0.0, None)
    total = mass.sum(axis=1)
    # far outside every interval (mass underflows): the interval nearest the mean
    distance = np.where(b < 0, -b, np.where(a > 0, a, 0.0))
    nearest = np.argmin(distance, axis=1)
    cumulative = np.cumsum(mass, axis=1)
    pick = (cumulative < (rng.random(mean.size) * total)[:, None]).sum(axis=1)
    pick = np.where(total > 0, np.minimum(pick, low.size - 1), nearest)
    rows = np.arange(mean.size)
    u = np.clip(rng.random(mean.size), _EDGE, 1 - _EDGE)
    x = stats.truncnorm.ppf(u, a[rows, pick], b[rows, pick])
    return mean + sd * x, total


def _code_intervals(marginal: tuple, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Score intervals of the allowed codes of a discrete marginal (adjacent ones merged)."""
    _, thresholds, code_of_interval = marginal
    bounds = np.concatenate([[-np.inf], np.asarray(thresholds, dtype=np.float64), [np.inf]])
    codes = np.asarray(code_of_interval)
    keep = allowed[np.clip(codes, 0, allowed.size - 1)] & (codes < allowed.size)
    return _merge(bounds[:-1][keep], bounds[1:][keep])


def _grid(model: Any, j: int) -> tuple[np.ndarray, np.ndarray]:
    """Normal scores covering continuous column ``j``'s marginal finely, and their values."""
    marginal = model._marginals[j]
    levels = np.linspace(0.0, 1.0, _GRID_LEVELS + 2)[1:-1]
    if marginal[0] == "empirical":
        m = np.asarray(marginal[1]).size
        levels = np.concatenate([levels, (np.arange(m) + 0.5) / m])
    levels = np.unique(np.clip(levels, _EDGE, 1 - _EDGE))
    scores = special.ndtri(levels)
    return scores, model._decode(j, scores)


def _runs(scores: np.ndarray, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Score intervals around the runs of satisfying grid points (edges halfway to the
    neighbouring points; the first and last runs reach infinity)."""
    if not ok.any():
        return np.empty(0), np.empty(0)
    mids = (scores[1:] + scores[:-1]) / 2
    edges = np.concatenate([[-np.inf], mids, [np.inf]])
    change = np.diff(np.concatenate([[0], ok.astype(np.int8), [0]]))
    starts = np.flatnonzero(change == 1)
    ends = np.flatnonzero(change == -1)  # one past the run's last point
    return edges[starts], edges[ends]


def _merge(low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted intervals with touching ones merged."""
    if not low.size:
        return low, high
    order = np.argsort(low)
    low, high = low[order], high[order]
    starts = np.concatenate([[True], low[1:] > high[:-1]])
    group = np.cumsum(starts) - 1
    merged_high = np.full(int(starts.sum()), -np.inf)
    np.maximum.at(merged_high, group, high)
    return low[starts], merged_high


__all__ = ["conditioned_scores"]
