"""``BaselineProfile``: what drift detection needs from a training table, and no rows.

A fitted model used to keep 5,000 training rows as its drift baseline, so every saved model
carried real records. It now keeps a per-column summary instead:

- numeric columns: 1,001 quantiles (a quantile sketch), the share of missing values and of
  each infinity, and whether the values are integers;
- datetime columns: the same, on nanoseconds since the epoch, with the time zone;
- categorical columns (text, booleans, categories): the count of each value held by at least
  ``min_count`` rows; rarer values are merged into one ``"__other__"`` bucket, so no rare real
  value (the kind that identifies a person) is stored;

and the row count. No combination of values from one row is kept: the columns are summarised
separately. :meth:`BaselineProfile.sample` turns the summary back into a *pseudo-sample*, a
representative table of each column's distribution, so ``DriftDetector().detect(baseline,
current)`` works as before. The rows of the pseudo-sample are not real rows: each column is
drawn on its own.

For a differentially private model the profile is built from the model's own synthetic rows
(:meth:`BaselineProfile.fit` on ``model.generate(...)``): post-processing of a DP output, so it
spends no privacy budget and carries nothing the model does not already publish.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from genesis.validation import require_frame, require_seed

#: quantiles kept per numeric or datetime column (0, 0.001, ..., 1)
QUANTILES = 1001
#: categories held by fewer rows are merged into :data:`OTHER`
MIN_CATEGORY_COUNT = 10
#: label of the bucket of rare categories
OTHER = "__other__"
#: rows of a pseudo-sample when none is asked for (the size of the former baseline sample)
DEFAULT_SAMPLE_ROWS = 5_000


@dataclass(frozen=True)
class ColumnProfile:
    """The summary of one column (see the module docstring)."""

    name: str
    kind: str  # "numeric", "datetime" or "categorical"
    dtype: str
    rows: int
    null_share: float
    quantiles: np.ndarray | None = None
    integer: bool = False
    posinf_share: float = 0.0
    neginf_share: float = 0.0
    tz: str | None = None
    categories: dict[Any, int] = field(default_factory=dict)

    def sample(self, n: int, rng: np.random.Generator) -> pd.Series:
        """``n`` values following this column's distribution, in its dtype."""
        # stratified positions: the pseudo-sample follows the distribution closely at any n
        u = rng.permutation((np.arange(n) + 0.5) / n) if n else np.zeros(0)
        null = u < self.null_share
        posinf = (u >= self.null_share) & (u < self.null_share + self.posinf_share)
        neginf = (u >= self.null_share + self.posinf_share) & (
            u < self.null_share + self.posinf_share + self.neginf_share
        )
        present = ~(null | posinf | neginf)
        if self.kind == "categorical":
            return self._categories(n, null, rng)
        rest = self.null_share + self.posinf_share + self.neginf_share
        share = np.clip((u - rest) / max(1.0 - rest, 1e-12), 0.0, 1.0)
        q = self.quantiles if self.quantiles is not None else np.zeros(1)
        grid = np.linspace(0.0, 1.0, q.size)
        if self.integer or self.kind == "datetime":
            # a step function: every value is one of the kept quantiles
            values = q[np.minimum(np.searchsorted(grid, share, side="left"), q.size - 1)]
        else:
            values = np.interp(share, grid, q)
        if self.kind == "datetime":
            stamps = np.where(present, values, 0).astype(np.int64).view("M8[ns]").copy()
            stamps[~present] = np.datetime64("NaT")
            out = pd.Series(stamps)
            if self.tz:
                out = out.dt.tz_localize("UTC").dt.tz_convert(self.tz)
            return out
        values = values.astype(np.float64)
        values[null] = np.nan
        values[posinf] = np.inf
        values[neginf] = -np.inf
        out = pd.Series(values)
        if self.integer and not null.any():
            return out.astype(np.int64)
        if self.integer:
            return out.astype("Int64")
        return out

    def _categories(self, n: int, null: np.ndarray, rng: np.random.Generator) -> pd.Series:
        labels = list(self.categories)
        counts = np.array([self.categories[k] for k in labels], dtype=np.float64)
        present = int((~null).sum())
        out = np.full(n, None, dtype=object)
        if present and counts.sum() > 0:
            # largest remainder: each label's share of the pseudo-sample matches its frequency
            exact = counts / counts.sum() * present
            whole = np.floor(exact).astype(np.int64)
            short = present - int(whole.sum())
            whole[np.argsort(-(exact - whole), kind="stable")[:short]] += 1
            values = np.empty(present, dtype=object)
            values[:] = [labels[i] for i in np.repeat(np.arange(len(labels)), whole)]
            out[~null] = values[rng.permutation(present)]
        if self.dtype == "bool" and not null.any() and OTHER not in self.categories:
            return pd.Series(out.astype(bool))
        return pd.Series(out, dtype=object)


class BaselineProfile:
    """Per-column summaries of a training table, for drift detection (no rows are kept).

    Build one with :meth:`fit`; read it back as a table with :meth:`sample` or
    :meth:`to_frame`. ``n_rows`` is the row count of the summarised table; ``columns`` the
    :class:`ColumnProfile` of each column, in order.
    """

    def __init__(self, columns: list[ColumnProfile], n_rows: int) -> None:
        self.columns = columns
        self.n_rows = n_rows

    @classmethod
    def fit(
        cls,
        df: pd.DataFrame,
        *,
        quantiles: int = QUANTILES,
        min_count: int = MIN_CATEGORY_COUNT,
    ) -> BaselineProfile:
        """Summarise ``df`` column by column.

        Args:
            df: the table (e.g. the training rows of a model).
            quantiles: quantiles kept per numeric or datetime column (at least 2).
            min_count: categories held by fewer rows go into the ``"__other__"`` bucket.
        """
        df = require_frame(df, "the baseline table")
        columns = [_profile_column(str(name), df[name], quantiles, min_count) for name in df]
        return cls(columns, len(df))

    @property
    def names(self) -> list[str]:
        """The column names, in order."""
        return [c.name for c in self.columns]

    def sample(self, n: int | None = None, seed: int = 0) -> pd.DataFrame:
        """A pseudo-sample of ``n`` rows (default: the table's rows, at most 5,000).

        Each column follows its own summarised distribution (its values in sorted-quantile
        or frequency proportion, shuffled with ``seed``); columns are independent, so rows
        are not real rows. ``DriftDetector().detect(profile.sample(), current)`` compares a
        current table with the baseline.
        """
        seed = require_seed(seed) or 0
        if n is None:
            n = min(self.n_rows, DEFAULT_SAMPLE_ROWS)
        rngs = [
            np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(self.columns))
        ]
        data = {c.name: c.sample(int(n), rng) for c, rng in zip(self.columns, rngs, strict=True)}
        return pd.DataFrame(data, index=pd.RangeIndex(int(n)))

    def to_frame(self) -> pd.DataFrame:
        """:meth:`sample` with its defaults: the baseline as a table for the drift detector."""
        return self.sample()

    def __repr__(self) -> str:
        return f"BaselineProfile({len(self.columns)} columns, {self.n_rows} rows)"


def _profile_column(name: str, s: pd.Series, quantiles: int, min_count: int) -> ColumnProfile:
    rows = len(s)
    dtype = str(s.dtype)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        tz = getattr(s.dtype, "tz", None)
        dt = s.dt.tz_convert("UTC").dt.tz_localize(None) if tz is not None else s
        missing = dt.isna().to_numpy()
        ns = dt.astype("datetime64[ns]").to_numpy().view(np.int64)[~missing]
        return ColumnProfile(
            name,
            "datetime",
            dtype,
            rows,
            float(missing.mean()) if rows else 0.0,
            quantiles=_quantiles(ns.astype(np.float64), quantiles, exact=True),
            tz=str(tz) if tz is not None else None,
        )
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        x = s.to_numpy(dtype=np.float64, na_value=np.nan)
        finite = np.isfinite(x)
        return ColumnProfile(
            name,
            "numeric",
            dtype,
            rows,
            float(np.isnan(x).mean()) if rows else 0.0,
            quantiles=_quantiles(
                x[finite], quantiles, exact=pd.api.types.is_integer_dtype(s.dtype)
            ),
            integer=pd.api.types.is_integer_dtype(s.dtype),
            posinf_share=float(np.isposinf(x).mean()) if rows else 0.0,
            neginf_share=float(np.isneginf(x).mean()) if rows else 0.0,
        )
    values = s.astype(object)
    missing = values.isna().to_numpy()
    counts = values[~missing].value_counts(sort=True)
    kept = counts[counts >= min_count]
    categories = {k: int(v) for k, v in kept.items()}
    rare = int(counts[counts < min_count].sum())
    if rare:
        categories[OTHER] = categories.get(OTHER, 0) + rare
    return ColumnProfile(
        name,
        "categorical",
        dtype,
        rows,
        float(missing.mean()) if rows else 0.0,
        categories=categories,
    )


def _quantiles(x: np.ndarray, k: int, *, exact: bool = False) -> np.ndarray | None:
    """``k`` evenly spaced quantiles; ``exact``: observed values (integers, instants)."""
    if x.size == 0:
        return None
    method = "inverted_cdf" if exact else "linear"
    return np.quantile(x, np.linspace(0.0, 1.0, int(k)), method=method)


__all__ = [
    "DEFAULT_SAMPLE_ROWS",
    "MIN_CATEGORY_COUNT",
    "OTHER",
    "QUANTILES",
    "BaselineProfile",
    "ColumnProfile",
]
