"""The DP copula's noise scales against OpenDP's calibration of the same mechanisms.

The copula draws its noise with numpy (it needs it vectorised over whole histograms); what
must be right is the scale. OpenDP calibrates the same mechanisms independently: the
Laplace scales must match it exactly, and the analytic Gaussian (Balle and Wang 2018) must
need no more noise than OpenDP's zCDP-based accounting, and not absurdly less.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.generators import GaussianCopulaSynthesizer
from genesis.generators.gaussian_copula import analytic_gaussian_sigma


def _opendp():
    try:
        import opendp.prelude as opendp
    except ImportError as exc:  # a dev dependency: fail with the fix, never skip
        raise AssertionError("install the dev extra: pip install -e '.[dev]' (opendp)") from exc
    opendp.enable_features("contrib")
    return opendp


def _laplace_scale(d_in: float, epsilon: float) -> float:
    opendp = _opendp()
    space = (
        opendp.vector_domain(opendp.atom_domain(T=float, nan=False)),
        opendp.l1_distance(T=float),
    )
    return opendp.binary_search_param(
        lambda s: opendp.m.make_laplace(*space, scale=s), d_in=d_in, d_out=epsilon
    )


def _gaussian_epsilon(sigma: float, sensitivity: float, delta: float) -> float:
    opendp = _opendp()
    space = (
        opendp.vector_domain(opendp.atom_domain(T=float, nan=False)),
        opendp.l2_distance(T=float),
    )
    mechanism = opendp.c.make_fix_delta(
        opendp.c.make_zCDP_to_approxDP(opendp.m.make_gaussian(*space, scale=sigma)), delta=delta
    )
    return mechanism.map(sensitivity)[0]


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "age": rng.integers(18, 90, 2_000),
            "income": rng.lognormal(10, 1, 2_000),
            "city": rng.choice(["a", "b", "c"], 2_000),
        }
    )


@pytest.mark.parametrize("delta", [None, 1e-6])
def test_laplace_scales_match_opendp(table, delta):
    model = GaussianCopulaSynthesizer(epsilon=1.0, delta=delta, seed=0).fit(table)
    budget = model.privacy_budget_
    # each marginal histogram: L1 sensitivity 1 under add/remove-one-row, its share of epsilon
    expected = _laplace_scale(1.0, budget["epsilon_per_marginal"])
    assert model.noise_scales_["marginals"] == pytest.approx(expected, rel=1e-6)
    if delta is None:  # the correlation sum: L1 sensitivity (k + 1) * clip**2 / 2, clip**2 = 4k
        k = len(model.correlation_)
        sensitivity = (k + 1) * 4 * k / 2
        expected = _laplace_scale(sensitivity, budget["split"]["correlations"])
        assert model.noise_scales_["correlations"] == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(("epsilon", "delta"), [(0.5, 1e-6), (1.0, 1e-6), (4.0, 1e-8)])
def test_analytic_gaussian_needs_no_more_noise_than_opendp(epsilon, delta):
    sigma = analytic_gaussian_sigma(epsilon, delta, 1.0)
    # at our sigma OpenDP's (looser, zCDP-based) accounting spends at least epsilon ...
    assert _gaussian_epsilon(sigma, 1.0, delta) >= epsilon * (1 - 1e-9)
    # ... and the noise OpenDP would need for epsilon is at most ~1.5x ours
    assert _gaussian_epsilon(1.5 * sigma, 1.0, delta) <= epsilon
