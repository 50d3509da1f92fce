"""The models the REST API serves: each dataset's latest materialized ``synthesis_model``.

:class:`DagsterModelStore` is the locator ``genesis serve`` hands to
:func:`genesis.api.create_app`: it reads the latest materialization event of
``[dataset, "synthesis_model"]`` in the Dagster instance (``$DAGSTER_HOME``) and loads the
model through the chain's own IO manager, from whatever artifact storage ``genesis.yaml``
configures (a local folder or S3). The run id of the materialization is the version: a newer
materialization is a new version, which the API's cache then loads.
"""

from __future__ import annotations

import contextlib
import os
import threading
from typing import Any

import dagster as dg

from genesis.api.models import ModelVersion
from genesis.jsonsafe import json_safe
from genesis_assets.config import GenesisConfig, load_config
from genesis_assets.resources import artifact_store
from genesis_resources import GenesisIOManager

#: the materialization metadata copied into a model's details (figures, never data)
DETAIL_KEYS = (
    "method",
    "selected_method",
    "fit_seconds",
    "training_rows",
    "model_uri",
    "registered_model_version",
    "mlflow_run_id",
)


class DagsterModelStore:
    """``store(dataset) -> ModelVersion | None``: the latest ``synthesis_model`` of a dataset
    in ``instance`` (None when it was never materialized there)."""

    def __init__(self, config: GenesisConfig, instance: dg.DagsterInstance) -> None:
        self.config = config
        self.instance = instance
        self.io_manager = GenesisIOManager(artifact_store=artifact_store(config))
        self._lock = threading.Lock()  # one instance query at a time

    def __call__(self, dataset: str) -> ModelVersion | None:
        key = dg.AssetKey([dataset, "synthesis_model"])
        with self._lock:
            event = self.instance.get_latest_materialization_event(key)
        if event is None or event.asset_materialization is None:
            return None
        metadata = {k: v.value for k, v in event.asset_materialization.metadata.items()}
        details: dict[str, Any] = {"run_id": event.run_id}
        details.update(
            json_safe({k: metadata[k] for k in DETAIL_KEYS if metadata.get(k) not in (None, "")})
        )

        def load() -> Any:
            return self.io_manager.load_stage(dataset, "synthesis_model")

        return ModelVersion(
            dataset=dataset,
            version=event.run_id,
            load=load,
            materialized_at=event.timestamp,
            source="dagster",
            details=details,
        )


def open_model_store(
    config_path: str | os.PathLike[str], stack: contextlib.ExitStack
) -> DagsterModelStore:
    """The store over the instance of ``$DAGSTER_HOME`` and the validated ``config_path``;
    the instance is closed when ``stack`` closes (``genesis serve`` holds it while serving)."""
    config = load_config(config_path)
    instance = stack.enter_context(dg.DagsterInstance.get())
    return DagsterModelStore(config, instance)


__all__ = ["DETAIL_KEYS", "DagsterModelStore", "open_model_store"]
