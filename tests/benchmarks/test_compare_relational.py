"""compare_relational.py's own logic: arguments, the joins TSTR trains on, TSTR itself, and
running a method in a child process (time limit, failure). The methods run in .venv-bench."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

import compare_relational  # noqa: E402


@pytest.mark.parametrize(
    "argv",
    [["--methods", "genesis_cart,magic"], ["--methods", ","], ["--flights", "10"]],
)
def test_bad_arguments_are_refused(argv):
    with pytest.raises(SystemExit):
        compare_relational.parse_args(argv)


def _tables() -> dict[str, pd.DataFrame]:
    planes = pd.DataFrame({"tailnum": ["N1", "N2"], "seats": [100, 200]})
    weather = pd.DataFrame(
        {
            "origin": ["EWR", "JFK"],
            "year": [2013, 2013],
            "month": [1, 1],
            "day": [1, 1],
            "hour": [5, 6],
            "temp": [30.0, 40.0],
            "time_hour": ["a", "b"],
        }
    )
    flights = pd.DataFrame(
        {
            "origin": ["JFK", "EWR", "LGA"],
            "year": [2013] * 3,
            "month": [1] * 3,
            "day": [1] * 3,
            "hour": [6, 5, 5],
            "tailnum": ["N2", None, "N1"],
            "arr_delay": [20.0, 0.0, 5.0],
        }
    )
    return {"planes": planes, "weather": weather, "flights": flights}


def test_flights_join_their_plane_and_weather_hour():
    tables = _tables()
    joined = compare_relational.joined_flights(tables, tables["flights"])
    assert joined["plane_seats"].tolist()[0] == 200 and np.isnan(joined["plane_seats"][1])
    assert joined["weather_temp"].tolist()[:2] == [40.0, 30.0]
    assert np.isnan(joined["weather_temp"][2])  # LGA has no weather row
    assert len(joined) == 3


def test_sdv_flights_join_weather_through_its_single_key():
    tables = _tables()
    tables["weather"]["weather_id"] = ["w1", "w2"]
    tables["flights"]["weather_id"] = ["w1", "w1", "w2"]
    joined = compare_relational.joined_flights(tables, tables["flights"])
    assert joined["weather_temp"].tolist() == [30.0, 30.0, 40.0]
    assert "weather_id" not in joined


def test_tstr_learns_a_real_signal_and_not_noise():
    rng = np.random.default_rng(0)
    n = 2000
    dep = rng.normal(10, 30, size=n)
    frame = pd.DataFrame(
        {
            "dep_delay": dep,
            "carrier": rng.choice(["AA", "B6", "UA"], size=n),
            "arr_delay": dep + rng.normal(0, 10, size=n),
        }
    )
    train, test = frame.iloc[:1500], frame.iloc[1500:].reset_index(drop=True)
    assert compare_relational.tstr_auc(train, test, seed=0) > 0.9
    noise = train.assign(arr_delay=rng.permutation(train["arr_delay"].to_numpy()))
    assert compare_relational.tstr_auc(noise, test, seed=0) < 0.65
    assert compare_relational.tstr_auc(train.assign(arr_delay=0.0), test, seed=0) == 0.5


def test_a_method_past_its_time_limit_is_stopped_and_reported(tmp_path, datasets_dir):
    # real tables: the fit takes seconds, so the limit stops it (with a missing folder the
    # child could fail before a short limit on a fast machine)
    result = compare_relational.run_method(
        "genesis_cart", datasets_dir / "nycflights13", tmp_path / "out", seed=0, timeout=0.5
    )
    assert result["failed"] == f"stopped after the {0.5 / 60:g}-minute time limit"
    assert result["wall_s"] < 30


def test_a_failing_method_reports_the_end_of_its_error(tmp_path):
    result = compare_relational.run_method(
        "genesis_cart", tmp_path / "nowhere", tmp_path / "out", seed=0, timeout=120
    )
    assert result["failed"].startswith("exit status 1: ")
    assert "nowhere" in result["failed"] and result["peak_rss_mb"] > 10


def test_cached_peer_failures_are_read_back_without_running(tmp_path, monkeypatch):
    monkeypatch.setattr(compare_relational, "CACHE_ROOT", tmp_path)
    args = SimpleNamespace(seed=0, peer_timeout=60.0, timeout=60.0, refit_peers=False)
    args.cached_peers_only = True
    tables = _tables()
    result = compare_relational.fitted("sdv_hma", tables, args, tmp_path, tmp_path)
    assert result["failed"].startswith("not in the cache")


def test_synthetic_tables_are_read_back_in_the_real_spelling(tmp_path):
    real = {name: pd.DataFrame({"x": [1, 2]}) for name in compare_relational.TABLE_NAMES}
    real["flights"] = pd.DataFrame({"time_hour": ["2013-01-01T11:00:00Z"], "dep_delay": [1.0]})
    for name in compare_relational.TABLE_NAMES:
        frame = pd.DataFrame({"x": ["1", "oops"]})
        if name == "flights":
            frame = pd.DataFrame({"time_hour": ["2013-01-05T16:14:56+0000"], "dep_delay": ["3"]})
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    out = compare_relational.read_synthetic(tmp_path, real)
    assert out["flights"]["time_hour"].tolist() == ["2013-01-05T16:14:56Z"]
    assert out["flights"]["dep_delay"].tolist() == [3.0]
    assert out["planes"]["x"].tolist()[0] == 1 and np.isnan(out["planes"]["x"][1])
