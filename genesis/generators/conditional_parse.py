"""Conditions written as text: ``"age>=50"``, ``"state in CA,NY"``, ``"age between 30 and 40"``.

One grammar, the same operators as :meth:`ConditionSet.from_dict`::

    column op value          op one of  = == != > >= < <=
    column in a,b,c          (a comma-separated list; quote values holding commas)
    column not in a,b
    column between lo and hi (inclusive)
    column like pattern      (SQL: % any run of characters, _ one character)

A column name may be quoted (``"native-country" = Peru``). Values may be quoted (``'1'`` or
``"New York"``) to stay strings; unquoted values are read against the schema's kind when a
schema is given (numbers for numeric columns, labels as written for categorical ones, true/false
for booleans) and otherwise as numbers when they look like numbers. :func:`parse_condition`
returns a :class:`~genesis.generators.conditional.Condition`; :func:`parse_conditions` ANDs
several texts into a :class:`~genesis.generators.conditional.ConditionSet`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from genesis.errors import InvalidConditionError

GRAMMAR = (
    "'column op value' with op one of = == != > >= < <=, 'column in a,b,c', "
    "'column not in a,b', 'column between lo and hi' or 'column like pattern' "
    '(e.g. "age>=50", "state in CA,NY")'
)

# column names cannot hold comparison symbols, so "note = in town" is read as "note" "=" ...
_KEYWORD = re.compile(
    r"^\s*(?P<column>\"[^\"]+\"|`[^`]+`|[^<>=!\"`]+?)\s+(?P<op>not\s+in|in|between|like)\s+"
    r"(?P<value>.*\S)\s*$",
    re.IGNORECASE | re.DOTALL,
)
_SYMBOL = re.compile(
    r"^\s*(?P<column>\"[^\"]+\"|`[^`]+`|[^<>=!\"`]+?)\s*(?P<op>==|!=|>=|<=|=|>|<)\s*"
    r"(?P<value>.*\S)\s*$",
    re.DOTALL,
)
_SYMBOL_OPS = {"=": "eq", "==": "eq", "!=": "ne", ">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}
_LIST_ITEM = re.compile(
    r"\s*(?:\"(?P<double>[^\"]*)\"|'(?P<single>[^']*)'|(?P<bare>[^,\"']*))\s*(?P<sep>,|$)"
)
_INTEGER = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def parse_condition(text: str, schema: Any = None) -> Any:
    """The :class:`~genesis.generators.conditional.Condition` that ``text`` writes (grammar in
    the module docstring); ``schema`` (a :class:`~genesis.schema.Schema`) types the values.

    Raises :class:`InvalidConditionError` naming the grammar when ``text`` does not follow it.
    """
    from genesis.generators.conditional import Condition

    if not isinstance(text, str) or not text.strip():
        raise InvalidConditionError(f"empty condition {text!r}; write {GRAMMAR}")
    match = _KEYWORD.match(text) or _SYMBOL.match(text)
    if match is None:
        raise InvalidConditionError(f"cannot read the condition {text!r}; write {GRAMMAR}")
    column = _unquote_column(match["column"].strip())
    raw_op = re.sub(r"\s+", " ", match["op"].lower())
    operator = _SYMBOL_OPS.get(raw_op, raw_op.replace(" ", "_"))
    rest = match["value"]
    if rest.lstrip()[:1] in ("<", ">", "=", "!"):
        raise InvalidConditionError(f"cannot read the condition {text!r}; write {GRAMMAR}")
    kind = _kind_of(schema, column)
    if operator in ("in", "not_in"):
        items = _split_list(text, rest)
        value: Any = [_typed(text, item, quoted, kind, schema, column) for item, quoted in items]
    elif operator == "between":
        bounds = re.split(r"\s+and\s+", rest.strip(), flags=re.IGNORECASE)
        if len(bounds) != 2 or not all(b.strip() for b in bounds):
            raise InvalidConditionError(
                f"cannot read the condition {text!r}: 'between' needs 'lo and hi', "
                f'e.g. "{column} between 30 and 40"; write {GRAMMAR}',
                column,
            )
        value = tuple(
            _typed(text, *_unquote_value(b.strip()), kind, schema, column) for b in bounds
        )
    elif operator == "like":
        value = _unquote_value(rest.strip())[0]
    else:
        value = _typed(text, *_unquote_value(rest.strip()), kind, schema, column)
    return Condition(column, operator, value)


def parse_conditions(texts: str | Iterable[str], schema: Any = None) -> Any:
    """A :class:`~genesis.generators.conditional.ConditionSet` ANDing each text (one text or
    several) read with :func:`parse_condition`."""
    from genesis.generators.conditional import ConditionSet

    if isinstance(texts, str):
        texts = [texts]
    return ConditionSet([parse_condition(t, schema) for t in texts])


# --- helpers ---------------------------------------------------------------------------------


def _unquote_column(column: str) -> str:
    if len(column) >= 2 and column[0] == column[-1] and column[0] in '"`':
        return column[1:-1]
    return column


def _unquote_value(value: str) -> tuple[str, bool]:
    """``(text, quoted)``: quotes ('x' or "x") removed and remembered."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1], True
    return value, False


def _split_list(text: str, rest: str) -> list[tuple[str, bool]]:
    """The comma-separated values of ``in``/``not in``; a value in quotes may hold commas."""
    out: list[tuple[str, bool]] = []
    position = 0
    while position <= len(rest):
        match = _LIST_ITEM.match(rest, position)
        if match is None or match.end() == position:
            break
        if match["double"] is not None or match["single"] is not None:
            out.append((match["double"] if match["double"] is not None else match["single"], True))
        elif match["bare"].strip():
            out.append((match["bare"].strip(), False))
        else:
            raise InvalidConditionError(
                f"cannot read the condition {text!r}: an empty value in the list; write "
                'the values separated by commas, e.g. "state in CA,NY"'
            )
        position = match.end()
        if match["sep"] == "":
            return out
    raise InvalidConditionError(
        f"cannot read the condition {text!r}: unbalanced quotes in the list; write {GRAMMAR}"
    )


def _kind_of(schema: Any, column: str) -> Any:
    if schema is None:
        return None
    try:
        return schema[column].kind if column in schema else None
    except (KeyError, TypeError):
        return None


def _typed(text: str, value: str, quoted: bool, kind: Any, schema: Any, column: str) -> Any:
    """``value`` as the column's kind wants it (see the module docstring)."""
    from genesis.schema.types import ColumnKind

    if quoted:
        return value
    if kind is None:
        return _number_or_text(value)
    if kind in (ColumnKind.CONTINUOUS, ColumnKind.INTEGER):
        number = _number_or_text(value)
        if isinstance(number, str):
            raise InvalidConditionError(
                f"cannot read the condition {text!r}: column {column!r} holds numbers but "
                f"{value!r} is not a number; give a number such as 30",
                column,
            )
        return number
    if kind is ColumnKind.BOOLEAN and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
        categories = schema[column].categories or []
        if value in [str(c) for c in categories] and any(isinstance(c, str) for c in categories):
            return value
        number = _number_or_text(value)
        if not isinstance(number, str) and any(
            isinstance(c, int | float) and not isinstance(c, bool) for c in categories
        ):
            return number
        return value
    return value  # datetimes and others: the model reads the text itself


def _number_or_text(value: str) -> Any:
    if _INTEGER.match(value):
        return int(value)
    if _FLOAT.match(value):
        return float(value)
    return value


__all__ = ["GRAMMAR", "parse_condition", "parse_conditions"]
