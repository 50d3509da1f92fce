"""Column shapes and column-pair trends against hand-computed figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp

from genesis.quality import QualityEvaluator
from genesis.schema.types import ColumnKind, ColumnSchema, Schema


def _schema(**kinds: ColumnKind) -> Schema:
    return Schema([ColumnSchema(name, kind, "object") for name, kind in kinds.items()])


def test_shuffled_columns_keep_shapes_but_lose_pair_trends(adult_split) -> None:
    train, _ = adult_split
    rng = np.random.default_rng(3)
    shuffled = pd.DataFrame({c: rng.permutation(train[c].to_numpy()) for c in train.columns})
    report = QualityEvaluator(train, shuffled).evaluate()
    assert report.column_shapes == pytest.approx(1.0)
    assert report.column_pair_trends < 0.85
    counted = report.pair_details[report.pair_details["meets_threshold"]]
    assert len(counted) >= 5
    # education and education-num encode the same thing: shuffling destroys that pair
    pair = report.pair_details.set_index(["column_1", "column_2"]).loc[
        ("education", "education-num")
    ]
    assert pair["metric"] == "ContingencySimilarity" and pair["score"] < 0.5
    assert report.detection_auc > 0.8
    assert report.exact_copy_share == 0.0


def test_shifted_numeric_column_loses_exactly_its_ks_statistic(adult_split) -> None:
    train, _ = adult_split
    shifted = train.copy()
    shifted["age"] = shifted["age"] + 5
    report = QualityEvaluator(train, shifted).evaluate()
    details = report.column_details.set_index("column")
    expected = 1.0 - ks_2samp(train["age"], shifted["age"]).statistic
    assert details.at["age", "metric"] == "KSComplement"
    assert details.at["age", "score"] == pytest.approx(expected)
    assert expected < 0.9
    others = details.drop(index="age")["score"]
    assert np.allclose(others, 1.0)
    assert report.column_shapes == pytest.approx((expected + len(others)) / len(details))


def test_tv_complement_matches_hand_computation_and_ignores_nulls() -> None:
    real = pd.DataFrame({"c": ["a", "a", "b", "c", None]})
    synthetic = pd.DataFrame({"c": ["a", "b", "b", "d", None, None]})
    # real: a .5 b .25 c .25; synthetic: a .25 b .5 d .25 -> TVD = (.25 + .25 + .25 + .25) / 2
    report = QualityEvaluator(real, synthetic, schema=_schema(c=ColumnKind.CATEGORICAL)).evaluate()
    assert report.column_details.at[0, "metric"] == "TVComplement"
    assert report.column_details.at[0, "score"] == pytest.approx(0.5)
    assert report.column_details.at[0, "real_null_share"] == pytest.approx(0.2)
    assert report.column_details.at[0, "synthetic_null_share"] == pytest.approx(2 / 6)
    assert report.missing_similarity == pytest.approx(1 - abs(0.2 - 2 / 6))


def test_correlation_and_contingency_similarity_match_hand_computation() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=500)
    real = pd.DataFrame({"x": x, "y": x + rng.normal(scale=0.5, size=500)})
    synthetic = pd.DataFrame({"x": x, "y": rng.normal(size=500)})
    real["g"] = np.where(real["x"] > 0, "up", "down")
    synthetic["g"] = np.where(rng.random(500) > 0.5, "up", "down")
    schema = _schema(x=ColumnKind.CONTINUOUS, y=ColumnKind.CONTINUOUS, g=ColumnKind.CATEGORICAL)
    report = QualityEvaluator(
        real, synthetic, schema=schema, real_correlation_threshold=0, real_association_threshold=0
    ).evaluate()
    pairs = report.pair_details.set_index(["column_1", "column_2"])
    rho_r = np.corrcoef(real["x"], real["y"])[0, 1]
    rho_s = np.corrcoef(synthetic["x"], synthetic["y"])[0, 1]
    assert pairs.at[("x", "y"), "metric"] == "CorrelationSimilarity"
    assert pairs.at[("x", "y"), "score"] == pytest.approx(1 - abs(rho_r - rho_s) / 2)
    # the g/y pair: y cut into 10 equal-width bins of the real range, then 1 - TVD of the tables
    edges = np.histogram_bin_edges(real["y"], bins=10)
    joint_r = pd.crosstab(np.digitize(real["y"], edges), real["g"]) / len(real)
    joint_s = pd.crosstab(np.digitize(synthetic["y"], edges), synthetic["g"]) / len(synthetic)
    joint_r, joint_s = joint_r.align(joint_s, fill_value=0)
    expected = 1 - 0.5 * (joint_r - joint_s).abs().to_numpy().sum()
    assert pairs.at[("y", "g"), "metric"] == "ContingencySimilarity"
    assert pairs.at[("y", "g"), "score"] == pytest.approx(expected)
    assert pairs["meets_threshold"].all()
    assert report.column_pair_trends == pytest.approx(pairs["score"].mean())


def test_pair_threshold_keeps_only_pairs_with_a_real_trend() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=400)
    real = pd.DataFrame(
        {"x": x, "y": 2 * x + rng.normal(scale=0.1, size=400), "z": rng.normal(size=400)}
    )
    schema = _schema(x=ColumnKind.CONTINUOUS, y=ColumnKind.CONTINUOUS, z=ColumnKind.CONTINUOUS)
    report = QualityEvaluator(real, real.sample(frac=1, random_state=0), schema=schema).evaluate()
    meets = report.pair_details.set_index(["column_1", "column_2"])["meets_threshold"]
    assert meets[("x", "y")] and not meets[("x", "z")] and not meets[("y", "z")]


def test_missing_tokens_count_as_missing(adult_df: pd.DataFrame) -> None:
    sample = adult_df.iloc[:3_000]
    report = QualityEvaluator(sample, sample.copy()).evaluate()
    details = report.column_details.set_index("column")
    expected = (sample["workclass"] == "?").mean()
    assert expected > 0
    assert details.at["workclass", "real_null_share"] == pytest.approx(expected)


def test_datetime_strings_and_nulls_of_the_weather_table(weather_df: pd.DataFrame) -> None:
    real = weather_df.iloc[:3_000].reset_index(drop=True)
    synthetic = weather_df.iloc[3_000:6_000].reset_index(drop=True)
    synthetic["wind_gust"] = synthetic["wind_gust"].fillna(20.0)
    report = QualityEvaluator(real, synthetic).evaluate()
    details = report.column_details.set_index("column")
    assert details.at["time_hour", "kind"] == "datetime"
    assert details.at["time_hour", "metric"] == "KSComplement"
    # the two halves cover different months: their timestamps do not overlap at all
    assert details.at["time_hour", "score"] == pytest.approx(0.0)
    gust_gap = details.at["wind_gust", "real_null_share"]
    assert gust_gap > 0.5 and details.at["wind_gust", "synthetic_null_share"] == 0.0
    null_gaps = (details["real_null_share"] - details["synthetic_null_share"]).abs()
    assert report.missing_similarity == pytest.approx(1 - null_gaps.mean())
    assert report.missing_similarity < 1 - gust_gap / len(details) + 0.01
