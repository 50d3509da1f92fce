"""Federated averaging of TVAE's weights (tiny data, one epoch per round)."""

from __future__ import annotations

import numpy as np
import pytest

from genesis.errors import FederatedError
from genesis.federated import (
    DataSite,
    FederatedGenerator,
    ModelAggregator,
    SecureAggregator,
    SiteConfig,
)
from genesis.generators import TVAESynthesizer


def _sites(make_table):
    return [
        DataSite("a", make_table(300, seed=1), SiteConfig("a", seed=1)),
        DataSite("b", make_table(200, seed=2), SiteConfig("b", seed=2)),
    ]


def _rounds(aggregator, sites):
    for site in sites:
        site.initialize("tvae")
    aggregator.aggregate([s.train_local(aggregator.support_plan()) for s in sites])
    plan = aggregator.round_plan("fedavg")
    plan.update(local_epochs=1, batch_size=100)
    return plan


@pytest.mark.slow  # trains CTGAN at two sites over rounds
def test_the_global_model_is_the_row_weighted_mean_of_the_sites(make_table):
    from genesis.federated.neural import flatten, neural_shared

    aggregator = ModelAggregator()
    sites = _sites(make_table)
    plan = _rounds(aggregator, sites)
    messages = [s.train_local(plan) for s in sites]
    local = [m["vector"][:-1] / m["vector"][-1] for m in messages]
    result = aggregator.aggregate(messages)
    expected = (300 * local[0] + 200 * local[1]) / 500
    np.testing.assert_allclose(result.parameters["global"], expected, rtol=1e-9)
    initial = flatten(*neural_shared(plan["support"]).networks(plan["seed"]))
    assert np.abs(local[0] - initial).max() > 1e-4  # the sites did train
    assert np.abs(local[0] - local[1]).max() > 1e-4  # on their own rows


def test_secure_averaging_equals_the_plain_average(make_table):
    secure = SecureAggregator()
    sites = _sites(make_table)
    keys = secure.open_session({s.name: s.masking_key() for s in sites})
    for site in sites:
        site.agree_masks(keys)
    plan = _rounds(secure, sites)
    messages = [s.train_local(plan) for s in sites]
    assert all("masked" in m for m in messages)
    result = secure.aggregate(messages)
    # the same local training, unmasked (training is seeded per site and round)
    plain = np.sum([s.train_local({**plan, "secure": None})["vector"] for s in sites], axis=0)
    np.testing.assert_allclose(result.parameters["global"], plain[:-1] / plain[-1], atol=1e-6)


def test_federated_tvae_trains_and_generates(make_table, tmp_path):
    generator = FederatedGenerator(method="tvae", local_epochs=1, batch_size=100)
    for site in _sites(make_table):
        generator.add_site(site)
    result = generator.train(rounds=2)
    assert result.round_number == 3  # support, then two averaging rounds
    model = result.parameters["model"]
    assert isinstance(model, TVAESynthesizer)
    rows = generator.generate(200, strategy="equal", include_site=True)
    assert len(rows) == 200 and set(rows.site) == {"a", "b"}
    again = TVAESynthesizer.load(model.save(tmp_path / "tvae.genesis"))
    assert list(again.generate(20).columns) == list(rows.columns)


def test_dp_is_refused_for_federated_tvae(make_table):
    generator = FederatedGenerator(SecureAggregator(epsilon=1.0), method="tvae")
    for site in _sites(make_table):
        generator.add_site(site)
    with pytest.raises(FederatedError, match="not implemented"):
        generator.train()


def test_federated_ctgan_averages_both_networks_and_generates(make_table):
    from genesis.generators import CTGANSynthesizer

    aggregator = ModelAggregator()
    aggregator.set_neural("ctgan", 100)
    sites = _sites(make_table)
    plan = _rounds(aggregator, sites)
    assert plan["method"] == "ctgan"
    messages = [s.train_local(plan) for s in sites]
    local = [m["vector"][:-1] / m["vector"][-1] for m in messages]
    result = aggregator.aggregate(messages)
    np.testing.assert_allclose(
        result.parameters["global"], (300 * local[0] + 200 * local[1]) / 500, rtol=1e-9
    )
    generator = FederatedGenerator(method="ctgan", local_epochs=1, batch_size=100)
    for site in _sites(make_table):
        generator.add_site(site)
    model = generator.train(rounds=1).parameters["model"]
    assert isinstance(model, CTGANSynthesizer)
    rows = generator.generate(100, include_site=True)
    assert len(rows) == 100 and rows.site.isin(["a", "b"]).all()
    assert (model.generate(50, conditions={"city": "north"}).city == "north").all()
