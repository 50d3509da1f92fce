"""Serve the HTML reports under an artifact root over http, on the loopback interface only.

Browsers refuse ``file://`` links from an ``http://`` page (the Dagster UI), so the reports
Genesis writes (privacy audit, drift reports, quality dashboards) are served by this small
static server and linked as ``http://127.0.0.1:8765/<dataset>/<report>.html``.

Only report files are served: regular files ending in ``.html`` that resolve inside the
root (no ``..``, no symlink leading out of it). Parquet tables, models and JSON stay
unreachable, since they may hold real rows. ``/`` lists the reports. The server binds to a
loopback address only: there is no authentication.

Example::

    server = ReportServer("/path/.genesis/artifacts", port=0).start()
    print(server.url)          # http://127.0.0.1:<port>
    server.stop()
"""

from __future__ import annotations

import html
import ipaddress
import os
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from genesis.errors import InvalidParameterError, SourceNotFoundError

#: the suffixes served (report pages only: never tables, models or JSON)
REPORT_SUFFIXES = (".html",)
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def _check_host(host: str) -> str:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None if host != "localhost" else ipaddress.ip_address(DEFAULT_HOST)
    if address is None or not address.is_loopback:
        raise InvalidParameterError(
            f"the report server binds to a loopback address only, got {host!r}; use "
            "127.0.0.1 (it has no authentication: put a proxy with access control in front "
            "to share reports)"
        )
    return str(address)


def resolve_report(root: Path, url_path: str) -> Path | None:
    """The report file ``url_path`` names under ``root``, or None when it is not a report
    inside the root (missing, a folder, another kind of file, or outside the root)."""
    relative = unquote(urlsplit(url_path).path).lstrip("/")
    if not relative or "\x00" in relative:
        return None
    parts = relative.split("/")
    if any(p in ("", ".", "..") for p in parts):
        return None
    candidate = (root / Path(*parts)).resolve()
    if not candidate.is_relative_to(root) or candidate.suffix.lower() not in REPORT_SUFFIXES:
        return None
    return candidate if candidate.is_file() else None


def list_reports(root: Path) -> list[str]:
    """The reports under ``root``, as paths relative to it, sorted."""
    found = []
    for suffix in REPORT_SUFFIXES:
        for path in root.rglob(f"*{suffix}"):
            resolved = path.resolve()
            if resolved.is_file() and resolved.is_relative_to(root):
                found.append(path.relative_to(root).as_posix())
    return sorted(found)


def _handler(root: Path) -> type[BaseHTTPRequestHandler]:
    class ReportHandler(BaseHTTPRequestHandler):
        server_version = "genesis-reports"

        def do_GET(self) -> None:
            self._serve(send_body=True)

        def do_HEAD(self) -> None:
            self._serve(send_body=False)

        def _serve(self, *, send_body: bool) -> None:
            if urlsplit(self.path).path in ("", "/"):
                self._send(HTTPStatus.OK, _index(root).encode("utf-8"), send_body)
                return
            report = resolve_report(root, self.path)
            if report is None:
                self._send(HTTPStatus.NOT_FOUND, b"not a report under the artifact root\n",
                           send_body, "text/plain; charset=utf-8")  # fmt: skip
                return
            self._send(HTTPStatus.OK, report.read_bytes(), send_body)

        def _send(
            self,
            status: HTTPStatus,
            body: bytes,
            send_body: bool,
            content_type: str = "text/html; charset=utf-8",
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if send_body:
                self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:
            if os.environ.get("GENESIS_REPORTS_LOG"):
                super().log_message(format, *args)

    return ReportHandler


def _index(root: Path) -> str:
    items = "".join(
        f'<li><a href="/{quote(name)}">{html.escape(name)}</a></li>' for name in list_reports(root)
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Genesis reports</title></head>"
        f"<body><h1>Genesis reports</h1><ul>{items or '<li>no report yet</li>'}</ul></body></html>"
    )


class ReportServer:
    """A static server of the reports under ``root`` (see the module docstring).

    Args:
        root: the artifact root (``storage.root`` of genesis.yaml).
        host: a loopback address.
        port: the port; 0 picks a free one (read it back from :attr:`port`).
    """

    def __init__(self, root: str | os.PathLike[str], host: str = DEFAULT_HOST,
                 port: int = DEFAULT_PORT) -> None:  # fmt: skip
        folder = Path(root).expanduser().resolve()
        if not folder.is_dir():
            raise SourceNotFoundError(
                f"report root {str(folder)!r} is not a folder; pass the artifact root of "
                "genesis.yaml (storage.root), e.g. .genesis/artifacts"
            )
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise InvalidParameterError(f"port must be an integer from 0 to 65535, got {port!r}")
        self.root = folder
        try:
            self._httpd = ThreadingHTTPServer((_check_host(host), port), _handler(folder))
        except OSError as exc:
            raise InvalidParameterError(
                f"cannot listen on {host}:{port} ({exc.strerror or exc}); pick another --port"
            ) from None
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None
        self._serving = False

    @property
    def port(self) -> int:
        """The port listened on."""
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """``http://<host>:<port>``."""
        return f"http://{self._httpd.server_address[0]}:{self.port}"

    def start(self) -> ReportServer:
        """Serve in a background thread; returns self."""
        self._serving = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until :meth:`stop` (or KeyboardInterrupt)."""
        self._serving = True
        try:
            self._httpd.serve_forever()
        finally:
            self._httpd.server_close()

    def stop(self) -> None:
        """Stop serving (when serving) and close the socket."""
        if self._serving:  # shutdown() waits for a serve loop, so only when one runs
            self._httpd.shutdown()
            self._serving = False
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


__all__ = ["REPORT_SUFFIXES", "ReportServer", "list_reports", "resolve_report"]
