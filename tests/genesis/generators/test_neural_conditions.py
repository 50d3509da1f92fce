"""CTGAN's own conditional vector under ``generate(n, conditions=...)``, guided sampling for
the rest; TVAE's guided sampling (issue 14, item 2)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.errors import InfeasibleConditionError
from genesis.generators import SyntheticGenerator
from genesis.generators.conditioning import MAX_ROWS_FACTOR, ColumnCondition, prepare_conditions
from genesis.generators.neural import CTGANSynthesizer, TVAESynthesizer

# a country of 1 row in the 3,000 (0.03%) and a range on another column
RARE = {"native-country": "Scotland", "age": ("between", (25, 45))}


def _rare_ok(rows: pd.DataFrame) -> pd.Series:
    return (rows["native-country"] == "Scotland") & rows["age"].between(25, 45)


@pytest.fixture(scope="module")
def adult_3000(adult_df: pd.DataFrame) -> pd.DataFrame:
    return adult_df.sample(3000, random_state=0).reset_index(drop=True)


@pytest.fixture(scope="module")
def ctgan(adult_3000: pd.DataFrame) -> SyntheticGenerator:
    """CTGAN after 3 short epochs: far from the real conditionals, enough for the mechanics."""
    return SyntheticGenerator(method="ctgan", seed=0, epochs=3, batch_size=500).fit(adult_3000)


def _share(synthesizer, conditions, steered: bool, n: int = 2000) -> float:
    """Share of ``n`` model rows that satisfy ``conditions``, drawn with or without the
    conditional vector (before any filtering)."""
    condition_set = prepare_conditions(synthesizer, conditions)
    rng = np.random.default_rng(0)
    if steered:
        frame = synthesizer._generate_conditioned(n, rng, condition_set)
    else:
        frame = synthesizer._generate(n, rng)
    rows = synthesizer.transformer_.inverse_transform(frame, np.random.default_rng(1), n=n)
    return len(condition_set.apply(rows)) / n


def test_rare_category_with_a_range_returns_exactly_n_rows(ctgan, adult_3000):
    assert (adult_3000["native-country"] == "Scotland").sum() == 1
    out = ctgan.generate(100, seed=4, conditions=RARE)
    assert len(out) == 100 and _rare_ok(out).all()
    assert list(out.columns) == list(adult_3000.columns)
    pd.testing.assert_series_equal(out.dtypes, adult_3000.dtypes)


def test_pure_rejection_fails_where_the_conditional_vector_succeeds(ctgan, monkeypatch):
    steered, plain = _share(ctgan.synthesizer, RARE, True), _share(ctgan.synthesizer, RARE, False)
    assert steered > 0.3 and plain < 0.01 and steered > 30 * plain, (steered, plain)
    assert _share(ctgan.synthesizer, {"native-country": "Vietnam"}, True) == 1.0
    # the same request with the conditional vector turned off: guided sampling alone
    monkeypatch.setattr(CTGANSynthesizer, "_generate_conditioned", None)
    with pytest.raises(InfeasibleConditionError) as caught:
        ctgan.generate(100, seed=4, conditions=RARE)
    assert caught.value.probability < 0.01
    assert f"{MAX_ROWS_FACTOR} x n rows" in str(caught.value)
    assert "CTGAN's conditional vector steers one discrete column" in str(caught.value)
    assert "__other__" not in str(caught.value)


def test_same_seed_same_rows_other_seed_other_rows(ctgan):
    first = ctgan.generate(80, seed=7, conditions=RARE)
    pd.testing.assert_frame_equal(first, ctgan.generate(80, seed=7, conditions=RARE))
    assert not first.equals(ctgan.generate(80, seed=8, conditions=RARE))


def test_in_condition_over_two_codes_splits_by_training_rows(ctgan, adult_3000):
    labels = ["Mexico", "Vietnam"]  # 60 and 4 training rows
    counts = adult_3000["native-country"].value_counts()[labels]
    assert counts["Mexico"] > 10 * counts["Vietnam"]
    out = ctgan.generate(1000, seed=1, conditions={"native-country": ("in", labels)})
    assert len(out) == 1000 and out["native-country"].isin(labels).all()
    got = out["native-country"].value_counts()
    assert set(got.index) == set(labels)
    expected = counts["Vietnam"] / counts.sum()
    assert abs(got["Vietnam"] / 1000 - expected) < 0.04, (got, expected)


def test_most_selective_condition_is_steered(ctgan):
    synthesizer = ctgan.synthesizer
    conditions = prepare_conditions(
        synthesizer, {"sex": "Female", "occupation": "Priv-house-serv", "age": (">", 30)}
    )
    column, codes, shares = synthesizer._steering(conditions)
    assert column == "occupation" and codes.size == 1 and shares[0] < 0.01
    assert synthesizer._steering(prepare_conditions(synthesizer, {"age": (">", 30)})) is None


def test_model_saved_before_code_shares_steers_uniformly(ctgan, adult_3000):
    synthesizer = ctgan.synthesizer
    shares = synthesizer.__dict__.pop("code_shares_")
    try:
        conditions = prepare_conditions(
            synthesizer, {"native-country": ("in", ["Mexico", "Vietnam"])}
        )
        _, codes, uniform = synthesizer._steering(conditions)
        assert codes.size == 2 and uniform[0] == uniform[1]
        out = ctgan.generate(
            200, seed=2, conditions={"native-country": ("in", ["Mexico", "Vietnam"])}
        )
        assert len(out) == 200 and out["native-country"].isin(["Mexico", "Vietnam"]).all()
    finally:
        synthesizer.code_shares_ = shares


def test_saved_model_conditions_the_same(ctgan, tmp_path):
    path = tmp_path / "ctgan.pkl"
    ctgan.save(path)
    loaded = SyntheticGenerator.load(path)
    pd.testing.assert_frame_equal(
        loaded.generate(50, seed=3, conditions=RARE), ctgan.generate(50, seed=3, conditions=RARE)
    )


def test_no_code_the_model_knows_satisfies(ctgan):
    # a code without training rows is one CTGAN cannot generate (nor take as its vector):
    # a model whose shares give Scotland none has probability 0 for it
    synthesizer = ctgan.synthesizer
    conditions = prepare_conditions(synthesizer, {"native-country": "Scotland"})
    transformer = synthesizer.transformer_
    check = ColumnCondition(transformer, "native-country", conditions)
    (code,) = np.flatnonzero(check.allowed_codes(transformer.n_codes_["native-country"]))
    original = synthesizer.code_shares_
    synthesizer.code_shares_ = {**original, "native-country": original["native-country"].copy()}
    synthesizer.code_shares_["native-country"][code] = 0.0
    try:
        with pytest.raises(InfeasibleConditionError) as caught:
            ctgan.generate(10, conditions={"native-country": "Scotland"})
    finally:
        synthesizer.code_shares_ = original
    assert caught.value.probability == 0.0
    assert "native-country" in str(caught.value) and "Scotland" in str(caught.value)
    assert "condition on one of them" in caught.value.alternative


def test_tvae_samples_guided_only_and_says_so(adult_tiny):
    model = TVAESynthesizer(epochs=10, batch_size=100, seed=0).fit(adult_tiny)
    assert getattr(model, "_generate_conditioned", None) is None
    out = model.generate(30, seed=0, conditions={"sex": "Male"})
    assert len(out) == 30 and (out["sex"] == "Male").all()
    with pytest.raises(InfeasibleConditionError) as caught:
        model.generate(30, seed=0, conditions={"age": ("between", (70, 76)), "sex": "Female"})
    assert "use method='cart' or 'gaussian_copula'" in str(caught.value)
