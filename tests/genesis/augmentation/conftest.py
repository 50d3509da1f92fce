"""Small imbalanced tables for the augmentation tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="session")
def adult_3pct(adult_df) -> pd.DataFrame:
    """3,000 Adult rows with the positive class (>50K) cut to 3% (90 rows)."""
    negative = adult_df[adult_df["income"] == "<=50K"].sample(2_910, random_state=0)
    positive = adult_df[adult_df["income"] == ">50K"].sample(90, random_state=0)
    return pd.concat([negative, positive]).sample(frac=1, random_state=0).reset_index(drop=True)


@pytest.fixture(scope="session")
def three_classes() -> pd.DataFrame:
    """600 rows: classes a (500), b (80), c (20), with features that depend on the class."""
    rng = np.random.default_rng(0)
    label = np.array(["a"] * 500 + ["b"] * 80 + ["c"] * 20)
    shift = pd.Series(label).map({"a": 0.0, "b": 3.0, "c": 6.0}).to_numpy()
    return pd.DataFrame(
        {
            "x": rng.normal(shift, 1.0),
            "colour": np.where(
                rng.random(600) < 0.7, np.where(label == "a", "red", "blue"), "green"
            ),
            "n": rng.integers(0, 10, 600),
            "label": label,
        }
    )
