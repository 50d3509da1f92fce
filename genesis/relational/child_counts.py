"""How many children each parent has, and which parent each child row goes to.

* The number of children of each parent, per relationship, is a column of the *parent's*
  model (``__n:<relationship>``, zeros included), so it is learned jointly with the
  parent's attributes (older patients have more lab tests; planes without flights keep
  their share). At generation :func:`scale_counts` rescales the generated counts to the
  wanted number of children (largest remainders, every parent keeps its share).
* For a child's *other* parents (not the one its rows are drawn for), each parent also
  learns a **link** (``__link:<relationship>``): the mean (numbers) or most frequent value
  (labels) of the child column that depends most on which parent a child has
  (:func:`choose_link`: the adjusted correlation ratio of numbers, the purity gain of labels
  over parents). Children are then matched to parent *slots* (each parent repeated by its
  count) by rank of the link value (:func:`match_by_rank`): each parent gets its number of
  children, and children go to parents that look like theirs (a plane's flights get its
  carrier's flight numbers, an airport its distance).
* When no child column is a strong link (score below 0.5), a child also learns its other
  parent's **group** (``__group:<relationship>``): the bin of the parent attribute that
  tells most about the child's columns (binned mutual information: a customer's segment
  for an order's amount). Children are matched to slots by group first, then by link.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: least link score worth matching on (below it children are matched at random)
MIN_LINK_SCORE = 0.05
#: rows the link score is estimated on
_LINK_ROWS = 20_000


def child_counts(parent_rows: np.ndarray, n_parents: int) -> np.ndarray:
    """Children per parent row, from each child's parent position (``-1``: none)."""
    return np.bincount(parent_rows[parent_rows >= 0], minlength=n_parents).astype(np.int64)


def scale_counts(
    counts: np.ndarray, total: int, rng: np.random.Generator, cap: int | None = None
) -> np.ndarray:
    """Non-negative integer counts proportional to ``counts`` summing to ``total``; uniform
    when every count is zero. With ``cap`` (most children one parent can hold, e.g. the hours
    of a year for one airport's weather), what a full parent cannot hold goes to the others
    in proportion, then to as few parents without children as families are large; fewer
    only when all are full."""
    weights = np.clip(np.nan_to_num(np.asarray(counts, dtype=np.float64)), 0, None)
    out = _proportional(weights, total, rng)
    if cap is None:
        return out
    for _ in range(10):
        out = np.minimum(out, cap)
        left, room = int(total - out.sum()), cap - out
        if left <= 0 or not room.any():
            break
        open_weights = np.where(room > 0, weights, 0.0)
        if open_weights.sum() <= 0:
            # no parent with children has room: the rest goes to as few new parents as
            # families are large (spread thin over all parents it would erase zero counts)
            typical = int(max(1, min(cap, np.mean(out[out > 0]) if (out > 0).any() else cap)))
            takers = rng.permutation(np.flatnonzero(room > 0))[: -(-left // typical)]
            open_weights = np.zeros(out.size)
            open_weights[takers] = 1.0
        out = out + np.minimum(_proportional(open_weights, left, rng), room)
    return out


def _proportional(weights: np.ndarray, total: int, rng: np.random.Generator) -> np.ndarray:
    """Integer counts proportional to ``weights`` summing to ``total`` (largest remainders,
    random among ties; uniform when every weight is zero)."""
    n = weights.size
    if n == 0 or total <= 0:
        return np.zeros(n, dtype=np.int64)
    if weights.sum() <= 0:
        weights = np.ones(n)
    exact = weights * (total / weights.sum())
    base = np.floor(exact).astype(np.int64)
    left = int(total - base.sum())
    if left > 0:
        order = np.lexsort((rng.random(n), -(exact - base)))
        base[order[:left]] += 1
    return base


def link_score(values: pd.Series, groups: np.ndarray) -> float:
    """How much ``values`` depend on the group (parent) of each row, in [0, 1]."""
    ok = values.notna().to_numpy() & (groups >= 0)
    if ok.sum() < 10:
        return 0.0
    v, g = values[ok], groups[ok]
    if pd.api.types.is_numeric_dtype(v.dtype) and not pd.api.types.is_bool_dtype(v.dtype):
        x = v.to_numpy(dtype=np.float64)
        codes, _ = pd.factorize(g)
        k = codes.max() + 1
        sizes = np.bincount(codes, minlength=k)
        means = np.bincount(codes, weights=x, minlength=k) / np.maximum(sizes, 1)
        total = float(((x - x.mean()) ** 2).sum())
        between = float((sizes * (means - x.mean()) ** 2).sum())
        if total <= 0 or len(x) <= k:
            return 0.0
        within = (total - between) / (len(x) - k)
        return float(max(0.0, (between - (k - 1) * within) / (total + within)))
    labels = pd.factorize(v.astype(str))[0]
    frame = pd.DataFrame({"g": g, "v": labels})
    sizes = frame.groupby("g")["v"].transform("size").to_numpy()
    frame = frame[sizes >= 2]
    if frame.empty:
        return 0.0
    top = frame.groupby(["g", "v"]).size().groupby(level=0).max()
    purity = float(top.sum() / len(frame))
    base = float(frame["v"].value_counts(normalize=True).iloc[0])
    return float(max(0.0, (purity - base) / (1 - base))) if base < 1 else 0.0


def choose_link(
    child: pd.DataFrame, columns: list[str], groups: np.ndarray, seed: int
) -> str | None:
    """The child column (of ``columns``) that depends most on the parent, or None when none
    reaches :data:`MIN_LINK_SCORE`."""
    if len(child) > _LINK_ROWS:
        rows = np.sort(np.random.default_rng(seed).choice(len(child), _LINK_ROWS, replace=False))
        child, groups = child.iloc[rows], groups[rows]
    best, best_score = None, MIN_LINK_SCORE
    for column in columns:
        score = link_score(child[column].reset_index(drop=True), groups)
        if score > best_score:
            best, best_score = column, score
    return best


def link_values(child_values: pd.Series, parent_rows: np.ndarray, n_parents: int) -> pd.Series:
    """Per parent: the mean (numbers) or most frequent value (labels) of its children's
    ``child_values``; missing for parents without children."""
    ok = (parent_rows >= 0) & child_values.notna().to_numpy()
    frame = pd.DataFrame({"p": parent_rows[ok], "v": child_values.to_numpy()[ok]})
    numeric = pd.api.types.is_numeric_dtype(child_values.dtype) and not pd.api.types.is_bool_dtype(
        child_values.dtype
    )
    if numeric:
        per_parent = frame.groupby("p")["v"].mean()
        out = pd.Series(np.nan, index=range(n_parents))
    else:
        per_parent = frame.groupby(["p", "v"]).size().reset_index(name="n")
        per_parent = per_parent.sort_values(["p", "n"], ascending=[True, False]).drop_duplicates(
            "p"
        )
        per_parent = per_parent.set_index("p")["v"]
        out = pd.Series(None, index=range(n_parents), dtype=object)
    out.loc[per_parent.index] = per_parent.to_numpy()
    return out.reset_index(drop=True)


def _sort_keys(
    child: pd.Series, slots: pd.Series, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Comparable float keys for child and slot link values (labels by their sorted order);
    missing values get a random key among the others."""
    numeric = pd.api.types.is_numeric_dtype(child.dtype) and pd.api.types.is_numeric_dtype(
        slots.dtype
    )
    if numeric:
        a, b = child.to_numpy(dtype=np.float64), slots.to_numpy(dtype=np.float64)
    else:
        ca, cb = child.astype(object), slots.astype(object)
        labels = np.unique(pd.concat([ca, cb]).dropna().astype(str).to_numpy())
        a = np.where(
            ca.isna(), np.nan, np.searchsorted(labels, ca.fillna("").astype(str).to_numpy())
        )
        b = np.where(
            cb.isna(), np.nan, np.searchsorted(labels, cb.fillna("").astype(str).to_numpy())
        )
        a, b = a.astype(np.float64), b.astype(np.float64)
    for x in (a, b):
        missing = np.isnan(x)
        if missing.any():
            pool = np.concatenate([a[~np.isnan(a)], b[~np.isnan(b)]])
            x[missing] = pool[rng.integers(0, pool.size, int(missing.sum()))] if pool.size else 0.0
    return a, b


def match_by_rank(
    child_link: pd.Series | None,
    slot_parents: np.ndarray,
    slot_link: pd.Series | None,
    rng: np.random.Generator,
    child_group: np.ndarray | None = None,
    slot_group: np.ndarray | None = None,
) -> np.ndarray:
    """The parent of each child: children sorted by (group, link value) take the slots
    sorted by theirs, rank for rank. ``slot_parents`` holds each parent once per child it
    should get; a missing link or group sorts at random."""
    n = len(child_link) if child_link is not None else len(child_group)
    s = slot_parents.size
    if s == 0:
        return np.full(n, -1, dtype=np.int64)
    if child_link is not None and slot_link is not None:
        a, b = _sort_keys(child_link.reset_index(drop=True), slot_link.reset_index(drop=True), rng)
    else:
        a, b = np.zeros(n), np.zeros(s)
    keys_a, keys_b = [rng.random(n), a], [rng.random(s), b]
    if child_group is not None and slot_group is not None:
        keys_a.append(np.asarray(child_group))
        keys_b.append(np.asarray(slot_group))
    child_order = np.lexsort(keys_a)
    slot_order = np.lexsort(keys_b)
    positions = (np.arange(n) * s) // max(n, 1)
    out = np.empty(n, dtype=np.int64)
    out[child_order] = slot_parents[slot_order[positions]]
    return out


def random_match(n: int, slot_parents: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The parent of each of ``n`` children, the slots shuffled."""
    if slot_parents.size == 0:
        return np.full(n, -1, dtype=np.int64)
    shuffled = slot_parents[rng.permutation(slot_parents.size)]
    return shuffled[(np.arange(n) * slot_parents.size) // max(n, 1)]


__all__ = [
    "MIN_LINK_SCORE",
    "child_counts",
    "choose_link",
    "link_score",
    "link_values",
    "match_by_rank",
    "random_match",
    "scale_counts",
]
