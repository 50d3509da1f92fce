"""Fixtures shared by the whole suite: the real tables in ``../shared/datasets``."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

# torch's default thread count made CTGAN 17-35x slower on 2-core machines; keep tests honest.
os.environ.setdefault("OMP_NUM_THREADS", "1")

REPO_ROOT = Path(__file__).resolve().parents[1]


def _find_datasets_dir() -> Path:
    override = os.environ.get("GENESIS_DATASETS_DIR")
    candidates = [Path(override)] if override else []
    candidates += [REPO_ROOT.parent / "shared" / "datasets", REPO_ROOT / "shared" / "datasets"]
    for candidate in candidates:
        if (candidate / "adult.csv").exists():
            return candidate
    raise FileNotFoundError(
        "the test tables (adult.csv, nycflights13_weather.csv) were not found in "
        f"{[str(c) for c in candidates]}; set GENESIS_DATASETS_DIR to the folder holding them"
    )


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def datasets_dir() -> Path:
    """The folder holding the real test tables."""
    return _find_datasets_dir()


@pytest.fixture(scope="session")
def adult_df(datasets_dir: Path) -> pd.DataFrame:
    """The UCI Adult census table, as read from CSV (``?`` kept as a missing-value token).

    Session-scoped: treat it as read-only and ``.copy()`` before mutating.
    """
    return pd.read_csv(datasets_dir / "adult.csv", skipinitialspace=True)


@pytest.fixture(scope="session")
def weather_df(datasets_dir: Path) -> pd.DataFrame:
    """Hourly weather at the three New York airports (nycflights13), as read from CSV."""
    return pd.read_csv(datasets_dir / "nycflights13_weather.csv")
