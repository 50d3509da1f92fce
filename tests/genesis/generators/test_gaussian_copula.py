"""Gaussian copula: marginals, correlations, speed."""

from __future__ import annotations

import time

import numpy as np
import pytest

from genesis.errors import InvalidParameterError
from genesis.generators import GaussianCopulaSynthesizer


def test_strong_correlation_is_preserved(weather_small):
    synthetic = GaussianCopulaSynthesizer(seed=0).fit(weather_small).generate(5000)
    real_corr = weather_small["temp"].corr(weather_small["dewp"])
    assert real_corr > 0.8
    assert abs(synthetic["temp"].corr(synthetic["dewp"]) - real_corr) < 0.1


def test_marginals_match(weather_small, adult_small):
    from scipy.stats import ks_2samp

    synthetic = GaussianCopulaSynthesizer(seed=1).fit(weather_small).generate(4000)
    for column in ("temp", "humid", "pressure", "visib"):
        assert (
            ks_2samp(weather_small[column].dropna(), synthetic[column].dropna()).statistic < 0.05
        ), column
    synthetic = GaussianCopulaSynthesizer(seed=1).fit(adult_small).generate(4000)
    for column in ("education", "occupation", "income"):
        real = adult_small[column].value_counts(normalize=True)
        fake = synthetic[column].value_counts(normalize=True)
        assert 0.5 * real.subtract(fake, fill_value=0).abs().sum() < 0.05, column


def test_categorical_dependence_is_captured(adult_small):
    synthetic = GaussianCopulaSynthesizer(seed=0).fit(adult_small).generate(4000)
    # husbands are male: the copula ties relationship to sex
    assert (synthetic.loc[synthetic["relationship"] == "Husband", "sex"] == "Male").mean() > 0.8


def test_parametric_marginals(weather_small):
    model = GaussianCopulaSynthesizer(marginals="parametric", seed=0).fit(weather_small)
    assert set(model.marginal_families_.values()) <= {
        "norm",
        "lognorm",
        "gamma",
        "beta",
        "uniform",
        "empirical",
    }
    synthetic = model.generate(2000)
    assert synthetic["temp"].between(weather_small["temp"].min(), weather_small["temp"].max()).all()
    assert abs(synthetic["temp"].mean() - weather_small["temp"].mean()) < 3


def test_correlation_matrix_is_a_valid_correlation(weather_small):
    corr = GaussianCopulaSynthesizer().fit(weather_small).correlation_
    values = corr.to_numpy()
    assert np.allclose(np.diag(values), 1, atol=1e-5) and np.allclose(values, values.T, atol=1e-6)
    assert np.linalg.eigvalsh(values).min() > 0
    assert (
        list(corr.columns)
        == GaussianCopulaSynthesizer().fit(weather_small).transformer_.model_columns_
    )


def test_fit_and_sample_are_fast(adult_df):
    start = time.perf_counter()
    model = GaussianCopulaSynthesizer().fit(adult_df)
    model.generate(len(adult_df))
    assert time.perf_counter() - start < 5  # ~0.3 s measured on 2 cores; generous for shared CI
    start = time.perf_counter()
    big = model.generate(200_000)
    assert time.perf_counter() - start < 5
    assert len(big) == 200_000 and big["age"].dtype == np.int64


@pytest.mark.parametrize(("param", "value"), [("marginals", "beta"), ("max_quantiles", 1)])
def test_bad_parameters(param, value, adult_small):
    with pytest.raises(InvalidParameterError, match=param):
        GaussianCopulaSynthesizer(**{param: value}).fit(adult_small)


def test_constructor_only_stores_parameters():
    model = GaussianCopulaSynthesizer(marginals="nonsense")  # validated at fit, sklearn-style
    assert model.get_params() == {
        "marginals": "nonsense",
        "max_quantiles": 5000,
        "max_categories": 100,
        "seed": 0,
        "epsilon": None,
        "delta": None,
        "bounds": None,
        "dp_marginal_share": 0.5,
    }
    assert "marginals='nonsense'" in repr(model)
    assert not hasattr(model, "transformer_")
