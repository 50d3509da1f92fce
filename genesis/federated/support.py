"""The support round: sites describe their columns, the aggregator agrees one encoding.

Each site sends, per column, its label set (with counts unless the aggregator is secure) or,
for numbers and datetimes, a coarse quantile sketch (:data:`~.sketch.SKETCH_POINTS` observed
values including the minimum and maximum) with its decimals and missing count. The
aggregator merges them into the *agreed support*: the union of the label sets and the
mixture of the sketches. From it every party (aggregator and sites alike) rebuilds the same
*skeleton*: a public table whose columns follow the agreed marginals one by one, independently
(no row of it is a real row, and it has no joint structure). The schema is inferred from the
skeleton and the shared :class:`~genesis.generators.transformer.TableTransformer` is fitted
on it with the agreed seed, so every site encodes its rows into the same model frame (same
codes, same null indicators) and the aggregated model decodes through that transformer:
a site with categories or a range the others never saw still aggregates correctly.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import FederatedSchemaError
from genesis.federated.dp_support import agree_numeric, other_labels
from genesis.federated.sketch import (
    GRID_POINTS,
    column_grid,
    merge_sketches,
    quantile_sketch,
    step_quantiles,
)
from genesis.generators.encoding import _DATETIME_UNITS_NS, OTHER_LABEL, _observed_decimals
from genesis.generators.transformer import TableTransformer
from genesis.schema.types import ColumnKind

#: the skeleton has at most this many rows (counts are scaled down beyond it)
MAX_SKELETON_ROWS = 100_000
#: name of the column that records which site a row comes from
SITE_COLUMN = "site"


def _is_numeric(s: pd.Series) -> bool:
    return (
        pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
    ) or pd.api.types.is_datetime64_any_dtype(s)


def _datetime_step(ns: np.ndarray) -> int:
    """The coarsest unit (day, hour, ..., nanosecond) every timestamp falls on."""
    ns = ns[np.isfinite(ns)].astype(np.int64)
    for unit in _DATETIME_UNITS_NS:
        if np.all(ns % unit == 0):
            return int(unit)
    return 1


def site_support(
    frame: pd.DataFrame, site: str, *, counts: bool, sketch_points: int
) -> dict[str, Any]:
    """The support message of one site (no row: label sets, sketches, dtypes, counts)."""
    columns: dict[str, dict[str, Any]] = {}
    for name in frame.columns:
        s = frame[name]
        missing = int(s.isna().sum())
        if _is_numeric(s):
            is_dt = pd.api.types.is_datetime64_any_dtype(s)
            x = (
                s.dropna().astype("datetime64[ns]").astype(np.int64).to_numpy(np.float64)
                if is_dt
                else s.to_numpy(np.float64, na_value=np.nan)
            )
            columns[name] = {
                "type": "datetime" if is_dt else "numeric",
                "dtype": str(s.dtype),
                "sketch": quantile_sketch(x, sketch_points),
                "decimals": None if is_dt else _observed_decimals(x),
                "step": _datetime_step(x) if is_dt else None,
                "n_present": int(np.isfinite(x).sum()) if counts else None,
                "missing": missing if counts else int(missing > 0),
            }
        else:
            values = s.astype(object).where(s.notna(), None)
            table = values.value_counts(dropna=False, sort=False)
            columns[name] = {
                "type": "labels",
                "dtype": str(s.dtype),
                "labels": list(table.index),
                "counts": [int(c) for c in table.to_numpy()] if counts else None,
            }
    return {
        "phase": "support",
        "site": site,
        "n": len(frame) if counts else None,
        "columns": columns,
    }


def agree_support(
    messages: list[dict[str, Any]], seed: int, max_categories: int, grid_points: int = GRID_POINTS
) -> dict:
    """The agreed support (a JSON-able plan) from every site's support message;
    ``grid_points``: size of the continuous columns' grids in the statistics round."""
    names = [list(m["columns"]) for m in messages]
    reference = names[0]
    for message, cols in zip(messages, names, strict=True):
        if cols != reference:
            missing = [c for c in reference if c not in cols]
            extra = [c for c in cols if c not in reference]
            raise FederatedSchemaError(
                f"site {message['site']!r} has columns {cols}, site {messages[0]['site']!r} has "
                f"{reference} (missing at {message['site']!r}: {missing}; extra: {extra}); give "
                "every site the same columns in the same order"
            )
    sized = all(m["n"] is not None for m in messages)
    private = {"dp" in m for m in messages}
    if len(private) > 1:
        raise FederatedSchemaError(
            "some sites answered the support round with differential privacy and some without; "
            "every site must answer the same plan"
        )
    sigmas = [m["dp"]["sigma"] for m in messages] if private.pop() else None
    agreed: dict[str, dict[str, Any]] = {}
    for name in reference:
        parts = [m["columns"][name] for m in messages]
        kinds = {p["type"] for p in parts}
        if len(kinds) > 1:
            described = ", ".join(
                f"{m['site']!r}: {p['type']}" for m, p in zip(messages, parts, strict=True)
            )
            raise FederatedSchemaError(
                f"column {name!r} has different types across sites ({described}); cast it to "
                "one type (numbers, datetimes or labels) at every site"
            )
        kind = kinds.pop()
        dtypes = {p["dtype"] for p in parts}
        if kind == "labels":
            merged: dict[Any, int] = {}
            for p in parts:
                for i, label in enumerate(p["labels"]):
                    count = p["counts"][i] if p["counts"] is not None else 1
                    merged[label] = merged.get(label, 0) + int(count)
            agreed[name] = {
                "type": "labels",
                "dtype": dtypes.pop() if len(dtypes) == 1 else "object",
                "labels": list(merged),
                "counts": list(merged.values()),
            }
            if any(p.get("other") for p in parts):  # DP: unreleased labels are "__other__"
                labels, counts = other_labels(list(merged), list(merged.values()))
                agreed[name].update(labels=labels, counts=counts, dtype="object", other=True)
            continue
        if sigmas is not None:
            dtype = dtypes.pop() if len(dtypes) == 1 else "float64"
            agreed[name] = agree_numeric(parts, sigmas, kind, dtype)
            continue
        weights = [p["n_present"] if p["n_present"] is not None else 1 for p in parts]
        grid, left, right = merge_sketches([np.asarray(p["sketch"]) for p in parts], weights)
        decimals = [p["decimals"] for p in parts if p["sketch"]]
        missing = sum(p["missing"] for p in parts)
        present = sum(weights) if sized else None
        agreed[name] = {
            "type": kind,
            "dtype": dtypes.pop() if len(dtypes) == 1 else "float64",
            "grid": grid.tolist(),
            "left": left.tolist(),
            "right": right.tolist(),
            "decimals": None if None in decimals or not decimals else max(decimals),
            "step": min((p.get("step") or 1) for p in parts) if kind == "datetime" else None,
            "missing_share": missing / (missing + present) if sized else (0.01 if missing else 0),
        }
    n_rows = sum(m["n"] for m in messages) if sized else None
    return {
        "phase": "marginals",
        "order": list(reference),  # JSON objects may come back with sorted keys
        "columns": agreed,
        "n_rows": n_rows,
        "seed": int(seed),
        "max_categories": int(max_categories),
        "grid_points": int(grid_points),
    }


def plan_key(plan: dict[str, Any]) -> str:
    """A digest of a plan, so every party can check it holds the same one."""
    text = json.dumps(plan, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _skeleton_labels(spec: dict, rows: int, rng: np.random.Generator) -> pd.Series:
    labels = spec["labels"]
    counts = np.asarray(spec["counts"], float)
    share = counts / counts.sum() * rows
    repeats = np.maximum(np.floor(share).astype(np.int64), 1)
    short = rows - repeats.sum()
    if short > 0:  # largest remainders first
        repeats[np.argsort(-(share - np.floor(share)), kind="stable")[:short]] += 1
    values = np.empty(int(repeats.sum()), dtype=object)
    values[:] = np.repeat(np.arange(len(labels)), repeats)
    values = np.array([labels[i] for i in values.astype(np.int64)], dtype=object)
    rng.shuffle(values)
    series = pd.Series(values[:rows], dtype=object)
    try:
        return series.astype(spec["dtype"]) if spec["dtype"] != "object" else series
    except (TypeError, ValueError):
        return series


def _skeleton_numbers(spec: dict, rows: int, rng: np.random.Generator) -> pd.Series:
    grid, left, right = (np.asarray(spec[k], float) for k in ("grid", "left", "right"))
    n_missing = round(spec["missing_share"] * rows)
    n_present = rows - n_missing
    values = step_quantiles(grid, left, right, (np.arange(n_present) + 0.5) / max(n_present, 1))
    if n_present >= 2:  # the agreed range is part of the support
        values[0], values[-1] = grid[0], grid[-1]
    if spec["decimals"] is not None:
        values = np.round(values, spec["decimals"])
    if spec.get("step"):  # datetimes keep the sites' granularity (days stay days)
        values = np.round(values / spec["step"]) * spec["step"]
    values = np.concatenate([values, np.full(n_missing, np.nan)])
    rng.shuffle(values)
    if spec["type"] == "datetime":
        return pd.Series(pd.to_datetime(values.astype("int64"), unit="ns")).where(~np.isnan(values))
    series = pd.Series(values)
    if n_missing == 0 and spec["dtype"].lower().startswith(("int", "uint")):
        return series.astype(spec["dtype"])
    return series


def skeleton(plan: dict[str, Any]) -> pd.DataFrame:
    """The public skeleton table of a plan (deterministic in the plan and its seed)."""
    rng = np.random.default_rng([plan["seed"], 7])
    n_rows = plan["n_rows"] or 10_000
    rows = int(min(max(n_rows, 10), MAX_SKELETON_ROWS))
    data = {}
    for name in plan["order"]:
        spec = plan["columns"][name]
        if spec["type"] == "labels":
            data[name] = _skeleton_labels(spec, rows, rng)
        else:
            data[name] = _skeleton_numbers(spec, rows, rng)
    return pd.DataFrame(data)


class AgreedEncoding:
    """The transformer, schema and continuous-column grids every party derives from a plan."""

    def __init__(self, plan: dict[str, Any]) -> None:
        from genesis.schema import infer_schema

        table = skeleton(plan)
        self._others = {
            name: spec["labels"] for name, spec in plan["columns"].items() if spec.get("other")
        }
        self.schema = infer_schema(table, seed=plan["seed"])
        refused = [
            c.name
            for c in self.schema
            if c.kind in (ColumnKind.IDENTIFIER, ColumnKind.TEXT) or c.pii
        ]
        if refused:
            raise FederatedSchemaError(
                f"columns {refused} are identifiers, PII or free text: federated synthesis does "
                "not move such values between sites; drop them at every site before federating"
            )
        self.transformer = TableTransformer(
            self.schema, max_categories=plan["max_categories"], seed=plan["seed"]
        )
        frame = self.transformer.fold_point_masses(self.transformer.fit_transform(table))
        self.columns = list(frame.columns)
        self.n_codes = dict(self.transformer.n_codes_)
        self.grids = {
            c: column_grid(frame[c].to_numpy(np.float64), plan.get("grid_points", GRID_POINTS))
            for c in self.columns
            if c not in self.n_codes
        }
        self.sizes = [
            self.n_codes[c] if c in self.n_codes else 2 * self.grids[c].size - 1
            for c in self.columns
        ]

    def model_frame(self, data: pd.DataFrame) -> pd.DataFrame:
        """A site's rows in the agreed model frame (point-mass states folded, as in a fit);
        under a DP support, labels no site released become ``__other__``."""
        if self._others:
            data = data.assign(**{c: _as_other(data[c], ls) for c, ls in self._others.items()})
        return self.transformer.fold_point_masses(self.transformer.transform(data))


def _as_other(s: pd.Series, labels: list) -> pd.Series:
    known = s.isin([label for label in labels if label is not None])
    if None in labels:
        known |= s.isna()
    return s.astype(object).where(known.to_numpy(), OTHER_LABEL)


@lru_cache(maxsize=8)
def _encoding_for(key: str, text: str) -> AgreedEncoding:
    return AgreedEncoding(json.loads(text))


def agreed_encoding(plan: dict[str, Any]) -> AgreedEncoding:
    """:class:`AgreedEncoding` of ``plan``, cached per process (sites in one process share it)."""
    text = json.dumps(plan, sort_keys=True, default=str)
    return _encoding_for(hashlib.sha256(text.encode()).hexdigest(), text)
