"""Where chunked output lives: a local folder or an fsspec URL (``s3://bucket/path``).

Every object is written whole: a local file goes to a temporary name in its folder and is
renamed into place (:func:`genesis.io.write_bytes_atomic`), a remote object is sent in one
PUT of the finished bytes, which object stores apply atomically. A reader therefore sees a
chunk file complete or not at all; a killed writer leaves at most a hidden ``.*.tmp`` file,
which :meth:`ChunkStore.leftovers` finds and the next run removes.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
from pathlib import Path
from typing import Any

import pandas as pd

from genesis.errors import DataWriteError, DestinationUnreachableError
from genesis.io.formats import first_line
from genesis.io.urls import is_remote_url, redact_url


def parquet_bytes(frame: pd.DataFrame, schema: Any = None, arrow_schema: Any = None) -> bytes:
    """``frame`` as Parquet bytes, the same bytes for the same rows in any process.

    Columns get the source's types back (:func:`genesis.schema.restore_types`) as in
    :func:`genesis.io.write_table`. pyarrow writes no timestamp into a file (the footer
    holds the schema, the statistics and ``created_by``, the writer's version), so equal
    rows and library versions give equal bytes. With ``arrow_schema`` (an Iceberg table's),
    the table is converted as :func:`genesis.versioning.catalog.to_arrow` does and cast to it.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from genesis.io.write import parquet_ready

    if schema is not None:
        from genesis.schema.logical import restore_types

        frame = restore_types(frame, schema)
    if arrow_schema is None:
        table = pa.Table.from_pandas(parquet_ready(frame), preserve_index=False)
    else:
        from genesis.versioning.catalog import to_arrow

        table = to_arrow(parquet_ready(frame)).cast(arrow_schema)
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def sha256(data: bytes) -> str:
    """The hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


class ChunkStore:
    """The objects of one destination folder (local path or fsspec URL), by file name."""

    def __init__(self, destination: str | os.PathLike[str], storage_options: dict | None = None):
        self.destination = os.fspath(destination)
        self.remote = is_remote_url(self.destination)
        self.storage_options = dict(storage_options or {})
        if self.remote:
            import fsspec

            try:
                self.fs, self.root = fsspec.core.url_to_fs(self.destination, **self.storage_options)
            except Exception as exc:
                raise DestinationUnreachableError(
                    f"cannot open {redact_url(self.destination)!r} ({first_line(exc)}); check the "
                    "URL scheme is installed (s3fs for s3://) and the storage_options"
                ) from None
            self.root = self.root.rstrip("/")
        else:
            self.fs = None
            self.root = str(Path(self.destination.removeprefix("file://")))

    # -- naming -----------------------------------------------------------------------------
    def where(self, name: str) -> str:
        """The path or URL of the object ``name`` (what a reader opens)."""
        if self.remote:
            return f"{self.destination.rstrip('/')}/{name}"
        return str(Path(self.root) / name)

    def _key(self, name: str) -> str:
        return f"{self.root}/{name}"

    def shown(self) -> str:
        """The destination as error messages show it (no password)."""
        return redact_url(self.destination) if self.remote else self.destination

    # -- access ------------------------------------------------------------------------------
    def check_reachable(self) -> None:
        """Raise :class:`DestinationUnreachableError` unless the destination can be listed
        (its bucket exists and the credentials are accepted); a local folder is created."""
        if not self.remote:
            try:
                Path(self.root).mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DataWriteError(
                    f"cannot create the folder {self.root!r}: {exc}; choose a writable path"
                ) from None
            return
        bucket = self.root.split("/", 1)[0]
        try:  # info, not exists: exists answers False when the server cannot be reached
            self.fs.info(bucket)
        except FileNotFoundError:
            raise DestinationUnreachableError(
                f"the bucket {bucket!r} of {self.shown()!r} does not exist or is not visible with "
                "these credentials; create it or fix the storage_options"
            ) from None
        except Exception as exc:
            raise DestinationUnreachableError(
                f"cannot reach {self.shown()!r} ({first_line(exc)}); check the endpoint, the "
                "network and the storage_options credentials"
            ) from None

    def names(self) -> list[str]:
        """Names of the objects directly in the destination (empty when it does not exist)."""
        if not self.remote:
            folder = Path(self.root)
            return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
        try:
            self.fs.invalidate_cache(self.root)
            entries = self.fs.ls(self.root, detail=False)
        except FileNotFoundError:
            return []
        except Exception as exc:
            raise DestinationUnreachableError(
                f"cannot list {self.shown()!r} ({first_line(exc)}); check the endpoint and the "
                "storage_options credentials"
            ) from None
        return sorted(str(e).rstrip("/").rsplit("/", 1)[-1] for e in entries)

    def put(self, name: str, data: bytes) -> str:
        """Write ``data`` as ``name`` atomically; returns its path or URL."""
        if not self.remote:
            from genesis.io import write_bytes_atomic

            return write_bytes_atomic(Path(self.root) / name, data, what=f"chunk file {name}")
        try:
            self.fs.pipe_file(self._key(name), data)
        except Exception as exc:
            raise DataWriteError(
                f"cannot upload {name} to {self.shown()!r} ({first_line(exc)}); check the "
                "bucket, the path and the storage_options credentials"
            ) from None
        return self.where(name)

    def get(self, name: str) -> bytes | None:
        """The bytes of ``name``, or None when it does not exist."""
        try:
            if not self.remote:
                return (Path(self.root) / name).read_bytes()
            return self.fs.cat_file(self._key(name))
        except FileNotFoundError:
            return None

    def size(self, name: str) -> int | None:
        """The size in bytes of ``name``, or None when it does not exist."""
        try:
            if not self.remote:
                return (Path(self.root) / name).stat().st_size
            return int(self.fs.info(self._key(name))["size"])
        except FileNotFoundError:
            return None

    def parquet_rows(self, name: str) -> int | None:
        """Rows of the Parquet object ``name`` (its footer only), None when missing or
        unreadable."""
        import pyarrow.parquet as pq

        try:
            if not self.remote:
                return pq.read_metadata(Path(self.root) / name).num_rows
            with self.fs.open(self._key(name), "rb") as handle:
                return pq.read_metadata(handle).num_rows
        except FileNotFoundError:
            return None
        except Exception:  # a truncated or foreign file counts as missing: regenerate it
            return None

    def remove(self, name: str) -> None:
        """Delete ``name`` if it exists."""
        if not self.remote:
            (Path(self.root) / name).unlink(missing_ok=True)
            return
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm_file(self._key(name))

    def leftovers(self) -> list[str]:
        """Temporary files a killed local writer left (``.<name>.<random>.tmp``)."""
        return [n for n in self.names() if n.startswith(".") and n.endswith(".tmp")]


__all__ = ["ChunkStore", "parquet_bytes", "sha256"]
