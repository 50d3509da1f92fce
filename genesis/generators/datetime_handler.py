"""Datetime columns (native, text or YYYYMMDD integers) and dates of birth."""

from __future__ import annotations

import numpy as np
import pandas as pd

from genesis.errors import SchemaError
from genesis.generators.column_handlers import _ColumnHandler
from genesis.generators.encoding import (
    _DATETIME_UNITS_NS,
    _NS_PER_S,
    NULL_SUFFIX,
    _is_integer_dtype,
    _is_numpy_integer,
    _MissingLabels,
)
from genesis.schema.types import DatetimeStorage


class _DatetimeHandler(_ColumnHandler):
    """Datetimes: float seconds since the epoch plus a missing indicator.

    They come back in the source storage: native ``datetime64`` (same resolution and time
    zone), strings in the source format, or ``YYYYMMDD``-style integers; at the granularity
    of the source (hourly data stays on the hour) and never as 1970 for a missing value.
    """

    def fit(self, s, rng):
        if self.schema.datetime_storage is not None:
            self.storage = DatetimeStorage(self.schema.datetime_storage)
        elif pd.api.types.is_datetime64_any_dtype(s.dtype):
            self.storage = DatetimeStorage.NATIVE
        elif _is_integer_dtype(s.dtype) or pd.api.types.is_float_dtype(s.dtype):
            self.storage = DatetimeStorage.INTEGER
        else:
            self.storage = DatetimeStorage.STRING
        if self.storage is DatetimeStorage.NATIVE and not pd.api.types.is_datetime64_any_dtype(
            s.dtype
        ):
            self.storage = DatetimeStorage.STRING
        self.tz = getattr(s.dtype, "tz", None)
        self.parse_format = self.schema.datetime_format
        if self.storage is not DatetimeStorage.NATIVE and not self.parse_format:
            self.parse_format = self._guess_format(s)
        self.utc = self.tz is not None or bool(
            self.parse_format and ("%z" in self.parse_format or "%Z" in self.parse_format)
        )
        ns, missing = self._parse(s)
        if (~missing).sum() == 0:
            raise SchemaError(
                f"column {self.name!r} is typed datetime but none of its values parse with "
                f"format {self.parse_format!r}; fix datetime_format in the schema"
            )
        observed = ns[~missing]
        self.unit_ns = next(u for u in _DATETIME_UNITS_NS if not (observed % u).any())
        self.minimum, self.maximum = int(observed.min()), int(observed.max())
        self.output_format = self._output_format(s, ns, missing)
        self.missing = _MissingLabels()
        self.missing.fit(s, missing)
        self.null_column = self.name + NULL_SUFFIX
        self.model_columns = [self.name]
        self.roles = {self.name: "continuous"}
        if self.missing.has_missing:
            self.model_columns = [self.null_column, self.name]
            self.roles[self.null_column] = "indicator"
            self.n_codes = {self.null_column: self.missing.n_codes}

    def _guess_format(self, s: pd.Series) -> str | None:
        from pandas.tseries.api import guess_datetime_format

        tokens = set(self.schema.missing_tokens or [])
        for value in s.dropna().astype(str).head(50):
            if value in tokens:
                continue
            fmt = guess_datetime_format(value)
            if fmt:
                return fmt
        return None

    def _parse(self, s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """Nanoseconds since the epoch (UTC for zone-aware data) and the missing mask."""
        if self.storage is DatetimeStorage.NATIVE:
            dt = s
            if self.tz is not None:
                dt = dt.dt.tz_convert("UTC").dt.tz_localize(None)
            dt = dt.astype("datetime64[ns]")
        else:
            text = s.astype(object)
            tokens = set(self.schema.missing_tokens or [])
            if tokens:
                text = text.where(~text.isin(tokens))
            if self.storage is DatetimeStorage.INTEGER:
                numbers = pd.to_numeric(text, errors="coerce")
                text = numbers.astype("Int64").astype(str).where(numbers.notna())
            else:
                text = text.where(text.map(type).eq(str))
            fmt = self.parse_format if self.parse_format else "mixed"
            dt = pd.to_datetime(text, format=fmt, errors="coerce", utc=self.utc)
            if self.utc:
                dt = dt.dt.tz_localize(None)
            dt = dt.astype("datetime64[ns]")
        missing = dt.isna().to_numpy()
        ns = dt.to_numpy().view(np.int64).copy()
        return ns, missing

    def _output_format(self, s: pd.Series, ns: np.ndarray, missing: np.ndarray) -> str | None:
        if self.storage is DatetimeStorage.NATIVE or not self.parse_format:
            return self.parse_format
        sample = np.flatnonzero(~missing)[:200]
        original = s.iloc[sample].astype(str).to_numpy()
        candidates = [self.parse_format]
        if "%z" in self.parse_format:
            candidates.append(self.parse_format.replace("%z", "Z"))
        for fmt in candidates:
            if (self._format(ns[sample], fmt) == original).all():
                return fmt
        return self.parse_format

    def _format(self, ns: np.ndarray, fmt: str | None) -> np.ndarray:
        # format each distinct instant once: synthetic datetimes repeat at the source granularity
        uniq, inverse = np.unique(ns, return_inverse=True)
        index = pd.DatetimeIndex(uniq.view("M8[ns]"))
        if self.utc:
            index = index.tz_localize("UTC")
        text = index.strftime(fmt) if fmt else index.astype(str)
        return np.asarray(text, dtype=object)[inverse]

    def transform(self, s, rng):
        ns, missing = self._parse(s)
        seconds = ns.astype(np.float64) / _NS_PER_S
        if missing.any():
            observed = seconds[~missing]
            if observed.size == 0:  # all missing (e.g. a context column of parents all alive)
                observed = np.array([self.minimum / _NS_PER_S])
            seconds[missing] = observed[rng.integers(0, observed.size, size=int(missing.sum()))]
        out = {}
        if self.missing.has_missing:
            out[self.null_column] = self.missing.encode(s, missing)
        out[self.name] = seconds
        return out

    def inverse(self, frame, n, rng):
        seconds = np.asarray(frame[self.name], dtype=np.float64)
        seconds = np.where(np.isfinite(seconds), seconds, self.minimum / _NS_PER_S)
        units = np.round(seconds * (_NS_PER_S / self.unit_ns))
        ns = np.clip(units.astype(np.int64) * self.unit_ns, self.minimum, self.maximum)
        codes = None
        missing = np.zeros(n, dtype=bool)
        if self.missing.has_missing:
            codes = np.clip(
                np.asarray(frame[self.null_column]).astype(np.int64), 0, self.missing.n_codes - 1
            )
            missing = codes > 0
        if self.storage is DatetimeStorage.NATIVE:
            stamps = ns.view("M8[ns]").copy()
            stamps[missing] = np.datetime64("NaT")
            dt = pd.Series(stamps)
            if self.tz is not None:
                dt = dt.dt.tz_localize("UTC").dt.tz_convert(self.tz)
            return dt.astype(self.dtype)
        text = self._format(ns, self.output_format)
        if self.storage is DatetimeStorage.INTEGER:
            values = pd.to_numeric(pd.Series(text), errors="coerce").to_numpy(dtype=np.float64)
            if missing.any():
                values[missing] = np.nan
            if _is_numpy_integer(self.dtype):
                return pd.Series(values.astype(self.dtype))
            if self.dtype == object:
                out = (
                    values.astype(np.int64, copy=False).astype(object)
                    if not missing.any()
                    else values.astype(object)
                )
                if missing.any():
                    out[~missing] = values[~missing].astype(np.int64).astype(object)
                    out[missing] = self.missing.decode(codes[missing])
                return pd.Series(out, dtype=object)
            return pd.Series(values).astype(self.dtype)
        if missing.any():
            text[missing] = self.missing.decode(codes[missing])
        return pd.Series(text, dtype=self.dtype)


class _DateOfBirthHandler(_DatetimeHandler):
    """Dates of birth: fresh dates from the source's range and shape, in the source's format.

    Only 101 quantiles of the dates are kept; each fake is a draw from them plus a jitter of
    about two months, at day granularity.
    """

    def fit(self, s, rng):
        super().fit(s, rng)
        ns, missing = self._parse(s)
        self.quantiles = np.quantile(
            ns[~missing].astype(np.float64) / _NS_PER_S, np.linspace(0, 1, 101)
        )
        self.null_share = float(missing.mean())
        self.unit_ns = max(self.unit_ns, _DATETIME_UNITS_NS[0])
        self.model_columns, self.roles, self.n_codes = [], {}, {}

    def inverse(self, frame, n, rng):
        seconds = np.interp(rng.random(n), np.linspace(0, 1, 101), self.quantiles)
        seconds += rng.normal(0.0, 60 * 86_400, size=n)
        frame = {self.name: seconds}
        if self.missing.has_missing:
            frame[self.null_column] = (rng.random(n) < self.null_share).astype(np.int64)
        return super().inverse(frame, n, rng)
