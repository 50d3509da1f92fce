"""Shared tables for the genesis.io tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="module")
def adult_small(adult_df: pd.DataFrame) -> pd.DataFrame:
    return adult_df.iloc[:500].reset_index(drop=True)


@pytest.fixture()
def mixed_df() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [1, 2, 3],
            "name": ["Ann", "Bo", "Cy"],
            "score": [1.5, np.nan, 3.25],
            "flag": [True, False, True],
            "day": ["2024-01-01", "2024-01-02", "2024-01-03"],
        }
    )
