"""genesis.drift.aware: the baseline a fitted model records and the drift-aware generator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.drift import DriftAwareGenerator, DriftDetector
from genesis.errors import InvalidDataError, InvalidParameterError, NotFittedError


@pytest.fixture(scope="module")
def small_adult_parts(adult_df):
    cols = ["age", "education", "hours-per-week", "sex", "income"]
    perm = np.random.default_rng(3).permutation(len(adult_df))
    return (
        adult_df.iloc[perm[:1500]][cols].reset_index(drop=True),
        adult_df.iloc[perm[1500:3000]][cols].reset_index(drop=True),
    )


def test_fitted_model_records_its_baseline_and_keeps_it_on_save(
    small_adult_parts, tmp_path, adult_df
):
    from genesis.drift.profile import BaselineProfile
    from genesis.generators import SyntheticGenerator
    from genesis.io import fingerprint

    train, _ = small_adult_parts
    model = SyntheticGenerator("gaussian_copula", seed=1).fit(train)
    assert model.training_fingerprint_ == fingerprint(train)
    assert isinstance(model.baseline_profile_, BaselineProfile)
    assert model.baseline_profile_.n_rows == len(train)
    baseline = model.baseline_sample_  # a pseudo-sample of the profile, not training rows
    assert list(baseline.columns) == list(train.columns) and len(baseline) == len(train)
    assert not DriftDetector().detect(baseline, train).dataset_drift
    loaded = SyntheticGenerator.load(model.save(tmp_path / "m.model"))
    assert loaded.training_fingerprint_ == model.training_fingerprint_
    pd.testing.assert_frame_equal(loaded.baseline_sample_, baseline)
    big = SyntheticGenerator("gaussian_copula", seed=1).fit(adult_df[train.columns].iloc[:8000])
    assert len(big.baseline_sample_) == 5000


def test_drift_aware_generator_refits_only_on_drift(small_adult_parts):
    from genesis.generators import SyntheticGenerator
    from genesis.io import fingerprint

    train, fresh = small_adult_parts
    aware = DriftAwareGenerator(SyntheticGenerator("gaussian_copula", seed=0)).fit(train)
    calm = aware.update(fresh)
    assert calm.action == "none" and not calm.refitted and calm.training_rows == 0
    assert aware.base.training_fingerprint_ == fingerprint(train)
    drifted = fresh.assign(
        age=fresh["age"] + 15, sex="Female", **{"hours-per-week": fresh["hours-per-week"] + 20}
    )
    result = aware.update(drifted)
    assert result.action == "refit" and result.report.dataset_drift
    assert result.refitted and result.training_rows == len(drifted)
    assert result.report.drifted_columns == ["age", "hours-per-week", "sex"]
    assert aware.base.training_fingerprint_ == fingerprint(drifted)
    assert aware.generate(200, seed=0)["age"].mean() > train["age"].mean() + 8
    assert [u.action for u in aware.history_] == ["none", "refit"]
    assert aware.last_update_ is result


def test_drift_aware_generator_weighted_mix_fades_old_rows(small_adult_parts):
    from genesis.generators import SyntheticGenerator

    train, fresh = small_adult_parts
    detector = DriftDetector(drift_share=0.2)
    aware = DriftAwareGenerator(
        SyntheticGenerator("gaussian_copula", seed=0), "weighted", detector=detector, decay=0.5
    ).fit(train)
    first = fresh.assign(age=fresh["age"] + 15)
    result = aware.update(first)
    assert result.action == "weighted_refit"
    assert result.rows_by_age == (1500, 750) and result.training_rows == 2250
    second = first.assign(age=first["age"] + 15)
    result = aware.update(second)
    assert result.rows_by_age == (1500, 750, 375)
    # the model sits between old and new data, closer to the newest
    mean_age = aware.generate(2000, seed=0)["age"].mean()
    assert first["age"].mean() < mean_age < second["age"].mean()


def test_drift_aware_generator_bad_use(small_adult_parts):
    from genesis.generators import SyntheticGenerator

    train, fresh = small_adult_parts
    with pytest.raises(InvalidParameterError, match="strategy"):
        DriftAwareGenerator(SyntheticGenerator(), "sometimes").fit(train)
    with pytest.raises(InvalidParameterError, match="decay"):
        DriftAwareGenerator(SyntheticGenerator(), "weighted", decay=1.5).fit(train)
    with pytest.raises(InvalidParameterError, match="base must be a synthesizer"):
        DriftAwareGenerator(object()).fit(train)
    with pytest.raises(NotFittedError, match="call fit"):
        DriftAwareGenerator(SyntheticGenerator("gaussian_copula")).update(fresh)
    aware = DriftAwareGenerator(SyntheticGenerator("gaussian_copula")).fit(train)
    with pytest.raises(InvalidDataError, match="at least 1 row"):
        aware.update(fresh.iloc[:0])
