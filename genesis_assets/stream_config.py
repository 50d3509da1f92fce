"""Kafka in ``genesis.yaml``: a dataset's ``stream:`` (publish synthetic rows to a topic) and a
``kafka://`` source (read a bounded snapshot of a topic as the real table).

::

    datasets:
      - name: adult
        source: genesis_assets/data/adult_sample.csv
        stream: {topic: adult-synthetic, rows: 100000, rate: 2000, key: null, format: json}
      - name: orders
        source: kafka://orders            # or kafka://HOST:PORT/orders
        read_options: {max_messages: 50000}

The cluster is the ``kafka`` resource's (``GENESIS_KAFKA_BOOTSTRAP_SERVERS`` and the SASL
variables, see :func:`genesis_assets.resources.kafka_resource`). ``stream:`` makes the asset
``<dataset>/synthetic_stream`` (see :mod:`genesis_assets.stream_assets`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

#: keywords a ``kafka://`` source takes in ``read_options``
KAFKA_READ_OPTIONS = ("max_messages", "timeout")


def is_kafka_source(source: str) -> bool:
    """Whether a dataset's ``source`` is a Kafka topic (``kafka://...``)."""
    return source.lower().startswith("kafka://")


class StreamConfig(BaseModel):
    """Publish ``rows`` synthetic rows of the dataset's current model to ``topic``."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    topic: str = Field(description="Kafka topic the rows go to (one message per row).")
    rows: int = Field(10_000, gt=0, description="Rows published per materialization.")
    rate: float | None = Field(
        None, gt=0, description="Rows per second (a token bucket); empty: as fast as acknowledged."
    )
    key: str | None = Field(
        None, description="Column whose value keys each message; empty: the row sequence number."
    )
    format: Literal["json", "avro"] = Field(
        "json", description="Message values: JSON objects, or Avro with schemas in <topic>.schemas."
    )
    batch_size: int = Field(1_000, gt=0, description="Rows generated and produced at a time.")
    include_metadata: bool = Field(
        True, description="Add _genesis_batch, _genesis_sequence, _genesis_generated_at."
    )
    where: list[str] = Field(
        default_factory=list,
        description="Publish only rows meeting these conditions, e.g. ['age>=60'] (the "
        "grammar of genesis generate --where).",
    )
    seed: int | None = Field(None, ge=0, description="Stream seed; empty: the dataset's.")

    def condition_set(self):
        """``where`` as a ConditionSet, or None when there is no condition."""
        if not self.where:
            return None
        from genesis.generators.conditional import ConditionSet

        return ConditionSet.parse(self.where)


def stream_problems(stream: StreamConfig | None, source: str, label: str) -> list[str]:
    """What makes a dataset's ``stream:`` unusable, checked when genesis.yaml loads."""
    from genesis.errors import GenesisError
    from genesis.io.kafka import check_topic, parse_kafka_source

    if stream is None:
        return []
    problems = []
    try:
        check_topic(stream.topic, f"{label}, field 'stream.topic'")
    except GenesisError as exc:
        problems.append(str(exc))
    if is_kafka_source(source):
        try:
            _, source_topic = parse_kafka_source(source)
        except GenesisError:
            source_topic = None
        if source_topic == stream.topic:
            problems.append(
                f"{label}, field 'stream.topic': {stream.topic!r} is also the dataset's source, "
                "so its synthetic rows would become its training data; stream to another topic"
            )
    if stream.key is not None and not stream.key.strip():
        problems.append(
            f"{label}, field 'stream.key': empty; name a column, or remove it to key by the row "
            "sequence number"
        )
    try:
        stream.condition_set()
    except GenesisError as exc:
        problems.append(f"{label}, field 'stream.where': {exc}")
    return problems


def kafka_source_problems(source: str, read_options: dict, label: str) -> list[str]:
    """A ``kafka://`` source: a legal topic, and only the read options a topic takes."""
    from genesis.errors import GenesisError
    from genesis.io.kafka import parse_kafka_source

    if not is_kafka_source(source):
        return []
    problems = []
    try:
        parse_kafka_source(source)
    except GenesisError as exc:
        problems.append(f"{label}, field 'source': {exc}")
    unknown = sorted(set(read_options) - set(KAFKA_READ_OPTIONS))
    if unknown:
        problems.append(
            f"{label}, field 'read_options': a kafka:// source takes only "
            f"{list(KAFKA_READ_OPTIONS)}, not {unknown}; the brokers and credentials come from "
            "the kafka resource (GENESIS_KAFKA_* environment variables)"
        )
    for name in KAFKA_READ_OPTIONS:
        value = read_options.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float) or value <= 0
        ):
            problems.append(
                f"{label}, field 'read_options.{name}': {value!r}; use a number > 0"
                + (" (an integer)" if name == "max_messages" else "")
            )
        elif name == "max_messages" and isinstance(value, float):
            problems.append(
                f"{label}, field 'read_options.max_messages': {value!r}; use an integer > 0"
            )
    return problems
