"""split_holdout: a seeded, order-keeping split of real rows."""

from __future__ import annotations

import pandas as pd
import pytest

from genesis.errors import InvalidDataError, InvalidParameterError
from genesis.splits import split_holdout


def test_split_is_seeded_disjoint_complete_and_keeps_order(adult_df):
    df = adult_df.iloc[:1000]
    training, holdout = split_holdout(df, 0.2, seed=3)
    assert (len(training), len(holdout)) == (800, 200)
    again_training, _ = split_holdout(df, 0.2, seed=3)
    pd.testing.assert_frame_equal(training, again_training)
    other_training, _ = split_holdout(df, 0.2, seed=4)
    assert not training.equals(other_training)
    both = pd.concat([training, holdout])
    assert len(both.drop_duplicates()) == len(df.drop_duplicates())
    # order kept: training rows appear in the source's order
    positions = df.reset_index(drop=True).merge(
        training.reset_index(), how="inner", on=list(df.columns)
    )["index"]
    assert positions.is_monotonic_increasing


def test_seeds_beyond_32_bits_are_accepted(adult_df):
    training, holdout = split_holdout(adult_df.iloc[:100], 0.3, seed=2**70)
    assert (len(training), len(holdout)) == (70, 30)


def test_zero_fraction_keeps_every_row_for_training(adult_df):
    training, holdout = split_holdout(adult_df.iloc[:50], 0.0)
    assert len(training) == 50 and holdout.empty and list(holdout.columns) == list(adult_df.columns)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (([1, 2], 0.2, 0), InvalidDataError),
        ((None, 0.2, 0), InvalidDataError),
    ],
)
def test_bad_tables(args, error):
    with pytest.raises(error):
        split_holdout(*args)


@pytest.mark.parametrize(
    ("fraction", "seed"),
    [(1.0, 0), (-0.1, 0), ("0.2", 0), (0.2, -1), (0.2, 1.5), (0.2, None), (0.2, True)],
)
def test_bad_parameters_name_the_fix(adult_df, fraction, seed):
    with pytest.raises(InvalidParameterError, match=r"pass e\.g\.|seed must be a non-negative"):
        split_holdout(adult_df.iloc[:10], fraction, seed)
