"""What a stream is asked to do (:class:`StreamingConfig`) and what it did (:class:`StreamingStats`)."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from genesis.errors import InvalidParameterError
from genesis.validation import require_int


@dataclass
class StreamingConfig:
    """Configuration for streaming generation.

    Args:
        batch_size: rows per batch (>= 1).
        max_batches: stop after this many batches; None streams until stopped.
        delay_between_batches: seconds to wait after each batch (>= 0).
        include_metadata: add ``_genesis_batch`` (batch number), ``_genesis_sequence`` (the
            row's sequence number in the stream) and ``_genesis_generated_at`` (UTC time the
            batch was generated) to every batch.
    """

    batch_size: int = 1000
    max_batches: int | None = None
    delay_between_batches: float = 0.0
    include_metadata: bool = True

    def __post_init__(self) -> None:
        require_int(self.batch_size, "batch_size", 1)
        require_int(self.max_batches, "max_batches", 0, allow_none=True)
        delay = self.delay_between_batches
        if (
            isinstance(delay, bool)
            or not isinstance(delay, int | float)
            or not math.isfinite(delay)
            or delay < 0
        ):
            raise InvalidParameterError(
                f"delay_between_batches must be a number of seconds >= 0, got {delay!r}"
            )
        if not isinstance(self.include_metadata, bool):
            raise InvalidParameterError(
                f"include_metadata must be True or False, got {self.include_metadata!r}"
            )


@dataclass
class StreamingStats:
    """Statistics of a stream: generation counters and, for sinks that deliver messages
    (Kafka, WebSocket), delivery counters.

    Attributes:
        total_samples: rows generated.
        total_batches: batches generated.
        start_time: ``time.time()`` when the stream started (0.0 before).
        sent: messages handed to the transport (in flight or done).
        acknowledged: messages the other side confirmed; the only ones that count as
            delivered.
        failed: messages that could not be delivered.

    ``elapsed_time`` and ``samples_per_second`` are measured from ``start_time`` to now, or
    to :meth:`finish` once the stream has ended. Counters are updated under a lock: sinks
    record deliveries from their own threads.
    """

    total_samples: int = 0
    total_batches: int = 0
    start_time: float = 0.0
    sent: int = 0
    acknowledged: int = 0
    failed: int = 0
    end_time: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def start(self) -> None:
        """Mark the start of a stream (counters are kept: a restarted stream adds to them)."""
        with self._lock:
            if not self.start_time or self.end_time is not None:
                self.start_time = time.time()
                self.end_time = None

    def finish(self) -> None:
        """Freeze ``elapsed_time`` at now."""
        with self._lock:
            if self.start_time and self.end_time is None:
                self.end_time = time.time()

    def record_batch(self, rows: int) -> None:
        with self._lock:
            self.total_batches += 1
            self.total_samples += int(rows)

    def record_sent(self, messages: int) -> None:
        with self._lock:
            self.sent += int(messages)

    def record_acknowledged(self, messages: int) -> None:
        with self._lock:
            self.acknowledged += int(messages)

    def record_failed(self, messages: int) -> None:
        with self._lock:
            self.failed += int(messages)

    @property
    def pending(self) -> int:
        """Messages sent but neither acknowledged nor failed yet."""
        return self.sent - self.acknowledged - self.failed

    @property
    def elapsed_time(self) -> float:
        """Seconds since the start (0.0 before it)."""
        if not self.start_time:
            return 0.0
        end = self.end_time if self.end_time is not None else time.time()
        return max(0.0, end - self.start_time)

    @property
    def samples_per_second(self) -> float:
        """Rows generated per second of ``elapsed_time``."""
        elapsed = self.elapsed_time
        return self.total_samples / elapsed if elapsed > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The counters and rates, JSON-ready."""
        return {
            "total_samples": self.total_samples,
            "total_batches": self.total_batches,
            "start_time": self.start_time,
            "elapsed_time": round(self.elapsed_time, 6),
            "samples_per_second": round(self.samples_per_second, 3),
            "sent": self.sent,
            "acknowledged": self.acknowledged,
            "failed": self.failed,
        }


__all__ = ["StreamingConfig", "StreamingStats"]
