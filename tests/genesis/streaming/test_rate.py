"""The token bucket that paces streams (genesis.streaming.rate)."""

from __future__ import annotations

import threading
import time

import pytest

from genesis.errors import InvalidParameterError
from genesis.streaming.rate import TokenBucket


class FakeClock:
    """A clock that only moves when the bucket sleeps, so pacing is exact and instant."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> bool:
        self.sleeps.append(seconds)
        self.now += seconds
        return True


def test_bucket_starts_full_then_paces_to_the_rate():
    clock = FakeClock()
    bucket = TokenBucket(100.0, burst=10, clock=clock, sleep=clock.sleep)
    assert bucket.acquire(10)  # the initial burst is free
    assert clock.sleeps == []
    for _ in range(50):
        assert bucket.acquire(10)
    # 500 more units at 100/s take exactly 5 s
    assert clock.now - 100.0 == pytest.approx(5.0)


def test_batches_larger_than_the_burst_keep_the_average_rate():
    clock = FakeClock()
    bucket = TokenBucket(2000.0, burst=100, clock=clock, sleep=clock.sleep)
    for _ in range(100):  # 100 batches of 250 rows, each bigger than the bucket
        assert bucket.acquire(250)
    # 25,000 rows, the first 100 free: (25,000 - 100) / 2,000 s, then the debt of the last batch
    assert clock.now - 100.0 == pytest.approx((25_000 - 100 - 150) / 2000.0)
    assert bucket.tokens == pytest.approx(-150.0)


def test_unused_time_refills_only_up_to_the_burst():
    clock = FakeClock()
    bucket = TokenBucket(10.0, burst=5, clock=clock, sleep=clock.sleep)
    bucket.acquire(5)
    clock.now += 60.0  # idle for a minute
    assert bucket.tokens == pytest.approx(5.0)
    bucket.acquire(5)
    bucket.acquire(5)
    assert clock.sleeps == [pytest.approx(0.5)]


def test_no_rate_never_waits():
    clock = FakeClock()
    bucket = TokenBucket(None, clock=clock, sleep=clock.sleep)
    for _ in range(1000):
        assert bucket.acquire(1_000_000)
    assert clock.sleeps == []
    assert bucket.wait_time(10**9) == 0.0


def test_sleep_returning_false_gives_up_without_taking():
    clock = FakeClock()
    bucket = TokenBucket(1.0, burst=1, clock=clock, sleep=lambda s: False)
    assert bucket.acquire(1)
    assert bucket.acquire(1) is False
    assert bucket.tokens == pytest.approx(0.0)


@pytest.mark.serial  # a clock or a deadline: alone after the parallel phase
def test_a_set_event_interrupts_the_wait_in_real_time():
    stop = threading.Event()
    bucket = TokenBucket(1.0, burst=1, sleep=lambda s: not stop.wait(s))
    bucket.acquire(1)
    threading.Timer(0.2, stop.set).start()
    started = time.monotonic()
    assert bucket.acquire(1) is False  # would wait 1 s
    assert time.monotonic() - started < 0.8


@pytest.mark.serial  # a clock or a deadline: alone after the parallel phase
def test_real_time_pacing_is_close_to_the_rate():
    bucket = TokenBucket(1000.0, burst=50)
    started = time.monotonic()
    for _ in range(11):
        bucket.acquire(50)
    elapsed = time.monotonic() - started
    assert elapsed == pytest.approx(0.5, rel=0.1)


@pytest.mark.parametrize("rate", [0, -5, float("nan"), float("inf"), "fast", True])
def test_bad_rate_is_refused(rate):
    with pytest.raises(InvalidParameterError, match="rate"):
        TokenBucket(rate)


@pytest.mark.parametrize("burst", [0, -1, "x", True])
def test_bad_burst_is_refused(burst):
    with pytest.raises(InvalidParameterError, match="burst"):
        TokenBucket(10.0, burst=burst)


def test_negative_acquire_is_refused():
    with pytest.raises(InvalidParameterError, match="negative"):
        TokenBucket(10.0).acquire(-1)
