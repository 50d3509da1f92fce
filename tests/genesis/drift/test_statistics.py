"""genesis.drift.statistics: each statistic against scipy's reference."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from genesis.drift import psi_level
from genesis.drift.statistics import chisquare_test, psi, wasserstein_norm, wasserstein_sorted


def test_psi_levels():
    assert [psi_level(v) for v in (0.0, 0.099, 0.1, 0.15, 0.2, 3.0)] == [
        "none",
        "none",
        "moderate",
        "moderate",
        "significant",
        "significant",
    ]


@pytest.mark.parametrize("sizes", [(1, 1), (3, 7), (100, 37), (999, 1000), (5000, 12345)])
def test_wasserstein_equals_scipy(sizes):
    rng = np.random.default_rng(sum(sizes))
    u = np.sort(np.round(rng.normal(0, 1, sizes[0]), 1))  # ties included
    v = np.sort(np.round(rng.normal(0.3, 2, sizes[1]), 1))
    assert wasserstein_sorted(u, v) == pytest.approx(stats.wasserstein_distance(u, v), abs=1e-12)
    constant = np.zeros(10)
    assert wasserstein_norm(constant, constant + 1) == pytest.approx(1 / 0.001)


def test_chisquare_equals_scipy_and_handles_new_values():
    ref = np.array([50.0, 30, 20])
    cur = np.array([40.0, 45, 15])
    expected = stats.chisquare(cur, ref * cur.sum() / ref.sum())
    assert chisquare_test(ref, cur) == pytest.approx((expected.statistic, expected.pvalue))
    stat, p = chisquare_test(np.array([10.0, 0]), np.array([5.0, 5]))
    assert np.isinf(stat) and p == 0.0


def test_psi_fills_empty_shares():
    assert psi(np.array([0.5, 0.5]), np.array([0.5, 0.5])) == 0.0
    assert np.isfinite(psi(np.array([1.0, 0.0]), np.array([0.5, 0.5])))
