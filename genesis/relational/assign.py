"""Assigning a child's other parents and keeping the rules between child and parent rows
(see :mod:`genesis.relational.synthesizer` for the design)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from genesis.relational.child_counts import (
    assignment_order,
    match_by_rank,
    random_match,
    scale_counts,
)
from genesis.relational.keys import row_index
from genesis.relational.plan import (
    count_column,
    group_column,
    link_column,
    status_column,
)
from genesis.relational.relationship import Relationship

#: rounds of redrawing repeated foreign-key pairs of a link table
_PAIR_ROUNDS = 10


def assign_other_parents(
    plan,
    frame: pd.DataFrame,
    generated: dict,
    rng: np.random.Generator,
    keep_orphans: bool,
    plans: dict,
) -> pd.DataFrame:
    """Each child row's other parents (see :mod:`genesis.relational.synthesizer`): by status,
    group and link, fresh orphan keys with ``keep_orphans``."""
    n = len(frame)
    determined_by = getattr(plan, "determined_by", {})
    by_name = {r.name: r for r in [plan.primary, *plan.others] if r is not None}
    for r in assignment_order(plan.others, determined_by):
        parents = generated[r.parent]
        s_column = status_column(r.name)
        status = (
            frame[s_column].astype(str).to_numpy()
            if s_column in frame
            else np.full(n, "ok", dtype=object)
        )
        if keep_orphans:
            status = _calibrate(status, plan.orphan_share.get(r.name, 0.0), rng)
        orphan = status == "orphan"
        need = (status == "ok") | (orphan & (not keep_orphans))
        chosen = np.full(n, -1, dtype=np.int64)
        if len(r.child_key) > 1 and all(c in frame for c in r.child_key):
            found = row_index(frame, r.child_key, parents, r.parent_key)
            chosen[need & (found >= 0)] = found[need & (found >= 0)]
        todo = need & (chosen < 0)
        k = int(todo.sum())
        if k:
            n_column = count_column(r)
            weights = parents[n_column].to_numpy() if n_column in parents else np.ones(len(parents))
            counts = scale_counts(weights, k, rng)
            slots = np.repeat(np.arange(len(parents)), counts)
            link = plan.links.get(r.name)
            l_column = link_column(r)
            has_link = link is not None and link in frame and l_column in parents
            child_group = slot_group = None
            if r.name in plan.groupings and group_column(r) in frame:
                column, binning = plan.groupings[r.name]
                labels = frame.loc[todo, group_column(r)].astype(str).str.slice(1)
                child_group = pd.to_numeric(labels, errors="coerce").fillna(-1).to_numpy()
                slot_group = binning.codes(parents[column].iloc[slots])
            block = None
            if r.name in determined_by and by_name.get(determined_by[r.name]) is not None:
                block = _families(frame, by_name[determined_by[r.name]].child_key)[todo]
            if has_link or child_group is not None or block is not None:
                child_link = None
                if has_link:
                    child_link = _blur(
                        frame.loc[todo, link].reset_index(drop=True),
                        plan.link_scores.get(r.name, 1.0),
                        rng,
                    )
                chosen[todo] = match_by_rank(
                    child_link,
                    slots,
                    parents[l_column].iloc[slots].reset_index(drop=True) if has_link else None,
                    rng,
                    child_group,
                    slot_group,
                    block,
                )
            else:
                chosen[todo] = random_match(k, slots, rng)
        has = chosen >= 0
        for pc, cc in zip(r.parent_key, r.child_key, strict=True):
            values = pd.Series(np.full(n, None, dtype=object))
            values[has] = parents[pc].to_numpy()[chosen[has]]
            if cc in frame and len(r.child_key) > 1:  # composite: own values elsewhere
                own = frame[cc].astype(object).to_numpy()
                values[~has] = own[~has]
            frame[cc] = values.to_numpy()
        missing_rows = ~has & ~need
        null_rows = missing_rows & (status == "null")
        for cc in r.child_key:
            column = frame[cc].to_numpy(dtype=object)
            column[null_rows] = None
            frame[cc] = column
        orphan_rows = missing_rows & orphan
        if orphan_rows.any() and len(r.child_key) == 1:
            parent_plan = plans[r.parent]
            fmt = parent_plan.key_formats.get(r.parent_key[0])
            if fmt is not None:
                column = frame[r.child_key[0]].to_numpy(dtype=object)
                column[orphan_rows] = fmt.draw(
                    int(orphan_rows.sum()), rng, avoid=parents[r.parent_key[0]].to_numpy()
                )
                frame[r.child_key[0]] = column
    return frame


def distinct_pairs(
    plan, frame: pd.DataFrame, generated: dict, rng: np.random.Generator
) -> pd.DataFrame:
    """A key made of foreign keys only (a link table: student, course) made unique: a
    repeated pair draws another parent for its other-parent key (by that parent's learned
    counts), a few rounds; pairs still repeated are dropped."""
    key = plan.unique_groups
    movable = [r for r in plan.others if len(r.child_key) == 1 and r.child_key[0] in key]
    for round_ in range(_PAIR_ROUNDS if movable else 0):
        repeated = frame.duplicated(key).to_numpy()
        k = int(repeated.sum())
        if not k:
            break
        r = movable[round_ % len(movable)]
        parents = generated[r.parent]
        n_column = count_column(r)
        weights = (
            np.clip(parents[n_column].to_numpy(dtype=np.float64), 0, None) + 1e-3
            if n_column in parents
            else np.ones(len(parents))
        )
        picks = rng.choice(len(parents), size=k, p=weights / weights.sum())
        column = frame[r.child_key[0]].to_numpy(dtype=object).copy()
        column[repeated] = parents[r.parent_key[0]].to_numpy()[picks]
        frame[r.child_key[0]] = column
    return frame.drop_duplicates(key).reset_index(drop=True)


def output_table(plan, frame: pd.DataFrame) -> pd.DataFrame:
    """The generated table with the real table's columns and dtypes (fresh keys join a
    categorical column's categories; an integer column with null keys becomes float)."""
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for c in plan.columns:
        values = frame[c] if c in frame else pd.Series(np.full(len(frame), None, dtype=object))
        values = values.reset_index(drop=True)
        dtype = plan.dtypes[c]
        if isinstance(dtype, pd.CategoricalDtype):
            known = list(dtype.categories)
            extra = pd.Index(values.dropna().unique()).difference(known)
            values = values.astype(object).astype(
                pd.CategoricalDtype([*known, *extra], ordered=dtype.ordered)
            )
        else:
            try:
                values = values.astype(dtype)
            except (TypeError, ValueError):
                if pd.api.types.is_numeric_dtype(dtype):
                    values = pd.to_numeric(values, errors="coerce")
        out[c] = values
    return out


def inherit(plan, frame: pd.DataFrame, generated: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Keep the child-parent rules the real rows always obey: datetimes on the same side of
    the parent's (:func:`~genesis.relational.plan.find_orderings`), and columns that equal a
    parent's (:func:`~genesis.relational.plan.find_inherited`) copied from the generated
    parent."""
    found: dict[Relationship, np.ndarray] = {}
    for r, column, parent_column, sign in plan.orderings:
        # a child time on the wrong side of its parent's is mirrored across it
        parents = generated[r.parent]
        if r not in found:
            found[r] = row_index(frame, r.child_key, parents, r.parent_key)
        idx = found[r]
        has = idx >= 0
        child = pd.to_datetime(frame[column]).to_numpy(copy=True)
        anchor = np.full(len(frame), np.datetime64("NaT"), dtype=child.dtype)
        anchor[has] = pd.to_datetime(parents[parent_column]).to_numpy()[idx[has]]
        gap = child - anchor
        wrong = (
            has
            & ~np.isnat(gap)
            & ((gap < np.timedelta64(0)) if sign > 0 else (gap > np.timedelta64(0)))
        )
        if wrong.any():
            child[wrong] = anchor[wrong] - gap[wrong]
            frame[column] = pd.Series(child).astype(frame[column].dtype).to_numpy()
    for column, (r, parent_column) in plan.inherited.items():
        parents = generated[r.parent]
        if r not in found:
            found[r] = row_index(frame, r.child_key, parents, r.parent_key)
        idx = found[r]
        has = idx >= 0
        if has.any():
            values = frame[column].to_numpy(copy=True)
            source = parents[parent_column].to_numpy()[idx[has]]
            if values.dtype != source.dtype:
                values = values.astype(object)
            values[has] = source
            frame[column] = values
    return frame


def _families(frame: pd.DataFrame, key: list[str]) -> np.ndarray:
    """A family id per child row: rows with the same (already assigned) parent key share
    one; a row with a null key is a family of its own."""
    columns = [frame[c] for c in key]
    missing = np.zeros(len(frame), dtype=bool)
    for c in columns:
        missing |= c.isna().to_numpy()
    codes = pd.MultiIndex.from_arrays([c.astype(object) for c in columns]).factorize()[0]
    return np.where(missing, codes.max(initial=0) + 1 + np.arange(len(frame)), codes)


def _blur(values: pd.Series, score: float, rng: np.random.Generator) -> pd.Series:
    """A numeric link blurred as much as it is loose: matching by rank couples child and
    parent monotonically, which would overstate a link (a plane would fly a run of
    consecutive flight numbers); with Gaussian noise of variance ``var * (1 / score - 1)``
    the rank key keeps the real share of the link's variance (its correlation ratio
    ``score``) explained by the parent. A near-deterministic link (score 1: a destination's
    distance) is barely moved. Ties between parents (a plane's flights and their carrier)
    are kept by assigning the determined parent by families, not by exact ranks."""
    if not pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        return values
    if len(values) < 2:
        return values
    x = values.to_numpy(dtype=np.float64)
    spread = np.nanstd(x) * np.sqrt(1.0 / max(score, 1e-3) - 1.0)
    return pd.Series(x + rng.normal(0.0, spread, x.size) if np.isfinite(spread) else x)


def _calibrate(status: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """``status`` with exactly ``round(share * n)`` orphans: the model places them on the
    rows that look like real orphans, its total can drift by a few points; the excess (or
    the shortfall) is moved among random ``ok`` rows."""
    status = status.copy()
    want = round(share * status.size)
    orphans = np.flatnonzero(status == "orphan")
    if orphans.size > want:
        status[rng.choice(orphans, orphans.size - want, replace=False)] = "ok"
    elif orphans.size < want:
        ok = np.flatnonzero(status == "ok")
        status[rng.choice(ok, min(ok.size, want - orphans.size), replace=False)] = "orphan"
    return status


def orphan_composite_children(
    generated: dict[str, pd.DataFrame], plans: dict, relationships: list[Relationship], rng
) -> dict[str, pd.DataFrame]:
    """``keep_orphans`` for composite keys: drop parent rows until the real share of their
    children is orphaned.

    A composite foreign key's columns are the child's own attributes (a flight's origin and
    hour), drawn with its parent: a fresh key would change the row. Real orphans of such a
    key are parents missing from the parent table (hours without a weather record), so the
    same happens here: random parents, whole, are dropped while their children fit in the
    real orphan count. A parent table that other relationships also point to is left whole
    (dropping its rows would orphan those children too).
    """
    out = dict(generated)
    for table, plan in plans.items():
        primary = plan.primary
        if primary is None or len(primary.child_key) < 2 or table not in out:
            continue
        share = plan.orphan_share.get(primary.name, 0.0)
        if (
            share <= 0
            or plans[primary.parent].reference  # copied whole, as published
            or any(r.parent == primary.parent and r.name != primary.name for r in relationships)
        ):
            continue
        children, parents = out[table], out[primary.parent]
        found = row_index(children, primary.child_key, parents, primary.parent_key)
        counts = np.bincount(found[found >= 0], minlength=len(parents))
        candidates = rng.permutation(np.flatnonzero(counts > 0))
        # a prefix of random parents whose children fit: short of the real count by less
        # than one parent's children
        fits = np.cumsum(counts[candidates]) <= round(share * len(children))
        drop = candidates[: int(fits.sum()) if fits.all() else int(np.argmin(fits))]
        keep = np.ones(len(parents), dtype=bool)
        keep[drop] = False
        out[primary.parent] = parents[keep].reset_index(drop=True)
    return out


__all__ = [
    "assign_other_parents",
    "distinct_pairs",
    "inherit",
    "orphan_composite_children",
    "output_table",
]
