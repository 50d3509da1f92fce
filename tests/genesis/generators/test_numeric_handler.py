"""Numeric columns: exact int64/uint64 ranges (issue 12.7) and infinities (issue 12.10)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.generators import SyntheticGenerator

I64 = np.iinfo(np.int64)
U64 = np.iinfo(np.uint64)


@pytest.fixture(scope="module")
def extremes() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 400
    top = rng.integers(I64.max - 1000, I64.max, n, endpoint=True)
    top[:2] = [I64.max, I64.max - 1]
    bottom = rng.integers(I64.min, I64.min + 1000, n)
    bottom[0] = I64.min
    unsigned = rng.integers(0, 2**63, n).astype(np.uint64) + np.uint64(2**63 - 1)
    unsigned[0] = U64.max
    nullable = pd.array(
        np.where(rng.random(n) < 0.2, None, rng.integers(I64.max - 5, I64.max, n, endpoint=True)),
        dtype="Int64",
    )
    return pd.DataFrame(
        {
            "top": top,
            "bottom": bottom,
            "unsigned": unsigned,
            "nullable": nullable,
            "x": rng.normal(size=n),
        }
    )


@pytest.mark.parametrize("method", ["gaussian_copula", "cart"])
def test_integers_at_the_int64_and_uint64_limits_stay_in_range(extremes, method):
    synthetic = SyntheticGenerator(method, seed=0).fit(extremes).generate(5000)
    pd.testing.assert_series_equal(synthetic.dtypes, extremes.dtypes)
    for column in ("top", "bottom", "unsigned", "nullable"):
        real, fake = extremes[column].dropna(), synthetic[column].dropna()
        # never wrapped around to the other end of the range (the old -2**63 corruption)
        assert fake.min() >= real.min() and fake.max() <= real.max(), column
    assert (synthetic["top"] > I64.max - 2000).all()
    assert (synthetic["bottom"] < I64.min + 2000).all()
    assert synthetic["nullable"].isna().mean() == pytest.approx(0.2, abs=0.05)


def test_the_exact_maximum_round_trips():
    real = pd.DataFrame({"k": np.full(200, I64.max, dtype=np.int64), "v": np.arange(200)})
    real.loc[::2, "k"] = I64.max - 1
    synthetic = SyntheticGenerator("cart", seed=0).fit(real).generate(1000)
    assert set(synthetic["k"]) <= {I64.max, I64.max - 1}


@pytest.mark.parametrize("method", ["gaussian_copula", "cart"])
def test_infinities_come_back_as_point_masses_at_their_rates(method):
    rng = np.random.default_rng(1)
    n = 4000
    u = rng.random(n)
    x = np.where(u < 0.1, np.inf, np.where(u < 0.15, -np.inf, rng.normal(size=n)))
    x[(u >= 0.15) & (u < 0.2)] = np.nan
    real = pd.DataFrame({"x": x, "y": rng.normal(size=n)})
    synthetic = SyntheticGenerator(method, seed=0).fit(real).generate(20_000)
    assert np.isposinf(synthetic["x"]).mean() == pytest.approx(0.10, abs=0.015)
    assert np.isneginf(synthetic["x"]).mean() == pytest.approx(0.05, abs=0.01)
    assert synthetic["x"].isna().mean() == pytest.approx(0.05, abs=0.01)
    finite = synthetic["x"][np.isfinite(synthetic["x"])]
    assert finite.min() >= np.nanmin(x[np.isfinite(x)]) and finite.max() <= np.nanmax(
        x[np.isfinite(x)]
    )
