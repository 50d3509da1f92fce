"""Synthetic twins of several tables linked by keys, every foreign key valid.

How :class:`RelationalSynthesizer` works (parents are generated before their children, in
:meth:`RelationalSchema.order`):

* **What each table's model learns.** A table's own attributes, without its identifiers
  (a single-column key, or any column a child refers to alone: they are regenerated fresh
  in their format, :class:`~genesis.relational.keys.KeyFormat`) and without the foreign-key
  columns that name another table's identifier (they are assigned, never modelled). Added
  to it, as ordinary columns learned jointly with the attributes:

  - per relationship in which the table is the parent: ``__n:<rel>``, its real number of
    children (zeros included) — so the count depends on the parent's attributes;
  - per relationship in which it is a *non-primary* parent: ``__link:<rel>``, the mean or
    most frequent value of the child column that depends most on the parent
    (:mod:`genesis.relational.child_counts`);
  - per non-primary parent relationship of a child: ``__status:<rel>`` (``ok``, ``null`` or
    ``orphan``), so missing and dangling keys fall on the rows that had them (a flight
    without a tail number is a cancelled one).

* **Children are drawn per parent.** Each child table has one *primary* parent: the
  relationship with the most key columns (a composite key fixes the most columns), then the
  largest parent. The child's model is fitted on its rows joined with their primary
  parent's attributes (``__parent:<column>``, at most :data:`MAX_CONTEXT`), the parent's
  number of children (``__siblings``) and, for a composite key, the key columns themselves
  (flights' origin, year, month, day, hour come from their weather row). At generation each
  generated parent gets its generated ``__n`` children (rescaled to the wanted total) and
  its children are drawn *given* its attributes: with ``cart`` through
  :meth:`~genesis.generators.cart.CARTSynthesizer.generate_given` (synthpop's per-row
  conditional: the context columns are visited first and every child column is drawn
  through its tree from the row's own parent); other methods draw rows from the joint
  model and pair them with parents by rank of ``__siblings``.

* **Other parents** (a flight's carrier, plane and destination): generated parents are
  repeated by their ``__n`` counts into slots, and children needing one (status ``ok``;
  ``orphan`` too unless ``keep_orphans``) take the slots by rank of the link value, so
  each parent gets about its count and children go to parents that look like theirs.
  Foreign-key columns already set by the primary relationship (flights' origin, via its
  weather row, whose origin came from a generated airport) stay: they are valid already. A
  composite non-primary key keeps the child's own values where a generated parent has them
  and takes a matched parent's key elsewhere.

* **Keys.** Fresh identifiers are written to the parent and copied to its children, so
  every key matches; a composite primary key is made unique by moving repeated tuples to
  the nearest free real tuple within the same parent (:func:`~genesis.relational.keys.make_unique`).
  ``null`` statuses give null keys (a null foreign key refers to nothing: it is valid, and
  kept at the real rate); ``orphan`` statuses, with ``keep_orphans=True``, give fresh keys
  found in no parent, at the real rate; by default they get a parent, so 100% of non-null
  foreign keys are valid.

* **A table referring to itself** (``employee.manager_id -> employee.id``): the table is
  generated (with ``__n:<rel>``, its number of reports), then each row draws its reference
  among rows placed before it in an order with roots first (the real share of null
  references) and big managers early, weighted by their learned reports
  (:func:`~genesis.relational.keys.assign_self_references`): a forest, never a cycle.

Cycles between different tables are refused by :class:`RelationalSchema`.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import (
    GenesisError,
    InvalidParameterError,
    ModelLoadError,
    NotFittedError,
    RelationalSchemaError,
)
from genesis.relational.child_counts import (
    child_counts,
    choose_link,
    link_values,
    match_by_rank,
    random_match,
    scale_counts,
)
from genesis.relational.keys import (
    KeyFormat,
    assign_self_references,
    key_universe,
    make_unique,
    row_index,
)
from genesis.relational.relationship import Relationship
from genesis.relational.schema import RelationalSchema
from genesis.validation import check_seed, validate_frame

#: most parent attributes a child row is conditioned on
MAX_CONTEXT = 12
SIBLINGS = "__siblings"
#: rounds of redrawing repeated foreign-key pairs of a link table
_PAIR_ROUNDS = 10
_METHOD_PREFIX = "relational-"


def _count_column(r: Relationship) -> str:
    return f"__n:{r.name}"


def _link_column(r: Relationship) -> str:
    return f"__link:{r.name}"


def _status_column(r: Relationship) -> str:
    return f"__status:{r.name}"


@dataclass
class _TablePlan:
    """What the synthesizer learned about one table (see the module docstring)."""

    name: str
    columns: list[str]
    dtypes: dict[str, Any]
    identifiers: list[str] = field(default_factory=list)
    key_formats: dict[str, KeyFormat] = field(default_factory=dict)
    primary: Relationship | None = None
    others: list[Relationship] = field(default_factory=list)
    implied: list[Relationship] = field(default_factory=list)
    self_refs: list[Relationship] = field(default_factory=list)
    assigned: set[str] = field(default_factory=set)
    attributes: list[str] = field(default_factory=list)
    context: dict[str, str] = field(default_factory=dict)  # model column -> parent column
    copied: dict[str, str] = field(default_factory=dict)  # child column -> parent column
    links: dict[str, str] = field(default_factory=dict)  # rel name -> child column
    statuses: list[str] = field(default_factory=list)  # rel names with a status column
    null_share: dict[str, float] = field(default_factory=dict)
    orphan_share: dict[str, float] = field(default_factory=dict)
    unique_groups: list[str] = field(default_factory=list)
    unique_free: list[str] = field(default_factory=list)
    universe: pd.DataFrame | None = None
    model: Any = None
    model_columns: list[str] = field(default_factory=list)


class RelationalSynthesizer:
    """Learn several linked tables, generate linked synthetic twins (see the module docstring).

    Args:
        method: the single-table method of every table (``"cart"``, ``"gaussian_copula"``,
            ...; see :class:`~genesis.generators.SyntheticGenerator`). ``cart`` draws each
            child given its own parent; other methods pair jointly drawn rows with parents.
        seed: seed of every random operation; same seed, same tables.
        keep_orphans: keep foreign keys that name no parent, at the real rate (fresh keys
            found in no parent); by default every non-null foreign key is valid.
        **method_params: the method's parameters (``min_samples_leaf=20`` ...).

    After :meth:`fit`: ``schema_`` (the :class:`RelationalSchema` used), ``table_rows_``
    (real rows per table), ``fit_seconds_``.
    """

    def __init__(
        self, method: str = "cart", seed: int = 0, keep_orphans: bool = False, **method_params: Any
    ) -> None:
        from genesis.generators import SyntheticGenerator

        self.method = method
        self.seed = check_seed(seed)
        if not isinstance(keep_orphans, bool):
            raise InvalidParameterError(f"keep_orphans must be True or False, got {keep_orphans!r}")
        self.keep_orphans = keep_orphans
        self.method_params = dict(method_params)
        # fail now on an unknown method or parameter, not after minutes of fitting
        self.method = SyntheticGenerator(method, seed=0, **method_params).method

    # -- fitting -----------------------------------------------------------------------------
    def fit(
        self,
        tables: dict[str, pd.DataFrame],
        relationships: list[Relationship] | RelationalSchema | None = None,
    ) -> RelationalSynthesizer:
        """Learn ``tables`` (name -> DataFrame) linked by ``relationships`` (a list of
        :class:`Relationship`, a :class:`RelationalSchema`, or None to infer them); returns
        self. Raises :class:`~genesis.errors.RelationalSchemaError` when they do not fit."""
        start = time.perf_counter()
        if not isinstance(tables, dict) or not tables:
            raise RelationalSchemaError(
                "tables must be a non-empty dict of table name -> pandas DataFrame"
            )
        for name, df in tables.items():
            validate_frame(df, f"table {name!r}")
        schema = self._resolve_schema(tables, relationships)
        schema.validate(tables)
        self.schema_ = schema
        self.table_rows_ = {t: len(tables[t]) for t in schema.table_names}
        seeds = np.random.SeedSequence(self.seed).spawn(len(schema.table_names))
        self._fit_seeds = {
            t: int(s.generate_state(1)[0]) for t, s in zip(schema.table_names, seeds, strict=True)
        }
        rows = {
            r: row_index(tables[r.child], r.child_key, tables[r.parent], r.parent_key)
            for r in schema.relationships
        }
        plans = {t: self._plan(t, tables, schema, rows) for t in schema.order()}
        for t in schema.order():
            self._choose_links(plans[t], tables, schema, rows, plans)
        for t in schema.order():
            self._fit_table(plans[t], tables, schema, rows, plans)
        self.plans_ = plans
        self.fit_seconds_ = time.perf_counter() - start
        return self

    def _resolve_schema(self, tables, relationships) -> RelationalSchema:
        if relationships is None:
            return RelationalSchema.infer(tables)
        if isinstance(relationships, RelationalSchema):
            missing = [t for t in relationships.table_names if t not in tables]
            if missing:
                raise RelationalSchemaError(
                    f"the schema names table(s) {missing} that were not passed (got "
                    f"{sorted(tables)}); pass them or remove their relationships"
                )
            # tables the schema leaves out (a rel.yaml names only linked ones) stand alone
            declared = {t: k for t, k in relationships.primary_keys.items() if k is not None}
            columns = {t: list(df.columns) for t, df in tables.items()}
            return RelationalSchema(columns, relationships.relationships, declared)
        if isinstance(relationships, Relationship):
            relationships = [relationships]
        if not isinstance(relationships, list | tuple):
            raise RelationalSchemaError(
                "relationships must be a list of Relationship, a RelationalSchema or None, got "
                f"{type(relationships).__name__}"
            )
        columns = {t: list(df.columns) for t, df in tables.items()}
        return RelationalSchema(columns, list(relationships))

    def _plan(self, table, tables, schema, rows) -> _TablePlan:
        df = tables[table]
        plan = _TablePlan(table, list(df.columns), {c: df[c].dtype for c in df.columns})
        key = schema.primary_keys.get(table)
        identifiers = [] if key is None or len(key) != 1 else [key[0]]
        for r in schema.children_of(table):
            if len(r.parent_key) == 1 and r.parent_key[0] not in identifiers:
                identifiers.append(r.parent_key[0])
        plan.identifiers = identifiers
        plan.key_formats = {c: KeyFormat(df[c]) for c in identifiers}
        parents = [r for r in schema.parents_of(table) if not r.is_self_reference]
        plan.self_refs = [r for r in schema.parents_of(table) if r.is_self_reference]
        for r in plan.self_refs:
            if len(r.child_key) != 1:
                raise RelationalSchemaError(
                    f"{r}: a table referring to itself through a composite key is not "
                    "supported; refer to a single-column key (e.g. an id column)"
                )
        assigned = set(identifiers)
        for r in plan.self_refs:
            assigned.update(r.child_key)
            plan.null_share[r.name] = float(df[list(r.child_key)].isna().any(axis=1).mean())
        if parents:
            plan.primary = max(
                parents, key=lambda r: (len(r.child_key), len(tables[r.parent]), -parents.index(r))
            )
            p = plan.primary
            parent_plan_ids = self._identifier_columns(p.parent, schema)
            for pc, cc in zip(p.parent_key, p.child_key, strict=True):
                if pc in parent_plan_ids or self._assigned_in_parent(p.parent, pc, schema):
                    plan.copied[cc] = pc
                    assigned.add(cc)
                else:
                    plan.context[cc] = pc
            covered = set(p.child_key)
            for r in sorted(parents, key=lambda r: -len(r.child_key)):
                if r is p:
                    continue
                if set(r.child_key) <= covered:
                    plan.implied.append(r)
                    continue
                plan.others.append(r)
                covered |= set(r.child_key)
                if len(r.child_key) == 1:
                    assigned.add(r.child_key[0])
            statuses = self._statuses(df, rows, [p, *plan.others])
            plan.null_share[p.name] = float((statuses[p.name] == "null").mean())
            plan.orphan_share[p.name] = float((statuses[p.name] == "orphan").mean())
            for r in plan.others:
                s = statuses[r.name]
                plan.null_share[r.name] = float((s == "null").mean())
                plan.orphan_share[r.name] = float((s == "orphan").mean())
                if (s != "ok").any():
                    plan.statuses.append(r.name)
        plan.assigned = assigned
        plan.attributes = [c for c in df.columns if c not in assigned and c not in plan.context]
        if key is not None and len(key) > 1:
            fk_columns = set(plan.copied) | {
                c for r in plan.others if len(r.child_key) == 1 for c in r.child_key
            }
            plan.unique_groups = [c for c in key if c in fk_columns]
            plan.unique_free = [c for c in key if c not in fk_columns]
            plan.universe = key_universe(df, plan.unique_free) if plan.unique_free else None
        return plan

    @staticmethod
    def _identifier_columns(table, schema) -> set[str]:
        key = schema.primary_keys.get(table)
        ids = set() if key is None or len(key) != 1 else {key[0]}
        ids |= {r.parent_key[0] for r in schema.children_of(table) if len(r.parent_key) == 1}
        return ids

    @staticmethod
    def _assigned_in_parent(table, column, schema) -> bool:
        """Whether ``table.column`` is a foreign key to another table's identifier there."""
        return any(
            len(r.child_key) == 1 and r.child_key[0] == column for r in schema.parents_of(table)
        )

    @staticmethod
    def _statuses(df, rows, relationships) -> dict[str, np.ndarray]:
        out = {}
        for r in relationships:
            null = df[list(r.child_key)].isna().any(axis=1).to_numpy()
            found = rows[r] >= 0
            out[r.name] = np.where(null, "null", np.where(found, "ok", "orphan")).astype(object)
        return out

    def _choose_links(self, plan, tables, schema, rows, plans) -> None:
        df = tables[plan.name]
        candidates = [c for c in plan.attributes if c in df.columns]
        for r in plan.others:
            if len(r.child_key) != 1:
                continue
            link = choose_link(df, candidates, rows[r], self._fit_seeds[plan.name])
            if link is not None:
                plan.links[r.name] = link

    def _model_frame(self, plan, tables, schema, rows, plans) -> tuple[pd.DataFrame, list[str]]:
        """The table the model of ``plan`` learns, and its context columns (first)."""
        df = tables[plan.name]
        data: dict[str, Any] = {}
        context: list[str] = []
        if plan.primary is not None:
            p = plan.primary
            parent_df, parent_plan = tables[p.parent], plans[p.parent]
            idx = rows[p]
            matched = idx >= 0
            take = np.maximum(idx, 0)
            for cc in plan.context:
                data[cc] = df[cc].to_numpy()
                context.append(cc)
            own = [
                c
                for c in parent_plan.attributes
                if c not in p.parent_key and _learned(parent_plan.model, c)
            ][:MAX_CONTEXT]
            plan.parent_attributes = own
            for c in own:
                values = parent_df[c].iloc[take].reset_index(drop=True)
                values[~matched] = None
                data[f"__parent:{c}"] = values.to_numpy()
                context.append(f"__parent:{c}")
            counts = child_counts(idx, len(parent_df)).astype(np.float64)
            data[SIBLINGS] = np.where(matched, counts[take], np.nan)
            context.append(SIBLINGS)
        for c in plan.attributes:
            data[c] = df[c].to_numpy()
        statuses = self._statuses(df, rows, [r for r in plan.others if r.name in plan.statuses])
        for name, s in statuses.items():
            data[_status_column_name(name)] = s
        for r in schema.children_of(plan.name):
            child_plan = plans[r.child]
            if r in child_plan.implied:
                continue
            data[_count_column(r)] = child_counts(rows[r], len(df))
            link = child_plan.links.get(r.name)
            if link is not None:
                values = link_values(tables[r.child][link].reset_index(drop=True), rows[r], len(df))
                data[_link_column(r)] = values.to_numpy()
        frame = pd.DataFrame(data, index=pd.RangeIndex(len(df)))
        for c in frame.columns:  # keep the source dtypes of the table's own columns
            if c in df.columns:
                frame[c] = df[c].reset_index(drop=True)
        return frame, context

    def _fit_table(self, plan, tables, schema, rows, plans) -> None:
        from genesis.generators import SyntheticGenerator

        frame, context = self._model_frame(plan, tables, schema, rows, plans)
        plan.model_columns = list(frame.columns)
        plan.context_columns = context
        if frame.shape[1] == 0:
            plan.model = None
            return
        params = dict(self.method_params)
        if self.method == "cart" and context:
            params["visit_order"] = context + [c for c in frame.columns if c not in context]
        model = SyntheticGenerator(self.method, seed=self._fit_seeds[plan.name], **params)
        try:
            plan.model = model.fit(frame)
        except GenesisError as exc:  # name the table: the message alone does not
            try:
                named = type(exc)(f"table {plan.name!r}: {exc}")
            except TypeError:
                raise exc from None
            raise named from exc

    # -- generation --------------------------------------------------------------------------
    def generate(
        self, scale: float | dict[str, int] = 1.0, seed: int | None = None
    ) -> dict[str, pd.DataFrame]:
        """Synthetic tables: the same names, columns and dtypes, every foreign key valid.

        Args:
            scale: a factor of every table's real rows (1.0: the real sizes), or a dict of
                root table -> rows (roots left out keep their real rows; children follow
                their learned counts per parent).
            seed: seed of this draw (None: the constructor's); same seed, same tables.
        """
        if not hasattr(self, "plans_"):
            raise NotFittedError(
                "this RelationalSynthesizer is not fitted yet; call fit(tables) first"
            )
        seed = check_seed(self.seed if seed is None else seed)
        sizes, factor = self._sizes(scale)
        order = self.schema_.order()
        seeds = np.random.SeedSequence([seed, 1]).spawn(len(order))
        generated: dict[str, pd.DataFrame] = {}
        for table, table_seed in zip(order, seeds, strict=True):
            plan = self.plans_[table]
            rng = np.random.default_rng(table_seed)
            model_seed = int(rng.integers(2**31))
            if plan.primary is None:
                frame = self._draw(plan, sizes[table], model_seed)
            else:
                frame = self._draw_children(plan, generated, factor, model_seed, rng)
            frame = self._assign_other_parents(plan, frame, generated, rng)
            if plan.unique_free and plan.universe is not None:
                frame = make_unique(frame, plan.unique_groups, plan.unique_free, plan.universe)
            elif plan.unique_groups:  # a key made of foreign keys only (a link table)
                frame = self._distinct_pairs(plan, frame, generated, rng)
            for c in plan.identifiers:
                frame[c] = plan.key_formats[c].draw(len(frame), rng)
            for r in plan.self_refs:
                weights = frame.get(_count_column(r), pd.Series(np.ones(len(frame))))
                frame[r.child_key[0]] = assign_self_references(
                    frame[r.parent_key[0]].to_numpy(),
                    np.asarray(weights, dtype=np.float64),
                    plan.null_share.get(r.name, 0.0),
                    rng,
                )
            generated[table] = frame.reset_index(drop=True)
        return {t: self._output(self.plans_[t], generated[t]) for t in self.schema_.table_names}

    def _sizes(self, scale) -> tuple[dict[str, int], float | None]:
        roots = self.schema_.roots()
        if isinstance(scale, dict):
            unknown = [t for t in scale if t not in roots]
            if unknown:
                raise InvalidParameterError(
                    f"scale names {unknown}, which are not root tables; the roots are {roots} "
                    "(children follow their parents' counts)"
                )
            sizes = {}
            for t in roots:
                value = scale.get(t, self.table_rows_[t])
                if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
                    raise InvalidParameterError(
                        f"scale[{t!r}] must be a number of rows >= 0, got {value!r}"
                    )
                sizes[t] = int(value)
            return sizes, None
        if (
            isinstance(scale, bool)
            or not isinstance(scale, int | float)
            or not np.isfinite(scale)
            or scale <= 0
        ):
            raise InvalidParameterError(
                f"scale must be a positive number or a dict of root table -> rows, got {scale!r}"
            )
        return {t: max(1, round(self.table_rows_[t] * scale)) for t in roots}, float(scale)

    def _draw(self, plan, n, seed) -> pd.DataFrame:
        if plan.model is None:
            return pd.DataFrame(index=pd.RangeIndex(n))
        return plan.model.generate(n, seed=seed).reset_index(drop=True)

    def _draw_children(self, plan, generated, factor, seed, rng) -> pd.DataFrame:
        p = plan.primary
        parents = generated[p.parent]
        real_parents = max(self.table_rows_[p.parent], 1)
        rows = self.table_rows_[plan.name]
        if factor is not None:
            total = round(rows * factor)
        else:
            total = round(rows * len(parents) / real_parents)
        count_column = _count_column(p)
        weights = (
            parents[count_column].to_numpy() if count_column in parents else np.ones(len(parents))
        )
        cap = None
        if plan.universe is not None and set(plan.unique_groups) >= set(p.child_key):
            cap = len(plan.universe)
        counts = scale_counts(weights, total, rng, cap)
        parent_rows = np.repeat(np.arange(len(parents)), counts)
        context = pd.DataFrame(index=pd.RangeIndex(parent_rows.size))
        for cc, pc in plan.context.items():
            context[cc] = parents[pc].to_numpy()[parent_rows]
        for c in getattr(plan, "parent_attributes", []):
            context[f"__parent:{c}"] = parents[c].to_numpy()[parent_rows]
        context[SIBLINGS] = counts[parent_rows].astype(np.float64)
        if plan.model is None:
            frame = context.copy()
        elif self.method == "cart":
            frame = plan.model.synthesizer.generate_given(context, seed=seed)
        else:
            drawn = plan.model.generate(parent_rows.size, seed=seed).reset_index(drop=True)
            slots = match_by_rank(
                drawn[SIBLINGS], np.arange(parent_rows.size), context[SIBLINGS], rng
            )
            frame = drawn.iloc[np.argsort(slots, kind="stable")].reset_index(drop=True)
            for c in context.columns:
                frame[c] = context[c].to_numpy()
        for cc, pc in plan.copied.items():
            frame[cc] = parents[pc].to_numpy()[parent_rows]
        return self._primary_misses(plan, frame, parents, rng)

    def _primary_misses(self, plan, frame, parents, rng) -> pd.DataFrame:
        """Null primary keys at the real rate, and with ``keep_orphans`` dangling ones too
        (single-column keys: a composite key's columns are attributes drawn with the parent,
        so they always match)."""
        p = plan.primary
        if len(p.child_key) != 1 or not len(frame):
            return frame
        n = len(frame)
        nulls = round(plan.null_share.get(p.name, 0.0) * n)
        orphans = round(plan.orphan_share.get(p.name, 0.0) * n) if self.keep_orphans else 0
        if not nulls and not orphans:
            return frame
        rows = rng.permutation(n)[: nulls + orphans]
        column = frame[p.child_key[0]].to_numpy(dtype=object).copy()
        column[rows[:nulls]] = None
        fmt = self.plans_[p.parent].key_formats.get(p.parent_key[0])
        if orphans and fmt is not None:
            column[rows[nulls:]] = fmt.draw(orphans, rng, avoid=parents[p.parent_key[0]].to_numpy())
        frame[p.child_key[0]] = column
        return frame

    def _assign_other_parents(self, plan, frame, generated, rng) -> pd.DataFrame:
        n = len(frame)
        for r in plan.others:
            parents = generated[r.parent]
            status_column = _status_column_name(r.name)
            status = (
                frame[status_column].astype(str).to_numpy()
                if status_column in frame
                else np.full(n, "ok", dtype=object)
            )
            orphan = status == "orphan"
            need = (status == "ok") | (orphan & (not self.keep_orphans))
            chosen = np.full(n, -1, dtype=np.int64)
            if len(r.child_key) > 1 and all(c in frame for c in r.child_key):
                found = row_index(frame, r.child_key, parents, r.parent_key)
                chosen[need & (found >= 0)] = found[need & (found >= 0)]
            todo = need & (chosen < 0)
            k = int(todo.sum())
            if k:
                count_column = _count_column(r)
                weights = (
                    parents[count_column].to_numpy()
                    if count_column in parents
                    else np.ones(len(parents))
                )
                counts = scale_counts(weights, k, rng)
                slots = np.repeat(np.arange(len(parents)), counts)
                link = plan.links.get(r.name)
                link_column = _link_column(r)
                if link is not None and link in frame and link_column in parents:
                    chosen[todo] = match_by_rank(
                        frame.loc[todo, link].reset_index(drop=True),
                        slots,
                        parents[link_column].iloc[slots].reset_index(drop=True),
                        rng,
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
                parent_plan = self.plans_[r.parent]
                fmt = parent_plan.key_formats.get(r.parent_key[0])
                if fmt is not None:
                    column = frame[r.child_key[0]].to_numpy(dtype=object)
                    column[orphan_rows] = fmt.draw(
                        int(orphan_rows.sum()), rng, avoid=parents[r.parent_key[0]].to_numpy()
                    )
                    frame[r.child_key[0]] = column
        return frame

    def _distinct_pairs(self, plan, frame, generated, rng) -> pd.DataFrame:
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
            count_column = _count_column(r)
            weights = (
                np.clip(parents[count_column].to_numpy(dtype=np.float64), 0, None) + 1e-3
                if count_column in parents
                else np.ones(len(parents))
            )
            picks = rng.choice(len(parents), size=k, p=weights / weights.sum())
            column = frame[r.child_key[0]].to_numpy(dtype=object).copy()
            column[repeated] = parents[r.parent_key[0]].to_numpy()[picks]
            frame[r.child_key[0]] = column
        return frame.drop_duplicates(key).reset_index(drop=True)

    def _output(self, plan, frame) -> pd.DataFrame:
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

    # -- persistence -------------------------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> str:
        """Write the fitted synthesizer to ``path`` atomically, owner-only (0600); returns the
        path. It holds per-column values of the training tables (CART leaves): keep it as
        private as the data."""
        from genesis.generators.persistence import model_to_bytes, write_model

        if not hasattr(self, "plans_"):
            raise NotFittedError(
                "this RelationalSynthesizer is not fitted yet; call fit(tables) first"
            )
        return write_model(path, model_to_bytes(self, _METHOD_PREFIX + self.method))

    @classmethod
    def load(cls, path: str | os.PathLike[str] | bytes) -> RelationalSynthesizer:
        """A synthesizer written by :meth:`save`; :class:`~genesis.errors.ModelLoadError` when
        the file is missing, corrupt or holds another kind of model."""
        from genesis.generators.persistence import read_model

        header, model = read_model(path)
        if not isinstance(model, cls):
            raise ModelLoadError(
                f"{str(path)!r} holds a {type(model).__name__} ({header.get('method')!r}), not a "
                "RelationalSynthesizer; load it with genesis.generators.SyntheticGenerator.load"
            )
        return model

    def __repr__(self) -> str:
        state = (
            f"{len(self.schema_.table_names)} tables" if hasattr(self, "schema_") else "not fitted"
        )
        return f"RelationalSynthesizer(method={self.method!r}, seed={self.seed}, {state})"


def _learned(model: Any, column: str) -> bool:
    """Whether the parent's model learns ``column`` from its values (not an identifier, a
    fake or a constant), so it can condition a child."""
    if model is None:
        return False
    transformer = model.synthesizer.transformer_
    if column not in transformer.source_columns_:
        return False
    handler = next(h for h in transformer.handlers_ if h.name == column)
    return type(handler).__name__ not in ("_FakeHandler", "_IdentifierHandler", "_ConstantHandler")


def _status_column_name(name: str) -> str:
    return f"__status:{name}"


__all__ = ["MAX_CONTEXT", "RelationalSynthesizer"]
