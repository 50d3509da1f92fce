"""``DriftDetector``: which columns of a current table moved away from a baseline table."""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from genesis.drift import statistics as st
from genesis.drift.columns import PII_KIND, SchemaColumns, from_schema, mask_tokens, value_format
from genesis.drift.report import ColumnDrift, DriftReport
from genesis.errors import InvalidDataError, InvalidParameterError
from genesis.validation import require_frame

#: column kinds the detector knows; datetimes are compared as epoch seconds, ``pii`` columns
#: by the format of their values (see :mod:`genesis.drift.columns`)
KINDS = ("numeric", "categorical", "datetime", PII_KIND)
#: at or below this many non-missing baseline values, p-value tests; above, distances
SMALL_BASELINE_ROWS = 1000
#: at most this many distinct values: a numeric column is tested like a categorical one
_FEW_VALUES = 5
_UNSEEN_LISTED = 20
_PARALLEL_MIN_CELLS = 200_000  # below this, threads cost more than they save


@dataclass
class _Prepared:
    """One column of one table, cleaned: sorted finite numbers, or value counts."""

    kind: str
    rows: int
    missing: int
    sorted_values: np.ndarray | None = None  # numeric / datetime
    counts: pd.Series | None = None  # categorical: value -> count (> 0)

    @property
    def n(self) -> int:
        return self.rows - self.missing


class DriftDetector:
    """Detect drift column by column between a baseline and a current table.

    The automatic test choice is Evidently 0.7's (``DataDriftPreset`` defaults), decided per
    column on the baseline's non-missing values:

    - baseline of at most 1,000 values: numeric columns with more than 5 distinct values
      (over both tables) get the Kolmogorov-Smirnov test, others chi-squared (more than two
      values) or the two-proportion z-test (two values); drift when p < 0.05 (KS: <=).
    - more than 1,000 values: numeric columns with more than 5 distinct values get the
      Wasserstein distance normed by the baseline's standard deviation, others the
      Jensen-Shannon distance; drift when the distance is >= 0.1.

    Any test can be asked for by column (``tests={"age": "psi"}``); ``ks`` and
    ``wasserstein`` need a numeric or datetime column. PSI is read as < 0.1 no shift,
    0.1 to 0.2 moderate, >= 0.2 significant (``ColumnDrift.psi_level``).

    Missing values are left out of the tests (as Evidently does) and judged on their own:
    a column's missing rate drifts when the absolute change of its missing share is at least
    ``missing_threshold`` AND a two-proportion z-test finds it significant (p < 0.05), so
    neither a tiny change in a huge table nor noise in a small one counts. A column drifts
    when its distribution or its missing rate drifts. Infinities count as missing.

    Categories the baseline never had are counted over the union of both tables' values
    (chi-squared then gives p = 0; distances see a baseline share of 0) and listed in
    ``ColumnDrift.unseen_categories``. Datetime columns (datetime64 dtypes, or columns named
    in ``column_kinds`` as ``"datetime"``, parsed from text) are compared as epoch seconds.
    A baseline column absent from the current table counts as drifted.

    The dataset drifts when the share of drifted columns is at least ``drift_share``.

    With the table's ``schema`` (:func:`genesis.schema.infer_schema`), each column is compared
    as the schema describes it (:mod:`genesis.drift.columns`): its missing-value tokens
    (Adult's ``?``) count as missing values, identifiers and free text are left out, and the
    columns marked ``pii`` (replaced by fakes in synthetic data) are compared by the format of
    their values and their null rate, never by their values.

    Args:
        tests: ``"auto"``, or a mapping column -> test name (one of
            :data:`genesis.drift.statistics.TESTS` or ``"auto"``); unnamed columns use auto.
        thresholds: optional overrides, keyed by column name or by test name (a column's
            own entry wins), e.g. ``{"wasserstein": 0.2, "age": 0.01}``.
        drift_share: share of drifted columns at which the dataset drifts (0 < x <= 1).
        missing_threshold: least absolute change of a missing share that can count as drift.
        column_kinds: optional mapping column -> ``"numeric"``, ``"categorical"`` or
            ``"datetime"``; other columns: bool and text are categorical, datetime64 is
            datetime, other numbers numeric.
        n_jobs: threads over columns for large tables (None: up to 4, one per core).
        columns: compare only these baseline columns (None: every column, or with a schema
            every column but identifiers and free text).
        schema: the table's :class:`~genesis.schema.types.Schema`; ``column_kinds`` entries
            win over the kinds it gives.
    """

    def __init__(
        self,
        tests: str | Mapping[str, str] = "auto",
        thresholds: Mapping[str, float] | None = None,
        drift_share: float = 0.5,
        *,
        missing_threshold: float = 0.05,
        column_kinds: Mapping[str, str] | None = None,
        n_jobs: int | None = None,
        columns: list[str] | None = None,
        schema: Any = None,
    ) -> None:
        self.tests = tests
        self.thresholds = thresholds
        self.drift_share = drift_share
        self.missing_threshold = missing_threshold
        self.column_kinds = column_kinds
        self.n_jobs = n_jobs
        self.columns = columns
        self.schema = schema

    # -- validation ----------------------------------------------------------------------------
    def _validate(self, baseline: pd.DataFrame, current: pd.DataFrame) -> None:
        for name, df in (("baseline", baseline), ("current", current)):
            require_frame(df, name)
            if df.columns.has_duplicates:
                dupes = sorted(map(str, set(df.columns[df.columns.duplicated()])))
                raise InvalidDataError(
                    f"{name} has duplicate column names {dupes}; give every column a distinct name"
                )
            if len(df) == 0:
                raise InvalidDataError(
                    f"the {name} table has no rows; pass at least one row to compare"
                )
        if not set(baseline.columns) & set(current.columns):
            raise InvalidDataError(
                f"the tables share no column (baseline: {list(baseline.columns)[:10]}, current: "
                f"{list(current.columns)[:10]}); compare two versions of the same table"
            )
        share = self.drift_share
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share <= 1:
            raise InvalidParameterError(
                f"drift_share must be a number in (0, 1], got {share!r}; e.g. drift_share=0.5"
            )
        mt = self.missing_threshold
        if isinstance(mt, bool) or not isinstance(mt, (int, float)) or not 0 <= mt <= 1:
            raise InvalidParameterError(
                f"missing_threshold must be a number in [0, 1], got {mt!r}; e.g. 0.05"
            )
        if not (self.n_jobs is None or (isinstance(self.n_jobs, int) and self.n_jobs >= 1)):
            raise InvalidParameterError(
                f"n_jobs must be None or an integer >= 1, got {self.n_jobs!r}"
            )
        columns = set(map(str, baseline.columns))
        if self.columns is not None:
            if isinstance(self.columns, str) or not all(isinstance(c, str) for c in self.columns):
                raise InvalidParameterError(
                    f"columns must be a list of column names or None, got {self.columns!r}"
                )
            unknown = [c for c in self.columns if c not in columns]
            if unknown or not self.columns:
                raise InvalidParameterError(
                    f"columns {unknown or '[]'} are not baseline columns; choose among "
                    f"{sorted(columns)[:20]}"
                )
        tests = self.tests
        if isinstance(tests, str):
            if tests != "auto":
                raise InvalidParameterError(
                    f"tests must be 'auto' or a mapping column -> test, got {tests!r}; e.g. "
                    "tests={'age': 'psi'}"
                )
        elif isinstance(tests, Mapping):
            for column, test in tests.items():
                if column not in columns:
                    raise InvalidParameterError(
                        f"tests names column {column!r}, which the baseline lacks; its columns "
                        f"are {sorted(columns)[:20]}"
                    )
                if test != "auto" and test not in st.TESTS:
                    raise InvalidParameterError(
                        f"unknown test {test!r} for column {column!r}; use one of "
                        f"{['auto', *st.TESTS]}"
                    )
        else:
            raise InvalidParameterError(
                f"tests must be 'auto' or a mapping column -> test, got {type(tests).__name__}"
            )
        for key, value in (self.thresholds or {}).items():
            if key not in columns and key not in st.TESTS:
                raise InvalidParameterError(
                    f"thresholds key {key!r} is neither a column nor a test; use a column name "
                    f"or one of {list(st.TESTS)}"
                )
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise InvalidParameterError(
                    f"threshold for {key!r} must be a number >= 0, got {value!r}"
                )
        for column, kind in (self.column_kinds or {}).items():
            if kind not in KINDS:
                raise InvalidParameterError(
                    f"column_kinds[{column!r}] is {kind!r}; use one of {list(KINDS)}"
                )
        if self.schema is not None and not (
            hasattr(self.schema, "columns") and hasattr(self.schema, "names")
        ):
            raise InvalidParameterError(
                f"schema must be a genesis Schema, got {type(self.schema).__name__}; pass "
                "genesis.schema.infer_schema(baseline) or the model's schema_"
            )

    def _plan(self) -> SchemaColumns:
        plan = from_schema(self.schema) if self.schema is not None else SchemaColumns()
        plan.kinds.update(self.column_kinds or {})
        return plan

    # -- detection -----------------------------------------------------------------------------
    def detect(self, baseline: pd.DataFrame, current: pd.DataFrame) -> DriftReport:
        """Compare ``current`` with ``baseline`` column by column.

        Returns:
            a :class:`DriftReport` with each shared column's test, value, threshold and
            flags, the drifted columns, their share and the dataset verdict.
        """
        self._validate(baseline, current)
        plan = self._plan()
        if self.columns is not None:
            judged = [c for c in baseline.columns if c in self.columns]
        else:
            judged = [c for c in baseline.columns if c not in plan.excluded]
        excluded = {c: r for c, r in plan.excluded.items() if c in baseline and c not in judged}
        shared = [c for c in judged if c in current.columns]
        missing_columns = [str(c) for c in judged if c not in current.columns]
        new_columns = [str(c) for c in current.columns if c not in baseline.columns]
        cells = (len(baseline) + len(current)) * len(shared)
        workers = self.n_jobs or min(4, os.cpu_count() or 1)
        if workers > 1 and cells >= _PARALLEL_MIN_CELLS and len(shared) > 1:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                columns = list(
                    pool.map(lambda c: self._column(c, baseline[c], current[c], plan), shared)
                )
        else:
            columns = [self._column(c, baseline[c], current[c], plan) for c in shared]
        return DriftReport(
            columns=columns,
            drift_share=float(self.drift_share),
            missing_columns=missing_columns,
            new_columns=new_columns,
            baseline_rows=len(baseline),
            current_rows=len(current),
            excluded_columns=excluded,
        )

    @staticmethod
    def _kind(name: str, series: pd.Series, plan: SchemaColumns) -> str:
        if name in plan.kinds:
            return plan.kinds[name]
        dtype = series.dtype
        if pd.api.types.is_bool_dtype(dtype):
            return "categorical"
        if pd.api.types.is_datetime64_any_dtype(dtype):
            return "datetime"
        if pd.api.types.is_numeric_dtype(dtype):
            return "numeric"
        return "categorical"

    def _threshold(self, column: str, test: str) -> float:
        thresholds = self.thresholds or {}
        if column in thresholds:
            return float(thresholds[column])
        return float(thresholds.get(test, st.DEFAULT_THRESHOLDS[test]))

    def _column(
        self, name: Any, base: pd.Series, cur: pd.Series, plan: SchemaColumns
    ) -> ColumnDrift:
        column = str(name)
        kind = self._kind(column, base, plan)
        tokens = plan.missing_tokens.get(column)
        base, cur = mask_tokens(base, tokens), mask_tokens(cur, tokens)
        if kind == PII_KIND:
            base, cur = value_format(base), value_format(cur)
        b = _prepare(base, kind)
        c = _prepare(cur, kind)
        requested = self.tests.get(column, "auto") if isinstance(self.tests, Mapping) else "auto"
        if requested in st.NUMERIC_ONLY_TESTS and kind in ("categorical", PII_KIND):
            raise InvalidParameterError(
                f"test {requested!r} needs numbers, and column {column!r} is {kind}; use "
                "chisquare, z, jensenshannon or psi, or declare it in column_kinds"
            )
        missing_p = st.missing_rate_test(b.missing, b.rows, c.missing, c.rows)
        share_b = b.missing / b.rows
        share_c = c.missing / c.rows
        missing_drift = bool(abs(share_c - share_b) >= self.missing_threshold and missing_p < 0.05)
        if b.n == 0 or c.n == 0:  # nothing to compare: only the missing rate can drift
            test, value, statistic, unseen, level = "none", float("nan"), None, [], None
            threshold = float("nan")
            distribution = False
        else:
            if kind in ("categorical", PII_KIND):
                test, value, statistic, unseen = self._categorical(b, c, requested)
            else:
                test, value, statistic, unseen = self._numeric(b, c, requested)
            threshold = self._threshold(column, test)
            distribution = st.is_drift(test, value, threshold)
            level = st.psi_level(value) if test == "psi" else None
        return ColumnDrift(
            column=column,
            kind=kind,
            test=test,
            value=value,
            value_type="p_value" if test in st.P_VALUE_TESTS else "distance",
            threshold=threshold,
            statistic=statistic,
            distribution_drift=distribution,
            missing_share_baseline=share_b,
            missing_share_current=share_c,
            missing_p_value=missing_p,
            missing_drift=missing_drift,
            drifted=distribution or missing_drift,
            n_baseline=b.n,
            n_current=c.n,
            unseen_categories=unseen,
            psi_level=level,
            compared_by="format" if kind == PII_KIND else "values",
        )

    @staticmethod
    def _numeric(b: _Prepared, c: _Prepared, test: str) -> tuple[str, float, float | None, list]:
        ref, cur = b.sorted_values, c.sorted_values
        if test == "auto":
            few = (
                st.distinct_count_sorted(ref) <= _FEW_VALUES
                and st.distinct_count_sorted(cur) <= _FEW_VALUES
                and len(np.union1d(ref, cur)) <= _FEW_VALUES
            )
            if b.n <= SMALL_BASELINE_ROWS:
                n_values = len(np.union1d(ref, cur)) if few else _FEW_VALUES + 1
                test = "ks" if not few else ("chisquare" if n_values > 2 else "z")
            else:
                test = "jensenshannon" if few else "wasserstein"
        if test == "ks":
            statistic, p = st.ks_test(ref, cur)
            return test, p, statistic, []
        if test == "wasserstein":
            return test, st.wasserstein_norm(ref, cur), None, []
        if test in ("jensenshannon", "psi"):
            ref_shares, cur_shares = st.numeric_shares(ref, cur)
            fn = st.jensenshannon if test == "jensenshannon" else st.psi
            return test, fn(ref_shares, cur_shares), None, []
        ref_values, ref_counts = st.value_counts_sorted(ref)
        cur_values, cur_counts = st.value_counts_sorted(cur)
        keys = np.union1d(ref_values, cur_values)
        ref_aligned = st._align(keys, ref_values, ref_counts)
        cur_aligned = st._align(keys, cur_values, cur_counts)
        unseen = [float(v) for v in np.setdiff1d(cur_values, ref_values)[:_UNSEEN_LISTED]]
        return (*_counts_test(test, ref_aligned, cur_aligned, b.n, c.n), unseen)

    @staticmethod
    def _categorical(
        b: _Prepared, c: _Prepared, test: str
    ) -> tuple[str, float, float | None, list]:
        ref_counts, cur_counts = b.counts, c.counts
        keys = ref_counts.index.union(cur_counts.index, sort=False)
        if test == "auto":
            if b.n <= SMALL_BASELINE_ROWS:
                test = "chisquare" if len(keys) > 2 else "z"
            else:
                test = "jensenshannon"
        if test == "z":  # Evidently: the first value in sorted order against the rest
            keys = pd.Index(_sorted_keys(keys))
        ref_aligned = ref_counts.reindex(keys, fill_value=0).to_numpy(dtype=np.float64)
        cur_aligned = cur_counts.reindex(keys, fill_value=0).to_numpy(dtype=np.float64)
        unseen = [_plain(v) for v in cur_counts.index.difference(ref_counts.index)[:_UNSEEN_LISTED]]
        return (*_counts_test(test, ref_aligned, cur_aligned, b.n, c.n), unseen)


def _counts_test(
    test: str, ref: np.ndarray, cur: np.ndarray, n_ref: int, n_cur: int
) -> tuple[str, float, float | None]:
    if test == "chisquare":
        statistic, p = st.chisquare_test(ref, cur)
        return test, p, statistic
    if test == "z":
        if len(ref) > 2:
            raise InvalidParameterError(
                f"the z-test compares two values, and this column has {len(ref)}; use "
                "chisquare, jensenshannon or psi"
            )
        z, p = st.z_test(int(ref[0]), n_ref, int(cur[0]), n_cur)
        return test, p, z
    if test == "jensenshannon":
        return test, st.jensenshannon(ref / n_ref, cur / n_cur), None
    return test, st.psi(ref / n_ref, cur / n_cur), None


def _sorted_keys(keys: pd.Index) -> list[Any]:
    try:
        return sorted(keys)
    except TypeError:  # mixed types: order by text, as a stable fallback
        return sorted(keys, key=str)


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _prepare(series: pd.Series, kind: str) -> _Prepared:
    rows = len(series)
    if kind in ("categorical", PII_KIND):
        counts = series.value_counts(dropna=True, sort=False)
        counts = counts[counts > 0]
        return _Prepared(kind, rows, rows - int(counts.sum()), counts=counts)
    values = _as_seconds(series) if kind == "datetime" else _as_float(series)
    values = np.sort(values)  # NaN sorts last
    finite = int(np.count_nonzero(~np.isnan(values)))
    values = values[:finite]
    if finite and np.isinf(values[0]) | np.isinf(values[-1]):
        values = values[np.isfinite(values)]
    return _Prepared(kind, rows, rows - len(values), sorted_values=values)


def _as_float(series: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(series.dtype):
        series = series.astype("float64")
    elif not pd.api.types.is_numeric_dtype(series.dtype):
        series = pd.to_numeric(series, errors="coerce")  # unparseable text counts as missing
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


def _as_seconds(series: pd.Series) -> np.ndarray:
    if not pd.api.types.is_datetime64_any_dtype(series.dtype):
        series = pd.to_datetime(series, errors="coerce", utc=True)
    if getattr(series.dt, "tz", None) is not None:
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    nanos = series.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)
    nanos[series.isna().to_numpy()] = np.nan
    return nanos / 1e9
