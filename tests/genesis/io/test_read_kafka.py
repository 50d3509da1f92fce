"""``genesis.io.kafka.read_topic`` on a real broker (tansu): a bounded snapshot, the last N
messages, Genesis-written JSON and Avro, and one clear error per way a topic can be wrong."""

from __future__ import annotations

import json
import threading
import time
import uuid

import pandas as pd
import pytest

from genesis.errors import (
    BrokerUnavailableError,
    EmptySourceError,
    InvalidParameterError,
    SourceNotFoundError,
    UnparseableSourceError,
)
from genesis.io import read_table
from genesis.io.kafka import ATTRS_KEY, parse_kafka_source, read_topic, topic_end_offsets


def _topic(servers: str, partitions: int = 3) -> str:
    from confluent_kafka.admin import AdminClient, NewTopic

    name = f"t-{uuid.uuid4().hex[:10]}"
    admin = AdminClient({"bootstrap.servers": servers})
    admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1)])[
        name
    ].result(10)
    return name


def _produce(servers: str, topic: str, records: list, headers=None, linger_ms: int = 20) -> None:
    """Every record acknowledged (``records`` are dicts, or raw bytes sent as they are)."""
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": servers, "linger.ms": linger_ms, "acks": "all"})
    failures = []
    for i, record in enumerate(records):
        value = record if isinstance(record, bytes) else json.dumps(record).encode()
        producer.produce(
            topic,
            value,
            key=str(i).encode(),
            headers=headers,
            on_delivery=lambda err, _msg: failures.append(err) if err else None,
        )
        producer.poll(0)
    assert producer.flush(10) == 0 and not failures


def test_a_plain_json_topic_reads_every_message_once_in_many_partitions(kafka_broker):
    topic = _topic(kafka_broker, partitions=3)
    records = [{"id": i, "amount": i * 1.5, "city": ["Paris", "Lyon"][i % 2]} for i in range(900)]
    _produce(kafka_broker, topic, records)

    df = read_topic(kafka_broker, topic)

    assert len(df) == 900 and sorted(df["id"]) == list(range(900))  # none lost, none twice
    assert list(df.columns) == ["id", "amount", "city"]
    assert df["id"].dtype.kind == "i" and df["amount"].dtype.kind == "f"
    info = df.attrs[ATTRS_KEY]
    assert info["topic"] == topic and set(info["end_offsets"]) == {0, 1, 2}
    # producer batches hold many messages: the end offsets are the true ones
    assert sum(end - first for first, end in info["offsets"].values()) == 900
    assert sum(info["end_offsets"].values()) == 900
    assert topic_end_offsets(kafka_broker, topic) == info["end_offsets"]


def test_the_snapshot_is_bounded_while_a_producer_keeps_writing(kafka_broker):
    from confluent_kafka import Producer

    topic = _topic(kafka_broker, partitions=2)
    _produce(kafka_broker, topic, [{"n": i, "phase": "before"} for i in range(2_000)])
    stop = threading.Event()
    written = []

    def keep_writing() -> None:
        producer = Producer({"bootstrap.servers": kafka_broker, "linger.ms": 5})
        i = 0
        while not stop.is_set():
            producer.produce(topic, json.dumps({"n": 10_000 + i, "phase": "during"}).encode())
            producer.poll(0)
            i += 1
            if i % 200 == 0:
                time.sleep(0.005)
        producer.flush(10)
        written.append(i)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        time.sleep(0.3)
        df = read_topic(kafka_broker, topic, timeout=20)
        again = read_topic(kafka_broker, topic, timeout=20)
    finally:
        stop.set()
        writer.join(20)
    assert written and written[0] > 0
    before = df[df["phase"] == "before"]
    assert sorted(before["n"]) == list(range(2_000))  # all of what was there at the start
    assert not df["n"].duplicated().any()
    assert len(df) < 2_000 + written[0]  # ... and not what came after the end offsets
    assert len(again) >= len(df)  # a later snapshot holds at least as much
    info = df.attrs[ATTRS_KEY]
    assert sum(end - first for first, end in info["offsets"].values()) == len(df)


def test_max_messages_keeps_the_last_messages_across_partitions(kafka_broker):
    topic = _topic(kafka_broker, partitions=3)
    _produce(kafka_broker, topic, [{"n": i} for i in range(300)])
    time.sleep(0.02)  # later timestamps for the last ones
    _produce(kafka_broker, topic, [{"n": 1_000 + i} for i in range(50)])

    df = read_topic(kafka_broker, topic, max_messages=50)

    assert sorted(df["n"]) == [1_000 + i for i in range(50)]
    assert len(read_table(f"kafka://{kafka_broker}/{topic}", max_messages=7)) == 7
    with pytest.raises(InvalidParameterError, match="max_messages must be >= 1"):
        read_topic(kafka_broker, topic, max_messages=0)


def test_read_table_reads_kafka_urls(kafka_broker):
    topic = _topic(kafka_broker, partitions=1)
    _produce(kafka_broker, topic, [{"a": 1, "b": "x"}, {"a": 2, "b": None}])

    by_url = read_table(f"kafka://{kafka_broker}/{topic}")
    by_option = read_table(f"kafka://{topic}", bootstrap_servers=kafka_broker)

    pd.testing.assert_frame_equal(by_url, by_option)
    assert by_url["a"].tolist() == [1, 2] and by_url["b"].isna().tolist() == [False, True]
    with pytest.raises(InvalidParameterError, match="names no broker"):
        read_table(f"kafka://{topic}")
    with pytest.raises(InvalidParameterError, match=r"not \['sep'\]"):
        read_table(f"kafka://{kafka_broker}/{topic}", sep=";")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("kafka://orders", (None, "orders")),
        ("kafka://h1:9092,h2:9093/orders.v1", ("h1:9092,h2:9093", "orders.v1")),
    ],
)
def test_kafka_urls_parse(source, expected):
    assert parse_kafka_source(source) == expected


@pytest.mark.parametrize("source", ["kafka://", "kafka://h:1/bad topic", "kafka://h:1/a/b"])
def test_bad_kafka_urls_are_refused(source):
    with pytest.raises(InvalidParameterError, match="kafka://"):
        parse_kafka_source(source)


def test_an_unknown_topic_names_the_existing_ones(own_kafka_broker):
    # a broker of its own: the shared one may hold more topics than the message lists (20)
    servers = own_kafka_broker.bootstrap_servers
    topic = _topic(servers, partitions=1)
    with pytest.raises(SourceNotFoundError, match=rf"'no-such-topic' does not exist.*{topic}"):
        read_topic(servers, "no-such-topic")


def test_an_empty_topic_is_an_empty_source(kafka_broker):
    topic = _topic(kafka_broker, partitions=2)
    with pytest.raises(EmptySourceError, match=rf"{topic}' holds no messages"):
        read_topic(kafka_broker, topic)


def test_an_unreachable_broker_fails_within_the_timeout():
    from tests.kafka_broker import free_port

    start = time.monotonic()
    with pytest.raises(BrokerUnavailableError, match=r"did not answer within 1 s"):
        read_topic(f"127.0.0.1:{free_port()}", "orders", timeout=1.0)
    assert time.monotonic() - start < 5


def test_an_undecodable_message_is_named_by_partition_and_offset(kafka_broker):
    topic = _topic(kafka_broker, partitions=1)
    _produce(kafka_broker, topic, [{"a": 1}, {"a": 2}, b"not json {", {"a": 4}])
    with pytest.raises(
        UnparseableSourceError, match=r"partition 0 offset 2 \(plain JSON\): not JSON"
    ):
        read_topic(kafka_broker, topic)

    arrays = _topic(kafka_broker, partitions=1)
    _produce(kafka_broker, arrays, [{"a": 1}, b"[1, 2]"])
    with pytest.raises(UnparseableSourceError, match=r"offset 1 \(plain JSON\): a JSON list"):
        read_topic(kafka_broker, arrays)

    unknown = _topic(kafka_broker, partitions=1)
    _produce(kafka_broker, unknown, [{"a": 1}], headers=[("genesis.format", b"protobuf")])
    with pytest.raises(UnparseableSourceError, match=r"offset 0 \(protobuf\).*names no Genesis"):
        read_topic(kafka_broker, unknown)


@pytest.mark.parametrize("serializer", ["json", "avro"])
def test_rows_a_genesis_stream_wrote_read_back_with_their_dtypes(kafka_broker, serializer):
    from genesis.streaming import SEQUENCE_COLUMN, StreamingConfig, StreamingGenerator
    from genesis.streaming.kafka import KafkaStreamingGenerator

    rng = __import__("numpy").random.default_rng(0)
    real = pd.DataFrame(
        {
            "age": rng.integers(18, 90, 300),
            "income": rng.normal(50_000, 9_000, 300).round(2),
            "city": rng.choice(["Paris", "Lyon", "Nice"], 300),
            "member": rng.random(300) < 0.4,
        }
    )
    topic = _topic(kafka_broker, partitions=2)
    stream = KafkaStreamingGenerator(
        kafka_broker, topic, batch_size=100, value_serializer=serializer, seed=3
    ).fit(real, method="gaussian_copula")
    stream.start_streaming(None, max_samples=450)

    df = read_topic(kafka_broker, topic)

    assert len(df) == 450 and sorted(df[SEQUENCE_COLUMN]) == list(range(450))
    expected = StreamingGenerator.from_model(
        stream.model, StreamingConfig(batch_size=100), seed=3
    ).generate(450)
    got = df.sort_values(SEQUENCE_COLUMN).reset_index(drop=True)
    for column in real.columns:
        assert got[column].dtype.kind == expected[column].dtype.kind, column
        assert got[column].tolist() == expected[column].tolist(), column
    assert str(got["_genesis_generated_at"].dtype).startswith("datetime64")
    if serializer == "avro":  # the schemas topic is read, not returned as rows
        assert df.attrs[ATTRS_KEY]["topic"] == topic


def test_avro_messages_without_their_schemas_topic_are_named(kafka_broker):
    topic = _topic(kafka_broker, partitions=1)
    _produce(
        kafka_broker,
        topic,
        [b"\xc3\x01" + bytes(8) + b"\x02"],
        headers=[("genesis.format", b"avro")],
    )
    with pytest.raises(
        UnparseableSourceError, match=rf"schemas topic '{topic}.schemas' does not exist"
    ):
        read_topic(kafka_broker, topic)


def test_an_avro_message_with_an_unknown_schema_is_named(kafka_broker):
    from confluent_kafka import Producer

    from genesis.streaming.serializers import fingerprint

    topic = _topic(kafka_broker, partitions=1)
    schema = {"type": "record", "name": "R", "fields": [{"name": "a", "type": "long"}]}
    producer = Producer({"bootstrap.servers": kafka_broker})
    producer.produce(f"{topic}.schemas", json.dumps(schema).encode(), key=fingerprint(schema).hex())
    assert producer.flush(10) == 0
    avro = [("genesis.format", b"avro")]
    _produce(kafka_broker, topic, [b"\xc3\x01" + fingerprint(schema) + b"\x02"], headers=avro)
    assert read_topic(kafka_broker, topic)["a"].tolist() == [1]  # zigzag 0x02 = 1

    _produce(kafka_broker, topic, [b"\xc3\x01" + bytes(8) + b"\x02"], headers=avro)
    with pytest.raises(
        UnparseableSourceError, match=r"partition 0 offset 1 \(avro\): no Avro schema"
    ):
        read_topic(kafka_broker, topic)

    _produce(kafka_broker, f"{topic}.schemas", [b"{}"])  # keyed "0": not a fingerprint
    with pytest.raises(
        UnparseableSourceError, match=r"\.schemas', partition \d+ offset \d+: not a fingerprint"
    ):
        read_topic(kafka_broker, topic)
