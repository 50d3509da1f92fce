"""Turn the reports the dashboard shows (quality, privacy, drift) into plain dicts and into
rows a person can read.

The privacy and drift reports come from other parts of Genesis (``genesis.privacy_attacks``,
``genesis.drift``) or from JSON stored by the Dagster chain, so they are read by the keys they
are documented to carry, and anything else they hold is shown under a readable label.
"""

from __future__ import annotations

from typing import Any

from genesis.errors import InvalidParameterError
from genesis.jsonsafe import finite, json_safe

#: quality verdict thresholds on ``overall_score``
GOOD_SCORE = 0.8
FAIR_SCORE = 0.6

#: readable labels of the figures reports carry; other keys are shown with spaces for "_"
LABELS = {
    "overall_score": "Overall score (headline)",
    "quality_score": "Fidelity (SDMetrics quality score)",
    "column_shapes": "Column shapes",
    "column_pair_trends": "Column-pair trends",
    "missing_similarity": "Missing-value similarity",
    "detection_auc": "Detection AUC (0.5 = indistinguishable)",
    "detection_score": "Indistinguishability",
    "exact_copy_share": "Synthetic rows that copy a training row",
    "dcr_synthetic": "Distance to closest record: synthetic",
    "dcr_holdout": "Distance to closest record: holdout",
    "dcr_ratio": "DCR ratio (synthetic / holdout)",
    "overall_risk": "Overall privacy risk",
    "max_risk_level": "Highest accepted risk",
    "passed": "Audit passed",
    "share": "Share of drifted columns",
    "drift_share": "Drift threshold (share of columns)",
    "dataset_drift": "Dataset drift",
    "number_of_columns": "Columns compared",
    "baseline_rows": "Baseline rows",
    "current_rows": "Current rows",
    "source_vs_baseline": "Real source vs the model's baseline",
    "synthetic_vs_real": "Synthetic vs real training rows",
    "membership_inference": "Membership inference",
    "reidentification": "Re-identification",
    "attribute_inference": "Attribute inference",
    "distance_metrics": "Distances",
    "dcr_synthetic_to_training_median": "median distance, synthetic to training",
    "dcr_holdout_to_training_median": "median distance, holdout to training",
    "dcr_synthetic_to_training_p05": "5th percentile distance, synthetic to training",
    "dcr_holdout_to_training_p05": "5th percentile distance, holdout to training",
    "synthetic_share_at_distance_zero": "synthetic rows at distance 0 from a training row",
    "holdout_share_at_distance_zero": "holdout rows at distance 0 from a training row",
    "nndr_synthetic_median": "median nearest-neighbour distance ratio, synthetic",
    "dcr_share": "synthetic rows closer to training than to holdout",
    "dcr_share_risk": "risk from distances",
    "n_synthetic": "synthetic rows compared",
    "n_reference": "reference rows compared",
}
#: figures that are shares of rows, shown as percentages
PERCENT_KEYS = frozenset(
    {
        "exact_copy_share",
        "share",
        "drift_share",
        "synthetic_share_at_distance_zero",
        "holdout_share_at_distance_zero",
        "dcr_share",
    }
)


def label(key: str) -> str:
    """The readable label of a report key (``"dcr_ratio"`` -> ``"DCR ratio ..."``)."""
    if key in LABELS:
        return LABELS[key]
    if ":" in key:  # "attribute_inference:income"
        head, _, rest = key.partition(":")
        return f"{label(head)}: {rest}"
    if "." in key:  # "distance_metrics.dcr_share"
        group, _, name = key.rpartition(".")
        return f"{label(group)}: {label(name)}"
    text = key.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def display(value: Any, digits: int = 4, *, percent: bool = False) -> str:
    """A value as a person reads it: yes/no, rounded numbers (or percentages), thousands
    separators, n/a."""
    if percent and finite(value) is not None:
        return f"{finite(value):.{max(digits - 2, 1)}%}"
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    number = finite(value)
    if number is not None:
        return f"{number:.{digits}g}" if abs(number) < 1e-3 and number else f"{number:.{digits}f}"
    if isinstance(value, float):
        return "n/a"  # NaN or infinite
    if isinstance(value, list | tuple):
        return ", ".join(display(v, digits) for v in value) or "none"
    return str(value)


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


def quality_verdict(overall: float | None) -> tuple[str, str]:
    """``(level, sentence)`` for an overall quality score."""
    if overall is None:
        return "unknown", "the overall quality score could not be computed"
    if overall >= GOOD_SCORE:
        return "good", f"good: overall quality score {overall:.2f} (at least {GOOD_SCORE})"
    if overall >= FAIR_SCORE:
        return "fair", f"fair: overall quality score {overall:.2f} (below {GOOD_SCORE})"
    return "poor", f"poor: overall quality score {overall:.2f} (below {FAIR_SCORE})"


def giveaway_section(quality: dict[str, Any]) -> dict[str, Any]:
    """Which columns give the synthetic table away: ``threshold`` (the detection AUC above
    which a column does), ``measured`` (whether the report has per-column detection),
    ``columns`` (``column``, ``detection_auc``, ``score``, ``metric``, most revealing first)
    and ``text`` (one plain sentence)."""
    from genesis.quality.report import (
        GIVEAWAY_AUC,
        detection_measured,
        giveaway_sentence,
        giveaway_table,
    )

    details = quality.get("column_details") or []
    table = giveaway_table(details, GIVEAWAY_AUC)
    return {
        "threshold": GIVEAWAY_AUC,
        "measured": detection_measured(details),
        "columns": json_safe(table.to_dict(orient="records")),
        "text": giveaway_sentence(details, GIVEAWAY_AUC),
    }


def _is_attack(value: Any) -> bool:
    return isinstance(value, dict) and "risk" in value


def _flat(value: dict[str, Any], name: str) -> dict[str, Any]:
    row = {k: v for k, v in value.items() if _is_scalar(v)}
    interval = value.get("risk_ci")
    if isinstance(interval, list | tuple) and len(interval) == 2:
        row["risk_low"], row["risk_high"] = finite(interval[0]), finite(interval[1])
    row.setdefault("name", name)
    return row


def attack_rows(privacy: dict[str, Any]) -> list[dict[str, Any]]:
    """One flat dict per attack of a privacy report (``risk_ci`` as ``risk_low``/``risk_high``).

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


def attack_table(privacy: dict[str, Any]) -> list[dict[str, str]]:
    """The attacks as display rows: attack, risk, its 95% interval, level, conclusive, meaning."""
    table = []
    for a in attack_rows(privacy):
        low, high = finite(a.get("risk_low")), finite(a.get("risk_high"))
        interval = "n/a" if low is None or high is None else f"{low:.3f} to {high:.3f}"
        level, upper = a.get("risk_level"), a.get("upper_level")
        if a.get("inconclusive") and upper and upper != level:
            conclusive = f"no: up to {upper} cannot be ruled out"
        else:
            conclusive = "yes" if a.get("inconclusive") is not None else "n/a"
        table.append(
            {
                "attack": label(str(a.get("name", "attack"))),
                "risk": display(a.get("risk"), 3),
                "interval": interval,
                "level": display(level),
                "conclusive": conclusive,
                "meaning": display(a.get("interpretation") or "n/a"),
            }
        )
    return table


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
    for name, part in parts:
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
                row = {"comparison": name} if len(parts) > 1 else {}
                row.update({k: v for k, v in c.items() if _is_scalar(v)})
                rows.append(row)
    return rows


def drift_summary(drift: dict[str, Any]) -> dict[str, Any]:
    """Scalars of each comparison, prefixed by its name when there are several."""
    summary: dict[str, Any] = {}
    for name, part in drift_parts(drift) or [("", drift)]:
        prefix = f"{name}." if name else ""
        summary.update({prefix + k: v for k, v in part.items() if _is_scalar(v)})
    return summary


def drift_lines(drift: dict[str, Any]) -> list[str]:
    """One sentence per comparison: verdict, drifted columns and their share."""
    lines = []
    for name, part in drift_parts(drift) or [("", drift)]:
        share, threshold = finite(part.get("share")), finite(part.get("drift_share"))
        drifted = list(part.get("drifted_columns") or [])
        verdict = "drift" if part.get("dataset_drift") else "no dataset drift"
        text = f"{label(name)}: " if name else ""
        text += verdict
        if share is not None:
            total = part.get("number_of_columns")
            count = f"{len(drifted)} of {total} columns" if total else f"{share:.0%} of columns"
            text += f", {count} drifted"
        if threshold is not None:
            text += f" (dataset drift at {threshold:.0%} of the columns)"
        if drifted:
            text += f": {', '.join(map(str, drifted[:12]))}"
        lines.append(text)
    return lines


def scalars(report: dict[str, Any]) -> dict[str, Any]:
    """The top-level scalar entries of a report."""
    return {k: v for k, v in report.items() if _is_scalar(v)}


def readable(values: dict[str, Any]) -> list[tuple[str, str]]:
    """``(label, display text)`` pairs of a dict of figures (shares of rows as percentages;
    figures of a nested group that the report left empty are left out)."""
    return [
        (label(k), display(v, percent=k.rpartition(".")[2] in PERCENT_KEYS))
        for k, v in values.items()
        if v is not None or "." not in k
    ]


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)
