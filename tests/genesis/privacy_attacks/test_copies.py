"""The copy check: copies of training rows counted against the whole training table."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from genesis.generators import SyntheticGenerator
from genesis.privacy_attacks import PrivacyAttackTester, TableEncoder, check_copies
from genesis.privacy_attacks.copies import significant
from genesis.splits import split_holdout


@pytest.fixture(scope="module")
def adult_full(adult_df):
    """All of Adult split 80/20 (26,049 training rows) and a clean CART twin of that size."""
    train, holdout = split_holdout(adult_df, 0.2, seed=0)
    cart = SyntheticGenerator("cart", seed=0).fit(train).generate(len(train))
    return train, holdout, cart


def _planted(synthetic, train, n, seed=1):
    rows = np.sort(np.random.default_rng(seed).choice(len(synthetic), n, replace=False))
    out = synthetic.copy()
    out.iloc[rows] = train.sample(n, random_state=99).to_numpy()
    return out, rows


def test_fifteen_planted_copies_in_26k_rows_fail_the_audit_and_a_clean_cart_passes(adult_full):
    # 14 copied records are what a 20% holdout can tell from chance (the module docstring of
    # genesis.privacy_attacks.copies); CART's own few copies must not be needed to get there
    train, holdout, cart = adult_full
    tester = PrivacyAttackTester(["income"], ["age", "sex", "race"], max_rows=500, seed=0)
    clean = tester.run_all_attacks(train, cart, holdout)
    assert clean.passed and clean.copy_check.passed
    planted, rows = _planted(cart, train, 15)
    report = tester.run_all_attacks(train, planted, holdout)
    assert len(planted) == 26_049
    assert report.passed is False
    assert report.failed_checks == ["copies"]
    copies = report.copy_check
    assert copies.exact_copies == clean.copy_check.exact_copies + 15
    assert copies.p_value < copies.alpha <= clean.copy_check.p_value
    # examples are positions of copied rows, planted ones or CART's own, never values
    assert len(copies.example_rows) == 10
    assert set(copies.example_rows) <= set(rows.tolist()) | set(clean.copy_check.example_rows)
    assert report.to_dict()["passed"] is False
    assert report.to_dict()["copy_check"]["example_rows"] == copies.example_rows


def test_the_report_holds_row_positions_never_row_values(adult_full):
    train, holdout, cart = adult_full
    planted, _ = _planted(cart, train, 10)
    report = PrivacyAttackTester(max_rows=300).run_all_attacks(train, planted, holdout)
    text = json.dumps(report.to_dict()["copy_check"]) + report.to_markdown()
    for value in train["fnlwgt"].astype(str).unique():
        assert f'"{value}"' not in text and f" {value} " not in text


def test_near_exact_copies_are_counted_and_the_natural_rate_reported(adult_full):
    train, holdout, _ = adult_full
    fresh = holdout.sample(frac=1.0, random_state=3).reset_index(drop=True)
    copied = train.head(40).copy()
    copied["age"] = copied["age"] * (1 + 1e-9)  # float noise
    copied["workclass"] = " " + copied["workclass"].str.upper() + "  "  # case and padding
    synthetic = pd.concat([fresh, copied], ignore_index=True)
    columns = list(train.columns)
    encoder = TableEncoder(columns).fit(train, synthetic, holdout)
    result = check_copies(train, synthetic, holdout, columns=columns, encoder=encoder)
    # the perturbed rows are near-exact copies, not exact ones
    assert result.near_copies >= result.exact_copies + 40
    assert result.copied_records >= 40
    # unseen real rows match training rows at Adult's own duplicate rate (about 0.15 %)
    assert 0.0005 < result.natural_rate < 0.005
    assert result.holdout_matches >= len(fresh)  # the fresh rows are the holdout itself


def test_holdout_rows_as_synthetic_data_are_not_copies(adult_full):
    # a generator that emits unseen real rows reproduces training records only as often as
    # the population itself duplicates them: no excess
    train, holdout, _ = adult_full
    other, control = split_holdout(holdout, 0.5, seed=1)
    columns = list(train.columns)
    encoder = TableEncoder(columns).fit(train, other, control)
    result = check_copies(train, other, control, columns=columns, encoder=encoder)
    assert result.passed
    assert result.p_value > 0.05


def test_regenerated_columns_are_left_out(adult_full):
    train, holdout, _ = adult_full
    ids = np.arange(len(train) + len(holdout))
    train = train.assign(person_id=ids[: len(train)])
    holdout = holdout.assign(person_id=ids[len(train) :])
    copied = train.head(30).assign(person_id=ids[:30] + 10**7)  # fresh keys on copied rows
    report = PrivacyAttackTester(max_rows=300).run_all_attacks(train, copied, holdout)
    assert report.copy_check.excluded == {"person_id": "identifier"}
    assert report.copy_check.exact_copies == 30
    assert not report.passed


def test_significant_digits():
    values = np.array([123456.7, 0.0012345678, -9.87654321, 0.0, np.nan, np.inf])
    rounded = significant(values, 6)
    assert rounded[0] == 123457.0 and rounded[1] == pytest.approx(0.00123457)
    assert rounded[2] == pytest.approx(-9.87654) and rounded[3] == 0.0
    assert np.isnan(rounded[4]) and np.isinf(rounded[5])


def test_a_few_categorical_columns_reproduced_by_chance_are_not_copies():
    # 64 combinations: any generator reproduces real records; only the split side matters
    rng = np.random.default_rng(11)

    def draw(n):
        return pd.DataFrame(
            {c: rng.choice(list("abcd"), n, p=[0.55, 0.3, 0.1, 0.05]) for c in "xyz"}
        )

    train, holdout, fresh = draw(2_000), draw(500), draw(2_000)
    columns = ["x", "y", "z"]
    encoder = TableEncoder(columns).fit(train, fresh, holdout)
    clean = check_copies(train, fresh, holdout, columns=columns, encoder=encoder)
    assert clean.near_copies > 1_900  # nearly every row matches some training row
    assert clean.passed
