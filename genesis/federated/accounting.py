"""Differential-privacy accounting of the secure aggregator's Gaussian noise, by OpenDP.

The run releases two noisy sums (the marginal histograms and the score outer products), each
with Gaussian noise of standard deviation ``multiplier * sensitivity``. Each release is
``rho = 1 / (2 multiplier**2)``-zCDP; zCDP composes by adding rho, which is the same as one
Gaussian release of L2 sensitivity ``sqrt(releases)`` at scale ``multiplier``. OpenDP's
``make_gaussian`` gives that measurement's zCDP and ``make_zCDP_to_approxDP`` /
``make_fix_delta`` convert it to (epsilon, delta); :func:`calibrate_multiplier` binary-searches
the smallest multiplier that meets a target.

With ``epsilon`` set, the run's whole budget is one zCDP budget: :func:`rho_budget` is the
largest rho whose conversion at the run's delta (less the support threshold's delta) spends
at most epsilon; the support round takes ``support_share`` of rho and the two statistics
releases the rest; :func:`epsilon_of_rho` converts the sum of what they spent back.
"""

from __future__ import annotations

import math

from genesis.errors import missing_dependency


def opendp_prelude():
    """``opendp.prelude`` with contrib features on (the one import of OpenDP in the package)."""
    try:
        import opendp.prelude as dp
    except ImportError as exc:
        raise missing_dependency("opendp", "differentially private federated aggregation") from exc
    dp.enable_features("contrib")
    return dp


def _measurement(multiplier: float, delta: float):
    dp = opendp_prelude()
    space = (dp.vector_domain(dp.atom_domain(T=float, nan=False)), dp.l2_distance(T=float))
    gaussian = dp.m.make_gaussian(*space, scale=float(multiplier))
    return dp.c.make_fix_delta(dp.c.make_zCDP_to_approxDP(gaussian), delta=float(delta))


def spent_epsilon(multiplier: float, delta: float, releases: int) -> float:
    """Epsilon (at ``delta``) of ``releases`` Gaussian releases at noise ``multiplier``."""
    if multiplier <= 0:
        return math.inf
    return float(_measurement(multiplier, delta).map(math.sqrt(releases))[0])


def calibrate_multiplier(epsilon: float, delta: float, releases: int) -> float:
    """The smallest noise multiplier whose ``releases`` releases spend at most (eps, delta)."""
    dp = opendp_prelude()
    return float(
        dp.binary_search_param(
            lambda s: _measurement(s, delta),
            d_in=math.sqrt(releases),
            d_out=(float(epsilon), float(delta)),
        )
    )


def _rho_measurement(delta: float):
    """A unit-scale Gaussian whose ``d_in = sqrt(2 rho)`` is rho-zCDP, converted at delta."""
    dp = opendp_prelude()
    space = (dp.vector_domain(dp.atom_domain(T=float, nan=False)), dp.l2_distance(T=float))
    gaussian = dp.m.make_gaussian(*space, scale=1.0)
    return dp.c.make_fix_delta(dp.c.make_zCDP_to_approxDP(gaussian), delta=float(delta))


def epsilon_of_rho(rho: float, delta: float) -> float:
    """Epsilon (at ``delta``) of a rho-zCDP release, by OpenDP's conversion."""
    if rho <= 0:
        return 0.0
    return float(_rho_measurement(delta).map(math.sqrt(2.0 * rho))[0])


def rho_budget(epsilon: float, delta: float) -> float:
    """The largest zCDP rho whose conversion spends at most (epsilon, delta): the run's
    budget, shared by its releases (zCDP composes by adding rho)."""
    dp = opendp_prelude()

    def make(scale: float):
        space = (dp.vector_domain(dp.atom_domain(T=float, nan=False)), dp.l2_distance(T=float))
        gaussian = dp.m.make_gaussian(*space, scale=float(scale))
        return dp.c.make_fix_delta(dp.c.make_zCDP_to_approxDP(gaussian), delta=float(delta))

    scale = float(dp.binary_search_param(make, d_in=1.0, d_out=(float(epsilon), float(delta))))
    return 1.0 / (2.0 * scale * scale)
