"""Building and materializing a test project of the Dagster layer (imported by the tests as
``tests.genesis_assets.project``; the fixtures in ``conftest.py`` use it too).

:func:`write_project` writes ``small.csv`` and a ``genesis.yaml`` into a folder;
:func:`materialize` runs a selection of its chain in-process; :class:`Chain` is one
materialization of the whole chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import pandas as pd
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
    partition_key: str | None = None,
):
    """Materialize ``selection`` of the project's chain in-process.

    ``replace`` swaps assets by key (stand-ins), ``extra`` adds assets, ``resources``
    overrides resources, ``partition_key`` picks the partition of partitioned assets. Returns the ExecuteInProcessResult.
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
        partition_key=partition_key,
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
