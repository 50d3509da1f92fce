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
  - per relationship in which it is the *primary* parent: ``__agg:<rel>:<column>``, the
    mean of up to :data:`~genesis.relational.plan.MAX_AGGREGATES` child columns that depend
    on which parent a child has (adjusted correlation ratio >= 0.1, and not already given
    by the context: flights' delays per weather hour), so the parent learns its family's
    level jointly with its own attributes, and its children are then drawn given it
    (siblings resemble each other: one patient's lab values, one stormy hour's delays);
  - per non-primary parent relationship of a child: ``__status:<rel>`` (``ok``, ``null`` or
    ``orphan``), so missing and dangling keys fall on the rows that had them (a flight
    without a tail number is a cancelled one).

* **Children are drawn per parent.** Each child table has one *primary* parent: the
  relationship with the most key columns (a composite key fixes the most columns), then the
  largest parent. The child's model is fitted on its rows joined with their primary
  parent's attributes (``__parent:<column>``; of a wide parent, the
  :data:`~genesis.relational.plan.MAX_CONTEXT` sharing the most binned mutual information
  with a child column), its family aggregates, its number of children (``__siblings``)
  and, for a composite key, the key columns themselves
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

Sizes: ``scale=f`` gives every table ``f`` times its real rows (children's counts are
rescaled to it); ``scale={root: rows}`` fixes root tables and children follow their
parents (``real rows x generated parents / real parents``). Limits: a child's other
parents are matched on one link column, so their mutual coherence (a plane's carrier and
its flights' carrier) is approximate; orphans and nulls of a composite primary key are not
reproduced (its columns are attributes drawn with the parent).
"""

from __future__ import annotations

import os
import time
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
from genesis.relational.child_counts import match_by_rank, random_match, scale_counts
from genesis.relational.keys import assign_self_references, make_unique, row_index
from genesis.relational.plan import (
    SIBLINGS,
    aggregate_column,
    choose_links,
    count_column,
    find_inherited,
    find_orderings,
    link_column,
    model_frame,
    plan_table,
    status_column,
)
from genesis.relational.relationship import Relationship
from genesis.relational.schema import RelationalSchema
from genesis.validation import check_seed, validate_frame

#: rounds of redrawing repeated foreign-key pairs of a link table
_PAIR_ROUNDS = 10
_METHOD_PREFIX = "relational-"


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
        plans = {t: plan_table(t, tables, schema, rows) for t in schema.order()}
        for t in schema.order():
            choose_links(plans[t], tables, rows, self._fit_seeds[t])
            find_inherited(plans[t], tables, rows, self._fit_seeds[t])
            find_orderings(plans[t], tables, rows, self._fit_seeds[t])
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

    def _fit_table(self, plan, tables, schema, rows, plans) -> None:
        from genesis.generators import SyntheticGenerator

        frame, context = model_frame(plan, tables, schema, rows, plans, self._fit_seeds[plan.name])
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
            frame = _inherit(plan, frame, generated)
            if plan.unique_free and plan.universe is not None:
                frame = make_unique(frame, plan.unique_groups, plan.unique_free, plan.universe)
            elif plan.unique_groups:  # a key made of foreign keys only (a link table)
                frame = self._distinct_pairs(plan, frame, generated, rng)
            for c in plan.identifiers:
                frame[c] = plan.key_formats[c].draw(len(frame), rng)
            for r in plan.self_refs:
                weights = frame.get(count_column(r), pd.Series(np.ones(len(frame))))
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
        n_column = count_column(p)
        weights = parents[n_column].to_numpy() if n_column in parents else np.ones(len(parents))
        cap = None
        if plan.universe is not None and set(plan.unique_groups) >= set(p.child_key):
            cap = len(plan.universe)
        counts = scale_counts(weights, total, rng, cap)
        parent_rows = np.repeat(np.arange(len(parents)), counts)
        context = pd.DataFrame(index=pd.RangeIndex(parent_rows.size))
        for cc, pc in plan.context.items():
            context[cc] = parents[pc].to_numpy()[parent_rows]
        for c in plan.parent_attributes:
            context[f"__parent:{c}"] = parents[c].to_numpy()[parent_rows]
        for c in plan.aggregates:
            # a parent drawn with children but no family mean (the model draws the two
            # apart) takes the mean of a random parent that has one
            values = pd.to_numeric(parents[aggregate_column(p, c)], errors="coerce").to_numpy()
            missing, known = np.isnan(values), values[~np.isnan(values)]
            if missing.any() and known.size:
                values = values.copy()
                values[missing] = known[rng.integers(0, known.size, int(missing.sum()))]
            context[f"__parent:{aggregate_column(p, c)}"] = values[parent_rows]
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
            s_column = status_column(r.name)
            status = (
                frame[s_column].astype(str).to_numpy()
                if s_column in frame
                else np.full(n, "ok", dtype=object)
            )
            if self.keep_orphans:
                status = _calibrate(status, plan.orphan_share.get(r.name, 0.0), rng)
            orphan = status == "orphan"
            need = (status == "ok") | (orphan & (not self.keep_orphans))
            chosen = np.full(n, -1, dtype=np.int64)
            if len(r.child_key) > 1 and all(c in frame for c in r.child_key):
                found = row_index(frame, r.child_key, parents, r.parent_key)
                chosen[need & (found >= 0)] = found[need & (found >= 0)]
            todo = need & (chosen < 0)
            k = int(todo.sum())
            if k:
                n_column = count_column(r)
                weights = (
                    parents[n_column].to_numpy() if n_column in parents else np.ones(len(parents))
                )
                counts = scale_counts(weights, k, rng)
                slots = np.repeat(np.arange(len(parents)), counts)
                link = plan.links.get(r.name)
                l_column = link_column(r)
                if link is not None and link in frame and l_column in parents:
                    chosen[todo] = match_by_rank(
                        frame.loc[todo, link].reset_index(drop=True),
                        slots,
                        parents[l_column].iloc[slots].reset_index(drop=True),
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


def _inherit(plan, frame: pd.DataFrame, generated: dict[str, pd.DataFrame]) -> pd.DataFrame:
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


__all__ = ["RelationalSynthesizer"]
