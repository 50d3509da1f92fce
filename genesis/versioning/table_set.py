"""Several tables versioned together: one set id for one snapshot of each table.

Apache Iceberg commits one table at a time: separate tables cannot share one atomic
snapshot. A set of related tables (a relational dataset's parents and children) is
versioned in three steps:

1. each table is committed to its own :class:`~genesis.versioning.DatasetRepository`
   (one Iceberg snapshot each; an unchanged table keeps its head snapshot), every commit
   carrying the set's name and table list in its metadata;
2. the set id is derived from the snapshot ids (a content address: the same snapshots give
   the same id) and attached to every snapshot as the note ``table_set``;
3. the **set manifest**, a JSON file listing each table's snapshot id under the set id, is
   written last, atomically, as ``<set_id>.json`` and then as ``latest.json`` in the set's
   folder of the warehouse (``<warehouse>/genesis/<name>__sets/``).

A reader that goes through the manifest (:func:`read_table_set`, :func:`load_table_set`)
therefore always sees a complete set: when a commit fails halfway, no manifest names its
snapshots and ``latest.json`` still names the previous complete set, while the tables
already committed only advanced their own branch heads.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from genesis.errors import InvalidParameterError, SourceNotFoundError
from genesis.versioning.catalog import NAMESPACE
from genesis.versioning.repository import DatasetRepository

#: note attached to every snapshot of a set, naming the (latest) set holding it
SET_NOTE = "table_set"
#: the manifest of the latest complete set, in the set's folder
LATEST = "latest.json"
#: ``DataFrame.attrs`` keys of a table loaded through a set
SET_ATTR, SNAPSHOT_ATTR = "set_id", "snapshot_id"


@dataclass(frozen=True)
class TableSetCommit:
    """One version of a set of tables: each table's snapshot id under one ``set_id``."""

    set_id: str
    name: str
    snapshots: dict[str, str]
    message: str
    timestamp: str
    metadata: dict[str, Any] = field(default_factory=dict)
    created: dict[str, bool] = field(default_factory=dict)
    manifest: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The manifest's content (what :func:`read_table_set` reads back)."""
        return {
            "set_id": self.set_id,
            "name": self.name,
            "snapshots": dict(self.snapshots),
            "message": self.message,
            "timestamp": self.timestamp,
            "metadata": dict(self.metadata),
            "created": dict(self.created),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], manifest: str = "") -> TableSetCommit:
        return cls(
            set_id=str(data["set_id"]),
            name=str(data["name"]),
            snapshots={str(k): str(v) for k, v in dict(data["snapshots"]).items()},
            message=str(data.get("message", "")),
            timestamp=str(data.get("timestamp", "")),
            metadata=dict(data.get("metadata") or {}),
            created={str(k): bool(v) for k, v in dict(data.get("created") or {}).items()},
            manifest=manifest,
        )


def set_id_of(name: str, snapshots: Mapping[str, str]) -> str:
    """The set id of ``snapshots`` (table -> snapshot id): a hash of the name and the ids,
    so committing the same tables twice names the same set."""
    text = json.dumps({"name": name, "snapshots": dict(sorted(snapshots.items()))})
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def commit_table_set(
    repositories: Mapping[str, DatasetRepository],
    tables: Mapping[str, pd.DataFrame],
    message: str,
    metadata: dict[str, Any] | None = None,
    *,
    name: str,
) -> TableSetCommit:
    """Commit every table of ``tables`` to its repository and record them as one set.

    Args:
        repositories: table name -> its repository, checked out on the branch to commit to.
        tables: table name -> rows; the same names as ``repositories``.
        message: the commit message of every table's snapshot and of the set.
        metadata: JSON values copied into every snapshot's metadata and the manifest.
        name: the set's name (letters, digits, '_'): its manifests live in
            ``<warehouse>/genesis/<name>__sets/``.

    Returns:
        the set: its id, each table's snapshot id and whether it is new, the manifest path.

    Raises:
        InvalidParameterError: the tables and repositories differ, or no table is given.
    """
    _check_name(name)
    if not tables:
        raise InvalidParameterError("commit_table_set needs at least one table; pass {name: df}")
    if set(tables) != set(repositories):
        raise InvalidParameterError(
            f"tables {sorted(tables)} and repositories {sorted(repositories)} must name the "
            "same tables; pass one repository per table"
        )
    shared = {**(metadata or {}), "table_set": name, "set_tables": sorted(tables)}
    commits = {t: repositories[t].commit(tables[t], message, shared) for t in sorted(tables)}
    snapshots = {t: c.hash for t, c in commits.items()}
    set_id = set_id_of(name, snapshots)
    for table, commit in commits.items():
        repositories[table].set_note(commit.hash, SET_NOTE, set_id)
    result = TableSetCommit(
        set_id=set_id,
        name=name,
        snapshots=snapshots,
        message=message,
        timestamp=datetime.now(tz=UTC).isoformat(timespec="seconds"),
        metadata=dict(metadata or {}),
        created={t: c.created for t, c in commits.items()},
    )
    folder = _set_folder(next(iter(repositories.values())), name)
    payload = json.dumps(result.to_dict(), indent=2, sort_keys=True).encode("utf-8")
    path = f"{folder}/{set_id}.json"
    first = next(iter(repositories.values()))
    _write(first, path, payload)  # the set's own manifest, then the pointer readers follow
    _write(first, f"{folder}/{LATEST}", payload)
    return TableSetCommit.from_dict(result.to_dict(), manifest=path)


def read_table_set(
    repository: DatasetRepository, name: str, set_id: str | None = None
) -> TableSetCommit:
    """The manifest of set ``set_id`` (default: the latest complete set) of ``name``;
    ``repository`` is any repository on the same catalog (it locates the warehouse)."""
    _check_name(name)
    folder = _set_folder(repository, name)
    path = f"{folder}/{LATEST if set_id is None else f'{set_id}.json'}"
    data = _read(repository, path)
    if data is None:
        what = "no set has been committed" if set_id is None else f"set {set_id!r} does not exist"
        raise SourceNotFoundError(
            f"{what} for {name!r} ({path}); commit one with commit_table_set, or list the "
            "sets in that folder"
        )
    content = json.loads(data)
    return TableSetCommit.from_dict(content, manifest=f"{folder}/{content['set_id']}.json")


def load_table_set(
    repositories: Mapping[str, DatasetRepository], name: str, set_id: str | None = None
) -> dict[str, pd.DataFrame]:
    """Every table of a set (default: the latest complete one) at its snapshot, each with
    ``attrs["set_id"]`` and ``attrs["snapshot_id"]``."""
    if not repositories:
        raise InvalidParameterError("load_table_set needs the repositories of the set's tables")
    found = read_table_set(next(iter(repositories.values())), name, set_id)
    missing = sorted(set(found.snapshots) - set(repositories))
    if missing:
        raise InvalidParameterError(
            f"set {found.set_id} of {name!r} holds {missing} too; pass their repositories"
        )
    out = {}
    for table, snapshot in found.snapshots.items():
        frame = repositories[table].load(snapshot)
        frame.attrs[SET_ATTR], frame.attrs[SNAPSHOT_ATTR] = found.set_id, snapshot
        out[table] = frame
    return out


def _check_name(name: Any) -> None:
    if not isinstance(name, str) or not name or not name.replace("_", "a").isalnum():
        raise InvalidParameterError(
            f"table set name {name!r} must hold only letters, digits and '_'; rename it"
        )


def _set_folder(repository: DatasetRepository, name: str) -> str:
    warehouse = str(repository.catalog.properties.get("warehouse") or "").rstrip("/")
    if not warehouse:  # a catalog without a default warehouse: beside the tables
        warehouse = (repository.location or "").rstrip("/").rsplit("/", 2)[0]
    return f"{warehouse}/{NAMESPACE}/{name}__sets"


def _local(path: str) -> Path | None:
    if path.startswith("file://"):
        return Path(path.removeprefix("file://"))
    return Path(path) if "://" not in path else None


def _write(repository: DatasetRepository, path: str, payload: bytes) -> None:
    """Atomic: a rename on a local warehouse; one object put on an object store (through
    the catalog's FileIO, so its S3 settings apply)."""
    from genesis.io import write_bytes_atomic

    local = _local(path)
    if local is not None:
        write_bytes_atomic(local, payload, what="table set manifest")
        return
    with repository._file_io(path).new_output(path).create(overwrite=True) as handle:
        handle.write(payload)


def _read(repository: DatasetRepository, path: str) -> bytes | None:
    local = _local(path)
    if local is not None:
        return local.read_bytes() if local.is_file() else None
    source = repository._file_io(path).new_input(path)
    if not source.exists():
        return None
    with source.open() as handle:
        return handle.read()
