"""Synthetic rows to WebSocket clients: one JSON message per batch, a bounded buffer per
client, slow clients disconnected instead of stalling the others.

Messages are text frames holding one JSON object per batch::

    {"batch": 7, "rows": [{"age": 41, "workclass": "Private", ...}, ...]}

``batch`` is the stream's batch number (for :meth:`WebSocketStreamingGenerator.broadcast`,
a running count of broadcasts unless given); ``rows`` are the batch's records, column ->
value, with missing values as ``null`` and datetimes as ISO 8601 text (UTC, ``Z``). With
``include_metadata`` every row also has ``_genesis_batch``, ``_genesis_sequence`` and
``_genesis_generated_at``. The server ignores what clients send.

Each client has a buffer of ``client_buffer`` messages drained by a writer task of its own,
so a client that reads slowly holds back nobody but itself. When a broadcast finds a
client's buffer full it waits for room, and at the end of a stream it waits for every buffer
to be written; a client that takes no message for ``slow_client_timeout`` seconds while the
stream waits for it is disconnected with close code 1008 and a reason saying it is too slow
(the others never wait longer than that for it). A client beyond ``max_connections`` is
closed at once with code 1013 (try again later) and a reason naming the limit.

Needs the ``websockets`` package (the ``streaming`` extra); it is
imported when the server starts, so importing this module works without it.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from genesis.errors import InvalidParameterError, StreamingError, missing_dependency
from genesis.streaming.config import StreamingConfig, StreamingStats
from genesis.streaming.generator import StreamingGenerator
from genesis.streaming.rate import TokenBucket
from genesis.validation import check_seed, require_int

#: close code for a client over ``max_connections`` (RFC 6455 "try again later")
CLOSE_TRY_AGAIN_LATER = 1013
#: close code for a client that fell behind (RFC 6455 "policy violation")
CLOSE_POLICY_VIOLATION = 1008
#: close code for every client when the server stops (RFC 6455 "going away")
CLOSE_GOING_AWAY = 1001

#: clients do not send data; anything larger than this from one is a protocol error
_MAX_INCOMING_BYTES = 64 * 1024


@dataclass(eq=False)
class _Client:
    """One connected client: its buffer of messages and the task that writes them."""

    connection: Any
    queue: asyncio.Queue
    gone: asyncio.Event = field(default_factory=asyncio.Event)
    writer: asyncio.Task | None = None
    #: (code, reason) to close with, once the server decided to disconnect it
    close_reason: tuple[int, str] | None = None
    #: messages written to the connection so far (how the stream sees it make progress)
    written: int = 0


class WebSocketStreamingGenerator:
    """Serve synthetic rows to WebSocket clients, as fast as they read or at a set rate.

    Args:
        host: interface to listen on. The default is loopback (127.0.0.1), not the
            original API's 0.0.0.0: a model's rows should not be served to the whole
            network unless asked; pass ``"0.0.0.0"`` to do so.
        port: TCP port (0 picks a free one; :attr:`port` then holds it once started).
        batch_size: rows per message of :meth:`stream` (>= 1).
        max_connections: clients served at once (>= 1); one more is refused (code 1013).
        seed: seed of the stream (batch ``i`` is drawn from a seed derived from it and ``i``).
        conditions: generate only rows meeting these (see
            :class:`~genesis.streaming.StreamingGenerator`).
        include_metadata: add the batch number, sequence number and generation time to rows.
        client_buffer: messages buffered per client (>= 1) before it counts as behind.
        slow_client_timeout: seconds the stream waits for a client that takes no message
            (its buffer full, or not drained at the end of :meth:`stream`) before
            disconnecting it (>= 0; 0 disconnects it at once).
        close_timeout: seconds to wait for a client to acknowledge a close before the
            connection is cut (>= 0).

    ``stats``: ``total_samples``/``total_batches`` count what :meth:`stream` generated;
    ``sent`` counts messages queued for a client, ``acknowledged`` those written to the
    client's connection (WebSocket has no application-level acknowledgement: written
    means handed to the network), ``failed`` those dropped with a disconnected client.

    Example:
        >>> server = WebSocketStreamingGenerator(port=0).fit(df)       # doctest: +SKIP
        >>> async with server:                                         # doctest: +SKIP
        ...     await server.wait_for_clients(1)
        ...     await server.stream(samples_per_second=500, max_samples=10_000)
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 8765,
        batch_size: int = 100,
        max_connections: int = 100,
        *,
        seed: int = 0,
        conditions: Any = None,
        include_metadata: bool = True,
        client_buffer: int = 64,
        slow_client_timeout: float = 2.0,
        close_timeout: float = 5.0,
    ) -> None:
        if not isinstance(host, str) or not host:
            raise InvalidParameterError(f"host must be a host name or address, got {host!r}")
        self.host = host
        self.port = require_int(port, "port", 0)
        if self.port > 65535:
            raise InvalidParameterError(f"port must be between 0 and 65535, got {port!r}")
        self.batch_size = require_int(batch_size, "batch_size", 1)
        self.max_connections = require_int(max_connections, "max_connections", 1)
        self.client_buffer = require_int(client_buffer, "client_buffer", 1)
        self.slow_client_timeout = _seconds(slow_client_timeout, "slow_client_timeout")
        self.close_timeout = _seconds(close_timeout, "close_timeout")
        self.seed = check_seed(seed)
        self.conditions = conditions
        self.config = StreamingConfig(batch_size=self.batch_size, include_metadata=include_metadata)
        self.stream_generator: StreamingGenerator | None = None
        self._stats = StreamingStats()
        self._server: Any = None
        self._clients: dict[Any, _Client] = {}
        self._client_joined: asyncio.Event | None = None
        self._stop_requested: asyncio.Event | None = None
        self._idle: asyncio.Event | None = None  # cleared while stream() runs
        self._broadcasts = 0

    # --- the model ------------------------------------------------------------------------

    def fit(self, data: pd.DataFrame, method: str = "gaussian_copula", **kwargs: Any):
        """Learn ``data`` with ``method`` (``kwargs`` are the method's parameters); returns
        self."""
        stream = StreamingGenerator(self.config, seed=self.seed, conditions=self.conditions)
        self.stream_generator = stream.fit(data, method=method, **kwargs)
        return self

    @classmethod
    def from_model(cls, model: Any, **kwargs: Any) -> WebSocketStreamingGenerator:
        """Serve rows of an already fitted model (a ``SyntheticGenerator``, any synthesizer
        or a :class:`~genesis.streaming.StreamingGenerator`); ``kwargs`` are this class's
        parameters (``seed`` defaults to the model's)."""
        if isinstance(model, StreamingGenerator):
            kwargs.setdefault("seed", model.seed)
            kwargs.setdefault("conditions", model.conditions)
            model = model._fitted_model()
        else:
            kwargs.setdefault("seed", getattr(model, "seed", 0) or 0)
        server = cls(**kwargs)
        server.stream_generator = StreamingGenerator.from_model(
            model, server.config, seed=server.seed, conditions=server.conditions
        )
        return server

    @property
    def stats(self) -> StreamingStats:
        """Generation and delivery counters (see the class docstring)."""
        return self._stats

    @property
    def clients(self) -> int:
        """Clients connected now."""
        return len(self._clients)

    @property
    def url(self) -> str:
        """``ws://host:port`` of the running server."""
        return f"ws://{self.host}:{self.port}"

    # --- the server -----------------------------------------------------------------------

    async def start_server(self) -> None:
        """Listen on ``host``:``port``; returns once connections are accepted.

        Raises:
            StreamingError: the address is in use or cannot be bound.
            MissingDependencyError: the ``websockets`` package is not installed.
        """
        if self._server is not None:
            raise StreamingError(f"the server is already running at {self.url}; stop() it first")
        try:
            from websockets.asyncio.server import serve
        except ImportError:
            raise missing_dependency(
                "websockets", "WebSocket streaming", extra="streaming"
            ) from None
        self._stop_requested = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._client_joined = asyncio.Event()
        try:
            self._server = await serve(
                self._handle,
                self.host,
                self.port,
                # per-client deflate would cost CPU per client for every broadcast
                compression=None,
                max_size=_MAX_INCOMING_BYTES,
                close_timeout=self.close_timeout,
            )
        except OSError as exc:
            raise StreamingError(
                f"cannot listen on {self.host}:{self.port}: {exc.strerror or exc}; pick another "
                "port (0 picks a free one) or stop what is using it"
            ) from exc
        self.port = self._server.sockets[0].getsockname()[1]

    async def wait_for_clients(self, count: int = 1, timeout: float | None = None) -> None:
        """Return once ``count`` clients are connected.

        Raises:
            TimeoutError: fewer than ``count`` connected within ``timeout`` seconds.
        """
        count = require_int(count, "count", 0)
        self._require_server()
        async with asyncio.timeout(timeout):
            while len(self._clients) < count:
                self._client_joined.clear()
                await self._client_joined.wait()

    async def broadcast(self, data: pd.DataFrame | list[dict], *, batch: int | None = None) -> int:
        """Send ``data`` (a DataFrame, or a list of records) as one message to every
        connected client; returns how many clients it was queued for.

        ``batch`` is the message's batch number (default: how many broadcasts came before).
        Returns once the message is in every client's buffer: it waits only while a
        client's buffer is full, and disconnects (code 1008) a client that takes nothing
        for ``slow_client_timeout`` seconds. :meth:`flush` waits until they are written.
        """
        self._require_server()
        if batch is None:
            batch = self._broadcasts
        message = await asyncio.to_thread(encode_message, data, batch)
        self._broadcasts += 1
        return await self._deliver(message)

    async def stream(
        self, samples_per_second: float | None = None, max_samples: int | None = None
    ) -> None:
        """Generate batches of ``batch_size`` rows and broadcast each to the clients
        connected at that moment, until ``max_samples`` rows (forever when None) or
        :meth:`stop`.

        Args:
            samples_per_second: target rate in rows per second (> 0), paced by a
                :class:`~genesis.streaming.TokenBucket` holding one batch; None sends as fast
                as the clients take the rows.
            max_samples: rows to stream in all (>= 0); the last batch is shorter if needed.

        Generation and JSON encoding run in a worker thread, one batch at a time. Returns
        once every batch was written to the clients still connected (see :meth:`flush`);
        after :meth:`stop`, at once.
        """
        rate = _rate(samples_per_second)
        max_samples = require_int(max_samples, "max_samples", 0, allow_none=True)
        stream = self._require_model()
        self._require_server()
        if not self._idle.is_set():
            raise StreamingError("this server is already streaming; one stream() at a time")
        self._idle.clear()
        stopped = self._stop_requested
        stats = self._stats
        stats.start()
        bucket = TokenBucket(rate, burst=self.batch_size)
        rows = 0
        index = 0
        try:
            while not stopped.is_set() and (max_samples is None or rows < max_samples):
                size = (
                    self.batch_size
                    if max_samples is None
                    else min(self.batch_size, max_samples - rows)
                )
                if not await self._paced(bucket, size):
                    break
                message = await asyncio.to_thread(_batch_message, stream, index, size)
                stats.record_batch(size)
                await self._deliver(message)
                rows += size
                index += 1
            await self.flush()
        finally:
            stats.finish()
            self._idle.set()

    async def _paced(self, bucket: TokenBucket, rows: int) -> bool:
        """Wait until ``bucket`` lets ``rows`` go (False: stop() was called meanwhile)."""
        stopped = self._stop_requested
        while (delay := bucket.wait_time(rows)) > 0 and not stopped.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopped.wait(), delay)
        if stopped.is_set():
            return False
        bucket.acquire(rows)  # does not wait now
        return True

    async def stop(self, flush: bool = True) -> None:
        """Stop serving; safe to call twice.

        A running :meth:`stream` ends after its current batch; with ``flush`` the messages
        already buffered are written first (see :meth:`flush`); then every client is closed
        with code 1001 (one that does not take the close within ``close_timeout`` is cut)
        and the server stops listening.
        """
        server, self._server = self._server, None
        if server is None:
            return
        self._stop_requested.set()
        server.close(close_connections=False)  # no new clients
        await self._idle.wait()
        if flush:
            await self.flush()
        for client in list(self._clients.values()):
            self._disconnect(client, CLOSE_GOING_AWAY, "the server is stopping")
        await server.wait_closed()  # every handler has closed its connection

    async def __aenter__(self) -> WebSocketStreamingGenerator:
        await self.start_server()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.stop()

    # --- clients --------------------------------------------------------------------------

    async def _handle(self, connection: Any) -> None:
        """One connection, from accept to close (called by ``websockets``)."""
        if self._stop_requested.is_set():
            await self._close(connection, CLOSE_GOING_AWAY, "the server is stopping")
            return
        if len(self._clients) >= self.max_connections:
            await self._close(
                connection,
                CLOSE_TRY_AGAIN_LATER,
                f"too many clients: this server takes at most {self.max_connections} "
                "connections; try again later",
            )
            return
        client = _Client(connection, asyncio.Queue(maxsize=self.client_buffer))
        self._clients[connection] = client
        client.writer = asyncio.create_task(self._write(client))
        self._client_joined.set()
        closed = asyncio.ensure_future(connection.wait_closed())
        try:
            # ends when the client leaves, or when _disconnect cancels the writer
            await asyncio.wait({closed, client.writer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            closed.cancel()
            self._forget(client)
            client.writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await client.writer
            if client.close_reason is not None:
                await self._close(connection, *client.close_reason)

    async def _write(self, client: _Client) -> None:
        """Send the client's buffered messages in order until it is gone."""
        from websockets.exceptions import ConnectionClosed

        while True:
            message = await client.queue.get()
            try:
                await client.connection.send(message)
            except ConnectionClosed:
                self._stats.record_failed(1)
                return
            except asyncio.CancelledError:
                # cancelled mid-send: maybe delivered, maybe not; never counted as delivered
                self._stats.record_failed(1)
                raise
            finally:
                client.queue.task_done()
            client.written += 1
            self._stats.record_acknowledged(1)

    async def _deliver(self, message: str) -> int:
        """Queue ``message`` for every client; disconnect those that stay full."""
        full = []
        clients = list(self._clients.values())
        for client in clients:
            try:
                client.queue.put_nowait(message)
            except asyncio.QueueFull:
                full.append(client)
            else:
                self._stats.record_sent(1)
        if full:
            await asyncio.gather(*(self._put_or_drop(c, message) for c in full))
        return len(clients)

    async def _put_or_drop(self, client: _Client, message: str) -> None:
        put = asyncio.ensure_future(client.queue.put(message))
        if await self._wait_or_drop(client, put):
            self._stats.record_sent(1)

    async def flush(self) -> None:
        """Wait until every message queued so far has been written to its client.

        A client that takes nothing for ``slow_client_timeout`` seconds meanwhile is
        disconnected (code 1008), so this ends even if a client stopped reading.
        """
        clients = list(self._clients.values())
        await asyncio.gather(
            *(self._wait_or_drop(c, asyncio.ensure_future(c.queue.join())) for c in clients)
        )

    async def _wait_or_drop(self, client: _Client, waiting: asyncio.Future) -> bool:
        """Wait for ``waiting`` (room in, or the draining of, ``client``'s buffer) while the
        client makes progress; True when it completed. A client that writes nothing for
        ``slow_client_timeout`` seconds is disconnected (and ``waiting`` cancelled)."""
        gone = asyncio.ensure_future(client.gone.wait())
        try:
            while not waiting.done() and not gone.done():
                written = client.written
                await asyncio.wait(
                    {waiting, gone},
                    timeout=self.slow_client_timeout,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                if not waiting.done() and not gone.done() and client.written == written:
                    self._disconnect(
                        client,
                        CLOSE_POLICY_VIOLATION,
                        f"client too slow: it took no message for {self.slow_client_timeout:g} "
                        f"s with {client.queue.qsize()} waiting; read faster or ask for a lower "
                        "rate",
                    )
                    break
        finally:
            gone.cancel()
            waiting.cancel()  # no-op once done
        return waiting.done() and not waiting.cancelled()

    def _forget(self, client: _Client) -> None:
        """Remove ``client``; the messages still in its buffer count as failed."""
        if self._clients.pop(client.connection, None) is None:
            return
        client.gone.set()
        dropped = 0
        while not client.queue.empty():
            client.queue.get_nowait()
            client.queue.task_done()
            dropped += 1
        if dropped:
            self._stats.record_failed(dropped)

    def _disconnect(self, client: _Client, code: int, reason: str) -> None:
        """Forget ``client`` now; its handler closes the connection with ``code``."""
        client.close_reason = (code, reason)
        self._forget(client)
        if client.writer is not None:
            client.writer.cancel()

    async def _close(self, connection: Any, code: int, reason: str) -> None:
        """Close with ``code`` and ``reason``; cut the connection if the client does not
        take the close frame within ``close_timeout`` (a client that stopped reading)."""
        try:
            async with asyncio.timeout(self.close_timeout):
                await connection.close(code, reason)
        except TimeoutError:
            connection.transport.abort()

    # --- checks ---------------------------------------------------------------------------

    def _require_server(self) -> None:
        if self._server is None:
            raise StreamingError("the WebSocket server is not running; await start_server() first")

    def _require_model(self) -> StreamingGenerator:
        if self.stream_generator is None:
            from genesis.errors import NotFittedError

            raise NotFittedError(
                "this WebSocketStreamingGenerator has no model yet; call fit(data) or build it "
                "with WebSocketStreamingGenerator.from_model(fitted_model)"
            )
        return self.stream_generator


# --- messages ------------------------------------------------------------------------------


def encode_message(data: pd.DataFrame | list[dict], batch: int) -> str:
    """The JSON text of one message: ``{"batch": batch, "rows": [records]}``."""
    if isinstance(data, pd.DataFrame):
        frame = data
    elif isinstance(data, list) and all(isinstance(row, dict) for row in data):
        frame = pd.DataFrame.from_records(data) if data else pd.DataFrame()
    else:
        raise InvalidParameterError(
            f"data must be a DataFrame or a list of dicts (records), got {type(data).__name__}"
        )
    rows = frame.to_json(
        orient="records",
        date_format="iso",
        date_unit="us",
        double_precision=15,
        default_handler=str,
    )
    return f'{{"batch": {int(batch)}, "rows": {rows}}}'


def _batch_message(stream: StreamingGenerator, index: int, size: int) -> str:
    return encode_message(stream.batch(index, size), index)


def _seconds(value: Any, name: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
    ):
        raise InvalidParameterError(f"{name} must be a number of seconds >= 0, got {value!r}")
    return float(value)


def _rate(value: Any) -> float | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise InvalidParameterError(
            f"samples_per_second must be a number of rows per second > 0 (or None for as fast "
            f"as the clients read), got {value!r}"
        )
    return float(value)


__all__ = [
    "CLOSE_GOING_AWAY",
    "CLOSE_POLICY_VIOLATION",
    "CLOSE_TRY_AGAIN_LATER",
    "WebSocketStreamingGenerator",
    "encode_message",
]
