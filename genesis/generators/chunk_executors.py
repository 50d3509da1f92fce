"""Running the chunks of a :class:`~genesis.generators.chunked.ChunkPlan` somewhere: in this
process, in worker processes, on any ``concurrent.futures.Executor`` or on a Dask cluster.

Every place runs the same :func:`~genesis.generators.chunked.write_chunk`; only the model
travels differently. A worker gets the model's bytes (``to_bytes()``) and keeps the loaded
model per process, keyed by the bytes' SHA-256, so it is unpickled once per process however
many chunks it writes. The parent receives only :class:`ChunkResult` records, never rows, so
its memory does not grow with the output. dask is imported only when a Dask client is given.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from genesis.errors import InvalidParameterError
from genesis.generators.chunk_store import sha256

#: models loaded in this (worker) process, by the SHA-256 of their bytes
_MODELS: dict[str, Any] = {}


def _load(key: str, data: bytes | None) -> Any:
    model = _MODELS.get(key)
    if model is None:
        if data is None:
            raise RuntimeError("worker started without the model's bytes")  # pragma: no cover
        from genesis.generators.base import BaseSynthesizer

        _MODELS.clear()  # one model per worker: a long-lived pool does not accumulate them
        model = _MODELS[key] = BaseSynthesizer.from_bytes(data)
    return model


def _glibc() -> Any:
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:  # not glibc (macOS, musl ...): nothing to trim
        return None


_LIBC: list[Any] = []


def _return_freed_memory() -> None:
    """Hand the memory a finished chunk freed back to the system: Arrow's pool keeps freed
    pages for reuse and glibc keeps freed heap, so a process between chunks would hold a
    chunk's worth it no longer uses (measured: 650 -> 200 MB resting RSS of a worker after
    a million copula rows, same speed).

    (A fixed low mmap threshold, ``mallopt(M_MMAP_THRESHOLD)``, lowers the peak within a
    chunk too, 760 -> 556 MB for a million copula rows, but costs 35% more CPU in page
    faults: smaller chunks are the cheaper way to a lower peak, 504 MB at 500,000 rows.)
    """
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    if not _LIBC:
        _LIBC.append(_glibc())
    if _LIBC[0] is not None:
        _LIBC[0].malloc_trim(0)


def _init_worker(key: str, data: bytes) -> None:
    _load(key, data)


def chunk_task(
    key: str,
    data: bytes | None,
    destination: str,
    plan: Any,
    index: int,
    conditions: Any,
    storage_options: dict | None,
    arrow_schema: Any = None,
) -> Any:
    """Write one chunk (the model from ``data``, loaded once per process), then give the
    memory it used back (:func:`_return_freed_memory`)."""
    from genesis.generators.chunked import write_chunk

    model = _load(key, data)
    try:
        return write_chunk(
            model, destination, plan, index, conditions=conditions,
            storage_options=storage_options, arrow_schema=arrow_schema,
        )  # fmt: skip
    finally:
        _return_freed_memory()


def is_dask_client(executor: Any) -> bool:
    """Whether ``executor`` is a ``distributed.Client`` (checked without importing dask)."""
    return type(executor).__module__.startswith("distributed") and hasattr(executor, "scatter")


def check_executor(executor: Any) -> Any:
    """``executor`` if :func:`run_chunks` can use it, else :class:`InvalidParameterError`."""
    if executor is None or is_dask_client(executor) or isinstance(executor, cf.Executor):
        return executor
    if isinstance(executor, int) and not isinstance(executor, bool):
        if executor < 1:
            raise InvalidParameterError(
                f"executor must be >= 1 worker processes, got {executor}; pass None to run here"
            )
        return executor
    raise InvalidParameterError(
        "executor must be None, a number of worker processes, a concurrent.futures.Executor "
        f"or a dask.distributed Client; got {type(executor).__name__}"
    )


def run_chunks(
    data: bytes,
    destination: str,
    plan: Any,
    indexes: Sequence[int],
    *,
    conditions: Any = None,
    storage_options: dict | None = None,
    executor: Any = None,
    progress: Callable[[Any], None] | None = None,
    arrow_schema: Any = None,
) -> list[Any]:
    """Write chunks ``indexes`` of ``plan`` with ``executor``; return their results in index
    order. ``data``: the model's bytes. See :func:`genesis.generators.chunked.generate_to`."""
    key = sha256(data)
    args = (destination, plan)
    results: list[Any] = []

    def done(result: Any) -> None:
        results.append(result)
        if progress is not None:
            progress(result)

    check_executor(executor)
    if not indexes:
        return []
    if executor is None:
        for index in indexes:
            done(chunk_task(key, data, *args, index, conditions, storage_options, arrow_schema))
    elif is_dask_client(executor):
        _run_dask(
            executor, key, data, args, indexes,
            (conditions, storage_options, arrow_schema), done,
        )  # fmt: skip
    elif isinstance(executor, int):
        workers = min(executor, len(indexes))
        with cf.ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(key, data),
        ) as pool:
            _run_futures(
                pool, key, None, args, indexes,
                (conditions, storage_options, arrow_schema), done,
            )  # fmt: skip
    else:
        _run_futures(
            executor, key, data, args, indexes, (conditions, storage_options, arrow_schema), done
        )
    return sorted(results, key=lambda r: r.index)


def _run_futures(
    pool: cf.Executor,
    key: str,
    data: bytes | None,
    args: tuple,
    indexes: Sequence[int],
    extra: tuple,
    done: Callable[[Any], None],
) -> None:
    futures = [pool.submit(chunk_task, key, data, *args, index, *extra) for index in indexes]
    try:
        for future in cf.as_completed(futures):
            done(future.result())
    except BaseException:
        for future in futures:
            future.cancel()
        raise


def _run_dask(
    client: Any,
    key: str,
    data: bytes,
    args: tuple,
    indexes: Sequence[int],
    extra: tuple,
    done: Callable[[Any], None],
) -> None:
    from distributed import as_completed

    # the model's bytes go to every worker once; tasks carry a reference to them
    model = client.scatter(data, broadcast=True, hash=False)
    run = uuid.uuid4().hex[:8]
    futures = [
        client.submit(
            chunk_task,
            key,
            model,
            *args,
            index,
            *extra,
            key=f"genesis-chunk-{key[:12]}-{run}-{index}",
            pure=False,
        )  # fmt: skip
        for index in indexes
    ]
    try:
        for future in as_completed(futures):
            done(future.result())
    finally:
        client.cancel(futures + [model])


__all__ = ["chunk_task", "is_dask_client", "run_chunks"]
