"""Numeric columns (integers and floats, native or stored as text) in the model frame."""

from __future__ import annotations

import numpy as np
import pandas as pd

from genesis.generators.column_handlers import _ColumnHandler
from genesis.generators.encoding import (
    NULL_SUFFIX,
    _is_integer_dtype,
    _is_number,
    _is_numpy_integer,
    _MissingLabels,
    _observed_decimals,
)
from genesis.schema.types import ColumnKind


class _NumericHandler(_ColumnHandler):
    """Continuous and integer columns: a float model column plus a missing indicator.

    Missing rows get a random observed value in the float column (so the marginal is the
    non-missing one) and their reason (NaN or token) in ``<col>__null``.
    """

    def fit(self, s, rng):
        values, missing = self._parse(s)
        observed = values[~missing]
        self.integer = self.schema.kind is ColumnKind.INTEGER or _is_integer_dtype(self.dtype)
        if self.integer:
            self.decimals = 0
        elif self.schema.decimals is not None:
            self.decimals = int(self.schema.decimals)
        else:
            self.decimals = _observed_decimals(observed)
        lo, hi = float(observed.min()), float(observed.max())
        self.minimum = (
            min(lo, float(self.schema.minimum)) if _is_number(self.schema.minimum) else lo
        )
        self.maximum = (
            max(hi, float(self.schema.maximum)) if _is_number(self.schema.maximum) else hi
        )
        self.missing = _MissingLabels()
        self.missing.fit(s, missing)
        self._fit_output_format(s, missing)
        self.null_column = self.name + NULL_SUFFIX
        self.model_columns = [self.name]
        self.roles = {self.name: "integer" if self.integer else "continuous"}
        if self.missing.has_missing:
            self.model_columns = [self.null_column, self.name]
            self.roles[self.null_column] = "indicator"
            self.n_codes = {self.null_column: self.missing.n_codes}

    def _parse(self, s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        tokens = set(self.schema.missing_tokens or [])
        if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            obj = s.astype(object)
            is_token = obj.isin(tokens).to_numpy() if tokens else np.zeros(len(s), dtype=bool)
            numbers = pd.to_numeric(obj.where(~is_token), errors="coerce")
            values = numbers.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            values = s.to_numpy(dtype=np.float64, na_value=np.nan)
        missing = ~np.isfinite(values)
        return values, missing

    def _fit_output_format(self, s: pd.Series, missing: np.ndarray) -> None:
        """For object columns: write numbers back as strings of the same formatting."""
        self.as_strings = False
        self.string_decimals: int | None = None
        if s.dtype != object and not pd.api.types.is_string_dtype(s.dtype):
            return
        present = s[~missing]
        self.as_strings = bool(present.map(type).eq(str).all()) if len(present) else True
        if self.as_strings:
            text = present.astype(str).str.strip()
            frac = text.str.partition(".")[2]
            lengths = frac.str.len().to_numpy()
            has_point = text.str.contains(".", regex=False).to_numpy()
            if has_point.all() and lengths.size and (lengths == lengths[0]).all():
                self.string_decimals = int(lengths[0])
            elif not has_point.any():
                self.string_decimals = 0

    def transform(self, s, rng):
        values, missing = self._parse(s)
        out = {}
        if missing.any():
            observed = values[~missing]
            values = values.copy()
            values[missing] = observed[rng.integers(0, observed.size, size=int(missing.sum()))]
        if self.missing.has_missing:
            out[self.null_column] = self.missing.encode(s, missing)
        out[self.name] = values
        return out

    def _numbers(self, frame, n) -> np.ndarray:
        x = np.asarray(frame[self.name], dtype=np.float64)
        if not np.isfinite(x).all():
            x = np.where(np.isfinite(x), x, (self.minimum + self.maximum) / 2)
        x = np.clip(x, self.minimum, self.maximum)
        if self.decimals is not None:
            x = np.round(x, self.decimals)
        return x

    def inverse(self, frame, n, rng):
        x = self._numbers(frame, n)
        codes = None
        if self.missing.has_missing:
            codes = np.clip(
                np.asarray(frame[self.null_column]).astype(np.int64), 0, self.missing.n_codes - 1
            )
        missing = codes > 0 if codes is not None else np.zeros(n, dtype=bool)
        dtype = self.dtype
        if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
            if self.as_strings:
                if self.integer or self.string_decimals == 0:
                    text = x.astype(np.int64).astype(str)
                elif self.string_decimals is not None:
                    text = np.char.mod(f"%.{self.string_decimals}f", x)
                else:
                    text = x.astype(str)
                out = text.astype(object)
            else:
                out = (x.astype(np.int64) if self.integer else x).astype(object)
            if missing.any():
                out[missing] = self.missing.decode(codes[missing])
            return pd.Series(out, dtype=dtype)
        if missing.any():
            x = x.copy()
            x[missing] = np.nan
        if _is_numpy_integer(dtype):
            return pd.Series(x.astype(dtype))
        return pd.Series(x).astype(dtype)
