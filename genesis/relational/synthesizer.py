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
  the nearest free real tuple within the same parent (:func:`~genesis.relational.keys.make_unique`);
  with ``cart`` a child's key columns are drawn first, made unique, and the rest of each
  row is then drawn given its final key (a weather row moved to a free hour gets that
  hour's weather and flight count).
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
parents (``real rows x generated parents / real parents``); ``reference_tables`` are
copied whole. A parent that determines another (a plane, its carrier: every flight of a
plane has one carrier) is assigned first, and the determined one by whole families
(:func:`~genesis.relational.child_counts.find_determiners`), so a synthetic plane keeps one
carrier. Generated children-per-parent counts keep the model's ranking of the parents and
the real distribution (:func:`~genesis.relational.child_counts.calibrate_counts`). Limits:
a child's other parents are matched on one link column each, so the rest of a family's
profile (a plane's flights' hours and distances) is only as coherent as that column. A
composite primary key's columns are attributes drawn with the parent, so its orphans come
from dropped parents, as real ones do (hours without a weather record), with
``keep_orphans=True`` (:func:`~genesis.relational.assign.orphan_composite_children`); its
null keys are not reproduced.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
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
from genesis.relational.assign import (
    assign_other_parents,
    distinct_pairs,
    inherit,
    orphan_composite_children,
    output_table,
)
from genesis.relational.child_counts import (
    calibrate_counts,
    count_quantiles,
    find_determiners,
    match_by_rank,
    scale_counts,
)
from genesis.relational.keys import assign_self_references, make_unique, row_index
from genesis.relational.lookups import public_lookups
from genesis.relational.plan import (
    SIBLINGS,
    aggregate_column,
    choose_links,
    count_column,
    find_inherited,
    find_orderings,
    model_frame,
    plan_table,
)
from genesis.relational.relationship import Relationship
from genesis.relational.schema import RelationalSchema
from genesis.validation import check_seed, validate_frame

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
        reference_tables: root tables that are public lookups (airlines, currencies,
            airports) and are copied whole, real keys and values, whatever the scale; their
            children refer to the real keys. Never name a table holding personal data.
            ``"auto"``: the root tables that look like public lookups of named
            organisations or places (:func:`~genesis.relational.lookups.public_lookups`:
            no personal data, a near-unique name column of organisation or place names).
            The default copies nothing: copying hands out real rows, and only the data's
            owner knows that a table of companies is public.
        **method_params: the method's parameters (``min_samples_leaf=20`` ...).

    After :meth:`fit`: ``schema_`` (the :class:`RelationalSchema` used), ``table_rows_``
    (real rows per table), ``reference_tables_`` (the tables copied), ``fit_seconds_``.
    """

    def __init__(
        self,
        method: str = "cart",
        seed: int = 0,
        keep_orphans: bool = False,
        reference_tables: Sequence[str] | str = (),
        **method_params: Any,
    ) -> None:
        from genesis.generators import SyntheticGenerator

        self.method = method
        self.seed = check_seed(seed)
        if not isinstance(keep_orphans, bool):
            raise InvalidParameterError(f"keep_orphans must be True or False, got {keep_orphans!r}")
        self.keep_orphans = keep_orphans
        if reference_tables != "auto" and (
            isinstance(reference_tables, str)
            or not all(isinstance(t, str) for t in reference_tables)
        ):
            raise InvalidParameterError(
                f"reference_tables must be a list of table names or 'auto', got "
                f"{reference_tables!r}; pass e.g. reference_tables=['airlines']"
            )
        self.reference_tables = "auto" if reference_tables == "auto" else tuple(reference_tables)
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
        references = (
            public_lookups(tables, schema)
            if self.reference_tables == "auto"
            else list(self.reference_tables)
        )
        self.reference_tables_ = references
        unknown = [t for t in references if t not in schema.tables]
        children = [t for t in references if t not in schema.roots()]
        if unknown or children:
            raise RelationalSchemaError(
                f"reference_tables must name root tables: {unknown or children} "
                f"{'are not among the tables' if unknown else 'have parents'}; the roots are "
                f"{schema.roots()}"
            )
        plans = {t: plan_table(t, tables, schema, rows) for t in schema.order()}
        for t in references:
            plans[t].reference = True
            plans[t].identifiers = []  # real keys kept (their formats still make orphans)
        for t in schema.order():
            choose_links(plans[t], tables, rows, self._fit_seeds[t], plans)
            if plans[t].primary is not None and plans[t].others:
                plans[t].determined_by = find_determiners(
                    [r for r in plans[t].others if len(r.child_key) == 1],
                    [plans[t].primary, *plans[t].others],
                    rows,
                    len(tables[t]),
                    self._fit_seeds[t],
                )
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
        if plan.reference:  # copied: the real rows with their real child columns
            real = tables[plan.name].reset_index(drop=True)
            extra = frame[[c for c in frame.columns if c not in real.columns]]
            plan.rows = pd.concat([real, extra], axis=1)
            plan.model = None
            return
        if frame.shape[1] == 0:
            plan.model = None
            return
        plan.count_quantiles = {
            c: count_quantiles(frame[c].to_numpy()) for c in frame.columns if c.startswith("__n:")
        }
        params = dict(self.method_params)
        if self.method == "cart" and context:
            params["given"] = context  # visited first, always given: no tree for them
            if _keys_first(plan):
                params["visit_order"] = list(plan.unique_free)
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
            for c, quantiles in getattr(plan, "count_quantiles", {}).items():
                if c in frame:
                    frame[c] = calibrate_counts(frame[c].to_numpy(), quantiles, rng)
            frame = assign_other_parents(
                plan, frame, generated, rng, self.keep_orphans, self.plans_
            )
            frame = inherit(plan, frame, generated)
            if plan.unique_free and plan.universe is not None:
                frame = make_unique(frame, plan.unique_groups, plan.unique_free, plan.universe)
            elif plan.unique_groups:  # a key made of foreign keys only (a link table)
                frame = distinct_pairs(plan, frame, generated, rng)
            for c in plan.identifiers:
                frame[c] = plan.key_formats[c].draw(len(frame), rng)
            for r in [] if plan.reference else plan.self_refs:
                weights = frame.get(count_column(r), pd.Series(np.ones(len(frame))))
                frame[r.child_key[0]] = assign_self_references(
                    frame[r.parent_key[0]].to_numpy(),
                    np.asarray(weights, dtype=np.float64),
                    plan.null_share.get(r.name, 0.0),
                    rng,
                )
            generated[table] = frame.reset_index(drop=True)
        if self.keep_orphans:
            generated = orphan_composite_children(
                generated,
                self.plans_,
                self.schema_.relationships,
                np.random.default_rng(np.random.SeedSequence([seed, 2])),
            )
        return {t: output_table(self.plans_[t], generated[t]) for t in self.schema_.table_names}

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
        if plan.reference:
            return plan.rows.copy()
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
        elif self.method == "cart" and hasattr(plan.model.synthesizer, "generate_given"):
            synthesizer = plan.model.synthesizer
            frame = synthesizer.generate_given(context, seed=seed)
            if _keys_first(plan):
                # a composite key drawn first, made unique, then the rest of each row drawn
                # given its final key: a weather row moved to a free hour gets that hour's
                # weather and flight count, not those of the hour it was drawn for
                keys = frame[plan.unique_free].copy()
                for cc in plan.unique_groups:
                    keys[cc] = parents[plan.copied[cc]].to_numpy()[parent_rows]
                keys["__row"] = np.arange(len(keys))
                keys = make_unique(keys, plan.unique_groups, plan.unique_free, plan.universe)
                kept = keys["__row"].to_numpy()
                parent_rows = parent_rows[kept]
                context = context.iloc[kept].reset_index(drop=True)
                for c in plan.unique_free:
                    context[c] = keys[c].to_numpy()
                frame = synthesizer.generate_given(context, seed=seed + 1)
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
        so they always match; see :func:`~genesis.relational.assign.orphan_composite_children`)."""
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


def _keys_first(plan) -> bool:
    """Whether a child's composite primary key is drawn first and made unique before the
    rest of its rows (its free key columns are attributes, its other ones come from the
    primary parent)."""
    return bool(
        plan.primary is not None
        and plan.unique_free
        and plan.universe is not None
        and set(plan.unique_free) <= set(plan.attributes)
        and set(plan.unique_groups) <= set(plan.copied)
    )


__all__ = ["RelationalSynthesizer"]
