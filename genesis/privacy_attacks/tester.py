"""Run every attack against one synthetic table and write the audit report.

``PrivacyAttackTester(sensitive_columns, quasi_identifiers).run_all_attacks(real, synthetic,
holdout)`` runs membership inference, attribute inference on each sensitive column and
re-identification on the quasi-identifiers, each with its holdout control, plus DCR/NNDR
distance summaries, and returns a :class:`PrivacyAuditReport`: the overall level is the
worst attack's level, and the audit passes when it is no worse than ``max_risk_level``
(default MEDIUM: a measurable but small leak is accepted, a sizeable one is not; see
:mod:`genesis.privacy_attacks.risk` for the cut-offs).

Speed: attacks work on random subsamples of at most a few thousand target rows per side
(``max_rows``); the report's ``details`` records every sample size. The intervals account
for the sample size, so subsampling widens them rather than biasing them.
"""

from __future__ import annotations

import html
import json
import os
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import InvalidParameterError
from genesis.generators.base import check_int, check_seed
from genesis.privacy_attacks.attribute import AttributeInferenceAttack
from genesis.privacy_attacks.base import (
    AttackResult,
    _jsonable,
    check_attack_tables,
    check_columns,
    sample_rows,
)
from genesis.privacy_attacks.distance import distance_metrics
from genesis.privacy_attacks.encoding import TableEncoder
from genesis.privacy_attacks.membership import MembershipInferenceAttack
from genesis.privacy_attacks.reidentification import ReidentificationAttack
from genesis.privacy_attacks.risk import RISK_THRESHOLDS, RiskLevel

#: re-identification is cheap (hashed joins): it targets at least this many rows per side
REID_MIN_ROWS = 10_000


@dataclass
class PrivacyAuditReport:
    """The outcome of :meth:`PrivacyAttackTester.run_all_attacks`.

    Attributes:
        overall_risk: the worst level over the attacks.
        passed: whether ``overall_risk`` is no worse than ``max_risk_level``.
        max_risk_level: the worst level the audit accepts.
        membership_result: the membership inference result.
        attribute_results: one result per sensitive column.
        reidentification_result: the re-identification result (None without quasi-identifiers).
        distance_metrics: DCR / NNDR summaries (see :func:`~genesis.privacy_attacks.distance.distance_metrics`).
        budget: the differential-privacy budget the model spent (``privacy_budget_``), if any.
        details: sample sizes, seconds, thresholds.
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

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary of the whole report."""
        return _jsonable(
            {
                "overall_risk": self.overall_risk.value,
                "passed": self.passed,
                "max_risk_level": self.max_risk_level.value,
                "membership_result": self.membership_result.to_dict(),
                "attribute_results": {k: v.to_dict() for k, v in self.attribute_results.items()},
                "reidentification_result": (
                    self.reidentification_result.to_dict() if self.reidentification_result else None
                ),
                "distance_metrics": self.distance_metrics,
                "budget": self.budget,
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

        The verdict comes first, then each attack with its interval and what it means in
        plain words, then the method notes. Written atomically to ``path`` when given.
        """
        text = _render_html(self)
        if path is not None:
            _write_atomic(path, text)
        return text


def _write_atomic(path: str | os.PathLike[str], text: str) -> None:
    from genesis.io import write_bytes_atomic

    write_bytes_atomic(path, text, what="privacy report")


class PrivacyAttackTester:
    """Runs every privacy attack with its holdout control.

    Args:
        sensitive_columns: columns an attacker must not infer (attribute inference).
        quasi_identifiers: columns an attacker could know from elsewhere (re-identification).
        known_columns: what the attribute-inference attacker knows; default every other
            column (the worst case).
        max_risk_level: worst overall level that still passes (default ``"MEDIUM"``).
        max_rows: target rows per side and attack (a random subsample beyond it).
        seed: seed of every subsample and attack model.
    """

    def __init__(
        self,
        sensitive_columns: list[str] | None = None,
        quasi_identifiers: list[str] | None = None,
        *,
        known_columns: list[str] | None = None,
        max_risk_level: RiskLevel | str = RiskLevel.MEDIUM,
        max_rows: int = 5_000,
        seed: int = 0,
    ) -> None:
        self.sensitive_columns = sensitive_columns
        self.quasi_identifiers = quasi_identifiers
        self.known_columns = known_columns
        self.max_risk_level = max_risk_level
        self.max_rows = max_rows
        self.seed = seed

    def run_all_attacks(
        self,
        real: pd.DataFrame,
        synthetic: pd.DataFrame,
        holdout: pd.DataFrame,
        *,
        model: Any = None,
    ) -> PrivacyAuditReport:
        """Audit ``synthetic`` against its training rows ``real`` with ``holdout`` as control.

        Args:
            real: the rows the generator was trained on.
            synthetic: the generated rows.
            holdout: real rows from the same source the generator never saw (at least 20).
            model: the fitted generator, to record its differential-privacy budget
                (``privacy_budget_``) in the report; optional.
        """
        limit = RiskLevel.parse(self.max_risk_level)
        check_int("max_rows", self.max_rows, 10)
        seed = check_seed(self.seed)
        real, synthetic, holdout, available = check_attack_tables(
            real, synthetic, holdout, min_real=20, min_synthetic=2
        )
        sensitive = check_columns(self.sensitive_columns or [], "sensitive_columns", available)
        quasi = check_columns(self.quasi_identifiers or [], "quasi_identifiers", available)
        known = (
            None
            if self.known_columns is None
            else check_columns(self.known_columns, "known_columns", available)
        )
        if not available:
            raise InvalidParameterError(
                "real, synthetic and holdout share no column; pass tables with the same columns"
            )
        timings: dict[str, float] = {}
        start = time.perf_counter()
        encoder = TableEncoder(available).fit(real, synthetic, holdout)
        rng = np.random.default_rng(seed)
        n = min(self.max_rows, len(real), len(holdout))
        timings["encode"] = time.perf_counter() - start

        t = time.perf_counter()
        membership = MembershipInferenceAttack(max_rows=self.max_rows, seed=seed).run(
            real, synthetic, holdout, encoder=encoder
        )
        timings["membership_inference"] = time.perf_counter() - t

        t = time.perf_counter()
        attributes = (
            AttributeInferenceAttack(max_rows=self.max_rows, seed=seed).run(
                real, synthetic, sensitive, known, holdout=holdout, encoder=encoder
            )
            if sensitive
            else {}
        )
        timings["attribute_inference"] = time.perf_counter() - t

        t = time.perf_counter()
        reid = (
            ReidentificationAttack(max_rows=max(self.max_rows, REID_MIN_ROWS), seed=seed).run(
                real, synthetic, quasi, holdout=holdout, encoder=encoder
            )
            if quasi
            else None
        )
        timings["reidentification"] = time.perf_counter() - t

        t = time.perf_counter()
        distances = distance_metrics(
            encoder.transform(sample_rows(real, n, rng)),
            encoder.transform(sample_rows(holdout, n, rng)),
            encoder.transform(sample_rows(synthetic, n, rng)),
            seed=seed,
        )
        timings["distance_metrics"] = time.perf_counter() - t
        timings["total"] = time.perf_counter() - start

        results = [membership, *attributes.values(), *([reid] if reid else [])]
        overall = max((r.risk_level for r in results), key=lambda lvl: lvl.rank)
        budget = getattr(model, "privacy_budget_", None) if model is not None else None
        return PrivacyAuditReport(
            overall_risk=overall,
            passed=overall <= limit,
            max_risk_level=limit,
            membership_result=membership,
            attribute_results=attributes,
            reidentification_result=reid,
            distance_metrics=distances,
            budget=dict(budget) if budget else None,
            details={
                "rows": {
                    "training": len(real),
                    "holdout": len(holdout),
                    "synthetic": len(synthetic),
                },
                "max_rows_per_side": self.max_rows,
                "subsampled": n < max(len(real), len(holdout)),
                "sensitive_columns": sensitive,
                "quasi_identifiers": quasi,
                "known_columns": known or "every other column",
                "thresholds": {lvl.value: b for lvl, b in RISK_THRESHOLDS.items()},
                "level_from": "lower end of the risk's 95% interval",
                "inconclusive": [r.name for r in results if r.inconclusive],
                "seconds": {k: round(v, 3) for k, v in timings.items()},
                "seed": seed,
            },
        )


# --- the HTML page ----------------------------------------------------------------------------

_COLOURS = {
    RiskLevel.LOW: "#1b7f3b",
    RiskLevel.MEDIUM: "#b7791f",
    RiskLevel.HIGH: "#c0392b",
    RiskLevel.CRITICAL: "#7b1010",
}

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:60rem;
color:#1d1d1f;line-height:1.5;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
.verdict{border-radius:8px;padding:1rem 1.4rem;color:#fff;margin:1rem 0}
.verdict strong{font-size:1.5rem}.badge{display:inline-block;padding:.1rem .6rem;border-radius:4px;
color:#fff;font-weight:600;font-size:.85rem}
table{border-collapse:collapse;width:100%;margin:.6rem 0}td,th{border:1px solid #ddd;padding:.35rem .6rem;
text-align:left;vertical-align:top}th{background:#f5f5f7}.num{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#555;font-size:.9rem}.attack{margin:1.2rem 0;padding:.8rem 1rem;border:1px solid #ddd;border-radius:8px}
"""


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return html.escape(str(value))


def _badge(level: RiskLevel) -> str:
    return f'<span class="badge" style="background:{_COLOURS[level]}">{level.value}</span>'


def _attack_section(result: AttackResult, title: str) -> str:
    low, high = result.risk_ci
    rows = [
        ("Risk", f"{_fmt(result.risk)} (95% CI {_fmt(low)} to {_fmt(high)})"),
        (
            "Attack success" if result.name != "membership_inference" else "AUC",
            _fmt(result.accuracy),
        ),
        ("Control (unseen rows)", _fmt(result.control)),
    ]
    details = result.details
    if "auc_ci" in details:
        rows.append(("AUC 95% CI", f"{_fmt(details['auc_ci'][0])} to {_fmt(details['auc_ci'][1])}"))
    sub = details.get("sub_attacks")
    body = "".join(f"<tr><th>{k}</th><td class='num'>{v}</td></tr>" for k, v in rows)
    extra = ""
    if sub:
        lines = "".join(
            f"<tr><td>{html.escape(name.replace('_', ' '))}</td><td class='num'>{_fmt(s['attack_rate'], 4)}</td>"
            f"<td class='num'>{_fmt(s['control_rate'], 4)}</td><td class='num'>{_fmt(s['risk'])}</td>"
            f"<td class='num'>{_fmt(s['risk_ci'][0])} to {_fmt(s['risk_ci'][1])}</td></tr>"
            for name, s in sub.items()
        )
        extra = (
            "<table><tr><th>sub-attack</th><th>training rows</th><th>unseen rows</th><th>risk</th>"
            f"<th>95% CI</th></tr>{lines}</table>"
        )
    return (
        f"<div class='attack'><h3>{html.escape(title)} {_badge(result.risk_level)}"
        + (
            f" <span class='note'>inconclusive: up to {result.upper_level.value} cannot be ruled out"
            " with this many rows</span>"
            if result.inconclusive
            else ""
        )
        + "</h3>"
        f"<p>{html.escape(result.interpretation)}</p><table>{body}</table>{extra}</div>"
    )


def _render_html(report: PrivacyAuditReport) -> str:
    level = report.overall_risk
    verdict = "PASSED" if report.passed else "FAILED"
    worst = report.worst
    summary = (
        f"The synthetic data {'passed' if report.passed else 'failed'} the privacy audit: the "
        f"overall risk is {level.value} (the audit accepts up to {report.max_risk_level.value}). "
        f"The strongest attack was {worst.name.replace('_', ' ')} with a risk of {_fmt(worst.risk)} "
        f"(95% CI {_fmt(worst.risk_ci[0])} to {_fmt(worst.risk_ci[1])})."
    )
    sections = [_attack_section(report.membership_result, "Membership inference")]
    sections += [
        _attack_section(r, f"Attribute inference: {name}")
        for name, r in report.attribute_results.items()
    ]
    if report.reidentification_result is not None:
        sections.append(_attack_section(report.reidentification_result, "Re-identification"))
    dm = report.distance_metrics
    distance_rows = "".join(
        f"<tr><th>{html.escape(k.replace('_', ' '))}</th><td class='num'>"
        f"{_fmt(v) if not isinstance(v, (list, tuple)) else _fmt(v[0]) + ' to ' + _fmt(v[1])}</td></tr>"
        for k, v in dm.items()
    )
    budget = report.budget
    budget_html = (
        "<p>The model was trained with differential privacy: "
        + html.escape(", ".join(f"{k} = {v}" for k, v in budget.items() if not isinstance(v, dict)))
        + ".</p>"
        if budget
        else "<p>The model was trained without a differential-privacy guarantee; the attacks "
        "above are the evidence of its privacy.</p>"
    )
    thresholds = report.details.get("thresholds", {})
    rows = report.details.get("rows", {})
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Genesis privacy audit: {verdict}</title>
<style>{_CSS}</style></head><body>
<h1>Privacy audit</h1>
<div class="verdict" style="background:{_COLOURS[level]}"><strong>{verdict}</strong> &mdash;
overall risk {level.value}<br>{html.escape(summary)}</div>
<p class="note">Every attack is run on rows the generator was trained on and, as a control, on
real rows it never saw. Risk = (attack success &minus; control success) / (1 &minus; control
success): 0 means the synthetic data reveals no more about the people in the training data
than about strangers; 1 means it reveals everything the control could not guess. Levels:
LOW below {thresholds.get("LOW", 0.05)}, MEDIUM below {thresholds.get("MEDIUM", 0.15)},
HIGH below {thresholds.get("HIGH", 0.4)}, CRITICAL above, read from the lower end of the
risk's 95% interval (the risk the attack demonstrates); an attack whose upper end reaches a
worse level is marked inconclusive.
Rows: {_fmt(rows.get("training"))} training, {_fmt(rows.get("holdout"))} holdout,
{_fmt(rows.get("synthetic"))} synthetic; attacks use random subsamples of at most
{_fmt(report.details.get("max_rows_per_side"))} target rows per side (re-identification: up to
{_fmt(max(report.details.get("max_rows_per_side") or 0, REID_MIN_ROWS))}), which the intervals account for.</p>
<h2>Attacks</h2>
{"".join(sections)}
<h2>Distances to the closest record</h2>
<p class="note">Distances on standardised numbers and one-hot categories, between synthetic rows
and training rows, and between unseen real rows and training rows. A DCR share near 0.5
means synthetic rows are no closer to the training rows than to unseen rows.</p>
<table>{distance_rows}</table>
<h2>Differential privacy</h2>
{budget_html}
</body></html>
"""
