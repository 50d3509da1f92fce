"""Sites as separate processes, speaking to the aggregator over gRPC.

Transport choice: the issue asks for Flower (``flwr``) or, if Flower does not fit, gRPC.
Flower does not fit this project: ``flwr`` 1.42 pins ``typer`` and ``rich`` below the
versions the project (and Dagster) needs, so installing it downgrades typer to 0.20.1 and
rich to 14.3.4 (``/work/shared/ENVIRONMENT.md``). gRPC is what Flower itself runs on, and
``grpcio`` is already installed (Dagster depends on it), so the sites talk gRPC directly.

Topology, as in Flower: the **aggregator is the gRPC server** and **each site dials out** to
it, so a site behind a firewall accepts no inbound connection. :class:`RemoteSite` (the
aggregator-side proxy, with the interface of :class:`~genesis.federated.DataSite` that
:class:`~genesis.federated.FederatedGenerator` uses) starts a :class:`FederationServer`
bound to ``127.0.0.1`` (port 0: the system picks one) unless given one, and launches
``python -m genesis.federated.site_process`` with the server's address and the path of the
site's table. The site process reads its table, then loops: ``Pull`` (a long poll that
returns the aggregator's next request: a round's plan, a key exchange, a budget check) and
``Push`` (its answer). Only these messages cross: label sets, sketches, histogram and
outer-product vectors, masked vectors, public keys; never a row.

There is no ``.proto`` to compile: the two methods are registered with gRPC's generic
handlers (``grpc.method_handlers_generic_handler``) and carry JSON (:func:`encode`,
:func:`decode`: numpy arrays with their dtype, bytes as hex, uint64 exactly).

Security: each site is given a random token (in its environment, not its command line);
a ``Pull`` or ``Push`` with another site's name or a wrong token is refused
(``PERMISSION_DENIED``). TLS: pass ``server_credentials=grpc.ssl_server_credentials(...)``
to :class:`FederationServer` and ``root_certificates=PATH`` to :class:`RemoteSite` (the
site process then dials with ``grpc.ssl_channel_credentials``); without them the channel is
plaintext, which is fine on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from concurrent import futures
from pathlib import Path
from typing import Any

import numpy as np

from genesis.errors import FederatedError, SiteConnectionError, SiteDroppedError
from genesis.federated.site import SiteConfig

#: seconds a site may take to answer one message
REPLY_TIMEOUT = 120.0
#: seconds a ``Pull`` waits for a request before answering ``idle`` (the site polls again)
POLL_SECONDS = 5.0
#: the gRPC service and its two methods
SERVICE = "genesis.federated.Site"
PULL = f"/{SERVICE}/Pull"
PUSH = f"/{SERVICE}/Push"
#: messages up to this size (a network's weights under federated averaging can be large)
MAX_MESSAGE_BYTES = 512 * 1024 * 1024
CHANNEL_OPTIONS = [
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
]
#: environment variable that hands a site process its token
TOKEN_ENV = "GENESIS_SITE_TOKEN"


def grpc_module():
    """The ``grpc`` package, or an install hint."""
    try:
        import grpc
    except ImportError as exc:
        from genesis.errors import missing_dependency

        raise missing_dependency("grpc", "sites in separate processes") from exc
    return grpc


def encode(message: Any) -> str:
    """One JSON text (numpy arrays as lists with their dtype, bytes as hex, uint64 exact)."""

    def default(value: Any) -> Any:
        if isinstance(value, np.ndarray):
            return {"__array__": value.dtype.str, "data": value.tolist()}
        if isinstance(value, bytes):
            return {"__bytes__": value.hex()}
        if isinstance(value, np.generic):
            return value.item()
        raise TypeError(f"cannot send a {type(value).__name__}")

    return json.dumps(message, default=default)


def decode(line: str) -> Any:
    """Inverse of :func:`encode`."""

    def hook(obj: dict) -> Any:
        if "__array__" in obj:
            return np.asarray(obj["data"], dtype=np.dtype(obj["__array__"]))
        if "__bytes__" in obj:
            return bytes.fromhex(obj["__bytes__"])
        return obj

    return json.loads(line, object_hook=hook)


def to_bytes(message: Any) -> bytes:
    """:func:`encode` as UTF-8: the gRPC serializer of every message."""
    return encode(message).encode()


def from_bytes(data: bytes) -> Any:
    """Inverse of :func:`to_bytes`: the gRPC deserializer."""
    return decode(data.decode())


class _Mailbox:
    """One site's queues on the server: requests out, raw answers in."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.requests: queue.Queue = queue.Queue()
        self.answers: queue.Queue = queue.Queue()


class FederationServer:
    """The aggregator's gRPC server; sites connect to it and pull their requests.

    Args:
        host: interface to bind (``127.0.0.1`` by default; a public one only with TLS).
        port: 0 (default) lets the system choose a free port.
        server_credentials: ``grpc.ssl_server_credentials(...)`` for TLS; None: plaintext.
        max_workers: threads serving calls; each connected site holds one while it waits
            for its next request, so at least the number of sites sharing this server.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        server_credentials=None,
        max_workers: int = 32,
    ):
        grpc = grpc_module()
        self._boxes: dict[str, _Mailbox] = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        handler = grpc.method_handlers_generic_handler(
            SERVICE,
            {
                "Pull": grpc.unary_unary_rpc_method_handler(
                    self._pull, request_deserializer=from_bytes, response_serializer=bytes
                ),
                "Push": grpc.unary_unary_rpc_method_handler(
                    self._push, request_deserializer=bytes, response_serializer=to_bytes
                ),
            },
        )
        self._server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=int(max_workers)), options=CHANNEL_OPTIONS
        )
        self._server.add_generic_rpc_handlers((handler,))
        target = f"{host}:{int(port)}"
        try:
            if server_credentials is not None:
                bound = self._server.add_secure_port(target, server_credentials)
            else:
                bound = self._server.add_insecure_port(target)
        except RuntimeError as exc:
            raise SiteConnectionError(
                f"the aggregator cannot listen on {target!r} ({exc}); pass a local interface "
                "such as host='127.0.0.1' and port=0 (any free port)"
            ) from exc
        if not bound:
            raise SiteConnectionError(
                f"the aggregator cannot listen on {target!r}; pass a local interface such as "
                "host='127.0.0.1' and port=0 (any free port)"
            )
        self.host, self.port, self.tls = host, int(bound), server_credentials is not None
        self._server.start()

    @property
    def address(self) -> str:
        """``host:port`` the sites dial."""
        return f"{self.host}:{self.port}"

    def register(self, site: str) -> str:
        """Open a mailbox for ``site``; returns the token the site must present."""
        with self._lock:
            if site in self._boxes:
                raise FederatedError(f"a site named {site!r} is already connected to this server")
            token = secrets.token_hex(16)
            self._boxes[site] = _Mailbox(token)
        return token

    def unregister(self, site: str) -> None:
        """Close ``site``'s mailbox (its next ``Pull`` is told to stop)."""
        with self._lock:
            box = self._boxes.pop(site, None)
        if box is not None:
            box.requests.put(None)

    def _box(self, message: dict, context) -> _Mailbox:
        grpc = grpc_module()
        box = self._boxes.get(str(message.get("site")))
        if box is None or not secrets.compare_digest(str(message.get("token", "")), box.token):
            context.abort(grpc.StatusCode.PERMISSION_DENIED, "unknown site or wrong token")
        return box

    def _pull(self, message: dict, context) -> bytes:
        box = self._box(message, context)
        try:
            request = box.requests.get(timeout=POLL_SECONDS)
        except queue.Empty:
            return to_bytes({"op": "idle"})
        if request is None or self._stopped.is_set():
            return to_bytes({"op": "stop"})
        return request  # already encoded by the proxy (its transcript holds the same text)

    def _push(self, data: bytes, context) -> dict:
        text = data.decode()
        box = self._box(json.loads(text), context)
        box.answers.put(text)  # the raw text: the proxy's transcript records what crossed
        return {"ok": True}

    def send(self, site: str, request: dict, timeout: float, alive=None) -> tuple[str, str]:
        """Queue ``request`` for ``site`` and wait for its answer: ``(request text, answer
        text)``. ``alive()`` (if given) is polled; False means the site is gone."""
        box = self._boxes.get(site)
        if box is None:
            raise SiteDroppedError(f"site {site!r} is not connected to this server")
        text = to_bytes(request)
        box.requests.put(text)
        deadline = time.monotonic() + timeout
        while True:
            try:
                return text.decode(), box.answers.get(timeout=0.1)
            except queue.Empty:
                if alive is not None and not alive():
                    raise SiteDroppedError(f"site {site!r} is gone") from None
                if time.monotonic() > deadline:
                    raise SiteDroppedError(
                        f"site {site!r} did not answer within {timeout:g} s"
                    ) from None

    def stop(self) -> None:
        """Stop serving (sites still polling are told to stop first)."""
        self._stopped.set()
        with self._lock:
            for box in self._boxes.values():
                box.requests.put(None)
        self._server.stop(grace=1.0).wait(5)


class RemoteSite:
    """A site running in its own process, reached over gRPC; the :class:`DataSite` protocol.

    Args:
        name: the site's name.
        data_path: its table (CSV or Parquet), read only by the site's process.
        config: its :class:`SiteConfig` (sent to the process; its ``ledger_path`` is a file
            of the site's, read and written by the site process only).
        timeout: seconds to wait for each answer; a silent or dead process raises
            :class:`~genesis.errors.SiteDroppedError`.
        server: the :class:`FederationServer` to attach to; None starts one of its own on
            ``127.0.0.1`` (any free port).
        root_certificates: a PEM file: the site dials the server over TLS, trusting it.
        connect_timeout: seconds the site process may take to start and connect.
    """

    def __init__(
        self,
        name: str,
        data_path: str | os.PathLike[str],
        config: SiteConfig | None = None,
        *,
        timeout: float = REPLY_TIMEOUT,
        server: FederationServer | None = None,
        root_certificates: str | os.PathLike[str] | None = None,
        connect_timeout: float = 60.0,
    ) -> None:
        self.config = config if config is not None else SiteConfig(name)
        self._name = name
        self.timeout = timeout
        self.transcript: list[str] = []  # every message exchanged, for audits and tests
        self._own_server = server is None
        self.server = server if server is not None else FederationServer()
        token = self.server.register(name)
        settings = {
            "name": name,
            "weight": self.config.weight,
            "privacy_budget": self.config.privacy_budget,
            "min_samples": self.config.min_samples,
            "seed": self.config.seed,
            "ledger_path": self.config.ledger_path,
        }
        command = [
            sys.executable,
            "-m",
            "genesis.federated.site_process",
            "--aggregator",
            self.server.address,
            "--data",
            str(Path(data_path)),
            "--config",
            json.dumps(settings),
        ]
        if root_certificates is not None:
            command += ["--root-certificates", str(Path(root_certificates))]
        # the child imports this same copy of genesis, wherever it was imported from
        root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        env[TOKEN_ENV] = token
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed in close())
        self._process = subprocess.Popen(command, env=env, stderr=self._stderr)
        try:
            hello = self._call({"op": "describe"}, timeout=connect_timeout)
        except SiteDroppedError:
            self.close()
            raise
        self.pid = int(hello["pid"])
        self._n_samples = int(hello["n_samples"])
        self.privacy_spent = float(hello.get("privacy_spent", 0.0))
        self.method: str | None = None

    @property
    def name(self) -> str:
        return self._name

    @property
    def n_samples(self) -> int:
        return self._n_samples

    def _stderr_tail(self) -> str:
        with contextlib.suppress(OSError, ValueError):
            self._stderr.seek(0)
            lines = self._stderr.read().decode(errors="replace").strip().splitlines()
            return lines[-1] if lines else ""
        return ""

    def _call(self, request: dict[str, Any], timeout: float | None = None) -> Any:
        try:
            sent, answer = self.server.send(
                self._name,
                request,
                self.timeout if timeout is None else timeout,
                alive=lambda: self._process.poll() is None,
            )
        except SiteDroppedError as exc:
            code = self._process.poll()
            if code is None:
                raise
            detail = self._stderr_tail()
            raise SiteDroppedError(
                f"site {self._name!r} exited (code {code}) before answering "
                f"{request.get('op')!r}" + (f": {detail}" if detail else "")
            ) from exc
        self.transcript += [sent, answer]
        reply = decode(answer)["reply"]
        if "error" in reply:
            from genesis import errors

            cls = getattr(errors, reply["error"]["type"], FederatedError)
            if not (isinstance(cls, type) and issubclass(cls, errors.GenesisError)):
                cls = FederatedError
            raise cls(reply["error"]["message"])
        return reply["result"]

    def initialize(self, method: str = "gaussian_copula") -> None:
        self._call({"op": "initialize", "method": method})
        self.method = method

    def authorize(self, epsilon: float) -> None:
        self._call({"op": "authorize", "epsilon": epsilon})

    def charge(self, epsilon: float, *, delta: float = 0.0, run_id: str | None = None) -> None:
        self.privacy_spent = float(
            self._call({"op": "charge", "epsilon": epsilon, "delta": delta, "run_id": run_id})
        )

    def masking_key(self, session: int = 0) -> bytes:
        return self._call({"op": "masking_key", "session": session})

    def agree_masks(self, public_keys: dict[str, bytes]) -> None:
        self._call({"op": "agree_masks", "public_keys": public_keys})

    def reveal_mask_seed(self, peer: str) -> bytes:
        return self._call({"op": "reveal_mask_seed", "peer": peer})

    def train_local(self, plan: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._call({"op": "train_local", "plan": plan})

    def close(self) -> None:
        """Stop the site's process (told to stop; killed if it does not within 10 s)."""
        self.server.unregister(self._name)
        if self._process.poll() is None:
            try:
                self._process.wait(timeout=POLL_SECONDS + 10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._own_server:
            self.server.stop()
        with contextlib.suppress(OSError):
            self._stderr.close()

    def kill(self) -> None:
        """Stop the process at once (simulates a site dropping out)."""
        self._process.kill()
        self._process.wait()

    def __enter__(self) -> RemoteSite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"RemoteSite(name={self._name!r}, pid={getattr(self, 'pid', None)})"
