"""Checks on synthetic tables that the asset checks call.

A full Great Expectations suite built from the inferred schema arrives with the AutoML
issue; until then :func:`schema_conformance_problems` holds the essentials.
"""

from __future__ import annotations

import pandas as pd

from genesis.schema.types import ColumnKind, Schema


def dtype_family(dtype: object) -> str:
    """Coarse family of a dtype: ``numeric``, ``boolean``, ``datetime`` or ``text``.

    Accepts a dtype or its ``str()`` as recorded in a :class:`Schema`, so ``int64`` in the
    source and ``Int64`` or ``float64`` in synthetic data (nullable integers) match.
    """
    try:
        resolved = pd.api.types.pandas_dtype(dtype)
    except TypeError:
        return "text"
    if pd.api.types.is_bool_dtype(resolved):
        return "boolean"
    if pd.api.types.is_numeric_dtype(resolved):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(resolved):
        return "datetime"
    return "text"


def schema_conformance_problems(df: pd.DataFrame, schema: Schema) -> list[str]:
    """What in ``df`` disagrees with ``schema``; empty when it conforms.

    Checked: the same columns in the same order, each column's dtype family, and for
    categorical columns whose labels the schema recorded, no label outside them (missing
    values and the column's missing-value tokens allowed). PII columns are exempt from the
    label check: they are replaced by fakes.
    """
    problems = []
    missing = [name for name in schema.names if name not in df.columns]
    extra = [name for name in df.columns if name not in schema]
    if missing:
        problems.append(f"columns missing: {missing}")
    if extra:
        problems.append(f"columns not in the schema: {extra}")
    if not missing and not extra and list(df.columns) != schema.names:
        problems.append(f"column order differs from the schema's {schema.names}")
    for column in schema.columns:
        if column.name not in df.columns:
            continue
        values = df[column.name]
        expected, actual = dtype_family(column.dtype), dtype_family(values.dtype)
        if expected != actual:
            problems.append(
                f"column {column.name!r}: dtype {values.dtype} ({actual}) where the source has "
                f"{column.dtype} ({expected})"
            )
        if column.kind is ColumnKind.CATEGORICAL and column.categories and not column.pii:
            allowed = pd.Series(list(column.categories) + list(column.missing_tokens))
            present = values.dropna()
            unknown = present[~present.isin(allowed)].unique()
            if len(unknown):
                problems.append(
                    f"column {column.name!r}: {len(unknown)} label(s) not in the source, "
                    f"e.g. {list(unknown[:3])}"
                )
    return problems
