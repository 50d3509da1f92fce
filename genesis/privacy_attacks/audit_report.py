"""The privacy audit's result, :class:`PrivacyAuditReport`, and its JSON, HTML and Markdown forms.

The HTML page is rendered from ``templates/privacy_audit.html.j2`` with Jinja2
(autoescaping on): numbers rounded to three decimals, the lower end of an interval that falls
below 0 shown as 0 with a note (a negative risk only means the attack did worse on training
rows than on strangers), and one row per attack with its risk, interval, level, the limit
and the inconclusive flag. :meth:`PrivacyAuditReport.to_markdown` gives the same table in a
compact form that a narrow metadata pane (Dagster's Overview tab) shows without wrapping.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from genesis.jsonsafe import json_safe
from genesis.privacy_attacks.base import AttackResult
from genesis.privacy_attacks.copies import CopyCheck
from genesis.privacy_attacks.risk import RISK_THRESHOLDS, RiskLevel
from genesis.templates import render

#: re-identification is cheap (hashed joins): it targets at least this many rows per side
REID_MIN_ROWS = 10_000

_COLOURS = {
    RiskLevel.LOW: "#1b7f3b",
    RiskLevel.MEDIUM: "#b7791f",
    RiskLevel.HIGH: "#c0392b",
    RiskLevel.CRITICAL: "#7b1010",
}
_CLIPPED_NOTE = (
    "Interval ends below 0 are shown as 0: a negative risk only means the attack did worse on "
    "training rows than on strangers, which is no leak."
)


@dataclass
class PrivacyAuditReport:
    """The outcome of :meth:`PrivacyAttackTester.run_all_attacks`.

    Attributes:
        overall_risk: the worst level over the attacks.
        passed: whether ``overall_risk`` is no worse than ``max_risk_level`` **and** the copy
            check found no excess of copied training rows.
        max_risk_level: the worst level the audit accepts.
        membership_result: the membership inference result.
        attribute_results: one result per sensitive column.
        reidentification_result: the re-identification result (None without quasi-identifiers).
        distance_metrics: DCR / NNDR summaries (see :func:`~genesis.privacy_attacks.distance.distance_metrics`).
        budget: the differential-privacy budget the model spent (``privacy_budget_``), if any.
        details: sample sizes, seconds, thresholds.
        copy_check: copies of training rows against the whole training table (see
            :mod:`genesis.privacy_attacks.copies`); None when no column could be compared.
        rare_values: how the generator kept rare values out of the synthetic rows
            (:func:`rare_value_summary`: ``rare_rows`` and the strategy per column whose rare
            values it replaced); None when the audit was not given the model.
    """

    overall_risk: RiskLevel
    passed: bool
    max_risk_level: RiskLevel
    membership_result: AttackResult
    attribute_results: dict[str, AttackResult]
    reidentification_result: AttackResult | None
    distance_metrics: dict[str, Any] = field(default_factory=dict)
    budget: dict[str, Any] | None = None
    details: dict[str, Any] = field(default_factory=dict)
    copy_check: CopyCheck | None = None
    rare_values: dict[str, Any] | None = None

    @property
    def rare_values_text(self) -> str | None:
        """One sentence naming the columns whose rare values were replaced, and how."""
        return rare_values_sentence(self.rare_values)

    @property
    def results(self) -> list[AttackResult]:
        """Every attack result, membership first."""
        out = [self.membership_result, *self.attribute_results.values()]
        if self.reidentification_result is not None:
            out.append(self.reidentification_result)
        return out

    @property
    def worst(self) -> AttackResult:
        """The attack with the highest risk."""
        return max(self.results, key=lambda r: r.risk if np.isfinite(r.risk) else -np.inf)

    @property
    def failed_checks(self) -> list[str]:
        """Why the audit failed: ``"risk level"``, ``"copies"`` (empty when it passed)."""
        failed = []
        if self.overall_risk > self.max_risk_level:
            failed.append("risk level")
        if self.copy_check is not None and not self.copy_check.passed:
            failed.append("copies")
        return failed

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary of the whole report."""
        return json_safe(
            {
                "overall_risk": self.overall_risk.value,
                "passed": self.passed,
                "max_risk_level": self.max_risk_level.value,
                "failed_checks": self.failed_checks,
                "membership_result": self.membership_result.to_dict(),
                "attribute_results": {k: v.to_dict() for k, v in self.attribute_results.items()},
                "reidentification_result": (
                    self.reidentification_result.to_dict() if self.reidentification_result else None
                ),
                "copy_check": self.copy_check.to_dict() if self.copy_check else None,
                "distance_metrics": self.distance_metrics,
                "budget": self.budget,
                "rare_values": self.rare_values,
                "details": self.details,
            }
        )

    def to_json(self, path: str | os.PathLike[str] | None = None) -> str:
        """The report as JSON text; also written atomically to ``path`` when given."""
        text = json.dumps(self.to_dict(), indent=2, sort_keys=False)
        if path is not None:
            _write_atomic(path, text)
        return text

    def to_html(self, path: str | os.PathLike[str] | None = None) -> str:
        """A self-contained HTML page (inline CSS, no external asset) for a reviewer.

        The verdict comes first, then the attack table (risk, interval, level, limit,
        inconclusive flag), each attack in plain words, the copy check, distances and the
        differential-privacy budget. Written atomically to ``path`` when given.
        """
        text = render_html(self)
        if path is not None:
            _write_atomic(path, text)
        return text

    def to_markdown(self) -> str:
        """A compact Markdown summary: the verdict and one short table row per check."""
        limit = self.max_risk_level.value
        lines = [
            f"**Privacy audit {'passed' if self.passed else 'FAILED'}**: overall "
            f"{self.overall_risk.value}, limit {limit}"
            + (f"; failed: {', '.join(self.failed_checks)}" if self.failed_checks else ""),
            "",
            "| attack | risk | 95% CI | level | limit | note |",
            "|---|---:|---|---|---|---|",
        ]
        clipped = False
        for row in display_rows(self):
            clipped |= row["clipped"]
            note = f"up to {row['upper_level']}?" if row["inconclusive"] else ""
            lines.append(
                f"| {row['short']} | {row['risk']} | {row['ci']} | {row['level']} | "
                f"{limit} | {note} |"
            )
        copies = self.copy_check
        if copies is not None:
            lines.append(
                f"| copies | {copies.near_copies} rows | p={copies.p_value:.2g} | "
                f"{'ok' if copies.passed else 'EXCESS'} | alpha {copies.alpha} | "
                f"{copies.train_only} vs {copies.expected_train_only:.1f} exp. |"
            )
        if self.rare_values_text:
            lines += ["", self.rare_values_text]
        if clipped:
            lines += ["", "CI ends below 0 shown as 0 (no leak)."]
        if any(r.inconclusive for r in self.results):
            lines.append("`up to X?`: inconclusive, X not ruled out.")
        return "\n".join(lines)


#: how each strategy of :class:`~genesis.generators.transformer.TableTransformer` is worded
_RARE_STRATEGIES = {
    "faker": "Faker values of the column's type",
    "pattern": "new codes in the real values' pattern",
    "frequent": "the column's frequent values",
}


def rare_value_summary(model: Any) -> dict[str, Any] | None:
    """How a fitted generator replaced rare values: ``{"rare_rows": 5, "columns": {"tailnum":
    "pattern", ...}}`` (from its ``transformer_``), or None for a model that does not say
    (none given, or saved by an older Genesis)."""
    transformer = getattr(model, "transformer_", None) if model is not None else None
    columns = getattr(transformer, "rare_values_", None)
    if columns is None:
        return None
    return {"rare_rows": int(transformer.rare_rows), "columns": dict(columns)}


def rare_values_sentence(summary: dict[str, Any] | None) -> str | None:
    """The audit's sentence on rare values (None without a summary)."""
    if summary is None:
        return None
    rare_rows, columns = summary["rare_rows"], summary["columns"]
    if rare_rows <= 1:
        return "Rare values were not replaced (rare_rows=1): every real value may be copied."
    scope = (
        f"values held by fewer than {rare_rows} training rows in high-cardinality and "
        "free-text columns"
    )
    if not columns:
        return f"No column had rare values to replace ({scope})."
    by_strategy: dict[str, list[str]] = {}
    for name, strategy in columns.items():
        by_strategy.setdefault(strategy, []).append(name)
    parts = "; ".join(
        f"{', '.join(names)} ({_RARE_STRATEGIES.get(strategy, strategy)})"
        for strategy, names in by_strategy.items()
    )
    return (
        f"Rare values ({scope}) would single out the people holding them, so none was copied "
        f"into the synthetic rows; they were replaced by values that are no real value, in "
        f"the same share of rows: {parts}."
    )


def _write_atomic(path: str | os.PathLike[str], text: str) -> None:
    from genesis.io import write_bytes_atomic

    write_bytes_atomic(path, text, what="privacy report")


def _number(value: Any, digits: int = 3) -> str:
    if value is None or not np.isfinite(float(value)):
        return "n/a"
    return f"{float(value):.{digits}f}"


def _short_name(name: str) -> str:
    if name == "membership_inference":
        return "membership"
    if name == "reidentification":
        return "re-identification"
    if name.startswith("attribute_inference:"):
        return "attribute: " + name.split(":", 1)[1]
    return name.replace("_", " ")


def display_rows(report: PrivacyAuditReport) -> list[dict[str, Any]]:
    """One display row per attack: rounded risk, interval clipped at 0, level, flags."""
    rows = []
    for result in report.results:
        low, high = result.risk_ci
        clipped = bool(np.isfinite(low) and low < 0)
        rows.append(
            {
                "name": result.name,
                "short": _short_name(result.name),
                "risk": _number(max(result.risk, 0.0) if np.isfinite(result.risk) else None),
                "raw_risk": result.risk,
                "ci": f"{_number(max(low, 0.0) if np.isfinite(low) else None)}–"
                f"{_number(max(high, 0.0) if np.isfinite(high) else None)}",
                "clipped": clipped or bool(np.isfinite(result.risk) and result.risk < 0),
                "level": result.risk_level.value,
                "colour": _COLOURS[result.risk_level],
                "upper_level": result.upper_level.value,
                "inconclusive": result.inconclusive,
                "accuracy": _number(result.accuracy),
                "control": _number(result.control),
                "interpretation": result.interpretation,
                "sub_attacks": [
                    {
                        "name": sub_name.replace("_", " "),
                        "attack": _number(sub["attack_rate"], 4),
                        "control": _number(sub["control_rate"], 4),
                        "risk": _number(
                            max(sub["risk"], 0.0) if np.isfinite(sub["risk"]) else None
                        ),
                        "ci": f"{_number(max(sub['risk_ci'][0], 0.0))}–"
                        f"{_number(max(sub['risk_ci'][1], 0.0))}",
                    }
                    for sub_name, sub in result.details.get("sub_attacks", {}).items()
                ],
            }
        )
    return rows


def render_html(report: PrivacyAuditReport) -> str:
    """The audit as a self-contained HTML page (see :meth:`PrivacyAuditReport.to_html`)."""
    worst = report.worst
    rows = display_rows(report)
    thresholds = report.details.get("thresholds") or {
        lvl.value: b for lvl, b in RISK_THRESHOLDS.items()
    }
    distances = []
    for key, value in report.distance_metrics.items():
        # a risk below 0 is no leak: shown as 0, as in the attack table
        floor = 0.0 if "risk" in key else -np.inf
        pair = value if isinstance(value, (list, tuple)) else [value]
        shown = [_number(None if v is None else max(float(v), floor)) for v in pair]
        distances.append((key.replace("_", " "), " to ".join(shown)))
    budget = report.budget
    max_rows = report.details.get("max_rows_per_side") or 0
    return render(
        "genesis.privacy_attacks",
        "privacy_audit.html.j2",
        report=report,
        verdict="PASSED" if report.passed else "FAILED",
        colour=_COLOURS[report.overall_risk],
        worst_name=worst.name.replace("_", " "),
        worst_risk=_number(max(worst.risk, 0.0) if np.isfinite(worst.risk) else None),
        worst_ci=display_rows(report)[report.results.index(worst)]["ci"],
        rows=rows,
        any_clipped=any(r["clipped"] for r in rows),
        clipped_note=_CLIPPED_NOTE,
        thresholds=thresholds,
        n_rows=report.details.get("rows", {}),
        max_rows=max_rows,
        reid_rows=max(max_rows, REID_MIN_ROWS),
        copies=report.copy_check,
        distances=distances,
        budget_text=(
            ", ".join(f"{k} = {v}" for k, v in budget.items() if not isinstance(v, dict))
            if budget
            else None
        ),
    )


__all__ = [
    "REID_MIN_ROWS",
    "PrivacyAuditReport",
    "display_rows",
    "rare_value_summary",
    "rare_values_sentence",
    "render_html",
]
