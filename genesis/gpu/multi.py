"""Chunks sharded across devices, one worker process per device: :class:`MultiGPUGenerator`."""

from __future__ import annotations

import multiprocessing
import weakref
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

import pandas as pd

from genesis.errors import InvalidParameterError
from genesis.generators.base import _check_rows
from genesis.generators.seeding import chunk_seed
from genesis.gpu.batched import DEFAULT_BATCH_SIZE, BatchedGenerator, check_normals, unwrap
from genesis.gpu.devices import check_device_string, import_torch, logger, resolve_device
from genesis.validation import check_int, check_seed

#: rows per chunk of :meth:`MultiGPUGenerator.generate` when none is given
DEFAULT_CHUNK_ROWS = 1_000_000

# the worker process's generator, built once from the model bytes (see _start_worker)
_WORKER: BatchedGenerator | None = None


def _start_worker(model_bytes: bytes, device: str, batch_size: int, normals: str) -> None:
    global _WORKER
    from genesis.generators.base import BaseSynthesizer

    model = BaseSynthesizer.from_bytes(model_bytes)
    _WORKER = BatchedGenerator(model, batch_size, device, normals=normals)


def _worker_chunk(rows: int, seed: int, conditions: Any) -> pd.DataFrame:
    assert _WORKER is not None, "worker started without a model"
    return _WORKER.generate(rows, seed=seed, conditions=conditions)


class MultiGPUGenerator:
    """Synthetic rows generated in chunks spread over several devices, gathered in order.

    Chunk ``i`` of a draw seeded ``seed`` is generated with ``chunk_seed(seed, i)`` (the seed
    of ``ChunkPlan.seed_of``) by a :class:`BatchedGenerator` in the worker process of device
    ``devices[i % len(devices)]``; the seed depends on ``(seed, i)`` only, so the rows equal
    one device's ``BatchedGenerator.generate_chunks`` for the same seed, whatever the number
    of devices (tested with ``devices=["cpu", "cpu"]``: identical frames). Workers are
    started with the ``spawn`` context (CUDA cannot be forked), each loads the model once
    from its bytes, and stay up until :meth:`close` (or the end of a ``with`` block).

    Args:
        model: a fitted ``SyntheticGenerator`` or synthesizer.
        devices: device strings, one worker process each (``["cuda:0", "cuda:1"]``,
            ``["cpu", "cpu"]``); None means every CUDA device torch sees, or, without CUDA,
            one CPU generator in this process (logged as a fallback, ``fallback_reason``).
        batch_size: rows per device batch in each worker (see :class:`BatchedGenerator`).
        chunk_rows: rows per chunk of :meth:`generate`.
        normals: ``"device"`` or ``"numpy"`` (copula: the chunks are then the CPU model's
            own ``generate_chunks``), see :class:`BatchedGenerator`.

    Raises (at construction):
        InvalidParameterError: an empty or malformed ``devices`` list, a bad ``batch_size``
            or ``chunk_rows``.
        DeviceUnavailableError: a named CUDA device that torch cannot see.
    """

    def __init__(
        self,
        model: Any,
        devices: list[str] | None = None,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        chunk_rows: int = DEFAULT_CHUNK_ROWS,
        normals: str = "device",
    ) -> None:
        check_int("batch_size", batch_size, 1)
        check_int("chunk_rows", chunk_rows, 1)
        self.model = model
        self.batch_size = int(batch_size)
        self.chunk_rows = int(chunk_rows)
        self._synthesizer = unwrap(model)
        self.normals = check_normals(normals, self._synthesizer.method)
        self.fallback_reason: str | None = None
        if devices is None:
            torch = import_torch()
            count = torch.cuda.device_count() if torch.cuda.is_available() else 0
            devices = [f"cuda:{i}" for i in range(count)]
            if not devices:
                self.fallback_reason = (
                    "no CUDA device: torch sees no GPU, generating in this process on the CPU "
                    "(pass devices=['cpu', 'cpu'] to shard over CPU worker processes)"
                )
                logger.warning("MultiGPUGenerator: %s", self.fallback_reason)
        elif isinstance(devices, str) or not isinstance(devices, list | tuple) or not devices:
            raise InvalidParameterError(
                f"devices must be a non-empty list of device strings, got {devices!r}; pass "
                "e.g. devices=['cuda:0', 'cuda:1'], or None for every CUDA device"
            )
        else:
            for device in devices:
                check_device_string(device)
                resolve_device(device)  # a named GPU that is not there fails here, not later
        self.devices: list[str] = list(devices)
        self._local = (
            None
            if self.devices
            else BatchedGenerator(model, self.batch_size, "cpu", normals=self.normals)
        )
        self._pools: list[ProcessPoolExecutor] = []
        self._finalizer = weakref.finalize(self, _shutdown, self._pools)

    def __repr__(self) -> str:
        return f"MultiGPUGenerator(devices={self.devices!r}, batch_size={self.batch_size})"

    def __enter__(self) -> MultiGPUGenerator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker processes (a later call starts them again)."""
        _shutdown(self._pools)

    def _workers(self) -> list[ProcessPoolExecutor]:
        if not self._pools:
            model_bytes = self._synthesizer.to_bytes()
            context = multiprocessing.get_context("spawn")
            self._pools.extend(
                ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=context,
                    initializer=_start_worker,
                    initargs=(model_bytes, device, self.batch_size, self.normals),
                )
                for device in self.devices
            )
        return self._pools

    def generate_chunks(
        self,
        n: int,
        chunk_rows: int | None = None,
        seed: int | None = None,
        conditions: Any = None,
    ) -> Iterator[pd.DataFrame]:
        """``n`` rows as consecutive tables of at most ``chunk_rows`` rows (default: the
        constructor's), in order; chunk ``i`` comes from device ``i % len(devices)`` with
        ``chunk_seed(seed, i)``. At most two chunks per device are in flight, so memory is
        bounded by the chunks, not ``n``."""
        n = _check_rows(n)
        chunk_rows = self.chunk_rows if chunk_rows is None else chunk_rows
        check_int("chunk_rows", chunk_rows, 1)
        seed = check_seed(self._synthesizer.seed if seed is None else seed)
        if self._local is not None:
            yield from self._local.generate_chunks(n, chunk_rows, seed, conditions)
            return
        pools = self._workers()
        pending: deque[Future] = deque()
        starts = iter(enumerate(range(0, n, int(chunk_rows))))
        limit = 2 * len(pools)
        for index, start in starts:
            rows = min(int(chunk_rows), n - start)
            pool = pools[index % len(pools)]
            pending.append(pool.submit(_worker_chunk, rows, chunk_seed(seed, index), conditions))
            if len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def generate(self, n: int, seed: int | None = None, conditions: Any = None) -> pd.DataFrame:
        """``n`` synthetic rows: the chunks of :meth:`generate_chunks` (``chunk_rows`` of the
        constructor) concatenated in order, with a fresh ``RangeIndex``."""
        n = _check_rows(n)
        chunks = list(self.generate_chunks(n, None, seed, conditions))
        if not chunks:
            return self._synthesizer.generate(0)
        if len(chunks) == 1:
            return chunks[0]
        return pd.concat(chunks, ignore_index=True)


def _shutdown(pools: list[ProcessPoolExecutor]) -> None:
    while pools:
        pools.pop().shutdown(wait=True, cancel_futures=True)
