"""Clarification sessions: what a conversation has settled so far, keyed by session id.

Bounded (the least recently used session goes first beyond ``max_sessions``), expiring
(``ttl_seconds`` after its last use) and thread-safe. A session holds only the reading of
the prompts (count, conditions, open questions), never rows of data.
"""

from __future__ import annotations

import copy
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from genesis.errors import InvalidParameterError

_SESSION_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")


def check_session_id(session_id: Any) -> str:
    """A valid session id (letters, digits, ``_ . : -``; at most 128 characters), or a new one
    when ``session_id`` is None."""
    if session_id is None:
        return secrets.token_hex(16)
    if not isinstance(session_id, str) or not _SESSION_ID.match(session_id):
        raise InvalidParameterError(
            f"session_id must be 1-128 letters, digits or _ . : - (or None for a new "
            f"session), got {session_id!r}"
        )
    return session_id


class ClarificationSessions:
    """Thread-safe store of clarification sessions.

    Args:
        max_sessions: the most sessions kept; the least recently used goes first.
        ttl_seconds: a session not used for this long is forgotten.
        clock: seconds as a float (``time.monotonic``; tests pass their own).
    """

    def __init__(
        self,
        max_sessions: int = 1000,
        ttl_seconds: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if isinstance(max_sessions, bool) or not isinstance(max_sessions, int) or max_sessions < 1:
            raise InvalidParameterError(
                f"max_sessions must be a whole number >= 1, got {max_sessions!r}"
            )
        if (
            isinstance(ttl_seconds, bool)
            or not isinstance(ttl_seconds, int | float)
            or not ttl_seconds > 0
        ):
            raise InvalidParameterError(f"ttl_seconds must be a number > 0, got {ttl_seconds!r}")
        self.max_sessions = max_sessions
        self.ttl_seconds = float(ttl_seconds)
        self._clock = clock
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()

    def _expire(self, now: float) -> None:
        stale = [k for k, (t, _) in self._items.items() if now - t > self.ttl_seconds]
        for key in stale:
            del self._items[key]

    def get(self, session_id: str) -> dict[str, Any] | None:
        """A copy of the session's state, or None when unknown or expired."""
        session_id = check_session_id(session_id)
        with self._lock:
            now = self._clock()
            self._expire(now)
            item = self._items.get(session_id)
            if item is None:
                return None
            self._items.move_to_end(session_id)
            self._items[session_id] = (now, item[1])
            return copy.deepcopy(item[1])

    def put(self, session_id: str, state: dict[str, Any]) -> None:
        """Store ``state`` (a JSON-like dict) under ``session_id``."""
        session_id = check_session_id(session_id)
        if not isinstance(state, dict):
            raise InvalidParameterError(f"a session state is a dict, got {type(state).__name__}")
        with self._lock:
            now = self._clock()
            self._expire(now)
            self._items[session_id] = (now, copy.deepcopy(state))
            self._items.move_to_end(session_id)
            while len(self._items) > self.max_sessions:
                self._items.popitem(last=False)

    def drop(self, session_id: str) -> None:
        """Forget a session (no error when unknown)."""
        with self._lock:
            self._items.pop(session_id, None)

    def __len__(self) -> int:
        with self._lock:
            self._expire(self._clock())
            return len(self._items)

    def __contains__(self, session_id: object) -> bool:
        with self._lock:
            self._expire(self._clock())
            return session_id in self._items


__all__ = ["ClarificationSessions", "check_session_id"]
