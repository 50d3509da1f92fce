"""Every method keeps generated values on each column's support, at the real rates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genesis.generators import SyntheticGenerator
from genesis.schema import infer_schema, off_support
from genesis.schema.types import ColumnKind

DATASETS = Path(__file__).resolve().parents[3].parent / "shared" / "datasets"


def messy_table(n: int = 3000, seed: int = 0) -> pd.DataFrame:
    """The family of defects of the issue, one column each, with some dependence."""
    rng = np.random.default_rng(seed)
    minutes = rng.integers(5 * 60, 23 * 60, size=n)
    delay = np.round(rng.gamma(1.5, 12, n)).astype(int) - 8
    departs = np.minimum(minutes + delay, 23 * 60 + 59)
    big = rng.random(n) < 0.14
    return pd.DataFrame(
        {
            "sched_dep_time": (minutes // 60) * 100 + minutes % 60,
            "dep_time": (departs // 60) * 100 + departs % 60,
            "amount": np.where(big, np.round(rng.lognormal(5, 1, n), 2), 0.0),
            "rating": rng.integers(0, 20, n) * 0.5,
            "loan": np.where(
                rng.random(n) < 0.78, rng.integers(1, 36, n) * 1000, rng.integers(500, 35000, n)
            ),
            "gain": np.where(rng.random(n) < 0.01, 99999, np.where(big, 5000, 0)),
            "wind": np.round(rng.integers(0, 30, n) * 1.150779448, 5),
            "segment": rng.choice(["a", "b", "c"], n),
            # dates stored as YYYYMMDD integers: 20240131 is a date, 20240132 is not
            "booked": (
                pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
            )
            .strftime("%Y%m%d")
            .astype(int),
        }
    )


def off_support_rows(real: pd.DataFrame, synthetic: pd.DataFrame) -> dict[str, int]:
    """Per numeric column, how many synthetic values lie off the support detected on ``real``."""
    schema = infer_schema(real)
    bad = {}
    for column in schema:
        if column.kind not in (ColumnKind.INTEGER, ColumnKind.CONTINUOUS) or column.support is None:
            continue
        values = pd.to_numeric(synthetic[column.name], errors="coerce").to_numpy(dtype=float)
        decimals = 0 if column.kind is ColumnKind.INTEGER else column.decimals
        mask = off_support(
            values,
            column.support,
            minimum=column.minimum,
            maximum=column.maximum,
            decimals=decimals,
        )
        bad[column.name] = int(mask.sum())
    return bad


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("cart", {}),
        ("gaussian_copula", {}),
        ("tvae", {"epochs": 2}),
    ],
)
def test_every_method_keeps_every_value_on_its_support(method, params):
    real = messy_table()
    synthetic = SyntheticGenerator(method, seed=0, **params).fit(real).generate(3000, seed=1)
    assert off_support_rows(real, synthetic) == dict.fromkeys(off_support_rows(real, real), 0)
    assert infer_schema(real)["booked"].kind is ColumnKind.DATETIME
    booked = pd.to_datetime(synthetic["booked"].astype(str), format="%Y%m%d", errors="coerce")
    assert booked.notna().all() and synthetic["booked"].dtype == real["booked"].dtype
    assert booked.min() >= pd.Timestamp("2023-01-01") and booked.max() <= pd.Timestamp("2024-12-01")
    if method == "tvae":  # two epochs learn no rates worth checking; the support holds anyway
        return
    # point masses come back at their real rates, round amounts stay round
    zero_share = (synthetic["amount"] == 0).mean()
    assert zero_share == pytest.approx((real["amount"] == 0).mean(), abs=0.05)
    sentinel_share = (synthetic["gain"] == 99999).mean()
    assert sentinel_share == pytest.approx((real["gain"] == 99999).mean(), abs=0.01)
    round_share = (synthetic["loan"] % 1000 == 0).mean()
    assert round_share == pytest.approx((real["loan"] % 1000 == 0).mean(), abs=0.05)


def test_cart_gives_back_frequent_values_exactly_and_jitters_only_rare_ones():
    rng = np.random.default_rng(3)
    n = 4000
    real = pd.DataFrame(
        {
            "group": rng.choice(["x", "y"], n),
            # unique weights: every value rare, so smoothing hides them
            "weight": np.round(rng.normal(70, 10, n), 4),
            # a handful of frequent prices: already anonymous, given back exactly
            "price": rng.choice([9.99, 19.99, 24.5, 49.0], n),
        }
    )
    synthetic = SyntheticGenerator("cart", seed=0).fit(real).generate(n, seed=1)
    assert set(synthetic["price"]) <= set(real["price"])
    copied = synthetic["weight"].isin(set(real["weight"])).mean()
    assert copied < 0.05


def test_clock_times_come_back_as_clock_times_and_keep_their_order():
    real = messy_table(4000, seed=5)
    synthetic = SyntheticGenerator("cart", seed=0).fit(real).generate(4000, seed=2)
    for column in ("sched_dep_time", "dep_time"):
        values = synthetic[column].to_numpy()
        assert (values % 100 < 60).all() and (values <= 2400).all(), column
    # modelled as minutes, the delay between the two survives
    late = (synthetic["dep_time"] >= synthetic["sched_dep_time"]).mean()
    assert late == pytest.approx((real["dep_time"] >= real["sched_dep_time"]).mean(), abs=0.1)


def test_seeds_and_save_load_reproduce_rows_with_supports(tmp_path):
    real = messy_table(1500, seed=7)
    model = SyntheticGenerator("cart", seed=3).fit(real)
    first = model.generate(500, seed=4)
    pd.testing.assert_frame_equal(first, model.generate(500, seed=4))
    path = model.save(tmp_path / "model.genesis")
    pd.testing.assert_frame_equal(first, SyntheticGenerator.load(path).generate(500, seed=4))
    pd.testing.assert_frame_equal(
        first, SyntheticGenerator.from_bytes(model.to_bytes()).generate(500, seed=4)
    )


@pytest.mark.parametrize("method", ["cart", "gaussian_copula"])
@pytest.mark.parametrize(
    ("table", "options"),
    [
        ("adult.csv", {"skipinitialspace": True}),
        ("nycflights13_weather.csv", {}),
        ("nycflights13/flights.csv", {}),
    ],
)
def test_no_value_off_its_support_on_the_shared_tables(method, table, options):
    real = pd.read_csv(DATASETS / table, **options)
    synthetic = SyntheticGenerator(method, seed=0).fit(real).generate(len(real), seed=1)
    bad = off_support_rows(real, synthetic)
    assert bad and not any(bad.values()), bad
