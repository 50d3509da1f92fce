"""Streaming synthetic data: reproducible batches from a fitted model, an asyncio queue,
Kafka and WebSocket sinks.

``StreamingGenerator(StreamingConfig(batch_size=1000)).fit(df)`` then ``generate_stream()``
yields batches; batch ``i`` depends only on the stream's seed and ``i``. The Kafka and
WebSocket sinks need the ``streaming`` extra (``pip install 'genesis-synth[streaming]'``).
"""

from __future__ import annotations

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
from genesis.streaming.websocket import WebSocketStreamingGenerator

__all__ = [
    "BATCH_COLUMN",
    "GENERATED_AT_COLUMN",
    "METADATA_COLUMNS",
    "SEQUENCE_COLUMN",
    "BatchIterator",
    "StreamingConfig",
    "StreamingGenerator",
    "StreamingStats",
    "NO_SENTINEL",
    "WebSocketStreamingGenerator",
    "generate_to_queue",
]
