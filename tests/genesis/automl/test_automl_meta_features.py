"""genesis.automl.meta_features: what the selector sees of a table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.automl import MetaFeatureExtractor
from genesis.errors import InvalidDataError


def test_meta_features_of_adult(adult_df):
    features = MetaFeatureExtractor().extract(adult_df)
    assert features.n_rows == len(adult_df) and features.n_columns == 15
    assert features.numeric_ratio == pytest.approx(6 / 15)
    assert features.categorical_ratio == pytest.approx(9 / 15)
    # "?" tokens in workclass, occupation and native-country count as missing
    tokens = sum((adult_df[c] == "?").sum() for c in ("workclass", "occupation", "native-country"))
    assert features.missing_ratio == pytest.approx(tokens / adult_df.size, rel=1e-6)
    assert not features.has_temporal and not features.has_high_cardinality
    assert features.max_cardinality == 42  # native-country


def test_nonlinearity_separates_a_parabola_from_a_line():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, 3_000)
    noise = rng.normal(0, 0.02, x.size)
    parabola = MetaFeatureExtractor().extract(pd.DataFrame({"x": x, "y": x**2 + noise}))
    line = MetaFeatureExtractor().extract(pd.DataFrame({"x": x, "y": 2 * x + noise}))
    assert parabola.max_correlation < 0.1 and parabola.nonlinearity > 0.5
    assert line.max_correlation > 0.99 and line.nonlinearity < 0.1


def test_meta_features_see_datetimes_and_high_cardinality(weather_df):
    features = MetaFeatureExtractor().extract(weather_df)
    assert features.has_temporal
    ids = pd.DataFrame({"code": [f"c{i % 80}" for i in range(2_000)], "v": np.arange(2_000.0)})
    assert MetaFeatureExtractor().extract(ids).has_high_cardinality


def test_meta_features_reject_bad_input():
    with pytest.raises(InvalidDataError, match="DataFrame"):
        MetaFeatureExtractor().extract([[1, 2]])
    with pytest.raises(InvalidDataError, match="empty"):
        MetaFeatureExtractor().extract(pd.DataFrame({"a": []}))
