"""Schemas of the real test tables, inferred once per session."""

from __future__ import annotations

import pandas as pd
import pytest

from genesis.schema import Schema, infer_schema


@pytest.fixture(scope="session")
def adult_schema(adult_df: pd.DataFrame) -> Schema:
    return infer_schema(adult_df)


@pytest.fixture(scope="session")
def weather_schema(weather_df: pd.DataFrame) -> Schema:
    return infer_schema(weather_df)


@pytest.fixture(scope="session")
def customers_schema() -> Schema:
    """A table the parser was not developed on: US state codes, F/M labels, numeric money,
    camelCase names, income brackets written as ranges."""
    n = 400
    df = pd.DataFrame(
        {
            "customerAge": [18 + (i * 7) % 60 for i in range(n)],
            "gender": ["F" if i % 2 else "M" for i in range(n)],
            "state": [["CA", "NY", "TX", "WA", "FL"][i % 5] for i in range(n)],
            "annual_salary": [20_000.0 + 997.0 * (i % 150) for i in range(n)],
            "bracket": [["0-25k", "25k-75k", "75k+"][i % 3] for i in range(n)],
            "plan": [["Basic", "Premium", "Family Plan"][i % 3] for i in range(n)],
            "churned": [bool(i % 4 == 0) for i in range(n)],
        }
    )
    return infer_schema(df)
