"""The original API's "Streaming" section (shared/spec/genesis-v1.3-api.md), as written: its
names, parameter names, order and defaults, and each class used the way the spec shows it
(positional arguments, default method), against a real broker and a real WebSocket client.

Genesis adds keyword-only parameters (seed, conditions, ...) and one deliberate change the
issue asked for: ``WebSocketStreamingGenerator`` listens on 127.0.0.1 by default, not the
spec's 0.0.0.0.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import time
import uuid

import pandas as pd
import pytest

import genesis.streaming as streaming
from genesis.streaming import (
    BatchIterator,
    StreamingConfig,
    StreamingGenerator,
    StreamingStats,
    WebSocketStreamingGenerator,
    generate_to_queue,
)

EMPTY = inspect.Parameter.empty

#: name -> the spec's parameters, in order, with their defaults (EMPTY: required)
SPEC_SIGNATURES = {
    "StreamingConfig": [
        ("batch_size", 1000),
        ("max_batches", None),
        ("delay_between_batches", 0.0),
        ("include_metadata", True),
    ],
    "StreamingStats": [],
    "StreamingGenerator": [("config", None)],
    "StreamingGenerator.fit": [("data", EMPTY), ("method", "gaussian_copula")],
    "StreamingGenerator.generate": [("n_samples", EMPTY)],
    "StreamingGenerator.generate_stream": [],
    "KafkaStreamingGenerator": [
        ("bootstrap_servers", EMPTY),
        ("topic", EMPTY),
        ("batch_size", 100),
        ("key_column", None),
        ("producer_config", None),
        ("value_serializer", "json"),
    ],
    "KafkaStreamingGenerator.fit": [("data", EMPTY)],
    "KafkaStreamingGenerator.start_streaming": [
        ("samples_per_second", EMPTY),
        ("max_samples", None),
    ],
    "KafkaStreamingGenerator.stop": [],
    "WebSocketStreamingGenerator": [
        ("host", "127.0.0.1"),  # the spec's 0.0.0.0, made loopback by the issue
        ("port", 8765),
        ("batch_size", 100),
        ("max_connections", 100),
    ],
    "WebSocketStreamingGenerator.fit": [("data", EMPTY)],
    "WebSocketStreamingGenerator.start_server": [],
    "WebSocketStreamingGenerator.broadcast": [("data", EMPTY)],
    "BatchIterator": [("generator", EMPTY), ("total_samples", EMPTY), ("batch_size", 1000)],
    "generate_to_queue": [
        ("generator", EMPTY),
        ("queue", EMPTY),
        ("total_samples", EMPTY),
        ("batch_size", 1000),
    ],
}


def _resolve(name: str):
    owner, _, method = name.partition(".")
    target = getattr(streaming, owner)
    return getattr(target, method) if method else target


@pytest.mark.parametrize("name", sorted(SPEC_SIGNATURES))
def test_the_spec_signatures_lead_every_signature(name):
    parameters = [
        p
        for p in inspect.signature(_resolve(name)).parameters.values()
        if p.name != "self" and p.kind is not inspect.Parameter.VAR_KEYWORD
    ]
    spec = SPEC_SIGNATURES[name]
    leading = [(p.name, p.default) for p in parameters[: len(spec)]]
    assert leading == spec
    for p in parameters[: len(spec)]:  # usable positionally, as the spec writes them
        assert p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD, p
    for p in parameters[len(spec) :]:  # what Genesis adds never breaks a spec call
        assert p.default is not EMPTY, p


def test_generate_to_queue_is_a_coroutine_function_and_start_server_a_coroutine():
    assert inspect.iscoroutinefunction(generate_to_queue)
    assert inspect.iscoroutinefunction(WebSocketStreamingGenerator.start_server)
    assert inspect.iscoroutinefunction(WebSocketStreamingGenerator.broadcast)


@pytest.fixture(scope="module")
def data(adult_df) -> pd.DataFrame:
    return adult_df.sample(800, random_state=4).reset_index(drop=True)


def test_streaming_generator_as_the_spec_shows_it(data):
    config = StreamingConfig(250, 3, 0.2, True)
    generator = StreamingGenerator(config)
    assert generator.fit(data) is generator  # method="gaussian_copula"
    assert isinstance(generator.stats, StreamingStats)

    started = time.monotonic()
    batches = list(generator.generate_stream())
    took = time.monotonic() - started
    assert [len(b) for b in batches] == [250, 250, 250]  # max_batches
    assert took >= 3 * 0.2  # delay_between_batches after each batch
    assert set(streaming.METADATA_COLUMNS) <= set(batches[0].columns)  # include_metadata

    stats = generator.stats
    assert stats.total_samples == 750 and stats.total_batches == 3
    assert stats.start_time > 0 and stats.elapsed_time >= took * 0.9
    assert stats.samples_per_second == pytest.approx(750 / stats.elapsed_time)
    for counter in ("sent", "acknowledged", "failed"):
        assert getattr(stats, counter) == 0  # no transport here

    rows = generator.generate(600)
    assert isinstance(rows, pd.DataFrame) and len(rows) == 600
    assert StreamingStats().total_samples == 0


def test_batch_iterator_and_generate_to_queue_as_the_spec_shows_them(data):
    generator = StreamingGenerator().fit(data)
    iterator = BatchIterator(generator, 2_500, 1_000)
    assert len(iterator) == 3
    assert [len(b) for b in iter(iterator)] == [1_000, 1_000, 500]

    async def run() -> list[pd.DataFrame]:
        queue: asyncio.Queue = asyncio.Queue(maxsize=2)
        producer = asyncio.create_task(generate_to_queue(generator.model, queue, 1_200, 500))
        batches = [await queue.get() for _ in range(3)]
        assert await producer is None
        return batches

    assert [len(b) for b in asyncio.run(run())] == [500, 500, 200]


def test_kafka_streaming_generator_as_the_spec_shows_it(data, kafka_broker):
    from genesis.io.kafka import read_topic

    topic = f"spec-{uuid.uuid4().hex[:8]}"
    generator = streaming.KafkaStreamingGenerator(kafka_broker, topic, 100, "sex", None, "json")
    assert generator.fit(data) is generator
    assert generator.start_streaming(5_000, 600) is None
    assert generator.stop() is None  # not streaming: returns at once
    stats = generator.stats
    assert stats.sent == stats.acknowledged == stats.total_samples == 600 and stats.failed == 0

    rows = read_topic(kafka_broker, topic)
    assert len(rows) == 600 and sorted(rows["_genesis_sequence"]) == list(range(600))


def test_websocket_streaming_generator_as_the_spec_shows_it(data):
    from websockets.asyncio.client import connect

    server = WebSocketStreamingGenerator("127.0.0.1", 0, 100, 100)
    assert server.fit(data) is server

    async def run() -> list[dict]:
        started = server.start_server()
        assert inspect.iscoroutine(started)
        await started
        try:
            async with connect(server.url) as client:
                await server.wait_for_clients(1, timeout=10)
                await server.broadcast(data.head(3))
                await server.broadcast(data.head(2).to_dict(orient="records"))
                return [json.loads(await client.recv()) for _ in range(2)]
        finally:
            await server.stop()

    first, second = asyncio.run(run())
    assert len(first["rows"]) == 3 and len(second["rows"]) == 2
    assert first["rows"][0]["age"] == int(data["age"].iloc[0])
