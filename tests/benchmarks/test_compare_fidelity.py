"""compare_fidelity.py's own logic: arguments, the peer cache, ARGN's date-time handling, the
targets' verdicts. (The peers and judges themselves run in .venv-bench / .venv-argn.)"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

import _fidelity_report  # noqa: E402
import _peers  # noqa: E402
import argn_runner  # noqa: E402
import compare_fidelity  # noqa: E402


@pytest.mark.parametrize(
    "argv",
    [
        ["--tables", "adult,nope"],
        ["--methods", "cart,magic"],
        ["--methods", ","],
        ["--rows", "50"],
        ["--time-budget", "0"],
        ["--automl-budget", "-1"],
        ["--seed", "-3"],
        ["--refit-peers", "--cached-peers-only"],
    ],
)
def test_bad_arguments_are_refused(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        compare_fidelity.parse_args(argv)
    assert exc.value.code == 2
    assert "error" in capsys.readouterr().err


def test_arguments_keep_the_canonical_order():
    args = compare_fidelity.parse_args(
        ["--tables", "flights,adult", "--methods", "argn,cart", "--rows", "500"]
    )
    assert args.tables == ["adult", "flights"]
    assert args.methods == ["cart", "argn"]
    assert args.rows == 500


def test_cache_key_follows_training_rows_and_settings():
    train = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    settings = _peers._settings("sdv_ctgan", 3, 0, 120.0)
    same = _peers.cache_dir("t", "sdv_ctgan", train.copy(), dict(settings))
    assert same == _peers.cache_dir("t", "sdv_ctgan", train, settings)
    assert same.name.startswith("sdv_ctgan-seed0-")
    changed_row = train.assign(a=[1, 2, 4])
    assert _peers.cache_dir("t", "sdv_ctgan", changed_row, settings) != same
    other_budget = _peers._settings("sdv_ctgan", 3, 0, 60.0)
    assert _peers.cache_dir("t", "sdv_ctgan", train, other_budget) != same
    # the budget only matters to the neural peers
    assert _peers._settings("argn", 3, 0, 60.0) == _peers._settings("argn", 3, 0, 120.0)
    assert _peers._settings("argn", 3, 0, 60.0)["version"] == "2.7.3"


def test_cached_peer_is_read_back_not_refitted(tmp_path, monkeypatch):
    monkeypatch.setattr(_peers, "CACHE_ROOT", tmp_path)
    train = pd.DataFrame({"a": range(10), "b": list("xyxyxyxyxy")})
    settings = _peers._settings("argn", len(train), 0, 120.0)
    folder = _peers.cache_dir("toy", "argn", train, settings)
    folder.mkdir(parents=True)
    train.iloc[::-1].to_csv(folder / "synthetic.csv", index=False)
    stored = {"fit_s": 12.5, "sample_s": 0.5, "fitted_at": "2026-12-02T01:00:00+00:00"}
    (folder / "timings.json").write_text(json.dumps(stored))
    # ARGN's interpreter is never started for a cached entry, whatever it points at
    monkeypatch.setattr(_peers, "ARGN_PYTHON", tmp_path / "no-such-python")
    synthetic, timings = _peers.run_peer("argn", "toy", train, seed=0, budget=120.0, refit=False)
    pd.testing.assert_frame_equal(synthetic, train.iloc[::-1].reset_index(drop=True))
    assert timings["cached"] is True and timings["fit_s"] == 12.5
    assert timings["cache_dir"] == str(folder)
    with pytest.raises(RuntimeError, match="venv-argn"):
        _peers.run_peer("argn", "toy", train, seed=0, budget=120.0, refit=True)
    # a peer that was never fitted is left out, not fitted, when only the cache may be used
    with pytest.raises(_peers.NotCachedError, match="no cached fit"):
        _peers.run_peer(
            "argn", "toy", train.head(5), seed=0, budget=120.0, refit=False, cache_only=True
        )


def test_argn_gets_datetimes_parsed_and_written_back_in_their_format():
    df = pd.DataFrame(
        {
            "time_hour": ["2013-01-01T06:00:00Z", "2013-01-01T07:00:00Z", None],
            "day": ["2013-01-01", "2013-01-02", "2013-01-03"],
            "city": ["EWR", "JFK", "LGA"],
            "mixed": ["2013-01-01", "soon", "2013-01-03"],
            "n": [1, 2, 3],
        }
    )
    parsed, formats = argn_runner.parse_datetimes(df)
    assert formats == {"time_hour": "%Y-%m-%dT%H:%M:%SZ", "day": "%Y-%m-%d"}
    assert pd.api.types.is_datetime64_any_dtype(parsed["time_hour"])
    assert parsed["city"].tolist() == ["EWR", "JFK", "LGA"]
    assert parsed["mixed"].tolist() == df["mixed"].tolist()
    assert parsed["time_hour"].iloc[:2].dt.strftime(formats["time_hour"]).tolist() == (
        df["time_hour"].iloc[:2].tolist()
    )


def _row(det: float, quality: float, fit: float) -> dict:
    return {"detection_auc": det, "sdm_quality": quality, "fit_s": fit}


def _result(name: str, rows: dict) -> dict:
    return {"table": compare_fidelity.TABLES[name], "rows": rows}


def test_targets_are_marked_met_or_not_met():
    met = _result(
        "weather",
        {
            "cart": _row(0.58, 0.97, 1.0),
            "gaussian_copula": _row(0.90, 0.93, 0.5),
            "sdv_ctgan": _row(0.95, 0.80, 120.0),
            "argn": _row(0.70, 0.95, 300.0),
        },
    )
    missed = _result(
        "adult",
        {
            "cart": _row(0.56, 0.99, 2.0),
            "auto": _row(0.56, 0.98, 61.0),
            "argn": _row(0.55, 0.97, 150.0),
            "sdv_tvae": {"error": "RuntimeError: boom"},
        },
    )
    assert _fidelity_report.genesis_best(met["rows"]) == "cart"
    # a tie on detection AUC goes to the higher quality
    assert _fidelity_report.genesis_best(missed["rows"]) == "cart"
    summary, checks = _fidelity_report.targets([met, missed])
    lines = checks.splitlines()
    weather = [line for line in lines if line.startswith("| weather")]
    adult = [line for line in lines if line.startswith("| adult")]
    assert all(line.endswith("**met** |") for line in weather) and len(weather) == 3
    assert "≤ 0.60 | 0.580 | **met**" in weather[0]
    assert "≤ 0.55 | 0.560 | **not met**" in adult[0]
    assert adult[1].endswith("**not met** |")  # ARGN's 0.55 beats Genesis's 0.56
    assert "(1/75) | **met**" in adult[2]  # 150 s / 2 s
    assert "MOSTLY AI TabularARGN: 0.550" in summary


def test_peers_left_out_are_shown_and_not_judged():
    rows = {
        "cart": _row(0.58, 0.97, 1.0),
        "argn": {"skipped": "not in the peer cache (--cached-peers-only)"},
    }
    summary, checks = _fidelity_report.targets([_result("flights", rows)])
    assert "ARGN" not in checks and "ARGN" not in summary
    assert len([line for line in checks.splitlines() if line.startswith("| flights")]) == 1
