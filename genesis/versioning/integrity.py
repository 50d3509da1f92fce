"""Integrity of a repository's table: damaged versions, and files no version references.

A commit writes its data and manifest files first and then swaps the catalog's pointer to
the new metadata in one step, so a commit killed half-way leaves the previous version intact
but may leave files behind that nothing references. :func:`verify_table` finds both
damaged files and these orphans; :func:`remove_files` deletes orphans.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from genesis.io.urls import is_url
from genesis.versioning.models import VerificationReport

if TYPE_CHECKING:
    from pyiceberg.table import Table

#: folders of the table location Iceberg writes; other files there (lineage) are ours
_ICEBERG_FOLDERS = ("data", "metadata")


def verify_table(table: Table) -> VerificationReport:
    """Check every data file every snapshot references (present, readable, row count as
    recorded) and list the orphaned files. Problems are listed, not raised."""
    import pyarrow.parquet as pq

    problems: list[str] = []
    seen: dict[str, int] = {}
    snapshots = table.snapshots()
    for snap in snapshots:
        try:
            manifests = snap.manifests(table.io)
        except Exception as exc:
            problems.append(f"snapshot {snap.snapshot_id}: manifest list unreadable ({exc})")
            continue
        for manifest in manifests:
            try:
                entries = manifest.fetch_manifest_entry(table.io, discard_deleted=True)
            except Exception as exc:
                problems.append(f"manifest {manifest.manifest_path} unreadable ({exc})")
                continue
            for entry in entries:
                data_file = entry.data_file
                path = data_file.file_path
                if path in seen:
                    continue
                seen[path] = data_file.record_count
                problem = _check_data_file(table, path, data_file.record_count, pq)
                if problem:
                    problems.append(f"snapshot {snap.snapshot_id}: {problem}")
    return VerificationReport(len(snapshots), len(seen), problems, orphaned_files(table))


def _check_data_file(table: Table, path: str, expected: int, pq: Any) -> str | None:
    source = table.io.new_input(path)
    if not source.exists():
        return f"data file {path} is missing"
    try:
        with source.open() as handle:
            rows = pq.ParquetFile(handle).metadata.num_rows
    except Exception as exc:
        return f"data file {path} is unreadable ({exc})"
    if rows != expected:
        return f"data file {path} holds {rows} rows, its manifest says {expected}"
    return None


def referenced_files(table: Table) -> set[str]:
    """Every file some version of the table needs: data files, manifests, manifest lists,
    metadata files (current and logged) and statistics files."""
    metadata = table.metadata
    files = {table.metadata_location}
    files.update(entry.metadata_file for entry in metadata.metadata_log)
    files.update(s.statistics_path for s in getattr(metadata, "statistics", []) or [])
    for snap in table.snapshots():
        files.add(snap.manifest_list)
        try:
            manifests = snap.manifests(table.io)
        except Exception:  # unreadable: verify_table reports it; keep everything else
            continue
        for manifest in manifests:
            files.add(manifest.manifest_path)
            try:
                entries = manifest.fetch_manifest_entry(table.io, discard_deleted=False)
            except Exception:
                continue
            files.update(entry.data_file.file_path for entry in entries)
    return {_key(f) for f in files}


def _key(location: str) -> str:
    """A location without its scheme, so ``file:///a`` and ``/a`` compare equal."""
    return location.split("://", 1)[1].lstrip("/") if is_url(location) else location.lstrip("/")


def _listing(table: Table) -> list[tuple[str, float]]:
    """(location, modification time) of every file under the table's Iceberg folders."""
    from pyarrow import fs as pafs

    location = table.location().rstrip("/")
    io = table.io
    scheme, netloc, path = io.parse_location(location, io.properties)  # type: ignore[attr-defined]
    filesystem = io.fs_by_scheme(scheme, netloc)  # type: ignore[attr-defined]
    prefix = location[: len(location) - len(path.rstrip("/"))] if path else location
    out: list[tuple[str, float]] = []
    for folder in _ICEBERG_FOLDERS:
        selector = pafs.FileSelector(
            f"{path.rstrip('/')}/{folder}", allow_not_found=True, recursive=True
        )
        for info in filesystem.get_file_info(selector):
            if info.type != pafs.FileType.File:
                continue
            mtime = info.mtime.timestamp() if info.mtime is not None else 0.0
            out.append(
                (prefix + info.path if not info.path.startswith(prefix) else info.path, mtime)
            )
    return out


def orphaned_files(table: Table, *, min_age_seconds: float = 0.0) -> list[str]:
    """Files in the table's data and metadata folders that no version references, at least
    ``min_age_seconds`` old (a commit in flight in another process writes such files too)."""
    if not hasattr(table.io, "fs_by_scheme"):
        return []  # a FileIO that cannot list folders: nothing can be said
    needed = referenced_files(table)
    now = time.time()
    return sorted(
        location
        for location, mtime in _listing(table)
        if _key(location) not in needed and now - mtime >= min_age_seconds
    )


def remove_files(table: Table, locations: list[str]) -> list[str]:
    """Delete ``locations`` through the table's FileIO; return those deleted."""
    removed = []
    for location in locations:
        table.io.delete(location)
        removed.append(location)
    return removed
