"""The reversible table transformer shared by every synthesizer.

:class:`TableTransformer` turns a source table into a *model frame* (float columns for
continuous values, integer codes for discrete ones) that a synthesizer learns, and turns a
synthetic model frame back into a table in exactly the source's format: column order, dtypes,
category sets, integer-ness, decimal precision, bounds, missing-value tokens, datetime storage.

Columns that must not be learned are handled here too: identifiers are regenerated unique in
the same pattern, free text and PII are replaced by fakes (:mod:`genesis.generators.fakes`),
constant and all-null columns are reproduced as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import InvalidDataError, InvalidParameterError, SchemaError
from genesis.generators import fakes
from genesis.schema.types import (
    PII_SEMANTIC_TYPES,
    ColumnKind,
    ColumnSchema,
    DatetimeStorage,
    Schema,
    SemanticType,
)

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


# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------


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
    tol = 1e-9 * np.maximum(1.0, np.abs(x))
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


# ----------------------------------------------------------------------------------------------
# column handlers
# ----------------------------------------------------------------------------------------------


class _ColumnHandler:
    """One source column: how it enters the model frame and how it comes back."""

    #: model columns produced, in order, and their roles
    model_columns: list[str]
    roles: dict[str, str]  # "continuous", "integer", "discrete", "indicator"
    n_codes: dict[str, int]

    def __init__(self, column: ColumnSchema, dtype: Any) -> None:
        self.name = column.name
        self.schema = column
        self.dtype = dtype
        self.model_columns = []
        self.roles = {}
        self.n_codes = {}

    def fit(self, s: pd.Series, rng: np.random.Generator) -> None:
        raise NotImplementedError

    def transform(self, s: pd.Series, rng: np.random.Generator) -> dict[str, np.ndarray]:
        return {}

    def inverse(
        self, frame: Mapping[str, np.ndarray], n: int, rng: np.random.Generator
    ) -> pd.Series:
        raise NotImplementedError


class _ConstantHandler(_ColumnHandler):
    """A column with a single value (or only missing values): written back as it was."""

    def fit(self, s, rng):
        self.value = _first_rows(s, np.array([0]))

    def inverse(self, frame, n, rng):
        return self.value.iloc[np.zeros(n, dtype=np.int64)].reset_index(drop=True)


class _DiscreteHandler(_ColumnHandler):
    """Categorical and boolean columns: integer codes, most frequent label first.

    Missing values (NaN, tokens such as ``"?"``) are labels of their own. Beyond
    ``max_categories`` labels the rarest share one ``__other__`` code, and the inverse draws
    them back from their empirical frequencies.
    """

    def __init__(self, column, dtype, max_categories: int) -> None:
        super().__init__(column, dtype)
        self.max_categories = max_categories

    def fit(self, s, rng):
        _, first, counts = _factorize(s)
        self.labels = _first_rows(s, first)  # every label, in the source dtype
        n_labels = first.size
        if n_labels > self.max_categories:
            self.n_kept = self.max_categories - 1
            rare = counts[self.n_kept :].astype(np.float64)
            self.rare_p = rare / rare.sum()
            self.code_labels = [*self._label_names(self.n_kept), OTHER_LABEL]
        else:
            self.n_kept = n_labels
            self.rare_p = None
            self.code_labels = self._label_names(n_labels)
        self._lookup = _value_keys(self.labels.to_numpy(dtype=object))
        self.model_columns = [self.name]
        self.roles = {self.name: "discrete"}
        self.n_codes = {self.name: len(self.code_labels)}

    def _label_names(self, k: int) -> list[Any]:
        return list(self.labels.iloc[:k].to_numpy(dtype=object))

    def transform(self, s, rng):
        uniques_codes, uniques = pd.factorize(
            s.to_numpy(dtype=object) if isinstance(s.dtype, pd.CategoricalDtype) else s,
            use_na_sentinel=False,
        )
        label_pos = self._lookup.get_indexer(_value_keys(np.asarray(uniques, dtype=object)))
        if (label_pos < 0).any():
            unknown = [u for u, p in zip(uniques, label_pos, strict=True) if p < 0][:5]
            raise InvalidDataError(
                f"column {self.name!r} holds values not seen when fitting ({unknown}); "
                "refit the transformer on data that contains them"
            )
        codes = np.minimum(label_pos, self.n_kept)[uniques_codes]
        return {self.name: codes.astype(np.int64)}

    def inverse(self, frame, n, rng):
        codes = np.clip(np.asarray(frame[self.name]).astype(np.int64), 0, len(self.code_labels) - 1)
        if self.rare_p is not None:
            other = codes == self.n_kept
            n_other = int(other.sum())
            if n_other:
                codes = codes.copy()
                codes[other] = self.n_kept + rng.choice(
                    self.rare_p.size, size=n_other, p=self.rare_p
                )
        return self.labels.iloc[codes].reset_index(drop=True)


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


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, (int, float, np.integer, np.floating))
        and not isinstance(value, bool)
        and np.isfinite(value)
    )


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


class _IdentifierHandler(_ColumnHandler):
    """Unique keys: never learned, regenerated unique in the source's pattern."""

    def fit(self, s, rng):
        present = s.dropna()
        self.null_share = 1 - len(present) / len(s) if len(s) else 0.0
        self.null_value = (
            _first_rows(s, np.flatnonzero(s.isna().to_numpy())[:1]) if self.null_share else None
        )
        self.numeric = pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(
            s.dtype
        )
        if self.numeric:
            self.low, self.high = int(present.min()), int(present.max())
        else:
            self.templates = fakes.pattern_templates(present.astype(str).to_numpy(dtype=object))

    def inverse(self, frame, n, rng):
        if self.numeric:
            values = fakes.unique_integers(n, self.low, self.high, rng).astype(object)
        else:
            values = fakes.unique_from_pattern(self.templates, n, rng)
        out = pd.Series(values, dtype=object)
        if self.null_value is not None and n:
            missing = rng.random(n) < self.null_share
            out[missing] = self.null_value.iloc[0]
        if self.numeric and self.null_value is None and _is_numpy_integer(self.dtype):
            return pd.Series(values.astype(np.int64)).astype(self.dtype)
        return _cast(out, self.dtype)


class _FakeHandler(_ColumnHandler):
    """Free text and personally identifying columns: replaced by realistic fakes."""

    def fit(self, s, rng):
        missing = _missing_mask(s, self.schema)
        self.null_share = float(missing.mean()) if len(s) else 0.0
        self.null_value = _first_rows(s, np.flatnonzero(missing)[:1]) if missing.any() else None
        self.faker = fakes.ColumnFaker.fit(self.schema, s, s[~missing], rng)

    def inverse(self, frame, n, rng):
        out = pd.Series(self.faker.generate(n, rng), dtype=object)
        if self.null_value is not None and n:
            missing = rng.random(n) < self.null_share
            if missing.any():
                out[missing] = self.null_value.iloc[0]
        return _cast(out, self.dtype)


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


# ----------------------------------------------------------------------------------------------
# the table transformer
# ----------------------------------------------------------------------------------------------


#: semantic types whose columns are replaced by fakes even when not flagged ``pii``
FAKE_SEMANTIC_TYPES = PII_SEMANTIC_TYPES | {SemanticType.URL, SemanticType.POSTAL_CODE}


def _is_fake_column(column: ColumnSchema) -> bool:
    # latitude, longitude and money are not PII: they are learned like any number
    return (
        column.kind is ColumnKind.TEXT or column.pii or column.semantic_type in FAKE_SEMANTIC_TYPES
    )


class TableTransformer:
    """Reversible map between a source table and the model frame every synthesizer learns.

    Args:
        schema: the table's :class:`~genesis.schema.Schema` (column kinds, tokens, formats).
        max_categories: categorical columns with more labels keep the ``max_categories - 1``
            most frequent and share one ``__other__`` code for the rest.
        seed: seed of the random draws made while fitting (values put in missing slots,
            identifier templates).

    After :meth:`fit`: ``model_columns_`` (model frame columns, in order),
    ``discrete_columns_`` (those holding integer codes), ``n_codes_`` (codes per discrete
    column), ``roles_`` (``"continuous"``, ``"integer"``, ``"discrete"`` or ``"indicator"``
    per model column), ``source_columns_`` (model columns of each source column) and
    ``modelled_columns_`` (source columns that are learned, in source order).
    """

    def __init__(self, schema: Schema, *, max_categories: int = 100, seed: int = 0) -> None:
        self.schema = schema
        self.max_categories = max_categories
        self.seed = seed

    def _handler(self, column: ColumnSchema, s: pd.Series) -> _ColumnHandler:
        dtype = s.dtype
        # PII first: even a constant PII column must not come out with its real value
        if _is_fake_column(column) and not _missing_mask(s, column).all():
            if column.semantic_type is SemanticType.DATE_OF_BIRTH:
                try:
                    _DateOfBirthHandler(column, dtype).fit(s, np.random.default_rng(0))
                    return _DateOfBirthHandler(column, dtype)
                except (SchemaError, ValueError, TypeError):
                    pass
            return _FakeHandler(column, dtype)
        if s.nunique(dropna=False) <= 1:
            return _ConstantHandler(column, dtype)
        if column.kind is ColumnKind.IDENTIFIER or (
            # every value distinct and too many to learn: a key, whatever the schema says;
            # learning it would only copy real values out
            column.kind is ColumnKind.CATEGORICAL
            and len(s) > self.max_categories
            and s.notna().all()
            and s.is_unique
        ):
            return _IdentifierHandler(column, dtype)
        if column.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
            return _DiscreteHandler(column, dtype, self.max_categories)
        if column.kind is ColumnKind.DATETIME:
            return _DatetimeHandler(column, dtype)
        handler = _NumericHandler(column, dtype)
        values, missing = handler._parse(s)
        if (~missing).sum() == 0:
            # nothing parses as a number: keep the values as labels
            return _DiscreteHandler(column, dtype, self.max_categories)
        return handler

    def fit(self, df: pd.DataFrame) -> TableTransformer:
        """Learn how each column enters and leaves the model frame."""
        if (
            not isinstance(self.max_categories, (int, np.integer))
            or isinstance(self.max_categories, bool)
            or self.max_categories < 2
        ):
            raise InvalidParameterError(
                f"max_categories must be an integer >= 2, got {self.max_categories!r}; "
                "pass e.g. max_categories=100"
            )
        if list(df.columns) != self.schema.names:
            raise SchemaError(
                f"the schema's columns {self.schema.names} do not match the table's "
                f"{list(df.columns)}; infer the schema from this table with genesis.schema.infer_schema"
            )
        rng = np.random.default_rng(self.seed)
        self.columns_ = list(df.columns)
        self.dtypes_ = df.dtypes.copy()
        self.handlers_: list[_ColumnHandler] = []
        taken = set(self.columns_)
        for column in self.schema:
            s = df[column.name].reset_index(drop=True)
            handler = self._handler(column, s)
            handler.fit(s, rng)
            for model_column in handler.model_columns:
                if model_column != column.name and model_column in taken:
                    raise SchemaError(
                        f"the model column {model_column!r} would clash with a source column; "
                        f"rename the source column {model_column!r}"
                    )
            taken.update(handler.model_columns)
            self.handlers_.append(handler)
        self.model_columns_ = [m for h in self.handlers_ for m in h.model_columns]
        self.roles_ = {m: r for h in self.handlers_ for m, r in h.roles.items()}
        self.n_codes_ = {}
        for h in self.handlers_:
            self.n_codes_.update(h.n_codes)
            if isinstance(h, _DiscreteHandler):
                self.n_codes_[h.name] = h.n_codes[h.name]
        self.discrete_columns_ = [
            m for m in self.model_columns_ if self.roles_[m] in ("discrete", "indicator")
        ]
        self.source_columns_ = {
            h.name: list(h.model_columns) for h in self.handlers_ if h.model_columns
        }
        self.modelled_columns_ = list(self.source_columns_)
        self._transform_seed = int(rng.integers(2**63))
        return self

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        """The model frame of ``df`` (same columns as the table the transformer was fitted on)."""
        rng = np.random.default_rng(self._transform_seed)
        data: dict[str, np.ndarray] = {}
        for handler in self.handlers_:
            if handler.model_columns:
                data.update(handler.transform(df[handler.name].reset_index(drop=True), rng))
        frame = pd.DataFrame(
            {m: data[m] for m in self.model_columns_}, index=pd.RangeIndex(len(df))
        )
        return frame

    def fit_transform(self, df: pd.DataFrame) -> pd.DataFrame:
        """:meth:`fit` then :meth:`transform`."""
        return self.fit(df).transform(df)

    def inverse_transform(
        self,
        frame: pd.DataFrame | Mapping[str, np.ndarray],
        rng: np.random.Generator | int | None = None,
        n: int | None = None,
    ) -> pd.DataFrame:
        """Turn a (synthetic) model frame back into a table in the source's exact format.

        Args:
            frame: the model frame, as a DataFrame or a mapping of column name to array.
            rng: drives the draws that are not in the model frame: rare categories behind
                ``__other__``, identifiers, fakes (a Generator, a seed, or None).
            n: number of rows; needed only when the frame has no columns.
        """
        rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        if isinstance(frame, pd.DataFrame):
            arrays = {m: frame[m].to_numpy() for m in self.model_columns_ if m in frame.columns}
            n = len(frame) if n is None else n
        else:
            arrays = {m: np.asarray(frame[m]) for m in self.model_columns_ if m in frame}
            if n is None:
                n = len(next(iter(arrays.values()))) if arrays else 0
        missing = [m for m in self.model_columns_ if m not in arrays]
        if missing:
            raise InvalidDataError(
                f"model frame lacks columns {missing}; pass the frame the synthesizer produced"
            )
        out = {}
        for handler in self.handlers_:
            series = handler.inverse(arrays, n, rng)
            series.index = pd.RangeIndex(n)
            out[handler.name] = series
        if len(out) > 100:
            return pd.DataFrame(out, columns=pd.Index(self.columns_, dtype=object))
        # column by column: for narrow tables this skips pandas' block consolidation, a full
        # copy of every object column (a third of the time of a million-row draw)
        table = pd.DataFrame(index=pd.RangeIndex(n))
        for name in self.columns_:
            table[name] = out[name]
        return table
