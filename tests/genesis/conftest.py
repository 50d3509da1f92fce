"""Fixtures for the library tests: a real S3-compatible server (moto) on loopback."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

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
    pytest.importorskip("moto.server", reason="moto[server] is needed for the S3 tests")
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
    boto3 = pytest.importorskip("boto3")
    return boto3.client(
        "s3",
        endpoint_url=s3_server,
        aws_access_key_id=S3_KEY,
        aws_secret_access_key=S3_SECRET,
        region_name="us-east-1",
    )
