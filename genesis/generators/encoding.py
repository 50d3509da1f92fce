"""Encoding helpers shared by the column handlers: factorising labels, missing-value
reasons, decimals, dtype tests and casting back to the source dtype."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from genesis.schema.types import ColumnSchema

#: label of the code that stands for every category beyond ``max_categories``
OTHER_LABEL = "__other__"
#: suffix of the missing-indicator model column of a column with missing values
NULL_SUFFIX = "__null"

_NS_PER_S = 1_000_000_000
# candidate granularities of datetime columns, coarsest first (nanoseconds)
_DATETIME_UNITS_NS = (
    86_400 * _NS_PER_S,
    3_600 * _NS_PER_S,
    60 * _NS_PER_S,
    _NS_PER_S,
    1_000_000,
    1_000,
    1,
)
_MAX_MISSING_LABELS = 20


def _first_rows(s: pd.Series, positions: np.ndarray) -> pd.Series:
    """Rows of ``s`` at ``positions`` as a fresh Series that keeps the exact dtype."""
    return s.iloc[positions].reset_index(drop=True)


def _factorize(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Codes (most frequent label first), first row of each label, count of each label."""
    raw = values.to_numpy(dtype=object) if isinstance(values.dtype, pd.CategoricalDtype) else values
    codes, _ = pd.factorize(raw, use_na_sentinel=False)
    counts = np.bincount(codes)
    _, first = np.unique(codes, return_index=True)
    order = np.argsort(-counts, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return rank[codes], first[order], counts[order]


def _observed_decimals(x: np.ndarray, max_decimals: int = 6) -> int | None:
    """Fewest decimals that reproduce every value, or None when more than ``max_decimals``."""
    x = x[np.isfinite(x)]
    if x.size == 0:
        return None
    x = x[:50_000]
    # float64 noise only: a looser relative tolerance rounds large float32 values such as
    # 61102.97265625 to 5 places, moving every one of them off the values the column takes
    tol = 1e-12 * np.maximum(1.0, np.abs(x))
    for d in range(max_decimals + 1):
        if np.all(np.abs(np.round(x, d) - x) <= tol):
            return d
    return None


def _is_integer_dtype(dtype: Any) -> bool:
    return pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _is_numpy_integer(dtype: Any) -> bool:
    return isinstance(dtype, np.dtype) and dtype.kind in "iu"


def _value_keys(values: np.ndarray) -> pd.Index:
    """An index of values in which every missing value (NaN, None, NA, NaT) is one key."""
    obj = np.asarray(values, dtype=object).copy()
    obj[pd.isna(obj)] = _NULL_KEY
    return pd.Index(obj, dtype=object)


_NULL_KEY = "\x00genesis-missing\x00"


class _MissingLabels:
    """Encodes *why* a value is missing so the inverse writes back the same NaN or token.

    Code 0 means present; code ``k >= 1`` means the k-th distinct missing representation
    (NaN, ``"?"``, an unparseable string ...), most frequent first.
    """

    def fit(self, source: pd.Series, missing: np.ndarray) -> None:
        self.has_missing = bool(missing.any())
        self.labels = None
        if self.has_missing:
            missing_rows = source[missing]
            _, first, _ = _factorize(missing_rows)
            self.labels = _first_rows(missing_rows, first[:_MAX_MISSING_LABELS])
            self._lookup = _value_keys(self.labels.to_numpy(dtype=object))

    def encode(self, source: pd.Series, missing: np.ndarray) -> np.ndarray:
        codes = np.zeros(len(source), dtype=np.int64)
        if self.has_missing and missing.any():
            raw = source[missing].to_numpy(dtype=object)
            codes_raw, uniques = pd.factorize(raw, use_na_sentinel=False)
            positions = self._lookup.get_indexer(_value_keys(np.asarray(uniques, dtype=object)))
            # a representation unseen at fit time becomes the most frequent one
            codes[missing] = np.where(positions < 0, 0, positions)[codes_raw] + 1
        return codes

    @property
    def n_codes(self) -> int:
        return 1 + (len(self.labels) if self.has_missing else 0)

    def decode(self, codes: np.ndarray) -> np.ndarray:
        """The raw missing value of each code (codes >= 1)."""
        return self.labels.to_numpy(dtype=object)[codes - 1]


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, (int, float, np.integer, np.floating))
        and not isinstance(value, bool)
        and np.isfinite(value)
    )


def _missing_mask(s: pd.Series, column: ColumnSchema) -> np.ndarray:
    missing = s.isna().to_numpy()
    if column.missing_tokens:
        missing |= s.astype(object).isin(set(column.missing_tokens)).to_numpy()
    return missing


def _cast(values: pd.Series, dtype: Any) -> pd.Series:
    """``values`` in ``dtype`` when they fit it, else as they are."""
    if values.dtype == dtype:
        return values
    try:
        return values.astype(dtype)
    except (TypeError, ValueError):
        converted = pd.to_numeric(values, errors="coerce")
        try:
            return converted.astype(dtype)
        except (TypeError, ValueError):
            return values
