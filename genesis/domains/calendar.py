"""Timestamps with calendar seasonality (month, weekday, hour), drawn inside per-row windows.

Every domain event (a card payment, an order) happens inside a window of its parent (an
account's lifetime, a customer's time since signup); :func:`seasonal_timestamps` draws one
instant per row inside its own window, vectorised, with the day picked in proportion to
``month_weights[month] * weekday_weights[weekday]`` and the hour by ``hour_weights``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import InvalidParameterError

SECONDS_PER_DAY = 86_400
#: Rejection rounds before a row falls back to a uniform day: a window with any day of
#: positive weight is accepted with probability >= 1/7 * min/max weight per round, so
#: 200 rounds leave about 1e-13 of such rows; only all-zero windows reach the fallback.
MAX_ROUNDS = 200
_EPOCH = np.datetime64("1970-01-01", "s")


def day_numbers(values: pd.Series | np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 (int64) of datetimes (time of day dropped)."""
    array = np.asarray(pd.to_datetime(values), dtype="datetime64[s]")
    return array.astype("datetime64[D]").astype(np.int64)


def period_days(start: Any, end: Any) -> tuple[int, int]:
    """``(start, end)`` dates as day numbers (see :func:`day_numbers`), ``end`` after ``start``.

    Raises:
        InvalidParameterError: a value is not a date, or ``end`` is not after ``start``.
    """
    try:
        low, high = pd.Timestamp(start), pd.Timestamp(end)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(
            f"start and end must be dates such as '2024-10-01', got {start!r}, {end!r}"
        ) from exc
    if high <= low:
        raise InvalidParameterError(f"end ({high.date()}) must be after start ({low.date()})")
    return int(day_numbers([low])[0]), int(day_numbers([high])[0])


def to_datetime(seconds: np.ndarray) -> pd.Series:
    """Seconds since the epoch -> a pandas ``datetime64[ns]`` Series."""
    return pd.Series((_EPOCH + seconds.astype("timedelta64[s]")).astype("datetime64[ns]"))


def _normalised(weights: np.ndarray, size: int, name: str) -> np.ndarray:
    weights = np.asarray(weights, dtype=float)
    if weights.shape != (size,) or not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise InvalidParameterError(
            f"{name} must be {size} finite non-negative numbers, got {weights!r}"
        )
    if weights.sum() <= 0:
        raise InvalidParameterError(f"{name} must not be all zero")
    return weights / weights.max()


def day_weights(
    days: np.ndarray, month_weights: np.ndarray, weekday_weights: np.ndarray
) -> np.ndarray:
    """Relative weight of each day number (months Jan..Dec, weekdays Mon..Sun)."""
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
    weekdays = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    return month_weights[months] * weekday_weights[weekdays]


def seasonal_days(
    low: np.ndarray,
    high: np.ndarray,
    rng: np.random.Generator,
    month_weights: np.ndarray,
    weekday_weights: np.ndarray,
) -> np.ndarray:
    """One day number per row in ``[low, high)`` (both day numbers, ``high > low``), each
    day's chance proportional to its month and weekday weights (rejection sampling over the
    whole vector). A window whose days all weigh zero (a weekend-only window with business
    days weighted) cannot accept: after :data:`MAX_ROUNDS` rounds its day is uniform."""
    low = np.asarray(low, dtype=np.int64)
    high = np.asarray(high, dtype=np.int64)
    if np.any(high <= low):
        raise InvalidParameterError("every window must end after it starts (high > low)")
    months = _normalised(month_weights, 12, "month_weights")
    weekdays = _normalised(weekday_weights, 7, "weekday_weights")
    out = np.empty(len(low), dtype=np.int64)
    todo = np.arange(len(low))
    for _ in range(MAX_ROUNDS):
        if not todo.size:
            break
        days = low[todo] + (rng.random(todo.size) * (high[todo] - low[todo])).astype(np.int64)
        accepted = rng.random(todo.size) < day_weights(days, months, weekdays)
        out[todo[accepted]] = days[accepted]
        todo = todo[~accepted]
    out[todo] = low[todo] + (rng.random(todo.size) * (high[todo] - low[todo])).astype(np.int64)
    return out


def seasonal_timestamps(
    low: np.ndarray,
    high: np.ndarray,
    rng: np.random.Generator,
    month_weights: np.ndarray,
    weekday_weights: np.ndarray,
    hour_weights: np.ndarray,
) -> np.ndarray:
    """One instant per row (seconds since the epoch) on a day in ``[low, high)`` (day
    numbers), the day seasonal as in :func:`seasonal_days`, the hour by ``hour_weights``
    (24 numbers) and the second within the hour uniform."""
    days = seasonal_days(low, high, rng, month_weights, weekday_weights)
    hours = np.asarray(hour_weights, dtype=float)
    _normalised(hours, 24, "hour_weights")
    hour = rng.choice(24, size=len(days), p=hours / hours.sum())
    second = rng.integers(0, 3600, size=len(days))
    return days * SECONDS_PER_DAY + hour * 3600 + second


__all__ = [
    "SECONDS_PER_DAY",
    "day_numbers",
    "day_weights",
    "seasonal_days",
    "seasonal_timestamps",
    "to_datetime",
]
