"""AugmentationPlanner: class counts, imbalance, rows needed, method and warnings; bad targets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.augmentation import AugmentationPlanner
from genesis.errors import InvalidDataError, InvalidParameterError


def table(counts: dict) -> pd.DataFrame:
    labels = np.concatenate([[k] * n for k, n in counts.items()])
    return pd.DataFrame({"x": np.arange(len(labels)) % 7, "y": labels})


def test_counts_ratio_and_rows_needed():
    plan = AugmentationPlanner().analyze(table({"b": 20, "a": 100, "c": 5}), "y")
    assert plan.class_counts == {"a": 100, "b": 20, "c": 5}
    assert list(plan.class_counts) == ["a", "b", "c"]  # largest first
    assert plan.majority_class == "a" and plan.minority_class == "c"
    assert plan.imbalance_ratio == pytest.approx(20.0)
    assert plan.rows_needed() == {"a": 0, "b": 80, "c": 95}
    assert plan.rows_needed(0.5) == {"a": 0, "b": 30, "c": 45}
    assert plan.rows_needed(0.21) == {"a": 0, "b": 1, "c": 16}  # ceil(21.0) - count


def test_small_classes_are_warned_about_and_small_tables_get_the_copula():
    plan = AugmentationPlanner().analyze(table({"a": 100, "b": 20, "c": 5}), "y")
    assert plan.recommended_method == "gaussian_copula"
    assert "125 labelled rows" in plan.reason
    assert any("class 'b' has 20 rows: too few to learn from" in w for w in plan.warnings)
    assert any("class 'c' has 5 rows: too few to learn from" in w for w in plan.warnings)
    assert not any("'a'" in w for w in plan.warnings)
    assert "warning: class 'c'" in plan.summary()


def test_large_tables_get_cart(adult_df):
    plan = AugmentationPlanner().analyze(adult_df.head(1_000), "income")
    assert plan.recommended_method == "cart"
    assert "CART" in plan.reason
    assert plan.warnings == []


def test_balanced_classes_and_missing_targets_are_warned_about():
    df = table({"a": 60, "b": 50})
    df.loc[:3, "y"] = None
    plan = AugmentationPlanner().analyze(df, "y")
    assert plan.missing_target == 4
    assert sum(plan.class_counts.values()) == 106
    assert any("nearly balanced" in w for w in plan.warnings)
    assert any("4 rows have no 'y' value" in w for w in plan.warnings)


def test_unknown_target_names_the_closest_columns():
    with pytest.raises(InvalidParameterError, match="did you mean 'income'"):
        AugmentationPlanner().analyze(pd.DataFrame({"income": ["a", "b"], "age": [1, 2]}), "incme")
    with pytest.raises(InvalidParameterError, match="not in the table"):
        AugmentationPlanner().analyze(pd.DataFrame({"income": ["a", "b"]}), 3)


def test_one_class_and_quantities_are_refused():
    with pytest.raises(InvalidDataError, match="at least two classes"):
        AugmentationPlanner().analyze(table({"a": 40}), "y")
    with pytest.raises(InvalidDataError, match="no values"):
        AugmentationPlanner().analyze(pd.DataFrame({"x": [1, 2], "y": [None, None]}), "y")
    money = pd.DataFrame({"x": range(100), "y": np.linspace(0, 1, 100)})
    with pytest.raises(InvalidDataError, match="numeric with 100 distinct values.*pd.cut"):
        AugmentationPlanner().analyze(money, "y")
    names = pd.DataFrame({"x": range(100), "y": [f"id{i}" for i in range(100)]})
    with pytest.raises(InvalidDataError, match="100 distinct values"):
        AugmentationPlanner().analyze(names, "y")
    with pytest.raises(InvalidDataError, match="pandas DataFrame"):
        AugmentationPlanner().analyze([[1, 2]], "y")


def test_numeric_classes_are_classes():
    df = pd.DataFrame({"x": range(90), "y": [0] * 80 + [1] * 10})
    assert AugmentationPlanner().analyze(df, "y").rows_needed() == {0: 0, 1: 70}


@pytest.mark.parametrize("ratio", [0, -0.5, 1.5, float("nan"), "1", True])
def test_bad_ratios_are_refused(ratio):
    plan = AugmentationPlanner().analyze(table({"a": 60, "b": 10}), "y")
    with pytest.raises(InvalidParameterError, match="target_ratio"):
        plan.rows_needed(ratio)
