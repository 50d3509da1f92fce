"""``genesis stream``: rows into a real Kafka-protocol broker (counted back with their keys),
to a real WebSocket client, Ctrl+C losing nothing acknowledged, and bad arguments."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pandas as pd
import pytest

from genesis.generators import SyntheticGenerator
from genesis.streaming.serializers import decode_messages
from tests.signals import interruptible

SEQUENCE = "_genesis_sequence"


@pytest.fixture(scope="module")
def table(tmp_path_factory, adult_df) -> Path:
    path = tmp_path_factory.mktemp("stream") / "adult.csv"
    adult_df.sample(n=1_000, random_state=0).to_csv(path, index=False)
    return path


def consume(servers: str, topic: str, expected: int, timeout: float = 30.0) -> list:
    """Every message of ``topic``: all partitions assigned from their beginning (no group
    join); reads until ``expected`` arrived and then nothing more for 0.5 s (so a duplicate
    would show). tansu's high watermarks do not count messages, so they are not used."""
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

    consumer = Consumer(
        {
            "bootstrap.servers": servers,
            "group.id": f"test-{uuid.uuid4().hex}",
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
        }
    )
    deadline = time.monotonic() + timeout
    messages: list = []
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
        quiet_since = None
        while time.monotonic() < deadline:
            batch = [m for m in consumer.consume(10_000, timeout=0.2) if m.error() is None]
            messages += batch
            if batch or len(messages) < expected:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since > 0.5:
                break
    finally:
        consumer.close()
    return messages


def schemas_of(servers: str, topic: str) -> dict[bytes, dict]:
    return {
        bytes.fromhex(m.key().decode()): json.loads(m.value())
        for m in consume(servers, f"{topic}.schemas", 1, timeout=15)
    }


def test_kafka_json_rows_arrive_once_with_their_keys(invoke, table, kafka_broker):
    topic = f"adult-{uuid.uuid4().hex[:8]}"
    args = ["stream", table, "--kafka", kafka_broker, "--topic", topic, "-n", "1000"]
    result = invoke([*args, "--key", "workclass", "--batch-size", "250", "--seed", "4"])
    assert result.exit_code == 0, result.output
    assert "done: 1,000 rows acknowledged" in result.stderr
    assert "0 failed" in result.stderr
    messages = consume(kafka_broker, topic, 1_000)
    assert len(messages) == 1_000
    rows = decode_messages([m.value() for m in messages], "json")
    assert sorted(rows[SEQUENCE]) == list(range(1_000))  # every row once
    assert [m.key().decode() for m in messages] == rows["workclass"].tolist()
    assert all(m.headers() == [("genesis.format", b"json")] for m in messages[:5])


def test_kafka_avro_from_a_saved_model_with_where(invoke, table, kafka_broker, tmp_path):
    model_path = tmp_path / "adult.genesis"
    frame = pd.read_csv(table)
    SyntheticGenerator("gaussian_copula", seed=1).fit(frame).save(str(model_path))
    topic = f"avro-{uuid.uuid4().hex[:8]}"
    args = ["stream", model_path, "--kafka", kafka_broker, "--topic", topic, "-n", "300"]
    result = invoke([*args, "--format", "avro", "--where", "age>=50", "--no-metadata"])
    assert result.exit_code == 0, result.output
    assert "loading the model" in result.stderr
    messages = consume(kafka_broker, topic, 300)
    rows = decode_messages([m.value() for m in messages], "avro", schemas_of(kafka_broker, topic))
    assert len(rows) == 300 and (rows["age"] >= 50).all()
    assert SEQUENCE not in rows
    # no key column: the key is the row's sequence number
    assert sorted(int(m.key()) for m in messages) == list(range(300))


def _read_terminal(master: int, process: subprocess.Popen, timeout: float) -> str:
    """Everything written to the pseudo-terminal ``master`` until ``process`` exits."""
    import select

    output = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65_536)
            except OSError:  # the child closed its end
                break
            if not chunk:
                break
            output += chunk
        elif process.poll() is not None:
            break
    return output.decode("utf-8", "replace")


@pytest.mark.serial  # a deadline or a signal: alone after the parallel phase
def test_the_progress_line_is_live_on_a_terminal(table, kafka_broker):
    """On a terminal the one Rich line is redrawn while rows flow: rows, rows/s and
    acknowledged rows, each redraw counting more."""
    import pty

    topic = f"live-{uuid.uuid4().hex[:8]}"
    master, terminal = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    env.update({"TERM": "xterm", "COLUMNS": "160"})
    env.pop("NO_COLOR", None)
    args = ["--kafka", kafka_broker, "--topic", topic, "--rate", "2000", "-n", "4000"]
    process = subprocess.Popen(
        [sys.executable, "-m", "genesis.cli", "stream", str(table), *args],
        stdout=subprocess.DEVNULL,
        stderr=terminal,
        env=env,
        preexec_fn=interruptible,
    )
    os.close(terminal)
    try:
        output = _read_terminal(master, process, timeout=90)
        assert process.wait(timeout=30) == 0, output
    finally:
        process.kill()
        os.close(master)
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output)
    lines = re.findall(r"kafka: ([\d,]+) rows · ([\d,]+) rows/s · ([\d,]+) acknowledged", plain)
    counts = [(int(rows.replace(",", "")), int(acked.replace(",", ""))) for rows, _, acked in lines]
    assert len(counts) >= 3, plain  # redrawn while streaming (about 2 s), not only at the end
    assert counts == sorted(counts) and counts[0][0] < 4_000
    assert counts[-1] == (4_000, 4_000)
    assert all(acked <= rows for rows, acked in counts)  # never acknowledged before sent
    assert "\r" in output  # redrawn in place: one line, not one per update
    assert "done: 4,000 rows acknowledged" in plain


@pytest.mark.serial  # a deadline or a signal: alone after the parallel phase
def test_broker_down_fails_fast_with_a_clear_message(invoke, table, error_line):
    from tests.kafka_broker import free_port

    started = time.monotonic()
    args = ["stream", table, "--kafka", f"127.0.0.1:{free_port()}", "--topic", "t", "-n", "10"]
    result = invoke([*args, "--timeout", "1.5"])
    assert result.exit_code == 1
    assert "no Kafka broker answered" in error_line(result)
    assert time.monotonic() - started < 15


def _genesis(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    env["PYTHONUNBUFFERED"] = "1"
    return subprocess.Popen(
        [sys.executable, "-m", "genesis.cli", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=interruptible,
    )


def _wait_for_line(process: subprocess.Popen, pattern: str, timeout: float = 60) -> re.Match:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        seen.append(line)
        match = re.search(pattern, line)
        if match:
            return match
    process.kill()
    raise AssertionError(f"no line matching {pattern!r} in:\n{''.join(seen)}")


@pytest.mark.serial  # a deadline or a signal: alone after the parallel phase
def test_ctrl_c_stops_cleanly_and_loses_nothing_acknowledged(table, kafka_broker):
    topic = f"stop-{uuid.uuid4().hex[:8]}"
    process = _genesis("stream", table, "--kafka", kafka_broker, "--topic", topic, "--rate", "2000")
    try:
        _wait_for_line(process, r"streaming to topic")
        time.sleep(1.5)
        process.send_signal(signal.SIGINT)
        # stopping flushes: up to the delivery timeout (30 s) for the broker's last reports
        _, err = process.communicate(timeout=90)
    finally:
        process.kill()
    assert process.returncode == 130, err
    acknowledged = int(re.search(r"stopped: ([\d,]+) rows acknowledged", err)[1].replace(",", ""))
    assert acknowledged > 0
    assert "Traceback" not in err
    messages = consume(kafka_broker, topic, acknowledged)
    assert len(messages) == acknowledged  # every acknowledged row, none twice
    rows = decode_messages([m.value() for m in messages], "json")
    assert sorted(rows[SEQUENCE]) == list(range(acknowledged))


def test_websocket_mode_serves_a_real_client(table):
    import asyncio

    from websockets.asyncio.client import connect

    process = _genesis("stream", table, "--websocket", "0", "-n", "500", "--batch-size", "100")
    try:
        url = _wait_for_line(process, r"listening on (ws://127\.0\.0\.1:\d+)")[1]

        async def read() -> list[dict]:
            async with connect(url) as ws:
                return [json.loads(m) async for m in ws]

        messages = asyncio.run(read())
        _, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert [m["batch"] for m in messages] == list(range(5))
    rows = [r for m in messages for r in m["rows"]]
    assert [r[SEQUENCE] for r in rows] == list(range(500))
    assert "done: 500 rows in 5 batches" in err
    assert "5 messages written to clients" in err


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        ([], "exactly one destination"),
        (["--kafka", "h:1", "--topic", "t", "--websocket", "0"], "exactly one destination"),
        (["--kafka", "localhost:9092"], "needs a topic"),
        (["--kafka", "localhost", "--topic", "t"], "HOST:PORT"),
        (["--websocket", "0", "--rate", "0"], "must be > 0"),
        (["--websocket", "0", "--format", "avro"], "only applies to --kafka"),
        (["--websocket", "0", "--key", "age"], "only applies to --kafka"),
        (["--kafka", "h:1", "--topic", "t", "--host", "0.0.0.0"], "only applies to --websocket"),
        (["--websocket", "70000"], "65535"),
        (["--websocket", "0", "--where", "age >>> 3"], "age"),
    ],
)
def test_bad_arguments_fail_with_a_hint(invoke, table, args, hint):
    result = invoke(["stream", table, *args])
    assert result.exit_code in (1, 2), result.output
    assert hint in result.stderr


def test_a_key_that_is_not_a_column_is_refused(invoke, table, kafka_broker):
    args = ["stream", table, "--kafka", kafka_broker, "--topic", "t", "--key", "salary"]
    result = invoke(args)
    assert result.exit_code == 2
    assert "no column 'salary'" in result.stderr and "workclass" in result.stderr
    # a metadata column keys messages only while the rows carry it
    result = invoke([*args[:-1], "_genesis_batch", "--no-metadata"])
    assert result.exit_code == 2 and "no column '_genesis_batch'" in result.stderr


def test_method_with_a_saved_model_is_refused(invoke, table, tmp_path):
    model_path = tmp_path / "m.genesis"
    SyntheticGenerator("gaussian_copula").fit(pd.read_csv(table)).save(str(model_path))
    result = invoke(["stream", model_path, "--websocket", "0", "--method", "cart"])
    assert result.exit_code == 2
    assert "saved model" in result.stderr


def test_a_port_in_use_is_a_clear_error(invoke, table, error_line):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = invoke(["stream", table, "--websocket", str(taken.getsockname()[1])])
    assert result.exit_code == 1
    assert "cannot listen on 127.0.0.1" in error_line(result)


@pytest.mark.serial  # a deadline or a signal: alone after the parallel phase
def test_ctrl_c_in_websocket_mode_closes_clients_after_what_they_were_sent(table):
    import asyncio

    from websockets.asyncio.client import connect

    process = _genesis("stream", table, "--websocket", "0", "--rate", "1000", "--batch-size", "50")
    try:
        url = _wait_for_line(process, r"listening on (ws://127\.0\.0\.1:\d+)")[1]

        async def read() -> tuple[list[dict], int | None]:
            messages = []
            async with connect(url) as ws:
                async for text in ws:
                    messages.append(json.loads(text))
                    if len(messages) == 10:
                        process.send_signal(signal.SIGINT)
            return messages, ws.close_code

        messages, close_code = asyncio.run(asyncio.wait_for(read(), timeout=60))
        _, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert close_code == 1001  # going away, cleanly
    written = int(re.search(r"([\d,]+) messages written to clients", err)[1].replace(",", ""))
    assert "stopped:" in err and "Traceback" not in err
    assert len(messages) == written >= 10
    assert [m["batch"] for m in messages] == list(range(len(messages)))


def test_default_batch_size_follows_the_rate():
    from genesis.cli.stream import default_batch_size

    assert default_batch_size(None) == 1_000
    assert default_batch_size(2_000) == 200
    assert default_batch_size(5) == 1
    assert default_batch_size(1e6) == 1_000


@pytest.mark.serial  # a deadline or a signal: alone after the parallel phase
def test_broker_killed_mid_stream_reports_the_failures_and_exits_1(table, own_kafka_broker):
    topic = f"killed-{uuid.uuid4().hex[:8]}"
    servers = own_kafka_broker.bootstrap_servers
    args = ["--kafka", servers, "--topic", topic, "--rate", "2000", "--timeout", "2"]
    process = _genesis("stream", table, *args)
    try:
        _wait_for_line(process, r"streaming to topic")
        time.sleep(1.0)
        own_kafka_broker.kill()
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 1, err
    assert re.search(r"failed: [\d,]+ rows acknowledged", err)
    error = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(error) == 1 and "not acknowledged" in error[0], err
