"""KafkaStreamingGenerator against a real Kafka-protocol broker (tansu): every row consumed
exactly once with its key and dtypes, rate control, stop(), broker down at start and killed
mid-stream, bad parameters."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid

import confluent_kafka
import pandas as pd
import pytest

from genesis.errors import (
    BrokerUnavailableError,
    DeliveryError,
    InvalidParameterError,
    NotFittedError,
    StreamingError,
)
from genesis.generators import SyntheticGenerator
from genesis.streaming import (
    GENERATED_AT_COLUMN,
    SEQUENCE_COLUMN,
    KafkaStreamingGenerator,
    StreamingConfig,
    StreamingGenerator,
)
from genesis.streaming.kafka import FORMAT_HEADER, SCHEMA_TOPIC_SUFFIX
from genesis.streaming.serializers import decode_messages
from tests.kafka_broker import free_port, tansu_binary


@pytest.fixture(scope="module")
def adult_model(adult_df):
    return SyntheticGenerator("gaussian_copula", seed=0).fit(
        adult_df.sample(2000, random_state=0).reset_index(drop=True)
    )


@pytest.fixture(scope="module")
def weather_model(weather_df):
    table = weather_df.sample(2000, random_state=0).reset_index(drop=True)
    table["time_hour"] = pd.to_datetime(table["time_hour"], utc=True)
    return SyntheticGenerator("gaussian_copula", seed=0).fit(table)


def new_topic(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def consume_topic(bootstrap: str, topic: str, timeout: float = 20.0) -> list:
    """Every message of ``topic``, read from the beginning of each partition up to the high
    watermark taken now (no consumer group join: partitions are assigned directly)."""
    consumer = confluent_kafka.Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"reader-{uuid.uuid4().hex[:8]}",
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
        }
    )
    try:
        metadata = consumer.list_topics(topic, timeout=10)
        partitions = sorted(metadata.topics[topic].partitions)
        ends = {}
        for partition in partitions:
            low, high = consumer.get_watermark_offsets(
                confluent_kafka.TopicPartition(topic, partition), timeout=10
            )
            if high > low:
                ends[partition] = high
        consumer.assign(
            [
                confluent_kafka.TopicPartition(topic, p, confluent_kafka.OFFSET_BEGINNING)
                for p in ends
            ]
        )
        messages, done = [], set()
        deadline = time.monotonic() + timeout
        while len(done) < len(ends):
            assert time.monotonic() < deadline, f"read {len(messages)} messages of {topic} only"
            for message in consumer.consume(10_000, timeout=0.5):
                assert message.error() is None, message.error()
                messages.append(message)
                if message.offset() + 1 >= ends[message.partition()]:
                    done.add(message.partition())
        return messages
    finally:
        consumer.close()


def expected_rows(model, n: int, batch_size: int, seed: int, conditions=None) -> pd.DataFrame:
    """The first ``n`` rows of the reproducible stream, regenerated without Kafka."""
    stream = StreamingGenerator.from_model(
        model, StreamingConfig(batch_size=batch_size), seed=seed, conditions=conditions
    )
    return stream.generate(n)


def decoded(messages, fmt: str, schemas=None) -> pd.DataFrame:
    return decode_messages([m.value() for m in messages], fmt, schemas)


def assert_exactly_once(frame: pd.DataFrame, n: int) -> None:
    assert len(frame) == n
    assert frame[SEQUENCE_COLUMN].is_unique
    assert sorted(frame[SEQUENCE_COLUMN]) == list(range(n))


# --- every row, once, with its key and dtypes ----------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "avro"])
@pytest.mark.parametrize("table", ["adult", "weather"])
def test_every_row_is_consumed_once_with_key_and_dtypes(
    kafka_broker, adult_model, weather_model, table, fmt
):
    model = adult_model if table == "adult" else weather_model
    topic = new_topic(f"{table}-{fmt}")
    n, batch_size = 1_050, 200  # the last batch is short
    gen = KafkaStreamingGenerator.from_model(
        model, kafka_broker, topic, batch_size=batch_size, value_serializer=fmt, seed=11
    )
    gen.start_streaming(None, max_samples=n)
    assert gen.stats.sent == gen.stats.acknowledged == n
    assert gen.stats.failed == 0
    assert gen.stats.total_samples == n

    messages = consume_topic(kafka_broker, topic)
    schemas = None
    if fmt == "avro":
        published = consume_topic(kafka_broker, topic + SCHEMA_TOPIC_SUFFIX)
        assert len(published) == 1
        schema = json.loads(published[0].value())
        assert schema == gen.avro_schema
        schemas = {bytes.fromhex(published[0].key().decode()): schema}
    frame = decoded(messages, fmt, schemas)
    assert_exactly_once(frame, n)
    assert all(dict(m.headers())[FORMAT_HEADER] == fmt.encode() for m in messages)
    # key = the row's sequence number as text
    assert [m.key() for m in messages] == [str(s).encode() for s in frame[SEQUENCE_COLUMN]]

    # the rows are the reproducible stream's rows, with the generated dtypes
    frame = frame.sort_values(SEQUENCE_COLUMN, ignore_index=True)
    expected = expected_rows(model, n, batch_size, seed=11)
    pd.testing.assert_frame_equal(
        frame.drop(columns=GENERATED_AT_COLUMN), expected.drop(columns=GENERATED_AT_COLUMN)
    )
    assert str(frame[GENERATED_AT_COLUMN].dtype) == "datetime64[ns, UTC]"
    if table == "weather":
        assert str(frame["time_hour"].dtype) == "datetime64[ns, UTC]"
        assert frame["year"].dtype == "int64"
        assert frame["temp"].dtype == "float64"

    report = gen.delivery_report()
    assert report["rows"] == n and report["failed"] == 0 and report["topic"] == topic
    spans = report["offset_ranges"]
    assert sorted(spans) == report["partitions"] == sorted({m.partition() for m in messages})
    assert sum(last - first + 1 for first, last in spans.values()) == n
    assert report["rows_per_second"] > 0


def test_key_column_keys_each_message_and_metadata_can_be_left_out(kafka_broker, adult_model):
    topic = new_topic("keyed")
    gen = KafkaStreamingGenerator.from_model(
        adult_model, kafka_broker, topic, key_column="education", include_metadata=False
    )
    gen.start_streaming(None, max_samples=500)
    messages = consume_topic(kafka_broker, topic)
    frame = decoded(messages, "json")
    assert len(frame) == 500
    assert SEQUENCE_COLUMN not in frame.columns
    assert [m.key().decode() for m in messages] == frame["education"].tolist()

    # without metadata and without key_column, the key is still the row's sequence number
    topic = new_topic("sequence-keyed")
    gen = KafkaStreamingGenerator.from_model(
        adult_model, kafka_broker, topic, batch_size=64, include_metadata=False
    )
    gen.start_streaming(None, max_samples=300)
    keys = sorted(int(m.key()) for m in consume_topic(kafka_broker, topic))
    assert keys == list(range(300))


def test_fit_then_stream_with_conditions(kafka_broker, adult_df):
    topic = new_topic("conditioned")
    gen = KafkaStreamingGenerator(
        kafka_broker, topic, batch_size=150, conditions={"sex": "Female"}, seed=5
    )
    gen.fit(adult_df.sample(2000, random_state=1), method="gaussian_copula")
    gen.start_streaming(None, max_samples=600)
    frame = decoded(consume_topic(kafka_broker, topic), "json")
    assert_exactly_once(frame, 600)
    assert (frame["sex"] == "Female").all()


def test_a_full_local_queue_waits_instead_of_dropping(kafka_broker, adult_model):
    topic = new_topic("small-queue")
    gen = KafkaStreamingGenerator.from_model(
        adult_model,
        kafka_broker,
        topic,
        batch_size=1000,
        producer_config={"queue.buffering.max.messages": 50, "linger.ms": 1},
    )
    gen.start_streaming(None, max_samples=3000)  # every batch overflows the queue
    assert gen.stats.acknowledged == gen.stats.sent == 3000
    assert_exactly_once(decoded(consume_topic(kafka_broker, topic), "json"), 3000)


def test_the_producer_is_idempotent_with_a_producer_id_from_the_broker(kafka_broker, adult_model):
    """librdkafka's own statistics: the idempotent producer got a producer id and epoch from
    the broker (InitProducerId), so its retries cannot duplicate rows; librdkafka accepts
    enable.idempotence only with acks=all."""
    reports: list[dict] = []
    gen = KafkaStreamingGenerator.from_model(
        adult_model,
        kafka_broker,
        new_topic("idempotent"),
        producer_config={
            "statistics.interval.ms": 100,
            "stats_cb": lambda text: reports.append(json.loads(text)),
        },
    )
    gen.start_streaming(2_000, max_samples=1_000)  # about half a second: several reports
    assert gen.stats.acknowledged == 1_000
    eos = [r["eos"] for r in reports if "eos" in r]
    assert eos, f"no statistics with an 'eos' section in {len(reports)} reports"
    assert eos[-1]["idemp_state"] == "Assigned"
    assert eos[-1]["producer_id"] >= 0 and eos[-1]["producer_epoch"] >= 0


# --- rate control --------------------------------------------------------------------------


@pytest.mark.serial  # a clock or a deadline: alone after the parallel phase
def test_rate_is_within_10_percent_at_2000_rows_per_second(kafka_broker, adult_model):
    topic = new_topic("paced")
    gen = KafkaStreamingGenerator.from_model(adult_model, kafka_broker, topic, batch_size=100)
    seen: list[tuple[float, int]] = []
    started = time.monotonic()
    gen.start_streaming(
        2000, max_samples=10_000, progress=lambda s: seen.append((time.monotonic(), s.sent))
    )
    elapsed = time.monotonic() - started
    assert gen.stats.acknowledged == 10_000
    assert elapsed == pytest.approx(5.0, rel=0.1)
    rate = gen.stats.acknowledged / gen.stats.elapsed_time
    assert rate == pytest.approx(2000, rel=0.1)
    # paced throughout, not in one burst: the first half is sent in the first half of the time
    half = next(t for t, sent in seen if sent >= 5_000)
    assert half - started == pytest.approx(2.5, rel=0.15)
    assert len(seen) == 100  # progress after every batch


# --- stop() --------------------------------------------------------------------------------


@pytest.mark.serial  # a clock or a deadline: alone after the parallel phase
def test_stop_mid_stream_loses_nothing_acknowledged(kafka_broker, adult_model):
    topic = new_topic("stopped")
    gen = KafkaStreamingGenerator.from_model(
        adult_model, kafka_broker, topic, batch_size=250, seed=2
    )
    errors: list[BaseException] = []

    def run():
        try:
            gen.start_streaming(20_000, max_samples=None)
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 20
    while gen.stats.acknowledged < 2_000:
        assert time.monotonic() < deadline and thread.is_alive(), errors
        time.sleep(0.01)
    gen.stop()
    # stop() returns once flushed: nothing pending
    stats = gen.stats
    assert stats.pending == 0
    assert stats.failed == 0
    assert stats.sent == stats.acknowledged >= 2_000
    thread.join(timeout=10)
    assert not thread.is_alive() and errors == []
    stopped_at = stats.acknowledged
    assert stopped_at % 250 == 0  # stopped after a whole batch

    frame = decoded(consume_topic(kafka_broker, topic), "json")
    assert_exactly_once(frame, stopped_at)  # consumed == acknowledged, no duplicates

    # streaming again continues the sequence: still no duplicates, no gap
    gen.start_streaming(None, max_samples=500)
    assert gen.stats.acknowledged == stopped_at + 500
    assert_exactly_once(decoded(consume_topic(kafka_broker, topic), "json"), stopped_at + 500)
    gen.stop()  # not streaming: returns at once


@pytest.mark.serial  # a clock or a deadline: alone after the parallel phase
def test_stop_from_the_progress_callback(kafka_broker, adult_model):
    topic = new_topic("self-stopped")
    gen = KafkaStreamingGenerator.from_model(adult_model, kafka_broker, topic, batch_size=100)

    def progress(stats):
        if stats.total_batches == 3:
            gen.stop()

    gen.start_streaming(None, max_samples=None, progress=progress)
    assert gen.stats.acknowledged == gen.stats.sent == 300


# --- broker failures -----------------------------------------------------------------------


@pytest.mark.serial  # a clock or a deadline: alone after the parallel phase
def test_broker_down_at_start_fails_within_the_timeout(adult_model):
    address = f"127.0.0.1:{free_port()}"  # nothing listens there
    gen = KafkaStreamingGenerator.from_model(adult_model, address, "nowhere", delivery_timeout=2)
    started = time.monotonic()
    with pytest.raises(BrokerUnavailableError, match=address.replace(".", r"\.")):
        gen.start_streaming(None, max_samples=100)
    assert time.monotonic() - started < 2 + 1.5
    assert gen.stats.sent == 0 and gen.stats.acknowledged == 0


@pytest.mark.serial  # a clock or a deadline: alone after the parallel phase
def test_broker_killed_mid_stream_counts_and_raises_failures(own_kafka_broker, adult_model):
    gen = KafkaStreamingGenerator.from_model(
        adult_model,
        own_kafka_broker.bootstrap_servers,
        new_topic("killed"),
        batch_size=100,
        delivery_timeout=2,
    )
    acknowledged_at_kill: list[int] = []

    def kill_when_rows_arrive():
        deadline = time.monotonic() + 20
        while gen.stats.acknowledged < 1_000 and time.monotonic() < deadline:
            time.sleep(0.005)
        acknowledged_at_kill.append(gen.stats.acknowledged)
        own_kafka_broker.kill()

    killer = threading.Thread(target=kill_when_rows_arrive)
    killer.start()
    started = time.monotonic()
    with pytest.raises(DeliveryError) as raised:
        gen.start_streaming(5_000, max_samples=None)
    took = time.monotonic() - started
    killer.join()
    stats = gen.stats
    assert acknowledged_at_kill and acknowledged_at_kill[0] >= 1_000
    assert stats.failed > 0
    assert stats.sent == stats.acknowledged + stats.failed  # nothing unaccounted
    assert stats.acknowledged >= acknowledged_at_kill[0]
    assert raised.value.failed == stats.failed
    assert raised.value.acknowledged == stats.acknowledged
    assert f"{stats.failed} of {stats.sent}" in str(raised.value)
    # each acknowledged row has its own broker offset: the acknowledgements are real reports
    spans = gen.delivery_report()["offset_ranges"]
    assert sum(last - first + 1 for first, last in spans.values()) == stats.acknowledged
    # production stopped at the first failure: failures within about two timeouts
    assert took < 2 * 2 + 6


def start_persistent_broker(port: int, endpoint: str, bucket: str) -> subprocess.Popen:
    """tansu on ``port`` storing its log in an S3 bucket (the moto server): what it
    acknowledged survives a kill and a restart on the same port and bucket."""
    url = f"tcp://127.0.0.1:{port}"
    env = {
        **os.environ,
        "AWS_ENDPOINT": endpoint,
        "AWS_ALLOW_HTTP": "true",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    process = subprocess.Popen(
        [str(tansu_binary()), "broker", "--listener-url", url, "--advertised-listener-url", url,
         "--storage-engine", f"s3://{bucket}/"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 15
    while True:
        assert process.poll() is None, f"tansu exited with code {process.returncode}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process
        except OSError:
            assert time.monotonic() < deadline, f"tansu did not listen on port {port}"
            time.sleep(0.02)


@pytest.mark.serial  # a clock or a deadline: alone after the parallel phase
def test_rows_acknowledged_before_a_kill_are_stored(s3_server, s3_client, adult_model):
    bucket = f"tansu-{uuid.uuid4().hex[:8]}"
    s3_client.create_bucket(Bucket=bucket)
    port = free_port()
    broker = start_persistent_broker(port, s3_server, bucket)
    try:
        topic = new_topic("persisted")
        gen = KafkaStreamingGenerator.from_model(
            adult_model, f"127.0.0.1:{port}", topic, batch_size=100, delivery_timeout=2
        )

        def kill_when_rows_arrive():
            deadline = time.monotonic() + 20
            while gen.stats.acknowledged < 500 and time.monotonic() < deadline:
                time.sleep(0.005)
            broker.kill()
            broker.wait()

        killer = threading.Thread(target=kill_when_rows_arrive)
        killer.start()
        with pytest.raises(DeliveryError):
            gen.start_streaming(2_000, max_samples=None)
        killer.join()
        stats = gen.stats
        assert stats.acknowledged >= 500 and stats.failed > 0
        assert stats.sent == stats.acknowledged + stats.failed

        broker = start_persistent_broker(port, s3_server, bucket)  # same port, same log
        frame = decoded(consume_topic(f"127.0.0.1:{port}", topic), "json")
        assert frame[SEQUENCE_COLUMN].is_unique  # no duplicates, retries included
        # every row counted acknowledged is in the log (a failed one may be there too: the
        # broker can store a batch and die before its answer arrives)
        assert stats.acknowledged <= len(frame) <= stats.sent
    finally:
        broker.kill()
        broker.wait()


# --- bad parameters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"value_serializer": "xml"}, "value_serializer"),
        ({"producer_config": {"acks": 0}}, "acks=0"),
        ({"producer_config": {"acks": "1"}}, "acks"),
        ({"producer_config": {"request.required.acks": 1}}, "acks"),
        ({"producer_config": {"enable.idempotence": False}}, "idempotence"),
        ({"producer_config": {"message.timeout.ms": 60_000}}, "delivery_timeout"),
        ({"producer_config": {"on_delivery": print}}, "callbacks"),
        ({"producer_config": {"bootstrap.servers": "elsewhere:9092"}}, "differs"),
        ({"producer_config": "acks=all"}, "dict"),
        ({"batch_size": 0}, "batch_size"),
        ({"delivery_timeout": 0}, "delivery_timeout"),
        ({"key_column": ""}, "key_column"),
    ],
)
def test_bad_parameters_are_refused(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        KafkaStreamingGenerator("127.0.0.1:9092", "t", **kwargs)


@pytest.mark.parametrize("topic", ["", "has space", "a/b", ".."])
def test_bad_topic_is_refused(topic):
    with pytest.raises(InvalidParameterError, match="topic"):
        KafkaStreamingGenerator("127.0.0.1:9092", topic)


def test_key_column_not_in_the_table_is_refused(adult_model, adult_df):
    with pytest.raises(InvalidParameterError, match="'salary'.*'age'"):
        KafkaStreamingGenerator.from_model(adult_model, "127.0.0.1:9092", "t", key_column="salary")
    gen = KafkaStreamingGenerator("127.0.0.1:9092", "t", key_column="salary")
    with pytest.raises(InvalidParameterError, match="salary"):
        gen.fit(adult_df.head(300))


def test_bad_stream_arguments_are_refused(adult_model):
    gen = KafkaStreamingGenerator.from_model(adult_model, "127.0.0.1:9092", "t")
    with pytest.raises(InvalidParameterError, match="rate"):
        gen.start_streaming(0)
    with pytest.raises(InvalidParameterError, match="max_samples"):
        gen.start_streaming(None, max_samples=-1)
    with pytest.raises(InvalidParameterError, match="progress"):
        gen.start_streaming(None, max_samples=1, progress="print")
    with pytest.raises(NotFittedError):
        KafkaStreamingGenerator("127.0.0.1:9092", "t").start_streaming(None, 10)
    assert gen.stats.sent == 0


def test_a_second_concurrent_stream_is_refused(kafka_broker, adult_model):
    gen = KafkaStreamingGenerator.from_model(adult_model, kafka_broker, new_topic("twice"))
    thread = threading.Thread(target=gen.start_streaming, args=(1000, None))
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while gen.stats.acknowledged == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        with pytest.raises(StreamingError, match="already streaming"):
            gen.start_streaming(None, 10)
    finally:
        gen.stop()
        thread.join(timeout=10)


def test_avro_schema_is_none_for_json_and_before_fit(adult_model):
    assert (
        KafkaStreamingGenerator("127.0.0.1:9092", "t", value_serializer="avro").avro_schema is None
    )
    assert KafkaStreamingGenerator.from_model(adult_model, "h:1", "t").avro_schema is None
    schema = KafkaStreamingGenerator.from_model(
        adult_model, "h:1", "t", value_serializer="avro"
    ).avro_schema
    names = [f["name"] for f in schema["fields"]]
    assert names[: len(adult_model.schema_.names)] == adult_model.schema_.names
    assert names[-3:] == ["_genesis_batch", "_genesis_sequence", "_genesis_generated_at"]


def test_import_without_confluent_kafka_names_the_extra():
    code = (
        "import sys; sys.modules['confluent_kafka'] = None\n"
        "import genesis.streaming\n"
        "from genesis.errors import MissingDependencyError\n"
        "try:\n"
        "    genesis.streaming.KafkaStreamingGenerator\n"
        "except MissingDependencyError as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert "genesis-synth[streaming]" in result.stdout
    assert "confluent_kafka" in result.stdout


def test_a_row_larger_than_the_message_limit_is_a_clear_error(kafka_broker):
    labels = [letter * 3000 for letter in "abcde"]
    table = pd.DataFrame({"label": labels * 100, "n": range(500)})
    gen = KafkaStreamingGenerator(
        kafka_broker,
        new_topic("too-big"),
        producer_config={"message.max.bytes": 2000},
        include_metadata=False,
    ).fit(table)
    with pytest.raises(StreamingError, match="message.max.bytes") as raised:
        gen.start_streaming(None, max_samples=100)
    assert not isinstance(raised.value, DeliveryError)
    assert gen.stats.sent == gen.stats.acknowledged == gen.stats.failed == 0
