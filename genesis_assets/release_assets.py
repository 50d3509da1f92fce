"""Release stage: ``release``, the one place that closes a synthetic version.

After the quality, privacy and drift stages and their checks, ``release`` writes the
version's lineage chain (source -> schema -> model -> generation -> checks) beside the
Iceberg table, once (see :func:`genesis_resources.iceberg.write_lineage`), and shows the
"can this be shared?" verdict (:func:`genesis.verdict.share_verdict`) where a person looks:
in its own materialization and as an observation of ``synthetic_dataset``, whose page shows
it in the asset's events. Its data version is the snapshot id it released.
"""

from typing import Any

import dagster as dg
import pandas as pd

from genesis.schema.types import Schema
from genesis_assets.config import DatasetConfig
from genesis_assets.keys import stage_inputs
from genesis_resources.iceberg import VersioningResource, snapshot_of, write_lineage

#: the stages a release reads; the checks on them gate it
RELEASE_INPUTS = (
    "synthetic_dataset",
    "inferred_schema",
    "synthesis_model",
    "quality_report",
    "privacy_audit",
    "drift_report",
)


def _latest_metadata(instance: dg.DagsterInstance, key: list[str]) -> dict[str, Any]:
    event = instance.get_latest_materialization_event(dg.AssetKey(key))
    if event is None or event.asset_materialization is None:
        return {}
    materialization = event.asset_materialization
    out = {k: v.value for k, v in materialization.metadata.items()}
    out["dagster/data_version"] = (materialization.tags or {}).get("dagster/data_version")
    return out


def lineage_checks(
    ds: DatasetConfig, quality: dict, privacy: dict, drift: dict
) -> list[dict[str, Any]]:
    """The check blocks of the lineage: what each gate measured and whether it passed."""
    from genesis.verdict import drift_verdict, privacy_verdict, quality_verdict
    from genesis_assets.audit_assets import attacks
    from genesis_assets.quality_assets import SCORES

    q = quality_verdict(quality, ds.quality_threshold)
    p = privacy_verdict(privacy)
    d = drift_verdict(drift)
    return [
        {
            "check": "quality",
            "metrics": {k: quality.get(k) for k in SCORES},
            "passed": bool(q.passed),
            "threshold": ds.quality_threshold,
        },
        {
            "check": "privacy",
            "metrics": {
                **{str(a.get("name")): a.get("risk") for a in attacks(privacy)},
                "verdict": p.text,
            },
            "passed": bool(p.passed),
            "threshold": p.max_level,
        },
        {
            "check": "drift",
            "metrics": {"observed_drift_share": d.observed_share},
            "passed": d.drifted is False,
            "threshold": d.threshold_share,
        },
    ]


def build_release_assets(ds: DatasetConfig) -> list[dg.AssetsDefinition]:
    """The release stage of one dataset."""
    prefix = [ds.name]

    @dg.asset(
        key_prefix=prefix,
        group_name=ds.name,
        ins=stage_inputs(ds.name, *RELEASE_INPUTS),
        code_version=ds.version_of("quality_threshold", "privacy_max_risk", "drift"),
        description=(
            "Closes a synthetic version once its checks ran: writes its lineage chain beside "
            "the Iceberg table (once per version) and states whether it can be shared."
        ),
    )
    def release(
        context: dg.AssetExecutionContext,
        versioning: VersioningResource,
        synthetic_dataset: pd.DataFrame,
        inferred_schema: Schema,
        synthesis_model,
        quality_report: dict,
        privacy_audit: dict,
        drift_report: dict,
    ) -> dg.Output[dict]:
        from genesis.lineage import synthesis_chain
        from genesis.verdict import share_verdict

        snapshot = snapshot_of(synthetic_dataset)
        stale = [
            name
            for name, report in (
                ("quality_report", quality_report),
                ("privacy_audit", privacy_audit),
                ("drift_report", drift_report),
            )
            if str(report.get("snapshot_id")) != snapshot
        ]
        if stale:
            from genesis.errors import InvalidDataError

            raise InvalidDataError(
                f"{', '.join(stale)} of {ds.name!r} describe another synthetic version than "
                f"{snapshot}; materialize them for this version before releasing it"
            )
        commit = versioning.repository(ds.name).get_commit(snapshot)
        source = _latest_metadata(context.instance, [ds.name, "raw_source"])
        model = _latest_metadata(context.instance, [ds.name, "synthesis_model"])
        chain = synthesis_chain(
            source=str(source.get("dagster/data_version") or "unknown"),
            source_name=f"{ds.name}/raw_source ({ds.display_source})",
            schema=inferred_schema,
            model=synthesis_model,
            synthetic=synthetic_dataset,
            generation_params={
                **{k: commit.metadata.get(k) for k in ("seed", "rows")},
                # every fit-and-audit attempt of an opt-in privacy retry, when there was one
                **({"privacy_retry": model["privacy_retry"]} if "privacy_retry" in model else {}),
            },
            mlflow_run_id=model.get("mlflow_run_id"),
            checks=lineage_checks(ds, quality_report, privacy_audit, drift_report),
        )
        path, lineage_hash = write_lineage(versioning, ds.name, snapshot, chain)
        verdict = share_verdict(
            quality_report,
            privacy_audit,
            drift_report,
            quality_threshold=ds.quality_threshold,
            snapshot_id=snapshot,
            model_uri=model.get("model_uri") or None,
            lineage_hash=lineage_hash,
        )
        shown = {
            "verdict": dg.MetadataValue.md(verdict.to_markdown()),
            "shareable": "not decided" if verdict.shareable is None else verdict.shareable,
            "headline": verdict.headline,
            "snapshot_id": snapshot,
            "lineage_hash": lineage_hash,
            "lineage": dg.MetadataValue.path(path),
            "verdict_json": dg.MetadataValue.json(verdict.to_dict()),
        }
        context.log_event(
            dg.AssetObservation(
                asset_key=dg.AssetKey([*prefix, "synthetic_dataset"]), metadata=shown
            )
        )
        return dg.Output(
            {
                "verdict": verdict.to_dict(),
                "lineage": path,
                "snapshot_id": snapshot,
                # the method that made the rows (auto: the winner), for the dashboard's title
                "method": str(getattr(synthesis_model, "method", ds.method)),
            },
            data_version=dg.DataVersion(snapshot),
            metadata=shown,
        )

    return [release]
