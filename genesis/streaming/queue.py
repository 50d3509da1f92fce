"""Synthetic batches into an :class:`asyncio.Queue`, generated off the event loop, with
backpressure.

:func:`generate_to_queue` is the producer half of an asyncio pipeline: a consumer task reads
``queue.get()`` while it runs. Run both in an :class:`asyncio.TaskGroup` so an error in one
cancels the other::

    queue = asyncio.Queue(maxsize=4)
    async with asyncio.TaskGroup() as tasks:
        tasks.create_task(generate_to_queue(model, queue, 100_000, batch_size=1_000))
        tasks.create_task(consume(queue, batches=100))
"""

from __future__ import annotations

import asyncio
from typing import Any

from genesis.streaming.generator import BatchIterator

#: the default of ``sentinel``: put nothing after the last batch
NO_SENTINEL: Any = object()

_DONE = object()


async def generate_to_queue(
    generator: Any,
    queue: asyncio.Queue,
    total_samples: int,
    batch_size: int = 1000,
    *,
    sentinel: Any = NO_SENTINEL,
) -> None:
    """Put exactly ``total_samples`` synthetic rows on ``queue``, as DataFrames of
    ``batch_size`` rows (the last one shorter).

    Args:
        generator: a :class:`~genesis.streaming.StreamingGenerator` (its seed, conditions,
            metadata columns and stats) or any fitted Genesis model (batch ``i`` is drawn
            with the seed derived from the model's seed and ``i``); see
            :class:`~genesis.streaming.BatchIterator`.
        queue: where the batches go. Give it a ``maxsize``: then memory stays bounded.
        total_samples: rows to put, in all (>= 0).
        batch_size: rows per batch (>= 1).
        sentinel: put this after the last batch (e.g. ``None``) so a consumer can stop on
            it; by default nothing is put, since the consumer knows ``total_samples``.
            Nothing is put when generation fails or is cancelled.

    Backpressure: each batch is generated in a worker thread (the event loop keeps
    serving other tasks), then ``await queue.put(batch)`` waits for room. The next batch
    is generated only after the previous one was put, so at most one batch exists beyond
    what the queue holds.

    Errors raised while generating propagate to the caller, with nothing more put.
    Cancelling the task stops generation: no new batch is started, and the coroutine
    returns (raising ``CancelledError``) only once the batch being generated in the worker
    thread, if any, has finished, so no thread is left generating after it.
    """
    batches = iter(BatchIterator(generator, total_samples, batch_size))
    loop = asyncio.get_running_loop()
    try:
        while True:
            worker = loop.run_in_executor(None, next, batches, _DONE)
            try:
                # shield: a cancellation must not orphan the worker; it is awaited below
                frame = await asyncio.shield(worker)
            except asyncio.CancelledError:
                await _finish(worker)
                raise
            if frame is _DONE:
                break
            await queue.put(frame)
        if sentinel is not NO_SENTINEL:
            await queue.put(sentinel)
    finally:
        batches.close()  # type: ignore[attr-defined]  # ends the stream's stats


async def _finish(worker: asyncio.Future) -> None:
    """Wait for ``worker`` (a batch in a thread) to end, even if cancelled again meanwhile."""
    while not worker.done():
        try:
            await asyncio.wait([worker])
        except asyncio.CancelledError:
            continue
    if not worker.cancelled():
        worker.exception()  # retrieved: the cancellation is what the caller sees


__all__ = ["NO_SENTINEL", "generate_to_queue"]
