"""Row and column differences between two versions of a table, vectorised."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from genesis.io.hashing import row_hashes
from genesis.validation import require_frame


@dataclass(frozen=True)
class ColumnChange:
    """How one column's statistics moved between two versions (``before`` -> ``after``)."""

    column: str
    change: str  # "added", "removed", "retyped" or "statistics"
    before: dict[str, Any]
    after: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "change": self.change,
            "before": self.before,
            "after": self.after,
        }


@dataclass(frozen=True)
class DatasetDiff:
    """What changed from one version to another.

    ``rows_added`` / ``rows_removed`` count rows as a multiset keyed by row content (over
    the columns both versions share), so reordering rows changes nothing.
    ``columns_changed`` names columns added, removed or retyped; ``column_changes`` holds
    per-column statistic changes (only columns whose statistics differ).
    """

    rows_added: int
    rows_removed: int
    columns_changed: list[str]
    column_changes: dict[str, ColumnChange] = field(default_factory=dict)
    rows_before: int = 0
    rows_after: int = 0

    @property
    def is_empty(self) -> bool:
        """True when both versions hold the same rows and columns."""
        return not (self.rows_added or self.rows_removed or self.columns_changed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows_before": self.rows_before,
            "rows_after": self.rows_after,
            "rows_added": self.rows_added,
            "rows_removed": self.rows_removed,
            "columns_changed": list(self.columns_changed),
            "column_changes": {k: v.to_dict() for k, v in self.column_changes.items()},
        }

    def summary(self) -> str:
        """One line a person reads: ``+12 rows, -3 rows, columns changed: [...]``."""
        text = f"+{self.rows_added} rows, -{self.rows_removed} rows"
        if self.columns_changed:
            text += f", columns changed: {self.columns_changed}"
        if self.column_changes:
            text += f", statistics changed in {len(self.column_changes)} column(s)"
        return text


def _multiset_difference(a: np.ndarray, b: np.ndarray) -> tuple[int, int]:
    """(rows in ``b`` not in ``a``, rows in ``a`` not in ``b``), counting duplicates."""
    keys_a, counts_a = np.unique(a, return_counts=True)
    keys_b, counts_b = np.unique(b, return_counts=True)
    keys = np.union1d(keys_a, keys_b)
    ca = np.zeros(len(keys), dtype=np.int64)
    cb = np.zeros(len(keys), dtype=np.int64)
    ca[np.searchsorted(keys, keys_a)] = counts_a
    cb[np.searchsorted(keys, keys_b)] = counts_b
    return int(np.clip(cb - ca, 0, None).sum()), int(np.clip(ca - cb, 0, None).sum())


def column_stats(series: pd.Series) -> dict[str, Any]:
    """Summary statistics of one column: numeric moments, or distinct values and mode."""
    stats: dict[str, Any] = {
        "dtype": str(series.dtype),
        "count": int(series.notna().sum()),
        "null_share": round(float(series.isna().mean()), 6) if len(series) else 0.0,
    }
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        values = series.dropna().astype(float)
        if len(values):
            stats.update(
                mean=round(float(values.mean()), 6),
                std=round(float(values.std(ddof=0)), 6),
                min=float(values.min()),
                max=float(values.max()),
            )
    else:
        counts = series.astype("string").value_counts(dropna=True)
        stats["n_unique"] = int(len(counts))
        if len(counts):
            stats["top"] = str(counts.index[0])
            stats["top_share"] = round(float(counts.iloc[0] / max(len(series), 1)), 6)
    return stats


def diff_frames(before: pd.DataFrame, after: pd.DataFrame) -> DatasetDiff:
    """Compare two tables: rows as multisets of row hashes, columns by name and dtype."""
    require_frame(before, "the first table to compare")
    require_frame(after, "the second table to compare")
    common = [c for c in before.columns if c in after.columns]
    changes: dict[str, ColumnChange] = {}
    changed: list[str] = []
    for col in before.columns:
        if col not in after.columns:
            changed.append(col)
            changes[col] = ColumnChange(col, "removed", column_stats(before[col]), {})
    for col in after.columns:
        if col not in before.columns:
            changed.append(col)
            changes[col] = ColumnChange(col, "added", {}, column_stats(after[col]))
    same_type = []
    for col in common:
        old, new = column_stats(before[col]), column_stats(after[col])
        if old["dtype"] != new["dtype"]:
            changed.append(col)
            changes[col] = ColumnChange(col, "retyped", old, new)
            continue
        same_type.append(col)
        if old != new:
            changes[col] = ColumnChange(col, "statistics", old, new)
    # rows keyed by the columns whose type both versions share; retyped ones would differ anyway
    added, removed = _multiset_difference(
        row_hashes(before[same_type]), row_hashes(after[same_type])
    )
    return DatasetDiff(
        rows_added=added,
        rows_removed=removed,
        columns_changed=changed,
        column_changes=changes,
        rows_before=len(before),
        rows_after=len(after),
    )
