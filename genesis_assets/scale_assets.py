"""Chunked generation at scale: ``large_synthetic``, partitioned by chunk, and its manifest.

A dataset with ``scale: {rows, chunk_rows}`` in ``genesis.yaml`` (see
:mod:`genesis_assets.scale_config`) gets two assets downstream of ``synthesis_model``:

- ``<dataset>/large_synthetic``, one static partition per chunk (``"0"``, ``"1"``, ... zero
  padded to one width). Materializing partition ``i`` writes chunk ``i`` of the plan with
  :func:`genesis.generators.chunked.write_chunk` into the project's storage (a local folder or
  S3: ``<artifact root>/<dataset>/large_synthetic/part-<i>.parquet``), drawn from a seed derived
  from ``(seed, i)`` only. A backfill of all partitions therefore runs the chunks in parallel
  on whatever the deployment runs (local processes, one Kubernetes pod per run), a failed
  chunk is re-run alone, and a re-run rewrites the same bytes. Metadata: rows, bytes, rows/s,
  path, SHA-256, the model's fingerprint.
- ``<dataset>/large_synthetic_manifest``, written last (requested by the sensor
  ``large_synthetic_manifests`` once every chunk exists and none is running, or materialized
  by hand): it reads each chunk's latest materialization from the instance, refuses (naming
  them) chunks never materialized or made by another model, removes chunk files of an earlier,
  larger plan, and calls :func:`~genesis.generators.chunked.write_manifest`, which checks every
  file's rows and writes ``_manifest.json``.

With ``scale: {executor: dask}``, ``large_synthetic`` is one unpartitioned asset instead: its
run hands every chunk to the ``dask`` resource (:class:`genesis_resources.dask.DaskResource`)
and writes the manifest itself.

These assets carry the tag ``genesis/scale`` and stay out of ``materialize_all``, the nightly
refresh and drift runs: generating 100M rows is asked for, never a side effect of a refit.
Each dataset gets the job ``<dataset>_large_synthetic`` (the partitioned asset) to backfill
from the UI or with ``dagster job backfill``.
"""

from typing import Any

import dagster as dg

from genesis_assets.config import DatasetConfig, GenesisConfig
from genesis_assets.keys import stage_inputs
from genesis_resources.dask import DaskResource
from genesis_resources.storage import ArtifactStore

#: asset name of the chunked output, and of its manifest
STAGE = "large_synthetic"
MANIFEST_STAGE = "large_synthetic_manifest"
#: tag of the chunked-generation assets (kept out of the refresh selection)
SCALE_TAG = "genesis/scale"
#: metadata key of the model fingerprint each chunk was generated from
MODEL_KEY = "model_sha256"


def chunk_plan(ds: DatasetConfig) -> Any:
    """The :class:`~genesis.generators.chunked.ChunkPlan` of the dataset's ``scale``."""
    from genesis.generators.chunked import ChunkPlan

    scale = ds.large
    seed = ds.seed if scale.seed is None else scale.seed
    return ChunkPlan(n_rows=scale.rows, chunk_rows=scale.chunk_rows, seed=seed)


def partition_key(index: int, n_chunks: int) -> str:
    """The partition of chunk ``index``: zero-padded so the UI sorts chunks in order."""
    return str(index).zfill(len(str(n_chunks - 1)))


def destination(store: ArtifactStore, ds: DatasetConfig) -> str:
    """Where the chunks go: ``<artifact root>/<dataset>/large_synthetic`` (a folder or S3)."""
    return store.path_for(ds.name, STAGE)


def build_scale_assets(ds: DatasetConfig) -> list[dg.AssetsDefinition]:
    """The chunked-generation assets of ``ds`` (none without ``scale: {rows, ...}``)."""
    if ds.large is None:
        return []
    if ds.large.executor == "dask":
        return [_dask_asset(ds)]
    return [_chunk_asset(ds), _manifest_asset(ds)]


def build_scale_jobs(config: GenesisConfig) -> list:
    """``<dataset>_large_synthetic`` per dataset with ``scale``: the asset to backfill."""
    return [
        dg.define_asset_job(
            f"{ds.name}_large_synthetic",
            selection=dg.AssetSelection.assets(dg.AssetKey([ds.name, STAGE])),
            description=f"Generate the {ds.large.rows:,} rows of {ds.name}/large_synthetic: "
            "backfill every partition (one chunk each), then materialize the manifest.",
        )
        for ds in config.datasets
        if ds.large is not None
    ]


def build_scale_sensors(config: GenesisConfig) -> list:
    """``large_synthetic_manifests``: evaluates the manifests' automation condition (running
    from the start), so the manifest follows a backfill of the chunks on its own."""
    if not any(
        ds.large is not None and ds.large.executor == "partitions" for ds in config.datasets
    ):
        return []
    return [
        dg.AutomationConditionSensorDefinition(
            "large_synthetic_manifests",
            target=dg.AssetSelection.tag(SCALE_TAG, "manifest"),
            default_status=dg.DefaultSensorStatus.RUNNING,
            minimum_interval_seconds=60,
            description="Writes each dataset's large_synthetic_manifest once every chunk of "
            "large_synthetic exists and none is running.",
        )
    ]


def scale_keys(config: GenesisConfig) -> set[dg.AssetKey]:
    """Every chunked-generation asset key (kept out of drift runs)."""
    return {
        dg.AssetKey([ds.name, stage])
        for ds in config.datasets
        if ds.large is not None
        for stage in (STAGE, MANIFEST_STAGE)
    }


def _description(ds: DatasetConfig) -> str:
    scale, plan = ds.large, chunk_plan(ds)
    return (
        f"{scale.rows:,} synthetic rows of '{ds.name}' in {plan.n_chunks:,} chunks of "
        f"{scale.chunk_rows:,} rows (Parquet, seed {plan.seed})"
    )


def _chunk_asset(ds: DatasetConfig) -> dg.AssetsDefinition:
    plan = chunk_plan(ds)
    keys = [partition_key(i, plan.n_chunks) for i in range(plan.n_chunks)]

    @dg.asset(
        key_prefix=[ds.name],
        name=STAGE,
        group_name=ds.name,
        partitions_def=dg.StaticPartitionsDefinition(keys),
        ins=stage_inputs(ds.name, "synthesis_model"),
        kinds={"parquet"},
        tags={SCALE_TAG: "chunked"},
        code_version=ds.version_of("scale", "seed"),
        description=_description(ds) + ", one partition per chunk: backfill them (in parallel "
        "on any executor), then materialize large_synthetic_manifest.",
    )
    def large_synthetic(
        context: dg.AssetExecutionContext, artifact_store: ArtifactStore, synthesis_model
    ) -> dg.MaterializeResult:
        from genesis.generators.chunked import model_fingerprint, write_chunk

        index = keys.index(context.partition_key)
        result = write_chunk(
            synthesis_model,
            destination(artifact_store, ds),
            plan,
            index,
            storage_options=artifact_store.storage_options(),
        )
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": result.rows,
                "chunk": index,
                "rows": result.rows,
                "bytes": result.bytes,
                "seconds": round(result.seconds, 3),
                "rows_per_second": round(result.rows / result.seconds) if result.seconds else 0,
                "seed": plan.seed_of(index),
                "sha256": result.sha256,
                MODEL_KEY: model_fingerprint(synthesis_model),
                "path": dg.MetadataValue.path(result.path),
            }
        )

    return large_synthetic


def _manifest_asset(ds: DatasetConfig) -> dg.AssetsDefinition:
    plan = chunk_plan(ds)
    chunks_key = dg.AssetKey([ds.name, STAGE])

    @dg.asset(
        key_prefix=[ds.name],
        name=MANIFEST_STAGE,
        group_name=ds.name,
        deps=[chunks_key],
        ins=stage_inputs(ds.name, "synthesis_model"),
        kinds={"parquet"},
        tags={SCALE_TAG: "manifest"},
        code_version=ds.version_of("scale", "seed"),
        # written by the automation daemon once every chunk exists and no chunk is running;
        # a refit of the model alone does not request it (its chunks are then stale)
        automation_condition=dg.AutomationCondition.eager().ignore(
            dg.AssetSelection.assets(dg.AssetKey([ds.name, "synthesis_model"]))
        ),
        description=f"The manifest of {ds.name}/large_synthetic, written last: every chunk's "
        "file, rows, bytes and SHA-256. Fails, naming them, while chunks are missing or were "
        "generated by another model.",
    )
    def large_synthetic_manifest(
        context: dg.AssetExecutionContext, artifact_store: ArtifactStore, synthesis_model
    ) -> dg.MaterializeResult:
        from genesis.generators.chunked import model_fingerprint, write_manifest

        found = latest_chunks(context.instance, chunks_key, plan.n_chunks)
        current = model_fingerprint(synthesis_model)
        missing = [i for i in range(plan.n_chunks) if i not in found]
        older = sorted(i for i, (_, sha) in found.items() if sha != current)
        if missing or older:
            raise dg.Failure(_incomplete(ds, plan.n_chunks, missing, older))
        results = [found[i][0] for i in range(plan.n_chunks)]
        where = destination(artifact_store, ds)
        options = artifact_store.storage_options()
        _remove_stale_parts(where, plan, options)
        path = write_manifest(where, plan, results, synthesis_model, storage_options=options)
        return dg.MaterializeResult(metadata=_totals(results, path, where))

    return large_synthetic_manifest


def _dask_asset(ds: DatasetConfig) -> dg.AssetsDefinition:
    plan = chunk_plan(ds)

    @dg.asset(
        key_prefix=[ds.name],
        name=STAGE,
        group_name=ds.name,
        ins=stage_inputs(ds.name, "synthesis_model"),
        kinds={"parquet", "dask"},
        tags={SCALE_TAG: "dask"},
        code_version=ds.version_of("scale", "seed"),
        description=_description(ds) + ", every chunk on the 'dask' resource's cluster in one "
        "run, the manifest written last.",
    )
    def large_synthetic(
        context: dg.AssetExecutionContext,
        artifact_store: ArtifactStore,
        dask: DaskResource,
        synthesis_model,
    ) -> dg.MaterializeResult:
        where = destination(artifact_store, ds)

        def progress(result) -> None:
            context.log.info(f"chunk {result.index} of {plan.n_chunks}: {result.rows:,} rows")

        out = dask.generate_to(
            synthesis_model,
            where,
            plan.n_rows,
            chunk_rows=plan.chunk_rows,
            seed=plan.seed,
            storage_options=artifact_store.storage_options(),
            progress=progress,
            overwrite=True,  # a new materialization replaces the previous model's output
        )
        metadata = _totals(list(out.chunks), out.manifest, where)
        metadata["rows_per_second"] = round(out.rows_per_second)
        metadata["seconds"] = round(out.seconds, 3)
        return dg.MaterializeResult(metadata=metadata)

    return large_synthetic


def latest_chunks(instance: dg.DagsterInstance, key: dg.AssetKey, n_chunks: int) -> dict:
    """``{chunk index: (ChunkResult, model fingerprint)}`` from the latest materialization of
    each partition of ``key`` in ``instance`` (chunks never materialized are absent)."""
    from genesis.generators.chunked import ChunkResult

    found: dict[int, tuple[Any, str]] = {}
    cursor = None
    while True:
        page = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=key), limit=1000, cursor=cursor
        )
        for record in page.records:  # newest first: the first seen per chunk is the latest
            event = record.asset_materialization
            meta = {k: v.value for k, v in event.metadata.items()}
            index = meta.get("chunk")
            if index is None or index in found or index >= n_chunks:
                continue
            found[index] = (
                ChunkResult(
                    index=index,
                    rows=int(meta["rows"]),
                    bytes=int(meta["bytes"]),
                    seconds=float(meta["seconds"]),
                    path=str(meta["path"]),
                    sha256=str(meta.get("sha256", "")),
                ),
                str(meta.get(MODEL_KEY, "")),
            )
        if not page.has_more or len(found) == n_chunks:
            return found
        cursor = page.cursor


def _incomplete(ds: DatasetConfig, n_chunks: int, missing: list[int], older: list[int]) -> str:
    def shown(indexes: list[int]) -> str:
        keys = [partition_key(i, n_chunks) for i in indexes]
        return ", ".join(keys[:20]) + (f" ... ({len(keys)} in all)" if len(keys) > 20 else "")

    parts = []
    if missing:
        parts.append(
            f"{len(missing)} of {n_chunks} chunks were never materialized ({shown(missing)})"
        )
    if older:
        parts.append(
            f"{len(older)} chunks were generated by another synthesis_model ({shown(older)})"
        )
    return (
        f"{ds.name}/large_synthetic is incomplete: {'; '.join(parts)}; backfill those "
        f"partitions of {ds.name}/large_synthetic, then materialize the manifest again"
    )


def _remove_stale_parts(where: str, plan: Any, options: dict | None) -> None:
    """Chunk files past the plan's last chunk (left by a larger earlier plan) would be read as
    part of the table: remove them before the manifest declares the folder complete."""
    from genesis.generators.chunk_store import ChunkStore

    store = ChunkStore(where, options)
    wanted = {plan.file_name(i) for i in range(plan.n_chunks)}
    for name in store.names():
        if name.startswith("part-") and name.endswith(".parquet") and name not in wanted:
            store.remove(name)


def _totals(results: list, manifest: str, where: str) -> dict[str, Any]:
    rows = sum(r.rows for r in results)
    seconds = sum(r.seconds for r in results)
    return {
        "dagster/row_count": rows,
        "rows": rows,
        "chunks": len(results),
        "bytes": sum(r.bytes for r in results),
        # the throughput of one worker: rows over the summed time of every chunk
        "rows_per_second": round(rows / seconds) if seconds else 0,
        "manifest": dg.MetadataValue.path(manifest),
        "path": dg.MetadataValue.path(where),
    }


__all__ = [
    "MANIFEST_STAGE",
    "SCALE_TAG",
    "STAGE",
    "build_scale_assets",
    "build_scale_jobs",
    "build_scale_sensors",
    "chunk_plan",
    "latest_chunks",
    "partition_key",
    "scale_keys",
]
