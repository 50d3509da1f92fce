"""Where the API's models come from: the configured datasets and their latest fitted model.

A *locator* is a callable ``locator(dataset) -> ModelVersion | None`` naming the newest
fitted model of a dataset without loading it. ``genesis serve`` passes the one that reads
the Dagster instance (:class:`genesis_assets.model_store.DagsterModelStore`); the library
itself knows no Dagster, and its default, :class:`ArtifactModelLocator`, reads the model
file the chain's IO manager writes (``<storage root>/<dataset>/synthesis_model.model``).

:class:`ModelCache` loads each model once and keeps it; it asks the locator again at most
every ``check_seconds`` and reloads when the version changed (a newer materialization).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from genesis.errors import (
    ConfigError,
    GenesisError,
    ModelNotMaterializedError,
    ModelUnavailableError,
    UnknownDatasetError,
)

logger = logging.getLogger("genesis.api")

#: the file name the chain's IO manager gives a dataset's fitted model
MODEL_FILE = "synthesis_model.model"


@dataclass(frozen=True)
class ModelVersion:
    """The newest fitted model of a dataset, named but not loaded.

    ``version`` changes whenever a newer model is materialized; ``load()`` returns the fitted
    :class:`~genesis.generators.SyntheticGenerator`; ``details`` holds what a person looks
    for (method, run id, MLflow model URI...), never data.
    """

    dataset: str
    version: str
    load: Callable[[], Any] = field(repr=False, compare=False)
    materialized_at: float | None = None
    source: str = "file"
    details: dict[str, Any] = field(default_factory=dict, compare=False)


ModelLocator = Callable[[str], "ModelVersion | None"]


@dataclass(frozen=True)
class DatasetEntry:
    """A dataset of ``genesis.yaml`` as the API lists it."""

    name: str
    target: str | None = None
    method: str | None = None
    relational: bool = False


@dataclass(frozen=True)
class Catalog:
    """The datasets configured in ``genesis.yaml`` and its (local) storage root."""

    datasets: tuple[DatasetEntry, ...]
    storage_root: Path | None = None

    @property
    def names(self) -> list[str]:
        return [d.name for d in self.datasets]

    def entry(self, name: str) -> DatasetEntry:
        """The entry called ``name``, or :class:`UnknownDatasetError` naming the others."""
        for entry in self.datasets:
            if entry.name == name:
                return entry
        raise UnknownDatasetError(
            f"dataset {name!r} is not configured on this server",
            f"use one of {self.names} (GET /v1/datasets lists them), or add it to genesis.yaml "
            "and materialize its chain",
        )


def read_catalog(config_path: str | os.PathLike[str]) -> Catalog:
    """The dataset names (with target and method) and storage root of a ``genesis.yaml``.

    Only what the API needs is read here; ``genesis serve`` validates the whole file with
    :func:`genesis_assets.config.load_config` first.
    """
    path = Path(config_path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(
            f"configuration file {str(path)!r} does not exist; pass --config with the "
            "genesis.yaml that lists your datasets"
        ) from None
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read {str(path)!r}: {exc}; fix the file") from None
    raw = document.get("datasets") if isinstance(document, dict) else None
    if not isinstance(raw, list) or not all(isinstance(d, dict) and d.get("name") for d in raw):
        raise ConfigError(
            f"{str(path)!r} has no 'datasets' list of entries with a 'name'; see genesis.yaml "
            "in the project for the format"
        )
    entries = tuple(
        DatasetEntry(
            name=str(d["name"]),
            target=d.get("target"),
            method=d.get("method", "auto"),
            relational=bool(d.get("tables")),
        )
        for d in raw
    )
    storage = document.get("storage") or {}
    root = None
    if storage.get("kind", "local") == "local":
        text = os.path.expanduser(
            os.path.expandvars(str(storage.get("root", ".genesis/artifacts")))
        )
        root = Path(text) if Path(text).is_absolute() else path.resolve().parent / text
    return Catalog(entries, root)


class ArtifactModelLocator:
    """The model file ``<root>/<dataset>/synthesis_model.model``; its version is the file's
    modification time and size, so a newer materialization is seen as a new version."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def __call__(self, dataset: str) -> ModelVersion | None:
        path = self.root / dataset / MODEL_FILE
        try:
            stat = path.stat()
        except OSError:
            return None

        def load() -> Any:
            from genesis.generators import SyntheticGenerator

            return SyntheticGenerator.load(path)

        return ModelVersion(
            dataset=dataset,
            version=f"{stat.st_mtime_ns}-{stat.st_size}",
            load=load,
            materialized_at=stat.st_mtime,
            source="file",
        )


@dataclass
class _Slot:
    version: ModelVersion | None = None
    model: Any = None
    checked: float = float("-inf")
    lock: threading.Lock = field(default_factory=threading.Lock)


class ModelCache:
    """Fitted models by dataset, loaded once and reloaded when a newer version appears."""

    def __init__(
        self,
        catalog: Catalog,
        locator: ModelLocator,
        check_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.catalog = catalog
        self.locator = locator
        self.check_seconds = check_seconds
        self._clock = clock
        self._slots = {name: _Slot() for name in catalog.names}

    def get(self, dataset: str) -> tuple[Any, ModelVersion]:
        """The fitted model of ``dataset`` and its version.

        Raises:
            UnknownDatasetError: ``dataset`` is not configured.
            ModelUnavailableError: no model of it is materialized, or it cannot be loaded.
        """
        entry = self.catalog.entry(dataset)
        slot = self._slots[entry.name]
        with slot.lock:  # one load per dataset at a time; others wait for it
            now = self._clock()
            if slot.model is None or now - slot.checked >= self.check_seconds:
                try:
                    latest = self._locate(entry)
                except ModelUnavailableError:
                    if slot.model is None:
                        raise
                    # the store is unreachable for now: keep serving the model in memory
                    logger.warning(
                        "model store of %s unreachable; serving the cached model", dataset
                    )
                    latest = slot.version
                slot.checked = now
                if latest is None:
                    slot.version, slot.model = None, None
                elif slot.version is None or latest.version != slot.version.version:
                    slot.model = self._load(latest)
                    slot.version = latest
            if slot.model is None:
                raise self._missing(entry)
            return slot.model, slot.version

    def loaded(self) -> int:
        """How many models are in memory."""
        return sum(slot.model is not None for slot in self._slots.values())

    def _locate(self, entry: DatasetEntry) -> ModelVersion | None:
        try:
            return self.locator(entry.name)
        except GenesisError:
            raise
        except Exception as exc:
            raise ModelUnavailableError(
                f"the model store of dataset {entry.name!r} could not be read "
                f"({type(exc).__name__})",
                "check that the server can open the Dagster instance ($DAGSTER_HOME) and the "
                "artifact storage of genesis.yaml",
            ) from exc

    def _load(self, version: ModelVersion) -> Any:
        try:
            return version.load()
        except Exception as exc:
            raise ModelUnavailableError(
                f"the model {version.version!r} of dataset {version.dataset!r} could not be "
                f"loaded ({type(exc).__name__})",
                f"re-materialize {version.dataset}/synthesis_model with this version of Genesis",
            ) from exc

    @staticmethod
    def _missing(entry: DatasetEntry) -> ModelUnavailableError:
        if entry.relational:
            return ModelNotMaterializedError(
                f"dataset {entry.name!r} is a set of linked tables, which this API does not "
                "serve yet",
                "generate it with `genesis generate DIR` or its Dagster chain",
            )
        return ModelNotMaterializedError(
            f"dataset {entry.name!r} has no fitted model yet",
            f"materialize {entry.name}/synthesis_model first (make demo, or "
            f"`dagster asset materialize -m genesis_assets.definitions --select "
            f"'{entry.name}/synthesis_model+'`)",
        )


__all__ = [
    "MODEL_FILE",
    "ArtifactModelLocator",
    "Catalog",
    "DatasetEntry",
    "ModelCache",
    "ModelLocator",
    "ModelVersion",
    "read_catalog",
]
