"""Augmentation's validation: a deterministic table on Adult-3%, the verdict, the warning."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from genesis.augmentation import AugmentationValidation, SyntheticAugmenter
from genesis.augmentation.validation import METRICS, _verdict, features
from genesis.errors import AugmentationWarning, InvalidDataError

FAST = {"max_iter": 30}


def run(df, target, seed=0, **options):
    augmenter = SyntheticAugmenter(method="cart", seed=seed, classifier_params=FAST, **options)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        augmenter.fit(df, target).augment(target_ratio=1.0, validate=True)
    return augmenter.validation_, [w for w in caught if issubclass(w.category, AugmentationWarning)]


def test_adult_3pct_gives_a_deterministic_table_and_an_honest_verdict(adult_3pct):
    result, warned = run(adult_3pct, "income")
    again, _ = run(adult_3pct, "income")
    pd.testing.assert_frame_equal(result.table, again.table)
    assert result.verdict == again.verdict
    table = result.table
    assert list(table.index) == ["real only", "+ SMOTE-NC", "+ Genesis (cart)"]
    assert list(table.columns) == ["training rows", *METRICS]
    assert (result.train_rows, result.test_rows) == (2_250, 750)
    assert result.minority_class == ">50K" and result.test_minority_rows == 22
    assert "only 22 minority rows held out" in result.verdict
    # 2,182 + 68 real training rows; both augmentations add 2,114 minority rows
    assert list(table["training rows"]) == [2_250, 4_364, 4_364]
    assert table[list(METRICS)].apply(lambda c: c.between(0, 1)).all().all()
    # the real-only model misses most of the 22 held-out positives: balancing moves recall
    assert (
        table.loc["+ Genesis (cart)", "minority recall"] > table.loc["real only", "minority recall"]
    )
    assert ("did NOT help" in result.verdict) == (not result.helps)
    assert bool(warned) == (not result.helps)
    if warned:
        assert "did not help" in str(warned[0].message)
    markdown = result.to_markdown()
    assert "| + SMOTE-NC" in markdown and "ROC AUC" in markdown and result.verdict in markdown
    assert result.to_dict()["table"][0]["training set"] == "real only"


def test_another_seed_another_split(adult_3pct):
    first, _ = run(adult_3pct, "income", seed=0)
    other, _ = run(adult_3pct, "income", seed=1)
    assert not first.table.equals(other.table)


def test_more_than_two_classes_have_no_auc(three_classes):
    result, _ = run(three_classes, "label")
    assert np.isnan(result.table["ROC AUC"]).all()
    assert "n/a" in result.to_markdown()
    assert result.minority_class == "c"
    assert list(result.table["training rows"]) == [450, 1_125, 1_125]  # 375 each after


@pytest.mark.filterwarnings("ignore::genesis.errors.CopyRiskWarning")
def test_classes_too_small_to_hold_out_are_refused(three_classes):
    tiny = three_classes.groupby("label").head(9)  # 9 rows per class
    augmenter = SyntheticAugmenter(method="gaussian_copula", min_rows=5).fit(tiny, "label")
    with pytest.raises(InvalidDataError, match="validate=False"):
        augmenter.augment(validate=True)


def test_verdict_reads_the_table():
    def table(auc, ba, smote_auc=0.80):
        return pd.DataFrame(
            [
                [100, 0.60, 0.2, 0.3, 0.80],
                [200, 0.70, 0.5, 0.4, smote_auc],
                [200, ba, 0.6, 0.4, auc],
            ],
            index=["real only", "+ SMOTE-NC", "+ Genesis (cart)"],
            columns=["training rows", *METRICS],
        )

    text, helps = _verdict(table(0.82, 0.75), binary=True)
    assert helps and "helped" in text and "NOT" not in text
    text, helps = _verdict(table(0.82, 0.75, smote_auc=0.85), binary=True)
    assert helps and "SMOTE-NC helped more" in text
    text, helps = _verdict(table(0.80, 0.75), binary=True)
    assert not helps and "decision threshold" in text and "neither did SMOTE-NC" in text
    text, helps = _verdict(table(0.78, 0.55, smote_auc=0.83), binary=True)
    assert not helps and "SMOTE-NC did here (ROC AUC +0.030)" in text


def test_features_keep_the_training_categories():
    train = pd.DataFrame(
        {
            "c": ["a", "b", None],
            "t": pd.to_datetime(["2020-01-01", None, "2021-01-01"]),
            "y": [1, 0, 1],
        }
    )
    test = pd.DataFrame(
        {"c": ["b", "z", "a"], "t": pd.to_datetime(["2020-06-01"] * 3), "y": [0, 1, 0]}
    )
    x = features(train, "y")
    assert isinstance(x["c"].dtype, pd.CategoricalDtype) and x["t"].isna().tolist() == [
        False,
        True,
        False,
    ]
    x_test = features(test, "y", like=x)
    assert list(x_test["c"].cat.categories) == list(x["c"].cat.categories)
    assert x_test["c"].isna().tolist() == [False, True, False]  # an unseen label is missing
    assert isinstance(AugmentationValidation, type)


def test_a_ratio_every_class_already_meets_adds_nothing(three_classes):
    # training split: a 375, b 60, c 15; 0.04 x 375 = 15, so no class needs rows
    augmenter = SyntheticAugmenter(method="cart", seed=0, classifier_params=FAST)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AugmentationWarning)
        out = augmenter.fit(three_classes, "label").augment(target_ratio=0.04)
    assert len(out) == 600 and not out["is_synthetic"].any()  # 0.04 x 500 = 20 rows of c
    table = augmenter.validation_.table
    assert list(table["training rows"]) == [450, 450, 450]
    assert not augmenter.validation_.helps
