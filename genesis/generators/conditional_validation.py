"""Conditions checked against a schema before a model samples with them.

:func:`validate_conditions` (what :meth:`ConditionSet.validate` calls) raises
:class:`~genesis.errors.InvalidConditionError` naming the column and the fix for: an unknown
column (closest names offered), an operator the column's kind does not support, a value of
the wrong type, a category never seen in training (closest seen ones offered), and a range
that leaves nothing (contradictory bounds, or bounds outside the column's training range).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from typing import Any

import pandas as pd

from genesis.errors import ConditionOutOfRangeError, InvalidConditionError
from genesis.generators.conditional_ops import (
    ORDERING,
    SET_OPERATORS,
    compute_mask,
    to_timestamp,
)
from genesis.schema.types import ColumnKind, ColumnSchema, Schema

_NUMERIC = (ColumnKind.CONTINUOUS, ColumnKind.INTEGER)
_LABELS = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)


def validate_conditions(conditions: Iterable[Any], schema: Schema, data: Any = None) -> None:
    """Raise :class:`InvalidConditionError` for the first condition that cannot be used with
    a model of ``schema`` (see the module docstring); ``data`` (the training table) supplies
    the categories the schema did not record."""
    if not isinstance(schema, Schema):
        raise InvalidConditionError(
            f"validate() needs a genesis.schema.Schema, got {type(schema).__name__}; "
            "build one with genesis.schema.infer_schema(df)"
        )
    if data is not None and not isinstance(data, pd.DataFrame):
        raise InvalidConditionError(
            f"validate()'s data must be the training DataFrame or None, got {type(data).__name__}"
        )
    conditions = list(conditions)
    by_column: dict[str, list[Any]] = {}
    for condition in conditions:
        column = _column(schema, condition.column)
        _check_operator(column, condition.operator)
        values = _typed_values(column, condition)
        _check_categories(column, condition, values, data)
        by_column.setdefault(column.name, []).append((condition, values))
    for name, items in by_column.items():
        _check_range(schema[name], items, data)


def _column(schema: Schema, name: str) -> ColumnSchema:
    if name in schema:
        return schema[name]
    close = difflib.get_close_matches(name, schema.names, n=3, cutoff=0.6)
    hint = f"did you mean {close}?" if close else f"the columns are {schema.names[:20]}"
    raise InvalidConditionError(
        f"condition on unknown column {name!r}; {hint} Fix the column name in the condition.",
        name,
    )


def _check_operator(column: ColumnSchema, operator: str) -> None:
    kind = column.kind
    name = column.name
    if kind in (ColumnKind.IDENTIFIER, ColumnKind.TEXT):
        raise InvalidConditionError(
            f"column {name!r} is {kind.value}: Genesis regenerates it rather than learning "
            "it, so a model cannot condition on it; drop this condition and filter the "
            "generated rows instead",
            name,
        )
    if operator in ORDERING and kind in _LABELS and not _numeric_labels(column):
        raise InvalidConditionError(
            f"column {name!r} is {kind.value} (unordered labels), so {operator!r} does not "
            "apply; use 'eq', 'ne', 'in' or 'not_in' with its labels",
            name,
        )
    if operator == "like" and (kind in _NUMERIC or kind is ColumnKind.BOOLEAN):
        raise InvalidConditionError(
            f"column {name!r} is {kind.value}, so the text operator 'like' does not apply; "
            "use 'between', 'gte'/'lte' or 'in' for numbers",
            name,
        )


def _numeric_labels(column: ColumnSchema) -> bool:
    """Categorical numbers (a few distinct values such as 1, 2, 3) still have an order."""
    return column.kind is ColumnKind.CATEGORICAL and _is_numeric_dtype(column.dtype)


def _is_numeric_dtype(dtype: str) -> bool:
    try:
        return pd.api.types.is_numeric_dtype(pd.Series([], dtype=dtype).dtype) and (
            "bool" not in dtype
        )
    except TypeError:
        return False


def _raw_values(condition: Any) -> list[Any]:
    value = condition.value
    if condition.operator in SET_OPERATORS or condition.operator == "between":
        return list(value)
    return [value]


def _typed_values(column: ColumnSchema, condition: Any) -> list[Any]:
    """The condition's values converted to the column's type (numbers, timestamps)."""
    values = _raw_values(condition)
    if condition.operator == "like":
        return values
    numeric = column.kind in _NUMERIC or _numeric_labels(column)
    out = []
    for value in values:
        if numeric:
            out.append(_as_number(column.name, value))
        elif column.kind is ColumnKind.DATETIME:
            try:
                out.append(to_timestamp(value))
            except (TypeError, ValueError):
                raise InvalidConditionError(
                    f"column {column.name!r} holds dates but the condition's value {value!r} "
                    "is not a date or time; write it as e.g. '2013-06-01' or "
                    "'2013-06-01T12:00:00Z'",
                    column.name,
                ) from None
        else:
            out.append(value)
    if condition.operator == "between" and out[0] > out[1]:
        raise InvalidConditionError(
            f"column {column.name!r}: 'between' got low {values[0]!r} > high {values[1]!r}, "
            f"which leaves nothing; swap them: ('between', ({values[1]!r}, {values[0]!r}))",
            column.name,
        )
    return out


def _as_number(name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise InvalidConditionError(
            f"column {name!r} holds numbers but the condition's value is the boolean "
            f"{value!r}; give a number",
            name,
        )
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    raise InvalidConditionError(
        f"column {name!r} holds numbers but the condition's value {value!r} is not a number; "
        "give a number such as 30 or '30'",
        name,
    )


def _seen_labels(column: ColumnSchema, data: Any) -> list[Any] | None:
    if column.categories:
        return list(column.categories)
    if data is not None and column.name in data.columns:
        return list(pd.unique(data[column.name].dropna()))
    return None


def _check_categories(column: ColumnSchema, condition: Any, values: list[Any], data: Any) -> None:
    if column.kind not in _LABELS or condition.operator not in ("eq", "in"):
        return
    seen = _seen_labels(column, data)
    if seen is None:
        return
    seen_set = set(seen)
    if column.kind is ColumnKind.BOOLEAN or _numeric_labels(column):
        # 1 == 1.0 == True: compare by value, not by spelling
        unseen = [
            v
            for v, typed in zip(_raw_values(condition), values, strict=True)
            if typed not in seen_set
        ]
    else:
        unseen = [v for v in values if v not in seen_set]
    if not unseen:
        return
    text = [str(s) for s in seen]
    close = difflib.get_close_matches(str(unseen[0]), text, n=3, cutoff=0.5)
    hint = f"closest seen: {close}" if close else f"seen values include {text[:10]}"
    raise InvalidConditionError(
        f"column {column.name!r}: {unseen[0]!r} never occurs in the training data, so no model "
        f"can generate it; {hint}. Use one of the seen values.",
        column.name,
    )


def _check_range(column: ColumnSchema, items: list[tuple[Any, list[Any]]], data: Any) -> None:
    """Conditions on one column must leave some value (within the training range)."""
    name = column.name
    if column.kind in _LABELS:
        seen = _seen_labels(column, data)
        if seen is None:
            return
        frame = pd.DataFrame({name: pd.Series(seen, dtype=object)})
        if _numeric_labels(column):
            frame[name] = pd.to_numeric(frame[name])
        keep = pd.Series(True, index=frame.index)
        for condition, _ in items:
            keep &= compute_mask(frame[name], condition.operator, condition.value, name)
        if not keep.any():
            described = " and ".join(str(c) for c, _ in items)
            raise InvalidConditionError(
                f"column {name!r}: {described} leaves none of its labels; remove or loosen "
                "one of these conditions",
                name,
            )
        return
    if column.kind not in _NUMERIC and column.kind is not ColumnKind.DATETIME:
        return
    low, low_strict, high, high_strict = _bounds(items)
    described = " and ".join(str(c) for c, _ in items)
    if (
        low is not None
        and high is not None
        and (low > high or (low == high and (low_strict or high_strict)))
    ):
        raise InvalidConditionError(
            f"column {name!r}: {described} is an empty range; loosen or remove one bound",
            name,
        )
    if column.kind is ColumnKind.INTEGER and _no_whole_number(low, low_strict, high, high_strict):
        raise InvalidConditionError(
            f"column {name!r} holds whole numbers, and {described} contains none; widen the "
            "range to include a whole number",
            name,
        )
    lo_seen, hi_seen = _training_range(column)
    if lo_seen is None or hi_seen is None:
        return
    in_values = [v for c, vals in items if c.operator in ("eq", "in") for v in vals]
    above = low is not None and (low > hi_seen or (low_strict and low == hi_seen))
    below = high is not None and (high < lo_seen or (high_strict and high == lo_seen))
    if not (above or below) and in_values and all(v < lo_seen or v > hi_seen for v in in_values):
        above = any(v > hi_seen for v in in_values)
        below = not above
    if above or below:
        nearest = column.maximum if above else column.minimum
        alternative = f"{name} == {_show(nearest)} (the {'largest' if above else 'smallest'} value seen in training)"
        raise ConditionOutOfRangeError(
            f"column {name!r}: {described} lies outside the training range "
            f"[{_show(column.minimum)}, {_show(column.maximum)}], so no model can generate it; "
            f"give bounds inside that range, e.g. {alternative}",
            name,
            probability=0.0,
            alternative=alternative,
        )


def _show(value: Any) -> Any:
    """A bound as written for people: 90 rather than 90.0."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _no_whole_number(low: Any, low_strict: bool, high: Any, high_strict: bool) -> bool:
    """Whether no integer lies between the bounds (both must be given)."""
    if low is None or high is None:
        return False
    first = math.floor(low) + 1 if low_strict else math.ceil(low)
    last = math.ceil(high) - 1 if high_strict else math.floor(high)
    return first > last


def _bounds(items: list[tuple[Any, list[Any]]]) -> tuple[Any, bool, Any, bool]:
    """The tightest lower and upper bounds (and whether each is strict) of the conditions."""
    low, low_strict, high, high_strict = None, False, None, False

    def raise_low(value: Any, strict: bool) -> None:
        nonlocal low, low_strict
        if low is None or value > low or (value == low and strict):
            low, low_strict = value, strict

    def lower_high(value: Any, strict: bool) -> None:
        nonlocal high, high_strict
        if high is None or value < high or (value == high and strict):
            high, high_strict = value, strict

    for condition, values in items:
        op = condition.operator
        if op in ("gt", "gte"):
            raise_low(values[0], op == "gt")
        elif op in ("lt", "lte"):
            lower_high(values[0], op == "lt")
        elif op == "between":
            raise_low(values[0], False)
            lower_high(values[1], False)
        elif op == "eq":
            raise_low(values[0], False)
            lower_high(values[0], False)
        elif op == "in":
            raise_low(min(values), False)
            lower_high(max(values), False)
    return low, low_strict, high, high_strict


def _training_range(column: ColumnSchema) -> tuple[Any, Any]:
    if column.minimum is None or column.maximum is None:
        return None, None
    if column.kind is ColumnKind.DATETIME:
        try:
            return to_timestamp(column.minimum), to_timestamp(column.maximum)
        except (TypeError, ValueError):
            return None, None
    return float(column.minimum), float(column.maximum)


__all__ = ["validate_conditions"]
