"""What the relational synthesizer learns about each table, and the frame its model fits.

A :class:`TablePlan` records, for one table: its identifiers (regenerated fresh), its
*primary* parent relationship (children are drawn per parent of it) and its other parents,
which columns come from the parent and which are modelled, the real shares of null and
dangling keys, and how a composite key is kept unique. :func:`model_frame` builds the frame
the table's single-table model learns: the parent context first (a composite key's columns,
the most informative parent attributes, ``__siblings``, the family aggregates), the table's
own attributes, then the columns it learns for its children (``__n:``, ``__link:``,
``__agg:``) and its foreign-key statuses (``__status:``). See
:mod:`genesis.relational.synthesizer` for how they are used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import RelationalSchemaError
from genesis.relational.child_counts import child_counts, choose_link, link_score, link_values
from genesis.relational.keys import KeyFormat, key_universe
from genesis.relational.relationship import Relationship
from genesis.relational.schema import key_kind

#: most parent attributes a child row is conditioned on (the most informative ones)
MAX_CONTEXT = 12
#: most child columns whose per-parent mean the parent learns and its children are drawn given
MAX_AGGREGATES = 2
#: least dependence on the parent (adjusted correlation ratio) for a family aggregate
MIN_AGGREGATE_SCORE = 0.1
#: a child column this correlated with a context column is already given by the context
_REDUNDANT = 0.8
#: rows the context and aggregate choices are estimated on
_SAMPLE_ROWS = 20_000
#: link score above which children are matched on the link alone, without groups
STRONG_LINK = 0.5
#: least binned mutual information (nats) of a parent attribute with a child column to
#: group children by it
MIN_GROUP_INFORMATION = 0.05
#: least share of equal values for a child column to be a copy of its parent's
INHERITED_SHARE = 0.99
#: least share of rows in one order for a child and parent datetime to keep it
ORDERED_SHARE = 0.999
_BINS = 16
SIBLINGS = "__siblings"


def count_column(r: Relationship) -> str:
    """The parent's column holding its number of children in ``r``."""
    return f"__n:{r.name}"


def link_column(r: Relationship) -> str:
    """The parent's column holding its children's link value in ``r``."""
    return f"__link:{r.name}"


def status_column(r: Relationship | str) -> str:
    """The child's column saying whether its key in ``r`` is ok, null or orphan."""
    return f"__status:{r if isinstance(r, str) else r.name}"


def group_column(r: Relationship | str) -> str:
    """The child's column holding the group of its parent in ``r``."""
    return f"__group:{r if isinstance(r, str) else r.name}"


def aggregate_column(r: Relationship, column: str) -> str:
    """The parent's column holding the mean of its children's ``column`` in ``r``."""
    return f"__agg:{r.name}:{column}"


@dataclass
class Binning:
    """Bins of one parent column: quantile edges of numbers, or its most frequent labels
    (the rest share a bin); missing values bin to -1."""

    edges: np.ndarray | None
    labels: list | None

    @classmethod
    def fit(cls, s: pd.Series) -> Binning:
        if _numeric(s):
            x = s.dropna().to_numpy(dtype=np.float64)
            edges = (
                np.unique(np.quantile(x, np.linspace(0, 1, _BINS + 1)[1:-1])) if x.size else None
            )
            return cls(edges if edges is not None else np.array([]), None)
        counts = s.dropna().astype(str).value_counts()
        return cls(None, list(counts.index[: _BINS - 1]))

    def codes(self, s: pd.Series) -> np.ndarray:
        missing = s.isna().to_numpy()
        if self.edges is not None:
            values = pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64)
            codes = np.searchsorted(self.edges, np.nan_to_num(values), side="right")
            missing |= np.isnan(values)
        else:
            codes = pd.Index(self.labels).get_indexer(s.astype(str))
            codes = np.where(codes < 0, len(self.labels), codes)
        return np.where(missing, -1, codes).astype(np.int64)


@dataclass
class TablePlan:
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
    attributes: list[str] = field(default_factory=list)
    context: dict[str, str] = field(default_factory=dict)  # child column -> parent key column
    copied: dict[str, str] = field(default_factory=dict)  # child column -> parent column
    parent_attributes: list[str] = field(default_factory=list)  # parent columns given
    aggregates: list[str] = field(default_factory=list)  # child columns averaged per parent
    links: dict[str, str] = field(default_factory=dict)  # rel name -> child column
    # rel name -> (parent column, its bins): the other parent's group a child learns
    groupings: dict[str, tuple[str, Binning]] = field(default_factory=dict)
    link_scores: dict[str, float] = field(default_factory=dict)  # rel name -> link score
    # rel name -> the rel whose parent determines it (a flight's plane, its carrier)
    determined_by: dict[str, str] = field(default_factory=dict)
    # count column -> the real children-per-parent distribution (sorted, or quantiles)
    count_quantiles: dict[str, np.ndarray] = field(default_factory=dict)
    # child column -> (relationship, parent column) it always equals (a denormalised copy)
    inherited: dict[str, tuple[Relationship, str]] = field(default_factory=dict)
    # (relationship, child column, parent column, +1 child later / -1 child earlier)
    orderings: list[tuple[Relationship, str, str, int]] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)  # rel names with a status column
    null_share: dict[str, float] = field(default_factory=dict)
    orphan_share: dict[str, float] = field(default_factory=dict)
    unique_groups: list[str] = field(default_factory=list)
    unique_free: list[str] = field(default_factory=list)
    universe: pd.DataFrame | None = None
    model: Any = None
    model_columns: list[str] = field(default_factory=list)
    reference: bool = False  # copied whole (a public lookup table), not modelled
    rows: pd.DataFrame | None = None  # a reference table's rows and child columns
    context_columns: list[str] = field(default_factory=list)


def statuses(
    df: pd.DataFrame, rows: dict, relationships: list[Relationship]
) -> dict[str, np.ndarray]:
    """Per relationship, each child row's key status: ``ok``, ``null`` or ``orphan``."""
    out = {}
    for r in relationships:
        null = df[list(r.child_key)].isna().any(axis=1).to_numpy()
        found = rows[r] >= 0
        out[r.name] = np.where(null, "null", np.where(found, "ok", "orphan")).astype(object)
    return out


def identifier_columns(table: str, schema) -> set[str]:
    """Columns of ``table`` regenerated fresh: its single-column primary key and any column
    a child refers to alone."""
    key = schema.primary_keys.get(table)
    ids = set() if key is None or len(key) != 1 else {key[0]}
    ids |= {r.parent_key[0] for r in schema.children_of(table) if len(r.parent_key) == 1}
    return ids


def _assigned_in(table: str, column: str, schema) -> bool:
    """Whether ``table.column`` is a single-column foreign key (assigned, not modelled)."""
    return any(len(r.child_key) == 1 and r.child_key[0] == column for r in schema.parents_of(table))


def plan_table(table: str, tables: dict[str, pd.DataFrame], schema, rows: dict) -> TablePlan:
    """The plan of ``table``: keys, primary parent, modelled columns, key shares."""
    df = tables[table]
    plan = TablePlan(table, list(df.columns), {c: df[c].dtype for c in df.columns})
    key = schema.primary_keys.get(table)
    identifiers = [] if key is None or len(key) != 1 else [key[0]]
    identifiers += sorted(identifier_columns(table, schema) - set(identifiers))
    # a key that is also a foreign key (a profile keyed by its customer's id) is assigned
    # from the parent, never drawn fresh; it stays unique like a link table's key
    foreign = {
        r.child_key[0]
        for r in schema.parents_of(table)
        if len(r.child_key) == 1 and not r.is_self_reference
    }
    identifiers = [c for c in identifiers if c not in foreign]
    plan.identifiers = identifiers
    plan.key_formats = {c: KeyFormat(df[c]) for c in identifiers}
    parents = [r for r in schema.parents_of(table) if not r.is_self_reference]
    plan.self_refs = [r for r in schema.parents_of(table) if r.is_self_reference]
    assigned = set(identifiers)
    for r in plan.self_refs:
        if len(r.child_key) != 1:
            raise RelationalSchemaError(
                f"{r}: a table referring to itself through a composite key is not supported; "
                "refer to a single-column key (e.g. an id column)"
            )
        assigned.update(r.child_key)
        plan.null_share[r.name] = float(df[list(r.child_key)].isna().any(axis=1).mean())
    if parents:
        # the composite key fixes the most columns; then the largest parent
        p = max(parents, key=lambda r: (len(r.child_key), len(tables[r.parent]), -parents.index(r)))
        plan.primary = p
        parent_ids = identifier_columns(p.parent, schema)
        for pc, cc in zip(p.parent_key, p.child_key, strict=True):
            if pc in parent_ids or _assigned_in(p.parent, pc, schema):
                plan.copied[cc] = pc
                assigned.add(cc)
            else:
                plan.context[cc] = pc
        covered = set(p.child_key)
        for r in sorted(parents, key=lambda r: -len(r.child_key)):
            if r is p:
                continue
            if set(r.child_key) <= covered:  # set by the primary parent already
                plan.implied.append(r)
                continue
            plan.others.append(r)
            covered |= set(r.child_key)
            if len(r.child_key) == 1:
                assigned.add(r.child_key[0])
        found = statuses(df, rows, [p, *plan.others])
        for r in [p, *plan.others]:
            plan.null_share[r.name] = float((found[r.name] == "null").mean())
            plan.orphan_share[r.name] = float((found[r.name] == "orphan").mean())
            if r is not p and (found[r.name] != "ok").any():
                plan.statuses.append(r.name)
    plan.attributes = [c for c in df.columns if c not in assigned and c not in plan.context]
    if key is not None and len(key) == 1 and key[0] in foreign:
        plan.unique_groups = [key[0]]
    if key is not None and len(key) > 1:
        fk_columns = set(plan.copied) | {
            c for r in plan.others if len(r.child_key) == 1 for c in r.child_key
        }
        plan.unique_groups = [c for c in key if c in fk_columns]
        plan.unique_free = [c for c in key if c not in fk_columns]
        plan.universe = key_universe(df, plan.unique_free) if plan.unique_free else None
    return plan


def _numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)


def choose_links(
    plan: TablePlan, tables: dict[str, pd.DataFrame], rows: dict, seed: int, plans: dict
) -> None:
    """The link column and group of each other parent, and the family aggregates of the
    primary one."""
    df = tables[plan.name]
    for r in plan.others:
        if len(r.child_key) == 1:
            link = choose_link(df, plan.attributes, rows[r], seed)
            if link is not None:
                plan.links[r.name] = link
                sample = _sample(len(df), seed)
                strong = link_score(df[link].iloc[sample].reset_index(drop=True), rows[r][sample])
                plan.link_scores[r.name] = strong
                if strong >= STRONG_LINK:
                    # a near-deterministic link (a destination's distance) places children
                    # best alone: grouping first would misalign it where group shares drift
                    continue
            grouping = _choose_grouping(plan, df, tables[r.parent], plans[r.parent], rows[r], seed)
            if grouping is not None:
                plan.groupings[r.name] = grouping
    if plan.primary is None:
        return
    sample = _sample(len(df), seed)
    groups = rows[plan.primary][sample]
    part = df.iloc[sample].reset_index(drop=True)
    numbers = [c for c in plan.attributes if _numeric(df[c]) and df[c].nunique() > 2]
    given = [c for c in plan.context if _numeric(df[c])]
    scored = []
    for c in numbers:
        if given:
            ranks = part[[c, *given]].rank().corr().iloc[0, 1:].abs()
            if (ranks > _REDUNDANT).any():
                continue
        score = link_score(part[c], groups)
        if score >= MIN_AGGREGATE_SCORE:
            scored.append((score, c))
    plan.aggregates = [c for _, c in sorted(scored, key=lambda x: -x[0])[:MAX_AGGREGATES]]


def find_inherited(plan: TablePlan, tables: dict[str, pd.DataFrame], rows: dict, seed: int) -> None:
    """Child columns that equal a column of their parent in at least
    :data:`INHERITED_SHARE` of the rows that have one (an order item's unit price and its
    product's price, a flight's time_hour and its weather row's): at generation they are
    copied from the generated parent, so they agree exactly."""
    if plan.primary is None:
        return
    df = tables[plan.name]
    sample = _sample(len(df), seed)
    for r in [plan.primary, *plan.others]:
        idx = rows[r][sample]
        matched = idx >= 0
        if matched.sum() < 10:
            continue
        parent = tables[r.parent].iloc[idx[matched]].reset_index(drop=True)
        child = df.iloc[sample[matched]].reset_index(drop=True)
        for c in plan.attributes:
            if c in plan.inherited or c in r.child_key or child[c].nunique() < 2:
                continue
            for pc in parent.columns:
                if pc in r.parent_key or parent[pc].nunique() < 2:
                    continue
                if _equal_share(child[c], parent[pc]) >= INHERITED_SHARE:
                    plan.inherited[c] = (r, pc)
                    break


def find_orderings(plan: TablePlan, tables: dict[str, pd.DataFrame], rows: dict, seed: int) -> None:
    """Child and parent datetime columns always in the same order (an order never before its
    customer's signup, a lab result never before the patient's birth) in at least
    :data:`ORDERED_SHARE` of the rows having both: generation keeps the order."""
    if plan.primary is None:
        return
    df = tables[plan.name]
    sample = _sample(len(df), seed)
    times = [c for c in plan.attributes if pd.api.types.is_datetime64_dtype(df[c].dtype)]
    for r in [plan.primary, *plan.others]:
        parent_df = tables[r.parent]
        parent_times = [
            c for c in parent_df.columns if pd.api.types.is_datetime64_dtype(parent_df[c].dtype)
        ]
        if not times or not parent_times:
            continue
        idx = rows[r][sample]
        matched = idx >= 0
        parent = parent_df.iloc[idx[matched]].reset_index(drop=True)
        child = df.iloc[sample[matched]].reset_index(drop=True)
        for c in times:
            for pc in parent_times:
                both = child[c].notna() & parent[pc].notna()
                if both.sum() < 10:
                    continue
                later = float((child[c][both] >= parent[pc][both]).mean())
                if later >= ORDERED_SHARE:
                    plan.orderings.append((r, c, pc, 1))
                elif 1 - float((child[c][both] > parent[pc][both]).mean()) >= ORDERED_SHARE:
                    plan.orderings.append((r, c, pc, -1))


def _equal_share(a: pd.Series, b: pd.Series) -> float:
    """Share of the rows where ``a`` equals ``b`` (both present), among rows with ``a``."""
    if key_kind(a.dtype) != key_kind(b.dtype):
        return 0.0
    present = a.notna().to_numpy()
    if not present.any():
        return 0.0
    if key_kind(a.dtype) == "number":
        x, y = a.to_numpy(dtype=np.float64), b.to_numpy(dtype=np.float64)
        same = np.isclose(x, y, rtol=1e-9, atol=1e-12)
    else:
        same = (a.astype(object) == b.astype(object)).to_numpy()
    return float(same[present].mean())


def _choose_grouping(plan, df, parent_df, parent_plan, idx, seed) -> tuple[str, Binning] | None:
    """The parent attribute sharing the most binned information with a child column (on
    the rows that have a parent), and its bins; None when none shares
    :data:`MIN_GROUP_INFORMATION`."""
    sample = _sample(len(df), seed)
    sample = sample[idx[sample] >= 0]
    if sample.size < 50 or not plan.attributes:
        return None
    parent = parent_df.iloc[idx[sample]].reset_index(drop=True)
    child = df.iloc[sample].reset_index(drop=True)
    candidates = [
        c
        for c in parent_plan.attributes
        if c in parent.columns and parent_df[c].nunique() > 1 and not parent_df[c].is_unique
    ]
    child_codes = [_codes(child[c]) for c in plan.attributes]
    best, best_score = None, MIN_GROUP_INFORMATION
    for c in candidates:
        codes = _codes(parent[c])
        score = max((_information(codes, other) for other in child_codes), default=0.0)
        if score > best_score:
            best, best_score = c, score
    return None if best is None else (best, Binning.fit(parent_df[best]))


def _sample(n: int, seed: int) -> np.ndarray:
    if n <= _SAMPLE_ROWS:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, _SAMPLE_ROWS, replace=False))


def _codes(s: pd.Series) -> tuple[np.ndarray, int]:
    """``s`` in at most ``_BINS`` bins (quantiles of numbers, the most frequent labels)."""
    if _numeric(s):
        x = s.to_numpy(dtype=np.float64)
        ok = ~np.isnan(x)
        if not ok.any():
            return np.zeros(len(s), dtype=np.int64), 1
        edges = np.unique(np.quantile(x[ok], np.linspace(0, 1, _BINS)[1:-1]))
        codes = np.where(ok, np.searchsorted(edges, np.nan_to_num(x), side="right") + 1, 0)
    else:
        labels = pd.factorize(s.astype(object).where(s.notna(), None))[0] + 1
        counts = np.bincount(labels)
        keep = np.argsort(-counts, kind="stable")[: _BINS - 1]
        mapping = np.full(counts.size, _BINS - 1)
        mapping[keep] = np.arange(keep.size)
        codes = mapping[labels]
    codes = pd.factorize(codes)[0]
    return codes.astype(np.int64), int(codes.max()) + 1


def _information(a: tuple[np.ndarray, int], b: tuple[np.ndarray, int]) -> float:
    """Binned mutual information of two coded columns, less its plug-in bias."""
    (x, kx), (y, ky) = a, b
    m = len(x)
    joint = np.bincount(x * ky + y, minlength=kx * ky).reshape(kx, ky) / m
    outer = joint.sum(axis=1)[:, None] * joint.sum(axis=0)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(joint > 0, joint * np.log(joint / outer), 0.0)
    return float(terms.sum() - (kx - 1) * (ky - 1) / (2 * m))


def choose_context(
    candidates: list[str], parent_values: pd.DataFrame, child_values: pd.DataFrame
) -> list[str]:
    """At most :data:`MAX_CONTEXT` parent attributes, those sharing the most information with
    a child attribute (all of them when there are few)."""
    if len(candidates) <= MAX_CONTEXT:
        return list(candidates)
    child_codes = [_codes(child_values[c]) for c in child_values.columns]
    scores = []
    for c in candidates:
        codes = _codes(parent_values[c])
        scores.append(max((_information(codes, other) for other in child_codes), default=0.0))
    order = np.argsort(-np.asarray(scores), kind="stable")[:MAX_CONTEXT]
    return [candidates[i] for i in sorted(order)]


def learned(model: Any, column: str) -> bool:
    """Whether a fitted model learns ``column`` from its values (not an identifier, a fake or
    a constant), so it can condition a child."""
    if model is None:
        return False
    transformer = getattr(model.synthesizer, "transformer_", None)
    if transformer is None:  # a model without the shared transformer: trust the column
        return True
    if column not in transformer.source_columns_:
        return False
    handler = next(h for h in transformer.handlers_ if h.name == column)
    return type(handler).__name__ not in ("_FakeHandler", "_IdentifierHandler", "_ConstantHandler")


def model_frame(
    plan: TablePlan,
    tables: dict[str, pd.DataFrame],
    schema,
    rows: dict,
    plans: dict[str, TablePlan],
    seed: int,
) -> tuple[pd.DataFrame, list[str]]:
    """The frame the model of ``plan`` learns, and its context columns (which come first)."""
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
        candidates = [
            c
            for c in parent_plan.model_columns
            if c not in p.parent_key
            and not c.startswith(("__n:", "__link:", "__status:", "__agg:", "__parent:", SIBLINGS))
            and (
                learned(parent_plan.model, c)
                if not parent_plan.reference
                else not parent_df[c].is_unique and parent_df[c].nunique() > 1
            )
        ]
        sample = _sample(len(df), seed)
        sample = sample[matched[sample]]
        plan.parent_attributes = choose_context(
            candidates,
            parent_df[candidates].iloc[take[sample]].reset_index(drop=True),
            df[plan.attributes].iloc[sample].reset_index(drop=True),
        )
        given = [(c, c) for c in plan.parent_attributes]
        given += [(aggregate_column(p, c), aggregate_column(p, c)) for c in plan.aggregates]
        parent_frame = parent_model_values(parent_plan, tables, schema, rows, plans)
        for source, name in given:
            values = parent_frame[source].iloc[take].reset_index(drop=True)
            values[~matched] = None
            data[f"__parent:{name}"] = values.to_numpy()
            context.append(f"__parent:{name}")
        counts = child_counts(idx, len(parent_df)).astype(np.float64)
        data[SIBLINGS] = np.where(matched, counts[take], np.nan)
        context.append(SIBLINGS)
    for c in plan.attributes:
        data[c] = df[c].to_numpy()
    found = statuses(df, rows, [r for r in plan.others if r.name in plan.statuses])
    for name, s in found.items():
        data[status_column(name)] = s
    for r in plan.others:
        if r.name in plan.groupings:
            column, binning = plan.groupings[r.name]
            idx = rows[r]
            codes = binning.codes(tables[r.parent][column].iloc[np.maximum(idx, 0)])
            codes = np.where(idx >= 0, codes, -1)
            data[group_column(r)] = np.where(codes >= 0, "g" + codes.astype(str), "none")
    data.update(_child_columns(plan, tables, schema, rows, plans))
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(df)))
    for c in frame.columns:  # the table's own columns keep their source dtypes
        if c in df.columns:
            frame[c] = df[c].reset_index(drop=True)
    return frame, context


def _child_columns(plan, tables, schema, rows, plans) -> dict[str, np.ndarray]:
    """What a table learns about its children: counts, link values, family aggregates."""
    df = tables[plan.name]
    data: dict[str, np.ndarray] = {}
    for r in schema.children_of(plan.name):
        child_plan = plans[r.child]
        if r in child_plan.implied:
            continue
        data[count_column(r)] = child_counts(rows[r], len(df))
        child = tables[r.child]
        link = child_plan.links.get(r.name)
        if link is not None:
            values = link_values(child[link].reset_index(drop=True), rows[r], len(df))
            data[link_column(r)] = values.to_numpy()
        if child_plan.primary == r:
            for c in child_plan.aggregates:
                values = link_values(child[c].reset_index(drop=True), rows[r], len(df))
                data[aggregate_column(r, c)] = values.to_numpy(dtype=np.float64)
    return data


def parent_model_values(parent_plan, tables, schema, rows, plans) -> pd.DataFrame:
    """The real parent's attributes and child columns, as its model learned them."""
    df = tables[parent_plan.name].reset_index(drop=True)
    extra = pd.DataFrame(_child_columns(parent_plan, tables, schema, rows, plans), index=df.index)
    return pd.concat([df, extra], axis=1)


__all__ = [
    "Binning",
    "MAX_AGGREGATES",
    "MAX_CONTEXT",
    "SIBLINGS",
    "TablePlan",
    "aggregate_column",
    "choose_context",
    "choose_links",
    "count_column",
    "find_inherited",
    "find_orderings",
    "group_column",
    "learned",
    "link_column",
    "model_frame",
    "plan_table",
    "statuses",
    "status_column",
]
