"""Exact aggregation: IID sites reproduce the central copula's statistics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.errors import FederatedSchemaError, InvalidParameterError
from genesis.federated import (
    AggregatedModel,
    DataSite,
    FederatedGenerator,
    ModelAggregator,
    SiteConfig,
)
from genesis.federated.simulator import iid_partition
from genesis.generators import GaussianCopulaSynthesizer


@pytest.fixture(scope="module")
def federation(table):
    parts = iid_partition(len(table), 3, seed=0)
    sites = {f"s{i}": table.iloc[p].reset_index(drop=True) for i, p in enumerate(parts)}
    generator = FederatedGenerator(ModelAggregator(seed=0))
    for name, rows in sites.items():
        generator.add_site(DataSite(name, rows))
    result = generator.train()
    pooled = pd.concat([rows.assign(site=name) for name, rows in sites.items()], ignore_index=True)
    central = GaussianCopulaSynthesizer(seed=0).fit(pooled)
    return generator, result, central


def test_iid_sites_reproduce_the_central_correlation(federation):
    _, result, central = federation
    federated = result.parameters["correlation"]
    assert list(federated.index) == list(central.correlation_.index)
    # the only differences are the random tie-breaks and interval draws of each fit;
    # a second central fit with another seed differs by the same order
    diff = np.abs(federated.to_numpy() - central.correlation_.to_numpy()).max()
    assert diff < 0.05
    strong = central.correlation_.to_numpy()
    assert np.abs(strong[np.triu_indices_from(strong, 1)]).max() > 0.3  # a real structure


def test_iid_sites_reproduce_the_central_marginals(federation):
    _, result, central = federation
    model = result.parameters["model"]
    for j, column in enumerate(model._columns):
        fed, cen = model._marginals[j], central._marginals[j]
        assert fed[0] == cen[0]
        if fed[0] == "discrete":  # exact counts: identical intervals
            np.testing.assert_array_equal(fed[2], cen[2])
            np.testing.assert_allclose(fed[1], cen[1], atol=1e-6)
        else:  # each federated quantile lies between the central ones 0.5% of rank away
            assert fed[1].size == cen[1].size
            m, slack = cen[1].size, int(0.005 * cen[1].size)
            index = np.arange(m)
            low = cen[1][np.maximum(index - slack, 0)]
            high = cen[1][np.minimum(index + slack, m - 1)]
            tolerance = 1e-9 * (np.abs(cen[1]).max() + 1)
            assert np.all(fed[1] >= low - tolerance), column
            assert np.all(fed[1] <= high + tolerance), column


def test_the_aggregate_is_a_working_copula(federation, tmp_path):
    generator, result, _ = federation
    assert isinstance(result, AggregatedModel)
    assert result.round_number == 3 and result.n_sites == 3 and result.total_samples == 3_000
    model = result.parameters["model"]
    rows = model.generate(500, conditions={"city": "north"})
    assert (rows["city"] == "north").all()
    path = model.save(tmp_path / "fed.genesis")
    again = GaussianCopulaSynthesizer.load(path)
    pd.testing.assert_frame_equal(again.generate(50, seed=3), model.generate(50, seed=3))


def test_weights_count_a_site_more(table):
    a, b = table.iloc[:1_000], table.iloc[1_000:2_000]
    twice = FederatedGenerator()
    twice.add_site(DataSite("a", a, SiteConfig("a", weight=2.0)))
    twice.add_site(DataSite("b", b))
    weighted = twice.train().parameters["model"]
    copies = FederatedGenerator()
    copies.add_site(DataSite("a", pd.concat([a, a], ignore_index=True)))
    copies.add_site(DataSite("b", b))
    duplicated = copies.train().parameters["model"]
    j = weighted._columns.index("city")
    np.testing.assert_allclose(weighted._marginals[j][1], duplicated._marginals[j][1], atol=1e-6)


def test_heterogeneous_categories_and_ranges_aggregate(make_table):
    young = make_table(600, seed=1).assign(city="harbour", age=lambda d: d.age % 20 + 18)
    old = make_table(600, seed=2).assign(age=lambda d: d.age + 100)
    generator = FederatedGenerator()
    generator.add_site(DataSite("young", young))
    generator.add_site(DataSite("old", old))
    generator.train()
    rows = generator.generate(4_000, include_site=True)
    assert set(rows["city"]) == {"harbour", "north", "south", "east"}
    assert rows["age"].min() < 40 and rows["age"].max() > 150
    # the site column ties each site to its own support as strongly as a central copula
    # fitted on the pooled rows does (a copula blurs deterministic links between labels)
    pooled = pd.concat([young.assign(site="young"), old.assign(site="old")], ignore_index=True)
    central = GaussianCopulaSynthesizer(seed=0).fit(pooled).generate(4_000)
    for frame in (rows, central):
        frame["own"] = np.where(frame.site == "young", frame.city == "harbour", frame.age >= 100)
    assert rows.own.mean() == pytest.approx(central.own.mean(), abs=0.04)
    assert rows.own.mean() > 0.6


def test_mismatched_columns_name_the_sites(table):
    generator = FederatedGenerator()
    generator.add_site(DataSite("a", table.iloc[:500]))
    generator.add_site(DataSite("b", table.iloc[500:1_000].drop(columns="hours")))
    with pytest.raises(FederatedSchemaError, match=r"'b'.*missing at 'b': \['hours'\]"):
        generator.train()


def test_a_column_of_different_types_is_refused(table):
    generator = FederatedGenerator()
    generator.add_site(DataSite("a", table.iloc[:500]))
    generator.add_site(DataSite("b", table.iloc[500:1_000].astype({"age": str})))
    with pytest.raises(FederatedSchemaError, match="'age' has different types"):
        generator.train()


def test_identifiers_are_not_federated(table):
    with_ids = table.assign(email=[f"person{i}@example.com" for i in range(len(table))])
    generator = FederatedGenerator()
    generator.add_site(DataSite("a", with_ids.iloc[:1_500]))
    generator.add_site(DataSite("b", with_ids.iloc[1_500:]))
    with pytest.raises(FederatedSchemaError, match="email"):
        generator.train()


def test_aggregate_rejects_mixed_or_empty_rounds():
    aggregator = ModelAggregator()
    with pytest.raises(InvalidParameterError, match="non-empty list"):
        aggregator.aggregate([])
    with pytest.raises(InvalidParameterError, match="mixes rounds"):
        aggregator.aggregate([{"phase": "support"}, {"phase": "marginals"}])
