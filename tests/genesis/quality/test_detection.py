"""Detection: the whole-table classifier and which columns give the synthetic table away."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.quality import QualityEvaluator


def test_per_column_detection_names_the_column_that_gives_the_table_away(adult_split):
    train, holdout = adult_split
    synthetic = holdout.copy()
    synthetic["age"] = synthetic["age"] + 8  # only age differs in distribution
    report = QualityEvaluator(train, synthetic).evaluate()
    aucs = report.column_details.set_index("column")["detection_auc"]
    assert aucs["age"] > 0.6
    others = aucs.drop(index="age").dropna()
    assert len(others) == len(train.columns) - 1
    assert (others.between(0.45, 0.56)).all(), others.sort_values().tail(3)
    assert report.giveaway_columns() == ["age"]
    assert report.to_dict()["column_details"][0]["detection_auc"] == pytest.approx(aucs.iloc[0])
    # every text form names it: repr, JSON, the sentence
    assert repr(report).endswith("giveaway_columns=['age'])")
    assert report.to_dict()["giveaway_columns"] == ["age"]
    shape = report.column_details.set_index("column").at["age", "score"]
    assert report.giveaway_text() == (
        "1 column gives the synthetic table away on its own (detection AUC above 0.6; 0.5 = "
        f"indistinguishable): age (detection AUC {aucs['age']:.2f}, shape score {shape:.2f})."
    )


def test_per_column_detection_is_half_for_identical_tables_and_skips_left_out_columns(
    adult_split,
):
    train, _ = adult_split
    real = train.assign(row_id=np.arange(len(train)))
    report = QualityEvaluator(real, real.sample(frac=1.0, random_state=0)).evaluate()
    aucs = report.column_details.set_index("column")["detection_auc"]
    assert np.isnan(aucs["row_id"])
    assert aucs.dropna().between(0.42, 0.53).all()  # cross-fitting reads noise as < 0.5
    assert report.giveaway_columns() == []
    assert repr(report).endswith("giveaway_columns=[])")
    assert report.giveaway_text().startswith("No column gives the synthetic table away")


def test_a_category_only_the_synthetic_table_has_is_found():
    rng = np.random.default_rng(0)
    real = pd.DataFrame({"c": rng.choice(["a", "b"], 2_000), "x": rng.normal(size=2_000)})
    synthetic = real.copy()
    synthetic.loc[:499, "c"] = "z"
    aucs = QualityEvaluator(real, synthetic).evaluate().column_details.set_index("column")
    assert aucs.at["c", "detection_auc"] == pytest.approx(0.625, abs=0.02)  # 25 % rows tell
    assert 0.42 < aucs.at["x", "detection_auc"] < 0.53  # cross-fitting reads noise as < 0.5


def test_a_column_with_one_value_in_all_does_not_break_the_cross_fitting():
    """A numeric column observed in one row only: the fold that tests that row trains on none
    of its values, and the classifier's binning would fail on the empty column."""
    from genesis.quality._prepare import prepare_tables
    from genesis.quality.detection import detection_auc
    from genesis.schema import infer_schema

    rng = np.random.default_rng(0)
    real = pd.DataFrame({"x": rng.normal(size=40), "rare": np.r_[5.0, np.full(39, np.nan)]})
    synthetic = pd.DataFrame({"x": rng.normal(size=40), "rare": np.full(40, np.nan)})
    prepared = prepare_tables({"real": real, "synthetic": synthetic}, infer_schema(real))
    auc = detection_auc(prepared, seed=0)
    assert 0.0 <= auc <= 1.0
