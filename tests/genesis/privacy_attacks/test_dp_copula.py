"""The differentially private Gaussian copula that the privacy engine and retry fall back on."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from genesis.errors import InvalidParameterError
from genesis.generators import GaussianCopulaSynthesizer
from genesis.generators.gaussian_copula import analytic_gaussian_sigma


def test_analytic_gaussian_beats_the_classic_bound():
    sigma = analytic_gaussian_sigma(1.0, 1e-5, 1.0)
    assert sigma < math.sqrt(2 * math.log(1.25 / 1e-5))
    assert analytic_gaussian_sigma(0.5, 1e-5, 1.0) > sigma
    assert analytic_gaussian_sigma(1.0, 1e-5, 2.0) == pytest.approx(2 * sigma, rel=1e-6)


def test_dp_copula_records_its_budget_and_noise_grows_as_epsilon_shrinks(adult_df):
    df = adult_df.sample(n=5_000, random_state=1).reset_index(drop=True)
    errors = {}
    for epsilon in (10.0, 0.05):
        model = GaussianCopulaSynthesizer(epsilon=epsilon, delta=1e-6, seed=0).fit(df)
        budget = model.privacy_budget_
        assert budget["epsilon"] == epsilon and budget["delta"] == 1e-6
        assert budget["split"]["marginals"] + budget["split"]["correlations"] == pytest.approx(
            epsilon
        )
        assert budget["neighbouring_relation"] == "add/remove one row"
        assert "data" in budget["bounds_from"]["age"]
        synthetic = model.generate(5_000)
        shares = synthetic["income"].value_counts(normalize=True)
        real_shares = df["income"].value_counts(normalize=True)
        errors[epsilon] = float((shares - real_shares).abs().max())
        assert list(synthetic.columns) == list(df.columns)
    assert errors[10.0] < 0.03
    assert errors[0.05] > errors[10.0]
    pure = GaussianCopulaSynthesizer(epsilon=1.0, bounds={"age": (0, 120)}).fit(df)
    assert pure.privacy_budget_["delta"] == 0.0
    assert pure.privacy_budget_["mechanism"]["correlations"].startswith("Laplace")
    assert pure.privacy_budget_["bounds_from"]["age"] == "declared"
    assert np.all(np.linalg.eigvalsh(pure.correlation_.to_numpy()) > 0)


def test_dp_copula_same_seed_same_rows(adult_df):
    df = adult_df.head(2_000)
    a = GaussianCopulaSynthesizer(epsilon=1.0, seed=4).fit(df).generate(300)
    b = GaussianCopulaSynthesizer(epsilon=1.0, seed=4).fit(df).generate(300)
    pd.testing.assert_frame_equal(a, b)
    assert not hasattr(GaussianCopulaSynthesizer().fit(df), "privacy_budget_")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"epsilon": 0}, "epsilon must be a positive"),
        ({"epsilon": -1.0}, "epsilon must be a positive"),
        ({"epsilon": 1.0, "delta": 1.5}, "delta must be in"),
        ({"delta": 1e-6}, "pass epsilon too"),
        ({"epsilon": 1.0, "marginals": "parametric"}, "not differentially private"),
        ({"epsilon": 1.0, "bounds": {"age": (5, 1)}}, "low < high"),
        ({"epsilon": 1.0, "dp_marginal_share": 1.0}, "dp_marginal_share"),
    ],
)
def test_dp_parameters_are_validated(params, message, adult_df):
    with pytest.raises(InvalidParameterError, match=message):
        GaussianCopulaSynthesizer(**params).fit(adult_df.head(100))
