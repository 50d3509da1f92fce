"""The quality report's privacy sanity checks: copies and DCR."""

from __future__ import annotations

import pandas as pd
import pytest

from genesis.quality import QualityEvaluator


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
