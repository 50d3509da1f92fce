"""genesis.quality on the real Adult and weather tables, against hand-computed figures."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp

from genesis.errors import DataWriteError, InvalidDataError, InvalidParameterError, SchemaError
from genesis.quality import QualityEvaluator, QualityReport
from genesis.schema import infer_schema
from genesis.schema.types import ColumnKind, ColumnSchema, Schema


@pytest.fixture(scope="module")
def adult_split(adult_df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """4,000 training rows and 2,000 holdout rows of Adult, disjoint."""
    rows = adult_df.sample(n=6_000, random_state=7).reset_index(drop=True)
    return rows.iloc[:4_000].reset_index(drop=True), rows.iloc[4_000:].reset_index(drop=True)


@pytest.fixture(scope="module")
def identical_report(adult_split) -> QualityReport:
    train, holdout = adult_split
    return QualityEvaluator(train, train.copy(), holdout=holdout).evaluate()


def _schema(**kinds: ColumnKind) -> Schema:
    return Schema([ColumnSchema(name, kind, "object") for name, kind in kinds.items()])


# -- fidelity --------------------------------------------------------------------------------


def test_identical_tables_score_perfectly(identical_report: QualityReport) -> None:
    report = identical_report
    assert report.column_shapes == pytest.approx(1.0)
    assert report.column_pair_trends == pytest.approx(1.0)
    assert report.quality_score == pytest.approx(1.0)
    assert report.missing_similarity == pytest.approx(1.0)
    assert abs(report.detection_auc - 0.5) < 0.05
    assert report.detection_score > 0.9
    assert report.exact_copy_share == 1.0
    assert report.dcr_synthetic == 0.0
    assert report.dcr_ratio == 0.0
    assert np.allclose(report.column_details["score"], 1.0)
    assert set(report.column_details["metric"]) == {"KSComplement", "TVComplement"}


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


# -- ML utility ------------------------------------------------------------------------------


def test_ml_utility_classification_with_holdout(adult_split) -> None:
    train, holdout = adult_split
    other_real = train.sample(frac=1.0, replace=True, random_state=1).reset_index(drop=True)
    report = QualityEvaluator(train, other_real, target="income", holdout=holdout).evaluate()
    utility = report.ml_utility
    assert utility["task"] == "classification" and utility["metric"] == "roc_auc"
    assert utility["test_set"] == "holdout" and utility["n_test"] == len(holdout)
    assert utility["trtr"] > 0.85
    assert utility["tstr"] > 0.8
    assert utility["ratio"] == pytest.approx(utility["tstr"] / utility["trtr"])
    assert utility["difference"] == pytest.approx(utility["trtr"] - utility["tstr"])
    assert 0.5 < utility["scores"]["accuracy"]["tstr"] <= 1.0
    assert report.overall_score == pytest.approx(
        np.mean([report.quality_score, report.detection_score, min(utility["ratio"], 1.0)])
    )


def test_ml_utility_is_lost_when_the_target_is_shuffled(adult_split) -> None:
    train, _ = adult_split
    noise = train.copy()
    noise["income"] = np.random.default_rng(0).permutation(noise["income"].to_numpy())
    utility = QualityEvaluator(train, noise, target="income").evaluate().ml_utility
    assert utility["test_set"].endswith("split of real")
    assert utility["n_test"] == pytest.approx(0.2 * len(train), abs=1)
    assert utility["trtr"] > 0.85
    assert utility["tstr"] < 0.65


def test_ml_utility_regression_and_multiclass(adult_split) -> None:
    train, holdout = adult_split
    regression = QualityEvaluator(train, train, target="age", holdout=holdout).evaluate()
    assert regression.ml_utility["task"] == "regression"
    assert regression.ml_utility["metric"] == "r2"
    assert regression.ml_utility["tstr"] == pytest.approx(regression.ml_utility["trtr"])
    multiclass = QualityEvaluator(train, train, target="race", holdout=holdout).evaluate()
    assert multiclass.ml_utility["task"] == "classification"
    assert 0.5 < multiclass.ml_utility["tstr"] <= 1.0


# -- privacy ---------------------------------------------------------------------------------


def test_unseen_real_rows_look_like_fresh_rows_not_copies(adult_df: pd.DataFrame) -> None:
    rows = adult_df.sample(n=9_000, random_state=11).reset_index(drop=True)
    train, fresh, holdout = rows.iloc[:3_000], rows.iloc[3_000:6_000], rows.iloc[6_000:]
    report = QualityEvaluator(train, fresh, holdout=holdout).evaluate()
    assert report.exact_copy_share < 0.01
    assert 0.8 < report.dcr_ratio < 1.25
    assert report.dcr_holdout > 0
    half_copied = pd.concat([train.iloc[:1_500], fresh.iloc[:1_500]], ignore_index=True)
    leaky = QualityEvaluator(train, half_copied, holdout=holdout).evaluate()
    assert leaky.exact_copy_share == pytest.approx(0.5, abs=0.01)


def test_copies_are_found_whatever_the_numeric_dtype(adult_split) -> None:
    train, _ = adult_split
    as_float = train.astype({"age": "float64", "fnlwgt": "float64"})
    assert QualityEvaluator(train, as_float).evaluate().exact_copy_share == 1.0


# -- report ----------------------------------------------------------------------------------


def test_report_is_json_safe(identical_report: QualityReport, tmp_path) -> None:
    data = identical_report.to_dict()
    json.dumps(data, allow_nan=False)
    assert data["ml_utility"] == {}
    assert len(data["column_details"]) == 15
    assert data["pair_details"][0].keys() >= {"column_1", "column_2", "metric", "score"}
    # NaN (no correlation for a categorical pair) becomes None
    assert any(p["real_correlation"] is None for p in data["pair_details"])
    path = tmp_path / "report.json"
    text = identical_report.to_json(path)
    assert json.loads(path.read_text()) == json.loads(text)
    assert json.loads(text)["quality_score"] == pytest.approx(1.0)
    with pytest.raises(DataWriteError, match="could not write"):
        identical_report.to_json(tmp_path / "missing-folder" / "report.json")
    assert "quality_score=1.0000" in repr(identical_report)


def test_same_seed_same_report_and_max_rows(adult_split) -> None:
    train, holdout = adult_split
    synthetic = holdout.sample(frac=1.0, random_state=2)

    def figures(**kwargs) -> dict:
        data = QualityEvaluator(train, synthetic, target="income", **kwargs).evaluate().to_dict()
        data.pop("seconds")
        return data

    assert figures(seed=5) == figures(seed=5)
    small = QualityEvaluator(train, synthetic, holdout=holdout, max_rows=500).evaluate()
    assert (small.n_real, small.n_synthetic, small.n_holdout) == (500, 500, 500)


def test_identifier_and_text_columns_are_left_out(adult_split) -> None:
    train, _ = adult_split
    real = train.assign(row_id=np.arange(len(train)))
    synthetic = train.assign(row_id=np.arange(len(train)) + 10_000_000)
    schema = infer_schema(real)
    assert schema["row_id"].kind is ColumnKind.IDENTIFIER
    report = QualityEvaluator(real, synthetic, schema=schema).evaluate()
    details = report.column_details.set_index("column")
    assert details.at["row_id", "metric"] is None
    assert "row_id" not in set(report.pair_details["column_1"]) | set(
        report.pair_details["column_2"]
    )
    assert report.exact_copy_share == 1.0


# -- bad input -------------------------------------------------------------------------------


def test_bad_inputs_raise_errors_that_name_the_fix(adult_split) -> None:
    train, _ = adult_split
    with pytest.raises(InvalidDataError, match="real must be a pandas DataFrame"):
        QualityEvaluator(train.to_dict(), train).evaluate()
    with pytest.raises(InvalidDataError, match="synthetic has no rows"):
        QualityEvaluator(train, train.iloc[:0]).evaluate()
    with pytest.raises(InvalidDataError, match="has no columns"):
        QualityEvaluator(pd.DataFrame(index=range(3)), train).evaluate()
    with pytest.raises(InvalidDataError, match=r"missing \['income'\], extra \['label'\]"):
        QualityEvaluator(train, train.rename(columns={"income": "label"})).evaluate()
    with pytest.raises(InvalidDataError, match="holdout does not have the columns"):
        QualityEvaluator(train, train, holdout=train.drop(columns="age")).evaluate()
    with pytest.raises(InvalidParameterError, match="target 'salary' is not a column"):
        QualityEvaluator(train, train, target="salary").evaluate()
    with pytest.raises(InvalidParameterError, match="seed must be an integer"):
        QualityEvaluator(train, train, seed="x").evaluate()
    with pytest.raises(InvalidParameterError, match="max_rows must be an integer"):
        QualityEvaluator(train, train, max_rows=0).evaluate()
    with pytest.raises(InvalidParameterError, match="real_association_threshold"):
        QualityEvaluator(train, train, real_association_threshold=1.5).evaluate()
    with pytest.raises(SchemaError, match=r"columns missing from the schema \['income'\]"):
        QualityEvaluator(train, train, schema=infer_schema(train.drop(columns="income"))).evaluate()
    with pytest.raises(InvalidParameterError, match="schema must be a genesis.schema.Schema"):
        QualityEvaluator(train, train, schema={"columns": []}).evaluate()
    ids = train.assign(row_id=np.arange(len(train)))
    with pytest.raises(InvalidParameterError, match="identifier column, which cannot be predicted"):
        QualityEvaluator(ids, ids, target="row_id").evaluate()
