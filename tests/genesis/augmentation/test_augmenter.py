"""SyntheticAugmenter: exact rows per class from one conditioned model, marks, seeds, inputs."""

from __future__ import annotations

import pandas as pd
import pytest

from genesis.augmentation import SyntheticAugmenter
from genesis.errors import InvalidDataError, InvalidParameterError, NotFittedError


def test_every_class_reaches_the_majority_with_marked_rows_of_its_class(three_classes):
    augmenter = SyntheticAugmenter(method="cart", seed=0).fit(three_classes, "label")
    out = augmenter.augment(target_ratio=1.0, validate=False)
    counts = out.groupby(["label", "is_synthetic"]).size().to_dict()
    assert counts == {
        ("a", False): 500,
        ("b", False): 80,
        ("b", True): 420,
        ("c", False): 20,
        ("c", True): 480,
    }
    assert out["is_synthetic"].dtype == bool
    # the real rows come first, unchanged
    pd.testing.assert_frame_equal(out.iloc[:600, :4], three_classes)
    assert not out.iloc[:600]["is_synthetic"].any() and out.iloc[600:]["is_synthetic"].all()
    # generated rows follow their class: class c sits around x = 6, class b around 3
    generated = out[out["is_synthetic"]]
    means = generated.groupby("label")["x"].mean()
    assert means["c"] > 4.5 and 1.5 < means["b"] < 4.5
    assert augmenter.validation_ is None
    assert list(out.dtypes.iloc[:4]) == list(three_classes.dtypes)


def test_partial_ratio_and_one_model_of_the_whole_table(three_classes):
    augmenter = SyntheticAugmenter(method="gaussian_copula", seed=1).fit(three_classes, "label")
    out = augmenter.augment(target_ratio=0.5, validate=False)
    assert out["label"].value_counts().to_dict() == {"a": 500, "b": 250, "c": 250}
    assert augmenter.generator_.method == "gaussian_copula"
    assert len(augmenter.generator_.schema_.columns) == 4  # fitted on every row and column


def test_same_seed_same_rows_other_seed_other_rows(three_classes):
    def run(seed):
        augmenter = SyntheticAugmenter(method="cart", seed=seed).fit(three_classes, "label")
        return augmenter.augment(validate=False)

    first, again, other = run(3), run(3), run(4)
    pd.testing.assert_frame_equal(first, again)
    assert (
        not first.iloc[600:].reset_index(drop=True).equals(other.iloc[600:].reset_index(drop=True))
    )


def test_auto_follows_the_plan_and_the_indicator_is_configurable(three_classes, adult_df):
    small = SyntheticAugmenter(seed=0, indicator="fake").fit(three_classes, "label")
    assert small.method_ == "cart"  # 600 rows
    assert small.plan_.recommended_method == "cart"
    tiny = three_classes.groupby("label").head(40)  # 100 rows
    assert SyntheticAugmenter(seed=0).fit(tiny, "label").method_ == "gaussian_copula"
    out = small.augment(validate=False)
    assert "fake" in out.columns and "is_synthetic" not in out.columns
    assert out["fake"].sum() == 900


def test_numeric_classes(three_classes):
    df = three_classes.assign(label=three_classes["label"].map({"a": 0, "b": 1, "c": 1}))
    out = SyntheticAugmenter(method="cart", seed=0).fit(df, "label").augment(validate=False)
    assert out["label"].value_counts().to_dict() == {0: 500, 1: 500}
    assert out["label"].dtype == df["label"].dtype


def test_bad_inputs(three_classes):
    with pytest.raises(InvalidParameterError, match="unknown method 'smote'"):
        SyntheticAugmenter(method="smote")
    with pytest.raises(InvalidParameterError, match="seed"):
        SyntheticAugmenter(seed=-1)
    with pytest.raises(InvalidParameterError, match="indicator"):
        SyntheticAugmenter(indicator="")
    with pytest.raises(InvalidParameterError, match="test_size"):
        SyntheticAugmenter(test_size=0.9)
    with pytest.raises(InvalidParameterError, match="not HistGradientBoostingClassifier"):
        SyntheticAugmenter(classifier_params={"n_estimators": 10})
    with pytest.raises(NotFittedError, match="fit"):
        SyntheticAugmenter().augment()
    with pytest.raises(InvalidDataError, match="indicator='another_name'"):
        SyntheticAugmenter().fit(three_classes.assign(is_synthetic=1), "label")
    with pytest.raises(InvalidParameterError, match="did you mean 'label'"):
        SyntheticAugmenter().fit(three_classes, "labels")
    fitted = SyntheticAugmenter(method="cart").fit(three_classes, "label")
    with pytest.raises(InvalidParameterError, match="target_ratio"):
        fitted.augment(target_ratio=2.0, validate=False)
