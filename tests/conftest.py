"""Fixtures shared by the whole suite: the real tables in ``../shared/datasets`` and a real
S3-compatible server (moto) on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

# torch's default thread count made CTGAN 17-35x slower on 2-core machines; keep tests honest.
os.environ.setdefault("OMP_NUM_THREADS", "1")

REPO_ROOT = Path(__file__).resolve().parents[1]


def _find_datasets_dir() -> Path:
    override = os.environ.get("GENESIS_DATASETS_DIR")
    candidates = [Path(override)] if override else []
    candidates += [REPO_ROOT.parent / "shared" / "datasets", REPO_ROOT / "shared" / "datasets"]
    for candidate in candidates:
        if (candidate / "adult.csv").exists():
            return candidate
    raise FileNotFoundError(
        "the test tables (adult.csv, nycflights13_weather.csv) were not found in "
        f"{[str(c) for c in candidates]}; set GENESIS_DATASETS_DIR to the folder holding them"
    )


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def datasets_dir() -> Path:
    """The folder holding the real test tables."""
    return _find_datasets_dir()


@pytest.fixture(scope="session")
def adult_df(datasets_dir: Path) -> pd.DataFrame:
    """The UCI Adult census table, as read from CSV (``?`` kept as a missing-value token).

    Session-scoped: treat it as read-only and ``.copy()`` before mutating.
    """
    return pd.read_csv(datasets_dir / "adult.csv", skipinitialspace=True)


@pytest.fixture(scope="session")
def weather_df(datasets_dir: Path) -> pd.DataFrame:
    """Hourly weather at the three New York airports (nycflights13), as read from CSV."""
    return pd.read_csv(datasets_dir / "nycflights13_weather.csv")


# --- S3: a moto server in a subprocess, bound to 127.0.0.1 -------------------------------

S3_KEY = "test"
S3_SECRET = "test"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """A moto S3 server in a subprocess; yields its endpoint URL (credentials: test/test).

    Use with the ``s3_storage_options`` fixture for fsspec, or
    ``boto3.client("s3", endpoint_url=endpoint, ...)``.
    """
    _require("moto.server", "moto[server]")
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"moto server exited with code {process.returncode}")
            try:
                with urllib.request.urlopen(endpoint, timeout=1):
                    break
            except urllib.error.HTTPError:
                break  # it answers, even if with an error status
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"moto server did not answer on {endpoint} in 30 s"
                    ) from None
                time.sleep(0.2)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def s3_storage_options(s3_server: str) -> dict:
    """fsspec/s3fs ``storage_options`` that reach the moto server."""
    return {
        "key": S3_KEY,
        "secret": S3_SECRET,
        "client_kwargs": {"endpoint_url": s3_server, "region_name": "us-east-1"},
    }


@pytest.fixture()
def s3_client(s3_server: str):
    """A boto3 S3 client bound to the moto server."""
    boto3 = _require("boto3", "boto3==1.43.117")
    return boto3.client(
        "s3",
        endpoint_url=s3_server,
        aws_access_key_id=S3_KEY,
        aws_secret_access_key=S3_SECRET,
        region_name="us-east-1",
    )


def _require(module: str, package: str):
    """``module``, or a failure (never a skip) that says how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        pytest.fail(f"{module} is needed for these tests; install it: pip install '{package}'")


# --- Kafka: a tansu broker in a subprocess, bound to 127.0.0.1 ---------------------------


@pytest.fixture(scope="session")
def kafka_broker() -> Iterator[str]:
    """A real Kafka-protocol broker (tansu, in-memory storage) shared by the session;
    yields its bootstrap servers ``"127.0.0.1:PORT"``. Use a topic of your own per test."""
    _require("confluent_kafka", "confluent-kafka==2.16.1")
    from tests.kafka_broker import LocalKafkaBroker

    with LocalKafkaBroker() as broker:
        yield broker.bootstrap_servers


@pytest.fixture()
def own_kafka_broker():
    """A broker of the test's own (a :class:`tests.kafka_broker.LocalKafkaBroker`, started),
    for tests that kill or restart it; stopped after the test."""
    _require("confluent_kafka", "confluent-kafka==2.16.1")
    from tests.kafka_broker import LocalKafkaBroker

    broker = LocalKafkaBroker().start()
    try:
        yield broker
    finally:
        broker.stop()


# --- LLM: an OpenAI/Anthropic-compatible HTTP server in a thread, bound to 127.0.0.1 -------


@pytest.fixture()
def llm_server():
    """A :class:`tests.llm_server.LLMTestServer` of the test's own, started on a free
    loopback port: script replies with ``.script(Reply.json(...))``, read what it received in
    ``.requests``; stopped after the test."""
    from tests.llm_server import LLMTestServer

    with LLMTestServer() as server:
        yield server
