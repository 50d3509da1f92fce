"""genesis.automl.selector: the instant, explained prior over the methods."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.automl import MetaFeatureExtractor, MetaFeatures, MethodSelector
from genesis.errors import InvalidParameterError
from genesis.generators import GenerationMethod


def _features(**overrides) -> MetaFeatures:
    values = {
        "n_rows": 10_000,
        "n_columns": 10,
        "numeric_ratio": 0.5,
        "categorical_ratio": 0.5,
        "missing_ratio": 0.0,
        "has_high_cardinality": False,
        "has_temporal": False,
        "max_correlation": 0.2,
        "nonlinearity": 0.0,
    }
    values.update(overrides)
    return MetaFeatures(**values)


def test_tiny_table_goes_to_a_fast_method():
    rng = np.random.default_rng(0)
    tiny = pd.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60), "c": ["x", "y"] * 30})
    result = MethodSelector().select(MetaFeatureExtractor().extract(tiny))
    assert result.recommended_method in ("gaussian_copula", "cart")
    assert set(result.ranking[-2:]) == {"tvae", "ctgan"}
    assert "tiny table" in result.reason
    assert [r.confidence for r in result.all_recommendations] == sorted(
        (r.confidence for r in result.all_recommendations), reverse=True
    )


def test_non_linear_dependence_goes_to_a_non_copula_method():
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, 5_000)
    df = pd.DataFrame({"x": x, "y": np.sin(2 * x) + rng.normal(0, 0.05, x.size)})
    df["z"] = df["x"] ** 2 + rng.normal(0, 0.1, x.size)
    result = MethodSelector().select(MetaFeatureExtractor().extract(df))
    assert result.recommended_method != "gaussian_copula"
    copula = next(r for r in result.all_recommendations if r.method == "gaussian_copula")
    assert "non-linear" in copula.reason and copula.confidence < result.confidence


def test_linear_numeric_table_favours_the_copula_over_networks():
    result = MethodSelector().select(_features(numeric_ratio=1.0, max_correlation=0.8))
    ranking = result.ranking
    assert ranking.index("gaussian_copula") < ranking.index("tvae")


def test_preferences_move_the_ranking():
    features = _features(n_rows=50_000)
    fast = MethodSelector(prefer_speed=True).select(features)
    assert fast.ranking[:2] == ["cart", "gaussian_copula"]
    quality = MethodSelector(prefer_quality=True).select(features)
    plain = MethodSelector().select(features)
    tvae = {r.method: r.confidence for r in quality.all_recommendations}["tvae"]
    assert tvae > {r.method: r.confidence for r in plain.all_recommendations}["tvae"]


def test_selector_rejects_bad_input():
    with pytest.raises(InvalidParameterError, match="MetaFeatures"):
        MethodSelector().select({"n_rows": 5})
    with pytest.raises(InvalidParameterError, match="prefer_speed"):
        MethodSelector(prefer_speed="yes").select(_features())


def test_recommendations_are_typed_with_the_method_enum():
    result = MethodSelector().select(_features())
    assert isinstance(result.recommended_method, GenerationMethod)
    assert all(isinstance(r.method, GenerationMethod) for r in result.all_recommendations)
    assert result.recommended_method == result.recommended_method.value  # still a string
    assert result.ranking[0] is result.recommended_method
