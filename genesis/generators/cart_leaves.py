"""The leaves of CART's trees: which real rows each draws from, and the draw itself.

:func:`leaf_owners` enforces the privacy floor on trees whose splits were learnt on a row
sample; :class:`_Leaves` holds a column's real values grouped by leaf (and by the value's
state) and draws them, jittering rare values (see :mod:`genesis.generators.cart`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def leaf_owners(tree, row_leaves: np.ndarray, min_rows: int) -> np.ndarray:
    """For each node of a fitted scikit-learn ``tree``, the node whose rows it draws from.

    ``row_leaves`` are the leaves every real row falls in. A split is kept only when both
    sides hold at least ``min_rows`` of those rows; below an undone split all nodes draw
    from the highest node whose split was undone, so every node drawn from holds at least
    ``min_rows`` rows (or all of them, when the table is smaller).
    """
    t = tree.tree_
    left, right = t.children_left, t.children_right
    internal = np.flatnonzero(left >= 0)
    parent = np.full(t.node_count, -1)
    parent[left[internal]] = internal
    parent[right[internal]] = internal
    levels = [np.array([0])]
    while True:
        split = levels[-1][left[levels[-1]] >= 0]
        if not split.size:
            break
        levels.append(np.concatenate([left[split], right[split]]))
    counts = np.bincount(row_leaves, minlength=t.node_count)
    for level in reversed(levels[1:]):
        counts += np.bincount(parent[level], weights=counts[level], minlength=t.node_count).astype(
            counts.dtype
        )
    keep = np.zeros(t.node_count, dtype=bool)
    keep[internal] = (counts[left[internal]] >= min_rows) & (counts[right[internal]] >= min_rows)
    owner = np.full(t.node_count, -1)
    owner[0] = -1 if keep[0] else 0
    for level in levels[1:]:
        inherited = owner[parent[level]]
        owner[level] = np.where(inherited >= 0, inherited, np.where(keep[level], -1, level))
    return owner


class _Leaves:
    """The real values of one column, grouped by the tree leaf their row falls in.

    With ``smooth``, values held by fewer than ``rare_rows`` rows of the column (every value,
    with ``jitter_all``) are jittered when drawn (``rare``, aligned with ``values``); the
    others come back exactly.
    """

    def __init__(
        self,
        leaves: np.ndarray,
        values: np.ndarray,
        n_nodes: int,
        smooth: bool,
        states: np.ndarray | None = None,
        n_states: int = 1,
        rare_rows: int = 5,
        jitter_all: bool = False,
    ) -> None:
        # rows sorted by leaf, and within a leaf by their value's state (a number column's
        # state code: ordinary, a missing reason, a point mass), so a leaf is one slice and
        # each (leaf, state) a slice inside it
        keys = leaves if states is None else leaves * n_states + states
        order = np.argsort(keys, kind="stable")
        self.values = values[order]
        self.counts = np.bincount(leaves, minlength=n_nodes)
        self.starts = np.cumsum(self.counts) - self.counts
        self.n_states = None
        if states is not None:
            self.n_states = n_states
            self.state_counts = np.bincount(keys, minlength=n_nodes * n_states)
            self.state_starts = np.cumsum(self.state_counts) - self.state_counts
        self.bandwidth = None
        self.rare = None
        if smooth:
            _, inverse, counts = np.unique(self.values, return_inverse=True, return_counts=True)
            rare = counts[inverse] < rare_rows
            if jitter_all:
                rare[:] = True
            if rare.any():
                self.rare = rare
                self._fit_bandwidth(leaves[order])

    def _fit_bandwidth(self, sorted_leaves: np.ndarray) -> None:
        groups = pd.Series(self.values).groupby(sorted_leaves, sort=True)
        stats = groups.agg(["std", "min", "max", "count"])
        iqr = groups.quantile(0.75) - groups.quantile(0.25)
        spread = np.fmin(stats["std"].to_numpy(), iqr.to_numpy() / 1.34)
        spread = np.where(spread > 0, spread, stats["std"].to_numpy())
        # Silverman's rule (R's bw.nrd0), as synthpop's smoothing uses
        bandwidth = 0.9 * np.nan_to_num(spread) * stats["count"].to_numpy() ** -0.2
        n_nodes = self.counts.size
        self.bandwidth = np.zeros(n_nodes)
        self.low = np.zeros(n_nodes)
        self.high = np.zeros(n_nodes)
        index = stats.index.to_numpy()
        self.bandwidth[index] = bandwidth
        self.low[index] = stats["min"].to_numpy()
        self.high[index] = stats["max"].to_numpy()

    def draw(
        self, leaves: np.ndarray, rng: np.random.Generator, states: np.ndarray | None = None
    ) -> np.ndarray:
        """A real value of each row's leaf; with ``states``, of a real row of the leaf in the
        same state when the leaf has one (an ordinary row never draws a point mass)."""
        counts = self.counts[leaves]
        starts = self.starts[leaves]
        if states is not None and getattr(self, "n_states", None) is not None:
            keys = leaves * self.n_states + np.clip(states.astype(np.int64), 0, self.n_states - 1)
            same = self.state_counts[keys]
            counts = np.where(same > 0, same, counts)
            starts = np.where(same > 0, self.state_starts[keys], starts)
        picks = starts + (rng.random(leaves.size) * counts).astype(np.int64)
        values = self.values[picks]
        if self.bandwidth is not None:
            jittered = values + rng.standard_normal(leaves.size) * self.bandwidth[leaves]
            jittered = np.clip(jittered, self.low[leaves], self.high[leaves])
            # models saved before rare values were told apart jitter every value
            rare = getattr(self, "rare", None)
            values = jittered if rare is None else np.where(rare[picks], jittered, values)
        return values
