"""Small building blocks of domain validity rules: each check looks at every row of a table
and, when some break the rule, returns one readable line (table, rule, how many rows, a few
examples). A rule whose table or columns are absent is skipped, so the same rules run on a
generator's own tables and on a user's fitted tables that have only some of them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def has(tables: dict[str, pd.DataFrame], table: str, *columns: str) -> bool:
    """Whether ``tables[table]`` exists and has every one of ``columns``."""
    frame = tables.get(table)
    return isinstance(frame, pd.DataFrame) and all(c in frame.columns for c in columns)


def broken(table: str, rule: str, bad: np.ndarray | pd.Series, frame: pd.DataFrame) -> list[str]:
    """``[line]`` naming the rule and the rows of ``frame`` where ``bad`` is True, or ``[]``."""
    mask = np.asarray(bad, dtype=bool)
    count = int(mask.sum())
    if count == 0:
        return []
    rows = list(frame.index[mask][:3])
    return [f"{table}: {count} of {len(frame)} rows break '{rule}' (e.g. rows {rows})"]


def unique_key(tables: dict[str, pd.DataFrame], table: str, columns: list[str]) -> list[str]:
    """The key ``columns`` of ``table`` are present and unique."""
    if not has(tables, table, *columns):
        return []
    frame = tables[table]
    bad = frame[columns].isna().any(axis=1) | frame.duplicated(columns, keep=False)
    return broken(table, f"{'+'.join(columns)} is a unique, non-null key", bad, frame)


def foreign_key(
    tables: dict[str, pd.DataFrame], child: str, child_key: str, parent: str, parent_key: str
) -> list[str]:
    """Every non-null ``child.child_key`` is a ``parent.parent_key``."""
    if not (has(tables, child, child_key) and has(tables, parent, parent_key)):
        return []
    frame = tables[child]
    values = frame[child_key]
    bad = values.notna() & ~values.isin(tables[parent][parent_key])
    return broken(child, f"{child_key} refers to an existing {parent}.{parent_key}", bad, frame)


def drop_orphans(
    tables: dict[str, pd.DataFrame], child: str, child_key: str, parent: str, parent_key: str
) -> None:
    """Remove (in place in ``tables``) child rows whose non-null key has no parent."""
    if has(tables, child, child_key) and has(tables, parent, parent_key):
        frame = tables[child]
        keep = frame[child_key].isna() | frame[child_key].isin(tables[parent][parent_key])
        tables[child] = frame[keep.to_numpy()].reset_index(drop=True)


def parent_values(
    child: pd.DataFrame, child_key: str, parent: pd.DataFrame, parent_key: str, column: str
) -> pd.Series:
    """``parent[column]`` of each child row (NaN where the key has no parent), aligned on
    the child's index; a vectorised lookup, not a row loop."""
    lookup = parent.drop_duplicates(parent_key).set_index(parent_key)[column]
    return pd.Series(child[child_key].map(lookup).to_numpy(), index=child.index)


def as_datetime(values: pd.Series) -> pd.Series:
    """``values`` as datetimes (unparseable ones NaT)."""
    return pd.to_datetime(values, errors="coerce")


__all__ = [
    "as_datetime",
    "broken",
    "drop_orphans",
    "foreign_key",
    "has",
    "parent_values",
    "unique_key",
]
