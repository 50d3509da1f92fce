"""Streaming synthetic data: reproducible batches from a fitted model, an asyncio queue,
Kafka and WebSocket sinks.

``StreamingGenerator(StreamingConfig(batch_size=1000)).fit(df)`` then ``generate_stream()``
yields batches; batch ``i`` depends only on the stream's seed and ``i``. The Kafka and
WebSocket sinks need the ``streaming`` extra (``genesis-synth[streaming]``).
"""

from __future__ import annotations

from typing import Any

from genesis.streaming.config import StreamingConfig, StreamingStats
from genesis.streaming.generator import (
    BATCH_COLUMN,
    GENERATED_AT_COLUMN,
    METADATA_COLUMNS,
    SEQUENCE_COLUMN,
    BatchIterator,
    StreamingGenerator,
)
from genesis.streaming.queue import NO_SENTINEL, generate_to_queue
from genesis.streaming.rate import TokenBucket
from genesis.streaming.websocket import WebSocketStreamingGenerator

#: names imported on first use: they need the optional ``streaming`` extra
_LAZY = {"KafkaStreamingGenerator": "genesis.streaming.kafka"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'genesis.streaming' has no attribute {name!r}")
    import importlib

    if name == "KafkaStreamingGenerator":
        from genesis.streaming.kafka_producer import confluent_kafka_module

        confluent_kafka_module()  # a missing package says which extra to install
    return getattr(importlib.import_module(module), name)


__all__ = [
    "BATCH_COLUMN",
    "GENERATED_AT_COLUMN",
    "METADATA_COLUMNS",
    "SEQUENCE_COLUMN",
    "BatchIterator",
    "KafkaStreamingGenerator",
    "StreamingConfig",
    "StreamingGenerator",
    "StreamingStats",
    "TokenBucket",
    "NO_SENTINEL",
    "WebSocketStreamingGenerator",
    "generate_to_queue",
]
