"""Fixtures for the Dagster layer: small Adult tables, genesis.yaml files and materializations.

One way to build a project for a test: :func:`write_project` writes ``small.csv`` and a
``genesis.yaml`` into a folder; :func:`materialize` runs a selection of its chain in-process;
``chain`` is the whole chain materialized once per session, shared by the tests that only
read it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import pandas as pd
import pytest
import yaml

SMALL_ROWS = 1_000


def adult_entry(name: str = "adult", source: str | Path = "small.csv", **overrides: Any) -> dict:
    """A genesis.yaml dataset entry for Adult (cart, seed 0, quality threshold 0.5)."""
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


def write_project(folder: Path, data: pd.DataFrame, *datasets: dict[str, Any], **top: Any) -> Path:
    """Write ``small.csv`` and ``genesis.yaml`` (artifacts under ``folder/artifacts``) into
    ``folder``; ``top`` adds top-level sections (storage, schedule, executor...)."""
    folder.mkdir(parents=True, exist_ok=True)
    data.to_csv(folder / "small.csv", index=False)
    document = {
        "storage": {"root": "artifacts"},
        "datasets": list(datasets) or [adult_entry()],
        **top,
    }
    path = folder / "genesis.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def materialize(
    config_path: Path,
    selection: Any = "*",
    *,
    instance: dg.DagsterInstance | None = None,
    raise_on_error: bool = True,
    run_config: dict | None = None,
    replace: dict | None = None,
    extra: list | None = None,
    resources: dict | None = None,
):
    """Materialize ``selection`` of the project's chain in-process.

    ``replace`` swaps assets by key (stand-ins), ``extra`` adds assets, ``resources``
    overrides resources. Returns the ExecuteInProcessResult.
    """
    from genesis_assets.config import load_config
    from genesis_assets.factory import build_definitions

    defs = build_definitions(load_config(config_path))
    nodes = [*defs.assets, *defs.asset_checks]
    if replace:
        nodes = [
            n
            for n in nodes
            if not (isinstance(n, dg.AssetsDefinition) and set(n.keys) & set(replace))
        ]
        nodes += list(replace.values())
    return dg.materialize(
        [*nodes, *(extra or [])],
        resources={**defs.resources, **(resources or {})},
        instance=instance or dg.DagsterInstance.ephemeral(),
        selection=selection,
        raise_on_error=raise_on_error,
        run_config=run_config,
    )


def metadata_of(result, stage: str, dataset: str = "adult") -> dict:
    """The metadata of the (last) materialization of ``[dataset, stage]`` in ``result``."""
    events = [
        e.materialization
        for e in result.get_asset_materialization_events()
        if e.materialization.asset_key == dg.AssetKey([dataset, stage])
    ]
    assert events, f"{dataset}/{stage} was not materialized"
    return {k: v.value for k, v in events[-1].metadata.items()}


@dataclass
class Chain:
    """One materialization of the whole chain."""

    folder: Path
    config: Path
    result: Any
    instance: dg.DagsterInstance

    def metadata(self, stage: str) -> dict:
        return metadata_of(self.result, stage)

    @property
    def defs(self) -> dg.Definitions:
        from genesis_assets.config import load_config
        from genesis_assets.factory import build_definitions

        return build_definitions(load_config(self.config))


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
