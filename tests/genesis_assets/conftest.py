"""Fixtures for the Dagster layer: small Adult tables, genesis.yaml files and materializations.

One way to build a project for a test: :func:`write_project` writes ``small.csv`` and a
``genesis.yaml`` into a folder; :func:`materialize` runs a selection of its chain in-process;
``chain`` is the whole chain materialized once per session, shared by the tests that only
read it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import dagster as dg
import pandas as pd
import pytest

from tests.genesis_assets.project import SMALL_ROWS, Chain, adult_entry, materialize, write_project


@pytest.fixture(scope="session")
def small_adult(adult_df: pd.DataFrame) -> pd.DataFrame:
    """1,000 rows of Adult: the whole chain runs on it in seconds."""
    return adult_df.sample(n=SMALL_ROWS, random_state=0).reset_index(drop=True)


@pytest.fixture(scope="session")
def adult_dataset() -> Callable[..., dict[str, Any]]:
    """Build a genesis.yaml dataset entry for Adult: ``adult_dataset(name, source, **overrides)``."""
    return adult_entry


@pytest.fixture
def make_config(tmp_path: Path, small_adult: pd.DataFrame) -> Callable[..., Path]:
    """``make_config(*datasets, **top)``: :func:`write_project` into ``tmp_path``."""

    def write(*datasets: dict[str, Any], **top: Any) -> Path:
        return write_project(tmp_path, small_adult, *datasets, **top)

    return write


@pytest.fixture(scope="session")
def chain(tmp_path_factory, small_adult) -> Chain:
    """The whole chain of one Adult dataset, materialized once into a real instance."""
    folder = tmp_path_factory.mktemp("chain")
    config = write_project(folder, small_adult)
    with dg.instance_for_test() as instance:
        result = materialize(config, instance=instance)
        yield Chain(folder, config, result, instance)
