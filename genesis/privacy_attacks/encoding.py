"""One shared numeric encoding of real, holdout and synthetic tables for every attack.

The encoder is fitted on all tables together, so a category code or a standard deviation
means the same thing in each. Numeric (and datetime) columns are standardised, with missing
values at the mean plus a missing flag; categorical columns become one-hot blocks scaled by
``1/sqrt(2)``, so two rows that differ in one category are at distance 1, like two rows one
standard deviation apart on one numeric column. Rare labels beyond ``max_categories`` share
one "other" code; missing values are a label of their own.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from genesis.errors import InvalidDataError

_MISSING = "\x00missing\x00"
_OTHER = "\x00other\x00"


def _is_numeric(s: pd.Series) -> bool:
    return (
        pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)
    ) or pd.api.types.is_datetime64_any_dtype(s.dtype)


def _as_float(s: pd.Series) -> np.ndarray:
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        values = s.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64) / 1e9
        values[s.isna().to_numpy()] = np.nan
        return values
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _labels(s: pd.Series) -> np.ndarray:
    values = s.astype(object).to_numpy()
    missing = pd.isna(values)
    out = values.astype(str).astype(object)
    out[missing] = _MISSING
    return out


class TableEncoder:
    """Fit on several tables at once; encode any of them to the same numeric space.

    Args:
        columns: the columns to encode (present in every table).
        max_categories: labels kept per categorical column (the most frequent over all tables).
    """

    def __init__(self, columns: list[str], *, max_categories: int = 30) -> None:
        self.columns = list(columns)
        self.max_categories = max_categories

    def fit(self, *tables: pd.DataFrame) -> TableEncoder:
        if not self.columns:
            raise InvalidDataError(
                "no column to attack: the tables share no columns; pass tables with the same columns"
            )
        self.numeric_: list[str] = []
        self.categorical_: list[str] = []
        self.mean_: dict[str, float] = {}
        self.scale_: dict[str, float] = {}
        self.has_missing_: dict[str, bool] = {}
        self.categories_: dict[str, pd.Index] = {}
        for column in self.columns:
            parts = [t[column] for t in tables]
            if all(_is_numeric(p) for p in parts):
                values = np.concatenate([_as_float(p) for p in parts])
                finite = values[np.isfinite(values)]
                self.numeric_.append(column)
                self.mean_[column] = float(finite.mean()) if finite.size else 0.0
                std = float(finite.std()) if finite.size else 0.0
                self.scale_[column] = std if std > 0 else 1.0
                self.has_missing_[column] = bool(finite.size < values.size)
            else:
                labels = pd.Series(np.concatenate([_labels(p) for p in parts]))
                top = labels.value_counts(sort=True).index[: self.max_categories]
                self.categorical_.append(column)
                self.categories_[column] = pd.Index(list(top) + [_OTHER])
        return self

    def numbers(self, df: pd.DataFrame, column: str) -> np.ndarray:
        """A numeric column standardised (NaN where missing)."""
        return (_as_float(df[column]) - self.mean_[column]) / self.scale_[column]

    def codes(self, df: pd.DataFrame, column: str) -> np.ndarray:
        """A categorical column as shared integer codes (rare labels: the last code)."""
        categories = self.categories_[column]
        codes = categories.get_indexer(_labels(df[column]))
        codes[codes < 0] = len(categories) - 1
        return codes

    def n_codes(self, column: str) -> int:
        return len(self.categories_[column])

    def transform(self, df: pd.DataFrame, columns: list[str] | None = None) -> np.ndarray:
        """``df`` as a float32 matrix for distances (the encoding described above)."""
        columns = self.columns if columns is None else columns
        parts = []
        for column in columns:
            if column in self.mean_:
                values = self.numbers(df, column)
                missing = np.isnan(values)
                parts.append(np.where(missing, 0.0, values)[:, None])
                if self.has_missing_[column]:
                    parts.append(missing[:, None].astype(np.float64))
            else:
                codes = self.codes(df, column)
                block = np.zeros((len(df), self.n_codes(column)))
                block[np.arange(len(df)), codes] = np.sqrt(0.5)
                parts.append(block)
        if not parts:
            return np.zeros((len(df), 0), dtype=np.float32)
        return np.hstack(parts).astype(np.float32)

    def ordinal(self, df: pd.DataFrame, columns: list[str] | None = None) -> np.ndarray:
        """``df`` as a float matrix for tree models: numbers as they are (NaN kept), codes."""
        columns = self.columns if columns is None else columns
        return (
            np.column_stack(
                [
                    self.numbers(df, c) if c in self.mean_ else self.codes(df, c).astype(np.float64)
                    for c in columns
                ]
            )
            if columns
            else np.zeros((len(df), 0))
        )

    def row_keys(self, df: pd.DataFrame, columns: list[str] | None = None) -> np.ndarray:
        """A 64-bit hash per row of its values on ``columns``: equal rows, equal keys.

        Numbers are compared as float64 (so ``3`` and ``3.0`` match), labels as text (rare
        labels too), missing values as one value.
        """
        columns = self.columns if columns is None else columns
        frame = pd.DataFrame(
            {
                c: np.nan_to_num(_as_float(df[c]), nan=np.inf)
                if c in self.mean_
                else _labels(df[c])
                for c in columns
            }
        )
        if not len(frame.columns):
            return np.zeros(len(df), dtype=np.uint64)
        return pd.util.hash_pandas_object(frame, index=False).to_numpy()
