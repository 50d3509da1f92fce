"""The producer side of :class:`~genesis.streaming.kafka.KafkaStreamingGenerator`: settings
that keep delivery acknowledged, the producer built from them, and the delivery reports."""

from __future__ import annotations

import logging
from typing import Any

from genesis.errors import InvalidParameterError, missing_dependency

logger = logging.getLogger("genesis.streaming.kafka")
#: librdkafka's own log lines (connection attempts...), separate so they can be silenced
librdkafka_logger = logging.getLogger("genesis.streaming.kafka.librdkafka")
# reconnect attempts to a dead broker log several lines a second: shown only when the
# application configures logging, never through Python's last-resort stderr handler
librdkafka_logger.addHandler(logging.NullHandler())

#: throughput settings; the local queue is bounded so memory stays flat however long the stream
#: (measured on 2 cores with tansu: linger.ms 20 and lz4 took Adult rows from ~55k to
#: ~100k+ acknowledged/s, lz4 cutting the broker's CPU by three quarters)
PRODUCER_DEFAULTS: dict[str, Any] = {
    "linger.ms": 20,
    "compression.type": "lz4",
    "batch.num.messages": 10_000,
    "batch.size": 1_000_000,
    # half a second of rows at 100k rows/s; 16 MB of payload at most
    "queue.buffering.max.messages": 50_000,
    "queue.buffering.max.kbytes": 16_384,
}
#: settings that would break acknowledged, exactly-once-per-partition delivery
_ACKS_KEYS = ("acks", "request.required.acks")
_TIMEOUT_KEYS = ("message.timeout.ms", "delivery.timeout.ms")
_OWN_KEYS = ("on_delivery", "dr_cb", "dr_msg_cb", "error_cb", "transactional.id")


def confluent_kafka_module() -> Any:
    """The ``confluent_kafka`` package, or an error naming the extra that installs it."""
    try:
        import confluent_kafka
    except ImportError:
        raise missing_dependency(
            "confluent_kafka", "Streaming to Kafka", extra="streaming"
        ) from None
    return confluent_kafka


class Deliveries:
    """Delivery reports of one stream, counted in the thread that polls the producer."""

    def __init__(self, offsets: dict[int, list[int]]) -> None:
        self.acknowledged = 0
        self.failed = 0
        self.first_error: Any = None
        self.fatal: Any = None
        self.offsets = offsets

    def __call__(self, err: Any, msg: Any) -> None:
        if err is not None:
            self.failed += 1
            if self.first_error is None:
                self.first_error = err
            return
        self.acknowledged += 1
        partition, offset = msg.partition(), msg.offset()
        span = self.offsets.get(partition)
        if span is None:
            self.offsets[partition] = [offset, offset]
        elif offset > span[1]:
            span[1] = offset
        elif offset < span[0]:
            span[0] = offset

    def on_error(self, err: Any) -> None:
        if err.fatal():
            self.fatal = err
            logger.error("Kafka producer fatal error: %s", err.str())
        else:  # librdkafka retries these itself; a lasting one ends in message timeouts
            logger.debug("Kafka producer: %s", err.str())


def checked_producer_config(
    producer_config: dict | None, bootstrap_servers: str, delivery_timeout: float
) -> dict[str, Any]:
    """The user's librdkafka settings, as a new dict, if none of them breaks acknowledged
    delivery.

    Raises:
        InvalidParameterError: ``acks`` other than ``all``/``-1``, ``enable.idempotence``
            off, a message timeout above ``delivery_timeout``, delivery/error callbacks or
            transactions of the user's own, or another ``bootstrap.servers``.
    """
    if producer_config is None:
        producer_config = {}
    if not isinstance(producer_config, dict):
        raise InvalidParameterError(
            f"producer_config must be a dict of librdkafka settings, got "
            f"{type(producer_config).__name__}"
        )
    config = {str(k): v for k, v in producer_config.items()}
    for key in _ACKS_KEYS:
        if key in config and str(config[key]).strip().lower() not in ("all", "-1"):
            raise InvalidParameterError(
                f"producer_config {key}={config[key]!r} would let the broker drop rows "
                "without telling: Genesis streams with acks=all so that every row counted "
                "acknowledged is stored by all in-sync replicas; remove the setting"
            )
    idempotence = config.get("enable.idempotence", True)
    if str(idempotence).strip().lower() in ("false", "0", "no", "off"):
        raise InvalidParameterError(
            "producer_config enable.idempotence=False would allow duplicated or reordered "
            "rows on retries; Genesis always produces idempotently, remove the setting"
        )
    for key in _TIMEOUT_KEYS:
        if key in config:
            value = config[key]
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not 0 < value <= delivery_timeout * 1000
            ):
                raise InvalidParameterError(
                    f"producer_config {key}={value!r}: the message timeout must be a number "
                    f"of ms in (0, delivery_timeout * 1000 = "
                    f"{delivery_timeout * 1000:g}]; set delivery_timeout instead"
                )
    own = [key for key in _OWN_KEYS if key in config]
    if own:
        raise InvalidParameterError(
            f"producer_config may not set {own}: Genesis counts deliveries with its own "
            "callbacks and does not use transactions"
        )
    servers = config.pop("bootstrap.servers", None)
    if servers is not None and str(servers).strip() != bootstrap_servers:
        raise InvalidParameterError(
            f"producer_config bootstrap.servers={servers!r} differs from bootstrap_servers="
            f"{bootstrap_servers!r}; pass the address once, as bootstrap_servers"
        )
    return config


def make_producer(
    producer_config: dict[str, Any],
    bootstrap_servers: str,
    delivery_timeout: float,
    deliveries: Deliveries,
) -> Any:
    """An idempotent ``acks=all`` producer: :data:`PRODUCER_DEFAULTS`, then the (checked)
    user settings, then the guarantees; every delivery report goes to ``deliveries``."""
    kafka = confluent_kafka_module()
    config = {
        **PRODUCER_DEFAULTS,
        **producer_config,
        "bootstrap.servers": bootstrap_servers,
        "enable.idempotence": True,
        "acks": "all",
        "on_delivery": deliveries,
        "error_cb": deliveries.on_error,
        "logger": librdkafka_logger,
    }
    if not any(key in producer_config for key in _TIMEOUT_KEYS):
        config["message.timeout.ms"] = max(1, int(delivery_timeout * 1000))
    config.pop("request.required.acks", None)
    try:
        return kafka.Producer(config)
    except kafka.KafkaException as exc:
        raise InvalidParameterError(
            f"the Kafka producer refused the configuration: {exc.args[0].str()}"
        ) from None


__all__ = [
    "PRODUCER_DEFAULTS",
    "Deliveries",
    "checked_producer_config",
    "confluent_kafka_module",
    "make_producer",
]
