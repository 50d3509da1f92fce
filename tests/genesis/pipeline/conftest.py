"""Small Adult tables for the pipeline tests."""

from __future__ import annotations

import pandas as pd
import pytest


@pytest.fixture(scope="session")
def adult_small(adult_df: pd.DataFrame) -> pd.DataFrame:
    """300 rows of Adult: a pipeline with a CART model runs on it in about a second."""
    return adult_df.sample(n=300, random_state=0).reset_index(drop=True)
