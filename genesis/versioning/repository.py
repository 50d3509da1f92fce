"""``DatasetRepository``: one Apache Iceberg table, used like a git repository.

| git | here | Iceberg |
|---|---|---|
| commit | :meth:`DatasetRepository.commit` | one snapshot (an ``overwrite`` of the branch's files) |
| commit message, metadata | ``Commit.message``, ``Commit.metadata`` | keys in the snapshot summary |
| branch, tag | :meth:`branch`, :meth:`tag` | snapshot refs |
| merge commit's 2nd parent | ``Commit.merge_parent`` | ``genesis.merge-parent`` in the summary |

A commit stores the whole table as it is in that version (not a delta), so any engine
reading a snapshot or a ref sees exactly the committed rows.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd

from genesis.errors import (
    InvalidDataError,
    InvalidParameterError,
    MergeConflictError,
    SourceNotFoundError,
)
from genesis.validation import require_frame, validate_column_names
from genesis.versioning.catalog import (
    COLUMNS_KEY,
    DTYPES_KEY,
    FINGERPRINT_KEY,
    MAIN,
    MERGE_PARENT_KEY,
    MESSAGE_KEY,
    METADATA_KEY,
    NAMESPACE,
    SCHEMA_CHANGES_KEY,
    TAG_MESSAGE_PREFIX,
    evolve_schema,
    open_catalog,
    retry,
    to_arrow,
)
from genesis.versioning.diff import DatasetDiff, diff_frames
from genesis.versioning.files import NotesAndFiles
from genesis.versioning.integrity import orphaned_files, remove_files, verify_table
from genesis.versioning.merge import ancestors, check_mergeable, multiset_union
from genesis.versioning.models import Branch, Commit, Tag, VerificationReport

if TYPE_CHECKING:
    import pyarrow as pa
    from pyiceberg.catalog import Catalog
    from pyiceberg.table import Table

logger = logging.getLogger(__name__)

T = TypeVar("T")

__all__ = [
    "Branch",
    "Commit",
    "DatasetRepository",
    "MergeConflictError",
    "Tag",
    "VerificationReport",
]


class DatasetRepository(NotesAndFiles):
    """A versioned dataset stored as one Apache Iceberg table.

    Create with :meth:`init`. The repository has a HEAD like git: a branch (``main`` by
    default) that :meth:`commit` advances, or a tag / snapshot (detached, read-only).
    """

    def __init__(
        self,
        catalog: Catalog | str | os.PathLike[str],
        name: str = "dataset",
        *,
        max_retries: int = 30,
    ) -> None:
        """Open a repository on a PyIceberg ``catalog``, or on a folder path as :meth:`init`
        does (``DatasetRepository(".genesis/versions")``)."""
        self._path: str | None = None
        if isinstance(catalog, str | os.PathLike):
            self._path = os.fspath(catalog)
            catalog = self.init(catalog, name=name, max_retries=max_retries).catalog
        elif not hasattr(catalog, "load_table"):
            raise InvalidParameterError(
                f"DatasetRepository needs a folder path or a PyIceberg catalog, got "
                f"{type(catalog).__name__}; use DatasetRepository('.genesis/versions') or "
                "DatasetRepository.init(path, catalog={...})"
            )
        self.catalog = catalog
        self.name = name
        self.identifier = (NAMESPACE, name)
        self.max_retries = max_retries
        self._head_ref = MAIN
        self._detached: int | None = None

    # ------------------------------------------------------------------ set-up
    @classmethod
    def init(
        cls,
        path_or_uri: str | Path,
        catalog: dict[str, Any] | str | None = None,
        *,
        name: str = "dataset",
        max_retries: int = 30,
    ) -> DatasetRepository:
        """Open (creating when needed) the repository's catalog.

        Args:
            path_or_uri: a local folder (embedded default: ``<path>/catalog.db`` SQLite catalog
                and ``<path>/warehouse``), or, with ``catalog``, the warehouse location
                (``s3://bucket/prefix`` or a folder).
            catalog: ``None`` for the embedded default; else PyIceberg catalog properties
                (``{"type": "rest", "uri": ...}``, ``{"uri": "postgresql+psycopg2://..."}``,
                ``{"type": "glue"}``, plus ``s3.endpoint``, ``s3.access-key-id``... for S3) or
                a catalog URI. A ``"name"`` key names the catalog (default ``genesis``).
            name: the table's name in the ``genesis`` namespace: one table per dataset.
            max_retries: attempts when another writer committed first.
        """
        if not isinstance(name, str) or not name.replace("_", "a").isalnum():
            raise InvalidParameterError(
                f"repository name {name!r} must hold only letters, digits and '_'; rename it"
            )
        if not isinstance(path_or_uri, str | Path) or not str(path_or_uri):
            raise InvalidParameterError(
                "path_or_uri must be a folder path or a warehouse URI such as s3://bucket/prefix"
            )
        loaded = open_catalog(str(path_or_uri), catalog)
        repository = cls(loaded, name, max_retries=max_retries)
        repository._path = os.fspath(path_or_uri)
        return repository

    @property
    def path(self) -> str:
        """Where the repository lives: the folder or warehouse URI it was opened with (the
        catalog's warehouse when it was opened on a catalog object)."""
        if self._path is not None:
            return self._path
        return str(self.catalog.properties.get("warehouse", ""))

    @property
    def catalog_properties(self) -> dict[str, str]:
        """The catalog's settings: all another process needs to read any version."""
        return dict(self.catalog.properties) | {"name": self.catalog.name}

    def _load_table(self) -> Table | None:
        from pyiceberg.exceptions import NoSuchTableError

        try:
            return self.catalog.load_table(self.identifier)
        except NoSuchTableError:
            return None

    def _table(self) -> Table:
        table = self._load_table()
        if table is None:
            raise SourceNotFoundError(
                f"repository {self.name!r} has no commits yet; commit a DataFrame first"
            )
        return table

    @property
    def location(self) -> str | None:
        """The table's location in the warehouse (None before the first commit)."""
        table = self._load_table()
        return None if table is None else table.location()

    # ------------------------------------------------------------------ refs
    @property
    def head(self) -> str:
        """The checked-out ref: a branch name, or a snapshot id when detached."""
        return self._head_ref if self._detached is None else str(self._detached)

    @property
    def current_branch(self) -> str | None:
        """The branch commits go to, or None when HEAD is detached."""
        return self._head_ref if self._detached is None else None

    def _refs(self, kind: str) -> dict[str, int]:
        table = self._load_table()
        refs = {} if table is None else table.metadata.refs
        return {n: r.snapshot_id for n, r in refs.items() if r.snapshot_ref_type == kind}

    def branches(self) -> list[Branch]:
        """The branches, by name: each with its head commit hash and whether HEAD is on it."""
        current = self.current_branch
        return [
            Branch(name, str(sid), name == current)
            for name, sid in sorted(self._refs("branch").items())
        ]

    def tags(self) -> list[Tag]:
        """The tags, by name: each with the hash of the commit it marks and its message."""
        tags = self._refs("tag")
        if not tags:
            return []
        properties = self._table().properties
        return [
            Tag(name, str(sid), properties.get(TAG_MESSAGE_PREFIX + name, ""))
            for name, sid in sorted(tags.items())
        ]

    def tag_message(self, name: str) -> str | None:
        """The message given to :meth:`tag`."""
        return self._table().properties.get(TAG_MESSAGE_PREFIX + name)

    def _resolve(self, table: Table | None, ref: Any) -> int | None:
        """Snapshot id of a ref (branch, tag, snapshot id, Commit, ``HEAD``)."""
        if isinstance(ref, Commit):
            return ref.snapshot_id
        if ref is None or ref == "HEAD":
            if self._detached is not None:
                return self._detached
            ref = self._head_ref
            if table is None or ref not in table.metadata.refs:
                return None
        if table is None:
            raise SourceNotFoundError(
                f"repository {self.name!r} has no commits yet, so {ref!r} does not exist; "
                "commit a DataFrame first"
            )
        text = str(ref)
        if text in table.metadata.refs:
            return table.metadata.refs[text].snapshot_id
        if text.lstrip("-").isdigit() and table.snapshot_by_id(int(text)) is not None:
            return int(text)
        raise InvalidParameterError(
            f"{ref!r} is not a branch, tag or snapshot of repository {self.name!r}; "
            f"branches: {sorted(self._refs('branch'))}, tags: {sorted(self._refs('tag'))}, "
            "or a commit hash from log()"
        )

    # ------------------------------------------------------------------ commits
    def _commit_of(self, table: Table, snapshot_id: int, *, created: bool = True) -> Commit:
        snap = table.snapshot_by_id(snapshot_id)
        if snap is None:
            raise SourceNotFoundError(f"snapshot {snapshot_id} is not in {self.name!r}")
        summary = snap.summary
        extra = summary.additional_properties if summary is not None else {}
        metadata = json.loads(extra.get(METADATA_KEY, "{}"))
        changes = json.loads(extra.get(SCHEMA_CHANGES_KEY, "[]"))
        return Commit(
            hash=str(snap.snapshot_id),
            message=extra.get(MESSAGE_KEY, ""),
            timestamp=datetime.fromtimestamp(snap.timestamp_ms / 1000, tz=UTC),
            metadata=metadata,
            parent=None if snap.parent_snapshot_id is None else str(snap.parent_snapshot_id),
            fingerprint=extra.get(FINGERPRINT_KEY),
            merge_parent=extra.get(MERGE_PARENT_KEY),
            schema_changes=changes,
            created=created,
            _repo=self,
        )

    def _retry(self, action: Callable[[], T], what: str) -> T:
        """Run ``action`` until it lands: another writer's commit makes the catalog refuse ours."""
        return retry(action, f"{what} on {self.name!r}", self.max_retries)

    def commit(
        self, df: pd.DataFrame, message: str, metadata: dict[str, Any] | None = None
    ) -> Commit:
        """Store ``df`` as the new version of the checked-out branch: one Iceberg snapshot.

        When ``df`` is identical to the branch head (same :func:`genesis.io.fingerprint`),
        nothing is written and the head commit is returned with ``created=False``. New,
        dropped or retyped columns evolve the table's schema (logged, and listed in
        ``Commit.schema_changes``); older versions keep reading with their own schema.
        """
        from genesis.io import fingerprint

        self._check_frame(df)
        if not isinstance(message, str) or not message.strip():
            raise InvalidParameterError("commit needs a non-empty message describing the change")
        if metadata is not None and not isinstance(metadata, dict):
            raise InvalidParameterError(
                f"commit metadata must be a dict of JSON values, got {type(metadata).__name__}"
            )
        metadata = dict(metadata or {})
        try:
            meta_json = json.dumps(metadata, sort_keys=True, default=str)
        except (TypeError, ValueError) as exc:
            raise InvalidParameterError(
                f"commit metadata must be JSON-serialisable: {exc}"
            ) from None
        branch = self.current_branch
        if branch is None:
            raise InvalidParameterError(
                f"HEAD is detached at {self.head}; checkout a branch, or create one here with "
                "branch(name) and checkout(name), before committing"
            )
        fp = fingerprint(df)
        arrow = to_arrow(df)
        props = {
            MESSAGE_KEY: message,
            METADATA_KEY: meta_json,
            FINGERPRINT_KEY: fp,
            COLUMNS_KEY: json.dumps([str(c) for c in df.columns]),
            DTYPES_KEY: json.dumps({str(c): str(t) for c, t in df.dtypes.items()}),
        }
        return self._retry(lambda: self._commit_once(arrow, props, branch), "commit")

    def _commit_once(
        self, arrow: pa.Table, props: dict[str, str], branch: str, *, allow_unchanged: bool = False
    ) -> Commit:
        from pyiceberg.io.pyarrow import _dataframe_to_data_files

        table = self._load_or_create(arrow.schema)
        head = table.metadata.refs.get(branch)
        if head is not None and not allow_unchanged:
            current = self._commit_of(table, head.snapshot_id, created=False)
            if current.fingerprint == props[FINGERPRINT_KEY]:
                logger.info(
                    "%s@%s: data identical to the head commit %s; no snapshot written",
                    self.name,
                    branch,
                    current.hash,
                )
                return current
        evolved, changes = evolve_schema(
            table, arrow.schema, None if head is None else head.snapshot_id, self.name
        )
        if evolved:
            table = self._table()
        if changes:
            props = props | {SCHEMA_CHANGES_KEY: json.dumps(changes)}
        # an Iceberg table's first snapshot must go to main; another branch then starts there
        target = MAIN if head is None and not table.metadata.snapshots else branch
        tx = table.transaction()
        with tx.update_snapshot(snapshot_properties=props, branch=target).overwrite() as ow:
            if head is not None:
                for task in table.scan(snapshot_id=head.snapshot_id).plan_files():
                    ow.delete_data_file(task.file)
            for data_file in _dataframe_to_data_files(
                table_metadata=tx.table_metadata, df=arrow, io=table.io, write_uuid=ow.commit_uuid
            ):
                ow.append_data_file(data_file)
        committed = tx.commit_transaction()
        snapshot_id = committed.metadata.refs[target].snapshot_id
        if target != branch:
            committed.manage_snapshots().create_branch(snapshot_id, branch).commit()
        return self._commit_of(committed, snapshot_id)

    def _load_or_create(self, arrow_schema: pa.Schema) -> Table:
        table = self._load_table()
        if table is not None:
            return table
        self.catalog.create_namespace_if_not_exists(NAMESPACE)
        # PyIceberg's own retry would re-apply our file deletions onto another writer's head
        # and fail validation; Genesis retries whole commits instead (see _retry)
        return self.catalog.create_table_if_not_exists(
            self.identifier, schema=arrow_schema, properties={"commit.retry.num-retries": "0"}
        )

    @staticmethod
    def _check_frame(df: Any) -> None:
        require_frame(df, "the table to commit")
        if df.shape[1] == 0:
            raise InvalidDataError("the DataFrame has no columns; commit a table with columns")
        validate_column_names(df.columns, "the table to commit")

    # ------------------------------------------------------------------ reading
    def load(self, ref: Any = None) -> pd.DataFrame:
        """The rows of a version (default: HEAD), columns in their committed order."""
        table = self._table()
        sid = self._resolve(table, ref)
        if sid is None:
            raise SourceNotFoundError(f"{self.head!r} has no commits yet; commit first")
        try:
            frame = table.scan(snapshot_id=sid).to_arrow().to_pandas()
        except OSError as exc:
            raise SourceNotFoundError(
                f"version {sid} of {self.name!r} cannot be read: a data file is missing or "
                f"unreadable ({str(exc).splitlines()[0]}); restore the file from a backup or "
                "load another version (log() lists them); verify() lists every damaged file"
            ) from None
        snap = table.snapshot_by_id(sid)
        extra = snap.summary.additional_properties if snap and snap.summary else {}
        columns = json.loads(extra.get(COLUMNS_KEY, "null") or "null")
        if columns and set(columns) == set(frame.columns):
            frame = frame[columns]
        # Iceberg has no categorical or nullable-integer types: give back the committed dtypes
        for column, dtype in json.loads(extra.get(DTYPES_KEY, "{}") or "{}").items():
            if column in frame.columns and str(frame[column].dtype) != dtype:
                # keep Iceberg's type when the original one cannot hold the values
                with contextlib.suppress(TypeError, ValueError):
                    frame[column] = frame[column].astype(dtype)
        return frame

    def log(self, ref: Any = None, limit: int | None = None) -> list[Commit]:
        """Commits reachable from ``ref`` (default HEAD) through first parents, newest first."""
        table = self._load_table()
        if table is None:
            return []
        sid = self._resolve(table, ref)
        out: list[Commit] = []
        while sid is not None and (limit is None or len(out) < limit):
            commit = self._commit_of(table, sid)
            out.append(commit)
            sid = None if commit.parent is None else int(commit.parent)
            if sid is not None and table.snapshot_by_id(sid) is None:
                break  # expired history
        return out

    def get_commit(self, ref: Any = None) -> Commit:
        """The commit a ref points to."""
        table = self._table()
        sid = self._resolve(table, ref)
        if sid is None:
            raise SourceNotFoundError(f"{self.head!r} has no commits yet; commit first")
        return self._commit_of(table, sid)

    # ------------------------------------------------------------------ branches, tags
    def branch(self, name: str, ref: Any = None) -> Commit:
        """Create branch ``name`` at ``ref`` (default HEAD); HEAD stays where it is."""
        return self._create_ref(name, ref, "branch")

    def _create_ref(self, name: str, ref: Any, kind: str) -> Commit:
        """Create a branch or a tag named ``name`` at ``ref`` (default HEAD)."""
        self._check_ref_name(name)
        hint = (
            "pick another branch name" if kind == "branch" else "tags never move, pick a new name"
        )

        def create() -> Commit:
            table = self._table()
            if name in table.metadata.refs:
                raise InvalidParameterError(f"ref {name!r} already exists in {self.name!r}; {hint}")
            sid = self._resolve(table, ref)
            if sid is None:
                raise SourceNotFoundError(f"a {kind} needs a commit to start from; commit first")
            snapshots = table.manage_snapshots()
            adding = snapshots.create_branch if kind == "branch" else snapshots.create_tag
            adding(sid, name).commit()
            return self._commit_of(table, sid)

        return self._retry(create, f"creating {kind} {name!r}")

    def tag(self, name: str, message: str = "", ref: Any = None) -> Commit:
        """Tag ``ref`` (default HEAD) as ``name``, with a message; tags never move."""
        commit = self._create_ref(name, ref, "tag")
        if message:
            self._retry(
                lambda: (
                    self._table()
                    .transaction()
                    .set_properties({TAG_MESSAGE_PREFIX + name: message})
                    .commit_transaction()
                ),
                f"recording the message of tag {name!r}",
            )
        return commit

    @staticmethod
    def _check_ref_name(name: Any) -> None:
        if not isinstance(name, str) or not name or name.strip() != name or name == "HEAD":
            raise InvalidParameterError(
                f"ref name {name!r} is invalid; use a non-empty name without surrounding spaces"
            )
        if name.lstrip("-").isdigit():
            raise InvalidParameterError(
                f"ref name {name!r} looks like a snapshot id; use a name with a letter in it"
            )

    def checkout(self, ref: Any, *, create: bool = False) -> Commit | None:
        """Make ``ref`` HEAD: a branch (commits then go there), or a tag / snapshot (detached).

        With ``create=True`` a missing branch is created at HEAD (like ``git checkout -b``);
        in an empty repository it is born with the first commit.
        """
        table = self._load_table()
        if create and str(ref) not in self._refs("branch"):
            self._check_ref_name(ref)
            if table is not None and str(ref) in table.metadata.refs:
                raise InvalidParameterError(f"{ref!r} is a tag; choose another branch name")
            if table is None or self._resolve(table, None) is None:
                self._head_ref, self._detached = str(ref), None
                return None
            self.branch(str(ref))
            table = self._table()
        if table is not None and str(ref) in self._refs("branch"):
            self._head_ref, self._detached = str(ref), None
            return self._commit_of(table, table.metadata.refs[str(ref)].snapshot_id)
        if table is None and ref == MAIN:
            self._head_ref, self._detached = MAIN, None
            return None
        sid = self._resolve(table, ref)
        self._detached = sid
        return self._commit_of(table, sid)

    def merge(self, branch: Any, message: str | None = None) -> Commit:
        """Merge ``branch`` into the checked-out branch.

        Fast-forward when the checked-out head is an ancestor of ``branch``; nothing when
        ``branch`` is already contained; otherwise a merge commit whose rows are the union of
        both heads keyed by row content (each distinct row kept as many times as the side
        holding it most often). Raises :class:`MergeConflictError` when columns differ.
        """
        target = self.current_branch
        if target is None:
            raise InvalidParameterError(
                f"HEAD is detached at {self.head}; checkout the branch to merge into first"
            )

        def attempt() -> Commit:
            table = self._table()
            theirs = self._resolve(table, branch)
            ours = self._resolve(table, None)
            if ours is not None and theirs in ancestors(table, ours):
                logger.info("%s: %s already contains %s", self.name, target, branch)
                return self._commit_of(table, ours, created=False)
            if ours is None or ours in ancestors(table, theirs):
                table.manage_snapshots().create_branch(theirs, target).commit()
                logger.info("%s: fast-forward %s to %s", self.name, target, theirs)
                return self._commit_of(table, theirs)
            return self._merge_commit(table, ours, theirs, target, branch, message)

        return self._retry(attempt, f"merging {branch!r} into {target!r}")

    def _merge_commit(
        self, table: Table, ours: int, theirs: int, target: str, branch: Any, message: str | None
    ) -> Commit:
        from genesis.io import fingerprint

        left, right = self.load(ours), self.load(theirs)
        check_mergeable(left, right, branch, target)
        right = right[list(left.columns)]
        merged = multiset_union(left, right)
        commit_message = message or f"Merge {branch} into {target}"
        props = {
            MESSAGE_KEY: commit_message,
            METADATA_KEY: json.dumps({"merged": str(branch)}),
            FINGERPRINT_KEY: fingerprint(merged),
            COLUMNS_KEY: json.dumps([str(c) for c in merged.columns]),
            MERGE_PARENT_KEY: str(theirs),
        }
        return self._commit_once(to_arrow(merged), props, target, allow_unchanged=True)

    # ------------------------------------------------------------------ diff, verify
    def diff(self, ref1: Any, ref2: Any = None) -> DatasetDiff:
        """What changed from ``ref1`` to ``ref2`` (default HEAD): rows and column statistics."""
        return diff_frames(self.load(ref1), self.load(ref2))

    def verify(self) -> VerificationReport:
        """Check every data file every snapshot references: it exists, and its row count
        matches the manifest's record count; and list the files no version references
        (``orphaned_files``, left by a killed commit). Problems are listed, not raised."""
        table = self._load_table()
        if table is None:
            return VerificationReport(0, 0, [])
        return verify_table(table)

    def clean(self, dry_run: bool = False, *, min_age_seconds: float = 0.0) -> list[str]:
        """Remove the orphaned files :meth:`verify` lists; return their locations.

        With ``dry_run=True`` nothing is deleted. Only files at least ``min_age_seconds``
        old are touched: when other processes may be committing, pass e.g. 3600 so a
        commit in flight keeps its files. No version's data is ever removed.
        """
        table = self._load_table()
        if table is None:
            return []
        orphans = orphaned_files(table, min_age_seconds=min_age_seconds)
        if dry_run or not orphans:
            return orphans
        removed = remove_files(table, orphans)
        logger.info("%s: removed %d orphaned file(s)", self.name, len(removed))
        return removed
