"""The IO manager that stores every asset of the chain in the artifact store.

| value | file |
|---|---|
| ``pandas.DataFrame`` | ``<stage>.parquet`` (atomic) |
| ``genesis.schema.Schema`` | ``<stage>.schema.json`` |
| fitted synthesizer (``save``/``load``) | ``<stage>.model`` (the library's own format) |
| ``dict`` / ``list`` (reports) | ``<stage>.json`` |

Artifacts are laid out by asset key: ``[dataset, stage]`` becomes ``<root>/<dataset>/<stage>.*``;
a partitioned asset gets ``<root>/<dataset>/<stage>/<partition>.*``. The path written is
added to the materialization's metadata as ``path``.

An asset whose definition metadata has ``genesis/real_data: True`` (:data:`REAL_DATA`) holds
real rows or values (the source, the training and holdout rows, a fitted model, whose CART
leaves hold real values): its file is created readable by its owner only (0600).
"""

from __future__ import annotations

import json
from typing import Any

import dagster as dg
from pydantic import Field

from genesis.errors import InvalidParameterError, SourceNotFoundError
from genesis_resources.storage import ArtifactStore

#: definition metadata key marking an asset that holds real data (stored owner-only)
REAL_DATA = "genesis/real_data"

_PARQUET, _SCHEMA, _MODEL, _JSON = ".parquet", ".schema.json", ".model", ".json"
# probed in this order when loading: each kind of value has its own suffix
_SUFFIXES = (_PARQUET, _SCHEMA, _MODEL, _JSON)


def _location(context: dg.InputContext | dg.OutputContext) -> tuple[str, str]:
    path = list(context.asset_key.path) if context.has_asset_key else list(context.get_identifier())
    dataset = "/".join(path[:-1]) or "_"
    stage = path[-1]
    if context.has_asset_partitions:
        stage = f"{stage}/{context.asset_partition_key}"
    return dataset, stage


def _is_model(obj: Any) -> bool:
    return callable(getattr(obj, "to_bytes", None)) and callable(getattr(obj, "generate", None))


class GenesisIOManager(dg.ConfigurableIOManager):
    """Stores DataFrames as Parquet, schemas and reports as JSON, models via ``save``/``load``."""

    artifact_store: ArtifactStore = Field(description="Where the files go.")

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        import pandas as pd

        from genesis.jsonsafe import json_safe
        from genesis.schema.types import Schema

        if obj is None:
            return
        dataset, stage = _location(context)
        store = self.artifact_store
        private = bool((context.definition_metadata or {}).get(REAL_DATA))
        if isinstance(obj, pd.DataFrame):
            path = store.write_parquet(dataset, stage + _PARQUET, obj, private=private)
        elif isinstance(obj, Schema):
            path = store.write_bytes(
                dataset, stage + _SCHEMA, obj.to_json().encode("utf-8"), private=private
            )
        elif _is_model(obj):
            path = store.write_bytes(dataset, stage + _MODEL, obj.to_bytes(), private=private)
        elif isinstance(obj, dict | list):
            text = json.dumps(json_safe(obj), indent=2)
            path = store.write_bytes(dataset, stage + _JSON, text.encode("utf-8"), private=private)
        else:
            raise InvalidParameterError(
                f"asset {context.asset_key.to_user_string()} returned a {type(obj).__name__}, "
                "which GenesisIOManager cannot store; return a DataFrame, a Schema, a fitted "
                "synthesizer or a JSON-serialisable dict"
            )
        context.add_output_metadata({"path": dg.MetadataValue.path(path)})

    def load_input(self, context: dg.InputContext) -> Any:
        dataset, stage = _location(context)
        return self.load_stage(dataset, stage)

    def load_stage(self, dataset: str, stage: str) -> Any:
        """The stored value of asset ``[dataset, stage]``, as ``load_input`` gives it to an
        asset (for sensors and scripts, which have no input context)."""
        store = self.artifact_store
        for suffix in _SUFFIXES:
            if store.exists(dataset, stage + suffix):
                return self._read(dataset, stage + suffix, suffix)
        raise SourceNotFoundError(
            f"no stored value for asset {dataset}/{stage} under "
            f"{store.path_for(dataset, stage)}.*; materialize it first"
        )

    def _read(self, dataset: str, name: str, suffix: str) -> Any:
        store = self.artifact_store
        if suffix == _PARQUET:
            return store.read_parquet(dataset, name)
        if suffix == _SCHEMA:
            from genesis.schema.types import Schema

            return Schema.from_json(store.read_text(dataset, name))
        if suffix == _MODEL:
            from genesis.generators import SyntheticGenerator

            return SyntheticGenerator.from_bytes(store.read_bytes(dataset, name))
        return json.loads(store.read_text(dataset, name))
