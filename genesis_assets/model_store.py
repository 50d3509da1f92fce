"""The models the REST API serves: each dataset's latest materialized ``synthesis_model``,
else its latest version in the MLflow model registry.

:class:`DagsterModelStore` is the locator ``genesis serve`` hands to
:func:`genesis.api.create_app`: it reads the latest materialization event of
``[dataset, "synthesis_model"]`` in the Dagster instance (``$DAGSTER_HOME``) and loads the
model through the chain's own IO manager, from whatever artifact storage ``genesis.yaml``
configures (a local folder or S3). The run id of the materialization is the version: a newer
materialization is a new version, which the API's cache then loads. A dataset this instance
never materialized is looked up in the registry the chain registers models in
(:class:`RegisteredModels`: ``genesis-<dataset>``, MLflow as ``genesis_resources`` configures
it), so a server can start from a fresh instance next to a shared MLflow server.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dagster as dg

from genesis.api.models import ModelVersion
from genesis.jsonsafe import json_safe
from genesis_assets.config import GenesisConfig, load_config
from genesis_assets.resources import artifact_store, mlflow_resource
from genesis_resources import GenesisIOManager, MLflowResource

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

    def __init__(
        self,
        config: GenesisConfig,
        instance: dg.DagsterInstance,
        registry: Callable[[str], ModelVersion | None] | None = None,
    ) -> None:
        self.config = config
        self.instance = instance
        self.registry = registry
        self.io_manager = GenesisIOManager(artifact_store=artifact_store(config))
        self._lock = threading.Lock()  # one instance query at a time

    def __call__(self, dataset: str) -> ModelVersion | None:
        key = dg.AssetKey([dataset, "synthesis_model"])
        with self._lock:
            event = self.instance.get_latest_materialization_event(key)
        if event is None or event.asset_materialization is None:
            return self.registry(dataset) if self.registry is not None else None
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


class RegisteredModels:
    """``models(dataset) -> ModelVersion | None``: the latest registered version of
    ``genesis-<dataset>`` in the MLflow registry of ``resource`` (None when there is none, or
    when the embedded store was never created)."""

    def __init__(self, resource: MLflowResource) -> None:
        self.resource = resource

    def _client(self):
        import mlflow

        return mlflow.MlflowClient(
            tracking_uri=self.resource.resolved_tracking_uri(),
            registry_uri=self.resource.resolved_registry_uri(),
        )

    def __call__(self, dataset: str) -> ModelVersion | None:
        embedded = Path(self.resource.local_dir).expanduser().resolve() / "mlflow.db"
        if not self.resource.tracking_uri and not embedded.is_file():
            return None  # never create the embedded store just to find it empty
        from mlflow.exceptions import MlflowException

        name = self.resource.registered_model_name(dataset)
        client = self._client()
        try:
            versions = client.search_model_versions(f"name='{name}'")
        except MlflowException:
            return None
        if not versions:
            return None
        latest = max(versions, key=lambda v: int(v.version))

        def load() -> Any:
            import mlflow

            source = client.get_model_version_download_uri(name, latest.version)
            with tempfile.TemporaryDirectory(prefix="genesis-registry-") as folder:
                local = mlflow.artifacts.download_artifacts(artifact_uri=source, dst_path=folder)
                return mlflow.pyfunc.load_model(local).unwrap_python_model().generator

        return ModelVersion(
            dataset=dataset,
            version=f"mlflow:{name}/{latest.version}",
            load=load,
            materialized_at=(latest.creation_timestamp or 0) / 1000 or None,
            source="mlflow",
            details={
                "model_uri": f"models:/{name}/{latest.version}",
                "registered_model_version": int(latest.version),
                "run_id": latest.run_id,
            },
        )


def open_model_store(
    config_path: str | os.PathLike[str], stack: contextlib.ExitStack
) -> DagsterModelStore:
    """The store over the instance of ``$DAGSTER_HOME`` and the validated ``config_path``,
    falling back to the MLflow registry; the instance is closed when ``stack`` closes
    (``genesis serve`` holds it while serving)."""
    config = load_config(config_path)
    instance = stack.enter_context(dg.DagsterInstance.get())
    return DagsterModelStore(config, instance, RegisteredModels(mlflow_resource(config)))


__all__ = ["DETAIL_KEYS", "DagsterModelStore", "RegisteredModels", "open_model_store"]
