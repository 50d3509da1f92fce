"""Turn real, synthetic and holdout tables into aligned numeric arrays, once, for every metric.

Numeric and datetime columns become float64 arrays (datetimes as seconds since the epoch),
with NaN for missing values and missing-value tokens. Categorical and boolean columns become
integer codes from one factorisation over all tables together, so a code means the same label
in every table (-1 = missing). Identifiers are kept out of every metric; columns the generator
replaces with fakes (PII, free text; :mod:`genesis.quality.pii`) are scored by their format
and null rate only.

Infinities are point masses: ``+inf`` becomes one value above every finite value of the
column in any table (the finite maximum plus its range), ``-inf`` one below, so rank-based
scores (KS) are exactly those of the infinite values, and every other metric sees finite
numbers. Their shares are recorded in ``infinite_shares``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from genesis.quality.pii import format_score, is_replaced
from genesis.schema.types import ColumnKind, ColumnSchema, DatetimeStorage, Schema

NUMERIC_KINDS = frozenset({ColumnKind.CONTINUOUS, ColumnKind.INTEGER, ColumnKind.DATETIME})
CATEGORICAL_KINDS = frozenset({ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN})
EXCLUDED_KINDS = frozenset({ColumnKind.IDENTIFIER, ColumnKind.TEXT})

#: histogram-based gradient boosting takes at most 255 bins, one of them for missing values
MAX_CATEGORY_CODES = 254

_EPOCH = pd.Timestamp("1970-01-01")


@dataclass
class PreparedTables:
    """Aligned arrays of every table, and which columns are numeric or categorical.

    Attributes:
        numeric: names of the continuous, integer and datetime columns, in source order.
        categorical: names of the categorical and boolean columns, in source order.
        excluded: identifier, text and replaced (PII) columns, which no value-based metric
            looks at.
        formatted: the replaced columns (PII, free text), scored by format and null rate.
        format_scores: the format score of each of them (see :func:`genesis.quality.pii.format_score`).
        infinite_shares: per table, the share of ``±inf`` of each numeric column that has any.
        n_levels: number of distinct labels of each categorical column over all tables.
        values: per table name (``"real"``, ``"synthetic"``, ``"holdout"``), a dict of column
            name to float64 array (numeric) or int64 code array (categorical, -1 = missing).
        null_shares: per table name, a dict of column name to share of missing values, for
            every column including the excluded ones.
        order: every column name in source order.
    """

    numeric: list[str]
    categorical: list[str]
    excluded: list[str]
    n_levels: dict[str, int]
    values: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    null_shares: dict[str, dict[str, float]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    formatted: list[str] = field(default_factory=list)
    format_scores: dict[str, float] = field(default_factory=dict)
    infinite_shares: dict[str, dict[str, float]] = field(default_factory=dict)
    _cache: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def modelled(self) -> list[str]:
        """Numeric and categorical columns in source order (everything but the excluded)."""
        wanted = set(self.numeric) | set(self.categorical)
        return [c for c in self.order if c in wanted]

    def frame(self, table: str, columns: list[str] | None = None) -> pd.DataFrame:
        """The prepared values of one table as a DataFrame (numbers and integer codes)."""
        columns = self.modelled if columns is None else columns
        return pd.DataFrame({c: self.values[table][c] for c in columns})

    def row_hashes(self, table: str) -> np.ndarray:
        """64-bit hash of each row's modelled values: equal rows, equal hashes, in any table."""
        key = f"hash:{table}"
        if key not in self._cache:
            frame = self.frame(table)
            self._cache[key] = pd.util.hash_pandas_object(frame, index=False).to_numpy()
        return self._cache[key]

    def capped_codes(self, table: str, column: str, reference: str = "real") -> np.ndarray:
        """Codes of a categorical column ranked by frequency in ``reference``, as floats.

        The :data:`MAX_CATEGORY_CODES` most frequent labels keep their own code; the rest share
        the last one. Missing values become NaN, which gradient boosting handles natively.
        """
        n = self.n_levels[column]
        ref = self.values[reference][column]
        counts = np.bincount(ref[ref >= 0], minlength=n)
        rank = np.empty(n, dtype=np.int64)
        rank[np.argsort(-counts, kind="stable")] = np.arange(n)
        rank = np.minimum(rank, MAX_CATEGORY_CODES)
        codes = self.values[table][column]
        out = np.full(codes.shape, np.nan)
        present = codes >= 0
        out[present] = rank[codes[present]]
        return out


def prepare_tables(tables: dict[str, pd.DataFrame], schema: Schema) -> PreparedTables:
    """Convert every table in ``tables`` with the column kinds of ``schema``.

    ``tables`` maps a table name to a DataFrame holding the schema's columns.
    """
    numeric, categorical, excluded = [], [], []
    prepared = PreparedTables(numeric, categorical, excluded, {}, order=list(schema.names))
    prepared.values = {name: {} for name in tables}
    prepared.null_shares = {name: {} for name in tables}
    prepared.infinite_shares = {name: {} for name in tables}
    for column in schema:
        raw = {
            name: _without_missing_tokens(df[column.name], column) for name, df in tables.items()
        }
        for name, series in raw.items():
            prepared.null_shares[name][column.name] = (
                float(series.isna().mean()) if len(series) else 0.0
            )
        if is_replaced(column):
            excluded.append(column.name)
            prepared.formatted.append(column.name)
            if "real" in raw and "synthetic" in raw:
                prepared.format_scores[column.name] = format_score(raw["real"], raw["synthetic"])
        elif column.kind in EXCLUDED_KINDS:
            excluded.append(column.name)
        elif column.kind in NUMERIC_KINDS:
            numeric.append(column.name)
            values = {name: _as_float(series, column) for name, series in raw.items()}
            for name, array in _finite_point_masses(values).items():
                prepared.values[name][column.name] = array
                shares = np.isinf(values[name]).mean() if len(array) else 0.0
                if shares:
                    prepared.infinite_shares[name][column.name] = float(shares)
        else:
            categorical.append(column.name)
            codes, uniques = pd.factorize(
                pd.concat([s.astype(object) for s in raw.values()], ignore_index=True)
            )
            prepared.n_levels[column.name] = len(uniques)
            start = 0
            for name, series in raw.items():
                prepared.values[name][column.name] = codes[start : start + len(series)].astype(
                    np.int64
                )
                start += len(series)
    return prepared


def _finite_point_masses(values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each table's array with ``±inf`` moved just beyond the finite range of all tables."""
    if not any(np.isinf(v).any() for v in values.values()):
        return values
    finite = np.concatenate([v[np.isfinite(v)] for v in values.values()])
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
    span = max(high - low, 1.0)
    return {
        name: np.where(v == np.inf, high + span, np.where(v == -np.inf, low - span, v))
        for name, v in values.items()
    }


def _without_missing_tokens(series: pd.Series, column: ColumnSchema) -> pd.Series:
    series = series.reset_index(drop=True)
    if column.missing_tokens:
        series = series.mask(series.isin(column.missing_tokens))
    return series


def _as_float(series: pd.Series, column: ColumnSchema) -> np.ndarray:
    if column.kind is ColumnKind.DATETIME:
        return _epoch_seconds(series, column)
    if series.dtype == object:
        series = pd.to_numeric(series, errors="coerce")
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _epoch_seconds(series: pd.Series, column: ColumnSchema) -> np.ndarray:
    if not pd.api.types.is_datetime64_any_dtype(series):
        text = series
        if column.datetime_storage is DatetimeStorage.INTEGER:
            numbers = pd.to_numeric(series, errors="coerce")
            text = numbers.astype("Int64").astype("string")
        if column.datetime_format:
            series = pd.to_datetime(text, format=column.datetime_format, errors="coerce", utc=True)
        else:
            series = pd.to_datetime(text, format="mixed", errors="coerce", utc=True)
    if getattr(series.dt, "tz", None) is not None:
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    seconds = (series - _EPOCH) / pd.Timedelta(seconds=1)
    return seconds.to_numpy(dtype=np.float64, na_value=np.nan)
