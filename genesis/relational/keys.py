"""Keys of generated tables: fresh identifiers in the real format, parent look-ups, unique
composite keys, and a table's references to itself.

* :class:`KeyFormat` learns the shape of a key column (integer range, or the character
  pattern of text codes: ``N14228``, ``JFK``, ``CUST-00042``) without keeping any value, and
  draws fresh distinct keys in it; text keys never repeat a real key (a real tail number or
  patient id must not come out). The same fresh values are written to the parent's key and
  to its children's foreign keys, so they always match.
* :func:`row_index` finds, for each child row, its parent row (``-1``: none).
* :func:`make_unique` makes a composite key unique within each parent by moving repeated
  key tuples to the nearest free tuple of the real key's range (a second weather reading of
  the same hour moves to the next free hour of that airport), vectorised: within each group
  sorted by wanted position, ``assigned_i = i + cummax(wanted_i - i)`` is the nearest
  strictly increasing sequence at or after the wanted positions, clipped from the top.
* :func:`assign_self_references` links a table to itself without cycles (see there).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from genesis.generators.fakes import (
    from_pattern,
    hash_each,
    hash_values,
    pattern_templates,
    unique_integers,
    widen,
)

_ROUNDS = 20


class KeyFormat:
    """The format of one identifier column, learned from its real values (no value kept)."""

    def __init__(self, values: pd.Series) -> None:
        observed = values.dropna()
        self.dtype = values.dtype
        self.integer = bool(pd.api.types.is_integer_dtype(values.dtype)) or (
            pd.api.types.is_float_dtype(values.dtype)
            and observed.size > 0
            and bool(np.all(observed.to_numpy() == np.round(observed.to_numpy())))
        )
        if self.integer:
            numbers = observed.to_numpy(dtype=np.int64) if observed.size else np.array([1])
            self.low, self.high = int(numbers.min()), int(numbers.max())
            self.pattern, self.real_hashes = None, None
        else:
            text = observed.astype(str).to_numpy(dtype=object)
            self.pattern = pattern_templates(text)
            self.real_hashes = hash_values(text)

    def draw(self, n: int, rng: np.random.Generator, avoid: np.ndarray | None = None) -> np.ndarray:
        """``n`` distinct fresh keys (never a real text key, nor one of ``avoid``)."""
        forbidden = None if avoid is None or not len(avoid) else hash_values(avoid)
        if self.integer:
            values = unique_integers(n, self.low, self.high, rng)
            if forbidden is not None:
                taken = np.isin(hash_each(values), forbidden)
                if taken.any():  # orphan keys: above every parent key
                    top = int(np.max(pd.to_numeric(pd.Series(avoid), errors="coerce").max()))
                    values[taken] = top + 1 + np.arange(int(taken.sum()))
            return self._cast(values)
        pattern = widen(self.pattern, n)
        values = from_pattern(pattern, n, rng)
        bad_hashes = self.real_hashes
        if forbidden is not None:
            bad_hashes = np.union1d(bad_hashes, forbidden)
        for _ in range(_ROUNDS):
            hashes = hash_each(values)
            bad = pd.Series(hashes).duplicated().to_numpy() | np.isin(hashes, bad_hashes)
            if not bad.any():
                return values
            values[bad] = from_pattern(pattern, int(bad.sum()), rng)
        # the shapes are nearly full: a counter suffix makes the rest distinct
        hashes = hash_each(values)
        bad = pd.Series(hashes).duplicated().to_numpy() | np.isin(hashes, bad_hashes)
        values[bad] = (
            pd.Series(values[bad])
            .astype(str)
            .add("-")
            .add(pd.Series(np.arange(1, int(bad.sum()) + 1)).astype(str))
            .to_numpy(dtype=object)
        )
        return values

    def _cast(self, values: np.ndarray) -> np.ndarray:
        if pd.api.types.is_float_dtype(self.dtype):
            return values.astype(np.float64)
        return values.astype(np.int64)


def row_index(child: pd.DataFrame, child_key, parent: pd.DataFrame, parent_key) -> np.ndarray:
    """For each child row, the position of its parent row in ``parent`` (the first row when
    the parent key repeats), or -1 when its key is missing or not found."""
    child_key, parent_key = list(child_key), list(parent_key)
    if len(parent_key) == 1:
        keys = parent[parent_key[0]]
        first = ~keys.duplicated().to_numpy()
        index = pd.Index(keys.to_numpy()[first])
        positions = np.flatnonzero(first)
        found = index.get_indexer(child[child_key[0]].to_numpy())
    else:
        keys = parent[parent_key]
        first = ~keys.duplicated().to_numpy()
        index = pd.MultiIndex.from_frame(keys[first].set_axis(child_key, axis=1))
        positions = np.flatnonzero(first)
        found = index.get_indexer(pd.MultiIndex.from_frame(child[child_key]))
    out = np.where(found >= 0, positions[np.maximum(found, 0)], -1)
    missing = child[child_key].isna().any(axis=1).to_numpy()
    out[missing] = -1
    return out.astype(np.int64)


def key_universe(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The distinct real tuples of ``columns``, sorted (the range :func:`make_unique` moves
    repeated keys within)."""
    return frame[columns].dropna().drop_duplicates().sort_values(columns).reset_index(drop=True)


def make_unique(
    table: pd.DataFrame,
    group_columns: list[str],
    free_columns: list[str],
    universe: pd.DataFrame,
) -> pd.DataFrame:
    """``table`` with its key (``group_columns`` + ``free_columns``) unique: within each group
    (rows of one parent), repeated or unknown ``free_columns`` tuples move to the nearest free
    tuple of ``universe`` at or after them (before, near the end); rows beyond the universe's
    size in one group are dropped. Rows already unique keep their values."""
    n = len(table)
    if n == 0 or not free_columns or universe.empty:
        return table.drop_duplicates(group_columns + free_columns).reset_index(drop=True)
    size = len(universe)
    index = pd.MultiIndex.from_frame(universe[free_columns])
    wanted = index.get_indexer(pd.MultiIndex.from_frame(table[free_columns]))
    unknown = wanted < 0
    if unknown.any():  # not a real tuple: its place in the sorted universe
        lookup = universe[free_columns].astype(str).agg("\x1f".join, axis=1).to_numpy()
        keys = table.loc[unknown, free_columns].astype(str).agg("\x1f".join, axis=1).to_numpy()
        order = np.argsort(lookup, kind="stable")
        pos = np.searchsorted(lookup[order], keys).clip(0, size - 1)
        wanted[unknown] = order[pos]
    if group_columns:
        group = table[group_columns].astype(str).agg("\x1f".join, axis=1)
        group = pd.factorize(group)[0]
    else:
        group = np.zeros(n, dtype=np.int64)
    order = np.lexsort((wanted, group))
    g, w = group[order], wanted[order]
    starts = np.r_[0, np.flatnonzero(np.diff(g)) + 1]
    lengths = np.diff(np.r_[starts, n])
    i = np.arange(n) - np.repeat(starts, lengths)  # position within the group
    k = np.repeat(lengths, lengths)
    shifted = w - i
    # running max within each group: offset groups so maxima never cross a boundary
    offset = g.astype(np.float64) * (size + n + 1)
    assigned = (np.maximum.accumulate(shifted + offset) - offset).astype(np.int64) + i
    assigned = np.minimum(assigned, size - 1 - (k - 1 - i))
    keep = assigned >= 0
    result = table.iloc[order].copy()
    moved = assigned != w
    for column in free_columns:
        values = result[column].to_numpy(copy=True)
        if moved.any():
            values = values.astype(object) if values.dtype != universe[column].dtype else values
            values[moved & keep] = universe[column].to_numpy()[assigned[moved & keep]]
        result[column] = pd.Series(values, index=result.index).astype(table[column].dtype)
    result = result[keep]
    return result.sort_index().reset_index(drop=True)


def assign_self_references(
    keys: np.ndarray, weights: np.ndarray, root_share: float, rng: np.random.Generator
) -> np.ndarray:
    """For each row, the key of the row it refers to (its manager), or None for roots.

    Rows are put in a random order with ``round(root_share * n)`` roots first (at least
    one); each other row draws its reference among the rows *before* it, with probability
    proportional to ``weights`` (the row's learned number of references to it, plus a small
    floor). Every reference points backwards, so the result is a forest: no cycle, no row
    its own manager, and rows with many learned reports get many.
    """
    n = len(keys)
    out = np.full(n, None, dtype=object)
    if n == 0:
        return out
    roots = int(np.clip(round(root_share * n), 1, n))
    w = np.clip(np.nan_to_num(np.asarray(weights, dtype=np.float64)), 0, None) + 0.05
    # rows with many reports early (they are the managers), randomised among equals
    order = np.lexsort((rng.random(n), -w))
    root_rows = rng.choice(n, size=roots, replace=False)
    rest = np.setdiff1d(order, root_rows, assume_unique=True)
    rest = order[np.isin(order, rest)]
    sequence = np.concatenate([root_rows, rest])
    cumulative = np.cumsum(w[sequence])
    targets = rng.random(n - roots) * cumulative[roots - 1 : n - 1]
    picks = np.searchsorted(cumulative, targets, side="right")
    picks = np.minimum(picks, np.arange(roots, n) - 1)
    out[sequence[roots:]] = np.asarray(keys, dtype=object)[sequence[picks]]
    return out


__all__ = [
    "KeyFormat",
    "assign_self_references",
    "key_universe",
    "make_unique",
    "row_index",
]
