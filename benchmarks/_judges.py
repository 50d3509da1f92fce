"""The neutral judges and report helpers every benchmark here shares.

``compare_sdv.py``, ``compare_automl.py`` and ``compare_fidelity.py`` score synthetic tables
with the same functions, so a figure means the same thing in every report:

* :func:`sdmetrics_quality`: SDMetrics' single-table QualityReport (overall, column shapes,
  column-pair trends);
* :func:`tstr_score`: train-on-synthetic-test-on-real with XGBoost, ROC AUC for a categorical
  target, R² for a numeric one.

It runs in the benchmark environment (``.venv-bench``: SDMetrics, XGBoost).
"""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[1]


def log(message: str) -> None:
    """One progress line on stderr, with the wall-clock time."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """``fn()``'s result and the wall-clock seconds it took."""
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def sdmetrics_quality(
    train: pd.DataFrame, synthetic: pd.DataFrame, metadata: dict
) -> dict[str, float]:
    """SDMetrics' QualityReport: overall score, column shapes, column-pair trends, seconds."""
    from sdmetrics.reports.single_table import QualityReport

    report = QualityReport()
    _, seconds = timed(lambda: report.generate(train, synthetic, metadata, verbose=False))
    properties = report.get_properties().set_index("Property")["Score"]
    return {
        "sdm_quality": float(report.get_score()),
        "sdm_shapes": float(properties["Column Shapes"]),
        "sdm_trends": float(properties["Column Pair Trends"]),
        "sdm_seconds": seconds,
    }


def is_regression(test: pd.DataFrame, target: str) -> bool:
    """A numeric target is a regression task; anything else is classification."""
    return bool(pd.api.types.is_numeric_dtype(test[target]))


def _xgb_frame(df: pd.DataFrame, target: str, categories: dict[str, list]) -> pd.DataFrame:
    out = df.drop(columns=target).copy()
    for column in out.columns:
        if column in categories:
            out[column] = pd.Categorical(out[column].astype(str), categories=categories[column])
        else:
            out[column] = pd.to_numeric(out[column], errors="coerce")
    return out


def tstr_score(train_rows: pd.DataFrame, test: pd.DataFrame, target: str, seed: int) -> float:
    """Score on the real ``test`` rows of an XGBoost model trained on ``train_rows``.

    Classification (a non-numeric ``target``): ROC AUC of the rarer test class. Regression (a
    numeric one): R². Rows whose target is missing are dropped from both sides; a training
    set with a single class scores 0.5, one without any usable target row NaN.
    """
    from sklearn.metrics import r2_score, roc_auc_score
    from xgboost import XGBClassifier, XGBRegressor

    test = test[test[target].notna()]
    train_rows = train_rows[train_rows[target].notna()]
    if train_rows.empty or test.empty:
        return float("nan")
    object_columns = [
        c for c in test.columns if c != target and not pd.api.types.is_numeric_dtype(test[c])
    ]
    categories = {
        c: sorted(set(test[c].astype(str)) | set(train_rows[c].astype(str))) for c in object_columns
    }
    x_train = _xgb_frame(train_rows, target, categories)
    x_test = _xgb_frame(test, target, categories)
    params = {
        "tree_method": "hist",
        "enable_categorical": True,
        "random_state": seed,
        "n_jobs": 1,
        "verbosity": 0,
    }
    if is_regression(test, target):
        y_train = pd.to_numeric(train_rows[target], errors="coerce")
        keep = y_train.notna().to_numpy()
        model = XGBRegressor(**params)
        model.fit(x_train[keep], y_train[keep])
        return float(r2_score(test[target].astype(float), model.predict(x_test)))
    positive = test[target].value_counts().idxmin()
    y_train = (train_rows[target].astype(str) == str(positive)).astype(int)
    y_test = (test[target].astype(str) == str(positive)).astype(int)
    if y_train.nunique() < 2:
        return 0.5
    model = XGBClassifier(**params)
    model.fit(x_train, y_train)
    return float(roc_auc_score(y_test, model.predict_proba(x_test)[:, 1]))


def fmt(value: Any, digits: int = 3) -> str:
    """A table cell: ``—`` for missing or non-finite, thousands separators above 100."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "—"
    if isinstance(value, str):
        return value
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.{digits}f}"


def package_version(package: str) -> str:
    """The installed version of ``package`` (or of its ``-cpu`` build), else "not installed"."""
    # xgboost installs as the CPU-only distribution "xgboost-cpu" here, "xgboost" elsewhere
    for name in (package, f"{package}-cpu"):
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "not installed"


def git_commit() -> str:
    """``git describe --always --dirty`` of the checkout, or "unknown"."""
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
