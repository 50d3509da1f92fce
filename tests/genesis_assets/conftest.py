"""Fixtures for the Dagster layer: small Adult tables and genesis.yaml files in temp folders."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

SMALL_ROWS = 1_000


@pytest.fixture(scope="session")
def small_adult(adult_df: pd.DataFrame) -> pd.DataFrame:
    """1,000 rows of Adult: the whole chain runs on it in seconds."""
    return adult_df.sample(n=SMALL_ROWS, random_state=0).reset_index(drop=True)


def _adult_dataset(name: str, source: str | Path = "small.csv", **overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": name,
        "source": str(source),
        "target": "income",
        "sensitive_columns": ["income"],
        "quasi_identifiers": ["age", "sex", "race"],
        "method": "cart",
        "seed": 0,
        "quality_threshold": 0.5,
    }
    entry.update(overrides)
    return entry


@pytest.fixture(scope="session")
def adult_dataset() -> Callable[..., dict[str, Any]]:
    """Build a genesis.yaml dataset entry for Adult: ``adult_dataset(name, source, **overrides)``."""
    return _adult_dataset


@pytest.fixture
def make_config(tmp_path: Path, small_adult: pd.DataFrame) -> Callable[..., Path]:
    """Write ``small.csv`` (1,000 Adult rows) and a genesis.yaml into ``tmp_path``.

    Call with dataset entries (dicts) or with nothing for one dataset ``adult`` on
    ``small.csv``; the artifact root is ``tmp_path / "artifacts"``.
    """
    csv = tmp_path / "small.csv"
    small_adult.to_csv(csv, index=False)

    def write(*datasets: dict[str, Any], storage: dict[str, Any] | None = None) -> Path:
        document = {
            "storage": storage or {"root": "artifacts"},
            "datasets": list(datasets) or [_adult_dataset("adult")],
        }
        path = tmp_path / "genesis.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False))
        return path

    return write
