"""A real OpenAI- and Anthropic-compatible HTTP server on loopback, for tests.

:class:`LLMTestServer` listens on a free ``127.0.0.1`` port in a background thread (stdlib
``http.server``), records every request it receives (path, headers, JSON body) and answers
``POST /v1/chat/completions`` in the OpenAI format and ``POST /v1/messages`` in the Anthropic
format with scripted content. It can be told to answer with garbage, an HTTP error or a raw
non-API body, or to stall; nothing is mocked on the client side.

    with LLMTestServer() as server:
        server.script(Reply.json({"n_samples": 10}))
        complete_json(LLMConfig("openai-compatible", base_url=server.url), "sys", "user")
        server.requests[0].body["messages"]
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

OPENAI_PATH = "/v1/chat/completions"
ANTHROPIC_PATH = "/v1/messages"


@dataclass
class Reply:
    """One scripted answer: the model's text (``content``) wrapped in the API's envelope, or
    a raw HTTP ``status`` and ``raw`` body; ``delay`` seconds before answering."""

    content: str | None = None
    status: int = 200
    raw: str | None = None
    delay: float = 0.0

    @classmethod
    def json(cls, obj: Any) -> Reply:
        """The model answers with this JSON value."""
        return cls(content=json.dumps(obj))

    @classmethod
    def text(cls, text: str) -> Reply:
        """The model answers with this text (e.g. prose instead of JSON)."""
        return cls(content=text)

    @classmethod
    def http(cls, status: int, body: str = '{"error": "scripted failure"}') -> Reply:
        """The server answers with an HTTP error status."""
        return cls(status=status, raw=body)

    @classmethod
    def raw_body(cls, body: str) -> Reply:
        """The server answers 200 with a body that is not an API response."""
        return cls(raw=body)


@dataclass
class RecordedRequest:
    """What the server received."""

    method: str
    path: str
    headers: dict[str, str]
    text: str
    body: Any = None  # the parsed JSON body, None when it was not JSON

    @property
    def sent_text(self) -> str:
        """Every message's text joined: what a model would read."""
        if not isinstance(self.body, dict):
            return self.text
        parts = [self.body.get("system") or ""]
        for message in self.body.get("messages", []):
            content = message.get("content")
            parts.append(content if isinstance(content, str) else json.dumps(content))
        return "\n".join(parts)


@dataclass
class LLMTestServer:
    """The server; use as a context manager, or :meth:`start` / :meth:`stop`."""

    default: Reply | Callable[[RecordedRequest], Reply] = field(
        default_factory=lambda: Reply.http(500, '{"error": "no reply scripted"}')
    )
    requests: list[RecordedRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._queue: list[Reply | Callable[[RecordedRequest], Reply]] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- scripting -----------------------------------------------------------------------
    def script(self, *replies: Reply | Callable[[RecordedRequest], Reply]) -> LLMTestServer:
        """Answer the next requests with ``replies`` in order (then with ``default``). A
        callable reply is called with the recorded request."""
        with self._lock:
            self._queue.extend(replies)
        return self

    def _next(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            reply = self._queue.pop(0) if self._queue else self.default
        return reply(request) if callable(reply) else reply

    # -- lifecycle -----------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The base URL, ``http://127.0.0.1:PORT``."""
        if self._httpd is None:
            raise RuntimeError("the LLM test server is not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> LLMTestServer:
        handler = _handler_for(self)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(timeout=5)
            self._httpd = None

    def __enter__(self) -> LLMTestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _envelope(path: str, content: str, model: str) -> dict[str, Any]:
    if path == ANTHROPIC_PATH:
        return {
            "id": "msg_test",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [{"type": "text", "text": content}],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 1, "output_tokens": 1},
        }
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _handler_for(server: LLMTestServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
            pass

        def do_GET(self) -> None:
            self._record_and_answer()

        def do_POST(self) -> None:
            self._record_and_answer()

        def _record_and_answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            text = self.rfile.read(length).decode("utf-8", "replace") if length else ""
            try:
                body = json.loads(text) if text else None
            except ValueError:
                body = None
            request = RecordedRequest(
                method=self.command,
                path=self.path,
                headers={k.lower(): v for k, v in self.headers.items()},
                text=text,
                body=body,
            )
            if self.command != "POST" or self.path not in (OPENAI_PATH, ANTHROPIC_PATH):
                with server._lock:
                    server.requests.append(request)
                self._send(404, json.dumps({"error": f"no route {self.command} {self.path}"}))
                return
            reply = server._next(request)
            if reply.delay:
                time.sleep(reply.delay)
            if reply.raw is not None or reply.status != 200:
                self._send(reply.status, reply.raw or "")
                return
            model = body.get("model", "") if isinstance(body, dict) else ""
            self._send(200, json.dumps(_envelope(self.path, reply.content or "", model)))

        def _send(self, status: int, payload: str) -> None:
            data = payload.encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                pass

    return Handler
