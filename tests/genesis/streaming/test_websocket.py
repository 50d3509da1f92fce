"""``WebSocketStreamingGenerator`` with a real server on 127.0.0.1 and real ``websockets``
clients: every client gets every batch, a client over the limit is refused with a reason, a
client that stops reading is dropped while a fast one gets every row, stop() closes clients."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from genesis.errors import InvalidParameterError, NotFittedError, StreamingError
from genesis.generators import SyntheticGenerator
from genesis.streaming import StreamingConfig, StreamingGenerator
from genesis.streaming.websocket import WebSocketStreamingGenerator, encode_message

try:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed, ConnectionClosedError
except ImportError as exc:  # pragma: no cover - the streaming extra is part of the test stack
    raise ImportError(
        "these tests need the websockets package: pip install 'websockets==17.4' "
        "(or: pip install -e '.[streaming]')"
    ) from exc


@pytest.fixture(scope="module")
def model(adult_df):
    return SyntheticGenerator("gaussian_copula", seed=0).fit(
        adult_df.sample(n=1_000, random_state=0)
    )


def server_for(model, **kwargs) -> WebSocketStreamingGenerator:
    kwargs.setdefault("port", 0)
    return WebSocketStreamingGenerator.from_model(model, **kwargs)


async def read_all(url: str, **kwargs) -> tuple[list[dict], ConnectionClosed | None]:
    """Every message until the server closes; and how it closed (None: normally)."""
    messages = []
    async with connect(url, **kwargs) as ws:
        try:
            async for text in ws:
                messages.append(json.loads(text))
        except ConnectionClosedError as exc:
            return messages, exc
    return messages, None


def test_every_client_gets_every_batch_in_order(model):
    server = server_for(model, batch_size=100, seed=3)

    async def run():
        async with server:
            readers = [asyncio.create_task(read_all(server.url)) for _ in range(3)]
            await server.wait_for_clients(3, timeout=10)
            await server.stream(max_samples=2_050)
        return await asyncio.gather(*readers)

    results = asyncio.run(run())
    for messages, closed in results:
        assert closed is None  # 1001 going away is a normal close
        assert [m["batch"] for m in messages] == list(range(21))
        rows = [row for m in messages for row in m["rows"]]
        assert len(rows) == 2_050
        assert [r["_genesis_sequence"] for r in rows] == list(range(2_050))
        assert set(rows[0]) == set(model.schema_.names) | {
            "_genesis_batch",
            "_genesis_sequence",
            "_genesis_generated_at",
        }
    # the rows are the stream's: batch i from (seed, i), the same for every client
    expected = StreamingGenerator.from_model(model, StreamingConfig(batch_size=100), seed=3)
    frame = pd.DataFrame(results[0][0][4]["rows"]).drop(columns="_genesis_generated_at")
    want = expected.batch(4).drop(columns="_genesis_generated_at")
    assert frame["age"].tolist() == want["age"].tolist()
    assert frame["workclass"].tolist() == want["workclass"].tolist()
    assert results[1][0] == results[2][0]
    stats = server.stats.to_dict()
    assert stats["total_samples"] == 2_050 and stats["total_batches"] == 21
    assert stats["sent"] == stats["acknowledged"] == 63 and stats["failed"] == 0


def test_a_client_over_the_limit_is_refused_with_the_reason(model):
    server = server_for(model, max_connections=2, batch_size=50)

    async def run():
        async with server:
            readers = [asyncio.create_task(read_all(server.url)) for _ in range(2)]
            await server.wait_for_clients(2, timeout=10)
            async with connect(server.url) as extra:
                with pytest.raises(ConnectionClosedError) as refused:
                    await asyncio.wait_for(extra.recv(), timeout=5)
            assert server.clients == 2
            await server.stream(max_samples=200)
        return refused.value, await asyncio.gather(*readers)

    refused, results = asyncio.run(run())
    assert refused.rcvd.code == 1013
    assert "at most 2 connections" in refused.rcvd.reason
    for messages, _ in results:  # the two admitted clients were served
        assert sum(len(m["rows"]) for m in messages) == 200


def _slow_socket(port: int) -> socket.socket:
    """A connected socket with a tiny receive buffer: a client that barely reads."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    return sock


@pytest.mark.serial  # a clock or a deadline: alone after the parallel phase
def test_a_slow_client_is_dropped_while_a_fast_one_gets_every_row(model):
    server = server_for(model, batch_size=100, client_buffer=8, slow_client_timeout=1.0)
    total = 20_000

    async def run():
        async with server:
            fast = asyncio.create_task(read_all(server.url))
            # a real client that never reads: its frame queue and socket buffer fill up
            slow = await connect(server.url, sock=_slow_socket(server.port), max_queue=1)
            await server.wait_for_clients(2, timeout=10)
            started = time.monotonic()
            await server.stream(max_samples=total)
            seconds = time.monotonic() - started
            clients_left = server.clients
            slow_messages = 0
            with pytest.raises(ConnectionClosedError) as dropped:
                async for _ in slow:  # now read what was buffered, then the close frame
                    slow_messages += 1
        return await fast, dropped.value, slow_messages, seconds, clients_left

    (messages, closed), dropped, slow_messages, seconds, clients_left = asyncio.run(run())
    assert closed is None
    assert [m["batch"] for m in messages] == list(range(total // 100))
    assert sum(len(m["rows"]) for m in messages) == total
    assert dropped.rcvd.code == 1008 and "too slow" in dropped.rcvd.reason
    assert 0 < slow_messages < total // 100
    assert clients_left == 1
    assert seconds < 20  # the stream waited for the slow client once, not for every batch
    stats = server.stats
    assert stats.failed >= 1  # the messages buffered for the dropped client
    assert stats.sent == stats.acknowledged + stats.failed
    # nothing counted as written to the slow client that it did not receive
    assert stats.acknowledged - total // 100 <= slow_messages


@pytest.mark.serial  # a clock or a deadline: alone after the parallel phase
def test_stop_closes_clients_and_ends_a_running_stream(model):
    server = server_for(model, batch_size=10)

    async def run():
        await server.start_server()
        port = server.port
        readers = [asyncio.create_task(read_all(server.url)) for _ in range(2)]
        await server.wait_for_clients(2, timeout=10)
        streaming = asyncio.create_task(server.stream(samples_per_second=200))  # endless
        await asyncio.sleep(0.5)
        started = time.monotonic()
        await server.stop()
        await asyncio.wait_for(streaming, timeout=5)
        stopped_in = time.monotonic() - started
        results = await asyncio.gather(*readers)
        await server.stop()  # twice is fine
        with pytest.raises(OSError):
            async with connect(f"ws://127.0.0.1:{port}", open_timeout=2):
                pass
        return results, stopped_in

    results, stopped_in = asyncio.run(run())
    assert stopped_in < 5
    for messages, closed in results:
        assert closed is None  # closed by the server with 1001, cleanly
        assert 0 < len(messages) < 20
    assert results[0][0] == results[1][0]


@pytest.mark.serial  # a clock or a deadline: alone after the parallel phase
def test_stop_closes_a_client_that_does_not_read_within_close_timeout(model):
    server = server_for(
        model, batch_size=200, client_buffer=2, close_timeout=0.5, slow_client_timeout=0.3
    )

    async def run():
        await server.start_server()
        slow = await connect(server.url, sock=_slow_socket(server.port), max_queue=1)
        await server.wait_for_clients(1, timeout=10)
        for i in range(40):
            await server.broadcast(model.generate(200, seed=i))
        started = time.monotonic()
        await server.stop()
        seconds = time.monotonic() - started
        slow.transport.abort()
        return seconds

    # flush gives up after 0.3 s without progress, the close after 0.5 s
    assert asyncio.run(run()) < 2.5


@pytest.mark.serial  # a clock or a deadline: alone after the parallel phase
def test_rate_control_paces_the_stream(model):
    server = server_for(model, batch_size=50)

    async def run():
        async with server:
            reader = asyncio.create_task(read_all(server.url))
            await server.wait_for_clients(1, timeout=10)
            started = time.monotonic()
            await server.stream(samples_per_second=1_000, max_samples=500)
            seconds = time.monotonic() - started
        messages, _ = await reader
        return seconds, sum(len(m["rows"]) for m in messages)

    seconds, rows = asyncio.run(run())
    assert rows == 500
    assert 0.4 <= seconds <= 2.0  # the last batch leaves at 450 / 1,000 s


def test_broadcast_sends_frames_and_records(model):
    server = server_for(model)
    frame = pd.DataFrame(
        {
            "x": [1.5, np.nan],
            "when": pd.to_datetime(["2024-01-02 03:04:05", None]),
            "name": ["a", None],
        }
    )

    async def run():
        async with server:
            reader = asyncio.create_task(read_all(server.url))
            await server.wait_for_clients(1, timeout=10)
            assert await server.broadcast(frame) == 1
            await server.broadcast([{"k": 1}, {"k": 2, "v": "b"}], batch=41)
            await server.broadcast([])
        return await reader

    messages, _ = asyncio.run(run())
    assert messages[0] == {
        "batch": 0,
        "rows": [
            {"x": 1.5, "when": "2024-01-02T03:04:05.000000", "name": "a"},
            {"x": None, "when": None, "name": None},
        ],
    }
    assert messages[1] == {"batch": 41, "rows": [{"k": 1, "v": None}, {"k": 2, "v": "b"}]}
    assert messages[2] == {"batch": 2, "rows": []}


def test_fit_learns_a_table_and_streams_only_rows_meeting_conditions(adult_df):
    server = WebSocketStreamingGenerator(
        port=0, batch_size=100, include_metadata=False, conditions={"age": (">=", 50)}
    ).fit(adult_df.sample(n=1_000, random_state=1))

    async def run():
        async with server:
            reader = asyncio.create_task(read_all(server.url))
            await server.wait_for_clients(1, timeout=10)
            await server.stream(max_samples=300)
        return await reader

    messages, _ = asyncio.run(run())
    rows = pd.DataFrame([r for m in messages for r in m["rows"]])
    assert len(rows) == 300 and (rows["age"] >= 50).all()
    assert "_genesis_sequence" not in rows


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"port": -1}, "port"),
        ({"port": 70_000}, "port"),
        ({"batch_size": 0}, "batch_size"),
        ({"max_connections": 0}, "max_connections"),
        ({"client_buffer": 0}, "client_buffer"),
        ({"slow_client_timeout": -1}, "slow_client_timeout"),
        ({"close_timeout": float("nan")}, "close_timeout"),
        ({"host": ""}, "host"),
    ],
)
def test_bad_parameters_are_refused(kwargs, message):
    with pytest.raises(InvalidParameterError, match=message):
        WebSocketStreamingGenerator(**kwargs)


def test_misuse_says_what_to_do(model):
    async def run():
        unfitted = WebSocketStreamingGenerator(port=0)
        async with unfitted:
            with pytest.raises(NotFittedError, match="fit"):
                await unfitted.stream(max_samples=10)
        server = server_for(model)
        with pytest.raises(StreamingError, match="start_server"):
            await server.stream(max_samples=10)
        async with server:
            with pytest.raises(InvalidParameterError, match="samples_per_second"):
                await server.stream(samples_per_second=0)
            with pytest.raises(InvalidParameterError, match="DataFrame or a list"):
                await server.broadcast("rows")
            with pytest.raises(StreamingError, match="already running"):
                await server.start_server()
            taken = server_for(model, port=server.port)
            with pytest.raises(StreamingError, match="cannot listen"):
                await taken.start_server()
            with pytest.raises(TimeoutError):
                await server.wait_for_clients(1, timeout=0.1)

    asyncio.run(run())


def test_encode_message_is_one_json_object_per_batch():
    text = encode_message(pd.DataFrame({"a": [1, 2]}), 3)
    assert json.loads(text) == {"batch": 3, "rows": [{"a": 1}, {"a": 2}]}


def test_the_package_imports_without_websockets(repo_root):
    code = (
        "import sys; sys.modules['websockets'] = None\n"
        "import asyncio, genesis.streaming as s\n"
        "server = s.WebSocketStreamingGenerator(port=0)\n"
        "try:\n"
        "    asyncio.run(server.start_server())\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__, exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=repo_root, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("MissingDependencyError")
    assert "genesis-synth[streaming]" in out.stdout
