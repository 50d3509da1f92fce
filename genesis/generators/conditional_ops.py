"""Operators of :mod:`genesis.generators.conditional`: their names, their values, their masks.

One place knows what each of the ten operators means, how a value is normalised when a
condition is built, and how a column is compared with it (vectorised; a missing value never
satisfies a comparison; datetime columns, native or stored as strings, compare as datetimes).
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import InvalidConditionError

#: the ten operators, by their names
OPERATORS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "between", "like")
#: operators that order values (meaningless on unordered labels)
ORDERING = frozenset({"gt", "gte", "lt", "lte", "between"})
#: operators whose value is a collection of values
SET_OPERATORS = frozenset({"in", "not_in"})

#: symbolic and alternative spellings, normalised to the names above
ALIASES = {
    "==": "eq",
    "=": "eq",
    "equals": "eq",
    "!=": "ne",
    "<>": "ne",
    "neq": "ne",
    ">": "gt",
    ">=": "gte",
    "ge": "gte",
    "<": "lt",
    "<=": "lte",
    "le": "lte",
    "in_": "in",
    "is_in": "in",
    "isin": "in",
    "not in": "not_in",
    "notin": "not_in",
    "nin": "not_in",
}

#: the symbol users write for each operator (for messages)
SYMBOLS = {"eq": "==", "ne": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def normalize_operator(operator: Any) -> str:
    """The operator's name (``">="`` -> ``"gte"``), or :class:`InvalidConditionError`."""
    if isinstance(operator, str):
        key = " ".join(operator.strip().lower().split())
        key = ALIASES.get(key, key)
        if key in OPERATORS:
            return key
    raise InvalidConditionError(
        f"unknown operator {operator!r}; use one of {list(OPERATORS)} "
        "or a symbol ==, !=, >, >=, <, <="
    )


def is_collection(value: Any) -> bool:
    """A list-like of values (not a string, bytes or mapping)."""
    return isinstance(value, Iterable) and not isinstance(value, str | bytes | dict)


def plain(value: Any) -> Any:
    """numpy scalars as Python scalars (so conditions compare, hash and serialise simply)."""
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value)  # .item() would give an int for nanosecond precision
    if isinstance(value, np.generic):
        return value.item()
    return value


def is_missing(value: Any) -> bool:
    """None, NaN, NaT or pd.NA."""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def normalize_value(column: str, operator: str, value: Any) -> Any:
    """``value`` checked for its operator's shape and normalised (tuples for collections)."""
    if operator in SET_OPERATORS:
        if not is_collection(value):
            raise InvalidConditionError(
                f"column {column!r}: operator {operator!r} needs a list of values, got "
                f"{value!r}; write e.g. ({operator!r}, [{value!r}]) or use 'eq'",
                column,
            )
        items = tuple(plain(v) for v in value)
        if not items:
            raise InvalidConditionError(
                f"column {column!r}: operator {operator!r} got an empty list; give at least "
                "one value",
                column,
            )
        if any(is_missing(v) for v in items):
            raise InvalidConditionError(
                f"column {column!r}: missing values (None/NaN) never satisfy a condition; "
                "remove them from the list",
                column,
            )
        return items
    if operator == "between":
        if not is_collection(value) or len(tuple(value)) != 2:
            raise InvalidConditionError(
                f"column {column!r}: 'between' needs a pair (low, high), got {value!r}; "
                "write e.g. ('between', (18, 65))",
                column,
            )
        low, high = (plain(v) for v in value)
        if is_missing(low) or is_missing(high):
            raise InvalidConditionError(
                f"column {column!r}: 'between' bounds cannot be missing; give two values",
                column,
            )
        return (low, high)
    if is_collection(value):
        hint = "use 'in' for a list of values" if operator in ("eq", "ne") else "give one value"
        raise InvalidConditionError(
            f"column {column!r}: operator {operator!r} needs a single value, got {value!r}; {hint}",
            column,
        )
    if is_missing(value):
        raise InvalidConditionError(
            f"column {column!r}: missing values (None/NaN) never satisfy a condition; "
            "compare with a real value",
            column,
        )
    if operator == "like" and not isinstance(value, str):
        raise InvalidConditionError(
            f"column {column!r}: 'like' needs a text pattern such as 'A%', got {value!r}",
            column,
        )
    return plain(value)


def like_to_regex(pattern: str) -> str:
    """An anchored regular expression for an SQL ``LIKE`` pattern (case-sensitive):
    ``%`` is any run of characters, ``_`` one character, everything else literal."""
    parts = [".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern]
    return "^" + "".join(parts) + "$"


# --- datetimes -------------------------------------------------------------------------------

_DATETIME_TYPES = (pd.Timestamp, _dt.datetime, _dt.date, np.datetime64)


def to_timestamp(value: Any) -> pd.Timestamp:
    """``value`` as a naive UTC timestamp (aware ones converted, naive ones taken as UTC);
    raises ``ValueError``/``TypeError`` when it is not a date or time."""
    if isinstance(value, bool | int | float | np.number):
        raise TypeError(f"{value!r} is a number, not a date or time")
    stamp = pd.Timestamp(value)
    if stamp is pd.NaT:
        raise ValueError("missing timestamp")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp


def to_datetimes(series: pd.Series) -> pd.Series:
    """A column as naive UTC datetimes; values that are not dates become NaT."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return series.dt.tz_convert("UTC").dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series
    parsed = pd.to_datetime(series, errors="coerce", utc=True, format="mixed")
    return parsed.dt.tz_localize(None)


def looks_like_datetimes(series: pd.Series) -> bool:
    """Whether a column holds dates: a datetime dtype, or text whose values parse as dates
    (a sample of up to 50 non-missing values, none of them plain numbers)."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return True
    if not (series.dtype == object or pd.api.types.is_string_dtype(series.dtype)):
        return False
    sample = series.dropna().head(50)
    if sample.empty:
        return False
    if isinstance(sample.iloc[0], _DATETIME_TYPES):
        return True
    text = sample.astype(str)
    if text.str.fullmatch(r"[+-]?\d+(\.\d*)?").any():
        return False
    parsed = pd.to_datetime(text, errors="coerce", utc=True, format="mixed")
    return bool(parsed.notna().all())


# --- masks -----------------------------------------------------------------------------------


def _coerce(values: list[Any], target: str, column: str) -> list[Any]:
    """Values in the comparison space of a column: ``"number"`` or ``"datetime"``."""
    out = []
    for v in values:
        try:
            if target == "datetime":
                out.append(to_timestamp(v))
            elif isinstance(v, str):
                out.append(float(v))
            elif isinstance(v, bool):
                out.append(v)
            else:
                out.append(v)
        except (TypeError, ValueError):
            kind = "a date or time" if target == "datetime" else "a number"
            raise InvalidConditionError(
                f"column {column!r} holds {target}s but the condition's value {v!r} is not "
                f"{kind}; give {kind}",
                column,
            ) from None
    return out


def _space(series: pd.Series, values: list[Any]) -> tuple[pd.Series, str]:
    """The column prepared for comparison and its space: number, datetime or label."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(series.cat.categories.dtype)
    if pd.api.types.is_bool_dtype(series.dtype):
        return series, "label"
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series, "number"
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return to_datetimes(series), "datetime"
    if looks_like_datetimes(series) and all(isinstance(v, (*_DATETIME_TYPES, str)) for v in values):
        return to_datetimes(series), "datetime"
    return series, "label"


def compute_mask(series: pd.Series, operator: str, value: Any, column: str) -> np.ndarray:
    """Boolean array: which values of ``series`` satisfy ``operator value``."""
    present = series.notna().to_numpy()
    if operator == "like":
        text = series.astype("string")
        matched = text.str.fullmatch(like_to_regex(value), flags=re.DOTALL)
        return matched.fillna(False).to_numpy(dtype=bool) & present
    values = list(value) if operator in SET_OPERATORS or operator == "between" else [value]
    data, space = _space(series, values)
    if space in ("number", "datetime"):
        values = _coerce(values, space, column)
    present = present & data.notna().to_numpy()
    try:
        if operator in SET_OPERATORS:
            hit = data.isin(values).to_numpy(dtype=bool)
            result = hit if operator == "in" else ~hit
        elif operator == "between":
            low, high = values
            result = ((data >= low) & (data <= high)).to_numpy(dtype=bool)
        else:
            compare = {
                "eq": data.__eq__,
                "ne": data.__ne__,
                "gt": data.__gt__,
                "gte": data.__ge__,
                "lt": data.__lt__,
                "lte": data.__le__,
            }[operator]
            result = compare(values[0]).to_numpy(dtype=bool)
    except TypeError:
        raise InvalidConditionError(
            f"column {column!r}: cannot compare its values with {value!r} using "
            f"{operator!r}; give a value of the column's type, or use eq/in for labels",
            column,
        ) from None
    return result & present


__all__ = [
    "ALIASES",
    "OPERATORS",
    "ORDERING",
    "SET_OPERATORS",
    "compute_mask",
    "like_to_regex",
    "looks_like_datetimes",
    "normalize_operator",
    "normalize_value",
    "to_datetimes",
    "to_timestamp",
]
