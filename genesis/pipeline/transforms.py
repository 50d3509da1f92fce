"""The named table operations a transform node can apply (``op="select"`` ...).

Each takes the input tables (``{node name: DataFrame}``, in input order) and the node's
parameters, and returns one table. One-input operations refuse several inputs; ``concat``
and ``merge`` join several.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import InvalidParameterError, PipelineDefinitionError
from genesis.validation import require_seed


def _one(frames: dict[str, pd.DataFrame], op: str) -> pd.DataFrame:
    if len(frames) != 1:
        raise InvalidParameterError(
            f"transform {op!r} reads one table and got {len(frames)} ({list(frames)}); use "
            "'concat' or 'merge' to join tables, or give the node one input"
        )
    return next(iter(frames.values()))


def _columns(df: pd.DataFrame, columns: Any, op: str) -> list[str]:
    names = [columns] if isinstance(columns, str) else list(columns or [])
    missing = [c for c in names if c not in df.columns]
    if not names or missing:
        raise InvalidParameterError(
            f"transform {op!r}: columns {missing or names!r} are not in the table "
            f"(columns: {list(df.columns)}); name existing columns"
        )
    return names


def select(frames, *, columns) -> pd.DataFrame:
    """Keep ``columns``, in that order."""
    df = _one(frames, "select")
    return df[_columns(df, columns, "select")]


def drop(frames, *, columns) -> pd.DataFrame:
    """Remove ``columns``."""
    df = _one(frames, "drop")
    return df.drop(columns=_columns(df, columns, "drop"))


def filter_rows(frames, *, conditions) -> pd.DataFrame:
    """Keep the rows satisfying ``conditions``: a ConditionSet or its dict/list/text form
    (``{"age": [">=", 18]}``), as :meth:`genesis.generators.conditional.ConditionSet.from_dict`
    reads it (YAML lists stand for tuples)."""
    from genesis.generators.conditional import ConditionSet

    df = _one(frames, "filter")
    if isinstance(conditions, Mapping):  # YAML has no tuples: [">=", 18] means (">=", 18)
        conditions = {k: _tuple(v) for k, v in conditions.items()}
    return ConditionSet.from_dict(conditions).apply(df).reset_index(drop=True)


def _tuple(spec: Any) -> Any:
    if isinstance(spec, list) and len(spec) == 2 and isinstance(spec[0], str):
        operator, value = spec
        return (operator, tuple(value) if operator == "between" else value)
    if isinstance(spec, list) and spec and all(isinstance(s, list) for s in spec):
        return [_tuple(s) for s in spec]
    return spec


def rename(frames, *, columns: Mapping[str, str]) -> pd.DataFrame:
    """Rename columns: ``{"old": "new"}``."""
    df = _one(frames, "rename")
    if not isinstance(columns, Mapping):
        raise InvalidParameterError(
            f"transform 'rename' takes columns={{'old': 'new'}}, got {columns!r}"
        )
    _columns(df, list(columns), "rename")
    return df.rename(columns=dict(columns))


def sample(frames, *, n: int | None = None, frac: float | None = None, seed: int) -> pd.DataFrame:
    """A seeded random subset of rows without replacement: ``n`` rows or a fraction ``frac``."""
    df = _one(frames, "sample")
    if (n is None) == (frac is None):
        raise InvalidParameterError("transform 'sample' takes exactly one of n= or frac=")
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 0):
        raise InvalidParameterError(f"transform 'sample': n must be an integer >= 0, got {n!r}")
    if frac is not None and not (isinstance(frac, int | float) and 0 < frac <= 1):
        raise InvalidParameterError(f"transform 'sample': frac must be in (0, 1], got {frac!r}")
    rows = min(n, len(df)) if n is not None else round(len(df) * frac)
    picked = np.random.default_rng(require_seed(seed)).choice(len(df), size=rows, replace=False)
    return df.iloc[np.sort(picked)].reset_index(drop=True)


def dropna(frames, *, columns=None) -> pd.DataFrame:
    """Remove rows with a missing value (in ``columns``, default any column)."""
    df = _one(frames, "dropna")
    subset = None if columns is None else _columns(df, columns, "dropna")
    return df.dropna(subset=subset).reset_index(drop=True)


def concat(frames) -> pd.DataFrame:
    """Stack the input tables' rows, in input order (same columns)."""
    tables = list(frames.values())
    columns = [list(t.columns) for t in tables]
    if any(sorted(c) != sorted(columns[0]) for c in columns):
        raise InvalidParameterError(
            f"transform 'concat' needs tables with the same columns; got {columns}"
        )
    return pd.concat([t[columns[0]] for t in tables], ignore_index=True)


def merge(frames, *, on, how: str = "inner") -> pd.DataFrame:
    """Join two input tables on the key column(s) ``on`` (``how``: inner, left, right, outer)."""
    if len(frames) != 2:
        raise InvalidParameterError(
            f"transform 'merge' joins two tables and got {len(frames)}; give it two inputs"
        )
    left, right = frames.values()
    keys = _columns(left, on, "merge")
    _columns(right, keys, "merge")
    if how not in ("inner", "left", "right", "outer"):
        raise InvalidParameterError(
            f"transform 'merge': how must be inner/left/right/outer, got {how!r}"
        )
    return left.merge(right, on=keys, how=how)


#: op name -> (function, whether it takes the node's seed)
OPERATIONS: dict[str, tuple[Callable[..., pd.DataFrame], bool]] = {
    "select": (select, False),
    "drop": (drop, False),
    "filter": (filter_rows, False),
    "rename": (rename, False),
    "sample": (sample, True),
    "dropna": (dropna, False),
    "concat": (concat, False),
    "merge": (merge, False),
}


def operation(op: str) -> tuple[Callable[..., pd.DataFrame], bool]:
    """The named operation; :class:`PipelineDefinitionError` listing them when unknown."""
    try:
        return OPERATIONS[op]
    except (KeyError, TypeError):
        raise PipelineDefinitionError(
            f"unknown transform op {op!r}; use one of {sorted(OPERATIONS)} or pass a callable"
        ) from None
