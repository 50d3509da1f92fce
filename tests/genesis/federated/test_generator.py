"""FederatedGenerator: training, mixing strategies, the spec's API."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.errors import (
    InvalidParameterError,
    NotFittedError,
)
from genesis.federated import (
    DataSite,
    FederatedGenerator,
    SecureAggregator,
    create_federated_generator,
)


@pytest.fixture(scope="module")
def trained(make_table):
    sites = {"north": make_table(800, seed=3), "south": make_table(400, seed=4)}
    sites["south"]["income"] = sites["south"]["income"] * 3  # the sites differ
    generator = create_federated_generator(sites)
    model = generator.train()
    return generator, model, sites


def test_spec_example_runs(trained):
    generator, model, _ = trained
    assert generator.is_trained and generator.method == "gaussian_copula"
    assert [s.name for s in generator.sites] == ["north", "south"]
    assert model.n_sites == 2 and model.total_samples == 1_200
    rows = generator.generate(300)
    assert list(rows.columns) == ["age", "income", "hours", "city", "member"]
    assert len(rows) == 300
    assert model.metadata["bytes_exchanged"] > 0
    assert [r["phase"] for r in model.metadata["rounds"]] == ["support", "marginals", "correlation"]


def test_strategies_mix_the_sites(trained):
    generator, _, sites = trained
    proportional = generator.generate(3_000, include_site=True, seed=1)
    share = (proportional.site == "north").mean()
    assert share == pytest.approx(800 / 1_200, abs=0.05)
    equal = generator.generate(3_001, strategy="equal", include_site=True, seed=1)
    assert set(equal.site.value_counts()) == {1_501, 1_500}
    # each site's conditional model keeps its own scale (real ratio 3; a copula's
    # conditional blurs it towards the pooled median, as a central copula's does)
    south = equal[equal.site == "south"].income.median()
    north = equal[equal.site == "north"].income.median()
    assert sites["south"].income.median() / sites["north"].income.median() > 2.5
    assert south / north > 1.6
    with pytest.raises(InvalidParameterError, match="strategy must be one of"):
        generator.generate(10, strategy="best")


def test_untrained_and_bad_arguments(table):
    generator = FederatedGenerator()
    with pytest.raises(NotFittedError, match="call train"):
        generator.generate(10)
    with pytest.raises(InvalidParameterError, match="takes a DataSite"):
        generator.add_site(table)
    generator.add_site(DataSite("a", table))
    with pytest.raises(InvalidParameterError, match="already registered"):
        generator.add_site(DataSite("a", table))
    with pytest.raises(InvalidParameterError, match="ModelAggregator or SecureAggregator"):
        FederatedGenerator(aggregator="secure")
    with pytest.raises(InvalidParameterError, match="non-empty dict"):
        create_federated_generator({})


def test_bad_neural_settings():
    with pytest.raises(InvalidParameterError, match="multiple of 10"):
        FederatedGenerator(method="ctgan", batch_size=25)
    with pytest.raises(InvalidParameterError, match="local_epochs"):
        FederatedGenerator(method="tvae", local_epochs=0)
    with pytest.raises(InvalidParameterError, match="method must be one of"):
        FederatedGenerator(method="gan")


def test_secure_generator_with_the_default_aggregator(table):
    generator = create_federated_generator(
        {"a": table.iloc[:1_500], "b": table.iloc[1_500:]}, aggregator=SecureAggregator()
    )
    model = generator.train()
    assert model.metadata["secure"] and model.metadata["differential_privacy"]["epsilon"] > 0
    assert len(generator.generate(100)) == 100


def _mixed(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "x": np.where(rng.random(n) < 0.1, np.nan, rng.normal(0, 1, n)),
            "when": pd.to_datetime("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
            "flag": rng.random(n) < 0.3,
            "label": rng.choice(["a", "b", None], n),
        }
    )


def test_missing_values_datetimes_and_booleans_keep_their_format():
    sites = {"a": _mixed(500, 1), "b": _mixed(700, 2)}
    generator = create_federated_generator(sites)
    generator.train()
    rows = generator.generate(2_000)
    assert rows.dtypes.equals(sites["a"].dtypes)
    assert rows["when"].dt.normalize().eq(rows["when"]).all()  # days stay days
    pooled = pd.concat(sites.values(), ignore_index=True)
    for column in ("x", "label"):
        real = pooled[column].isna().mean()
        assert rows[column].isna().mean() == pytest.approx(real, abs=0.04), column
