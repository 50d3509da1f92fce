"""What a language model may learn about a table: :func:`schema_payload`.

This is the only path by which schema information reaches a provider (the architecture's
security rule: never send sensitive data samples to an external LLM). By default a column is
described by its name, kind, semantic type and PII flag, plus the labels of a low-cardinality
categorical or boolean column that is not PII: the vocabulary a request is written in
("California", "Married"), not a row. Values of individual rows (examples, numeric ranges)
are added only with ``allow_samples=True``, and never for a PII column, a free-text column
or an identifier.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import InvalidParameterError
from genesis.jsonsafe import json_safe
from genesis.schema.types import ColumnKind, Schema

#: a categorical column with more labels than this sends none of them (they stop being a
#: vocabulary and start describing rows)
MAX_LABELS = 50
#: examples per column sent with ``allow_samples=True``
MAX_EXAMPLES = 5

_LABELLED_KINDS = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)
#: kinds whose values describe one row: never sent, whatever ``allow_samples`` says
_ROW_KINDS = (ColumnKind.IDENTIFIER, ColumnKind.TEXT)


def schema_payload(
    schema: Schema,
    allow_samples: bool = False,
    *,
    data: pd.DataFrame | None = None,
    columns: list[str] | None = None,
    labels: bool = True,
    seed: int = 0,
) -> dict[str, Any]:
    """The JSON-safe description of ``schema`` a language model is allowed to see.

    Args:
        schema: the table's schema.
        allow_samples: also send values of rows: up to :data:`MAX_EXAMPLES` distinct values
            per column drawn from ``data`` (seeded) and numeric/datetime ranges. PII, free-text
            and identifier columns never send values.
        data: the table the examples come from (only read when ``allow_samples`` is true).
        columns: describe only these columns (default: all, in schema order).
        labels: send the labels of low-cardinality, non-PII categorical and boolean columns
            (at most :data:`MAX_LABELS`); ``False`` sends names and kinds only.
        seed: seed of the example draw.

    Returns:
        ``{"columns": [{"name", "kind", "semantic_type", "pii", ["labels"], ["range"],
        ["examples"]}, ...]}``.

    Raises:
        InvalidParameterError: ``schema`` is not a Schema, ``columns`` names a column it does
            not have, or ``data`` is not a DataFrame.
    """
    if not isinstance(schema, Schema):
        raise InvalidParameterError(
            f"schema must be a genesis.schema.Schema, got {type(schema).__name__}; build one "
            "with genesis.schema.infer_schema(df)"
        )
    if not isinstance(allow_samples, bool):
        raise InvalidParameterError(f"allow_samples must be True or False, got {allow_samples!r}")
    if data is not None and not isinstance(data, pd.DataFrame):
        raise InvalidParameterError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    names = schema.names if columns is None else list(columns)
    missing = [n for n in names if n not in schema]
    if missing:
        raise InvalidParameterError(f"columns {missing} are not in the schema {schema.names}")
    described = []
    for name in names:
        column = schema[name]
        entry: dict[str, Any] = {
            "name": column.name,
            "kind": column.kind.value,
            "semantic_type": column.semantic_type.value if column.semantic_type else None,
            "pii": bool(column.pii),
        }
        private = column.pii or column.kind in _ROW_KINDS
        if (
            labels
            and not private
            and column.kind in _LABELLED_KINDS
            and column.categories is not None
            and len(column.categories) <= MAX_LABELS
        ):
            entry["labels"] = json_safe(list(column.categories))
        if allow_samples and not private:
            if column.minimum is not None and column.maximum is not None:
                entry["range"] = json_safe([column.minimum, column.maximum])
            if data is not None and name in data.columns:
                entry["examples"] = _examples(data[name], column.missing_tokens, seed)
        described.append(entry)
    return {"columns": described}


def _examples(series: pd.Series, tokens: list[str], seed: int) -> list[Any]:
    values = series.dropna()
    if tokens and values.dtype == object:
        values = values[~values.isin(tokens)]
    distinct = pd.unique(values.to_numpy())
    if len(distinct) > MAX_EXAMPLES:
        rng = np.random.default_rng(seed)
        distinct = distinct[np.sort(rng.choice(len(distinct), MAX_EXAMPLES, replace=False))]
    return json_safe([v.item() if isinstance(v, np.generic) else v for v in distinct])
