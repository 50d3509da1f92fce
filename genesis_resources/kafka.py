"""``KafkaResource``: one Kafka connection setting for both directions.

Synthetic rows go out through :meth:`KafkaResource.streaming_generator` (the ``synthetic_stream``
asset); a ``kafka://topic`` source comes in through :meth:`KafkaResource.read_topic` (the
``raw_source`` asset and the drift sensor). Credentials come through ``dg.EnvVar``, never
inline, and never appear in the resource's ``repr`` or in any metadata::

    KafkaResource(
        bootstrap_servers="broker-1:9092,broker-2:9092",
        security_protocol="SASL_SSL",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username=dg.EnvVar("GENESIS_KAFKA_SASL_USERNAME"),
        sasl_password=dg.EnvVar("GENESIS_KAFKA_SASL_PASSWORD"),
    )

Nothing connects until a method is called, so a code location with this resource loads
with no broker running.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dagster as dg
from pydantic import Field

from genesis.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
SASL_PROTOCOLS = ("SASL_PLAINTEXT", "SASL_SSL")
MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
_SECRET_WORDS = ("password", "secret", "key", "token")


class KafkaResource(dg.ConfigurableResource):
    """A Kafka cluster: where it is and how to authenticate."""

    bootstrap_servers: str = Field(
        description="Brokers to connect to first: 'host:port', several separated by commas."
    )
    security_protocol: str = Field(
        "PLAINTEXT", description="librdkafka security.protocol: " + ", ".join(PROTOCOLS) + "."
    )
    sasl_mechanism: str | None = Field(
        None,
        description="SASL mechanism with security_protocol SASL_PLAINTEXT or SASL_SSL: "
        + ", ".join(MECHANISMS)
        + ".",
    )
    sasl_username: str | None = Field(None, description="SASL user; set it with dg.EnvVar.")
    sasl_password: str | None = Field(None, description="SASL password; set it with dg.EnvVar.")
    client_config: dict[str, str] = Field(
        default_factory=dict,
        description="Other librdkafka settings for producers and consumers (ssl.ca.location, "
        "client.id, ...); they override the ones above.",
    )
    timeout: float = Field(
        30.0, gt=0, description="Seconds to reach the broker, read a topic or get acknowledgements."
    )

    def __repr_args__(self):  # the password never shows, even in a debugger or a log line
        for name, value in super().__repr_args__():
            if name == "sasl_password" and value is not None:
                value = "***"
            elif name == "client_config" and isinstance(value, dict):
                value = {k: "***" if _secret(k) else v for k, v in value.items()}
            yield name, value

    def client_settings(self) -> dict[str, str]:
        """Security and extra settings shared by producers and consumers, without
        ``bootstrap.servers``.

        Raises:
            ConfigError: SASL settings that do not fit together (the message says which).
        """
        if self.security_protocol not in PROTOCOLS:
            raise ConfigError(
                f"KafkaResource: security_protocol {self.security_protocol!r} is not one of "
                f"{list(PROTOCOLS)}; correct it (GENESIS_KAFKA_SECURITY_PROTOCOL)"
            )
        if self.sasl_mechanism is not None and self.sasl_mechanism not in MECHANISMS:
            raise ConfigError(
                f"KafkaResource: sasl_mechanism {self.sasl_mechanism!r} is not one of "
                f"{list(MECHANISMS)}; correct it (GENESIS_KAFKA_SASL_MECHANISM)"
            )
        settings = {"security.protocol": self.security_protocol}
        if self.security_protocol in SASL_PROTOCOLS:
            missing = [
                name
                for name in ("sasl_mechanism", "sasl_username", "sasl_password")
                if not getattr(self, name)
            ]
            if missing:
                raise ConfigError(
                    f"KafkaResource: security_protocol {self.security_protocol} needs "
                    f"{', '.join(missing)}; set them (the credentials through dg.EnvVar)"
                )
            settings.update(
                {
                    "sasl.mechanism": self.sasl_mechanism,
                    "sasl.username": self.sasl_username,
                    "sasl.password": self.sasl_password,
                }
            )
        elif self.sasl_mechanism or self.sasl_username or self.sasl_password:
            raise ConfigError(
                f"KafkaResource: SASL settings are given but security_protocol is "
                f"{self.security_protocol}; use SASL_SSL (or SASL_PLAINTEXT), or remove them"
            )
        if "bootstrap.servers" in self.client_config:
            raise ConfigError(
                "KafkaResource: client_config sets bootstrap.servers; set bootstrap_servers instead"
            )
        return {**settings, **self.client_config}

    def producer_config(self) -> dict[str, str]:
        """The librdkafka settings of a producer: bootstrap servers, security, client_config."""
        return {"bootstrap.servers": self.bootstrap_servers, **self.client_settings()}

    def consumer_config(self) -> dict[str, str]:
        """The librdkafka settings of a consumer (add ``group.id`` to join a group)."""
        return {"bootstrap.servers": self.bootstrap_servers, **self.client_settings()}

    def streaming_generator(self, model: Any, topic: str, **kwargs: Any) -> Any:
        """A :class:`genesis.streaming.kafka.KafkaStreamingGenerator` publishing ``model``'s
        rows to ``topic`` through this cluster; ``kwargs`` are its keywords (batch_size,
        key_column, value_serializer, seed, conditions, include_metadata, delivery_timeout;
        ``producer_config`` entries are added to this resource's)."""
        from genesis.streaming.kafka import KafkaStreamingGenerator

        producer = {**self.client_settings(), **(kwargs.pop("producer_config", None) or {})}
        kwargs.setdefault("delivery_timeout", self.timeout)
        return KafkaStreamingGenerator.from_model(
            model, self.bootstrap_servers, topic, producer_config=producer, **kwargs
        )

    def read_topic(self, topic: str, max_messages: int | None = None) -> pd.DataFrame:
        """A bounded snapshot of ``topic`` (see :func:`genesis.io.kafka.read_topic`)."""
        from genesis.io.kafka import read_topic

        return read_topic(
            self.bootstrap_servers,
            topic,
            max_messages=max_messages,
            config=self.client_settings(),
            timeout=self.timeout,
        )

    def end_offsets(self, topic: str) -> dict[int, int]:
        """The end offset of every partition of ``topic``: changes when anything is written."""
        from genesis.io.kafka import topic_end_offsets

        return topic_end_offsets(
            self.bootstrap_servers, topic, config=self.client_settings(), timeout=self.timeout
        )


def _secret(key: str) -> bool:
    return any(word in key.lower() for word in _SECRET_WORDS)
