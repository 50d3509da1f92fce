"""``generate_to_queue``: backpressure on a bounded asyncio queue, exact row counts, errors
and cancellation reaching the caller, no worker thread left generating."""

from __future__ import annotations

import asyncio
import threading
import time

import pandas as pd
import pytest

from genesis.errors import InvalidParameterError
from genesis.generators import SyntheticGenerator
from genesis.streaming import SEQUENCE_COLUMN, StreamingConfig, StreamingGenerator
from genesis.streaming.queue import generate_to_queue


@pytest.fixture(scope="module")
def model(adult_df):
    sample = adult_df.sample(n=1_000, random_state=0)
    return SyntheticGenerator("gaussian_copula", seed=0).fit(sample)


class CountingModel:
    """A fitted model that records each batch it generates (and can be slow or fail)."""

    def __init__(self, model, delay: float = 0.0, fail_at: int | None = None) -> None:
        self.model = model
        self.seed = 0
        self.delay = delay
        self.fail_at = fail_at
        self.calls = 0
        self.active = 0
        self.lock = threading.Lock()
        self.loop_threads: set[int] = set()

    def generate(self, n, seed=None, conditions=None):
        with self.lock:
            self.calls += 1
            self.active += 1
            call = self.calls
        self.loop_threads.add(threading.get_ident())
        try:
            if self.fail_at is not None and call == self.fail_at:
                raise RuntimeError(f"generation failed at batch {call}")
            time.sleep(self.delay)
            return self.model.generate(n, seed=seed, conditions=conditions)
        finally:
            with self.lock:
                self.active -= 1


def test_exactly_total_samples_rows_in_batches(model):
    async def run():
        queue = asyncio.Queue(maxsize=2)
        stream = StreamingGenerator.from_model(model, StreamingConfig(batch_size=1_000), seed=5)
        producer = asyncio.create_task(generate_to_queue(stream, queue, 2_500, batch_size=1_000))
        batches = [await queue.get() for _ in range(3)]
        await producer
        assert queue.empty()  # no sentinel by default
        return batches, stream

    batches, stream = asyncio.run(run())
    assert [len(b) for b in batches] == [1_000, 1_000, 500]
    rows = pd.concat(batches, ignore_index=True)
    assert rows[SEQUENCE_COLUMN].tolist() == list(range(2_500))
    assert stream.stats.total_samples == 2_500
    # the same rows as the stream draws on its own: batch i from (seed, i)
    again = stream.batch(1, 1_000)
    pd.testing.assert_frame_equal(
        batches[1].drop(columns="_genesis_generated_at").reset_index(drop=True),
        again.drop(columns="_genesis_generated_at").reset_index(drop=True),
    )


def test_a_fitted_model_works_and_generation_runs_off_the_event_loop(model):
    counting = CountingModel(model)

    async def run():
        queue = asyncio.Queue()
        await generate_to_queue(counting, queue, 250, batch_size=100)
        return [queue.get_nowait() for _ in range(queue.qsize())], threading.get_ident()

    batches, loop_thread = asyncio.run(run())
    assert [len(b) for b in batches] == [100, 100, 50]
    assert list(batches[0].columns) == list(model.schema_.names)  # no metadata for a model
    assert counting.loop_threads and loop_thread not in counting.loop_threads


def test_backpressure_bounds_the_queue_and_the_producer_waits(model):
    counting = CountingModel(model)
    bound = 3

    async def run():
        queue = asyncio.Queue(maxsize=bound)
        producer = asyncio.create_task(generate_to_queue(counting, queue, 4_000, batch_size=100))
        await asyncio.sleep(0.5)  # nobody reads: the producer must stop, not run ahead
        stalled_at = counting.calls
        sizes, ahead = [queue.qsize()], [counting.calls]
        received = 0
        while received < 40:
            await queue.get()
            received += 1
            await asyncio.sleep(0.005)  # a slow consumer
            sizes.append(queue.qsize())
            ahead.append(counting.calls - received)
        await producer
        return stalled_at, sizes, ahead

    stalled_at, sizes, ahead = asyncio.run(run())
    # queue full, plus the batch waiting in queue.put: nothing more was generated
    assert stalled_at == bound + 1
    assert max(sizes) <= bound
    assert max(ahead) <= bound + 1
    assert counting.calls == 40


def test_an_error_in_generation_reaches_the_caller(model):
    failing = CountingModel(model, fail_at=3)

    async def run():
        queue = asyncio.Queue()
        with pytest.raises(RuntimeError, match="generation failed at batch 3"):
            await generate_to_queue(failing, queue, 1_000, batch_size=100)
        return queue.qsize()

    assert asyncio.run(run()) == 2  # the two batches before the failure, nothing after
    assert failing.calls == 3


def test_cancellation_stops_generation_and_leaves_no_thread_generating(model):
    slow = CountingModel(model, delay=0.2)

    async def run():
        queue = asyncio.Queue()
        producer = asyncio.create_task(generate_to_queue(slow, queue, 100_000, batch_size=10))
        await asyncio.sleep(0.5)
        producer.cancel()
        started = time.monotonic()
        with pytest.raises(asyncio.CancelledError):
            await producer
        waited = time.monotonic() - started
        active_after_cancel = slow.active
        calls = slow.calls
        await asyncio.sleep(0.6)
        return waited, active_after_cancel, calls

    waited, active_after_cancel, calls = asyncio.run(run())
    assert waited < 1.0  # at most the batch in flight (0.2 s)
    assert active_after_cancel == 0  # the batch in flight had finished when cancel returned
    assert slow.calls == calls <= 4  # and none started after


def test_a_sentinel_is_put_only_when_asked(model):
    async def run(**kwargs):
        queue = asyncio.Queue()
        await generate_to_queue(model, queue, 150, batch_size=100, **kwargs)
        return [queue.get_nowait() for _ in range(queue.qsize())]

    with_sentinel = asyncio.run(run(sentinel=None))
    assert [len(b) for b in with_sentinel[:-1]] == [100, 50] and with_sentinel[-1] is None
    assert len(asyncio.run(run())) == 2
    assert asyncio.run(_zero_rows(model)) == 0


async def _zero_rows(model):
    queue = asyncio.Queue()
    await generate_to_queue(model, queue, 0)
    return queue.qsize()


@pytest.mark.parametrize(
    ("total", "batch", "message"),
    [(-1, 100, "total_samples"), (100, 0, "batch_size"), (1.5, 100, "total_samples")],
)
def test_bad_arguments_fail_before_anything_is_put(model, total, batch, message):
    async def run():
        queue = asyncio.Queue()
        with pytest.raises(InvalidParameterError, match=message):
            await generate_to_queue(model, queue, total, batch_size=batch)
        return queue.qsize()

    assert asyncio.run(run()) == 0


def test_an_unfitted_generator_is_refused():
    async def run():
        await generate_to_queue(StreamingGenerator(), asyncio.Queue(), 10)

    with pytest.raises(Exception, match="no model yet"):
        asyncio.run(run())
