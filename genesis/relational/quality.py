"""How good is a set of synthetic tables linked by keys? Per table, and per relationship.

``RelationalQualityReport(real, synthetic, schema).evaluate()`` scores synthetic tables
against the real tables they imitate, with the relationships of a
:class:`~genesis.relational.RelationalSchema`:

* per table: column shapes and column-pair trends exactly as :mod:`genesis.quality` computes
  them (SDMetrics' definitions: KS / TV complement, correlation / contingency similarity of
  the pairs with a real trend); columns that are a single-column key (primary or foreign)
  are left out, since synthetic keys are fresh values whose labels mean nothing. Columns of
  a composite key (the weather key's ``year``, ``month``, ``hour``) are attributes too and
  stay in. An empty synthetic table scores 0;
* per relationship:

  - ``child_count_similarity``: KS complement of the number of children of each parent row
    (zero included), real vs synthetic, as SDMetrics' CardinalityShapeSimilarity;
  - ``parent_child_correlation``: for each numeric parent attribute and each aggregate of its
    children (their number, the mean of each numeric child column), Pearson's rho over the
    parent rows; ``1 - mean |rho_real - rho_synthetic| / 2`` over the pairs with a real rho
    (a synthetic rho that cannot be computed counts as 0);
  - ``integrity``: share of the synthetic child rows with a non-null foreign key (every key
    column present) whose key is a key of a synthetic parent row; ``real_integrity`` the same
    for the real tables, for reference (real keys are often dirty);

* per parent table: ``detection_auc`` of :func:`genesis.quality.detection.detection_auc` on the
  parent rows joined with the aggregates of each of their child relationships (number of
  children, mean of each numeric child column), so a synthetic set whose parents and children
  are realistic alone but not together is caught.

``score`` is the unweighted mean of five parts: the mean per-table quality, child-count
similarity, parent-child correlation similarity, integrity, and the detection score
``1 - 2 * max(auc - 0.5, 0)`` averaged over the parent tables (parts that cannot be computed
are left out). Every figure is an aggregate: the report holds no row of either side.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import InvalidDataError, InvalidParameterError
from genesis.jsonsafe import json_safe
from genesis.quality._prepare import PreparedTables, prepare_tables
from genesis.quality.detection import detection_auc
from genesis.quality.statistical import (
    column_pair_trends,
    column_shapes,
    ks_complement,
    pair_trends_score,
)
from genesis.validation import check_seed, require_frame, validate_frame

SIDES = ("real", "synthetic")


class RelationalQualityReport:
    """Score synthetic tables linked by keys against the real ones (see the module docstring).

    Args:
        real: table name -> the real rows the synthesizer was fitted on.
        synthetic: table name -> the synthetic rows, same tables and columns as ``real``.
        schema: the :class:`~genesis.relational.RelationalSchema` whose relationships link
            the tables (``RelationalSynthesizer.schema_`` after a fit).
        seed: seed of every random step (schema inference samples, detection folds).

    Figures (after :meth:`evaluate`, which every accessor calls when needed):
        ``tables``: per table ``{"column_shapes", "column_pair_trends", "quality", "n_real",
        "n_synthetic", "column_details", "pair_details"}``; ``relationships``: one dict per
        relationship with ``parent``, ``parent_key``, ``child``, ``child_key``,
        ``child_count_similarity``, ``real_mean_children``, ``synthetic_mean_children``,
        ``real_zero_child_share``, ``synthetic_zero_child_share``,
        ``parent_child_correlation``, ``correlation_pairs``, ``integrity``,
        ``real_integrity``; ``detection``: per parent table ``{"detection_auc",
        "detection_score", "n_features"}``; ``score`` and its ``parts``.

    Example:
        >>> report = RelationalQualityReport(real, synthetic, synthesizer.schema_).evaluate()
        >>> report.score, report.relationships[0]["integrity"]
        >>> print(report.to_markdown())
    """

    def __init__(
        self,
        real: dict[str, pd.DataFrame],
        synthetic: dict[str, pd.DataFrame],
        schema: Any,
        *,
        seed: int = 0,
    ) -> None:
        self.real = real
        self.synthetic = synthetic
        self.schema = schema
        self.seed = seed
        self._result: dict[str, Any] | None = None

    # -- public figures -------------------------------------------------------------------
    def evaluate(self) -> RelationalQualityReport:
        """Compute every figure (once) and return ``self``."""
        if self._result is None:
            from threadpoolctl import threadpool_limits

            from genesis.threads import small_machine_threads

            with threadpool_limits(limits=small_machine_threads()):
                self._result = self._evaluate()
        return self

    @property
    def score(self) -> float:
        """The overall score in [0, 1] (higher is better; see the module docstring)."""
        return self.evaluate()._result["score"]

    @property
    def parts(self) -> dict[str, float]:
        """The five parts ``score`` averages, by name."""
        return self.evaluate()._result["parts"]

    @property
    def tables(self) -> dict[str, dict[str, Any]]:
        """Per-table column shapes, column-pair trends and their details."""
        return self.evaluate()._result["tables"]

    @property
    def relationships(self) -> list[dict[str, Any]]:
        """Per-relationship child counts, parent-child correlation and integrity."""
        return self.evaluate()._result["relationships"]

    @property
    def detection(self) -> dict[str, dict[str, Any]]:
        """Per parent table, the detection AUC of its rows joined with child aggregates."""
        return self.evaluate()._result["detection"]

    def to_dict(self) -> dict[str, Any]:
        """Every figure as plain JSON-safe values (NaN becomes None)."""
        result = self.evaluate()._result
        tables = {
            name: {
                **{k: v for k, v in figures.items() if not k.endswith("_details")},
                "column_details": figures["column_details"].to_dict(orient="records"),
                "pair_details": figures["pair_details"].to_dict(orient="records"),
            }
            for name, figures in result["tables"].items()
        }
        return json_safe({**result, "tables": tables})

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as a JSON document."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def to_markdown(self) -> str:
        """The headline figures as Markdown: the score, one table per level."""
        result = self.evaluate()._result
        lines = [f"**Relational quality score: {_fmt(result['score'])}**", ""]
        lines += [
            "| part | score |",
            "|---|---|",
            *(f"| {name} | {_fmt(value)} |" for name, value in result["parts"].items()),
            "",
            "| table | real rows | synthetic rows | column shapes | column-pair trends | quality |",
            "|---|---|---|---|---|---|",
        ]
        for name, t in result["tables"].items():
            lines.append(
                f"| {name} | {t['n_real']:,} | {t['n_synthetic']:,} | "
                f"{_fmt(t['column_shapes'])} | {_fmt(t['column_pair_trends'])} | "
                f"{_fmt(t['quality'])} |"
            )
        lines += [
            "",
            "| relationship | child-count similarity | children per parent (real / synthetic) "
            "| parent-child correlation | integrity (real) |",
            "|---|---|---|---|---|",
        ]
        for r in result["relationships"]:
            lines.append(
                f"| {_label(r)} | {_fmt(r['child_count_similarity'])} | "
                f"{_fmt(r['real_mean_children'], 2)} / {_fmt(r['synthetic_mean_children'], 2)} | "
                f"{_fmt(r['parent_child_correlation'])} | {_fmt(r['integrity'])} "
                f"({_fmt(r['real_integrity'])}) |"
            )
        if result["detection"]:
            lines += [
                "",
                "| parent table (+ child aggregates) | detection AUC | detection score |",
                "|---|---|---|",
            ]
            for name, d in result["detection"].items():
                lines.append(
                    f"| {name} | {_fmt(d['detection_auc'])} | {_fmt(d['detection_score'])} |"
                )
        return "\n".join(lines) + "\n"

    def __repr__(self) -> str:
        if self._result is None:
            return f"RelationalQualityReport(tables={sorted(self.real)!r}, not evaluated)"
        parts = ", ".join(f"{k}={_fmt(v)}" for k, v in self._result["parts"].items())
        return f"RelationalQualityReport(score={_fmt(self._result['score'])}, {parts})"

    # -- computation ----------------------------------------------------------------------
    def _evaluate(self) -> dict[str, Any]:
        from genesis.schema import Schema, infer_schema

        seed = check_seed(self.seed)
        relationships = self._validated()
        single_keys = _single_key_columns(self.schema, relationships)
        prepared: dict[str, PreparedTables] = {}
        tables: dict[str, dict[str, Any]] = {}
        for name in self._table_names():
            real, synthetic = self.real[name], self.synthetic[name][list(self.real[name].columns)]
            inferred = infer_schema(real, seed=seed)
            schema = Schema(
                [c for c in inferred if c.name not in single_keys.get(name, set())],
                n_rows=inferred.n_rows,
            )
            prepared[name] = prepare_tables({"real": real, "synthetic": synthetic}, schema)
            tables[name] = _table_figures(prepared[name], schema, len(real), len(synthetic))

        links = {
            side: [
                _link(getattr(self, side), r.parent, r.parent_columns, r.child, r.child_columns)
                for r in relationships
            ]
            for side in SIDES
        }
        figures = [
            _relationship_figures(r, links["real"][i], links["synthetic"][i], prepared)
            for i, r in enumerate(relationships)
        ]
        detection = {
            parent: _parent_detection(parent, relationships, links, prepared, seed)
            for parent in dict.fromkeys(r.parent for r in relationships)
        }
        parts = {
            "table_quality": _mean(t["quality"] for t in tables.values()),
            "child_count_similarity": _mean(f["child_count_similarity"] for f in figures),
            "parent_child_correlation": _mean(f["parent_child_correlation"] for f in figures),
            "integrity": _mean(f["integrity"] for f in figures),
            "detection_score": _mean(d["detection_score"] for d in detection.values()),
        }
        return {
            "score": _mean(parts.values()),
            "parts": parts,
            "tables": tables,
            "relationships": figures,
            "detection": detection,
        }

    def _table_names(self) -> list[str]:
        return list(self.real)

    def _validated(self) -> list[Any]:
        relationships = getattr(self.schema, "relationships", None)
        names = getattr(self.schema, "table_names", None)
        if relationships is None or names is None:
            raise InvalidParameterError(
                f"schema must be a genesis.relational.RelationalSchema, got "
                f"{type(self.schema).__name__}; infer one with RelationalSchema.infer(real) or "
                "pass RelationalSynthesizer.schema_"
            )
        names = list(names)
        for side in SIDES:
            tables = getattr(self, side)
            if not isinstance(tables, dict):
                raise InvalidDataError(
                    f"{side} must be a dict of table name -> DataFrame, got {type(tables).__name__}"
                )
            missing = [n for n in names if n not in tables]
            extra = [n for n in tables if n not in names]
            if missing or extra:
                raise InvalidDataError(
                    f"{side} does not hold the schema's tables: missing {missing}, not in the "
                    f"schema {extra}; pass exactly the tables {names}"
                )
        for name in names:
            real = validate_frame(self.real[name], f"real[{name!r}]")
            synthetic = require_frame(self.synthetic[name], f"synthetic[{name!r}]")
            missing = [c for c in real.columns if c not in synthetic.columns]
            extra = [c for c in synthetic.columns if c not in real.columns]
            if missing or extra:
                raise InvalidDataError(
                    f"synthetic[{name!r}] does not have the columns of real[{name!r}]: missing "
                    f"{missing}, extra {extra}; generate it from a synthesizer fitted on these "
                    "tables"
                )
        for r in relationships:
            for table, columns in ((r.parent, r.parent_columns), (r.child, r.child_columns)):
                absent = [c for c in columns if c not in self.real[table].columns]
                if absent:
                    raise InvalidDataError(
                        f"the relationship {_label(_as_dict(r))} names columns {absent} that "
                        f"table {table!r} does not have; fix the schema or the tables"
                    )
        return list(relationships)


# -- helpers -----------------------------------------------------------------------------------


def _table_figures(prepared: PreparedTables, schema, n_real: int, n_synth: int) -> dict[str, Any]:
    kinds = {c.name: c.kind.value for c in schema}
    column_details = column_shapes(prepared, kinds)
    if n_synth == 0:
        # nothing was generated: nothing of the real table's shapes or trends survives
        pair_details = column_pair_trends(PreparedTables([], [], [], {}))
        column_details["score"] = 0.0
        shapes = trends = 0.0
    else:
        pair_details = column_pair_trends(prepared)
        shapes = _mean(column_details["score"])
        trends = pair_trends_score(pair_details)
    return {
        "column_shapes": shapes,
        "column_pair_trends": trends,
        "quality": _mean([shapes, trends]),
        "n_real": n_real,
        "n_synthetic": n_synth,
        "column_details": column_details,
        "pair_details": pair_details,
    }


def _single_key_columns(schema: Any, relationships: list[Any]) -> dict[str, set[str]]:
    """Per table, the columns that are on their own a primary or foreign key."""
    out: dict[str, set[str]] = {}
    for r in relationships:
        for table, columns in ((r.parent, r.parent_columns), (r.child, r.child_columns)):
            if len(columns) == 1:
                out.setdefault(table, set()).add(columns[0])
    for table, key in (getattr(schema, "primary_keys", None) or {}).items():
        if key is not None and len(tuple(key)) == 1:
            out.setdefault(table, set()).add(tuple(key)[0])
    return out


def _key_column(parent: pd.Series, child: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes of one key column of a parent and a child table from one factorisation (-1: null).

    Two numeric columns compare as numbers (``2013`` equals ``2013.0``); anything else as text.
    """
    if pd.api.types.is_numeric_dtype(parent) and pd.api.types.is_numeric_dtype(child):
        both = pd.concat([parent.astype("float64"), child.astype("float64")], ignore_index=True)
    else:
        both = pd.concat([parent.astype("string"), child.astype("string")], ignore_index=True)
    codes, _ = pd.factorize(both, use_na_sentinel=True)
    return codes[: len(parent)], codes[len(parent) :]


def _combined(codes: list[np.ndarray]) -> np.ndarray:
    """One code per row for several code columns (-1 where any is -1)."""
    missing = np.zeros(len(codes[0]), dtype=bool)
    for c in codes:
        missing |= c < 0
    if len(codes) == 1:
        return np.where(missing, -1, codes[0]).astype(np.int64)
    stacked = np.column_stack([np.where(missing, 0, c) for c in codes])
    _, inverse = np.unique(stacked, axis=0, return_inverse=True)
    return np.where(missing, -1, inverse.ravel()).astype(np.int64)


def _link(tables, parent: str, parent_columns, child: str, child_columns) -> dict[str, Any]:
    """Key codes of a relationship: per parent row its number of children, per child row the
    parent row it points to (-1: null key or no such parent)."""
    p, c = tables[parent], tables[child]
    pairs = [_key_column(p[a].reset_index(drop=True), c[b].reset_index(drop=True))
             for a, b in zip(parent_columns, child_columns, strict=True)]  # fmt: skip
    both = _combined([np.r_[pc, cc] for pc, cc in pairs])
    parent_codes, child_codes = both[: len(p)], both[len(p) :]
    size = int(both.max(initial=-1)) + 1
    # the first parent row of each key (keys should be unique; a duplicate gets no children)
    row_of_code = np.full(size, -1, dtype=np.int64)
    present = np.flatnonzero(parent_codes >= 0)
    row_of_code[parent_codes[present[::-1]]] = present[::-1]
    child_valid = child_codes >= 0
    parent_row = np.full(len(c), -1, dtype=np.int64)
    parent_row[child_valid] = row_of_code[child_codes[child_valid]]
    found = parent_row >= 0
    counts = np.bincount(parent_row[found], minlength=len(p)).astype(np.float64)
    n_keyed = int(child_valid.sum())
    return {
        "counts": counts,
        "parent_row": parent_row,
        "integrity": float(found.sum() / n_keyed) if n_keyed else float("nan"),
    }


def _child_aggregates(link: dict[str, Any], child: PreparedTables, side: str, n_parents: int):
    """Per parent row: the number of its children and the mean of each numeric child column."""
    out = {"count": link["counts"]}
    rows = link["parent_row"]
    found = rows >= 0
    for column in child.numeric:
        values = child.values[side][column]
        ok = found & ~np.isnan(values)
        sums = np.bincount(rows[ok], weights=values[ok], minlength=n_parents)
        counts = np.bincount(rows[ok], minlength=n_parents)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"mean({column})"] = np.where(counts > 0, sums / counts, np.nan)
    return out


def _cross_correlation(parent: pd.DataFrame, aggregates: pd.DataFrame) -> pd.DataFrame:
    """Pearson's rho of every parent column with every aggregate (pairwise complete rows)."""
    frame = pd.concat([parent, aggregates], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = frame.corr()
    return corr.loc[list(parent.columns), list(aggregates.columns)]


def _relationship_figures(r, real_link, synth_link, prepared) -> dict[str, Any]:
    parent, child = prepared[r.parent], prepared[r.child]
    real_counts, synth_counts = real_link["counts"], synth_link["counts"]
    correlation, n_pairs = float("nan"), 0
    if parent.numeric:
        corr = {}
        for side, link in (("real", real_link), ("synthetic", synth_link)):
            n_parents = len(link["counts"])
            aggregates = pd.DataFrame(_child_aggregates(link, child, side, n_parents))
            corr[side] = _cross_correlation(parent.frame(side, parent.numeric), aggregates)
        real_rho = corr["real"].to_numpy()
        synth_rho = np.nan_to_num(corr["synthetic"].to_numpy(), nan=0.0)
        known = ~np.isnan(real_rho)
        n_pairs = int(known.sum())
        if n_pairs:
            correlation = float(1.0 - np.abs(real_rho[known] - synth_rho[known]).mean() / 2.0)
    return {
        **_as_dict(r),
        "child_count_similarity": ks_complement(real_counts, synth_counts),
        "real_mean_children": _mean_of(real_counts),
        "synthetic_mean_children": _mean_of(synth_counts),
        "real_zero_child_share": _mean_of(real_counts == 0),
        "synthetic_zero_child_share": _mean_of(synth_counts == 0),
        "parent_child_correlation": correlation,
        "correlation_pairs": n_pairs,
        "integrity": synth_link["integrity"],
        "real_integrity": real_link["integrity"],
    }


def _parent_detection(parent, relationships, links, prepared, seed: int) -> dict[str, Any]:
    """Detection AUC of the parent's rows joined with the aggregates of each child relationship."""
    base = prepared[parent]
    joined = PreparedTables(
        numeric=list(base.numeric),
        categorical=list(base.categorical),
        excluded=[],
        n_levels=dict(base.n_levels),
        order=[c for c in base.order if c in base.numeric or c in base.categorical],
    )
    joined.values = {side: {c: base.values[side][c] for c in joined.order} for side in SIDES}
    for i, r in enumerate(relationships):
        if r.parent != parent:
            continue
        prefix = f"{r.child}[{','.join(r.child_columns)}]."
        for side in SIDES:
            n_parents = len(links[side][i]["counts"])
            aggregates = _child_aggregates(links[side][i], prepared[r.child], side, n_parents)
            for name, values in aggregates.items():
                joined.values[side][prefix + name] = values
        names = [prefix + name for name in aggregates]
        joined.numeric += names
        joined.order += names
    auc = detection_auc(joined, seed)
    score = 1.0 - 2.0 * max(auc - 0.5, 0.0) if not np.isnan(auc) else float("nan")
    return {"detection_auc": auc, "detection_score": score, "n_features": len(joined.order)}


def _as_dict(r) -> dict[str, Any]:
    return {
        "parent": r.parent,
        "parent_key": list(r.parent_columns),
        "child": r.child,
        "child_key": list(r.child_columns),
    }


def _label(r: dict[str, Any]) -> str:
    return f"{r['parent']}.{'+'.join(r['parent_key'])} -> {r['child']}.{'+'.join(r['child_key'])}"


def _mean_of(values: np.ndarray) -> float:
    return float(np.mean(values)) if len(values) else float("nan")


def _mean(values) -> float:
    numbers = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").dropna()
    return float(numbers.mean()) if len(numbers) else float("nan")


def _fmt(value: Any, digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "n/a"
    return f"{value:.{digits}f}"


__all__ = ["RelationalQualityReport"]
