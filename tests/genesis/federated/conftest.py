"""A small correlated table shared by the federated tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def correlated_table(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 80, n)
    income = np.round(np.exp(8 + 0.03 * age + rng.normal(0, 0.4, n)), 2)
    hours = np.where(rng.random(n) < 0.4, 40, rng.integers(10, 70, n))
    city = np.where(age + rng.normal(0, 10, n) > 50, "north", rng.choice(["south", "east"], n))
    member = np.where(income > np.median(income), "yes", "no")
    return pd.DataFrame(
        {"age": age, "income": income, "hours": hours, "city": city, "member": member}
    )


@pytest.fixture(scope="session")
def table() -> pd.DataFrame:
    return correlated_table(3_000)


@pytest.fixture(scope="session")
def make_table():
    return correlated_table
