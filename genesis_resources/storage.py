"""Artifact stores: where the chain's tables, models and reports live.

One abstract :class:`ArtifactStore`, its local-folder form :class:`LocalArtifactStore`
and its S3 form (:mod:`genesis_resources.s3`). Artifacts holding real data (``private=True``)
are created owner-only (0600) in a local folder; on S3 the bucket's policy governs access.

Artifacts are addressed by ``(dataset, name)``: ``name`` is a relative path such as
``"synthetic_dataset.parquet"`` or ``"synthetic_dataset/2024-01-01.parquet"``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import dagster as dg
from pydantic import Field

from genesis.errors import DataWriteError, InvalidParameterError, SourceNotFoundError

if TYPE_CHECKING:
    import pandas as pd


class ArtifactStore(dg.ConfigurableResource, ABC):
    """Reads and writes the artifacts of each dataset. Writes are atomic."""

    @abstractmethod
    def path_for(self, dataset: str, name: str) -> str:
        """Where the artifact ``name`` of ``dataset`` lives (a path or URI)."""

    @abstractmethod
    def exists(self, dataset: str, name: str) -> bool:
        """Whether the artifact has been written."""

    @abstractmethod
    def write_bytes(self, dataset: str, name: str, data: bytes, *, private: bool = False) -> str:
        """Write ``data`` atomically; return its path. ``private``: the artifact holds real
        data and is readable by its owner only."""

    def storage_options(self) -> dict | None:
        """fsspec ``storage_options`` that reach :meth:`path_for`'s paths (None: a local
        path), for writers that take a path rather than bytes (chunked generation)."""
        return None

    @abstractmethod
    def read_bytes(self, dataset: str, name: str) -> bytes:
        """Read an artifact; :class:`SourceNotFoundError` when it was never written."""

    def write_parquet(
        self, dataset: str, name: str, df: pd.DataFrame, *, private: bool = False
    ) -> str:
        """Write a DataFrame as Parquet atomically; return its path."""
        import io

        buffer = io.BytesIO()
        df.to_parquet(buffer, index=False)
        return self.write_bytes(dataset, name, buffer.getvalue(), private=private)

    @abstractmethod
    def read_parquet(self, dataset: str, name: str) -> pd.DataFrame:
        """Read a DataFrame written by :meth:`write_parquet`."""

    def write_text(self, dataset: str, name: str, text: str) -> str:
        """Write UTF-8 text atomically; return its path."""
        return self.write_bytes(dataset, name, text.encode("utf-8"))

    def read_text(self, dataset: str, name: str) -> str:
        """Read UTF-8 text written by :meth:`write_text`."""
        return self.read_bytes(dataset, name).decode("utf-8")


def _check_relative(dataset: str, name: str) -> PurePosixPath:
    """Reject names that would escape the store's root."""
    rel = PurePosixPath(dataset) / PurePosixPath(name)
    if not dataset or not name or rel.is_absolute() or ".." in rel.parts:
        raise InvalidParameterError(
            f"artifact ({dataset!r}, {name!r}) must be a non-empty relative path without '..'; "
            "use a dataset name and a file name such as 'synthetic_dataset.parquet'"
        )
    return rel


class LocalArtifactStore(ArtifactStore):
    """Artifacts in a local folder: ``<root>/<dataset>/<name>``."""

    root: str = Field(description="Folder holding the artifacts; created when first written.")

    def path_for(self, dataset: str, name: str) -> str:
        return str(Path(self.root) / _check_relative(dataset, name))

    def exists(self, dataset: str, name: str) -> bool:
        return Path(self.path_for(dataset, name)).is_file()

    def _prepare(self, dataset: str, name: str) -> Path:
        path = Path(self.path_for(dataset, name))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DataWriteError(
                f"cannot create folder {str(path.parent)!r} for artifacts: {exc}; "
                "check the storage root in genesis.yaml and its permissions"
            ) from None
        return path

    def write_bytes(self, dataset: str, name: str, data: bytes, *, private: bool = False) -> str:
        from genesis.io import write_bytes_atomic

        mode = 0o600 if private else 0o644
        return write_bytes_atomic(self._prepare(dataset, name), data, what="artifact", mode=mode)

    def read_bytes(self, dataset: str, name: str) -> bytes:
        path = Path(self.path_for(dataset, name))
        if not path.is_file():
            raise SourceNotFoundError(
                f"artifact {str(path)!r} does not exist; materialize the asset that writes it "
                f"({dataset}/{name}) first"
            )
        return path.read_bytes()

    def read_parquet(self, dataset: str, name: str) -> pd.DataFrame:
        import pandas as pd

        path = Path(self.path_for(dataset, name))
        if not path.is_file():
            raise SourceNotFoundError(
                f"artifact {str(path)!r} does not exist; materialize the asset that writes it "
                f"({dataset}/{name}) first"
            )
        return pd.read_parquet(path)
