"""The shared template: tiny tables (issue 12.4), memory budget (12.11), seeds (12.12),
chunked generation."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from genesis.errors import (
    CopyRiskWarning,
    GenesisError,
    GenesisWarning,
    InvalidParameterError,
    MemoryBudgetError,
    TooFewRowsError,
)
from genesis.generators import SyntheticGenerator
from genesis.generators.base import MIN_TRAINING_ROWS, SMALL_TABLE_ROWS
from genesis.generators.memory import bytes_per_row


def _table(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"a": rng.normal(size=n), "b": rng.choice(["x", "y", "z"], n)})


@pytest.mark.parametrize("rows", [1, 2, MIN_TRAINING_ROWS - 1])
@pytest.mark.parametrize("method", ["gaussian_copula", "cart"])
def test_tables_below_min_rows_are_refused(method, rows):
    with pytest.raises(TooFewRowsError, match="can only reproduce them"):
        SyntheticGenerator(method).fit(_table(rows))


def test_min_rows_is_configurable_and_checked():
    model = SyntheticGenerator("cart", min_rows=2)
    with pytest.warns(CopyRiskWarning, match="exact copies"):
        model.fit(_table(5))
    assert model.min_rows == 2 and len(model.generate(10)) == 10
    with pytest.raises(InvalidParameterError, match="min_rows"):
        SyntheticGenerator("cart", min_rows=0)


def test_small_tables_warn_large_ones_do_not():
    assert issubclass(CopyRiskWarning, GenesisWarning)
    with pytest.warns(CopyRiskWarning, match="only 20 rows") as record:
        SyntheticGenerator("cart").fit(_table(20))
    assert record[0].filename == __file__  # points at the caller, not at Genesis
    with warnings.catch_warnings():
        warnings.simplefilter("error", GenesisWarning)
        SyntheticGenerator("cart").fit(_table(SMALL_TABLE_ROWS))
        # a small table of repeated rows has nothing unique to copy
        SyntheticGenerator("cart").fit(pd.DataFrame({"a": [1, 2] * 10, "b": ["x", "y"] * 10}))


def test_a_generation_larger_than_memory_is_refused_before_allocating():
    model = SyntheticGenerator("gaussian_copula").fit(_table(200))
    with pytest.raises(MemoryBudgetError, match=r"needs about [\d.]+ GiB.*generate_to") as info:
        model.generate(10**12)
    assert isinstance(info.value, GenesisError) and isinstance(info.value, MemoryError)
    # a float (8 bytes) and a label column (16), plus three working copies of 2 model columns
    assert bytes_per_row(model.synthesizer.transformer_) == 8 + 16 + 2 * 8 * 3


def test_chunks_and_parquet_writer_cover_every_row(tmp_path):
    model = SyntheticGenerator("cart", seed=1).fit(_table(300))
    chunks = list(model.generate_chunks(2500, chunk_rows=1000))
    assert [len(c) for c in chunks] == [1000, 1000, 500]
    again = list(model.generate_chunks(2500, chunk_rows=1000))
    for a, b in zip(chunks, again, strict=True):
        pd.testing.assert_frame_equal(a, b)
    path = model.generate_to(tmp_path / "out" / "rows.parquet", 2500, chunk_rows=1000)
    written = pq.read_table(path).to_pandas()
    pd.testing.assert_frame_equal(written, pd.concat(chunks, ignore_index=True))
    with pytest.raises(InvalidParameterError, match="chunk_rows"):
        next(model.generate_chunks(10, chunk_rows=0))


@pytest.mark.parametrize("seed", [2**32, 2**63 + 5, 10**30])
@pytest.mark.parametrize("method", ["gaussian_copula", "tvae"])
def test_any_seed_the_api_accepts_works_and_repeats(method, seed, fast_params):
    real = _table(200)
    model = SyntheticGenerator(method, seed=seed, **fast_params(method)).fit(real)
    first = model.generate(50)
    pd.testing.assert_frame_equal(first, model.generate(50))
    refit = SyntheticGenerator(method, seed=seed, **fast_params(method)).fit(real)
    pd.testing.assert_frame_equal(first, refit.generate(50))
    pd.testing.assert_frame_equal(
        model.generate(50, seed=seed + 1), refit.generate(50, seed=seed + 1)
    )


@pytest.mark.parametrize("seed", [-1, 1.5, True, "3"])
def test_bad_seeds_are_refused(seed):
    with pytest.raises(InvalidParameterError, match="seed"):
        SyntheticGenerator("cart", seed=seed).fit(_table(50))


def test_parameter_checks_come_from_genesis_validation():
    from genesis.generators.base import check_choice, check_int

    check_int("n", np.int64(3), 1)
    for bad in (True, np.True_, 2.0, "2", None):
        with pytest.raises(InvalidParameterError, match="must be an integer"):
            check_int("n", bad, 1)
    with pytest.raises(InvalidParameterError, match=">= 1"):
        check_int("n", 0, 1)
    check_int("n", None, 1, allow_none=True)
    with pytest.raises(InvalidParameterError, match="must be one of"):
        check_choice("mode", ["a"], ("a", "b"))
