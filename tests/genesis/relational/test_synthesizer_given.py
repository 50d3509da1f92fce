"""CARTSynthesizer.generate_given: the per-row conditional children are drawn with."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.errors import InvalidParameterError
from genesis.generators import SyntheticGenerator


def _frame(n: int = 2000) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 100, n)
    return pd.DataFrame(
        {
            "group": rng.choice(["a", "b", "c"], n),
            "x": x,
            "y": 2 * x + rng.normal(0, 1, n),
            "label": np.where(x > 50, "high", "low"),
        }
    )


def test_each_row_follows_its_own_context():
    df = _frame()
    model = SyntheticGenerator("cart", seed=0, visit_order=["group", "x"]).fit(df)
    context = pd.DataFrame({"group": ["a", "b", "c", "a"] * 50, "x": np.linspace(1, 99, 200)})
    out = model.synthesizer.generate_given(context, seed=1)
    assert len(out) == 200
    assert out["x"].tolist() == context["x"].tolist()
    assert out["group"].tolist() == context["group"].tolist()
    assert np.corrcoef(out["x"], out["y"])[0, 1] > 0.98
    assert ((out["x"] > 50) == (out["label"] == "high")).mean() > 0.95
    again = model.synthesizer.generate_given(context, seed=1)
    pd.testing.assert_frame_equal(out, again)


def test_unseen_context_labels_and_wrong_columns():
    df = _frame()
    model = SyntheticGenerator("cart", seed=0, visit_order=["group", "x"]).fit(df)
    context = pd.DataFrame({"group": ["zzz"] * 10, "x": np.full(10, 80.0)})
    out = model.synthesizer.generate_given(context, seed=0)
    assert (out["label"] == "high").mean() > 0.8
    with pytest.raises(InvalidParameterError, match="first columns"):
        model.synthesizer.generate_given(pd.DataFrame({"y": [1.0, 2.0]}), seed=0)


def test_a_context_column_missing_in_every_row():
    """A parent attribute missing for every parent drawn (a mostly-null column of a small
    parent sample): the rows are drawn, the attribute stays missing."""
    df = _frame()
    df.loc[df.index[::3], "x"] = np.nan  # x is sometimes missing, so the model knows it
    model = SyntheticGenerator("cart", seed=0, visit_order=["group", "x"]).fit(df)
    context = pd.DataFrame({"group": ["a", "b"] * 20, "x": np.full(40, np.nan)})
    out = model.synthesizer.generate_given(context, seed=0)
    assert len(out) == 40 and out["x"].isna().all()
    assert out["label"].notna().all()


def test_given_columns_get_no_tree_and_plain_generation_is_refused():
    df = _frame()
    model = SyntheticGenerator("cart", seed=0, given=["group", "x"]).fit(df)
    cart = model.synthesizer
    assert cart.n_given_ == 2
    assert cart.visit_order_[:2] == ["group", "x"]
    assert cart.trees_[0] is None and cart.trees_[1] is None and cart.trees_[2] is not None
    context = pd.DataFrame({"group": ["a"] * 100, "x": np.linspace(1, 99, 100)})
    out = cart.generate_given(context, seed=0)
    assert np.corrcoef(out["x"], out["y"])[0, 1] > 0.98
    with pytest.raises(InvalidParameterError, match="generate_given"):
        model.generate(10)
    with pytest.raises(InvalidParameterError, match="first columns"):
        cart.generate_given(context[["group"]], seed=0)
    with pytest.raises(InvalidParameterError, match="given must be a list"):
        SyntheticGenerator("cart", given="x").fit(df)
