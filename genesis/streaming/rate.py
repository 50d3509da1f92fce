"""A token bucket that paces a stream to a number of rows per second."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from genesis.errors import InvalidParameterError

_EPSILON = 1e-9


class TokenBucket:
    """Pace work to ``rate`` units per second, allowing bursts of up to ``burst`` units.

    The bucket starts full. :meth:`acquire` takes ``n`` units, waiting first until the bucket
    holds them; a request larger than ``burst`` waits until the bucket is full and then
    borrows the rest, so the next request waits for the debt to be repaid. Over any long
    run the average is therefore exactly ``rate``, whatever the batch sizes.

    Args:
        rate: units per second (> 0), or None for no pacing (``acquire`` never waits).
        burst: the bucket's size (> 0); default one second's worth, at least one unit.
        clock: seconds, monotonic (for tests); default ``time.monotonic``.
        sleep: waits ``seconds`` and returns True to go on, False to give up (e.g.
            ``threading.Event().wait``, which returns True when the event is set: pass
            ``lambda s: not event.wait(s)``); default ``time.sleep``.
    """

    def __init__(
        self,
        rate: float | None,
        burst: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], bool | None] | None = None,
    ) -> None:
        if rate is not None and (
            isinstance(rate, bool)
            or not isinstance(rate, int | float)
            or not math.isfinite(rate)
            or rate <= 0
        ):
            raise InvalidParameterError(
                f"rate must be a number of units per second > 0, or None for no pacing; "
                f"got {rate!r}"
            )
        if burst is None:
            burst = max(1.0, float(rate)) if rate is not None else 1.0
        if isinstance(burst, bool) or not isinstance(burst, int | float) or not burst > 0:
            raise InvalidParameterError(f"burst must be a number > 0, got {burst!r}")
        self.rate = None if rate is None else float(rate)
        self.burst = float(burst)
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.burst
        self._updated = clock()

    @property
    def tokens(self) -> float:
        """Units available now (negative while a large request's debt is repaid)."""
        self._refill()
        return self._tokens

    def _refill(self) -> None:
        now = self._clock()
        if self.rate is not None:
            self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    def wait_time(self, n: float) -> float:
        """Seconds until ``n`` units could be taken (0.0 when they can be now)."""
        if self.rate is None:
            return 0.0
        self._refill()
        needed = min(float(n), self.burst)
        return max(0.0, (needed - self._tokens) / self.rate)

    def acquire(self, n: float = 1) -> bool:
        """Take ``n`` units, waiting as long as the rate requires.

        Returns:
            True once taken; False when the ``sleep`` function asked to give up (nothing is
            taken then).
        """
        if n < 0:
            raise InvalidParameterError(f"cannot acquire a negative amount ({n})")
        if self.rate is None:
            return True
        while True:
            delay = self.wait_time(n)
            if delay <= _EPSILON:  # float rounding must not leave a wait of 1e-17 s forever
                break
            if self._sleep is None:
                time.sleep(delay)
            elif self._sleep(delay) is False:
                return False
        self._tokens -= float(n)
        return True


__all__ = ["TokenBucket"]
