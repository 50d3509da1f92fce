"""MLflow tracking and model registry for the chain: every AutoML trial a run, the winner a
registered model version.

Embedded default: a SQLite tracking and registry store in the project folder
(``<project>/.genesis/mlflow.db``) with artifacts beside it (``.genesis/mlartifacts``); browse
it with ``mlflow ui --backend-store-uri sqlite:///.genesis/mlflow.db``. At scale, set
``tracking_uri`` to an MLflow server (``http://mlflow:5000``); credentials come through
``dg.EnvVar`` (``MLflowResource(tracking_uri=..., tracking_token=dg.EnvVar("MLFLOW_TRACKING_TOKEN"))``),
never written into code or YAML.

MLflow takes about two seconds to import, so it is imported only when a run starts.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg
from pydantic import Field

from genesis.jsonsafe import finite

#: environment variables MLflow reads its server credentials from
_CREDENTIAL_VARIABLES = {
    "tracking_username": "MLFLOW_TRACKING_USERNAME",
    "tracking_password": "MLFLOW_TRACKING_PASSWORD",
    "tracking_token": "MLFLOW_TRACKING_TOKEN",
}


@dataclass
class MLflowTracker:
    """One parent run: log AutoML trials as nested runs, then the winning model."""

    parent_run_id: str
    experiment_id: str
    registered_model: str
    trial_run_ids: list[str] = field(default_factory=list)
    model_version: int | None = None
    model_uri: str | None = None

    def log_trial(self, trial: dict[str, Any]) -> None:
        """Log one leaderboard row as a run nested under the parent (``on_trial`` callback)."""
        import mlflow

        params = trial.get("params") or {}
        name = f"{trial.get('method')} " + " ".join(f"{k}={v}" for k, v in params.items())
        with mlflow.start_run(
            run_name=name.strip(), nested=True, experiment_id=self.experiment_id
        ) as run:
            mlflow.log_params({"method": trial.get("method"), **params})
            mlflow.log_metrics(_metrics(trial))
            mlflow.set_tags(
                {
                    "genesis.status": str(trial.get("status")),
                    "genesis.reason": str(trial.get("reason") or "")[:5000],
                    "genesis.trial": str(trial.get("trial")),
                }
            )
            self.trial_run_ids.append(run.info.run_id)

    def log_model(self, model: Any) -> int | None:
        """Log ``model`` as a pyfunc model in the parent run and register a new version."""
        from genesis.mlflow_model import log_synthesizer

        info = log_synthesizer(model, registered_model_name=self.registered_model)
        self.model_uri = info.model_uri
        version = getattr(info, "registered_model_version", None)
        self.model_version = int(version) if version is not None else None
        return self.model_version


def _metrics(trial: dict[str, Any]) -> dict[str, float]:
    names = (
        "score",
        "overall_score",
        "quality_score",
        "detection_auc",
        "privacy_score",
        "dcr_ratio",
        "exact_copy_share",
        "fit_seconds",
        "score_seconds",
        "probe_seconds",
        "estimated_seconds",
    )
    values = {name: finite(trial.get(name)) for name in names}
    return {name: value for name, value in values.items() if value is not None}


class MLflowResource(dg.ConfigurableResource):
    """Where MLflow runs and registered models go.

    Leave ``tracking_uri`` empty for the embedded SQLite store under ``local_dir``; set it to
    an MLflow server's URL at scale (and ``registry_uri`` if the registry lives elsewhere).
    """

    tracking_uri: str | None = Field(
        None,
        description="MLflow tracking URI (http://host:5000, sqlite:///path.db). Empty: "
        "sqlite:///<local_dir>/mlflow.db.",
    )
    registry_uri: str | None = Field(
        None, description="Model registry URI. Empty: the tracking URI."
    )
    local_dir: str = Field(
        ".genesis",
        description="Folder of the embedded store (mlflow.db, mlartifacts/), relative to the "
        "working directory unless absolute.",
    )
    experiment_name: str = Field("genesis", description="Experiment holding the runs.")
    model_name_prefix: str = Field(
        "genesis-", description="Registered model name = prefix + dataset name."
    )
    tracking_username: str | None = Field(None, description="Server user, via dg.EnvVar.")
    tracking_password: str | None = Field(None, description="Server password, via dg.EnvVar.")
    tracking_token: str | None = Field(None, description="Server bearer token, via dg.EnvVar.")

    def resolved_tracking_uri(self) -> str:
        """The tracking URI in use (the embedded SQLite store when none is configured)."""
        if self.tracking_uri:
            return self.tracking_uri
        return f"sqlite:///{self._local_dir() / 'mlflow.db'}"

    def resolved_registry_uri(self) -> str:
        """The registry URI in use."""
        return self.registry_uri or self.resolved_tracking_uri()

    def artifact_location(self) -> str | None:
        """Where new experiments keep artifacts: beside the embedded store; the server's own
        default otherwise."""
        if self.tracking_uri:
            return None
        return (self._local_dir() / "mlartifacts").as_uri()

    def registered_model_name(self, dataset: str) -> str:
        """``genesis-<dataset>`` (with the configured prefix)."""
        return f"{self.model_name_prefix}{dataset}"

    def _local_dir(self) -> Path:
        return Path(self.local_dir).expanduser().resolve()

    def _configure(self) -> str:
        """Point MLflow at the configured stores and credentials; returns the experiment id."""
        import mlflow

        for name, variable in _CREDENTIAL_VARIABLES.items():
            value = getattr(self, name)
            if value:
                os.environ[variable] = value
        if not self.tracking_uri:
            self._local_dir().mkdir(parents=True, exist_ok=True)
        with _environment_kept("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI"):
            mlflow.set_tracking_uri(self.resolved_tracking_uri())
            mlflow.set_registry_uri(self.resolved_registry_uri())
        client = mlflow.MlflowClient()
        experiment = client.get_experiment_by_name(self.experiment_name)
        if experiment is not None:
            return experiment.experiment_id
        return client.create_experiment(
            self.experiment_name, artifact_location=self.artifact_location()
        )

    @contextlib.contextmanager
    def start_run(
        self, dataset: str, *, run_name: str | None = None, tags: dict[str, str] | None = None
    ) -> Iterator[MLflowTracker]:
        """A parent run for one materialization of ``dataset``; yields an :class:`MLflowTracker`.

        The run ends (FINISHED, or FAILED when the block raises) when the block exits.
        """
        import mlflow

        experiment_id = self._configure()
        with mlflow.start_run(
            experiment_id=experiment_id,
            run_name=run_name or f"{dataset} synthesis_model",
            tags={"genesis.dataset": dataset, **(tags or {})},
        ) as run:
            yield MLflowTracker(
                parent_run_id=run.info.run_id,
                experiment_id=experiment_id,
                registered_model=self.registered_model_name(dataset),
            )

    def log_params(self, params: dict[str, Any]) -> None:
        """Log parameters to the active run (values stringified by MLflow)."""
        import mlflow

        mlflow.log_params(params)

    def log_metrics(self, metrics: dict[str, Any]) -> None:
        """Log the finite numeric values of ``metrics`` to the active run."""
        import mlflow

        values = {k: finite(v) for k, v in metrics.items()}
        mlflow.log_metrics({k: v for k, v in values.items() if v is not None})

    def log_text(self, text: str, artifact_file: str) -> None:
        """Log ``text`` as an artifact of the active run (e.g. the leaderboard as CSV)."""
        import mlflow

        mlflow.log_text(text, artifact_file)


@contextlib.contextmanager
def _environment_kept(*names: str) -> Iterator[None]:
    """Undo what the block writes to these environment variables.

    ``mlflow.set_tracking_uri`` also exports ``MLFLOW_TRACKING_URI`` (for subprocesses). Left
    set, it reads as a server the user configured: every later resource in the process, of
    any project, would then use this project's embedded store instead of its own."""
    saved = {name: os.environ.get(name) for name in names}
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
