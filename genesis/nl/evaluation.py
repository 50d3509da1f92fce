"""Exact-match scoring of the prompt parser against expected interpretations.

An expected interpretation is ``{"dataset", "prompt", "n_samples", "conditions"}`` with the
conditions in any :meth:`ConditionSet.from_dict` form. A reading matches when the counts are
equal and the condition sets are equal as sets of ``(column, operator, value)`` with values
normalised: numbers as floats, ``in``/``not_in`` lists as sets (one value: ``eq``/``ne``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from genesis.errors import InvalidParameterError
from genesis.generators.conditional import ConditionSet


def _value_key(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return round(float(value), 9)
    return value


def condition_keys(conditions: Any) -> frozenset[tuple[str, str, Any]]:
    """The conditions as a set of normalised ``(column, operator, value)``."""
    keys = set()
    for c in (
        ConditionSet.from_dict(conditions)
        if not isinstance(conditions, ConditionSet)
        else conditions
    ):
        op, value = c.operator, c.value
        if op in ("in", "not_in"):
            values = frozenset(_value_key(v) for v in value)
            if len(values) == 1:
                op, value = ("eq" if op == "in" else "ne"), next(iter(values))
            else:
                value = values
        elif op == "between":
            value = tuple(_value_key(v) for v in value)
        else:
            value = _value_key(value)
        keys.add((c.column, op, value))
    return frozenset(keys)


def load_prompts(path: str | Path) -> list[dict[str, Any]]:
    """The expected interpretations of a JSON Lines file (blank lines skipped)."""
    rows = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if not isinstance(row, Mapping) or not {"dataset", "prompt", "conditions"} <= set(row):
            raise InvalidParameterError(
                f"{path}:{number}: each line needs dataset, prompt, n_samples and conditions"
            )
        rows.append(dict(row))
    return rows


def score(
    rows: Iterable[Mapping[str, Any]], interpret_fn: Callable[[str, str], Any]
) -> list[dict[str, Any]]:
    """Each row with the parser's reading and whether it matches exactly.

    ``interpret_fn(prompt, dataset)`` returns an :class:`~genesis.nl.Interpretation`.
    """
    out = []
    for row in rows:
        got = interpret_fn(row["prompt"], row["dataset"])
        expected = condition_keys(row["conditions"])
        actual = condition_keys(got.conditions)
        ok = got.n_samples == row.get("n_samples") and expected == actual
        out.append(
            {
                **row,
                "ok": ok,
                "got": got.to_dict(),
                "missing": sorted(map(str, expected - actual)),
                "extra": sorted(map(str, actual - expected)),
            }
        )
    return out


def accuracy(results: list[dict[str, Any]], **where: Any) -> tuple[float, int]:
    """Share of matching rows among those whose fields equal ``where`` (and their count)."""
    chosen = [r for r in results if all(r.get(k) == v for k, v in where.items())]
    if not chosen:
        return float("nan"), 0
    return sum(r["ok"] for r in chosen) / len(chosen), len(chosen)


__all__ = ["accuracy", "condition_keys", "load_prompts", "score"]
