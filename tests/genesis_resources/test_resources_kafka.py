"""``KafkaResource``: client settings from its fields, credentials through ``dg.EnvVar`` that
never show, settings that do not fit refused, and both directions on a real broker."""

from __future__ import annotations

import uuid

import dagster as dg
import pandas as pd
import pytest

from genesis.errors import ConfigError
from genesis_resources.kafka import KafkaResource

PASSWORD = "s3cr3t-pa55word"


def test_plaintext_settings_hold_the_brokers_and_client_config():
    kafka = KafkaResource(bootstrap_servers="b1:9092,b2:9092", client_config={"client.id": "g"})
    expected = {"bootstrap.servers": "b1:9092,b2:9092", "security.protocol": "PLAINTEXT"}
    assert kafka.producer_config() == {**expected, "client.id": "g"}
    assert kafka.consumer_config() == {**expected, "client.id": "g"}
    assert "bootstrap.servers" not in kafka.client_settings()


def test_sasl_settings_and_the_password_never_shows():
    kafka = KafkaResource(
        bootstrap_servers="b:9093",
        security_protocol="SASL_SSL",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="genesis",
        sasl_password=PASSWORD,
        client_config={"ssl.key.password": PASSWORD, "client.id": "g"},
    )
    config = kafka.producer_config()
    assert config["sasl.mechanism"] == "SCRAM-SHA-512" and config["sasl.username"] == "genesis"
    assert config["sasl.password"] == PASSWORD  # librdkafka gets it...
    for text in (repr(kafka), str(kafka)):  # ... a log line or a debugger does not
        assert PASSWORD not in text and "***" in text and "genesis" in text


def test_credentials_come_from_the_environment_through_envvar(monkeypatch):
    from genesis_assets.resources import kafka_resource

    monkeypatch.setenv("GENESIS_KAFKA_BOOTSTRAP_SERVERS", "broker:9094")
    monkeypatch.setenv("GENESIS_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
    monkeypatch.setenv("GENESIS_KAFKA_SASL_MECHANISM", "PLAIN")
    monkeypatch.setenv("GENESIS_KAFKA_SASL_USERNAME", "genesis")
    monkeypatch.setenv("GENESIS_KAFKA_SASL_PASSWORD", PASSWORD)

    kafka = kafka_resource()

    assert kafka.sasl_password == dg.EnvVar("GENESIS_KAFKA_SASL_PASSWORD")  # not the value
    assert kafka.bootstrap_servers == dg.EnvVar("GENESIS_KAFKA_BOOTSTRAP_SERVERS")
    resolved = kafka.process_config_and_initialize()
    assert resolved.producer_config()["sasl.password"] == PASSWORD
    assert resolved.producer_config()["bootstrap.servers"] == "broker:9094"
    assert PASSWORD not in repr(resolved)
    # both directions take the same credentials: the consumer's settings and the producer
    # of a synthetic stream (built without connecting)
    assert resolved.consumer_config()["sasl.password"] == PASSWORD
    from genesis.generators import SyntheticGenerator

    model = SyntheticGenerator("gaussian_copula", seed=0).fit(
        pd.DataFrame({"x": [float(i % 7) for i in range(60)], "k": ["a", "b", "c"] * 20})
    )
    producer = resolved.streaming_generator(model, "t").producer_config
    assert producer["security.protocol"] == "SASL_PLAINTEXT"
    assert producer["sasl.mechanism"] == "PLAIN" and producer["sasl.username"] == "genesis"
    assert producer["sasl.password"] == PASSWORD


def test_without_environment_the_resource_points_at_a_local_broker(monkeypatch):
    from genesis_assets.resources import DEFAULT_KAFKA_BOOTSTRAP_SERVERS, kafka_resource

    for name in ("BOOTSTRAP_SERVERS", "SECURITY_PROTOCOL", "SASL_USERNAME", "SASL_PASSWORD"):
        monkeypatch.delenv(f"GENESIS_KAFKA_{name}", raising=False)
    kafka = kafka_resource()
    assert kafka.bootstrap_servers == DEFAULT_KAFKA_BOOTSTRAP_SERVERS == "127.0.0.1:9092"
    assert kafka.sasl_password is None and kafka.security_protocol == "PLAINTEXT"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"security_protocol": "SASL_SSL"}, "needs sasl_mechanism, sasl_username, sasl_password"),
        (
            {"sasl_username": "u", "sasl_password": "p"},
            "security_protocol is PLAINTEXT; use SASL_SSL",
        ),
        ({"security_protocol": "TLS"}, "'TLS' is not one of"),
        ({"security_protocol": "SASL_SSL", "sasl_mechanism": "GSSAPI"}, "'GSSAPI' is not one of"),
        ({"client_config": {"bootstrap.servers": "x:1"}}, "set bootstrap_servers instead"),
    ],
)
def test_settings_that_do_not_fit_are_refused(fields, expected):
    kafka = KafkaResource(bootstrap_servers="b:9092", **fields)
    with pytest.raises(ConfigError, match=expected):
        kafka.producer_config()


@pytest.mark.filterwarnings("ignore::genesis.errors.CopyRiskWarning")  # 60 rows on purpose
def test_both_directions_through_one_resource(kafka_broker):
    """streaming_generator publishes a fitted model's rows; read_topic reads them back."""
    from genesis.generators import SyntheticGenerator
    from genesis.streaming.kafka import KafkaStreamingGenerator

    kafka = KafkaResource(bootstrap_servers=kafka_broker, client_config={"client.id": "genesis"})
    real = pd.DataFrame({"x": list(range(60)), "kind": ["a", "b", "c"] * 20})
    model = SyntheticGenerator("gaussian_copula", seed=0).fit(real)
    topic = f"res-{uuid.uuid4().hex[:8]}"

    generator = kafka.streaming_generator(model, topic, batch_size=50, key_column="kind")

    assert isinstance(generator, KafkaStreamingGenerator)
    assert generator.producer_config["client.id"] == "genesis"
    generator.start_streaming(None, max_samples=120)
    assert generator.stats.acknowledged == 120
    rows = kafka.read_topic(topic)
    assert len(rows) == 120 and set(rows["kind"]) <= {"a", "b", "c"}
    assert sum(kafka.end_offsets(topic).values()) == 120
    assert len(kafka.read_topic(topic, max_messages=10)) == 10
