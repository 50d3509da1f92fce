"""Seasonal timestamps stay inside their windows and follow the weights."""

from __future__ import annotations

import numpy as np
import pytest

from genesis.domains import calendar
from genesis.errors import InvalidParameterError

FLAT_MONTHS, FLAT_DAYS, FLAT_HOURS = np.ones(12), np.ones(7), np.ones(24)


def test_timestamps_stay_in_their_windows():
    rng = np.random.default_rng(0)
    low = rng.integers(18_000, 20_000, 50_000)
    high = low + rng.integers(1, 40, 50_000)
    seconds = calendar.seasonal_timestamps(low, high, rng, FLAT_MONTHS, FLAT_DAYS, FLAT_HOURS)
    assert (seconds >= low * 86_400).all() and (seconds < high * 86_400).all()


def test_weights_shape_days_and_hours():
    rng = np.random.default_rng(1)
    n = 60_000
    low, high = np.full(n, 19_723), np.full(n, 19_723 + 366)  # the year 2024
    weekdays = np.array([1, 1, 1, 1, 1, 0, 0])
    hours = np.zeros(24)
    hours[9] = 1
    seconds = calendar.seasonal_timestamps(low, high, rng, FLAT_MONTHS, weekdays, hours)
    days = seconds // 86_400
    assert ((days + 3) % 7 < 5).all()  # never Saturday or Sunday
    assert ((seconds % 86_400) // 3600 == 9).all()
    december = np.array([1.0] * 11 + [3.0])
    dec = calendar.seasonal_days(low, high, rng, december, FLAT_DAYS)
    month = dec.astype("datetime64[D]").astype("datetime64[M]").astype(int) % 12
    assert (month == 11).mean() == pytest.approx(3 * 31 / (335 + 3 * 31), abs=0.01)


@pytest.mark.parametrize(
    "low, high, months, message",
    [
        ([5], [5], FLAT_MONTHS, "high > low"),
        ([5], [6], np.ones(11), "12 finite"),
        ([5], [6], np.zeros(12), "all zero"),
        ([5], [6], -np.ones(12), "non-negative"),
    ],
)
def test_bad_windows_and_weights_are_refused(low, high, months, message):
    with pytest.raises(InvalidParameterError, match=message):
        calendar.seasonal_days(
            np.array(low), np.array(high), np.random.default_rng(0), months, FLAT_DAYS
        )
