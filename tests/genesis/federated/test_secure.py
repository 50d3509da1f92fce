"""Secure aggregation: masked sums, dropped sites, calibrated noise, site budgets."""

from __future__ import annotations

import math

import numpy as np
import pytest

from genesis.errors import (
    FederatedError,
    InvalidParameterError,
    PrivacyBudgetExceededError,
    SiteDroppedError,
)
from genesis.federated import DataSite, FederatedGenerator, SecureAggregator, SiteConfig


def _opendp():
    try:
        import opendp.prelude as dp
    except ImportError as exc:  # a required dependency of the feature: fail with the fix
        raise AssertionError("install the federated extra: pip install -e '.[federated]'") from exc
    dp.enable_features("contrib")
    return dp


def _sites(table, n=3, budget=1.0):
    size = len(table) // n
    return [
        DataSite(
            f"s{i}",
            table.iloc[i * size : (i + 1) * size],
            SiteConfig(f"s{i}", 1.0, budget, seed=i),
        )
        for i in range(n)
    ]


def _open(aggregator, sites):
    """Key exchange and support round, as FederatedGenerator.train runs them."""
    keys = aggregator.open_session({s.name: s.masking_key() for s in sites})
    for site in sites:
        site.initialize()
        site.authorize(aggregator.epsilon_cost())
        site.agree_masks(keys)
    plan = aggregator.support_plan()
    aggregator.aggregate([s.train_local(plan) for s in sites])


def _plain_sum(sites, plan):
    return np.sum([s.train_local({**plan, "secure": None})["vector"] for s in sites], axis=0)


def test_the_secure_sum_equals_the_plain_sum(table):
    aggregator = SecureAggregator(noise_scale=0.0)
    sites = _sites(table)
    _open(aggregator, sites)
    plan = aggregator.round_plan("marginals")
    messages = [s.train_local(plan) for s in sites]
    assert all("vector" not in m and m["masked"].dtype == np.uint64 for m in messages)
    result = aggregator.aggregate(messages)
    secure = np.concatenate([np.asarray(v) for v in result.parameters["marginals"].values()])
    np.testing.assert_allclose(secure, _plain_sum(sites, plan), atol=1e-4)


def test_a_dropped_site_is_named_or_recovered(table):
    aggregator = SecureAggregator(noise_scale=0.0)
    sites = _sites(table)
    _open(aggregator, sites)
    plan = aggregator.round_plan("marginals")
    survivors = [sites[0], sites[2]]
    messages = [s.train_local(plan) for s in survivors]
    with pytest.raises(SiteDroppedError, match=r"\['s1'\] dropped out"):
        aggregator.aggregate(messages)
    reveals = {(s.name, "s1"): s.reveal_mask_seed("s1") for s in survivors}
    result = aggregator.aggregate(messages, reveals=reveals)
    recovered = np.concatenate([np.asarray(v) for v in result.parameters["marginals"].values()])
    np.testing.assert_allclose(recovered, _plain_sum(survivors, plan), atol=1e-4)


def test_noise_has_the_stated_scale(table):
    aggregator = SecureAggregator(noise_scale=3.0)
    sites = _sites(table)
    _open(aggregator, sites)
    plan = aggregator.round_plan("marginals")
    result = aggregator.aggregate([s.train_local(plan) for s in sites])
    noisy = np.concatenate([np.asarray(v) for v in result.parameters["marginals"].values()])
    sigma = result.metadata["differential_privacy"]["sigma"]["marginals"]
    k = len(result.parameters["marginals"])
    assert sigma == pytest.approx(3.0 * math.sqrt(k))
    error = noisy - _plain_sum(sites, plan)
    assert np.std(error) == pytest.approx(sigma, rel=0.1)


@pytest.mark.parametrize(("epsilon", "delta"), [(1.0, 1e-5), (4.0, 1e-6)])
def test_calibration_matches_opendp(table, epsilon, delta):
    generator = FederatedGenerator(SecureAggregator(epsilon=epsilon, delta=delta))
    for site in _sites(table, budget=10.0):
        generator.add_site(site)
    result = generator.train()
    dp = result.metadata["differential_privacy"]
    opendp = _opendp()
    space = (
        opendp.vector_domain(opendp.atom_domain(T=float, nan=False)),
        opendp.l2_distance(T=float),
    )
    # two releases, each at noise multiplier m: one Gaussian of L2 sensitivity sqrt(2)
    # the statistics rounds: two releases at multiplier m, each 1 / (2 m**2)-zCDP ...
    rho = opendp.m.make_gaussian(*space, scale=dp["noise_multiplier"]).map(math.sqrt(2))
    assert dp["statistics"]["rho"] == pytest.approx(rho)
    assert rho == pytest.approx((1 - dp["support_share"]) * dp["rho"])
    # ... plus the support round's rho, converted at delta less the threshold's delta
    measurement = opendp.c.make_fix_delta(
        opendp.c.make_zCDP_to_approxDP(opendp.m.make_gaussian(*space, scale=1.0)),
        delta=delta - dp["support_share"] * delta,
    )
    spent, _ = measurement.map(math.sqrt(2 * (rho + dp["support"]["rho"])))
    assert spent <= epsilon + 1e-9 and spent > 0.98 * epsilon
    assert dp["epsilon"] == pytest.approx(spent) and dp["delta"] == delta
    k = len(result.parameters["correlation"])
    assert dp["sigma"]["marginals"] == pytest.approx(dp["noise_multiplier"] * math.sqrt(k))
    assert all(site.privacy_spent == epsilon for site in generator.sites)
    assert generator.generate(200).shape[0] == 200


def test_a_site_refuses_a_run_past_its_budget(table):
    generator = FederatedGenerator(SecureAggregator(epsilon=1.0))
    sites = _sites(table, budget=1.5)
    for site in sites:
        generator.add_site(site)
    generator.train()
    with pytest.raises(PrivacyBudgetExceededError, match=r"site 's0' has spent epsilon=1"):
        generator.train()
    assert all(site.privacy_spent == 1.0 for site in sites)  # nothing charged by the refusal


def test_fewer_sites_than_min_sites(table):
    generator = FederatedGenerator(SecureAggregator(min_sites=3))
    for site in _sites(table, n=2):
        generator.add_site(site)
    with pytest.raises(FederatedError, match="at least 3"):
        generator.train()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epsilon": 0.0}, "epsilon must be a positive"),
        ({"epsilon": -1.0}, "epsilon must be a positive"),
        ({"epsilon": float("nan")}, "epsilon must be a positive"),
        ({"delta": 0.0}, r"delta must be in \(0, 1\)"),
        ({"delta": 1.0}, r"delta must be in \(0, 1\)"),
        ({"min_sites": 1}, "min_sites must be an integer >= 2"),
        ({"clip_threshold": 0}, "clip_threshold must be a positive"),
        ({"noise_scale": -0.1}, "noise_scale must be a number >= 0"),
    ],
)
def test_bad_parameters(kwargs, message):
    with pytest.raises(InvalidParameterError, match=message):
        SecureAggregator(**kwargs)


def test_keys_and_noise_come_from_the_sites_private_seed(table):
    rows = table.iloc[:500]
    # without a seed each site draws a secret: the aggregator's seed does not determine keys
    assert DataSite("a", rows).masking_key() != DataSite("a", rows).masking_key()
    seeded = [DataSite("a", rows, SiteConfig("a", seed=7)) for _ in range(2)]
    assert seeded[0].masking_key() == seeded[1].masking_key()
    with pytest.raises(InvalidParameterError, match="seed"):
        SiteConfig("a", seed=-1)
