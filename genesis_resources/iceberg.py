"""Dataset versions on Apache Iceberg for the Dagster chain: one writer, one version id.

:class:`IcebergIOManager` is the only writer of a synthetic version: its ``handle_output``
commits the rows as one snapshot of the Iceberg table ``genesis.<dataset>`` (on the
dataset's branch) and makes that snapshot id the asset's data version. Its ``load_input``
gives every downstream asset the committed rows (or the tag the dataset is pinned to) with
the snapshot id in ``df.attrs["snapshot_id"]`` (:func:`snapshot_of`), so each report names
the exact version it describes, even when consumers are pinned to an older tag.

The lineage chain of a version (source -> schema -> model -> generation -> checks) is
written once, after the checks, by :func:`write_lineage` (the ``release`` asset calls it):
the chain is built whole each time, never appended to, and an equal chain already attached
to the version is kept, so re-runs and several instances sharing the warehouse never
duplicate a block.

Why the project's own IO manager rather than ``dagster-iceberg``: dagster-iceberg 0.3.x
pins ``pyiceberg<0.12`` while Genesis uses PyIceberg 0.12's branch-aware writes, and it
appends/overwrites without commit messages or lineage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dagster as dg
from pydantic import Field

from genesis.errors import InvalidParameterError, SourceNotFoundError
from genesis_resources.storage import ArtifactStore

if TYPE_CHECKING:
    import pandas as pd

    from genesis.lineage import LineageChain
    from genesis.versioning import Commit, DatasetRepository

#: metadata key of the materialization holding the snapshot id (what a person reads in the UI)
SNAPSHOT_ID = "snapshot_id"
#: ``DataFrame.attrs`` key naming the snapshot a loaded synthetic table came from
SNAPSHOT_ATTR = "snapshot_id"
#: note on a commit naming its lineage chain (written once, after the checks)
LINEAGE_NOTE = "lineage"
TABLE_LOCATION = "table_location"
#: scalar output metadata the IO manager copies into the commit (generation parameters)
_COMMITTED_METADATA = ("method", "seed", "rows")


class VersioningResource(dg.ConfigurableResource):
    """Where the dataset versions live: an Iceberg catalog and warehouse.

    Embedded default: ``warehouse`` is a local folder holding a SQLite catalog
    (``catalog.db``) and the data. At scale: ``catalog`` holds PyIceberg catalog properties
    (REST, Glue, Hive, SQL on PostgreSQL) and ``warehouse`` an ``s3://`` URI; S3 credentials
    come through ``dg.EnvVar`` in ``s3_access_key_id`` / ``s3_secret_access_key``.
    """

    warehouse: str = Field(description="Local folder, or s3://bucket/prefix with a catalog.")
    catalog: dict[str, str] = Field(
        default_factory=dict,
        description="PyIceberg catalog properties; empty for the embedded SQLite catalog.",
    )
    s3_endpoint: str | None = Field(None, description="S3-compatible endpoint URL, if not AWS.")
    s3_region: str | None = Field(None, description="S3 region.")
    s3_access_key_id: str | None = Field(None, description="Set with dg.EnvVar, never inline.")
    s3_secret_access_key: str | None = Field(None, description="Set with dg.EnvVar.")
    branches: dict[str, str] = Field(
        default_factory=dict, description="Dataset -> branch its versions go to (default main)."
    )
    pin_tags: dict[str, str] = Field(
        default_factory=dict,
        description="Dataset -> tag that downstream assets read instead of the branch head.",
    )

    def _catalog_properties(self) -> dict[str, str] | None:
        props = dict(self.catalog)
        extra = {
            "s3.endpoint": self.s3_endpoint,
            "s3.region": self.s3_region,
            "s3.access-key-id": self.s3_access_key_id,
            "s3.secret-access-key": self.s3_secret_access_key,
        }
        props.update({k: v for k, v in extra.items() if v})
        return props or None

    def repository(self, dataset: str) -> DatasetRepository:
        """The dataset's repository, checked out on its branch (created when missing)."""
        from genesis.versioning import DatasetRepository

        repo = DatasetRepository.init(self.warehouse, self._catalog_properties(), name=dataset)
        repo.checkout(self.branch_of(dataset), create=True)
        return repo

    def branch_of(self, dataset: str) -> str:
        """The branch the dataset's versions go to."""
        return self.branches.get(dataset, "main")

    def commit(
        self, dataset: str, df: pd.DataFrame, message: str, metadata: dict[str, Any] | None = None
    ) -> tuple[Commit, dict[str, Any]]:
        """Commit ``df`` as the dataset's new version (nothing is written when it equals the
        head); return the commit and its materialization metadata."""
        repo = self.repository(dataset)
        commit = repo.commit(df, message, metadata)
        return commit, self.describe(repo, commit)

    def describe(self, repo: DatasetRepository, commit: Commit) -> dict[str, Any]:
        """Materialization metadata of a commit: snapshot id, branch, location, diff."""
        out: dict[str, Any] = {
            SNAPSHOT_ID: commit.hash,
            "branch": repo.current_branch or repo.head,
            TABLE_LOCATION: dg.MetadataValue.path(repo.location or ""),
            "new_snapshot": commit.created,
            "commit_message": commit.message,
        }
        if commit.parent is not None:
            diff = repo.diff(commit.parent, commit.hash)
            out["diff"] = dg.MetadataValue.json(diff.to_dict())
            out["diff_summary"] = diff.summary()
        else:
            out["diff_summary"] = "first version"
        if commit.schema_changes:
            out["schema_changes"] = dg.MetadataValue.json(commit.schema_changes)
        return out

    def load(self, dataset: str, ref: Any = None) -> pd.DataFrame:
        """The rows consumers get, with ``attrs["snapshot_id"]``: ``ref`` when given, else
        the pinned tag when the dataset has one, else the branch head."""
        repo = self.repository(dataset)
        commit = repo.get_commit(ref if ref is not None else self.pin_tags.get(dataset))
        df = repo.load(commit.snapshot_id)
        df.attrs[SNAPSHOT_ATTR] = commit.hash
        return df


def snapshot_of(df: pd.DataFrame) -> str:
    """The snapshot id of a synthetic table loaded by :class:`IcebergIOManager`."""
    snapshot = getattr(df, "attrs", {}).get(SNAPSHOT_ATTR)
    if not snapshot:
        raise InvalidParameterError(
            "this table carries no Iceberg snapshot id (attrs['snapshot_id']); load it through "
            "IcebergIOManager (io_manager_key='iceberg_io_manager') or VersioningResource.load"
        )
    return str(snapshot)


def _dataset_of(context: dg.InputContext | dg.OutputContext) -> str:
    path = list(context.asset_key.path)
    return "/".join(path[:-1]) or path[-1]


def _set_data_version(context: dg.OutputContext, snapshot_id: str) -> None:
    """Make the snapshot id the asset's data version.

    Dagster 1.13 has no public call for an IO manager to set the data version (open request
    dagster-io/dagster#15584); the step context's ``set_data_version`` is what
    ``OpExecutionContext.set_data_version`` calls, and the materialization event, built after
    ``handle_output`` returns, takes the version from it. Contexts built for tests have no
    step context: nothing to set there.
    """
    try:
        step = context.step_context
    except dg.DagsterInvariantViolationError:
        return
    step.set_data_version(context.asset_key, dg.DataVersion(snapshot_id))


class IcebergIOManager(dg.ConfigurableIOManager):
    """Stores DataFrame assets as snapshots of the dataset's Iceberg table (the only writer of
    a synthetic version); loads the branch head or the pinned tag, with the snapshot id in
    ``attrs``. Committing rows identical to the head writes nothing and keeps its id."""

    versioning: VersioningResource = Field(description="The catalog and warehouse.")
    artifact_store: ArtifactStore | None = Field(
        None,
        description="When set, the latest version is also exported there as <stage>.parquet "
        "(a plain file for tools that do not speak Iceberg).",
    )

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        import pandas as pd

        if obj is None:
            return
        if not isinstance(obj, pd.DataFrame):
            raise InvalidParameterError(
                f"asset {context.asset_key.to_user_string()} returned a {type(obj).__name__}; "
                "IcebergIOManager stores DataFrames only: route other values to 'io_manager'"
            )
        dataset = _dataset_of(context)
        given = _output_metadata(context)
        committed = {k: given[k] for k in _COMMITTED_METADATA if k in given}
        message = (
            f"{context.asset_key.to_user_string()}: {len(obj)} rows"
            + (f" ({committed['method']})" if "method" in committed else "")
            + f", run {context.run_id}"
        )
        commit, metadata = self.versioning.commit(
            dataset, obj, message, {"run_id": context.run_id, **committed}
        )
        context.add_output_metadata(metadata)
        _set_data_version(context, commit.hash)
        if self.artifact_store is not None:
            stage = context.asset_key.path[-1]
            path = self.artifact_store.write_parquet(dataset, f"{stage}.parquet", obj)
            context.add_output_metadata({"path": dg.MetadataValue.path(path)})

    def load_input(self, context: dg.InputContext) -> pd.DataFrame:
        return self.versioning.load(_dataset_of(context))


def _output_metadata(context: dg.OutputContext) -> dict[str, Any]:
    """The scalar metadata the asset body attached to its output (empty in bare contexts)."""
    out = {}
    for key, value in (context.output_metadata or {}).items():
        value = getattr(value, "value", value)
        if isinstance(value, str | int | float | bool):
            out[key] = value
    return out


def _signature(chain: LineageChain) -> list[tuple[str, str]]:
    """What a chain says, without its timestamps and the hashes linking its blocks (which
    depend on the timestamps): equal chains, equal signatures."""
    import json

    return [
        (b.block_type, json.dumps({k: v for k, v in b.content.items() if k != "input_hash"},
                                  sort_keys=True, default=str))
        for b in chain.blocks
    ]  # fmt: skip


def write_lineage(
    versioning: VersioningResource, dataset: str, snapshot_id: str, chain: LineageChain
) -> tuple[str, str]:
    """Attach ``chain`` to the version ``snapshot_id``, once; return (path, lineage hash).

    The chain must describe the whole version (source through checks). When the version
    already carries a chain with the same blocks (a re-run, or another instance sharing the
    warehouse), that one is kept and nothing is written; a different chain (e.g. checks that
    now fail) replaces it. Chains are never appended to, so no block is ever duplicated.
    """
    from genesis.lineage import LineageChain

    repo = versioning.repository(dataset)
    commit = repo.get_commit(snapshot_id)
    current = repo.notes(commit.hash).get(LINEAGE_NOTE)
    if current:
        existing = LineageChain.from_json(repo.read_file(current).decode("utf-8"))
        if existing.verify() and _signature(existing) == _signature(chain):
            return current, str(existing.latest_hash)
    path = repo.write_file(f"lineage/{chain.latest_hash}.json", chain.to_json().encode("utf-8"))
    repo.set_note(commit.hash, LINEAGE_NOTE, path)
    return path, str(chain.latest_hash)


def read_lineage(versioning: VersioningResource, dataset: str, ref: Any = None) -> LineageChain:
    """The lineage chain of a version (default: the branch head), as the release wrote it."""
    from genesis.lineage import LineageChain

    repo = versioning.repository(dataset)
    commit = repo.get_commit(ref)
    path = repo.notes(commit.hash).get(LINEAGE_NOTE)
    if not path:
        raise SourceNotFoundError(
            f"version {commit.hash} of {dataset!r} has no lineage chain yet; materialize "
            f"{dataset}/release after its checks"
        )
    return LineageChain.from_json(repo.read_file(path).decode("utf-8"))


__all__ = [
    "IcebergIOManager",
    "VersioningResource",
    "read_lineage",
    "snapshot_of",
    "write_lineage",
]
