"""One table joined with aggregates of its children, a holdout split that keeps families
together, and the share of valid foreign keys: what single-table stages (the privacy audit)
and summaries need to look at related tables.

A parent's row says little on its own about the people behind it: the number of lab tests
of a patient, or the mean delay of a plane's flights, identify too. :func:`with_child_aggregates`
adds, per relationship where the table is the parent, the number of children of each row
and the mean of the children's numeric columns. :func:`split_by_root` keeps a share of a
root table's rows, with all their descendants, out of training, so attacks on the joined
rows have an honest control.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import InvalidParameterError, RelationalSchemaError
from genesis.validation import require_seed


def _key_index(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.Index:
    """The key columns as one comparable text per row (an int key and its float copy with
    NaNs in a child agree; composite keys joined by a separator no key holds); rows with a
    missing key part get a value no parent holds."""
    parts = frame[list(columns)]
    missing = parts.isna().any(axis=1).to_numpy()
    text = pd.Series("", index=frame.index)
    for i, column in enumerate(columns):
        values = parts[column]
        if pd.api.types.is_float_dtype(values) and values.dropna().mod(1).eq(0).all():
            values = values.astype("Int64")
        text = text + ("\x1f" if i else "") + values.astype(str)
    return pd.Index(text.where(~missing, "\x00missing").to_numpy())


def _relationships(schema: Any, table: str, side: str) -> list[Any]:
    if table not in schema.table_names:
        raise RelationalSchemaError(
            f"table {table!r} is not in the schema; use one of {sorted(schema.table_names)}"
        )
    return list(schema.children_of(table) if side == "children" else schema.parents_of(table))


def with_child_aggregates(
    tables: dict[str, pd.DataFrame], schema: Any, table: str, *, drop_keys: bool = True
) -> pd.DataFrame:
    """The rows of ``table`` with, for each relationship where it is the parent, the number
    of child rows (``<child>__<key>__count``, 0 for a childless parent) and the mean of
    each numeric child column (``<child>__<key>__mean_<column>``).

    Args:
        tables: every table of ``schema`` by name.
        schema: the :class:`~genesis.relational.RelationalSchema` linking them.
        table: the table to extend (usually a root).
        drop_keys: leave out the key columns (its primary key and the parent keys of its
            relationships): fresh synthetic keys never match real ones, so comparing them
            would only add noise to distances.
    """
    children = _relationships(schema, table, "children")
    base = tables[table].reset_index(drop=True)
    out = base.copy()
    key_columns: set[str] = set(schema.primary_keys.get(table) or ())
    for rel in children:
        child = tables[rel.child]
        key_columns.update(rel.parent_columns)
        prefix = f"{rel.child}__{'_'.join(rel.child_columns)}"
        child_index = _key_index(child, rel.child_columns)
        numeric = child.drop(columns=list(rel.child_columns)).select_dtypes("number")
        numeric = numeric.set_axis(child_index, axis=0)
        means = numeric.groupby(level=0).mean().add_prefix(f"{prefix}__mean_")
        counts = pd.Series(1, index=child_index).groupby(level=0).sum()
        aggregates = means.assign(**{f"{prefix}__count": counts})
        parent_index = _key_index(base, rel.parent_columns)
        joined = aggregates.reindex(parent_index)
        joined[f"{prefix}__count"] = joined[f"{prefix}__count"].fillna(0).astype("int64")
        out = pd.concat([out, joined.reset_index(drop=True)], axis=1)
    if drop_keys:
        out = out.drop(columns=[c for c in base.columns if c in key_columns])
    return out


def split_by_root(
    tables: dict[str, pd.DataFrame], schema: Any, root: str, fraction: float, seed: int = 0
) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """Hold out ``fraction`` of the rows of ``root`` together with all their descendants.

    Returns ``(training, holdout)``: ``training`` holds every table minus the held-out
    families; ``holdout`` holds the held-out root rows and, for each descendant table (every
    one, possibly empty), the rows that belong to them (other tables are not in it). A child row with several
    parents goes to the holdout when any of its parents does.
    """
    if not 0.0 <= fraction < 1.0:
        raise InvalidParameterError(f"fraction must be in [0, 1), got {fraction!r}")
    seed = require_seed(seed)
    if any(r.parent != root for r in _relationships(schema, root, "parents")):
        raise RelationalSchemaError(
            f"{root!r} has parents, so it is not a root table; use one of {schema.roots()}"
        )
    rng = np.random.default_rng(seed)
    n = len(tables[root])
    held_rows = np.zeros(n, dtype=bool)
    held_rows[rng.permutation(n)[: int(round(n * fraction))]] = True
    held = {root: pd.Series(held_rows, index=tables[root].index)}
    for name in schema.order():
        if name == root:
            continue
        mask = pd.Series(False, index=tables[name].index)
        reached = False
        for rel in _relationships(schema, name, "parents"):
            if rel.parent in held and rel.parent != name:  # self-references: not followed
                reached = True
                parents = tables[rel.parent][held[rel.parent].to_numpy()]
                mask |= _key_index(tables[name], rel.child_columns).isin(
                    _key_index(parents, rel.parent_columns)
                )
        if reached:  # a descendant: in the holdout, even with no held-out row
            held[name] = mask
    training = {t: df[~held[t].to_numpy()] if t in held else df for t, df in tables.items()}
    holdout = {t: tables[t][mask.to_numpy()] for t, mask in held.items()}
    return (
        {t: df.reset_index(drop=True) for t, df in training.items()},
        {t: df.reset_index(drop=True) for t, df in holdout.items()},
    )


def label(rel: Any) -> str:
    """A relationship's short name: ``flights.tailnum->planes`` (composite keys joined by +)."""
    return f"{rel.child}.{'+'.join(rel.child_columns)}->{rel.parent}"


def referential_integrity(tables: dict[str, pd.DataFrame], schema: Any) -> dict[str, float]:
    """Per relationship (:func:`label`: ``flights.tailnum->planes``), the share of child rows
    with a complete foreign key whose key is found in the parent (1.0 when none has one)."""
    out = {}
    for rel in schema.relationships:
        child = tables[rel.child]
        complete = child[list(rel.child_columns)].notna().all(axis=1).to_numpy()
        if not complete.any():
            out[label(rel)] = 1.0
            continue
        found = _key_index(child[complete], rel.child_columns).isin(
            _key_index(tables[rel.parent], rel.parent_columns)
        )
        out[label(rel)] = float(found.mean())
    return out
