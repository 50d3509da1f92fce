"""Stream synthetic rows into Apache Kafka with acknowledged delivery.

:class:`KafkaStreamingGenerator` draws reproducible batches from a fitted model
(:meth:`StreamingGenerator.batch`), encodes them (one message per row, JSON or Avro
single-object encoding, see :mod:`genesis.streaming.serializers`) and produces them with an
idempotent ``confluent-kafka`` producer (``enable.idempotence``, ``acks=all``). A message
counts as *sent* when handed to the producer and as *acknowledged* only when the broker's
delivery report says so; anything not acknowledged within ``delivery_timeout`` is counted
*failed* and raised as :class:`~genesis.errors.DeliveryError` at the end.

Needs the ``streaming`` extra (``confluent-kafka``; ``fastavro`` for Avro).
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import (
    BrokerUnavailableError,
    DeliveryError,
    InvalidParameterError,
    StreamingError,
)
from genesis.streaming import serializers
from genesis.streaming.config import StreamingConfig, StreamingStats
from genesis.streaming.generator import SEQUENCE_COLUMN, StreamingGenerator
from genesis.streaming.kafka_producer import (
    PRODUCER_DEFAULTS,
    Deliveries,
    checked_producer_config,
    confluent_kafka_module,
    make_producer,
)
from genesis.streaming.rate import TokenBucket
from genesis.validation import require_choice, require_int

#: header on every message naming its value format (b"json" or b"avro")
FORMAT_HEADER = "genesis.format"
#: the companion topic where Avro writer schemas are published (key = fingerprint hex)
SCHEMA_TOPIC_SUFFIX = ".schemas"

_TOPIC_NAME = re.compile(r"^[A-Za-z0-9._-]{1,249}$")


class KafkaStreamingGenerator:
    """Stream rows of a fitted model to a Kafka topic, one message per row.

    Args:
        bootstrap_servers: ``"host:port[,host:port...]"`` of the brokers.
        topic: the topic to produce to.
        batch_size: rows generated, encoded and produced together (>= 1).
        key_column: the column whose value (as UTF-8 text) keys each message; None keys
            each message with its row's sequence number in the stream.
        producer_config: librdkafka settings merged over the defaults (``linger.ms``,
            bounded queue...). Settings that would break acknowledged delivery are refused:
            ``acks`` other than ``all``/``-1``, ``enable.idempotence`` off, a message
            timeout above ``delivery_timeout``, delivery/error callbacks, transactions.
        value_serializer: ``"json"`` or ``"avro"`` (single-object encoding; the writer
            schema is published to ``f"{topic}.schemas"`` before the first row).
        seed: seed of the stream; batch ``i`` depends only on it and ``i``.
        conditions: generate only rows meeting these (see :class:`StreamingGenerator`).
        include_metadata: add ``_genesis_batch``, ``_genesis_sequence`` and
            ``_genesis_generated_at`` to every row.
        delivery_timeout: seconds to reach the broker at start and for each message to be
            acknowledged (librdkafka's ``message.timeout.ms``).

    Example:
        >>> gen = KafkaStreamingGenerator("localhost:9092", "adult-rows")   # doctest: +SKIP
        >>> gen.fit(df).start_streaming(samples_per_second=2000, max_samples=10_000)  # doctest: +SKIP
        >>> gen.stats.acknowledged                                           # doctest: +SKIP
        10000
    """

    def __init__(
        self,
        bootstrap_servers: str,
        topic: str,
        batch_size: int = 100,
        key_column: str | None = None,
        producer_config: dict | None = None,
        value_serializer: str = "json",
        *,
        seed: int = 0,
        conditions: Any = None,
        include_metadata: bool = True,
        delivery_timeout: float = 30.0,
    ) -> None:
        confluent_kafka_module()
        if not isinstance(bootstrap_servers, str) or not bootstrap_servers.strip():
            raise InvalidParameterError(
                f"bootstrap_servers must be 'host:port' (comma-separated for several), got "
                f"{bootstrap_servers!r}"
            )
        if not isinstance(topic, str) or not _TOPIC_NAME.match(topic) or topic in (".", ".."):
            raise InvalidParameterError(
                f"topic must be a Kafka topic name (1-249 letters, digits, '.', '_', '-'), got "
                f"{topic!r}"
            )
        if key_column is not None and (not isinstance(key_column, str) or not key_column):
            raise InvalidParameterError(
                f"key_column must be a column name or None, got {key_column!r}"
            )
        require_choice(value_serializer, "value_serializer", serializers.FORMATS)
        if (
            isinstance(delivery_timeout, bool)
            or not isinstance(delivery_timeout, int | float)
            or not math.isfinite(delivery_timeout)
            or delivery_timeout <= 0
        ):
            raise InvalidParameterError(
                f"delivery_timeout must be a number of seconds > 0, got {delivery_timeout!r}"
            )
        self.bootstrap_servers = bootstrap_servers.strip()
        self.topic = topic
        self.batch_size = require_int(batch_size, "batch_size", 1)
        self.key_column = key_column
        self.value_serializer = value_serializer
        self.delivery_timeout = float(delivery_timeout)
        self.producer_config = checked_producer_config(
            producer_config, self.bootstrap_servers, self.delivery_timeout
        )
        self._stream = StreamingGenerator(
            StreamingConfig(batch_size=self.batch_size, include_metadata=include_metadata),
            seed=seed,
            conditions=conditions,
        )
        self._avro_schema: dict[str, Any] | None = None
        self._next_batch = 0
        self._offsets: dict[int, list[int]] = {}
        self._stop = threading.Event()
        self._done = threading.Event()
        self._done.set()
        self._thread: threading.Thread | None = None
        self._claim = threading.Lock()

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def from_model(
        cls,
        model: Any,
        bootstrap_servers: str,
        topic: str,
        batch_size: int = 100,
        key_column: str | None = None,
        producer_config: dict | None = None,
        value_serializer: str = "json",
        *,
        seed: int | None = None,
        conditions: Any = None,
        include_metadata: bool = True,
        delivery_timeout: float = 30.0,
    ) -> KafkaStreamingGenerator:
        """Stream from an already fitted Genesis model; ``seed`` None takes the model's."""
        generator = cls(
            bootstrap_servers,
            topic,
            batch_size,
            key_column,
            producer_config,
            value_serializer,
            seed=0,
            conditions=conditions,
            include_metadata=include_metadata,
            delivery_timeout=delivery_timeout,
        )
        generator._stream = StreamingGenerator.from_model(
            model, generator._stream.config, seed=seed, conditions=conditions
        )
        generator._check_key_column()
        return generator

    def fit(
        self, data: pd.DataFrame, method: str = "gaussian_copula", **kwargs: Any
    ) -> KafkaStreamingGenerator:
        """Learn ``data`` with ``method`` (any ``SyntheticGenerator`` method; ``kwargs`` are
        its parameters); returns self."""
        self._stream.fit(data, method=method, **kwargs)
        self._avro_schema = None
        self._check_key_column()
        return self

    def _check_key_column(self) -> None:
        if self.key_column is None:
            return
        columns = self._columns()
        if self.key_column not in columns:
            raise InvalidParameterError(
                f"key_column {self.key_column!r} is not a column of the generated rows; "
                f"choose one of {columns} or None (key = the row's sequence number)"
            )

    def _columns(self) -> list[str]:
        schema = self._stream.schema
        columns = list(schema.names) if schema is not None else list(self._probe().columns)
        if self._stream.config.include_metadata:
            columns += [c for c in self._probe().columns if c not in columns]
        return columns

    def _probe(self) -> pd.DataFrame:
        return self._stream.batch(0, size=1)

    # -- properties -----------------------------------------------------------------------
    @property
    def stats(self) -> StreamingStats:
        """Rows generated and messages sent / acknowledged / failed."""
        return self._stream.stats

    @property
    def model(self) -> Any:
        """The fitted model rows are drawn from (None before :meth:`fit`)."""
        return self._stream.model

    @property
    def avro_schema(self) -> dict[str, Any] | None:
        """The Avro writer schema of the messages (``value_serializer="avro"`` and a fitted
        model), else None: the Genesis schema's types for the model's columns, the table's
        dtypes for the metadata columns."""
        if self.value_serializer != "avro" or self._stream.model is None:
            return None
        if self._avro_schema is None:
            probe = self._probe()
            from_frame = serializers.avro_schema_for(probe, self.topic)
            schema = self._stream.schema
            known = {}
            if schema is not None:
                known = {
                    field["name"]: field
                    for field in serializers.avro_schema_for(schema, self.topic)["fields"]
                }
            from_frame["fields"] = [known.get(f["name"], f) for f in from_frame["fields"]]
            self._avro_schema = from_frame
        return self._avro_schema

    # -- streaming ------------------------------------------------------------------------
    def start_streaming(
        self,
        samples_per_second: float | None,
        max_samples: int | None = None,
        progress: Callable[[StreamingStats], None] | None = None,
    ) -> None:
        """Produce rows until ``max_samples`` are acknowledged (forever when None) or
        :meth:`stop` is called from another thread; blocks meanwhile.

        Args:
            samples_per_second: rows per second (a token bucket paces the batches), or None
                for as fast as the broker acknowledges.
            max_samples: rows to produce; None streams until stopped.
            progress: called with :attr:`stats` after every batch.

        Raises:
            BrokerUnavailableError: no broker answered at ``bootstrap_servers`` within
                ``delivery_timeout``.
            DeliveryError: some messages were not acknowledged (``failed`` says how many;
                only ``acknowledged`` rows were delivered). Production stops at the first
                failure.
        """
        bucket = TokenBucket(
            samples_per_second,
            burst=self.batch_size,
            sleep=lambda seconds: not self._stop.wait(seconds),
        )
        max_samples = require_int(max_samples, "max_samples", 0, allow_none=True)
        if progress is not None and not callable(progress):
            raise InvalidParameterError(f"progress must be a callable or None, got {progress!r}")
        self._stream._fitted_model()
        with self._claim:
            if self._thread is not None:
                raise StreamingError(
                    "this KafkaStreamingGenerator is already streaming; call stop() first"
                )
            self._thread = threading.current_thread()
            self._stop.clear()
            self._done.clear()
        producer = None
        try:
            avro_schema = self.avro_schema
            self._check_key_column()
            producer = self._producer()
        finally:
            if producer is None:  # nothing started: free the generator for another try
                self._thread = None
                self._done.set()
        deliveries = self._deliveries
        try:
            self._require_broker(producer)
            if avro_schema is not None:
                self._publish_schema(producer, avro_schema)
            self.stats.start()
            self._produce_batches(producer, bucket, max_samples, progress)
        finally:
            try:
                self._flush(producer)
            finally:
                self._close(producer)
                self.stats.finish()
                self._thread = None
                self._done.set()
        if deliveries.failed or deliveries.fatal is not None:
            stats = self.stats
            reason = deliveries.first_error or deliveries.fatal
            raise DeliveryError(
                f"{stats.failed} of {stats.sent} messages to topic {self.topic!r} at "
                f"{self.bootstrap_servers} were not acknowledged within "
                f"{self.delivery_timeout:g} s ({reason.str() if reason else 'unknown error'}); "
                f"only the {stats.acknowledged} acknowledged rows were delivered. Check the "
                "broker, or raise delivery_timeout",
                failed=stats.failed,
                acknowledged=stats.acknowledged,
            )

    def stop(self) -> None:
        """Stop a running stream after its current batch; returns once every message
        produced has been acknowledged or has failed (or at once, when not streaming or when
        called from the streaming thread itself, e.g. in ``progress``)."""
        self._stop.set()
        thread = self._thread
        if thread is None or thread is threading.current_thread():
            return
        self._done.wait()

    def delivery_report(self) -> dict[str, Any]:
        """What this generator delivered: ``topic``, ``partitions`` (list), ``offset_ranges``
        (partition -> [first, last] acknowledged offset), ``rows`` (acknowledged),
        ``rows_per_second`` (acknowledged per second of streaming), ``failed``, ``sent``,
        ``format``."""
        stats = self.stats
        elapsed = stats.elapsed_time
        return {
            "topic": self.topic,
            "partitions": sorted(self._offsets),
            "offset_ranges": {p: list(span) for p, span in sorted(self._offsets.items())},
            "rows": stats.acknowledged,
            "rows_per_second": round(stats.acknowledged / elapsed, 3) if elapsed > 0 else 0.0,
            "failed": stats.failed,
            "sent": stats.sent,
            "format": self.value_serializer,
        }

    # -- internals ------------------------------------------------------------------------
    def _producer(self) -> Any:
        self._deliveries = Deliveries(self._offsets)
        self._reported = [0, 0]  # acknowledged, failed already added to stats
        return make_producer(
            self.producer_config, self.bootstrap_servers, self.delivery_timeout, self._deliveries
        )

    def _require_broker(self, producer: Any) -> None:
        kafka = confluent_kafka_module()
        try:
            metadata = producer.list_topics(timeout=self.delivery_timeout)
        except kafka.KafkaException as exc:
            reason = exc.args[0].str() if exc.args else str(exc)
            raise BrokerUnavailableError(
                f"no Kafka broker answered at {self.bootstrap_servers} within "
                f"{self.delivery_timeout:g} s ({reason}); check that the broker runs and that "
                "the address, port and security settings are right"
            ) from None
        if not metadata.brokers:
            raise BrokerUnavailableError(
                f"the Kafka cluster at {self.bootstrap_servers} lists no brokers; check it"
            )

    def _publish_schema(self, producer: Any, avro_schema: dict[str, Any]) -> None:
        reports: list[Any] = []
        producer.produce(
            self.topic + SCHEMA_TOPIC_SUFFIX,
            value=json.dumps(avro_schema).encode("utf-8"),
            key=serializers.fingerprint(avro_schema).hex().encode("ascii"),
            headers=[(FORMAT_HEADER, b"avro-schema")],
            on_delivery=lambda err, msg: reports.append(err),
        )
        producer.flush(self.delivery_timeout)
        if not reports or reports[0] is not None:
            reason = reports[0].str() if reports else "no delivery report"
            raise DeliveryError(
                f"the Avro schema could not be published to topic "
                f"{self.topic + SCHEMA_TOPIC_SUFFIX!r} at {self.bootstrap_servers} ({reason}); "
                "no row was sent",
                failed=1,
                acknowledged=0,
            )

    def _produce_batches(
        self,
        producer: Any,
        bucket: TokenBucket,
        max_samples: int | None,
        progress: Callable[[StreamingStats], None] | None,
    ) -> None:
        stats = self.stats
        deliveries = self._deliveries
        remaining = max_samples
        while not self._stop.is_set() and (remaining is None or remaining > 0):
            if deliveries.failed or deliveries.fatal is not None:
                break  # the broker is failing: stop producing, report what was delivered
            rows = self.batch_size if remaining is None else min(self.batch_size, remaining)
            if not bucket.acquire(rows):
                break  # stop() while waiting for the rate
            frame = self._stream.batch(self._next_batch, rows)
            keys, values = self._encode(frame, self._next_batch)
            stats.record_batch(len(frame))
            self._produce(producer, keys, values)
            self._next_batch += 1
            if remaining is not None:
                remaining -= rows
            producer.poll(0)
            self._report()
            if progress is not None:
                progress(stats)

    def _encode(self, frame: pd.DataFrame, index: int) -> tuple[list, list[bytes]]:
        if self.key_column is not None:
            keys = serializers.encode_keys(frame[self.key_column])
        elif SEQUENCE_COLUMN in frame.columns:
            keys = serializers.encode_keys(frame[SEQUENCE_COLUMN].to_numpy())
        else:
            first = index * self.batch_size
            keys = serializers.encode_keys(np.arange(first, first + len(frame), dtype=np.int64))
        if self.value_serializer == "avro":
            values = serializers.encode_avro(frame, self.avro_schema)
        else:
            values = serializers.encode_json(frame)
        return keys, values

    def _produce(self, producer: Any, keys: list, values: list[bytes]) -> None:
        produce = producer.produce
        topic = self.topic
        headers = [(FORMAT_HEADER, self.value_serializer.encode("ascii"))]
        produced = 0
        kafka_error = confluent_kafka_module().KafkaException
        for key, value in zip(keys, values, strict=True):
            try:
                produce(topic, value, key, headers=headers)
            except kafka_error as exc:
                self.stats.record_sent(produced)
                error = exc.args[0] if exc.args else exc
                reason = error.str() if hasattr(error, "str") else str(error)
                raise StreamingError(
                    f"the Kafka producer refused a row of {len(value):,} bytes for topic "
                    f"{topic!r} ({reason}); a row larger than message.max.bytes needs a larger "
                    "limit in producer_config (and on the broker)"
                ) from None
            except BufferError:
                # the bounded local queue is full: serve delivery reports until there is room
                self.stats.record_sent(produced)
                produced = 0
                while True:
                    producer.poll(0.05)
                    self._report()
                    try:
                        produce(topic, value, key, headers=headers)
                        break
                    except BufferError:
                        continue
            produced += 1
        self.stats.record_sent(produced)

    def _report(self) -> None:
        """Add the delivery reports served since the last call to :attr:`stats`."""
        deliveries, reported = self._deliveries, self._reported
        acknowledged, failed = deliveries.acknowledged, deliveries.failed
        if acknowledged != reported[0]:
            self.stats.record_acknowledged(acknowledged - reported[0])
            reported[0] = acknowledged
        if failed != reported[1]:
            self.stats.record_failed(failed - reported[1])
            reported[1] = failed

    def _flush(self, producer: Any) -> None:
        """Wait for every message's delivery report (each has one within the message
        timeout); purge what is left after that as failed."""
        deadline = time.monotonic() + self.delivery_timeout + 5.0
        while self.stats.pending > 0 and time.monotonic() < deadline:
            producer.flush(min(0.5, max(0.0, deadline - time.monotonic())))
            self._report()
        if self.stats.pending > 0:
            producer.purge()
            producer.flush(1.0)
            self._report()
        leftover = self.stats.pending
        if leftover > 0:  # no report at all: not acknowledged, so failed
            self._deliveries.failed += leftover
            self._report()

    def _close(self, producer: Any) -> None:
        # every message has a report (or was counted failed) by now; nothing may linger
        producer.purge()
        producer.close()


__all__ = ["FORMAT_HEADER", "PRODUCER_DEFAULTS", "SCHEMA_TOPIC_SUFFIX", "KafkaStreamingGenerator"]
