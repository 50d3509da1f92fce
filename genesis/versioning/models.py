"""What a repository hands back: commits, branches, tags and integrity reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from genesis.errors import InvalidParameterError

if TYPE_CHECKING:
    from genesis.versioning.repository import DatasetRepository


@dataclass(frozen=True)
class Commit:
    """One version of the dataset: an Iceberg snapshot.

    ``hash`` is the snapshot id (as text), ``parent`` the previous snapshot on the same
    branch. ``created`` is False when :meth:`DatasetRepository.commit` found the data
    identical to the head and wrote nothing (the head commit is returned instead).
    """

    hash: str
    message: str
    timestamp: datetime
    metadata: dict[str, Any]
    parent: str | None
    fingerprint: str | None = None
    merge_parent: str | None = None
    schema_changes: list[str] = field(default_factory=list)
    created: bool = True
    _repo: DatasetRepository | None = field(default=None, repr=False, compare=False)

    @property
    def snapshot_id(self) -> int:
        """The Iceberg snapshot id (what ``scan(snapshot_id=...)`` takes)."""
        return int(self.hash)

    def load_data(self) -> pd.DataFrame:
        """The rows of this version, columns in the order they were committed."""
        if self._repo is None:
            raise InvalidParameterError(
                "this Commit is not attached to a repository; get it from "
                "DatasetRepository.log() or commit()"
            )
        return self._repo.load(self.snapshot_id)


@dataclass(frozen=True)
class Branch:
    """A branch: its name, the hash of its head commit, and whether HEAD is on it."""

    name: str
    head: str
    is_current: bool = False


@dataclass(frozen=True)
class Tag:
    """A tag: its name, the hash of the commit it marks, and the message given to it."""

    name: str
    commit_hash: str
    message: str = ""


@dataclass(frozen=True)
class VerificationReport:
    """What :meth:`DatasetRepository.verify` checked; truthy when nothing is wrong.

    ``problems`` lists missing, unreadable or miscounted data files; ``orphaned_files``
    lists files in the table's data and metadata folders that no snapshot or metadata
    version references (left by a commit that was killed before it landed):
    :meth:`DatasetRepository.clean` removes them. Orphans harm no version, so they do not
    make the report false.
    """

    snapshots_checked: int
    files_checked: int
    problems: list[str]
    orphaned_files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every referenced file is present and holds its recorded rows."""
        return not self.problems

    def __bool__(self) -> bool:
        return self.ok
