"""Review of a dataset of several tables: ``relational_quality_report``, ``privacy_audit``
and its blocking ``privacy_audit_passed`` check.

The privacy audit is the single-table one (:class:`genesis.privacy_attacks.PrivacyAttackTester`,
the metadata and the check of :mod:`genesis_assets.audit_assets`) run on the audited root
table joined with aggregates of its children (:func:`genesis.relational.flatten.with_child_aggregates`):
the training families against the synthetic ones, with the held-out families (the same split
``relational_model`` left out of training) as the control.
"""

from typing import Any

import dagster as dg
import pandas as pd

from genesis.errors import ConfigError
from genesis_assets.audit_assets import REPORT_HTML, audit_check, audit_metadata
from genesis_assets.config import DatasetConfig, check_columns
from genesis_assets.relational_assets import SCHEMA_STAGE, table_inputs, tables_of
from genesis_resources import ArtifactStore
from genesis_resources.reports import ReportLinks

QUALITY_STAGE = "relational_quality_report"
QUALITY_MD = f"{QUALITY_STAGE}.md"


def synthetic_version(synthetic: dict[str, pd.DataFrame], context: Any) -> dict[str, Any]:
    """The set id and each table's snapshot id of the synthetic tables these inputs hold,
    from the latest materializations (the data versions the synthetic multi-asset set)."""
    snapshots, set_ids = {}, set()
    for name in synthetic:
        key = dg.AssetKey([*context.asset_key.path[:-1], f"synthetic_{name}"])
        event = context.instance.get_latest_materialization_event(key)
        if event is None or event.asset_materialization is None:
            continue
        metadata = event.asset_materialization.metadata
        snapshots[name] = str(getattr(metadata.get("snapshot_id"), "value", ""))
        set_ids.add(str(getattr(metadata.get("set_id"), "value", "")))
    return {"set_id": set_ids.pop() if len(set_ids) == 1 else None, "snapshots": snapshots}


def build_relational_review_assets(
    ds: DatasetConfig,
) -> list[dg.AssetsDefinition | dg.AssetChecksDefinition]:
    """The quality report and the privacy audit (with its blocking check) of ``ds``."""
    prefix = [ds.name]
    schema_in = {SCHEMA_STAGE: dg.AssetIn(key=[*prefix, SCHEMA_STAGE])}
    inputs = {**table_inputs(ds, "raw"), **table_inputs(ds, "synthetic"), **schema_in}

    @dg.asset(
        key=[*prefix, QUALITY_STAGE],
        group_name=ds.name,
        ins=inputs,
        code_version=ds.version_of("seed", "quality_threshold"),
        description="How faithful the synthetic tables are, together: per-table shapes and "
        "trends, child counts per relationship, parent-child correlations, referential "
        "integrity, and how well a classifier tells real from synthetic parent rows joined "
        "with their children's aggregates.",
    )
    def relational_quality_report(
        context: dg.AssetExecutionContext,
        artifact_store: ArtifactStore,
        report_links: ReportLinks,
        relational_schema: dict,
        **frames: pd.DataFrame,
    ) -> dg.Output[dict]:
        from genesis.relational import RelationalSchema
        from genesis_assets.relational_quality_stage import quality_report

        schema = RelationalSchema.from_dict(relational_schema["schema"])
        synthetic = tables_of(frames, "synthetic")
        version = synthetic_version(synthetic, context)
        report, metadata = quality_report(tables_of(frames, "raw"), synthetic, schema, ds.seed)
        markdown = metadata["report"].value
        artifact_store.write_text(ds.name, QUALITY_MD, markdown)
        links = report_links.metadata(artifact_store, ds.name, QUALITY_MD, "report_markdown")
        return dg.Output(
            {**report, **version},  # stamped with the set it scores
            metadata={"set_id": str(version["set_id"]), **metadata, **links},
        )

    @dg.asset_check(
        asset=[*prefix, QUALITY_STAGE],
        name="relational_quality_above_threshold",
        blocking=True,
        description=f"Relational quality score at least {ds.quality_threshold} "
        "(quality_threshold in genesis.yaml).",
    )
    def relational_quality_above_threshold(relational_quality_report: dict) -> dg.AssetCheckResult:
        score = float(relational_quality_report.get("score") or 0.0)
        parts = relational_quality_report.get("parts") or {}
        weakest = min(parts, key=lambda k: parts[k] if parts[k] is not None else 1.0, default=None)
        return dg.AssetCheckResult(
            passed=score >= ds.quality_threshold,
            severity=dg.AssetCheckSeverity.ERROR,
            description=f"score {score:.3f} against the threshold {ds.quality_threshold}"
            + (f"; weakest part: {weakest} ({parts[weakest]:.3f})" if weakest else ""),
            metadata={"score": round(score, 4), "threshold": ds.quality_threshold},
        )

    @dg.asset(
        key=[*prefix, "privacy_audit"],
        group_name=ds.name,
        ins=inputs,
        code_version=ds.version_of(
            "sensitive_columns",
            "quasi_identifiers",
            "privacy_max_risk",
            "seed",
            "holdout_fraction",
        ),  # fmt: skip
        description="Membership inference, attribute inference and re-identification attacks "
        "on the audited root table joined with aggregates of its children, the training "
        "families against the synthetic ones, with held-out families as the control.",
    )
    def privacy_audit(
        context: dg.AssetExecutionContext,
        artifact_store: ArtifactStore,
        report_links: ReportLinks,
        relational_schema: dict,
        **frames: pd.DataFrame,
    ) -> dg.Output[dict]:
        from genesis.privacy_attacks import PrivacyAttackTester
        from genesis.relational import RelationalSchema
        from genesis.relational.flatten import split_by_root, with_child_aggregates

        schema = RelationalSchema.from_dict(relational_schema["schema"])
        root = relational_schema["root"]
        real, synthetic = tables_of(frames, "raw"), tables_of(frames, "synthetic")
        training, holdout = split_by_root(real, schema, root, ds.holdout_fraction, ds.seed)
        held = {**training, **holdout}  # the held-out families, their other parents shared
        audited = {
            "training": with_child_aggregates(training, schema, root),
            "holdout": with_child_aggregates(held, schema, root),
            "synthetic": with_child_aggregates(synthetic, schema, root),
        }
        try:
            check_columns(ds, list(audited["training"].columns))
        except ConfigError as exc:
            raise ConfigError(
                f"{exc} (with 'tables', the audited columns are those of the root table "
                f"{root!r} joined with its children's aggregates)"
            ) from None
        report = PrivacyAttackTester(
            ds.sensitive_columns,
            ds.quasi_identifiers,
            max_risk_level=ds.privacy_max_risk,
            seed=ds.seed,
        ).run_all_attacks(audited["training"], audited["synthetic"], audited["holdout"])
        artifact_store.write_text(ds.name, REPORT_HTML, report.to_html())
        version = synthetic_version(synthetic, context)
        stored = {
            **report.to_dict(),
            "audited_table": root,
            "audited_columns": list(audited["training"].columns),
            "set_id": version["set_id"],
            "snapshot_id": version["snapshots"].get(root),
            "snapshots": version["snapshots"],
        }
        return dg.Output(
            stored,
            metadata={
                "set_id": str(version["set_id"]),
                "snapshot_id": str(version["snapshots"].get(root)),
                "audited_table": root,
                "audited_rows": dg.MetadataValue.json({k: len(v) for k, v in audited.items()}),
                **audit_metadata(stored),
                **report_links.metadata(artifact_store, ds.name, REPORT_HTML, "report_html"),
            },
        )

    @dg.asset_check(
        asset=[*prefix, "privacy_audit"],
        name="privacy_audit_passed",
        blocking=True,
        description=f"Overall privacy risk on the audited root table (with its children's "
        f"aggregates) at most {ds.privacy_max_risk} (privacy_max_risk in genesis.yaml).",
    )
    def privacy_audit_passed(privacy_audit: dict) -> dg.AssetCheckResult:
        return audit_check(privacy_audit)

    return [
        relational_quality_report,
        relational_quality_above_threshold,
        privacy_audit,
        privacy_audit_passed,
    ]
