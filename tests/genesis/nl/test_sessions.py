"""genesis.nl.sessions: bounded, expiring, thread-safe."""

from __future__ import annotations

import threading

import pytest

from genesis.errors import InvalidParameterError
from genesis.nl import ClarificationSessions


def test_bounded_least_recently_used_goes_first():
    store = ClarificationSessions(max_sessions=3, ttl_seconds=100)
    for name in "abc":
        store.put(name, {"n": name})
    assert store.get("a") == {"n": "a"}  # "a" is now the most recent
    store.put("d", {"n": "d"})
    assert len(store) == 3
    assert "b" not in store and store.get("b") is None
    assert store.get("a") == {"n": "a"}


def test_ttl_expires():
    now = [0.0]
    store = ClarificationSessions(ttl_seconds=10, clock=lambda: now[0])
    store.put("s", {"x": 1})
    now[0] = 9.0
    assert store.get("s") == {"x": 1}  # a use renews the session
    now[0] = 18.0
    assert store.get("s") == {"x": 1}
    now[0] = 30.0
    assert store.get("s") is None and len(store) == 0


def test_copies_not_references():
    store = ClarificationSessions()
    state = {"pending": [1]}
    store.put("s", state)
    state["pending"].append(2)
    got = store.get("s")
    got["pending"].append(3)
    assert store.get("s") == {"pending": [1]}


def test_thread_safe():
    store = ClarificationSessions(max_sessions=50)
    errors: list[Exception] = []

    def work(t: int) -> None:
        try:
            for i in range(200):
                store.put(f"t{t}-{i % 20}", {"i": i})
                store.get(f"t{(t + 1) % 8}-{i % 20}")
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(store) == 50


def test_bad_parameters():
    for kwargs in (
        {"max_sessions": 0},
        {"max_sessions": 1.5},
        {"ttl_seconds": 0},
        {"ttl_seconds": "1"},
    ):
        with pytest.raises(InvalidParameterError):
            ClarificationSessions(**kwargs)
    store = ClarificationSessions()
    with pytest.raises(InvalidParameterError, match="session_id"):
        store.put("bad id", {})
    with pytest.raises(InvalidParameterError, match="dict"):
        store.put("ok", [1])
