"""Notes on commits and files beside the table: what a repository keeps besides versions."""

from __future__ import annotations

from typing import Any

from genesis.errors import InvalidParameterError, SourceNotFoundError
from genesis.versioning.catalog import NAMESPACE, NOTE_PREFIX


class NotesAndFiles:
    """Mixin of :class:`~genesis.versioning.DatasetRepository`: ``git notes``-like notes on
    commits (Iceberg snapshot summaries are immutable, so they live in table properties) and
    files stored beside the table through its own FileIO (lineage chains)."""

    catalog: Any
    name: str

    def set_note(self, ref: Any, key: str, value: str) -> None:
        """Attach ``key = value`` to a commit after the fact (like ``git notes``): snapshot
        summaries are immutable, so notes live in the table's properties."""
        if not isinstance(key, str) or not key or not isinstance(value, str):
            raise InvalidParameterError("a note needs a non-empty text key and a text value")

        def write() -> None:
            table = self._table()
            sid = self._resolve(table, ref)
            table.transaction().set_properties(
                {f"{NOTE_PREFIX}{sid}.{key}": value}
            ).commit_transaction()

        self._retry(write, f"writing note {key!r}")

    def notes(self, ref: Any = None) -> dict[str, str]:
        """The notes attached to a commit (default HEAD)."""
        table = self._table()
        prefix = f"{NOTE_PREFIX}{self._resolve(table, ref)}."
        return {k[len(prefix) :]: v for k, v in table.properties.items() if k.startswith(prefix)}

    def write_file(self, name: str, data: bytes) -> str:
        """Store a file beside the table (``<table location>/<name>``, e.g. a lineage chain)
        through the table's own FileIO, so it lands wherever the warehouse is; return its path."""
        if not name or name.startswith("/") or ".." in name.split("/"):
            raise InvalidParameterError(
                f"file name {name!r} must be a relative path without '..'; e.g. 'lineage/x.json'"
            )
        path = f"{self._base_location()}/{name}"
        with self._file_io(path).new_output(path).create(overwrite=True) as handle:
            handle.write(data)
        return path

    def _base_location(self) -> str:
        table = self._load_table()
        if table is not None:
            return table.location().rstrip("/")
        # before the first commit: where the catalog will put the table
        return f"{self.catalog.properties['warehouse'].rstrip('/')}/{NAMESPACE}/{self.name}"

    def _file_io(self, location: str) -> Any:
        from pyiceberg.io import load_file_io

        return load_file_io(dict(self.catalog.properties), location)

    def read_file(self, path: str) -> bytes:
        """Read a file written by :meth:`write_file` (its full path)."""
        source = self._file_io(path).new_input(path)
        if not source.exists():
            raise SourceNotFoundError(f"{path} does not exist in the warehouse of {self.name!r}")
        with source.open() as handle:
            return handle.read()
