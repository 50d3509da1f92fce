"""Turn the reports the dashboard shows (quality, privacy, drift) into plain dicts.

The privacy and drift reports come from other parts of Genesis (``genesis.privacy_attacks``,
``genesis.drift``) or from JSON stored by the Dagster chain, so they are read by the keys they
are documented to carry, and anything else they hold is shown as it is.
"""

from __future__ import annotations

import math
from typing import Any

from genesis.errors import InvalidParameterError

#: quality verdict thresholds on ``overall_score``
GOOD_SCORE = 0.8
FAIR_SCORE = 0.6


def as_dict(report: Any, role: str) -> dict[str, Any] | None:
    """A report object (with ``to_dict()``) or a dict, as a dict; None stays None."""
    if report is None:
        return None
    if isinstance(report, dict):
        return report
    to_dict = getattr(report, "to_dict", None)
    if callable(to_dict):
        value = to_dict()
        if isinstance(value, dict):
            return value
    raise InvalidParameterError(
        f"{role} must be a dict or a report object with a to_dict() method, got "
        f"{type(report).__name__}; pass the report returned by the library or its to_dict()"
    )


def number(value: Any) -> float | None:
    """A finite float, or None for missing, NaN and non-numbers."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(result) or math.isinf(result) else result


def quality_verdict(overall: float | None) -> tuple[str, str]:
    """``(level, sentence)`` for an overall quality score."""
    if overall is None:
        return "unknown", "the overall quality score could not be computed"
    if overall >= GOOD_SCORE:
        return "good", f"good: overall quality score {overall:.2f} (at least {GOOD_SCORE})"
    if overall >= FAIR_SCORE:
        return "fair", f"fair: overall quality score {overall:.2f} (below {GOOD_SCORE})"
    return "poor", f"poor: overall quality score {overall:.2f} (below {FAIR_SCORE})"


def _is_attack(value: Any) -> bool:
    return isinstance(value, dict) and "risk" in value


def _flat(value: dict[str, Any], name: str) -> dict[str, Any]:
    row = {k: v for k, v in value.items() if _is_scalar(v)}
    row.setdefault("name", name)
    return row


def attack_rows(privacy: dict[str, Any]) -> list[dict[str, Any]]:
    """One flat dict per attack of a privacy report.

    Attacks are read from an ``attacks``/``results`` list or dict, and from any entry that is an
    attack result (a dict with a ``risk``) or a dict of them (e.g. one per sensitive column).
    """
    rows: list[dict[str, Any]] = []
    for key, value in privacy.items():
        if key in ("attacks", "results") and isinstance(value, list):
            rows += [_flat(v, f"{key}[{i}]") for i, v in enumerate(value) if isinstance(v, dict)]
        elif _is_attack(value):
            rows.append(_flat(value, key))
        elif isinstance(value, dict) and value and all(_is_attack(v) for v in value.values()):
            rows += [_flat(v, f"{key}:{k}") for k, v in value.items()]
    return rows


def privacy_summary(privacy: dict[str, Any]) -> dict[str, Any]:
    """Top-level scalars of a privacy report and those of its nested figure groups."""
    summary = scalars(privacy)
    for key, value in privacy.items():
        if key in ("details", "attacks", "results") or not isinstance(value, dict):
            continue
        if _is_attack(value) or all(_is_attack(v) for v in value.values()):
            continue
        summary.update({f"{key}.{k}": v for k, v in value.items() if _is_scalar(v)})
    return summary


def drift_parts(drift: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The comparisons of a drift report: itself, or its entries that are drift reports."""
    if "columns" in drift:
        return [("", drift)]
    return [(k, v) for k, v in drift.items() if isinstance(v, dict) and "columns" in v]


def drift_rows(drift: dict[str, Any]) -> list[dict[str, Any]]:
    """One flat dict per column and comparison of a drift report."""
    rows = []
    parts = drift_parts(drift)
    for label, part in parts:
        columns = part["columns"]
        if isinstance(columns, dict):
            columns = [
                {"column": k, **v} if isinstance(v, dict) else {"column": k, "value": v}
                for k, v in columns.items()
            ]
        if not isinstance(columns, list):
            continue
        for c in columns:
            if isinstance(c, dict):
                row = {"comparison": label} if len(parts) > 1 else {}
                row.update({k: v for k, v in c.items() if _is_scalar(v)})
                rows.append(row)
    return rows


def drift_summary(drift: dict[str, Any]) -> dict[str, Any]:
    """Scalars of each comparison, prefixed by its name when there are several."""
    parts = drift_parts(drift) or [("", drift)]
    summary: dict[str, Any] = {}
    for label, part in parts:
        prefix = f"{label}." if label else ""
        summary.update({prefix + k: v for k, v in part.items() if _is_scalar(v)})
    return summary


def scalars(report: dict[str, Any]) -> dict[str, Any]:
    """The top-level scalar entries of a report."""
    return {k: v for k, v in report.items() if _is_scalar(v)}


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)
