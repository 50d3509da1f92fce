"""Issue 12's fault sweep through the library's generators: every bad or odd table either
fits and generates in its own format or fails with a GenesisError that says what to do."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from genesis.errors import GenesisError, GenesisWarning, InvalidDataError, TooFewRowsError
from genesis.generators import SyntheticGenerator

N = 300
RNG = np.random.default_rng(0)
I64 = np.iinfo(np.int64)

GOOD = {
    "all_null": pd.DataFrame({"a": np.full(N, np.nan), "b": RNG.normal(size=N)}),
    "constant": pd.DataFrame({"a": ["same"] * N, "b": RNG.normal(size=N)}),
    "fifty_thousand_categories": pd.DataFrame(
        {"code": [f"c{i}" for i in RNG.integers(0, 50_000, 60_000)], "v": RNG.normal(size=60_000)}
    ),
    "mixed_types": pd.DataFrame(
        {
            "m": np.array([1, "a", 2.5, None, "b"], dtype=object)[RNG.integers(0, 5, N)],
            "v": RNG.normal(size=N),
        }
    ),
    "unicode_names": pd.DataFrame(
        {"âge": RNG.integers(0, 99, N), "城市": RNG.choice(["東京", "大阪"], N)}
    ),
    "inf": pd.DataFrame({"x": np.where(RNG.random(N) < 0.1, np.inf, RNG.normal(size=N))}),
    "huge_ints": pd.DataFrame(
        {"k": RNG.integers(I64.max - 100, I64.max, N, endpoint=True), "v": np.arange(N)}
    ),
}

BAD = {
    "empty": (pd.DataFrame(), InvalidDataError),
    "header_only": (pd.DataFrame({"a": [], "b": []}), InvalidDataError),
    "one_row": (pd.DataFrame({"a": [1], "b": ["x"]}), TooFewRowsError),
    "duplicate_names": (pd.DataFrame([[1, 2]] * 20, columns=["a", "a"]), InvalidDataError),
    "empty_name": (pd.DataFrame({"": range(20), "b": range(20)}), InvalidDataError),
}


@pytest.mark.parametrize("case", sorted(GOOD))
@pytest.mark.parametrize("method", ["gaussian_copula", "cart"])
def test_odd_tables_generate_in_their_format(method, case):
    real = GOOD[case]
    with warnings.catch_warnings():
        warnings.simplefilter("error", GenesisWarning)
        synthetic = SyntheticGenerator(method, seed=0).fit(real).generate(500)
    pd.testing.assert_series_equal(synthetic.dtypes, real.dtypes)
    assert list(synthetic.columns) == list(real.columns) and len(synthetic) == 500


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_tables_fail_with_a_clear_genesis_error(case):
    real, error = BAD[case]
    with pytest.raises(error) as info:
        SyntheticGenerator("cart").fit(real)
    assert isinstance(info.value, GenesisError)
    assert ";" in str(info.value) or "pass" in str(info.value)  # says how to fix it
