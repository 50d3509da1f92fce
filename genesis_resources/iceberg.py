"""Dataset versions on Apache Iceberg for the Dagster chain.

:class:`VersioningResource` opens one :class:`genesis.versioning.DatasetRepository` per
dataset (table ``genesis.<dataset>`` in one catalog) and publishes each synthetic version as
a snapshot on the dataset's branch, with its lineage chain stored beside the table.
:class:`IcebergIOManager` stores and loads ``synthetic_dataset`` through it, so downstream
assets read the committed rows (or the tag a dataset is pinned to).

Why the project's own IO manager rather than ``dagster-iceberg``: dagster-iceberg 0.3.x
pins ``pyiceberg<0.12`` while Genesis uses PyIceberg 0.12's branch-aware writes, and it
appends/overwrites without commit messages, fingerprints or lineage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dagster as dg
from pydantic import Field

from genesis.errors import DataWriteError, SourceNotFoundError
from genesis_resources.storage import ArtifactStore

if TYPE_CHECKING:
    import pandas as pd

    from genesis.versioning import Commit, DatasetRepository

#: metadata keys of the materialization (what a person reads in the UI)
SNAPSHOT_ID = "snapshot_id"
#: note on a commit naming its lineage chain extended with the checks run after the commit
LINEAGE_NOTE = "lineage"
TABLE_LOCATION = "table_location"


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
        return self.branches.get(dataset, "main")

    def publish(
        self,
        dataset: str,
        df: pd.DataFrame,
        message: str,
        *,
        metadata: dict[str, Any] | None = None,
        lineage: Any = None,
    ) -> tuple[Commit, dict[str, Any]]:
        """Commit ``df`` as the dataset's new version; store ``lineage`` (a LineageChain)
        beside the table and reference it from the snapshot summary.

        Returns the commit and the materialization metadata: snapshot id, branch, table
        location, whether a snapshot was written, the diff against the previous version, and
        the lineage file and hash.
        """
        from genesis.io import fingerprint

        repo = self.repository(dataset)
        metadata = dict(metadata or {})
        branches = {branch.name for branch in repo.branches()}
        head = repo.get_commit() if repo.current_branch in branches else None
        unchanged = head is not None and head.fingerprint == fingerprint(df)
        if lineage is not None and not unchanged:  # an unchanged version keeps its own chain
            path = repo.write_file(
                f"lineage/{lineage.latest_hash}.json", lineage.to_json().encode("utf-8")
            )
            metadata.update(lineage=path, lineage_hash=lineage.latest_hash)
        commit = repo.commit(df, message, metadata)
        return commit, self.describe(repo, commit)

    def describe(self, repo: DatasetRepository, commit: Commit) -> dict[str, Any]:
        """Materialization metadata of a commit (diff against its parent)."""
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
        if "lineage" in commit.metadata:
            out["lineage"] = dg.MetadataValue.path(commit.metadata["lineage"])
            out["lineage_hash"] = str(commit.metadata.get("lineage_hash"))
        return out

    def load(self, dataset: str) -> pd.DataFrame:
        """What consumers get: the pinned tag when the dataset has one, else the branch head."""
        repo = self.repository(dataset)
        return repo.load(self.pin_tags.get(dataset))


def _dataset_of(context: dg.InputContext | dg.OutputContext) -> str:
    path = list(context.asset_key.path)
    return "/".join(path[:-1]) or path[-1]


class IcebergIOManager(dg.ConfigurableIOManager):
    """Stores DataFrame assets as snapshots of the dataset's Iceberg table; loads the branch
    head (or the pinned tag). Committing rows identical to the head writes nothing."""

    versioning: VersioningResource = Field(description="The catalog and warehouse.")
    artifact_store: ArtifactStore | None = Field(
        None,
        description="When set, the latest version is also exported there as <stage>.parquet "
        "(a plain file for tools that do not speak Iceberg).",
    )

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        import pandas as pd

        from genesis.errors import InvalidParameterError

        if obj is None:
            return
        if not isinstance(obj, pd.DataFrame):
            raise InvalidParameterError(
                f"asset {context.asset_key.to_user_string()} returned a {type(obj).__name__}; "
                "IcebergIOManager stores DataFrames only: route other values to 'io_manager'"
            )
        dataset = _dataset_of(context)
        repo = self.versioning.repository(dataset)
        commit = repo.commit(
            obj,
            f"materialization of {context.asset_key.to_user_string()} (run {context.run_id})",
            {"run_id": context.run_id},
        )
        if commit.created:  # the asset body may have committed already (and set the data version)
            context.add_output_metadata(self.versioning.describe(repo, commit))
        if self.artifact_store is not None:
            stage = context.asset_key.path[-1]
            path = self.artifact_store.write_parquet(dataset, f"{stage}.parquet", obj)
            context.add_output_metadata({"path": dg.MetadataValue.path(path)})

    def load_input(self, context: dg.InputContext) -> pd.DataFrame:
        return self.versioning.load(_dataset_of(context))


def lineage_inputs(context: dg.AssetExecutionContext, dataset: str) -> dict[str, Any]:
    """What the lineage chain needs from earlier materializations: the source's content hash
    and the model's MLflow run id (read from their latest materialization metadata)."""
    out: dict[str, Any] = {}
    for stage, key, name in (
        ("raw_source", "content_hash", "source_hash"),
        ("synthesis_model", "mlflow_run_id", "mlflow_run_id"),
    ):
        event = context.instance.get_latest_materialization_event(dg.AssetKey([dataset, stage]))
        if event is not None and event.asset_materialization is not None:
            value = event.asset_materialization.metadata.get(key)
            if value is not None:
                out[name] = str(value.value)
    return out


def publish_synthetic(
    context: dg.AssetExecutionContext,
    versioning: VersioningResource,
    dataset: str,
    df: pd.DataFrame,
    *,
    model: Any,
    schema: Any,
    params: dict[str, Any],
) -> tuple[Commit, dict[str, Any]]:
    """Commit a synthetic version with its lineage chain (source hash -> schema -> model,
    with its MLflow run when there is one -> generation); return the commit and the
    materialization metadata (snapshot id, table location, diff, lineage)."""
    from genesis.lineage import synthesis_chain

    found = lineage_inputs(context, dataset)
    source = found.get("source_hash") or getattr(model, "training_fingerprint_", None) or "unknown"
    chain = synthesis_chain(
        source=source,
        source_name=f"{dataset}/raw_source",
        schema=schema,
        model=model,
        synthetic=df,
        generation_params=params,
        mlflow_run_id=found.get("mlflow_run_id"),
    )
    message = f"{dataset}: {len(df)} synthetic rows ({getattr(model, 'method', '?')}, run {context.run_id})"
    return versioning.publish(
        dataset,
        df,
        message,
        metadata={"run_id": context.run_id, **params},
        lineage=chain,
    )


def record_checks(
    versioning: VersioningResource,
    dataset: str,
    checks: list[dict[str, Any]],
    ref: Any = None,
) -> str | None:
    """Append check blocks (quality, privacy...) to the lineage of a version (default: the
    branch head) once the checks have run; return the extended chain's path, or None when
    the dataset has no version yet (its synthetic rows did not go through the repository).

    Each check: ``{"check": "privacy", "metrics": {...}, "passed": True, "threshold": x}``.
    The extended chain is stored beside the table and attached to the commit as the note
    ``lineage`` (the snapshot summary keeps pointing at the chain as committed).
    """
    repo = versioning.repository(dataset)
    try:
        commit = repo.get_commit(ref)
    except SourceNotFoundError:
        return None
    for _ in range(5):
        before = repo.notes(commit.hash).get(LINEAGE_NOTE)
        chain = read_lineage(versioning, dataset, commit.hash)
        for check in checks:
            chain.add_quality_check(
                check.get("metrics", {}),
                bool(check.get("passed")),
                check.get("threshold"),
                check=str(check.get("check", "quality")),
            )
        path = repo.write_file(f"lineage/{chain.latest_hash}.json", chain.to_json().encode())
        if repo.notes(commit.hash).get(LINEAGE_NOTE) == before:  # nobody extended it meanwhile
            repo.set_note(commit.hash, LINEAGE_NOTE, path)
            return path
    raise DataWriteError(
        f"the lineage of {dataset} version {commit.hash} kept changing while checks were "
        "recorded; record them again"
    )


def read_lineage(versioning: VersioningResource, dataset: str, ref: Any = None) -> Any:
    """The lineage chain of a version (default: the branch head), with the checks recorded
    after the commit when there are any."""
    from genesis.lineage import LineageChain

    repo = versioning.repository(dataset)
    commit = repo.get_commit(ref)
    path = repo.notes(commit.hash).get(LINEAGE_NOTE) or commit.metadata.get("lineage")
    if not path:
        raise SourceNotFoundError(
            f"version {commit.hash} of {dataset!r} has no lineage chain; it was committed "
            "outside the Dagster chain"
        )
    return LineageChain.from_json(repo.read_file(path).decode("utf-8"))


__all__ = [
    "IcebergIOManager",
    "VersioningResource",
    "lineage_inputs",
    "publish_synthetic",
    "read_lineage",
    "record_checks",
]
