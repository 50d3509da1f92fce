"""Privacy stage: ``privacy_audit`` and the blocking ``privacy_audit_passed`` check."""

from typing import Any

import dagster as dg
import pandas as pd

from genesis_assets.config import DatasetConfig
from genesis_assets.keys import stage_inputs
from genesis_resources import ArtifactStore
from genesis_resources.iceberg import VersioningResource, record_checks

REPORT_HTML = "privacy_audit.html"


def _interval(ci) -> str:
    low, high = ci
    if low is None or high is None:
        return "n/a"
    return f"{low:.3f} to {high:.3f}"


def audit_metadata(report) -> dict[str, Any]:
    """The verdict, then each attack's risk with its 95 % interval and level."""
    metadata: dict[str, Any] = {
        "overall_risk": report.overall_risk.value,
        "passed": bool(report.passed),
        "max_risk_level": report.max_risk_level.value,
    }
    membership = report.membership_result
    metadata["membership/auc"] = round(membership.accuracy, 4)
    metadata["membership/auc_ci"] = _interval(membership.details["auc_ci"])
    for result in report.results:
        name = result.name.replace(":", "/")
        metadata[f"{name}/risk"] = round(result.risk, 4)
        metadata[f"{name}/risk_ci"] = _interval(result.risk_ci)
        metadata[f"{name}/level"] = result.risk_level.value
    metadata["dcr_share"] = round(report.distance_metrics["dcr_share"], 4)
    if report.budget:
        metadata["dp_epsilon"] = float(report.budget["epsilon"])
        metadata["dp_delta"] = float(report.budget.get("delta") or 0.0)
    metadata["audit_seconds"] = report.details["seconds"]["total"]
    lines = ["| attack | risk | 95% CI | level | what it means |", "|---|---|---|---|---|"]
    for result in report.results:
        lines.append(
            f"| {result.name} | {result.risk:.3f} | {_interval(result.risk_ci)} | "
            f"{result.risk_level.value} | {result.interpretation} |"
        )
    metadata["attacks"] = dg.MetadataValue.md("\n".join(lines))
    return metadata


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
        training_data: pd.DataFrame,
        holdout_data: pd.DataFrame,
        synthetic_dataset: pd.DataFrame,
        synthesis_model,
    ) -> dg.Output[dict]:
        from genesis.privacy_attacks import PrivacyAttackTester

        report = PrivacyAttackTester(
            ds.sensitive_columns,
            ds.quasi_identifiers,
            max_risk_level=ds.privacy_max_risk,
            seed=ds.seed,
        ).run_all_attacks(training_data, synthetic_dataset, holdout_data, model=synthesis_model)
        from genesis.io import fingerprint

        html_path = artifact_store.write_text(ds.name, REPORT_HTML, report.to_html())
        return dg.Output(
            # stamped with the synthetic version it audits, so no later report shows it for another
            {**report.to_dict(), "synthetic_version": fingerprint(synthetic_dataset)[:16]},
            metadata={**audit_metadata(report), "report_html": dg.MetadataValue.path(html_path)},
        )

    @dg.asset_check(
        asset=[*prefix, "privacy_audit"],
        name="privacy_audit_passed",
        blocking=True,
        description=(
            f"Overall privacy risk at most {ds.privacy_max_risk} (privacy_max_risk in "
            "genesis.yaml); a failure stops every stage downstream of the audit."
        ),
    )
    def privacy_audit_passed(
        versioning: VersioningResource, privacy_audit: dict
    ) -> dg.AssetCheckResult:
        attacks = [
            privacy_audit["membership_result"],
            *privacy_audit["attribute_results"].values(),
            *(
                [privacy_audit["reidentification_result"]]
                if privacy_audit["reidentification_result"]
                else []
            ),
        ]
        worst = max(attacks, key=lambda a: a["risk"] if a["risk"] is not None else float("-inf"))
        # the verdict joins the synthetic version's lineage chain, passed or not
        record_checks(
            versioning,
            ds.name,
            [
                {
                    "check": "privacy",
                    "metrics": {a["name"]: a["risk"] for a in attacks},
                    "passed": bool(privacy_audit["passed"]),
                    "threshold": privacy_audit["max_risk_level"],
                }
            ],
        )
        return dg.AssetCheckResult(
            passed=bool(privacy_audit["passed"]),
            severity=dg.AssetCheckSeverity.ERROR,
            description=(
                f"overall risk {privacy_audit['overall_risk']}; strongest attack {worst['name']}: "
                f"{worst['interpretation']}"
            ),
            metadata={
                "overall_risk": privacy_audit["overall_risk"],
                "max_risk_level": privacy_audit["max_risk_level"],
                "worst_attack": worst["name"],
                "worst_risk": worst["risk"] if worst["risk"] is not None else "n/a",
            },
        )

    return [privacy_audit, privacy_audit_passed]
