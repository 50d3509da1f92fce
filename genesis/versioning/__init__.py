"""Dataset versioning on Apache Iceberg: git-like commits, branches, tags, merges and diffs.

Every :meth:`DatasetRepository.commit` is one Iceberg snapshot; branches and tags are
Iceberg refs; the catalog makes each commit atomic. Any Iceberg engine (Spark, Trino,
DuckDB, plain PyIceberg) reads any version with the catalog settings alone.

Example::

    repo = DatasetRepository.init(".genesis/versions")
    first = repo.commit(df, "initial import")
    repo.branch("experiment"); repo.checkout("experiment")
    repo.commit(df2, "more rows")
    repo.checkout("main"); repo.merge("experiment")
    print(repo.diff(first.hash, "main"))
"""

from genesis.errors import MergeConflictError
from genesis.versioning.diff import ColumnChange, DatasetDiff, diff_frames
from genesis.versioning.models import Branch, Commit, Tag, VerificationReport
from genesis.versioning.repository import DatasetRepository
from genesis.versioning.table_set import (
    TableSetCommit,
    commit_table_set,
    load_table_set,
    read_table_set,
)

__all__ = [
    "Branch",
    "ColumnChange",
    "Commit",
    "DatasetDiff",
    "DatasetRepository",
    "MergeConflictError",
    "TableSetCommit",
    "Tag",
    "VerificationReport",
    "commit_table_set",
    "diff_frames",
    "load_table_set",
    "read_table_set",
]
