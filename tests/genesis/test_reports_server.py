"""genesis.reports_server and ``genesis serve-reports``: the HTML reports under an artifact root
over http on loopback; nothing else (no tables, models, JSON, nothing outside the root)."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from genesis.errors import InvalidParameterError, SourceNotFoundError
from genesis.reports_server import ReportServer, list_reports, resolve_report
from tests.signals import interruptible


@pytest.fixture
def root(tmp_path) -> Path:
    folder = tmp_path / "artifacts"
    (folder / "adult" / "quality_dashboard").mkdir(parents=True)
    (folder / "adult" / "privacy_audit.html").write_text("<html>audit</html>")
    (folder / "adult" / "quality_dashboard" / "123.html").write_text("<html>dash</html>")
    (folder / "adult" / "raw_source.parquet").write_bytes(b"PAR1 real rows")
    (folder / "adult" / "privacy_audit.json").write_text("{}")
    (tmp_path / "secret.html").write_text("<html>outside</html>")
    (folder / "adult" / "link.html").symlink_to(tmp_path / "secret.html")
    return folder


@pytest.fixture
def server(root):
    running = ReportServer(root, port=0).start()
    yield running
    running.stop()


def _get(url: str) -> tuple[int, bytes, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


def _raw_get(server: ReportServer, path: str) -> int:
    """A request with the path sent as is (urllib would normalise '..')."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.request("GET", path)
    status = connection.getresponse().status
    connection.close()
    return status


def test_serves_the_reports_and_lists_them(server):
    status, body, headers = _get(f"{server.url}/adult/privacy_audit.html")
    assert (status, body) == (200, b"<html>audit</html>")
    assert headers["Content-Type"].startswith("text/html")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert _get(f"{server.url}/adult/quality_dashboard/123.html")[1] == b"<html>dash</html>"
    status, index, _ = _get(f"{server.url}/")
    assert status == 200
    assert b'href="/adult/privacy_audit.html"' in index
    assert b"raw_source" not in index and b"secret" not in index and b"link.html" not in index


@pytest.mark.parametrize(
    "path",
    [
        "/adult/raw_source.parquet",  # real rows: never served
        "/adult/privacy_audit.json",
        "/adult/",
        "/adult/missing.html",
        "/../secret.html",
        "/adult/../../secret.html",
        "/adult/%2e%2e/%2e%2e/secret.html",
        "/adult/link.html",  # a symlink leading out of the root
        "//etc/passwd.html",
    ],
)
def test_refuses_anything_but_a_report_inside_the_root(server, path):
    assert _raw_get(server, path) == 404


def test_head_requests_and_unknown_methods(server):
    for method, expected in (("HEAD", 200), ("POST", 501), ("PUT", 501)):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        connection.request(
            method, "/adult/privacy_audit.html", body=b"x" if method != "HEAD" else None
        )
        response = connection.getresponse()
        assert response.status == expected, method
        if method == "HEAD":
            assert response.read() == b""
        connection.close()


def test_binds_to_loopback_only(root):
    with pytest.raises(InvalidParameterError, match="loopback address only"):
        ReportServer(root, host="0.0.0.0", port=0)
    with pytest.raises(InvalidParameterError, match="loopback"):
        ReportServer(root, host="example.com", port=0)
    server = ReportServer(root, host="localhost", port=0)
    assert server.url.startswith("http://127.0.0.1:")
    server.stop()


def test_bad_root_and_port(root, tmp_path):
    with pytest.raises(SourceNotFoundError, match="is not a folder"):
        ReportServer(tmp_path / "nope", port=0)
    with pytest.raises(InvalidParameterError, match="port must be"):
        ReportServer(root, port=70000)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(InvalidParameterError, match="pick another --port"):
            ReportServer(root, port=busy.getsockname()[1])


def test_resolve_and_list_helpers(root):
    assert resolve_report(root.resolve(), "/adult/privacy_audit.html").name == "privacy_audit.html"
    assert resolve_report(root.resolve(), "/adult/raw_source.parquet") is None
    assert list_reports(root.resolve()) == [
        "adult/privacy_audit.html",
        "adult/quality_dashboard/123.html",
    ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_the_command_serves_and_stops_on_a_signal(root, repo_root, stop):
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "genesis.cli",
            "serve-reports",
            "--root",
            str(root),
            "--port",
            str(port),
        ],
        cwd=repo_root,
        env={**os.environ, "PYTHONPATH": str(repo_root)},
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=interruptible,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                assert _get(f"http://127.0.0.1:{port}/adult/privacy_audit.html")[0] == 200
                break
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
                time.sleep(0.2)
        os.killpg(proc.pid, stop)
        assert proc.wait(timeout=10) == 0
        assert "report server stopped" in proc.stderr.read()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_the_command_fails_clearly_on_a_bad_root(tmp_path, repo_root):
    proc = subprocess.run(
        [sys.executable, "-m", "genesis.cli", "serve-reports", "--root", str(tmp_path / "none")],
        cwd=repo_root,
        env={**os.environ, "PYTHONPATH": str(repo_root)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: report root") and "storage.root" in proc.stderr
