"""Reading a Kafka topic as a table: a bounded snapshot of what the topic held at the start.

:func:`read_topic` fixes an end offset per partition when it starts, reads up to it with a
consumer that is *assigned* its partitions (no consumer group is joined, nothing is
committed), and decodes the messages into one DataFrame:

* messages written by Genesis (header ``genesis.format``: ``json`` or ``avro``) through
  :func:`genesis.streaming.serializers.decode_messages`, Avro writer schemas read from the
  topic ``f"{topic}.schemas"``;
* any other message as a JSON object, one row per message (keys are the columns).

A producer that keeps writing does not make the read longer: what arrives after the end
offsets were fixed is left out. ``max_messages`` keeps the last N messages across partitions
(by message timestamp). :func:`topic_end_offsets` gives the same end offsets alone, a cheap
"version" of a topic for a sensor.

The end offset of a partition is the high watermark the broker reports in its fetch
responses; some Kafka-protocol brokers (tansu) answer ListOffsets with the base offset of
the last record batch plus one, so that answer is only a lower bound here.

``read_table("kafka://topic", bootstrap_servers=...)`` and
``read_table("kafka://host:9092/topic")`` read through here.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import (
    BrokerUnavailableError,
    EmptySourceError,
    InvalidParameterError,
    SourceNotFoundError,
    UnparseableSourceError,
    missing_dependency,
)
from genesis.io.formats import first_line
from genesis.validation import require_int, validate_column_names

#: message header naming the serializer of a Genesis-written message
FORMAT_HEADER = "genesis.format"
#: suffix of the topic holding the Avro writer schemas of a Genesis topic
SCHEMAS_SUFFIX = ".schemas"
#: ``df.attrs`` key of the snapshot's topic and offsets
ATTRS_KEY = "genesis_kafka"

_TOPIC = re.compile(r"^[A-Za-z0-9._-]{1,249}$")
_SERVERS = re.compile(r"^[A-Za-z0-9.\-\[\]:]+(,[A-Za-z0-9.\-\[\]:]+)*$")
_BATCH = 10_000
_MESSAGE_COLUMNS = ["partition", "offset", "timestamp", "format", "key", "value"]
_LOG = logging.getLogger(__name__)


def parse_kafka_source(source: str) -> tuple[str | None, str]:
    """``kafka://topic`` -> ``(None, topic)``; ``kafka://host:9092,host2:9092/topic`` ->
    ``("host:9092,host2:9092", topic)``.

    Raises:
        InvalidParameterError: not a ``kafka://`` URL, or the topic name is not legal.
    """
    if not isinstance(source, str) or not source.lower().startswith("kafka://"):
        raise InvalidParameterError(
            f"{source!r} is not a Kafka source; write kafka://TOPIC or kafka://HOST:PORT/TOPIC"
        )
    rest = source[len("kafka://") :]
    servers, _, topic = rest.rpartition("/")
    if servers and not _SERVERS.match(servers):
        raise InvalidParameterError(
            f"{source!r}: {servers!r} is not a list of HOST:PORT brokers; write "
            "kafka://HOST:PORT/TOPIC (several brokers separated by commas) or kafka://TOPIC"
        )
    check_topic(topic, source)
    return servers or None, topic


def check_topic(topic: Any, where: str = "topic") -> str:
    """``topic`` if it is a legal Kafka topic name (letters, digits, '.', '_', '-'; at most
    249 characters; not '.' or '..'), else :class:`InvalidParameterError`."""
    if not isinstance(topic, str) or not _TOPIC.match(topic) or topic in (".", ".."):
        raise InvalidParameterError(
            f"{where}: {topic!r} is not a legal Kafka topic name; use 1 to 249 letters, "
            "digits, '.', '_' or '-'"
        )
    return topic


def read_topic(
    bootstrap_servers: str,
    topic: str,
    *,
    max_messages: int | None = None,
    config: dict[str, Any] | None = None,
    timeout: float = 30.0,
) -> pd.DataFrame:
    """The messages of ``topic`` up to its end offsets at the start, as one table.

    Args:
        bootstrap_servers: ``"host:port"`` (several separated by commas).
        topic: the topic to read.
        max_messages: keep only the last N messages across partitions (by timestamp);
            None reads every message the topic holds.
        config: extra librdkafka consumer settings (``security.protocol``, ``sasl.*``...).
        timeout: seconds the whole read may take, connecting included.

    Returns:
        One row per message, ordered by (timestamp, partition, offset).
        ``df.attrs["genesis_kafka"]`` holds ``{"topic", "offsets": {partition: [first,
        end]}, "end_offsets": {partition: end}}`` (``end`` exclusive).

    Raises:
        BrokerUnavailableError: no broker answered within ``timeout``, or the read did not
            finish in time.
        SourceNotFoundError: the topic does not exist (the message lists those that do).
        EmptySourceError: the topic (or the chosen range) holds no message.
        UnparseableSourceError: a message does not decode (its partition, offset and
            format are named).
        InvalidParameterError: a bad topic name, ``max_messages`` or ``timeout``.
    """
    max_messages = require_int(max_messages, "max_messages", 1, allow_none=True)
    with _Reader(bootstrap_servers, topic, config, timeout) as reader:
        deadline = reader.deadline
        ends = reader.end_offsets()
        starts = {
            p: max(low, ends[p] - max_messages) if max_messages else low
            for p, (low, _) in reader.watermarks.items()
        }
        if not any(ends[p] > starts[p] for p in ends):
            raise EmptySourceError(
                f"Kafka topic {topic!r} holds no messages (partitions "
                f"{sorted(ends)} are empty); produce rows to it first, or check the topic name"
            )
        messages = reader.read(starts, ends)
    if messages.empty:  # the range was there, and retention deleted it meanwhile
        raise EmptySourceError(
            f"Kafka topic {topic!r} held no readable message between offsets {starts} and "
            f"{ends}; the broker's retention may have deleted them: produce rows, then read"
        )
    if max_messages is not None and len(messages) > max_messages:
        messages = messages.iloc[len(messages) - max_messages :]
    schemas = None
    if (messages["format"] == "avro").any():
        left = max(deadline - time.monotonic(), 0.001)  # one timeout for the whole read
        schemas = _avro_schemas(bootstrap_servers, topic, config, left)
    df = _decode(topic, messages, schemas)
    df.attrs[ATTRS_KEY] = {
        "topic": topic,
        "offsets": {
            int(p): [int(group["offset"].min()), int(group["offset"].max()) + 1]
            for p, group in messages.groupby("partition")
        },
        "end_offsets": {int(p): int(e) for p, e in ends.items()},
    }
    return df


def topic_end_offsets(
    bootstrap_servers: str,
    topic: str,
    *,
    config: dict[str, Any] | None = None,
    timeout: float = 10.0,
) -> dict[int, int]:
    """The end offset (high watermark) of every partition of ``topic``: what
    :func:`read_topic` would read up to now. Equal end offsets mean nothing was written.

    Raises:
        BrokerUnavailableError, SourceNotFoundError, InvalidParameterError: as
        :func:`read_topic`.
    """
    with _Reader(bootstrap_servers, topic, config, timeout) as reader:
        return reader.end_offsets()


class _Reader:
    """One consumer on one topic: metadata, end offsets, reading ranges of offsets."""

    def __init__(
        self, servers: str, topic: str, config: dict[str, Any] | None, timeout: float
    ) -> None:
        try:
            import confluent_kafka
        except ImportError:
            raise missing_dependency(
                "confluent_kafka", "reading a Kafka topic", "streaming"
            ) from None
        self._kafka = confluent_kafka
        if not isinstance(servers, str) or not servers.strip():
            raise InvalidParameterError(
                f"bootstrap_servers must be 'host:port' (several separated by commas), got "
                f"{servers!r}"
            )
        if config is not None and not isinstance(config, dict):
            raise InvalidParameterError(
                f"config must be a dict of librdkafka settings, got {type(config).__name__}"
            )
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise InvalidParameterError(f"timeout must be a number of seconds > 0, got {timeout!r}")
        self.servers = servers
        self.topic = check_topic(topic)
        self.deadline = time.monotonic() + float(timeout)
        self.timeout = float(timeout)
        settings = {
            **(config or {}),
            "bootstrap.servers": servers,
            # assign() only: no group is joined and nothing is committed under this id
            "group.id": (config or {}).get("group.id", "genesis-read-topic"),
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "enable.partition.eof": True,
            "auto.offset.reset": "earliest",
            "logger": _LOG,
        }
        self.consumer = confluent_kafka.Consumer(settings)
        self.partitions = self._partitions()
        self.watermarks = {p: self._watermark(p) for p in self.partitions}

    def __enter__(self) -> _Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.consumer.close()

    def _left(self) -> float:
        return max(self.deadline - time.monotonic(), 0.001)

    def _unavailable(self, what: str) -> BrokerUnavailableError:
        return BrokerUnavailableError(
            f"Kafka at {self.servers!r} did not answer within {self.timeout:g} s ({what}); "
            "check that the broker runs and the address, security.protocol and SASL settings "
            "are right, or raise timeout="
        )

    def _partitions(self) -> list[int]:
        try:
            metadata = self.consumer.list_topics(timeout=self._left())
        except self._kafka.KafkaException as exc:
            self.consumer.close()
            raise self._unavailable(first_line(exc)) from None
        found = metadata.topics.get(self.topic)
        if found is None or found.error is not None or not found.partitions:
            self.consumer.close()
            existing = sorted(t for t in metadata.topics if not t.startswith("__"))
            raise SourceNotFoundError(
                f"Kafka topic {self.topic!r} does not exist on {self.servers!r}; existing "
                f"topics: {existing[:20]}; check the name, or produce to it first"
            )
        return sorted(found.partitions)

    def _watermark(self, partition: int) -> tuple[int, int]:
        tp = self._kafka.TopicPartition(self.topic, partition)
        try:
            low, high = self.consumer.get_watermark_offsets(tp, timeout=self._left(), cached=False)
        except self._kafka.KafkaException as exc:
            self.consumer.close()
            raise self._unavailable(first_line(exc)) from None
        return max(low, 0), max(high, 0)

    def end_offsets(self) -> dict[int, int]:
        """Per partition, the high watermark of a fetch response, read by fetching the last
        message ListOffsets reports (a lower bound on some brokers: see the module)."""
        ends = {p: high for p, (low, high) in self.watermarks.items()}
        probe = {p: high - 1 for p, (low, high) in self.watermarks.items() if high > low}
        if not probe:
            return ends
        pending = set(probe)
        self.consumer.assign(
            [self._kafka.TopicPartition(self.topic, p, o) for p, o in probe.items()]
        )
        while pending:
            if time.monotonic() >= self.deadline:
                raise self._unavailable(f"no fetch answer for partitions {sorted(pending)}")
            for message in self.consumer.consume(len(pending) * 2, timeout=min(self._left(), 0.5)):
                pending.discard(message.partition())
        for p in probe:
            _, fetched = self.consumer.get_watermark_offsets(
                self._kafka.TopicPartition(self.topic, p), cached=True
            )
            ends[p] = max(ends[p], fetched)
        self.consumer.unassign()
        return ends

    def read(self, starts: dict[int, int], ends: dict[int, int]) -> pd.DataFrame:
        """Messages ``[starts[p], ends[p])`` of every partition: columns partition, offset,
        timestamp, format, key, value; ordered by (timestamp, partition, offset)."""
        pending = {p for p in ends if ends[p] > starts[p]}
        self.consumer.assign(
            [self._kafka.TopicPartition(self.topic, p, starts[p]) for p in sorted(pending)]
        )
        rows: list[tuple[int, int, int, str, bytes | None, bytes | None]] = []
        while pending:
            if time.monotonic() >= self.deadline:
                raise self._unavailable(
                    f"read {len(rows):,} messages, partitions {sorted(pending)} unfinished"
                )
            for message in self.consumer.consume(_BATCH, timeout=min(self._left(), 0.5)):
                p = message.partition()
                if p not in pending:
                    continue
                error = message.error()
                offset = message.offset()
                if error is not None:
                    if error.code() != self._kafka.KafkaError._PARTITION_EOF:
                        raise self._unavailable(first_line(self._kafka.KafkaException(error)))
                    pending.discard(p)  # nothing more now: the end offset is behind us
                    continue
                if offset < ends[p]:
                    rows.append(
                        (
                            p,
                            offset,
                            message.timestamp()[1],
                            _format_of(message),
                            message.key(),
                            message.value(),
                        )
                    )
                if offset >= ends[p] - 1:
                    pending.discard(p)
        frame = pd.DataFrame(rows, columns=_MESSAGE_COLUMNS)
        order = np.lexsort((frame["offset"], frame["partition"], frame["timestamp"]))
        return frame.iloc[order].reset_index(drop=True)


def _format_of(message: Any) -> str:
    for key, value in message.headers() or ():
        if key == FORMAT_HEADER:
            return value.decode("utf-8", "replace") if value is not None else ""
    return "plain"


def _avro_schemas(
    servers: str, topic: str, config: dict[str, Any] | None, timeout: float
) -> dict[bytes, dict]:
    """Fingerprint -> Avro writer schema, from the topic ``f"{topic}.schemas"``."""
    schema_topic = topic + SCHEMAS_SUFFIX
    try:
        with _Reader(servers, schema_topic, config, timeout) as reader:
            ends = reader.end_offsets()
            messages = reader.read({p: low for p, (low, _) in reader.watermarks.items()}, ends)
    except SourceNotFoundError:
        raise UnparseableSourceError(
            f"Kafka topic {topic!r} holds Avro messages, and their schemas topic "
            f"{schema_topic!r} does not exist; publish the writer schemas there (the Genesis "
            "Kafka producer does) or produce JSON"
        ) from None
    schemas: dict[bytes, dict] = {}
    for partition, offset, key, value in messages[
        ["partition", "offset", "key", "value"]
    ].itertuples(index=False):
        try:
            schemas[bytes.fromhex(key.decode("ascii"))] = json.loads(value)
        except (AttributeError, ValueError, UnicodeDecodeError, TypeError) as exc:
            raise UnparseableSourceError(
                f"schemas topic {schema_topic!r}, partition {partition} offset {offset}: not a "
                f"fingerprint (16 hex characters) key and an Avro schema in JSON ({exc})"
            ) from None
    return schemas


def _decode(topic: str, messages: pd.DataFrame, schemas: dict[bytes, dict] | None) -> pd.DataFrame:
    """One row per message; each run of one format decoded at once, the order kept."""
    formats = messages["format"].to_numpy()
    parts = []
    for fmt in pd.unique(formats):
        where = np.flatnonzero(formats == fmt)
        chunk = messages.iloc[where]
        frame = _decode_format(topic, chunk, fmt, schemas)
        parts.append(frame.set_axis(where, axis=0))
    df = parts[0] if len(parts) == 1 else pd.concat(parts).sort_index()
    df = df.reset_index(drop=True)
    validate_column_names(df.columns, f"Kafka topic {topic!r}")
    return df


def _decode_format(
    topic: str, chunk: pd.DataFrame, fmt: str, schemas: dict[bytes, dict] | None
) -> pd.DataFrame:
    values = chunk["value"].tolist()
    empty = [i for i, v in enumerate(values) if not v]
    if empty:
        raise _undecodable(topic, chunk, empty[0], fmt, "the message has no value (a tombstone)")
    if fmt == "plain":
        return _decode_plain(topic, chunk, values)
    if fmt not in ("json", "avro"):
        raise _undecodable(
            topic,
            chunk,
            0,
            fmt,
            f"header {FORMAT_HEADER}={fmt!r} names no Genesis format (json, avro)",
        )
    from genesis.streaming.serializers import decode_messages

    try:
        frame = decode_messages(values, fmt, schemas)
    except Exception as exc:  # find the first message that does not decode, and name it
        for i, value in enumerate(values):
            try:
                decode_messages([value], fmt, schemas)
            except Exception as one:
                raise _undecodable(topic, chunk, i, fmt, first_line(one)) from None
        raise _undecodable(topic, chunk, 0, fmt, first_line(exc)) from None
    if len(frame) != len(values):
        raise _undecodable(
            topic, chunk, 0, fmt, f"{len(values)} messages decoded to {len(frame)} rows"
        )
    return frame


def _decode_plain(topic: str, chunk: pd.DataFrame, values: list[bytes]) -> pd.DataFrame:
    """JSON objects, one per message, parsed as one JSON array."""
    try:
        records = json.loads(b"[" + b",".join(values) + b"]")
    except (ValueError, UnicodeDecodeError):
        records = None
    if records is not None and all(isinstance(r, dict) for r in records):
        return pd.DataFrame.from_records(records)
    for i, value in enumerate(values):
        try:
            record = json.loads(value)
        except (ValueError, UnicodeDecodeError) as exc:
            raise _undecodable(topic, chunk, i, "plain JSON", f"not JSON: {exc}") from None
        if not isinstance(record, dict):
            raise _undecodable(
                topic, chunk, i, "plain JSON", f"a JSON {type(record).__name__}, not an object"
            )
    raise _undecodable(topic, chunk, 0, "plain JSON", "the messages do not form JSON objects")


def _undecodable(
    topic: str, chunk: pd.DataFrame, i: int, fmt: str, why: str
) -> UnparseableSourceError:
    partition, offset = int(chunk["partition"].iloc[i]), int(chunk["offset"].iloc[i])
    return UnparseableSourceError(
        f"Kafka topic {topic!r}, partition {partition} offset {offset} ({fmt}): {why}; each "
        f"message must be one JSON object, or a Genesis message with the {FORMAT_HEADER} "
        "header (json or avro)"
    )


__all__ = [
    "ATTRS_KEY",
    "FORMAT_HEADER",
    "SCHEMAS_SUFFIX",
    "check_topic",
    "parse_kafka_source",
    "read_topic",
    "topic_end_offsets",
]
