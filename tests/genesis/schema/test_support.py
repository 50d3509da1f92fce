"""The support model: what each numeric column really takes, detected and written down."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genesis.errors import SchemaError
from genesis.schema import ColumnSchema, Schema, Support, detect_support, infer_schema, off_support
from genesis.schema.export import to_python
from genesis.schema.support import hhmm_to_minutes, minutes_to_hhmm

DATASETS = Path(__file__).resolve().parents[3].parent / "shared" / "datasets"


def clock_times(n: int, rng: np.random.Generator) -> np.ndarray:
    minutes = rng.integers(5 * 60, 23 * 60, size=n)
    return (minutes // 60) * 100 + minutes % 60


def test_zero_inflated_amounts_have_a_point_mass_at_zero():
    rng = np.random.default_rng(0)
    amounts = np.where(rng.random(5000) < 0.86, 0.0, np.round(rng.lognormal(6, 1, 5000), 2))
    support = detect_support(amounts, decimals=2)
    assert support.point_masses[0] == 0.0
    assert support.point_mass_shares[0] == pytest.approx(0.86, abs=0.02)
    assert support.encoding is None


def test_a_sentinel_far_beyond_the_other_values_is_a_point_mass():
    rng = np.random.default_rng(1)
    gains = np.where(rng.random(20000) < 0.9, 0, rng.integers(100, 40000, 20000))
    gains[:60] = 99999  # 0.3% of rows: below the share threshold, found as a sentinel
    support = detect_support(gains.astype(float), decimals=0)
    assert 99999.0 in support.point_masses
    assert 0.0 in support.point_masses


def test_clock_times_stored_as_hhmm_integers_are_recognised():
    support = detect_support(clock_times(3000, np.random.default_rng(2)).astype(float), decimals=0)
    assert support.encoding == "hhmm"
    assert support.step == 1.0  # one minute


def test_minutes_or_hours_alone_are_not_clock_times():
    rng = np.random.default_rng(3)
    assert detect_support(rng.integers(0, 60, 5000).astype(float), decimals=0).encoding is None
    assert detect_support(rng.integers(0, 24, 5000).astype(float), decimals=0).encoding is None
    # random integers over the same range have minute parts of 60-99
    assert detect_support(rng.integers(0, 2400, 5000).astype(float), decimals=0).encoding is None


def test_hhmm_round_trip_through_minutes():
    times = np.array([0, 5, 59, 100, 517, 1259, 2359, 2400])
    assert minutes_to_hhmm(hhmm_to_minutes(times)).tolist() == times.tolist()


def test_a_half_step_grid_and_a_converted_unit_grid_are_lattices():
    rng = np.random.default_rng(4)
    halves = rng.integers(0, 40, 4000) * 0.5 + 1.0
    support = detect_support(halves, decimals=1)
    assert support.step == pytest.approx(0.5)
    assert support.origin == pytest.approx(1.0)
    # knots written as mph to 5 decimals: a grid with rounding noise in the last digit
    mph = np.round(rng.integers(0, 40, 4000) * 1.150779448, 5)
    support = detect_support(mph, decimals=5)
    assert support.step == pytest.approx(1.150779448, abs=1e-5)
    assert not off_support(mph, support, decimals=5).any()


def test_round_thousands_are_a_round_grid():
    rng = np.random.default_rng(5)
    loans = np.where(
        rng.random(6000) < 0.78, rng.integers(1, 36, 6000) * 1000, rng.integers(500, 35000, 6000)
    ).astype(float)
    support = detect_support(loans, decimals=0)
    assert support.round_step == 1000.0
    # frequent round amounts are point masses; the round grid holds the rest of them
    masses = sum(support.point_mass_shares)
    assert all(v % 1000 == 0 for v in support.point_masses)
    assert masses + (1 - masses) * support.round_share == pytest.approx(0.78, abs=0.03)


def test_evenly_spread_integers_have_no_point_masses_and_truly_continuous_values_are_continuous():
    rng = np.random.default_rng(6)
    ages = rng.integers(18, 80, 20000).astype(float)
    assert detect_support(ages, decimals=0).point_masses == []
    assert not detect_support(ages, decimals=0).continuous
    weights = np.round(rng.normal(70, 12, 5000), 3)
    support = detect_support(weights, decimals=3)
    assert support.continuous
    assert support.step is None


def test_off_support_flags_values_between_grid_points_and_invalid_clock_times():
    grid = Support(step=0.5, origin=0.0)
    assert off_support(np.array([1.0, 1.5, 1.25, np.nan]), grid).tolist() == [
        False,
        False,
        True,
        False,
    ]
    clock = Support(encoding="hhmm", step=1.0, origin=0.0)
    assert off_support(np.array([517.0, 561.0, 2400.0, 2460.0]), clock).tolist() == [
        False,
        True,
        False,
        True,
    ]
    assert off_support(np.array([5.0, 11.0]), Support(), minimum=0, maximum=10).tolist() == [
        False,
        True,
    ]


def test_support_is_recorded_in_the_schema_and_survives_every_export():
    rng = np.random.default_rng(7)
    df = pd.DataFrame(
        {
            "dep_time": clock_times(2000, rng),
            "amount": np.where(rng.random(2000) < 0.8, 0.0, np.round(rng.gamma(2, 50, 2000), 2)),
        }
    )
    schema = infer_schema(df)
    assert schema["dep_time"].support.encoding == "hhmm"
    assert schema["amount"].support.point_masses == [0.0]
    assert Schema.from_json(schema.to_json()) == schema
    assert Schema.from_yaml(schema.to_yaml()) == schema
    namespace: dict = {}
    exec(to_python(schema), namespace)
    assert namespace["schema"] == schema


@pytest.mark.parametrize(
    "support",
    [
        {"encoding": "ddmm"},
        {"step": 0},
        {"point_masses": [0.0], "point_mass_shares": []},
        {"grid": 1},
        "hhmm",
    ],
)
def test_a_malformed_support_in_a_schema_is_refused(support):
    with pytest.raises(SchemaError, match="support"):
        ColumnSchema.from_dict(
            {"name": "x", "kind": "integer", "dtype": "int64", "support": support}
        )


def test_the_shared_tables_supports():
    flights = infer_schema(pd.read_csv(DATASETS / "nycflights13" / "flights.csv"))
    for column in ("dep_time", "sched_dep_time", "arr_time", "sched_arr_time"):
        assert flights[column].support.encoding == "hhmm", column
    assert flights["minute"].support.encoding is None
    weather = infer_schema(pd.read_csv(DATASETS / "nycflights13_weather.csv"))
    assert weather["wind_speed"].support.step == pytest.approx(1.15078, abs=1e-4)
    assert weather["wind_dir"].support.step == 10.0
    assert weather["precip"].support.point_masses[0] == 0.0
    adult = infer_schema(pd.read_csv(DATASETS / "adult.csv", skipinitialspace=True))
    assert {0.0, 99999.0} <= set(adult["capital-gain"].support.point_masses)
    assert adult["fnlwgt"].support.continuous
