"""Fixtures of the drift tests: same-distribution samples of Adult and of the weather table."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(scope="module")
def adult_halves(adult_df):
    """Two disjoint random 5,000-row samples of Adult: same distribution."""
    perm = np.random.default_rng(0).permutation(len(adult_df))
    return (
        adult_df.iloc[perm[:5000]].reset_index(drop=True),
        adult_df.iloc[perm[5000:10000]].reset_index(drop=True),
    )


@pytest.fixture(scope="module")
def weather_small(weather_df):
    """Two disjoint 800-row samples of the weather table (baseline <= 1,000 rows)."""
    perm = np.random.default_rng(0).permutation(len(weather_df))
    w = weather_df.drop(columns="time_hour")
    return (
        w.iloc[perm[:800]].reset_index(drop=True),
        w.iloc[perm[800:1600]].reset_index(drop=True),
    )
