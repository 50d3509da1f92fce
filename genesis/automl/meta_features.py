"""Meta-features: a handful of numbers that describe a table's shape and dependence structure.

They feed :class:`~genesis.automl.selector.MethodSelector`, which turns them into a prior
order of synthesis methods in milliseconds, before anything is fitted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import InvalidDataError, InvalidParameterError
from genesis.schema.types import ColumnKind, Schema
from genesis.validation import require_frame

#: a categorical column with more distinct labels than this counts as high-cardinality
HIGH_CARDINALITY = 50
#: rows looked at when measuring dependence (correlations, mutual information)
DEPENDENCE_ROWS = 5_000
#: numeric columns looked at when measuring dependence (pairs grow quadratically)
DEPENDENCE_COLUMNS = 20
#: quantile bins per column for the mutual-information estimate
MI_BINS = 12

_NUMERIC = (ColumnKind.CONTINUOUS, ColumnKind.INTEGER)
_CATEGORICAL = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)


@dataclass(frozen=True)
class MetaFeatures:
    """What a method selector needs to know about a table.

    Attributes:
        n_rows, n_columns: the table's size.
        numeric_ratio: share of columns that are continuous or integer.
        categorical_ratio: share of columns that are categorical or boolean.
        missing_ratio: share of missing cells over the whole table.
        has_high_cardinality: some categorical column has more than ``HIGH_CARDINALITY`` labels.
        has_temporal: some column holds datetimes.
        max_correlation: largest ``|Pearson r|`` between two numeric columns (0 with fewer than
            two).
        max_cardinality: most distinct labels of a categorical column (0 without one).
        nonlinearity: largest gap, over numeric pairs, between the dependence mutual
            information sees (as the informational coefficient of correlation
            ``sqrt(1 - exp(-2 MI))``, which equals ``|r|`` for Gaussian pairs) and the linear
            dependence ``|r|``; near 0 when every dependence is linear, towards 1 when a pair
            is tightly but non-linearly related (``y = x**2``).
        mean_abs_skewness: mean absolute skewness of the numeric columns.
    """

    n_rows: int
    n_columns: int
    numeric_ratio: float
    categorical_ratio: float
    missing_ratio: float
    has_high_cardinality: bool
    has_temporal: bool
    max_correlation: float
    max_cardinality: int = 0
    nonlinearity: float = 0.0
    mean_abs_skewness: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The features as a plain dict (for logging and metadata)."""
        return asdict(self)


class MetaFeatureExtractor:
    """Compute :class:`MetaFeatures` of a table, vectorised, in well under a second.

    Args:
        seed: seed of the row subsample used for the dependence measures.
    """

    def __init__(self, *, seed: int = 0) -> None:
        self.seed = seed

    def extract(self, df: pd.DataFrame, schema: Schema | None = None) -> MetaFeatures:
        """The meta-features of ``df``.

        Args:
            df: the table (at least one row and one column).
            schema: its schema; inferred from a subsample of ``df`` when not given.
        """
        require_frame(df, "the table")
        if df.shape[0] == 0 or df.shape[1] == 0:
            raise InvalidDataError(
                f"the table is empty ({df.shape[0]} rows x {df.shape[1]} columns); pass a table "
                "with at least one row and one column"
            )
        if not isinstance(self.seed, int | np.integer) or isinstance(self.seed, bool):
            raise InvalidParameterError(f"seed must be an integer, got {self.seed!r}")
        rng = np.random.default_rng(int(self.seed))
        sample = df
        if len(df) > DEPENDENCE_ROWS:
            sample = df.iloc[np.sort(rng.choice(len(df), DEPENDENCE_ROWS, replace=False))]
        if schema is None:
            from genesis.schema import infer_schema

            schema = infer_schema(sample.reset_index(drop=True))
        kinds = {c.name: c.kind for c in schema if c.name in df.columns}
        numeric = [n for n, k in kinds.items() if k in _NUMERIC]
        categorical = [n for n, k in kinds.items() if k in _CATEGORICAL]
        n_columns = df.shape[1]
        missing = df.isna().to_numpy().mean()
        tokens = {c.name: c.missing_tokens for c in schema if c.missing_tokens and c.name in df}
        if tokens:  # "?" in Adult is missing too
            token_cells = sum(int(df[n].isin(t).sum()) for n, t in tokens.items())
            missing += token_cells / df.size
        cardinality = [int(df[n].nunique()) for n in categorical]
        values = _numeric_matrix(sample, numeric[:DEPENDENCE_COLUMNS])
        corr, nonlinearity = _dependence(values)
        return MetaFeatures(
            n_rows=int(len(df)),
            n_columns=int(n_columns),
            numeric_ratio=len(numeric) / n_columns,
            categorical_ratio=len(categorical) / n_columns,
            missing_ratio=float(missing),
            has_high_cardinality=any(c > HIGH_CARDINALITY for c in cardinality),
            has_temporal=any(k is ColumnKind.DATETIME for k in kinds.values()),
            max_correlation=corr,
            max_cardinality=max(cardinality, default=0),
            nonlinearity=nonlinearity,
            mean_abs_skewness=_mean_abs_skewness(values),
        )


def _numeric_matrix(df: pd.DataFrame, columns: list[str]) -> np.ndarray:
    if not columns:
        return np.empty((len(df), 0))
    frame = df[columns].apply(pd.to_numeric, errors="coerce")
    return frame.to_numpy(dtype=np.float64, na_value=np.nan)


def _mean_abs_skewness(values: np.ndarray) -> float:
    if values.shape[1] == 0:
        return 0.0
    skew = pd.DataFrame(values).skew().abs()
    return float(skew.dropna().mean()) if skew.notna().any() else 0.0


def _dependence(values: np.ndarray) -> tuple[float, float]:
    """``(max |r|, max nonlinearity)`` over the numeric column pairs."""
    n_rows, n_cols = values.shape
    if n_cols < 2 or n_rows < 10:
        return 0.0, 0.0
    # missing values at the column median, so every pair uses every row
    medians = np.nanmedian(np.where(np.isfinite(values), values, np.nan), axis=0)
    medians = np.where(np.isnan(medians), 0.0, medians)
    filled = np.where(np.isfinite(values), values, medians)
    std = filled.std(axis=0)
    varying = std > 0
    filled, std = filled[:, varying], std[varying]
    if filled.shape[1] < 2:
        return 0.0, 0.0
    z = (filled - filled.mean(axis=0)) / std
    corr = np.abs(z.T @ z / len(z))
    np.fill_diagonal(corr, 0.0)
    codes, n_bins = _quantile_codes(filled)
    k = filled.shape[1]
    gap = np.zeros((k, k))
    for i in range(k):  # loops over column pairs (at most 190), never over rows
        for j in range(i + 1, k):
            mi = _mutual_information(codes[:, i], codes[:, j], n_bins[i], n_bins[j])
            informational = np.sqrt(1.0 - np.exp(-2.0 * mi))
            gap[i, j] = informational - corr[i, j]
    return float(np.clip(corr.max(), 0, 1)), float(np.clip(gap.max(), 0, 1))


def _quantile_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each column cut into up to ``MI_BINS`` quantile bins (ties kept together)."""
    # ranks -> equal-frequency bins; dense ranks keep a spiky column's ties in one bin
    ranks = pd.DataFrame(values).rank(method="dense").to_numpy()
    distinct = ranks.max(axis=0)
    bins = np.minimum(distinct, MI_BINS).astype(np.int64)
    codes = np.floor((ranks - 1) / distinct * bins).astype(np.int64)
    return np.minimum(codes, bins - 1), bins


def _mutual_information(a: np.ndarray, b: np.ndarray, na: int, nb: int) -> float:
    """Plug-in mutual information (nats) of two binned columns, minus its bias (Miller-Madow)."""
    joint = np.bincount(a * nb + b, minlength=na * nb).reshape(na, nb) / a.size
    pa, pb = joint.sum(axis=1), joint.sum(axis=0)
    nz = joint > 0
    mi = float((joint[nz] * np.log(joint[nz] / np.outer(pa, pb)[nz])).sum())
    bias = (nz.sum() - (pa > 0).sum() - (pb > 0).sum() + 1) / (2.0 * a.size)
    return max(mi - bias, 0.0)
