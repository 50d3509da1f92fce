"""Privacy stage: ``privacy_audit`` and the blocking ``privacy_audit_passed`` check."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
import pandas as pd

from genesis.jsonsafe import finite, rounded
from genesis_assets.config import DatasetConfig
from genesis_assets.keys import stage_inputs
from genesis_resources import ArtifactStore
from genesis_resources.iceberg import snapshot_of
from genesis_resources.reports import ReportLinks

REPORT_HTML = "privacy_audit.html"
#: under the attack table: what the figures mean, and why an interval starts at 0
ATTACK_NOTE = (
    "Risk: how much better the attack does on training rows than on holdout rows "
    "(0 = no advantage, 1 = total). Interval ends below 0 (the attack did worse on training "
    "rows) are shown as 0. Level: of the interval's lower end; *up to*: the worst level the "
    "interval cannot rule out."
)


def attacks(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Every attack result of a ``PrivacyAuditReport.to_dict()``, membership first."""
    found = [report.get("membership_result")]
    found += list((report.get("attribute_results") or {}).values())
    found.append(report.get("reidentification_result"))
    return [a for a in found if isinstance(a, Mapping)]


def _clipped(value: Any) -> str:
    number = finite(value)
    return "n/a" if number is None else f"{max(number, 0.0):.3f}"


def _short(name: str) -> str:
    return (
        name.replace("membership_inference", "membership")
        .replace("attribute_inference:", "attribute ")
        .replace("reidentification", "re-identification")
    )


def attack_table(report: Mapping[str, Any]) -> str:
    """The attacks as a Markdown table with short columns, rounded and clipped at 0."""
    lines = ["| attack | risk | 95% CI | level |", "|---|---|---|---|"]
    for attack in attacks(report):
        low, high = (list(attack.get("risk_ci") or []) + [None, None])[:2]
        level = str(attack.get("risk_level"))
        if attack.get("inconclusive"):
            level += f", up to {attack.get('upper_level')}"
        lines.append(
            f"| {_short(str(attack.get('name')))} | {_clipped(attack.get('risk'))} "
            f"| {_clipped(low)} – {_clipped(high)} | {level} |"
        )
    return "\n".join(lines) + f"\n\n{ATTACK_NOTE}"


def audit_metadata(report: Mapping[str, Any]) -> dict[str, Any]:
    """The verdict with its inconclusive flags, then each attack's risk, interval and level."""
    from genesis.verdict import privacy_verdict

    verdict = privacy_verdict(report)
    metadata: dict[str, Any] = {
        "privacy_verdict": verdict.text,
        "overall_risk": report.get("overall_risk"),
        "upper_risk": verdict.upper_level,
        "inconclusive_attacks": ", ".join(verdict.inconclusive) or "none",
        "passed": bool(report.get("passed")),
        "max_risk_level": report.get("max_risk_level"),
        "attacks": dg.MetadataValue.md(attack_table(report)),
    }
    for attack in attacks(report):
        name = str(attack.get("name")).replace(":", "/")
        if (risk := rounded(attack.get("risk"))) is not None:
            metadata[f"{name}/risk"] = risk
        metadata[f"{name}/level"] = attack.get("risk_level")
    dcr = rounded((report.get("distance_metrics") or {}).get("dcr_share"))
    if dcr is not None:
        metadata["dcr_share"] = dcr
    budget = report.get("budget") or {}
    if budget.get("epsilon") is not None:
        metadata["dp_epsilon"] = float(budget["epsilon"])
    return metadata


def audit_check(privacy_audit: Mapping[str, Any]) -> dg.AssetCheckResult:
    """The result of a blocking ``privacy_audit_passed`` check on a stored audit report."""
    from genesis.verdict import privacy_verdict

    verdict = privacy_verdict(privacy_audit)
    found = attacks(privacy_audit)
    worst = max(found, key=lambda a: finite(a.get("risk")) or float("-inf"))
    return dg.AssetCheckResult(
        passed=bool(verdict.passed),
        severity=dg.AssetCheckSeverity.ERROR,
        description=(
            f"{verdict.text}. Strongest attack {worst.get('name')}: {worst.get('interpretation')}"
        ),
        metadata={
            "privacy_verdict": verdict.text,
            "overall_risk": verdict.level,
            "upper_risk": verdict.upper_level,
            "inconclusive_attacks": ", ".join(verdict.inconclusive) or "none",
            "max_risk_level": verdict.max_level,
            "worst_attack": str(worst.get("name")),
            "worst_risk": rounded(worst.get("risk")) or 0.0,
            "snapshot_id": str(privacy_audit.get("snapshot_id")),
        },
    )


def build_audit_assets(ds: DatasetConfig) -> list[dg.AssetsDefinition | dg.AssetChecksDefinition]:
    """The privacy stage of one dataset: ``privacy_audit`` and its blocking check."""
    prefix = [ds.name]

    @dg.asset(
        key_prefix=prefix,
        group_name=ds.name,
        ins=stage_inputs(
            ds.name, "training_data", "holdout_data", "synthetic_dataset", "synthesis_model"
        ),
        code_version=ds.version_of(
            "sensitive_columns", "quasi_identifiers", "privacy_max_risk", "seed"
        ),
        description=(
            "Membership inference, attribute inference and re-identification attacks on the "
            "synthetic rows, each against a holdout control; HTML report for reviewers."
        ),
    )
    def privacy_audit(
        artifact_store: ArtifactStore,
        report_links: ReportLinks,
        training_data: pd.DataFrame,
        holdout_data: pd.DataFrame,
        synthetic_dataset: pd.DataFrame,
        synthesis_model,
    ) -> dg.Output[dict]:
        from genesis.privacy_attacks import PrivacyAttackTester

        snapshot = snapshot_of(synthetic_dataset)
        report = PrivacyAttackTester(
            ds.sensitive_columns,
            ds.quasi_identifiers,
            max_risk_level=ds.privacy_max_risk,
            seed=ds.seed,
        ).run_all_attacks(training_data, synthetic_dataset, holdout_data, model=synthesis_model)
        artifact_store.write_text(ds.name, REPORT_HTML, report.to_html())
        stored = {**report.to_dict(), "snapshot_id": snapshot}
        return dg.Output(
            stored,  # stamped with the version it audits: no later report shows it for another
            metadata={
                "snapshot_id": snapshot,
                **audit_metadata(stored),
                **report_links.metadata(artifact_store, ds.name, REPORT_HTML, "report_html"),
            },
        )

    @dg.asset_check(
        asset=[*prefix, "privacy_audit"],
        name="privacy_audit_passed",
        blocking=True,
        description=(
            f"Overall privacy risk at most {ds.privacy_max_risk} (privacy_max_risk in "
            "genesis.yaml); a failure stops every stage downstream of the audit. The "
            "description says when a worse level cannot be ruled out."
        ),
    )
    def privacy_audit_passed(privacy_audit: dict) -> dg.AssetCheckResult:
        return audit_check(privacy_audit)

    return [privacy_audit, privacy_audit_passed]
