"""Chunked generation into an Iceberg table: chunk data files first, then one commit.

The catalog opens as :meth:`genesis.versioning.DatasetRepository.init` opens it
(both call :func:`genesis.versioning.catalog.open_catalog`): ``destination`` is a local folder
(an embedded SQLite catalog and warehouse in it) or, with ``catalog`` settings, the warehouse
URI. The chunks are written with the same :func:`~genesis.generators.chunked.write_chunk`
as Parquet output (converted to the table's Arrow schema) into a folder of the table's
location named after the plan, with the same plan, resume and manifest rules; then
PyIceberg's ``add_files`` registers them all in one snapshot, whose summary records the
plan. Readers of the table see none of the rows until that commit, then all of them.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from genesis.errors import DestinationConflictError, InvalidParameterError
from genesis.generators.chunk_store import ChunkStore

#: the namespace of chunked tables (the one Genesis repositories use)
NAMESPACE = "genesis"
#: the snapshot summary key holding the plan's hash
PLAN_KEY = "genesis.chunked-plan"


def open_table(destination: str, table: str, catalog: dict | str | None, arrow_schema: Any):
    """The Iceberg table ``genesis.<table>`` of the catalog at ``destination`` (created with
    ``arrow_schema`` when missing)."""
    from genesis.io.urls import redact_url
    from genesis.versioning.catalog import open_catalog

    if not isinstance(table, str) or not table.replace("_", "a").isalnum():
        raise InvalidParameterError(
            f"table name {table!r} must hold only letters, digits and '_'; rename it"
        )
    loaded = open_catalog(str(destination), catalog)
    from pyiceberg.exceptions import NoSuchTableError

    try:
        return loaded.load_table((NAMESPACE, table))
    except NoSuchTableError:
        if arrow_schema is None:
            raise InvalidParameterError(
                f"there is no Iceberg table {NAMESPACE}.{table} at {redact_url(str(destination))!r}; "
                "generate it first with generate_to(..., format='iceberg')"
            ) from None
    loaded.create_namespace_if_not_exists(NAMESPACE)
    return loaded.create_table_if_not_exists((NAMESPACE, table), schema=arrow_schema)


def _table_schema(model: Any, seed: int) -> Any:
    """The Arrow schema of the model's rows as Iceberg stores them."""
    from genesis.io.write import parquet_ready
    from genesis.schema.logical import restore_types
    from genesis.versioning.catalog import to_arrow

    sample = model.generate(64, seed=seed)
    schema = getattr(model, "schema_", None)
    frame = restore_types(sample, schema) if schema is not None else sample
    return to_arrow(parquet_ready(frame)).schema


def generate_iceberg(
    model: Any,
    destination: str,
    plan: Any,
    conditions: Any,
    *,
    table: str = "synthetic",
    catalog: dict | str | None = None,
    executor: Any = None,
    storage_options: dict | None = None,
    progress: Callable[[Any], None] | None = None,
    overwrite: bool = False,
) -> Any:
    """``generate_to(..., format="iceberg")``: see the module docstring.

    Running again with the same plan after the commit does nothing; a table that holds
    other rows is refused unless ``overwrite`` (then the commit replaces them).
    """
    from genesis.generators.chunk_executors import run_chunks
    from genesis.generators.chunked import (
        _identity,
        _output_of,
        model_fingerprint,
        prepare_destination,
        read_manifest,
        write_manifest,
    )

    started = time.perf_counter()
    identity = _identity(plan, model_fingerprint(model), conditions, "iceberg")
    plan_hash = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]
    arrow_schema = _table_schema(model, plan.seed)
    iceberg = open_table(destination, table, catalog, arrow_schema)
    current = iceberg.current_snapshot()
    committed = current is not None and current.summary.additional_properties.get(PLAN_KEY)
    location = f"{iceberg.location().rstrip('/')}/data/chunked-{plan_hash}"
    store = ChunkStore(location, storage_options)
    if committed == plan_hash:
        manifest = read_manifest(location, storage_options)
        out = _output_of(store, manifest, time.perf_counter() - started, reused=plan.n_chunks)
        return _iceberg_output(out, table, current.snapshot_id)
    if current is not None and iceberg.scan().count() > 0 and not overwrite:
        raise DestinationConflictError(
            f"the Iceberg table {NAMESPACE}.{table} at {destination!r} already holds rows from "
            "another run; give another table=, or pass overwrite=True to replace its rows in "
            "the commit"
        )
    schema = iceberg.schema().as_arrow()
    manifest, todo = prepare_destination(store, plan, identity, overwrite=overwrite)
    results = []
    if manifest is None:
        results = run_chunks(
            model.to_bytes(), store.destination, plan, todo, conditions=conditions,
            storage_options=storage_options, executor=executor, progress=progress,
            arrow_schema=schema,
        )  # fmt: skip
        write_manifest(
            store.destination, plan, results, model, conditions=conditions,
            storage_options=storage_options, format="iceberg",
            fingerprint=identity["model"]["sha256"],
        )  # fmt: skip
        manifest = read_manifest(store.destination, storage_options)
    files = [f"{location}/{c['file']}" for c in manifest["chunks"]]
    snapshot_id = _commit(iceberg, files, plan_hash, replace=current is not None)
    out = _output_of(
        store, manifest, time.perf_counter() - started, reused=plan.n_chunks - len(results),
        timings={r.index: r.seconds for r in results},
    )  # fmt: skip
    return _iceberg_output(out, table, snapshot_id)


def _commit(iceberg: Any, files: list[str], plan_hash: str, *, replace: bool) -> int:
    """Add ``files`` to the table in one transaction (deleting its rows first if
    ``replace``); returns the snapshot id."""
    from pyiceberg.expressions import AlwaysTrue

    with iceberg.transaction() as tx:
        if replace:
            tx.delete(AlwaysTrue())
        tx.add_files(files, snapshot_properties={PLAN_KEY: plan_hash})
    return iceberg.refresh().current_snapshot().snapshot_id


def _iceberg_output(out: Any, table: str, snapshot_id: int) -> Any:
    from dataclasses import replace

    return replace(out, format="iceberg", table=f"{NAMESPACE}.{table}", snapshot_id=snapshot_id)


__all__ = ["PLAN_KEY", "generate_iceberg", "open_table"]
