"""Numeric columns (integers and floats, native or stored as text) in the model frame.

Integers beyond float64's exact range (|x| > 2**53, e.g. int64 and uint64 keys near their
limits) are modelled as their offset from the column's minimum and rebuilt in the integer
domain, so no value ever passes through a float that rounds it past the dtype's range.
Infinities are point masses: like a missing-value token they get a code of their own in the
indicator column and come back at their real rate.
"""

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

#: integers up to this magnitude are exact in float64
_EXACT_FLOAT_INTEGER = 2**53
#: the largest float64 below 2**64 (float(2**64 - 1) rounds up to 2**64, past uint64)
_BELOW_2_64 = float(np.nextafter(np.float64(2.0**64), 0.0))


def _integer_array(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The exact values of an integer column as int64/uint64 (0 where missing) and the mask."""
    missing = s.isna().to_numpy()
    dtype = np.dtype(s.dtype.numpy_dtype) if hasattr(s.dtype, "numpy_dtype") else s.dtype
    if missing.any():
        return s.to_numpy(dtype=dtype, na_value=0), missing
    return s.to_numpy(dtype=dtype), missing


class _NumericHandler(_ColumnHandler):
    """Continuous and integer columns: a float model column plus a missing indicator.

    Missing rows get a random observed value in the float column (so the marginal is the
    non-missing one) and their reason (NaN, a token, +inf or -inf) in ``<col>__null``.
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
        # exact integer range: the model column holds value - offset (see the module docstring)
        self.offset = None
        if _is_integer_dtype(self.dtype) and max(abs(lo), abs(hi)) > _EXACT_FLOAT_INTEGER:
            exact, _ = _integer_array(s)
            present = exact[~missing]
            self.offset = present.min()
            self.span = int(present.max()) - int(self.offset)
            self.minimum, self.maximum = 0.0, float(self.span)
        self.missing = _MissingLabels()
        self.missing.fit(s, missing)
        # the float each missing reason writes back in a numeric dtype (NaN, +inf, -inf)
        self.missing_floats = None
        if self.missing.has_missing:
            labels = pd.to_numeric(self.missing.labels, errors="coerce")
            self.missing_floats = labels.to_numpy(dtype=np.float64, na_value=np.nan)
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
        if getattr(self, "offset", None) is not None:
            exact, _ = _integer_array(s)
            delta = exact.astype(np.uint64) - np.asarray(self.offset).astype(np.uint64)
            values = delta.astype(np.float64)  # exact enough: a spread, not a magnitude
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

    def _exact_integers(self, x: np.ndarray) -> np.ndarray:
        """Offsets ``x`` (floats in [0, span]) back to the source's integer dtype, exactly."""
        delta = np.minimum(np.clip(x, 0.0, _BELOW_2_64).astype(np.uint64), np.uint64(self.span))
        dtype = np.dtype(getattr(self.dtype, "numpy_dtype", self.dtype))
        # modular uint64 addition: the true sum lies in the dtype's range, so it is exact
        total = delta + np.asarray(self.offset).astype(np.uint64)
        return total.view(np.int64) if dtype.kind == "i" else total

    def inverse(self, frame, n, rng):
        x = self._numbers(frame, n)
        codes = None
        if self.missing.has_missing:
            codes = np.clip(
                np.asarray(frame[self.null_column]).astype(np.int64), 0, self.missing.n_codes - 1
            )
        missing = codes > 0 if codes is not None else np.zeros(n, dtype=bool)
        dtype = self.dtype
        if getattr(self, "offset", None) is not None:
            exact = self._exact_integers(x)
            if _is_numpy_integer(dtype):
                return pd.Series(exact.astype(dtype))
            # a nullable Int64 / UInt64 column: missing rows keep their mask
            values = exact.astype(dtype.numpy_dtype)
            return pd.Series(pd.arrays.IntegerArray(values, missing.copy()))
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
            floats = getattr(self, "missing_floats", None)
            x[missing] = floats[codes[missing] - 1] if floats is not None else np.nan
        if _is_numpy_integer(dtype):
            return pd.Series(x.astype(dtype))
        return pd.Series(x).astype(dtype)
