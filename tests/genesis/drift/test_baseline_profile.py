"""BaselineProfile: per-column summaries a model keeps for drift detection, no rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.drift import DriftDetector
from genesis.drift.profile import MIN_CATEGORY_COUNT, OTHER, BaselineProfile
from genesis.errors import InvalidDataError, InvalidParameterError


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(0)
    n = 4000
    city = rng.choice(["Paris", "Lyon", "Nice"], n).astype(object)
    city[:3] = ["Zyxville", "Qwerton", "Plonk"]  # rare values: one row each
    return pd.DataFrame(
        {
            "age": rng.integers(18, 90, n),
            "income": np.where(rng.random(n) < 0.1, np.nan, rng.lognormal(10, 1, n)),
            "ratio": np.where(rng.random(n) < 0.05, np.inf, rng.normal(size=n)),
            "city": city,
            "flag": rng.random(n) < 0.3,
            "when": pd.to_datetime("2024-01-01", utc=True)
            + pd.to_timedelta(rng.integers(0, 86_400 * 365, n), unit="s"),
        }
    )


def test_rare_values_are_merged_and_never_stored(table):
    profile = BaselineProfile.fit(table)
    city = profile.columns[3].categories
    assert OTHER in city and city[OTHER] == 3
    assert not {"Zyxville", "Qwerton", "Plonk"} & set(city)
    assert all(count >= MIN_CATEGORY_COUNT for label, count in city.items() if label != OTHER)


def test_pseudo_sample_keeps_dtypes_shares_and_passes_the_drift_detector(table):
    profile = BaselineProfile.fit(table)
    sample = profile.to_frame()
    assert len(sample) == 4000 and list(sample.columns) == list(table.columns)
    assert sample["age"].dtype == np.int64 and sample["flag"].dtype == bool
    assert str(sample["when"].dtype) == str(table["when"].dtype)
    assert sample["income"].isna().mean() == pytest.approx(table["income"].isna().mean(), abs=1e-3)
    assert np.isposinf(sample["ratio"]).mean() == pytest.approx(
        np.isposinf(table["ratio"]).mean(), abs=1e-3
    )
    assert set(sample["age"]) <= set(table["age"])  # integers stay on observed values
    report = DriftDetector().detect(sample, table)
    assert not report.dataset_drift and report.drifted_columns == []
    shifted = table.assign(age=table["age"] + 15)
    assert "age" in DriftDetector().detect(sample, shifted).drifted_columns


def test_sample_is_seeded_and_sized(table):
    profile = BaselineProfile.fit(table)
    pd.testing.assert_frame_equal(profile.sample(500, seed=2**40), profile.sample(500, seed=2**40))
    assert not profile.sample(500, seed=1).equals(profile.sample(500, seed=2))
    assert len(profile.sample(0)) == 0


def test_bad_inputs():
    with pytest.raises(InvalidDataError):
        BaselineProfile.fit([1, 2, 3])
    profile = BaselineProfile.fit(pd.DataFrame({"a": [1, 2, 3]}))
    with pytest.raises(InvalidParameterError):
        profile.sample(5, seed=-1)
