"""The chain of a dataset of several tables linked by keys (``tables:`` in ``genesis.yaml``).

| asset | what it holds |
|---|---|
| ``raw_<table>`` (one multi-asset) | each real table (owner-only) |
| ``relational_schema`` | the keys: declared in genesis.yaml or inferred; the audited root |
| ``relational_model`` | the fitted ``RelationalSynthesizer`` (artifact store, owner-only) |
| ``synthetic_<table>`` (one multi-asset) | each synthetic table; all committed to Iceberg as one set |
| ``relational_quality_report``, ``privacy_audit`` | see :mod:`genesis_assets.relational_review_assets` |

The synthetic tables are generated together (children need their parents' fresh keys) and
versioned together: each is a snapshot of its own Iceberg table ``genesis.<dataset>__<table>``,
and :func:`genesis.versioning.commit_table_set` records the set (one set id naming every
table's snapshot) in a manifest written last. Each table's snapshot id is its asset's data
version; the set id is in every output's metadata and every report.
"""

import hashlib
import tempfile
from pathlib import Path
from typing import Any

import dagster as dg
import pandas as pd
from pydantic import Field

from genesis.errors import ConfigError
from genesis_assets.config import DatasetConfig
from genesis_assets.metadata import preview, table_shape
from genesis_assets.relational_config import relational_method, relationships_document
from genesis_assets.source_assets import PRIVATE
from genesis_resources import ArtifactStore
from genesis_resources.iceberg import VersioningResource

SCHEMA_STAGE, MODEL_STAGE = "relational_schema", "relational_model"
MODEL_FILE = f"{MODEL_STAGE}.model"


def raw_key(ds: DatasetConfig, table: str) -> list[str]:
    return [ds.name, f"raw_{table}"]


def synthetic_key(ds: DatasetConfig, table: str) -> list[str]:
    return [ds.name, f"synthetic_{table}"]


def table_inputs(ds: DatasetConfig, kind: str) -> dict[str, dg.AssetIn]:
    """``ins`` naming every ``raw_<table>`` or ``synthetic_<table>`` of the dataset."""
    key = raw_key if kind == "raw" else synthetic_key
    return {f"{kind}_{t}": dg.AssetIn(key=key(ds, t)) for t in ds.tables or {}}


def tables_of(values: dict[str, Any], kind: str) -> dict[str, pd.DataFrame]:
    """``{"raw_planes": df, ...}`` (the inputs of :func:`table_inputs`) as ``{"planes": df}``."""
    prefix = f"{kind}_"
    return {k[len(prefix) :]: v for k, v in values.items() if k.startswith(prefix)}


class RelationalGenerationConfig(dg.Config):
    """Run-time options of the synthetic tables (shown in the launchpad)."""

    scale: float | None = Field(
        None, gt=0, description="Rows of every table as a multiple of the real ones; empty: "
        "'scale' from genesis.yaml.",
    )  # fmt: skip
    seed: int | None = Field(None, ge=0, description="Generation seed; empty: the dataset's.")


def dataset_schema(ds: DatasetConfig, tables: dict[str, pd.DataFrame]):
    """The dataset's :class:`~genesis.relational.RelationalSchema`: its declared
    relationships, else inferred from ``tables``; checked against ``tables``."""
    from genesis.relational import RelationalSchema

    document = relationships_document(ds)
    if document is None:
        schema = RelationalSchema.infer(tables)
    else:
        columns = {t: list(df.columns) for t, df in tables.items()}
        schema = RelationalSchema(columns, document["relationships"], document.get("primary_keys"))
    schema.validate(tables)
    return schema


def audited_root(ds: DatasetConfig, schema: Any, tables: dict[str, pd.DataFrame]) -> str:
    """The table the privacy audit runs on: ``root`` from genesis.yaml, else the root
    table (no parent) with children and the most rows."""
    roots = schema.roots()
    if ds.root is not None:
        if ds.root not in roots:
            parents = sorted({r.parent for r in schema.parents_of(ds.root)})
            raise ConfigError(
                f"dataset {ds.name!r}, field 'root': {ds.root!r} has parent table(s) {parents}, "
                f"so the audit cannot hold out its families; use one of the roots {roots}"
            )
        return ds.root
    with_children = [t for t in roots if schema.children_of(t)] or roots
    return max(with_children, key=lambda t: (len(tables[t]), t))


def relationships_markdown(schema: Any) -> str:
    lines = ["| parent | key | child | key |", "|---|---|---|---|"]
    for r in schema.relationships:
        lines.append(
            f"| {r.parent} | {', '.join(r.parent_columns)} | {r.child} "
            f"| {', '.join(r.child_columns)} |"
        )
    return "\n".join(lines)


def store_model(store: ArtifactStore, dataset: str, model: Any) -> tuple[str, str]:
    """Save the fitted synthesizer into the artifact store (owner-only: it holds real
    values); return its path and a digest of its bytes (the asset's data version)."""
    with tempfile.TemporaryDirectory() as folder:
        data = Path(model.save(Path(folder) / MODEL_FILE)).read_bytes()
    path = store.write_bytes(dataset, MODEL_FILE, data, private=True)
    return path, hashlib.sha256(data).hexdigest()[:16]


def load_model(store: ArtifactStore, dataset: str):
    """The synthesizer :func:`store_model` saved."""
    from genesis.relational import RelationalSynthesizer

    return RelationalSynthesizer.load(store.read_bytes(dataset, MODEL_FILE))


def build_relational_assets(ds: DatasetConfig) -> list[dg.AssetsDefinition]:
    """Sources, keys, model and synthetic tables of a dataset of several tables."""
    names = list(ds.tables or {})
    prefix = [ds.name]

    @dg.multi_asset(
        outs={
            f"raw_{t}": dg.AssetOut(
                key=raw_key(ds, t),
                description=f"The real table {t!r}, read from {ds.tables[t]}.",
                kinds={"pandas"},
                metadata=PRIVATE,
                code_version=ds.version_of("tables", "read_options"),
            )
            for t in names
        },
        name=f"{ds.name}__raw_tables",
        group_name=ds.name,
    )
    def raw_tables():
        from genesis.io import fingerprint, read_table

        for table in names:
            df = read_table(ds.tables[table], **ds.read_options)
            content_hash = fingerprint(df)
            yield dg.Output(
                df,
                f"raw_{table}",
                data_version=dg.DataVersion(content_hash),
                metadata={
                    **table_shape(df),
                    "source": ds.tables[table],
                    "content_hash": content_hash,
                },
            )

    @dg.asset(
        key=[*prefix, SCHEMA_STAGE],
        group_name=ds.name,
        ins=table_inputs(ds, "raw"),
        code_version=ds.version_of("relationships", "primary_keys", "root"),
        description="The keys linking the tables (declared in genesis.yaml, else inferred: "
        "candidates by uniqueness and name, confirmed by containment) and the root table the "
        "privacy audit runs on.",
    )
    def relational_schema(**raw: pd.DataFrame) -> dg.Output[dict]:
        tables = tables_of(raw, "raw")
        schema = dataset_schema(ds, tables)
        root = audited_root(ds, schema, tables)
        return dg.Output(
            {"schema": schema.to_dict(), "root": root, "inferred": ds.relationships is None},
            metadata={
                "relationships": dg.MetadataValue.md(relationships_markdown(schema)),
                "rel_yaml": dg.MetadataValue.md(f"```yaml\n{schema.to_yaml()}```"),
                "inferred": ds.relationships is None,
                "roots": ", ".join(schema.roots()),
                "order": ", ".join(schema.order()),
                "audited_root": root,
            },
        )

    @dg.asset(
        key=[*prefix, MODEL_STAGE],
        group_name=ds.name,
        ins={**table_inputs(ds, "raw"), SCHEMA_STAGE: dg.AssetIn(key=[*prefix, SCHEMA_STAGE])},
        code_version=ds.version_of("method", "method_params", "seed", "holdout_fraction"),
        metadata=PRIVATE,
        description=f"The RelationalSynthesizer ('{relational_method(ds)}' per table) fitted on "
        "the real tables less the held-out families of the audited root (kept for the privacy "
        "audit's control); saved owner-only in the artifact store.",
    )
    def relational_model(
        artifact_store: ArtifactStore, relational_schema: dict, **raw: pd.DataFrame
    ) -> dg.MaterializeResult:
        from genesis.relational import RelationalSchema, RelationalSynthesizer
        from genesis.relational.flatten import split_by_root

        schema = RelationalSchema.from_dict(relational_schema["schema"])
        training, _ = split_by_root(
            tables_of(raw, "raw"), schema, relational_schema["root"], ds.holdout_fraction, ds.seed
        )
        model = RelationalSynthesizer(
            method=relational_method(ds), seed=ds.seed, **ds.method_params
        ).fit(training, schema)
        path, digest = store_model(artifact_store, ds.name, model)
        return dg.MaterializeResult(
            data_version=dg.DataVersion(digest),
            metadata={
                "method": relational_method(ds),
                "fit_seconds": round(float(model.fit_seconds_), 3),
                "training_rows": dg.MetadataValue.json({t: len(df) for t, df in training.items()}),
                "path": dg.MetadataValue.path(path),
            },
        )

    @dg.multi_asset(
        outs={
            f"synthetic_{t}": dg.AssetOut(
                key=synthetic_key(ds, t),
                description=f"The synthetic table {t!r}: a snapshot of the Iceberg table "
                f"genesis.{ds.name}__{t}, committed with the other tables as one set.",
                kinds={"pandas", "iceberg"},
                code_version=ds.version_of("scale", "seed"),
            )
            for t in names
        },
        name=f"{ds.name}__synthetic_tables",
        group_name=ds.name,
        deps=[dg.AssetKey([*prefix, MODEL_STAGE])],
    )
    def synthetic_tables(
        context: dg.AssetExecutionContext,
        config: RelationalGenerationConfig,
        artifact_store: ArtifactStore,
        versioning: VersioningResource,
    ):
        from genesis.relational.flatten import referential_integrity
        from genesis.versioning import commit_table_set

        model = load_model(artifact_store, ds.name)
        scale = ds.scale if config.scale is None else config.scale
        seed = ds.seed if config.seed is None else config.seed
        tables = model.generate(scale=scale, seed=seed)
        integrity = referential_integrity(tables, model.schema_)
        branch = versioning.branch_of(ds.name)
        repositories = {}
        for table in names:
            repositories[table] = versioning.repository(f"{ds.name}__{table}")
            repositories[table].checkout(branch, create=True)
        method = relational_method(ds)
        committed = commit_table_set(
            repositories,
            {t: tables[t] for t in names},
            f"{ds.name}: {len(names)} tables ({method}), run {context.run_id}",
            {"run_id": context.run_id, "method": method, "seed": seed, "scale": scale},
            name=ds.name,
        )
        for table in names:
            df = tables[table]
            valid = {k: v for k, v in integrity.items() if k.startswith(f"{table}.")}
            yield dg.Output(
                df,
                f"synthetic_{table}",
                data_version=dg.DataVersion(committed.snapshots[table]),
                metadata={
                    **table_shape(df),
                    "snapshot_id": committed.snapshots[table],
                    "set_id": committed.set_id,
                    "set_manifest": dg.MetadataValue.path(committed.manifest),
                    "new_snapshot": committed.created[table],
                    "branch": branch,
                    "method": method,
                    "seed": seed,
                    "scale": scale,
                    "foreign_keys_valid": dg.MetadataValue.json(valid),
                    "preview": preview(df),
                },
            )

    return [raw_tables, relational_schema, relational_model, synthetic_tables]
