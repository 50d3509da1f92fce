"""Columns the generator replaces with fakes, and how they are scored: by format, not value.

A column flagged ``pii`` in the schema (a person's name, an e-mail, a phone number ...), a
free-text column, or one whose semantic type is always faked (URLs, postal codes) leaves the
generator as Faker values or pattern fakes, never as learned values
(:mod:`genesis.generators.fakes`). Comparing those values with the real ones would only
measure that the fakes are fakes: a name column alone drives the detection AUC to 1.0. Such a
column is therefore scored by its *format*: each value becomes its shape signature (letters
as ``A``/``a``, digits as ``9``, runs collapsed, other characters kept, e.g. ``"Mary-Ann
O'Neil"`` -> ``"Aa-Aa A'Aa"``), and the score is the TV complement of the signatures'
distributions; its null rate is compared like any column's. It is left out of every
value-based metric (pair trends, detection, copies, distances, ML utility).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from genesis.schema.types import PII_SEMANTIC_TYPES, ColumnKind, ColumnSchema, Schema, SemanticType

#: semantic types faked even when the column is not flagged ``pii`` (as the generator does)
FAKED_SEMANTIC_TYPES = PII_SEMANTIC_TYPES | {SemanticType.URL, SemanticType.POSTAL_CODE}
#: signatures kept per column (the rest share one "other" signature)
MAX_SIGNATURES = 50


def is_replaced(column: ColumnSchema) -> bool:
    """Whether the generator replaces this column with fakes instead of learning it."""
    return (
        column.kind is ColumnKind.TEXT or column.pii or column.semantic_type in FAKED_SEMANTIC_TYPES
    )


def replaced_columns(schema: Schema) -> list[str]:
    """Names of the columns of ``schema`` that the generator fills with fakes."""
    return [c.name for c in schema if is_replaced(c)]


def format_signatures(values: pd.Series) -> pd.Series:
    """Each non-missing value's shape: ``A`` upper, ``a`` lower, ``9`` digit, runs collapsed."""
    text = values.dropna().astype(str)
    shape = (
        text.str.replace(r"[A-Z\u00c0-\u00de]+", "A", regex=True)
        .str.replace(r"[a-z\u00df-\u00ff]+", "a", regex=True)
        .str.replace(r"[0-9]+", "9", regex=True)
        .str.replace(r"\s+", " ", regex=True)
    )
    return shape.reset_index(drop=True)


def format_score(real: pd.Series, synthetic: pd.Series) -> float:
    """TV complement of the shape signatures of two columns (NaN when a side has no value)."""
    a, b = format_signatures(real), format_signatures(synthetic)
    if a.empty or b.empty:
        return float("nan")
    top = a.value_counts().index[:MAX_SIGNATURES]
    p = a.where(a.isin(top), "\x00other").value_counts(normalize=True)
    q = b.where(b.isin(top), "\x00other").value_counts(normalize=True)
    p, q = p.align(q, fill_value=0.0)
    return float(1.0 - 0.5 * np.abs(p.to_numpy() - q.to_numpy()).sum())


__all__ = [
    "FAKED_SEMANTIC_TYPES",
    "format_score",
    "format_signatures",
    "is_replaced",
    "replaced_columns",
]
