"""Mergeable marginal statistics: sketches and atom/interval histograms."""

from __future__ import annotations

import numpy as np

from genesis.federated.sketch import (
    cell_counts,
    cells_to_step,
    column_grid,
    continuous_scores,
    merge_sketches,
    quantile_sketch,
    sketch_cdf,
    step_quantiles,
)


def _ecdf(x, points):
    return np.searchsorted(np.sort(x), points, side="right") / x.size


def test_merged_sketches_are_within_the_sketch_error_of_the_pooled_cdf():
    rng = np.random.default_rng(0)
    a, b = rng.normal(0, 1, 4_000), rng.exponential(3, 1_000) + 2
    k = 101
    grid, left, right = merge_sketches(
        [np.asarray(quantile_sketch(a, k)), np.asarray(quantile_sketch(b, k))], [a.size, b.size]
    )
    pooled = np.concatenate([a, b])
    # the sketch CDF is within 1 / (k - 1) of each site's CDF, hence of the mixture's
    assert np.abs(right - _ecdf(pooled, grid)).max() <= 1 / (k - 1) + 1e-9
    assert grid[0] == pooled.min() and grid[-1] == pooled.max()


def test_summed_cell_counts_give_the_pooled_quantiles_and_keep_spikes_exact():
    rng = np.random.default_rng(1)
    sites = [np.where(rng.random(n) < 0.5, 0.0, rng.lognormal(5, 1, n)) for n in (1_500, 700, 300)]
    pooled = np.concatenate(sites)
    grid = column_grid(pooled[:500], 201)  # a grid from a coarse public sample
    total = sum(cell_counts(x, grid) for x in sites)
    assert total.sum() == pooled.size
    left, right = cells_to_step(total)
    probs = (np.arange(1_000) + 0.5) / 1_000
    federated = step_quantiles(grid, left, right, probs)
    # the spike (half the rows are 0) comes back exactly
    share = (pooled == 0).mean()
    assert np.all(federated[probs < share - 0.002] == 0.0)
    # exact at grid points, linear inside a cell: ranks off by at most one cell's mass
    cell_mass = np.diff(np.concatenate([[0], right])).max()
    ranks = _ecdf(pooled, federated)
    inside = probs > share + 0.002
    assert np.abs(ranks[inside] - probs[inside]).max() <= cell_mass + 2e-3


def test_scores_under_the_step_cdf_are_standard_normal():
    rng = np.random.default_rng(2)
    x = np.round(rng.gamma(2, 10, 5_000))  # integers: many ties, broken at random
    grid = column_grid(x, 501)
    left, right = cells_to_step(cell_counts(x, grid))
    z = continuous_scores(x, grid, left, right, np.random.default_rng(0))
    assert abs(z.mean()) < 0.03 and abs(z.std() - 1) < 0.03
    # monotone in x
    order = np.argsort(x, kind="stable")
    assert np.corrcoef(x[order], z[order])[0, 1] > 0.9


def test_sketch_cdf_left_limit_sees_the_jump():
    q = np.array([0.0, 0.0, 0.0, 1.0, 2.0])
    assert sketch_cdf(q, np.array([0.0]))[0] == 0.5
    assert sketch_cdf(q, np.array([0.0]), left=True)[0] == 0.0
