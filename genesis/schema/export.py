"""Export a schema as YAML, JSON or a runnable Python snippet."""

from __future__ import annotations

from dataclasses import fields
from enum import Enum
from typing import Any

import pandas as pd

from genesis.errors import InvalidDataError, InvalidParameterError
from genesis.schema.types import ColumnSchema, Schema

#: formats :func:`discover` renders
EXPORT_FORMATS = ("yaml", "json", "python")


def discover(df_or_schema: pd.DataFrame | Schema, format: str = "yaml") -> str:
    """Describe a table's schema as text.

    Args:
        df_or_schema: a DataFrame (its schema is inferred with
            :func:`~genesis.schema.infer_schema`) or a :class:`Schema`.
        format: "yaml", "json", or "python" (a snippet that, run, binds ``schema`` to an equal
            :class:`Schema`).

    Raises:
        InvalidParameterError: ``format`` is not one of ``EXPORT_FORMATS``.
        InvalidDataError: ``df_or_schema`` is neither a DataFrame nor a Schema.
    """
    key = format.lower() if isinstance(format, str) else format
    if key not in EXPORT_FORMATS:
        raise InvalidParameterError(
            f"unknown schema export format {format!r}; use one of {list(EXPORT_FORMATS)}"
        )
    if isinstance(df_or_schema, pd.DataFrame):
        from genesis.schema.inference import infer_schema

        schema = infer_schema(df_or_schema)
    elif isinstance(df_or_schema, Schema):
        schema = df_or_schema
    else:
        raise InvalidDataError(
            f"discover needs a pandas DataFrame or a Schema, got {type(df_or_schema).__name__}"
        )
    if key == "yaml":
        return schema.to_yaml()
    if key == "json":
        return schema.to_json()
    return to_python(schema)


def _literal(value: Any) -> str:
    if isinstance(value, Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, float) and value != value:  # NaN
        return 'float("nan")'
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return 'float("inf")' if value > 0 else 'float("-inf")'
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return repr(value)


def _column_source(column: ColumnSchema) -> str:
    defaults = ColumnSchema(name="", kind=column.kind, dtype="")
    parts = []
    for spec in fields(ColumnSchema):
        value = getattr(column, spec.name)
        if spec.name not in ("name", "kind", "dtype") and value == getattr(defaults, spec.name):
            continue
        parts.append(f"{spec.name}={_literal(value)}")
    return "        ColumnSchema(" + ", ".join(parts) + "),"


def to_python(schema: Schema) -> str:
    """A Python snippet that rebuilds ``schema`` (bound to the name ``schema``) when run."""
    lines = [
        "from genesis.schema import (",
        "    ColumnKind,",
        "    ColumnSchema,",
        "    DatetimeStorage,",
        "    Schema,",
        "    SemanticType,",
        "    Support,",
        ")",
        "",
        "schema = Schema(",
        "    columns=[",
        *(_column_source(column) for column in schema.columns),
        "    ],",
        f"    n_rows={schema.n_rows!r},",
        ")",
        "",
    ]
    return "\n".join(lines)
