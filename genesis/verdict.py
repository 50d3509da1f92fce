""" "Can this synthetic version be shared?": the one summary the UI and the dashboard show.

The Dagster materialization of a synthetic version and the top of its dashboard render the
same :class:`ShareVerdict`, built by :func:`share_verdict` from the stage reports as plain
dicts (``QualityReport.to_dict()``, ``PrivacyAuditReport.to_dict()``,
``DriftReport.to_dict()``), so the two can never disagree.

The headline quality figure is ``overall_score``: the mean of the SDMetrics-style
``quality_score`` (column shapes and pair trends), the detection score (how hard a
classifier finds it to tell synthetic rows from real ones) and, with a target, the
ML-utility ratio. ``quality_score`` alone is shown beside it as "fidelity" for comparison
with SDMetrics.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from genesis.jsonsafe import finite, json_safe

_LEVELS = ("LOW", "MEDIUM", "HIGH", "CRITICAL")
HEADLINE_SCORE = "overall_score"


@dataclass(frozen=True)
class QualityVerdict:
    """The headline quality score against its threshold."""

    score: float | None
    fidelity: float | None
    threshold: float | None
    passed: bool | None

    @property
    def text(self) -> str:
        if self.score is None:
            return "quality not computable"
        parts = [f"overall {self.score:.3f}"]
        if self.threshold is not None:
            parts.append(f"{'≥' if self.passed else '<'} threshold {self.threshold:g}")
        if self.fidelity is not None:
            parts.append(f"fidelity {self.fidelity:.3f}")
        return ", ".join(parts)


@dataclass(frozen=True)
class PrivacyVerdict:
    """The audit's level, the worst level its intervals cannot rule out, and which attacks
    are inconclusive (their interval spans a worse level)."""

    level: str | None
    upper_level: str | None
    max_level: str | None
    passed: bool | None
    inconclusive: tuple[str, ...] = ()
    failed_checks: tuple[str, ...] = ()
    copied_rows: int | None = None

    @property
    def text(self) -> str:
        if self.level is None:
            return "not audited"
        text = self.level
        if "copies" in self.failed_checks:
            text += f" — FAILED: {self.copied_rows or 'some'} synthetic rows copy training rows"
        if self.inconclusive and self.upper_level and self.upper_level != self.level:
            text += (
                f" — inconclusive: up to {self.upper_level} cannot be ruled out "
                f"({', '.join(self.inconclusive)})"
            )
        if self.max_level:
            text += f"; accepted up to {self.max_level}"
        return text


@dataclass(frozen=True)
class DriftVerdict:
    """Drift of the real source from the model's training baseline."""

    observed_share: float | None
    threshold_share: float | None
    drifted: bool | None
    drifted_columns: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        if self.observed_share is None:
            return "not measured"
        verdict = "drift" if self.drifted else "no drift"
        text = f"{verdict}: {self.observed_share:.0%} of columns drifted"
        if self.threshold_share is not None:
            text += f" (threshold {self.threshold_share:.0%})"
        if self.drifted_columns:
            text += f": {', '.join(self.drifted_columns[:8])}"
        return text


@dataclass(frozen=True)
class ShareVerdict:
    """Whether a synthetic version may be shared, and the figures that decide it.

    ``shareable`` is True only when quality passed, the audit passed and the source has not
    drifted; None while a verdict is missing (a stage not run yet).
    """

    quality: QualityVerdict
    privacy: PrivacyVerdict
    drift: DriftVerdict
    snapshot_id: str | None = None
    model_uri: str | None = None
    lineage_hash: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def shareable(self) -> bool | None:
        verdicts = (self.quality.passed, self.privacy.passed, _not(self.drift.drifted))
        if any(v is False for v in verdicts):
            return False
        return None if any(v is None for v in verdicts) else True

    @property
    def headline(self) -> str:
        """One line: the answer first."""
        answer = {True: "Shareable", False: "Not shareable", None: "Not decided yet"}
        return (
            f"{answer[self.shareable]} — quality {self.quality.text}; privacy "
            f"{self.privacy.text}; drift {self.drift.text}"
        )

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs in display order, the same in every rendering."""
        answer = {True: "yes", False: "no", None: "not decided yet"}[self.shareable]
        return [
            ("Can this be shared?", answer),
            ("Quality (headline: overall score)", self.quality.text),
            ("Privacy risk", self.privacy.text),
            ("Source drift", self.drift.text),
            ("Snapshot id", self.snapshot_id or "—"),
            ("Model", self.model_uri or "—"),
            ("Lineage hash", self.lineage_hash or "—"),
        ]

    def to_markdown(self) -> str:
        """The rows as a two-column markdown table (the Dagster UI renders it)."""
        return rows_markdown(self.rows())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: every field plus ``shareable`` and ``headline``."""
        return json_safe(
            {
                "shareable": self.shareable,
                "headline": self.headline,
                "quality": asdict(self.quality),
                "privacy": asdict(self.privacy),
                "drift": asdict(self.drift),
                "snapshot_id": self.snapshot_id,
                "model_uri": self.model_uri,
                "lineage_hash": self.lineage_hash,
                **self.extra,
            }
        )


def rows_markdown(rows: list[tuple[str, str]] | list[list[str]]) -> str:
    """(label, value) rows, as :meth:`ShareVerdict.rows` gives them, as a markdown table."""
    lines = ["| | |", "|---|---|"]
    lines += [f"| {label} | {str(value).replace('|', '/')} |" for label, value in rows]
    return "\n".join(lines)


def _not(value: bool | None) -> bool | None:
    return None if value is None else not value


def quality_verdict(report: Mapping[str, Any] | None, threshold: float | None) -> QualityVerdict:
    """From ``QualityReport.to_dict()`` and the configured threshold."""
    report = report or {}
    score = finite(report.get(HEADLINE_SCORE))
    passed = None if score is None or threshold is None else score >= threshold
    if score is None and report:
        passed = False  # evaluated, but the headline could not be computed
    return QualityVerdict(score, finite(report.get("quality_score")), threshold, passed)


def privacy_verdict(report: Mapping[str, Any] | None) -> PrivacyVerdict:
    """From ``PrivacyAuditReport.to_dict()``."""
    if not report:
        return PrivacyVerdict(None, None, None, None)
    attacks = [report.get("membership_result"), report.get("reidentification_result")]
    attacks += list((report.get("attribute_results") or {}).values())
    attacks = [a for a in attacks if isinstance(a, Mapping)]
    level = report.get("overall_risk")
    uppers = [a.get("upper_level") for a in attacks if a.get("upper_level") in _LEVELS]
    upper = max([level, *uppers], key=_LEVELS.index) if level in _LEVELS else None
    inconclusive = tuple(
        str(a.get("name")) for a in attacks if a.get("inconclusive") and a.get("name")
    )
    passed = report.get("passed")
    copies = report.get("copy_check") or {}
    return PrivacyVerdict(
        level, upper, report.get("max_risk_level"), None if passed is None else bool(passed),
        inconclusive, tuple(report.get("failed_checks") or ()), copies.get("near_copies"),
    )  # fmt: skip


def drift_verdict(report: Mapping[str, Any] | None) -> DriftVerdict:
    """From ``DriftReport.to_dict()`` (or the drift stage's ``{"source_vs_baseline": ...}``)."""
    if report and "source_vs_baseline" in report:
        report = report["source_vs_baseline"]
    if not report:
        return DriftVerdict(None, None, None)
    drifted = report.get("dataset_drift")
    return DriftVerdict(
        finite(report.get("share")),
        finite(report.get("drift_share")),
        None if drifted is None else bool(drifted),
        tuple(report.get("drifted_columns") or ()),
    )


def share_verdict(
    quality: Mapping[str, Any] | None,
    privacy: Mapping[str, Any] | None = None,
    drift: Mapping[str, Any] | None = None,
    *,
    quality_threshold: float | None = None,
    snapshot_id: str | None = None,
    model_uri: str | None = None,
    lineage_hash: str | None = None,
) -> ShareVerdict:
    """The verdict of one synthetic version from its stage reports (dicts; None = not run)."""
    return ShareVerdict(
        quality=quality_verdict(quality, quality_threshold),
        privacy=privacy_verdict(privacy),
        drift=drift_verdict(drift),
        snapshot_id=None if snapshot_id is None else str(snapshot_id),
        model_uri=model_uri,
        lineage_hash=lineage_hash,
    )


__all__ = [
    "HEADLINE_SCORE",
    "DriftVerdict",
    "PrivacyVerdict",
    "QualityVerdict",
    "ShareVerdict",
    "drift_verdict",
    "privacy_verdict",
    "quality_verdict",
    "rows_markdown",
    "share_verdict",
]
