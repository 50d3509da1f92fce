"""Bearer tokens, per-token rate limits and the request-body bound.

Tokens are compared in constant time and never logged or stored: a caller is known by a
short hash of its token (:attr:`Caller.key`), which also keys its rate limit and its jobs.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass

from genesis.errors import AuthenticationError, RateLimitError, RequestTooLargeError
from genesis.streaming.rate import TokenBucket

#: rate-limit buckets kept at most (the least recently used one is dropped beyond it)
MAX_BUCKETS = 10_000


@dataclass(frozen=True)
class Caller:
    """Who sent a request: ``key`` is a hash of the token (or ``anonymous:<address>`` when
    the server has no tokens)."""

    key: str


def authenticate(authorization: str | None, tokens: tuple[str, ...], client: str) -> Caller:
    """The caller of a request with this ``Authorization`` header.

    With no tokens configured every caller is accepted (the server then listens on loopback
    only) and known by its address; otherwise the header must be ``Bearer <token>`` with one
    of ``tokens``.
    """
    if not tokens:
        return Caller(f"anonymous:{client}")
    scheme, _, credential = (authorization or "").partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential:
        raise AuthenticationError(
            "this request carries no bearer token",
            "send the header 'Authorization: Bearer <token>' with a token the server was "
            "given in GENESIS_API_TOKENS",
        )
    given = credential.encode("utf-8")
    # every token compared, in constant time, so timing does not tell how close a guess is
    matched = [hmac.compare_digest(given, t.encode("utf-8")) for t in tokens]
    if not any(matched):
        raise AuthenticationError(
            "the bearer token is not one this server accepts",
            "check the token: it must be one of those in the server's GENESIS_API_TOKENS",
        )
    return Caller("token:" + hashlib.sha256(given).hexdigest()[:16])


class RateLimiter:
    """One :class:`~genesis.streaming.rate.TokenBucket` per caller: ``rate`` requests per
    second, bursts of ``burst``; over it, :class:`RateLimitError` with the wait in seconds.
    Thread-safe."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, caller: Caller) -> None:
        """Count one request of ``caller``, or refuse it when its bucket is empty."""
        with self._lock:
            bucket = self._buckets.get(caller.key)
            if bucket is None:
                bucket = self._buckets[caller.key] = TokenBucket(self.rate, self.burst)
                if len(self._buckets) > MAX_BUCKETS:
                    self._buckets.popitem(last=False)
            self._buckets.move_to_end(caller.key)
            wait = bucket.wait_time(1)
            if wait > 0:
                raise RateLimitError(
                    f"too many requests: this token may send {self.rate:g} per second "
                    f"(bursts of {self.burst:g})",
                    f"wait {math.ceil(wait)} s (the Retry-After header) and send fewer requests",
                    retry_after=wait,
                )
            bucket.acquire(1)  # never waits: the bucket holds the unit


class BodyLimit:
    """ASGI middleware refusing request bodies over a bound with 413, before they are read
    whole: by their Content-Length, or while they stream in. ``limits`` maps a path prefix to
    its own bound (uploads); other paths get ``default``."""

    def __init__(self, app, default: int, limits: dict[str, int] | None = None) -> None:
        self.app = app
        self.default = default
        self.limits = limits or {}

    def limit_for(self, path: str) -> int:
        for prefix, limit in self.limits.items():
            if path.startswith(prefix):
                return limit
        return self.default

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await _send_error(send, too_large(limit))
            return
        seen = 0
        exceeded = replaced = False

        async def counted():
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise too_large(limit)
            return message

        async def guarded(message):
            # the app answers a body it could not read with its own error (FastAPI: 400);
            # once the bound was crossed, the 413 goes out instead
            nonlocal replaced
            if not exceeded:
                await send(message)
            elif not replaced and message["type"] == "http.response.start":
                replaced = True
                await _send_error(send, too_large(limit))

        try:
            await self.app(scope, counted, guarded)
        except RequestTooLargeError:
            if not replaced:
                replaced = True
                await _send_error(send, too_large(limit))


def too_large(limit: int) -> RequestTooLargeError:
    """The error of a request body over ``limit`` bytes."""
    return RequestTooLargeError(
        f"the request body is larger than this server accepts ({limit:,} bytes)",
        "send a smaller body: fewer conditions or a shorter prompt, or upload smaller tables "
        "(a sample) to /v1/evaluate",
    )


async def _send_error(send, error: RequestTooLargeError) -> None:
    from genesis.api.handlers import error_body

    body = error_body(error)
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


__all__ = ["BodyLimit", "Caller", "RateLimiter", "authenticate", "too_large"]
