"""Every column the generator accepts is scored: infinities, all-null columns, mixed kinds."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from genesis.quality import QualityEvaluator
from genesis.quality._prepare import prepare_tables
from genesis.schema import infer_schema


def _with_infinities(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    x[:5] = np.inf
    x[5:8] = -np.inf
    return pd.DataFrame({"x": x, "y": x * 2 + rng.normal(size=n), "g": rng.choice(["a", "b"], n)})


def test_infinities_are_point_masses_beyond_the_finite_range():
    real, synthetic = _with_infinities(400, 0), _with_infinities(400, 1)
    report = QualityEvaluator(real, synthetic, target="g").evaluate()
    json.dumps(report.to_dict(), allow_nan=False)
    details = report.column_details.set_index("column")
    assert 0.8 < details.at["x", "score"] <= 1.0
    assert np.isfinite(report.detection_auc) and np.isfinite(report.dcr_synthetic)
    assert any("x: 2.00% infinite values in real" in note for note in report.notes)
    prepared = prepare_tables({"real": real, "synthetic": synthetic}, infer_schema(real))
    values = prepared.values["real"]["x"]
    assert np.isfinite(values).all()
    finite = np.r_[real["x"], synthetic["x"]]
    finite = finite[np.isfinite(finite)]
    assert values[:5].min() > finite.max() and values[5:8].max() < finite.min()
    # inf only on one side lowers the shape score by exactly its share
    no_inf = real.replace([np.inf, -np.inf], 0.0)
    shifted = QualityEvaluator(no_inf, no_inf.assign(x=np.r_[[np.inf] * 40, no_inf["x"][40:]]))
    assert shifted.evaluate().column_details.set_index("column").at["x", "score"] <= 0.9 + 1e-9


def test_an_all_null_float_column_is_scored_by_its_null_rate():
    rng = np.random.default_rng(0)
    real = pd.DataFrame({"empty": np.full(300, np.nan), "v": rng.normal(size=300)})
    real["c"] = rng.choice(["p", "q"], 300)
    synthetic = real.sample(frac=1.0, random_state=1).reset_index(drop=True)
    report = QualityEvaluator(real, synthetic, target="c").evaluate()
    details = report.column_details.set_index("column")
    assert np.isnan(details.at["empty", "score"])
    assert details.at["empty", "real_null_share"] == 1.0
    assert report.missing_similarity == 1.0
    assert 0.3 < report.detection_auc < 0.7
    assert np.isfinite(report.ml_utility["tstr"])
    half = synthetic.assign(empty=np.where(np.arange(300) % 2, 1.5, np.nan))
    assert QualityEvaluator(real, half).evaluate().missing_similarity == pytest.approx(1 - 0.5 / 3)


def test_every_kind_of_column_the_generator_accepts(adult_df):
    from genesis.generators import SyntheticGenerator

    rng = np.random.default_rng(0)
    n = 600
    real = pd.DataFrame(
        {
            "int": rng.integers(0, 100, n),
            "nullable_int": pd.array(
                np.where(rng.random(n) < 0.1, None, rng.integers(0, 9, n)), dtype="Int64"
            ),
            "float": rng.normal(size=n),
            "all_null": np.full(n, np.nan),
            "constant": 7.0,
            "flag": rng.random(n) < 0.3,
            "when": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 10**6, n), unit="s"),
            "when_utc": pd.Timestamp("2024-01-01", tz="UTC")
            + pd.to_timedelta(rng.integers(0, 10**6, n), unit="s"),
            "label": pd.Categorical(rng.choice(["a", "b", "c"], n)),
            "code": [f"ID-{i:05d}" for i in range(n)],
            "email": [f"user{i}@example.com" for i in range(n)],
            "note": [f"free text number {i} about things" for i in range(n)],
        }
    )
    synthetic = SyntheticGenerator("gaussian_copula", seed=0).fit(real).generate(n)
    report = QualityEvaluator(real, synthetic).evaluate()
    json.dumps(report.to_dict(), allow_nan=False)
    assert 0 <= report.overall_score <= 1
    assert {"email", "note"} <= set(report.format_scored_columns)
    scored = report.column_details.dropna(subset=["score"])["column"]
    assert {"int", "float", "flag", "when", "when_utc", "label", "email"} <= set(scored)
