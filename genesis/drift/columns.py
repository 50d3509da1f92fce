"""How each column is compared when the detector knows the table's schema.

With a :class:`~genesis.schema.types.Schema`, the detector

- takes each column's kind from the schema (datetimes stored as text are compared as time);
- treats the schema's missing-value tokens (Adult's ``?``) as missing values, so they count
  in the missing rate and not as a category;
- leaves out identifiers and free text that are not personal data: they differ from row to
  row by design;
- compares the columns the schema marks ``pii`` by the *format* of their values and their
  null rate, never by the values themselves: Genesis replaces those columns by fakes, so
  their values differ from the real ones by design, while their shape (letters, digits and
  punctuation) and how often they are empty should not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

#: the kind under which personal-data columns are compared (by format, not by value)
PII_KIND = "pii"

# control characters as placeholders: they never occur in the text the patterns come from
_UPPER, _LETTER, _DIGIT = "\x01", "\x02", "\x03"
_PLACEHOLDERS = str.maketrans({_UPPER: "A", _LETTER: "a", _DIGIT: "9"})


@dataclass(frozen=True)
class SchemaColumns:
    """What a schema says about comparing each column.

    Attributes:
        kinds: column -> detector kind (``numeric``, ``categorical``, ``datetime``, ``pii``).
        missing_tokens: column -> strings that stand for a missing value.
        excluded: column -> why it is not compared (identifiers and free text).
    """

    kinds: dict[str, str] = field(default_factory=dict)
    missing_tokens: dict[str, list[str]] = field(default_factory=dict)
    excluded: dict[str, str] = field(default_factory=dict)


def from_schema(schema: Any) -> SchemaColumns:
    """The comparison plan of every column of ``schema`` (a :class:`Schema`)."""
    from genesis.schema.types import ColumnKind

    as_kind = {
        ColumnKind.CONTINUOUS: "numeric",
        ColumnKind.INTEGER: "numeric",
        ColumnKind.DATETIME: "datetime",
        ColumnKind.CATEGORICAL: "categorical",
        ColumnKind.BOOLEAN: "categorical",
    }
    plan = SchemaColumns()
    for column in schema.columns:
        if column.missing_tokens:
            plan.missing_tokens[column.name] = [str(t) for t in column.missing_tokens]
        if column.pii:
            plan.kinds[column.name] = PII_KIND
        elif column.kind in as_kind:
            plan.kinds[column.name] = as_kind[column.kind]
        else:
            plan.excluded[column.name] = (
                f"{column.kind.value}: differs from row to row by design, not compared"
            )
    return plan


def mask_tokens(series: pd.Series, tokens: list[str] | None) -> pd.Series:
    """``series`` with the values in ``tokens`` turned into missing values."""
    if not tokens or pd.api.types.is_numeric_dtype(series.dtype):
        return series  # a numeric column cannot hold a text token
    return series.mask(series.isin(tokens))


def value_format(series: pd.Series) -> pd.Series:
    """The format of each value: runs of capitals become ``A``, of other letters ``a``, of
    digits ``9`` and of white space one space; punctuation stays. ``"Jane O'Neil"`` and
    ``"John Smith-Jones"`` read ``"Aa A'Aa"`` and ``"Aa Aa-Aa"``; ``"555-0192"`` reads
    ``"9-9"``. Missing values stay missing."""
    present = series.dropna()
    text = present.astype(str)
    text = text.str.replace(r"[A-Z]+", _UPPER, regex=True)
    text = text.str.replace(r"[^\W\d_]+", _LETTER, regex=True)
    text = text.str.replace(r"\d+", _DIGIT, regex=True)
    text = text.str.replace(r"\s+", " ", regex=True)
    return text.str.translate(_PLACEHOLDERS).reindex(series.index)


__all__ = ["PII_KIND", "SchemaColumns", "from_schema", "mask_tokens", "value_format"]
