"""Chunked generation: many synthetic rows as one Parquet file per chunk, identical wherever
the chunks run.

A :class:`ChunkPlan` cuts ``n_rows`` into chunks of ``chunk_rows``; chunk ``i`` is drawn with
:func:`genesis.generators.seeding.chunk_seed` ``(seed, i)`` and nothing else (the seeds of
:meth:`~genesis.generators.base.BaseSynthesizer.generate_chunks`), so a chunk written in this
process, in a worker process, on a Dask worker or in a Kubernetes pod has the same bytes, and
any chunk can be regenerated alone. :func:`write_chunk` writes one chunk atomically;
:func:`write_manifest` is written last and lists every chunk with its rows, bytes and
SHA-256; :func:`generate_to` does both, on an executor of your choice::

    from genesis.generators.chunked import generate_to
    out = generate_to(model, "s3://bucket/adult-100m", 100_000_000, executor=2,
                      storage_options={...})

Layout of a destination folder::

    _plan.json          the plan (written first: a killed run resumes only with the same plan)
    part-00000.parquet  chunk 0 ... (one file per chunk, each written whole)
    _manifest.json      written last: the output is complete when it exists

Readers that skip names starting with ``_`` or ``.`` (pyarrow, Spark, DuckDB, pandas) read
the folder as one table.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from genesis.errors import (
    DestinationConflictError,
    IncompleteOutputError,
    InvalidParameterError,
    UnsupportedFormatError,
)
from genesis.generators.chunk_store import ChunkStore, parquet_bytes, sha256
from genesis.generators.seeding import chunk_seed
from genesis.validation import require_int, require_seed

#: the manifest's name in a destination folder (written last)
MANIFEST_NAME = "_manifest.json"
#: the plan's name in a destination folder (written first)
PLAN_NAME = "_plan.json"
#: the manifest's ``format`` field; a reader refuses other versions
MANIFEST_FORMAT = "genesis-chunked/1"
#: output formats of :func:`generate_to`
FORMATS = ("parquet", "iceberg")
#: rows per chunk when none is given
CHUNK_ROWS = 1_000_000
_PART = re.compile(r"part-\d+\.parquet")


@dataclass(frozen=True)
class ChunkPlan:
    """``n_rows`` rows cut into chunks of ``chunk_rows`` (the last may be short), seeded
    ``seed``."""

    n_rows: int
    chunk_rows: int
    seed: int

    def __post_init__(self) -> None:
        require_int(self.n_rows, "n_rows", 1)
        require_int(self.chunk_rows, "chunk_rows", 1)
        if require_seed(self.seed) is None:
            raise InvalidParameterError("seed must be a non-negative integer, got None")

    @property
    def n_chunks(self) -> int:
        """How many chunks the plan has."""
        return -(-self.n_rows // self.chunk_rows)

    def _check(self, index: int) -> int:
        if isinstance(index, bool) or not hasattr(index, "__index__"):
            raise InvalidParameterError(f"chunk index must be an integer, got {index!r}")
        index = int(index)
        if not 0 <= index < self.n_chunks:
            raise InvalidParameterError(
                f"chunk index {index} is outside this plan's chunks 0..{self.n_chunks - 1}"
            )
        return index

    def rows_of(self, index: int) -> int:
        """Rows of chunk ``index`` (``chunk_rows``, or fewer for the last chunk)."""
        index = self._check(index)
        return min(self.chunk_rows, self.n_rows - index * self.chunk_rows)

    def seed_of(self, index: int) -> int:
        """The seed of chunk ``index``: ``chunk_seed(seed, index)``, nothing else."""
        return chunk_seed(self.seed, self._check(index))

    def file_name(self, index: int) -> str:
        """The file of chunk ``index``, e.g. ``part-00007.parquet`` (same width for every
        chunk of the plan, so names sort in chunk order)."""
        width = max(5, len(str(self.n_chunks - 1)))
        return f"part-{self._check(index):0{width}d}.parquet"

    def to_dict(self) -> dict[str, int]:
        """The plan as JSON-ready fields (with ``n_chunks``)."""
        return {**asdict(self), "n_chunks": self.n_chunks}


@dataclass(frozen=True)
class ChunkResult:
    """One written chunk: its index, rows, size, SHA-256, time taken and path or URL."""

    index: int
    rows: int
    bytes: int
    seconds: float
    path: str
    sha256: str = field(default="")


@dataclass(frozen=True)
class ChunkedOutput:
    """What :func:`generate_to` wrote."""

    destination: str
    format: str
    rows: int
    bytes: int
    chunks: tuple[ChunkResult, ...]
    seconds: float
    manifest: str
    #: chunks already complete from an earlier run with the same plan (not regenerated)
    reused: int = 0
    #: Iceberg only: the table identifier and the snapshot of the one commit
    table: str | None = None
    snapshot_id: int | None = None

    @property
    def rows_per_second(self) -> float:
        """Rows written per second of this call (0 when nothing was generated)."""
        return self.rows / self.seconds if self.seconds > 0 else 0.0


# --- the model ------------------------------------------------------------------------------


def model_fingerprint(model: Any) -> str:
    """SHA-256 of the model's bytes (``model.to_bytes()``; ``model`` may be those bytes)."""
    return sha256(model if isinstance(model, bytes | bytearray) else model.to_bytes())


def _method(model: Any) -> str:
    if isinstance(model, bytes | bytearray):
        from genesis.generators.persistence import read_model

        header, _ = read_model(bytes(model), payload=False)
        return str(header.get("method"))
    return str(getattr(model, "method", type(model).__name__))


def _conditions_text(conditions: Any) -> str | None:
    return None if conditions is None else str(conditions)


# --- one chunk ------------------------------------------------------------------------------


def write_chunk(
    model: Any,
    destination: str | os.PathLike[str],
    plan: ChunkPlan,
    index: int,
    *,
    conditions: Any = None,
    storage_options: dict | None = None,
) -> ChunkResult:
    """Generate chunk ``index`` of ``plan`` with ``plan.seed_of(index)`` and write it to
    ``destination`` as ``plan.file_name(index)``.

    The file is written whole (a local temporary file renamed into place; on S3 one PUT of
    the finished object), so a reader never sees half a chunk; writing it again writes the
    same bytes. ``model``: a fitted ``SyntheticGenerator`` or synthesizer.
    """
    started = time.perf_counter()
    rows = plan.rows_of(index)
    frame = model.generate(rows, seed=plan.seed_of(index), conditions=conditions)
    data = parquet_bytes(frame, getattr(model, "schema_", None))
    del frame
    store = ChunkStore(destination, storage_options)
    path = store.put(plan.file_name(index), data)
    return ChunkResult(
        index=int(index),
        rows=rows,
        bytes=len(data),
        seconds=time.perf_counter() - started,
        path=path,
        sha256=sha256(data),
    )


# --- the manifest ---------------------------------------------------------------------------


def _identity(plan: ChunkPlan, model_sha: str, conditions: Any, fmt: str) -> dict[str, Any]:
    """What makes two runs the same output: plan, model, conditions, format."""
    return {
        "format": MANIFEST_FORMAT,
        "output_format": fmt,
        "plan": plan.to_dict(),
        "conditions": _conditions_text(conditions),
        "model": {"sha256": model_sha},
    }


def _same(found: dict[str, Any], identity: dict[str, Any]) -> bool:
    return all(found.get(k) == v for k, v in identity.items() if k != "model") and (
        found.get("model", {}).get("sha256") == identity["model"]["sha256"]
    )


def write_manifest(
    destination: str | os.PathLike[str],
    plan: ChunkPlan,
    results: Iterable[ChunkResult],
    model: Any,
    *,
    conditions: Any = None,
    storage_options: dict | None = None,
    format: str = "parquet",
) -> str:
    """Write ``_manifest.json`` once every chunk of ``plan`` is in ``destination``; returns
    its path or URL.

    ``results`` are the :class:`ChunkResult` of the chunks written (any order, from any
    process); a chunk not among them is looked up in the destination (its Parquet footer),
    so the manifest can be written by a process that wrote no chunk. The manifest lists
    each chunk's file, rows, bytes and SHA-256, the plan, the conditions and the model's
    fingerprint; it holds no time, so equal outputs have equal manifests.

    Raises:
        IncompleteOutputError: chunks are missing or hold the wrong number of rows (named).
    """
    store = ChunkStore(destination, storage_options)
    known = {r.index: r for r in results}
    chunks, missing = [], []
    for index in range(plan.n_chunks):
        name, rows = plan.file_name(index), plan.rows_of(index)
        result = known.get(index)
        size = store.size(name)
        if result is not None and size == result.bytes and result.rows == rows and result.sha256:
            digest = result.sha256
        else:
            data = store.get(name)
            if data is None or _rows_in(data) != rows:
                missing.append(index)
                continue
            size, digest = len(data), sha256(data)
        chunks.append({"index": index, "file": name, "rows": rows, "bytes": size, "sha256": digest})
    if missing:
        shown = ", ".join(map(str, missing[:20])) + (" ..." if len(missing) > 20 else "")
        raise IncompleteOutputError(
            f"{len(missing)} of {plan.n_chunks} chunks are missing or incomplete in "
            f"{store.shown()!r}: {shown}; regenerate them with write_chunk(model, destination, "
            "plan, index) (or run generate_to again, which resumes) before writing the manifest"
        )
    manifest = {
        **_identity(plan, model_fingerprint(model), conditions, format),
        "rows": plan.n_rows,
        "bytes": sum(c["bytes"] for c in chunks),
        "chunks": chunks,
    }
    manifest["model"].update(method=_method(model))
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    return store.put(MANIFEST_NAME, text.encode("utf-8"))


def _rows_in(data: bytes) -> int | None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.read_metadata(pa.BufferReader(data)).num_rows
    except Exception:
        return None


def read_manifest(
    destination: str | os.PathLike[str], storage_options: dict | None = None
) -> dict[str, Any] | None:
    """The manifest of a complete chunked output, or None when there is none yet."""
    data = ChunkStore(destination, storage_options).get(MANIFEST_NAME)
    return None if data is None else json.loads(data)


# --- the whole output -----------------------------------------------------------------------


def prepare_destination(
    store: ChunkStore,
    plan: ChunkPlan,
    identity: dict[str, Any],
    *,
    overwrite: bool = False,
) -> tuple[dict[str, Any] | None, list[int]]:
    """Check ``store`` may receive ``plan`` and say what is left to do.

    Returns ``(manifest, todo)``: the existing manifest when the same output is already
    complete (``todo`` empty), else None and the chunk indexes still to write (chunks a
    killed run of the same plan completed are kept). Leftover temporary files are removed.

    Raises:
        DestinationConflictError: the destination holds another plan's output (without
            ``overwrite``) or files Genesis did not write.
    """
    store.check_reachable()
    names = store.names()
    ours = {MANIFEST_NAME, PLAN_NAME}
    foreign = [
        n for n in names if n not in ours and not _PART.fullmatch(n) and n not in store.leftovers()
    ]
    if foreign:
        raise DestinationConflictError(
            f"{store.shown()!r} holds files Genesis did not write ({', '.join(foreign[:5])}); "
            "write chunked output to an empty folder or prefix of its own"
        )
    for leftover in store.leftovers():
        store.remove(leftover)
    recorded = None
    for name in (MANIFEST_NAME, PLAN_NAME):
        data = store.get(name) if name in names else None
        if data is not None:
            recorded = (name, json.loads(data))
            break
    if recorded is not None and not _same(recorded[1], identity):
        if not overwrite:
            before = recorded[1].get("plan", {})
            raise DestinationConflictError(
                f"{store.shown()!r} holds the output of another plan ({before}, conditions "
                f"{recorded[1].get('conditions')!r}, model {recorded[1].get('model', {}).get('sha256', '?')[:12]}); "
                "write to another destination, or pass overwrite=True (CLI: --overwrite) to replace it"
            )
        for name in names:
            if name in ours or _PART.fullmatch(name):
                store.remove(name)
        recorded, names = None, []
    elif recorded is None and any(_PART.fullmatch(n) for n in names):
        if not overwrite:
            raise DestinationConflictError(
                f"{store.shown()!r} holds chunk files but no plan or manifest, so they cannot be "
                "trusted; write to another destination, or pass overwrite=True to replace them"
            )
        for name in names:
            if _PART.fullmatch(name):
                store.remove(name)
        names = []
    if recorded is not None and recorded[0] == MANIFEST_NAME:
        return recorded[1], []
    if recorded is None:
        store.put(PLAN_NAME, (json.dumps(identity, indent=2, sort_keys=True) + "\n").encode())
    present = set(names)
    todo = [
        i
        for i in range(plan.n_chunks)
        if plan.file_name(i) not in present
        or store.parquet_rows(plan.file_name(i)) != plan.rows_of(i)
    ]
    return None, todo


def generate_to(
    model: Any,
    destination: str | os.PathLike[str],
    n_rows: int,
    chunk_rows: int = CHUNK_ROWS,
    seed: int | None = 0,
    conditions: Any = None,
    format: str = "parquet",
    *,
    executor: Any = None,
    storage_options: dict | None = None,
    progress: Callable[[ChunkResult], None] | None = None,
    overwrite: bool = False,
) -> ChunkedOutput:
    """Write ``n_rows`` synthetic rows of ``model`` to ``destination`` chunk by chunk.

    Args:
        model: a fitted ``SyntheticGenerator`` or synthesizer.
        destination: a local folder or fsspec URL (``s3://bucket/prefix``) for
            ``format="parquet"``; for ``format="iceberg"``, see
            :func:`genesis.generators.chunk_iceberg.commit_chunks`.
        n_rows, chunk_rows: rows in all and per chunk (integers >= 1); memory is bounded by
            one chunk per worker, never by ``n_rows``.
        seed: seed of the whole output (None: the model's); chunk ``i`` uses
            ``chunk_seed(seed, i)``.
        conditions: as in ``generate``, applied to every chunk.
        format: ``"parquet"`` (a folder of chunk files and a manifest) or ``"iceberg"``
            (chunk files, then one commit adding them all to a table).
        executor: None (this process), an int (that many worker processes), any
            ``concurrent.futures.Executor``, or a ``dask.distributed.Client``. Workers get the
            model as bytes once and keep it loaded; the output is byte-identical for all.
        storage_options: fsspec options of a remote destination (credentials, endpoint).
        progress: called with each :class:`ChunkResult` as it completes (in this process).
        overwrite: replace another plan's output in ``destination`` instead of refusing.

    Running again with the same arguments into a complete output does nothing and returns
    it; into an output a killed run left, it writes only the missing chunks.

    Raises:
        InvalidParameterError: ``n_rows`` or ``chunk_rows`` below 1, a bad seed or executor.
        UnsupportedFormatError: ``format`` is not one of :data:`FORMATS`.
        DestinationConflictError: ``destination`` holds another output (see ``overwrite``).
        DestinationUnreachableError: the destination's storage cannot be reached.
    """
    from genesis.generators.chunk_executors import run_chunks

    if format not in FORMATS:
        raise UnsupportedFormatError(
            f"format must be one of {list(FORMATS)}, got {format!r}; write a single file "
            "with model.generate_to('rows.parquet', n)"
        )
    if seed is None:
        seed = getattr(model, "seed", 0)
    plan = ChunkPlan(n_rows=n_rows, chunk_rows=chunk_rows, seed=seed)
    if format == "iceberg":
        from genesis.generators.chunk_iceberg import generate_iceberg

        return generate_iceberg(
            model, destination, plan, conditions, executor=executor,
            storage_options=storage_options, progress=progress, overwrite=overwrite,
        )  # fmt: skip
    started = time.perf_counter()
    data = model.to_bytes()
    identity = _identity(plan, sha256(data), conditions, format)
    store = ChunkStore(destination, storage_options)
    manifest, todo = prepare_destination(store, plan, identity, overwrite=overwrite)
    if manifest is not None:
        return _output_of(store, manifest, time.perf_counter() - started, reused=plan.n_chunks)
    results = run_chunks(
        data, store.destination, plan, todo, conditions=conditions,
        storage_options=storage_options, executor=executor, progress=progress,
    )  # fmt: skip
    write_manifest(
        store.destination, plan, results, data, conditions=conditions,
        storage_options=storage_options, format=format,
    )  # fmt: skip
    manifest = read_manifest(store.destination, storage_options)
    return _output_of(
        store, manifest, time.perf_counter() - started, reused=plan.n_chunks - len(todo),
        timings={r.index: r.seconds for r in results},
    )  # fmt: skip


def _output_of(
    store: ChunkStore,
    manifest: dict[str, Any],
    seconds: float,
    *,
    reused: int = 0,
    timings: dict[int, float] | None = None,
) -> ChunkedOutput:
    timings = timings or {}
    chunks = tuple(
        ChunkResult(
            index=c["index"],
            rows=c["rows"],
            bytes=c["bytes"],
            seconds=timings.get(c["index"], 0.0),
            path=store.where(c["file"]),
            sha256=c["sha256"],
        )  # fmt: skip
        for c in manifest["chunks"]
    )
    return ChunkedOutput(
        destination=store.destination,
        format=manifest.get("output_format", "parquet"),
        rows=int(manifest["rows"]),
        bytes=int(manifest["bytes"]),
        chunks=chunks,
        seconds=seconds,
        manifest=store.where(MANIFEST_NAME),
        reused=reused,
    )


__all__ = [
    "CHUNK_ROWS",
    "FORMATS",
    "MANIFEST_NAME",
    "PLAN_NAME",
    "ChunkPlan",
    "ChunkResult",
    "ChunkedOutput",
    "generate_to",
    "model_fingerprint",
    "prepare_destination",
    "read_manifest",
    "write_chunk",
    "write_manifest",
]
