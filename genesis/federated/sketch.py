"""Mergeable marginal statistics: quantile sketches and atom/interval histograms.

A continuous marginal is held as a *step CDF* over a sorted grid ``g``: ``right[i]`` is
``P(X <= g[i])`` and ``left[i]`` is ``P(X < g[i])``; between two grid points the CDF is
linear. Point masses (a spike of zeros, 40 hours a week) are jumps ``right[i] > left[i]``
and stay exact. Sites count their values in *cells*, atoms ``x == g[i]`` and open intervals
``g[i] < x < g[i+1]``, so a histogram is a vector of counts that adds across sites (and can
be summed under secure aggregation); the step CDF of the sum is then exact at every grid
point and linear in between.

Sketch error: the support round's quantile sketch has ``K`` points per site, so its merged
CDF is within ``1 / (K - 1)`` of the true CDF (Kolmogorov distance) at every value. The
statistics round's histogram is exact at the grid points; inside an interval the CDF is
linear, so a value's rank is off by at most the mass of its interval, which is at most
``1 / (G - 1)`` of the sketch plus the sketch error, where ``G`` is the grid size
(:data:`GRID_POINTS`).
"""

from __future__ import annotations

import numpy as np
from scipy import special

#: points of each site's quantile sketch in the support round
SKETCH_POINTS = 501
#: quantile points (and as many equal-width points) of a continuous column's grid
GRID_POINTS = 1001
_EPS = 1e-9


def quantile_sketch(x: np.ndarray, points: int) -> list[float]:
    """``points`` quantiles of ``x`` at ``linspace(0, 1, points)``; every one an observed
    value (inverted CDF), so the minimum and maximum are exact."""
    x = np.sort(x[np.isfinite(x)])
    if x.size == 0:
        return []
    probs = np.linspace(0.0, 1.0, points)
    return np.quantile(x, probs, method="inverted_cdf").tolist()


def sketch_cdf(q: np.ndarray, g: np.ndarray, *, left: bool = False) -> np.ndarray:
    """The piecewise-linear CDF through the points ``(q[i], i / (len(q) - 1))`` at ``g``:
    right-continuous (``P(X <= g)``) or, with ``left``, its left limit (``P(X < g)``)."""
    k = q.size
    p = np.linspace(0.0, 1.0, k) if k > 1 else np.ones(1)
    if left:
        hi = np.searchsorted(q, g, side="left")  # first point >= g
        below = np.clip(hi - 1, 0, k - 1)
        above = np.clip(hi, 0, k - 1)
        span = q[above] - q[below]
        frac = np.where(span > 0, (g - q[below]) / np.where(span > 0, span, 1.0), 1.0)
        out = p[below] + frac * (p[above] - p[below])
        return np.where(hi == 0, 0.0, np.where(hi >= k, 1.0, out))
    hi = np.searchsorted(q, g, side="right")  # first point > g
    below = np.clip(hi - 1, 0, k - 1)
    above = np.clip(hi, 0, k - 1)
    span = q[above] - q[below]
    frac = np.where(span > 0, (g - q[below]) / np.where(span > 0, span, 1.0), 0.0)
    out = p[below] + frac * (p[above] - p[below])
    return np.where(hi == 0, 0.0, np.where(hi >= k, 1.0, out))


def merge_sketches(sketches: list[np.ndarray], weights: list[float]) -> tuple[np.ndarray, ...]:
    """The step CDF ``(grid, left, right)`` of the weighted mixture of site sketches."""
    pairs = [(np.asarray(q, float), w) for q, w in zip(sketches, weights, strict=True) if len(q)]
    if not pairs:
        return np.zeros(1), np.zeros(1), np.ones(1)
    grid = np.unique(np.concatenate([q for q, _ in pairs]))
    total = sum(w for _, w in pairs)
    right = sum(w * sketch_cdf(q, grid) for q, w in pairs) / total
    left = sum(w * sketch_cdf(q, grid, left=True) for q, w in pairs) / total
    return grid, left, right


def step_quantiles(grid: np.ndarray, left: np.ndarray, right: np.ndarray, probs: np.ndarray):
    """Inverse of the step CDF at ``probs``: a grid value inside a jump, else linear."""
    j = np.clip(np.searchsorted(right, probs, side="left"), 0, grid.size - 1)
    in_jump = probs >= left[j]
    prev = np.maximum(j - 1, 0)
    lo_p = np.where(j > 0, right[prev], 0.0)
    span = left[j] - lo_p
    frac = np.clip(np.where(span > 0, (probs - lo_p) / np.where(span > 0, span, 1.0), 1.0), 0, 1)
    lo_x = np.where(j > 0, grid[prev], grid[0])
    return np.where(in_jump, grid[j], lo_x + frac * (grid[j] - lo_x))


def column_grid(values: np.ndarray, points: int = GRID_POINTS) -> np.ndarray:
    """The agreed grid of a continuous model column: quantiles of ``values`` (observed values,
    so spikes are grid points) and as many equal-width points over their range."""
    values = values[np.isfinite(values)]
    if values.size == 0:
        return np.zeros(1)
    probs = np.linspace(0.0, 1.0, points)
    quantiles = np.quantile(values, probs, method="inverted_cdf")
    even = np.linspace(values.min(), values.max(), points)
    return np.unique(np.concatenate([quantiles, even]))


def cell_counts(x: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Counts of ``x`` in the ``2 * len(grid) - 1`` cells (atom 0, interval 0-1, atom 1, ...);
    values outside the grid's range count at its end atoms."""
    x = np.clip(np.nan_to_num(x, nan=grid[0]), grid[0], grid[-1])
    pos = np.clip(np.searchsorted(grid, x, side="left"), 0, grid.size - 1)
    cells = np.where(grid[pos] == x, 2 * pos, 2 * pos - 1)
    return np.bincount(cells, minlength=2 * grid.size - 1).astype(np.float64)


def cells_to_step(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(left, right)`` of the step CDF from (summed, possibly noisy) cell counts."""
    counts = np.clip(np.asarray(counts, float), 0.0, None)
    total = counts.sum()
    if total <= 0:
        counts = np.ones_like(counts)
        total = counts.sum()
    cum = np.concatenate([[0.0], np.cumsum(counts)]) / total
    right = cum[1::2]  # after atom i
    left = cum[0::2]  # before atom i
    return left, right


def continuous_scores(
    x: np.ndarray, grid: np.ndarray, left: np.ndarray, right: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Normal scores of ``x`` under the agreed step CDF; ties inside a jump are broken at
    random, as the central fit breaks tied ranks."""
    x = np.clip(np.nan_to_num(x, nan=grid[0]), grid[0], grid[-1])
    pos = np.clip(np.searchsorted(grid, x, side="left"), 0, grid.size - 1)
    atom = grid[pos] == x
    prev = np.maximum(pos - 1, 0)
    span = grid[pos] - grid[prev]
    frac = np.where(span > 0, (x - grid[prev]) / np.where(span > 0, span, 1.0), 0.0)
    inside = right[prev] + frac * (left[pos] - right[prev])
    jump = left[pos] + rng.random(x.size) * (right[pos] - left[pos])
    u = np.where(atom, jump, inside)
    return special.ndtri(np.clip(u, _EPS, 1 - _EPS))


def discrete_scores(
    codes: np.ndarray, lower: np.ndarray, width: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Normal scores of discrete ``codes``: a uniform point inside each code's interval."""
    codes = np.clip(codes.astype(np.int64), 0, lower.size - 1)
    u = lower[codes] + rng.random(codes.size) * width[codes]
    return special.ndtri(np.clip(u, _EPS, 1 - _EPS))
