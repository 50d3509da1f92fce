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


@pytest.fixture(scope="session")
def flights_schema(datasets_dir) -> Schema:
    """nycflights13 flights (first 20,000 rows): HHMM times (dep_time 517 = 05:17), delays
    in minutes, an hour column, airport and airline codes. A table the parser was not
    developed on."""
    path = datasets_dir / "nycflights13" / "flights.csv"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; the nycflights13 tables ship in shared/")
    return infer_schema(pd.read_csv(path, nrows=20_000))


@pytest.fixture(scope="session")
def survey_schema() -> Schema:
    """A small survey table in the style of carData's Chile and plm's Wages: one-letter
    codes shared by two columns (sex M/F, region M/N/S), yes/no columns named as adjectives,
    a name without vowels (wks), a joined name (airq), a "No X" label."""
    n = 300
    df = pd.DataFrame(
        {
            "region": [["C", "M", "N", "S", "SA"][i % 5] for i in range(n)],
            "sex": [["F", "M"][i % 2] for i in range(n)],
            "age": [18 + (i * 7) % 50 for i in range(n)],
            "vote": [["Y", "N", "U", "A"][i % 4] for i in range(n)],
            "married": [["yes", "no"][i % 3 == 0] for i in range(n)],
            "wks": [5 + (i * 3) % 48 for i in range(n)],
            "airq": [3.0 + (i * 1.7) % 70 for i in range(n)],
            "hatype": [["Aura", "No Aura", "Mixed"][i % 3] for i in range(n)],
            "ed": [4 + i % 14 for i in range(n)],
            "remote": [["Remote", "Not remote"][i % 2] for i in range(n)],
        }
    )
    return infer_schema(df)
