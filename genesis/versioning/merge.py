"""Merging two versions: schema conflicts, and the union of rows keyed by content."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from genesis.errors import MergeConflictError
from genesis.io.hashing import row_hashes
from genesis.versioning.catalog import MERGE_PARENT_KEY

if TYPE_CHECKING:
    from pyiceberg.table import Table


def check_mergeable(left: pd.DataFrame, right: pd.DataFrame, branch: object, target: str) -> None:
    """Raise :class:`MergeConflictError` when the two versions' columns or types differ."""
    left_types = {str(c): str(t) for c, t in left.dtypes.items()}
    right_types = {str(c): str(t) for c, t in right.dtypes.items()}
    if left_types == right_types:
        return
    only_left = sorted(set(left_types) - set(right_types))
    only_right = sorted(set(right_types) - set(left_types))
    differ = sorted(
        f"{c}: {left_types[c]} vs {right_types[c]}"
        for c in set(left_types) & set(right_types)
        if left_types[c] != right_types[c]
    )
    raise MergeConflictError(
        f"cannot merge {branch!r} into {target!r}: schemas conflict (only in {target}: "
        f"{only_left}; only in {branch}: {only_right}; types differ: {differ}); commit a "
        "version with matching columns and types on one branch, then merge again"
    )


def multiset_union(left: pd.DataFrame, right: pd.DataFrame) -> pd.DataFrame:
    """``left`` plus the rows of ``right`` that ``left`` holds fewer times (by content)."""
    lh, rh = row_hashes(left), row_hashes(right)
    # occurrence number of each row among equal rows: the k-th copy of a row in right is
    # extra when left holds fewer than k copies
    r_order = pd.Series(rh).groupby(rh).cumcount().to_numpy()
    keys, counts = np.unique(lh, return_counts=True)
    pos = np.searchsorted(keys, rh)
    pos = np.clip(pos, 0, max(len(keys) - 1, 0))
    in_left = np.zeros(len(rh), dtype=np.int64)
    if len(keys):
        match = keys[pos] == rh
        in_left[match] = counts[pos[match]]
    extra = right[r_order >= in_left]
    return pd.concat([left, extra], ignore_index=True)


def ancestors(table: Table, sid: int) -> set[int]:
    """Every snapshot reachable through parents and merge parents."""
    seen: set[int] = set()
    stack = [sid]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        snap = table.snapshot_by_id(current)
        if snap is None:
            continue
        seen.add(current)
        if snap.parent_snapshot_id is not None:
            stack.append(snap.parent_snapshot_id)
        merge = snap.summary.additional_properties.get(MERGE_PARENT_KEY) if snap.summary else None
        if merge:
            stack.append(int(merge))
    return seen
