"""Adult tables shared by the quality tests."""

from __future__ import annotations

import pandas as pd
import pytest

from genesis.quality import QualityEvaluator, QualityReport


@pytest.fixture(scope="package")
def adult_split(adult_df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """4,000 training rows and 2,000 holdout rows of Adult, disjoint."""
    rows = adult_df.sample(n=6_000, random_state=7).reset_index(drop=True)
    return rows.iloc[:4_000].reset_index(drop=True), rows.iloc[4_000:].reset_index(drop=True)


@pytest.fixture(scope="package")
def identical_report(adult_split) -> QualityReport:
    train, holdout = adult_split
    return QualityEvaluator(train, train.copy(), holdout=holdout).evaluate()
