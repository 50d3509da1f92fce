"""Datetime columns in schema inference: native ones, strings in a ``strftime`` format, and
timestamps with UTC offsets.

Genesis models points in time with nanosecond precision, so between 1677-09-21 and
2262-04-11: a native datetime column outside that range is refused with the fix instead of
crashing later; dates written as text outside it are modelled as labels, with a warning.
Timestamps written with UTC offsets are normalised to UTC; the schema records the offset to
write back (:attr:`ColumnSchema.utc_offset`): the source's single offset, or UTC in the
source's notation when the source mixes offsets.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings

import numpy as np
import pandas as pd

from genesis.errors import InvalidDataError
from genesis.schema.types import ColumnKind, ColumnSchema, DatetimeStorage

#: datetime formats tried on string columns, most specific first
DATETIME_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S.%fZ",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S%z",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%Y%m%d",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d-%b-%Y",
)

#: share of non-missing values that must parse as dates in one format
DATETIME_SHARE = 0.95


#: share of non-missing values that must parse as dates in one format
DATETIME_SHARE = 0.95

#: the instants nanosecond precision holds, as Python datetimes
_FIRST, _LAST = dt.datetime(1677, 9, 22), dt.datetime(2262, 4, 11)
_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")


def sample_index(size: int, rng: np.random.Generator, sample_size: int) -> np.ndarray:
    """Sorted positions of at most ``sample_size`` of ``size`` items, seeded by ``rng``."""
    if size <= sample_size:
        return np.arange(size)
    return np.sort(rng.choice(size, size=sample_size, replace=False))


def _out_of_range(name: str, low: object, high: object) -> str:
    return (
        f"column {name!r} holds points in time from {low} to {high}, outside the range Genesis "
        f"models as time ({pd.Timestamp.min.date()} to {pd.Timestamp.max.date()})"
    )


def check_range(name: str, values: pd.Series) -> None:
    """Refuse datetimes that do not fit nanosecond precision (1677-09-22 to 2262-04-11)."""
    low, high = values.min(), values.max()
    if getattr(low, "tzinfo", None) is not None:
        low, high = (
            low.tz_convert("UTC").tz_localize(None),
            high.tz_convert("UTC").tz_localize(None),
        )
    if low < pd.Timestamp.min or high > pd.Timestamp.max:
        raise InvalidDataError(
            _out_of_range(name, low, high) + "; correct or clip them (a year like 9999 often "
            "means 'no end': replace it with None), or model the column as labels with "
            f"df[{name!r}] = df[{name!r}].dt.strftime('%Y-%m-%d %H:%M:%S')"
        )


def fill_native_datetime(column: ColumnSchema, values: pd.Series) -> None:
    """A ``datetime64`` column (or Python datetimes): kind, range and cardinality."""
    check_range(column.name, values)
    column.kind = ColumnKind.DATETIME
    column.datetime_storage = DatetimeStorage.NATIVE
    column.minimum = values.min().isoformat()
    column.maximum = values.max().isoformat()
    column.cardinality = int(values.nunique())


def _parse(values: pd.Series, fmt: str) -> pd.Series:
    """Parse with ``fmt``; offsets (``%z``) are normalised to UTC so mixed offsets parse."""
    return pd.to_datetime(values, format=fmt, errors="coerce", utc="%z" in fmt)


def _beyond_range(name: str, probe: pd.Series, fmt: str) -> bool:
    """Whether the format reads dates pandas cannot hold (year 2300); warn when it does."""
    parsed = []
    for text in probe.iloc[:50]:
        try:
            parsed.append(dt.datetime.strptime(text, fmt))
        except ValueError:
            continue
    if len(parsed) < 0.5 * min(len(probe), 50):
        return False
    naive = [p.replace(tzinfo=None) for p in parsed]
    low, high = min(naive), max(naive)
    if low < _FIRST or high > _LAST:
        warnings.warn(
            _out_of_range(name, low.isoformat(), high.isoformat()) + "; it is modelled as "
            "labels (values are resampled, not interpolated); correct or clip the dates to "
            "model it as time",
            UserWarning,
            stacklevel=4,
        )
        return True
    return False


def utc_offset_to_write(texts: pd.Series) -> str | None:
    """The offset to write back for timestamps written with offsets: the one offset they
    share, or UTC in their notation (``+00:00``, ``+0000``) when they mix offsets."""
    offsets = texts.str.extract(_OFFSET, expand=False).dropna().unique().tolist()
    if not offsets:
        return None
    if len(offsets) == 1:
        return str(offsets[0])
    return "+00:00" if any(":" in o for o in offsets) else "+0000"


def fill_string_datetime(
    column: ColumnSchema, uniques: pd.Series, rng: np.random.Generator, sample_size: int
) -> bool:
    """Detect dates stored as strings; fill the column and return True when found."""
    sample = uniques.iloc[sample_index(len(uniques), rng, sample_size)]
    head = sample.iloc[:200]
    lengths = head.str.len()
    if (
        not head.str.contains(r"\d").mean() >= DATETIME_SHARE
        or lengths.min() < 6
        or lengths.max() > 40
    ):
        return False
    candidates = list(DATETIME_FORMATS)
    try:
        from pandas.tseries.api import guess_datetime_format

        guessed = guess_datetime_format(str(sample.iloc[0]))
    except Exception:  # a guess is only a hint
        guessed = None
    if guessed and guessed not in candidates:
        candidates.append(guessed)

    best: tuple[float, float, str] | None = None
    probe = sample.iloc[:100]
    for fmt in candidates:
        probe_share = _parse(probe, fmt).notna().mean()
        if probe_share < DATETIME_SHARE and _beyond_range(column.name, probe, fmt):
            return False
        if probe_share < 0.5:
            continue
        parsed = _parse(sample, fmt)
        share = float(parsed.notna().mean())
        if share < DATETIME_SHARE:
            continue
        ok = parsed.notna()
        if "%z" in fmt:  # the text keeps its own offset; compare the instants instead
            round_trip = 1.0
        else:
            round_trip = float((parsed[ok].dt.strftime(fmt) == sample[ok]).mean())
        score = (round_trip >= DATETIME_SHARE, share, fmt)
        if best is None or score[:2] > best[:2]:
            best = score
    if best is None:
        return False
    fmt = best[2]
    parsed = _parse(uniques, fmt).dropna()
    column.kind = ColumnKind.DATETIME
    column.datetime_storage = DatetimeStorage.STRING
    column.datetime_format = fmt
    column.minimum = parsed.min().isoformat()
    column.maximum = parsed.max().isoformat()
    column.categories = None
    if "%z" in fmt:
        column.utc_offset = utc_offset_to_write(uniques)
    return True
