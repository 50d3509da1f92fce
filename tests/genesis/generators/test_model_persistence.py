"""Saved models: owner-only files, bytes round trips, and no real rows inside (issue 12.1)."""

from __future__ import annotations

import stat

import numpy as np
import pandas as pd
import pytest

from genesis.errors import ModelLoadError
from genesis.generators import SyntheticGenerator
from genesis.generators.persistence import MODEL_FILE_MODE, read_model
from tests.leakage import leaked_combinations, leaked_rows

COLUMNS = ["age", "workclass", "education", "occupation", "hours-per-week", "sex"]


@pytest.fixture(scope="module")
def real(adult_df):
    return adult_df[COLUMNS].iloc[:1500].reset_index(drop=True)


@pytest.mark.parametrize(
    "method, params",
    [
        ("gaussian_copula", {}),
        ("gaussian_copula", {"epsilon": 1.0}),
        ("cart", {}),
    ],
)
def test_saved_model_holds_no_row_and_no_unique_combination(real, tmp_path, method, params):
    model = SyntheticGenerator(method, seed=0, **params).fit(real)
    path = model.save(tmp_path / "m.genesis")
    with open(path, "rb") as fh:
        data = fh.read()
    assert leaked_rows(data, real) == []
    assert leaked_combinations(data, real, k=4) == []
    assert "baseline_sample_" not in model.synthesizer.__dict__
    profile = model.baseline_profile_
    assert profile.n_rows == len(real) and profile.names == COLUMNS


def test_the_checker_finds_rows_kept_inside_a_model(real):
    # the former baseline_sample_: training rows stored in the model
    model = SyntheticGenerator("gaussian_copula", seed=0).fit(real)
    model.synthesizer.__dict__["kept_rows"] = real.iloc[:40].copy()
    data = model.to_bytes()
    assert set(range(40)) <= set(leaked_rows(data, real))
    assert leaked_combinations(data, real, k=4)


def test_model_files_are_owner_only(tmp_path, real):
    path = SyntheticGenerator("gaussian_copula").fit(real).save(tmp_path / "deep" / "m.genesis")
    assert (
        stat.S_IMODE((tmp_path / "deep" / "m.genesis").stat().st_mode) == MODEL_FILE_MODE == 0o600
    )
    assert not list((tmp_path / "deep").glob(".*tmp"))  # atomic: no temporary left behind
    assert path.endswith("m.genesis")


def test_bytes_round_trip_without_a_file(real):
    model = SyntheticGenerator("cart", seed=3).fit(real)
    data = model.to_bytes()
    again = SyntheticGenerator.from_bytes(data)
    pd.testing.assert_frame_equal(again.generate(300), model.generate(300))
    header, _ = read_model(data, payload=False)
    assert header["method"] == "cart"


def test_corrupt_bytes_are_refused_clearly():
    with pytest.raises(ModelLoadError, match="not a Genesis model"):
        SyntheticGenerator.from_bytes(b"hello")
    with pytest.raises(ModelLoadError, match="corrupt"):
        SyntheticGenerator.from_bytes(b"GENESIS-MODEL\n{nope\n")


def test_dp_model_baseline_comes_from_its_own_synthetic_rows(real):
    from genesis.drift.profile import BaselineProfile

    model = SyntheticGenerator("gaussian_copula", seed=0, epsilon=1.0).fit(real)
    # post-processing of the DP model's output: no extra budget, nothing beyond what it publishes
    expected = BaselineProfile.fit(model.generate(len(real)))
    got = model.baseline_profile_
    for mine, theirs in zip(got.columns, expected.columns, strict=True):
        assert mine.categories == theirs.categories
        if mine.quantiles is not None:
            np.testing.assert_array_equal(mine.quantiles, theirs.quantiles)
    plain = SyntheticGenerator("gaussian_copula", seed=0).fit(real).baseline_profile_
    assert plain.columns[1].categories != got.columns[1].categories  # real vs noisy counts
    assert got.n_rows == len(real)
