"""Fitted models for the genesis.gpu tests: Adult subsamples, neural models kept tiny."""

from __future__ import annotations

import pandas as pd
import pytest

from genesis.generators import SyntheticGenerator

#: neural models: a few epochs on a small table (fast on 2 cores, enough to sample from)
NEURAL_TINY = {"epochs": 2, "batch_size": 100}


@pytest.fixture(scope="session")
def adult_2k(adult_df: pd.DataFrame) -> pd.DataFrame:
    """2,000 rows of Adult (``?`` tokens kept)."""
    return adult_df.sample(2000, random_state=0).reset_index(drop=True)


@pytest.fixture(scope="session")
def copula(adult_2k: pd.DataFrame) -> SyntheticGenerator:
    """A Gaussian copula fitted on 2,000 Adult rows (empirical marginals)."""
    return SyntheticGenerator("gaussian_copula", seed=0).fit(adult_2k)


@pytest.fixture(scope="session")
def neural(adult_2k: pd.DataFrame):
    """``neural(method)``: a CTGAN or TVAE fitted for 2 epochs on 1,000 Adult rows (cached)."""
    fitted: dict[str, SyntheticGenerator] = {}

    def get(method: str) -> SyntheticGenerator:
        if method not in fitted:
            fitted[method] = SyntheticGenerator(method, seed=0, **NEURAL_TINY).fit(
                adult_2k.head(1000)
            )
        return fitted[method]

    return get


@pytest.fixture(scope="session")
def cart(adult_2k: pd.DataFrame) -> SyntheticGenerator:
    """A CART model (no torch sampling path)."""
    return SyntheticGenerator("cart", seed=0).fit(adult_2k)
