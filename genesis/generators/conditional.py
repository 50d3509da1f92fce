"""Conditions on generated rows: ``Condition``, ``ConditionSet``, ``ConditionBuilder``.

A :class:`Condition` is one ``column operator value`` test with one of ten operators
(``eq ne gt gte lt lte in not_in between like``; symbols such as ``">="`` are accepted and
normalised). A :class:`ConditionSet` ANDs conditions; it reads the short dict format
(``{"age": (">=", 21), "country": ("in", ["US", "UK"])}``) and checks itself against a
:class:`~genesis.schema.Schema` before a model samples with it. :class:`ConditionalSampler`
(rows of a real table) and :class:`GuidedConditionalSampler` (any black-box generator) live
in :mod:`genesis.generators.conditional_sampling` and are re-exported here.

    conditions = (
        ConditionBuilder()
        .where("age").gte(21).lte(65)
        .where("status").eq("active")
        .build()
    )
    adults = conditions.apply(df)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import InvalidConditionError
from genesis.generators.conditional_ops import (
    OPERATORS,
    compute_mask,
    is_collection,
    normalize_operator,
    normalize_value,
)
from genesis.jsonsafe import json_safe
from genesis.validation import require_frame


class Condition:
    """One test ``column operator value`` on a table's rows.

    Args:
        column: the column's name.
        operator: one of ``eq ne gt gte lt lte in not_in between like`` (or a symbol:
            ``== != > >= < <=``). ``between`` is inclusive and takes ``(low, high)``;
            ``in``/``not_in`` take a list; ``like`` takes an SQL pattern (``%`` any run of
            characters, ``_`` one character, case-sensitive).
        value: the value compared with.

    A missing value never satisfies a condition (not even ``ne``/``not_in``).
    """

    __slots__ = ("column", "operator", "value")

    def __init__(self, column: str, operator: str, value: Any) -> None:
        if not isinstance(column, str) or not column:
            raise InvalidConditionError(
                f"a condition's column must be a non-empty string, got {column!r}"
            )
        self.column = column
        self.operator = normalize_operator(operator)
        self.value = normalize_value(column, self.operator, value)

    def mask(self, df: pd.DataFrame) -> np.ndarray:
        """Boolean array, one entry per row of ``df``: which rows satisfy the condition."""
        df = require_frame(df, "df")
        if self.column not in df.columns:
            raise _missing_column(self.column, df.columns)
        return compute_mask(df[self.column], self.operator, self.value, self.column)

    def apply(self, df: pd.DataFrame) -> pd.DataFrame:
        """The rows of ``df`` that satisfy the condition (index kept)."""
        return df[self.mask(df)]

    def to_dict(self) -> dict[str, Any]:
        """``{"column", "operator", "value"}``, JSON-safe (collections as lists, dates as
        ISO strings)."""
        return {"column": self.column, "operator": self.operator, "value": _json_value(self.value)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Condition:
        """Rebuild a condition from :meth:`to_dict` output."""
        if not isinstance(d, Mapping) or not {"column", "operator", "value"} <= set(d):
            raise InvalidConditionError(
                f"a condition dict needs the keys 'column', 'operator' and 'value', got {d!r}"
            )
        return cls(d["column"], d["operator"], d["value"])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Condition):
            return NotImplemented
        return (self.column, self.operator, self.value) == (
            other.column,
            other.operator,
            other.value,
        )

    def __hash__(self) -> int:
        return hash((self.column, self.operator, self.value))

    def __repr__(self) -> str:
        return f"Condition({self.column!r}, {self.operator!r}, {self.value!r})"

    def __str__(self) -> str:
        from genesis.generators.conditional_ops import SYMBOLS

        op = SYMBOLS.get(self.operator, self.operator.replace("_", " "))
        return f"{self.column} {op} {self.value!r}"


class ConditionSet:
    """Conditions that must all hold (AND). Several conditions on one column are ANDed too
    (``age >= 21`` and ``age <= 65``).

    Args:
        conditions: the conditions (a list of :class:`Condition`), or None for none.
    """

    def __init__(self, conditions: list[Condition] | None = None) -> None:
        self.conditions: list[Condition] = []
        for condition in conditions or []:
            self.add(condition)

    def add(self, condition: Condition) -> ConditionSet:
        """Add a condition; returns the set, so calls chain."""
        if not isinstance(condition, Condition):
            raise InvalidConditionError(
                f"ConditionSet.add takes a Condition, got {type(condition).__name__}; "
                "build one with Condition(column, operator, value)"
            )
        self.conditions.append(condition)
        return self

    @property
    def columns(self) -> list[str]:
        """The columns conditioned on, in first-mention order."""
        return list(dict.fromkeys(c.column for c in self.conditions))

    def mask(self, df: pd.DataFrame) -> np.ndarray:
        """Boolean array: which rows of ``df`` satisfy every condition."""
        df = require_frame(df, "df")
        result = np.ones(len(df), dtype=bool)
        for condition in self.conditions:
            result &= condition.mask(df)
        return result

    def apply(self, df: pd.DataFrame) -> pd.DataFrame:
        """The rows of ``df`` that satisfy every condition (index kept)."""
        return df[self.mask(df)]

    def validate(self, schema: Any, data: pd.DataFrame | None = None) -> None:
        """Check every condition against a :class:`~genesis.schema.Schema` (and, for the
        categories the schema did not record, the training ``data``).

        Raises :class:`~genesis.errors.InvalidConditionError`, naming the column and the fix,
        for an unknown column, an operator the column's kind does not support, a value of
        the wrong type, a category never seen in training, or a range that leaves nothing.
        """
        from genesis.generators.conditional_validation import validate_conditions

        validate_conditions(self.conditions, schema, data)

    def to_dict(self) -> dict[str, Any]:
        """``{"conditions": [Condition.to_dict(), ...]}``, which :meth:`from_dict` reads."""
        return {"conditions": [c.to_dict() for c in self.conditions]}

    @classmethod
    def from_dict(cls, d: Any) -> ConditionSet:
        """Build a set from any of these forms (mixable in one dict)::

        {"age": 30}                                   # equality
        {"age": (">=", 21), "income": (">", 50000)}   # operator and value
        {"age": ("between", (18, 65))}                # inclusive range
        {"country": ("in", ["US", "UK", "CA"])}       # list of values
        {"country": ["US", "UK"]}                     # a list alone means "in"
        {"age": [(">=", 21), ("<=", 65)]}             # several conditions on a column
        {"conditions": [Condition.to_dict(), ...]}    # what to_dict() writes
        [Condition.to_dict(), ...]                    # or that list alone
        ["age>=21", "country in US,UK"]               # text, as ConditionSet.parse reads
        """
        if isinstance(d, ConditionSet):
            return cls(list(d))
        if isinstance(d, list | tuple):
            return cls([_condition_from_item(item) for item in d])
        if not isinstance(d, Mapping):
            raise InvalidConditionError(
                f"conditions must be a dict such as {{'age': ('>=', 21)}} or a list of "
                f"condition dicts, got {type(d).__name__}"
            )
        listed = d.get("conditions") if set(d) == {"conditions"} else None
        if isinstance(listed, list | tuple) and all(
            isinstance(item, Mapping) and "column" in item for item in listed
        ):
            return cls([Condition.from_dict(item) for item in listed])
        out = cls()
        for column, spec in d.items():
            for condition in _conditions_for(column, spec):
                out.add(condition)
        return out

    @classmethod
    def parse(cls, texts: str | list[str], schema: Any = None) -> ConditionSet:
        """Read conditions written as text (``"age>=50"``, ``"state in CA,NY"``,
        ``"age between 30 and 40"``, ``"name like A%"``) and AND them; ``schema`` types the
        values. Grammar: :mod:`genesis.generators.conditional_parse`."""
        from genesis.generators.conditional_parse import parse_conditions

        return parse_conditions(texts, schema)

    def __iter__(self) -> Iterator[Condition]:
        return iter(self.conditions)

    def __len__(self) -> int:
        return len(self.conditions)

    def __bool__(self) -> bool:
        return bool(self.conditions)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ConditionSet):
            return NotImplemented
        return self.conditions == other.conditions

    def __hash__(self) -> int:
        return hash(tuple(self.conditions))

    def __repr__(self) -> str:
        return f"ConditionSet({self.conditions!r})"

    def __str__(self) -> str:
        return " and ".join(str(c) for c in self.conditions) or "(no conditions)"


class ConditionBuilder:
    """Fluent construction of a :class:`ConditionSet`::

        ConditionBuilder().where("age").gte(21).lte(65).where("status").eq("active").build()

    Each operator method adds a condition on the column named by the last :meth:`where`.
    """

    def __init__(self) -> None:
        self._column: str | None = None
        self._conditions: list[Condition] = []

    def where(self, column: str) -> ConditionBuilder:
        """Start conditions on ``column``."""
        if not isinstance(column, str) or not column:
            raise InvalidConditionError(f"where() takes a column name, got {column!r}")
        self._column = column
        return self

    def _add(self, operator: str, value: Any) -> ConditionBuilder:
        if self._column is None:
            raise InvalidConditionError(
                f"call where(column) before {operator}(...), e.g. "
                f"ConditionBuilder().where('age').{operator}(...)"
            )
        self._conditions.append(Condition(self._column, operator, value))
        return self

    def eq(self, value: Any) -> ConditionBuilder:
        """Equals ``value``."""
        return self._add("eq", value)

    def ne(self, value: Any) -> ConditionBuilder:
        """Differs from ``value`` (missing values excluded)."""
        return self._add("ne", value)

    def gt(self, value: Any) -> ConditionBuilder:
        """Greater than ``value``."""
        return self._add("gt", value)

    def gte(self, value: Any) -> ConditionBuilder:
        """Greater than or equal to ``value``."""
        return self._add("gte", value)

    def lt(self, value: Any) -> ConditionBuilder:
        """Less than ``value``."""
        return self._add("lt", value)

    def lte(self, value: Any) -> ConditionBuilder:
        """Less than or equal to ``value``."""
        return self._add("lte", value)

    def in_(self, values: Any) -> ConditionBuilder:
        """One of ``values``."""
        return self._add("in", values)

    is_in = in_

    def not_in(self, values: Any) -> ConditionBuilder:
        """None of ``values`` (missing values excluded)."""
        return self._add("not_in", values)

    def between(self, min: Any, max: Any) -> ConditionBuilder:
        """Between ``min`` and ``max``, both included."""
        return self._add("between", (min, max))

    def like(self, pattern: str) -> ConditionBuilder:
        """Matches the SQL pattern (``%`` any run of characters, ``_`` one character)."""
        return self._add("like", pattern)

    def build(self) -> ConditionSet:
        """The conditions added so far, as a :class:`ConditionSet`."""
        return ConditionSet(list(self._conditions))


def as_condition_set(obj: Any) -> ConditionSet | None:
    """Any accepted form of conditions as a :class:`ConditionSet`, or None when there are
    none: None, an empty dict/list/set, a :class:`Condition`, a :class:`ConditionSet`, a
    list of conditions (or of condition dicts), or a dict in any :meth:`ConditionSet.from_dict`
    form."""
    if obj is None:
        return None
    if isinstance(obj, Condition):
        return ConditionSet([obj])
    if isinstance(obj, ConditionSet):
        return obj if obj else None
    if isinstance(obj, Mapping | list | tuple):
        if not obj:
            return None
        if isinstance(obj, list | tuple) and all(isinstance(c, Condition) for c in obj):
            result = ConditionSet(list(obj))
        else:
            result = ConditionSet.from_dict(obj)
        return result if result else None
    raise InvalidConditionError(
        f"conditions must be a Condition, a ConditionSet, a list of conditions or a dict such "
        f"as {{'age': ('>=', 21)}}, got {type(obj).__name__}"
    )


# --- helpers ---------------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, pd.Timestamp | np.datetime64) or hasattr(value, "isoformat"):
        return pd.Timestamp(value).isoformat() if not isinstance(value, str) else value
    return json_safe(value)


def _is_operator(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        normalize_operator(value)
    except InvalidConditionError:
        return False
    return True


def _is_pair(spec: Any) -> bool:
    """An ``(operator, value)`` pair such as ``(">=", 21)``."""
    return isinstance(spec, list | tuple) and len(spec) == 2 and _is_operator(spec[0])


def _conditions_for(column: str, spec: Any) -> list[Condition]:
    """The conditions one ``column: spec`` entry of the dict format stands for."""
    if isinstance(spec, Condition):
        return [spec]
    if isinstance(spec, Mapping):
        if {"operator", "value"} <= set(spec):
            return [Condition(column, spec["operator"], spec["value"])]
        raise InvalidConditionError(
            f"column {column!r}: a dict condition needs 'operator' and 'value', got {spec!r}; "
            "write e.g. {'operator': '>=', 'value': 21} or ('>=', 21)",
            column,
        )
    if _is_pair(spec):
        return [Condition(column, spec[0], spec[1])]
    if isinstance(spec, list | tuple) and spec and all(_is_pair(item) for item in spec):
        return [Condition(column, op, value) for op, value in spec]
    if isinstance(spec, tuple):
        raise InvalidConditionError(
            f"column {column!r}: {spec!r} is not (operator, value); write e.g. "
            f"('between', {spec!r}) for a range or ('in', {list(spec)!r}) for a list; "
            f"operators are {list(OPERATORS)}",
            column,
        )
    if is_collection(spec):
        return [Condition(column, "in", list(spec))]
    return [Condition(column, "eq", spec)]


def _condition_from_item(item: Any) -> Condition:
    if isinstance(item, Condition):
        return item
    if isinstance(item, Mapping):
        return Condition.from_dict(item)
    if isinstance(item, str):
        from genesis.generators.conditional_parse import parse_condition

        return parse_condition(item)
    raise InvalidConditionError(
        f"a list of conditions must hold Condition objects or condition dicts "
        f"({{'column', 'operator', 'value'}}), got {item!r}"
    )


def _missing_column(column: str, columns: Any) -> InvalidConditionError:
    import difflib

    names = [str(c) for c in columns]
    close = difflib.get_close_matches(column, names, n=3, cutoff=0.6)
    hint = f"did you mean {close}?" if close else f"columns are {names[:20]}"
    return InvalidConditionError(
        f"condition on unknown column {column!r}; {hint} Fix the column name.", column
    )


# re-exported so ``from genesis.generators.conditional import ConditionalSampler`` works
from genesis.generators.conditional_parse import parse_condition  # noqa: E402
from genesis.generators.conditional_sampling import (  # noqa: E402
    ConditionalSampler,
    GuidedConditionalSampler,
)

__all__ = [
    "Condition",
    "ConditionBuilder",
    "ConditionSet",
    "ConditionalSampler",
    "GuidedConditionalSampler",
    "as_condition_set",
    "parse_condition",
]
