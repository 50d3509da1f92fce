"""After the federated model: the synthetic table, and each site's quality and privacy.

``synthetic_dataset`` draws from the aggregated copula (a ``site`` column says which site
each row imitates); ``site_quality`` and ``site_privacy`` are partitioned by site and run
inside the site's partition, comparing that site's synthetic rows with its own holdout (its
rows never leave the partition; only the scores are stored); ``federated_dashboard`` puts a
section per site side by side.
"""

import dagster as dg
import pandas as pd

from genesis.federated.support import SITE_COLUMN
from genesis.jsonsafe import finite
from genesis_assets.config import DatasetConfig
from genesis_assets.federated_assets import FEDERATED_TAGS, site_names, site_partitions
from genesis_assets.federated_sites import read_message, site_rows, write_message
from genesis_assets.metadata import preview, table_shape
from genesis_resources import ArtifactStore


def site_synthetic(synthetic: pd.DataFrame, site: str) -> pd.DataFrame:
    """The synthetic rows imitating ``site``, without the ``site`` column."""
    rows = synthetic[synthetic[SITE_COLUMN] == site]
    return rows.drop(columns=[SITE_COLUMN]).reset_index(drop=True)


def build_federated_review_assets(ds: DatasetConfig) -> list[dg.AssetsDefinition]:
    prefix = [ds.name]
    partitions = site_partitions(ds)

    @dg.asset(
        key=[*prefix, "synthetic_dataset"],
        group_name=ds.name,
        tags=FEDERATED_TAGS,
        ins={"synthesis_model": dg.AssetIn(key=[*prefix, "synthesis_model"])},
        code_version=ds.version_of("rows", "seed"),
        description="Synthetic rows from the federated model, sites mixed in proportion to "
        "their rows; the 'site' column names the site each row imitates.",
    )
    def synthetic_dataset(
        artifact_store: ArtifactStore, synthesis_model
    ) -> dg.Output[pd.DataFrame]:
        n = ds.rows or int(read_message(artifact_store, ds, "model")["total_samples"])
        df = synthesis_model.generate(n, seed=ds.seed)
        counts = df[SITE_COLUMN].value_counts().to_dict()
        return dg.Output(
            df,
            metadata={**table_shape(df), "site_rows": dg.MetadataValue.json(
                {str(k): int(v) for k, v in counts.items()}), "preview": preview(df)},
        )  # fmt: skip

    @dg.asset(
        key=[*prefix, "site_quality"],
        group_name=ds.name,
        tags=FEDERATED_TAGS,
        partitions_def=partitions,
        ins={"synthetic_dataset": dg.AssetIn(key=[*prefix, "synthetic_dataset"])},
        description="Each site's holdout against the synthetic rows imitating that site "
        "(QualityEvaluator), computed inside the site's partition: scores only.",
    )
    def site_quality(
        context: dg.AssetExecutionContext, artifact_store: ArtifactStore,
        synthetic_dataset: pd.DataFrame,
    ) -> dg.MaterializeResult:  # fmt: skip
        from genesis.quality import QualityEvaluator

        site = context.partition_key
        _, holdout = site_rows(ds, site)
        synthetic = site_synthetic(synthetic_dataset, site)
        report = QualityEvaluator(holdout, synthetic, target=ds.target, seed=ds.seed).evaluate()
        tstr = (report.ml_utility or {}).get("tstr") if ds.target else None
        summary = {"site": site, "holdout_rows": len(holdout), "synthetic_rows": len(synthetic),
                   "quality_score": finite(report.quality_score), "tstr": finite(tstr)}  # fmt: skip
        write_message(artifact_store, ds, f"quality/{site}", summary)
        return dg.MaterializeResult(metadata=summary)

    @dg.asset(
        key=[*prefix, "site_privacy"],
        group_name=ds.name,
        tags=FEDERATED_TAGS,
        partitions_def=partitions,
        ins={"synthetic_dataset": dg.AssetIn(key=[*prefix, "synthetic_dataset"])},
        description="Each site's privacy audit (membership, attribute inference, "
        "re-identification) of the synthetic rows imitating it, its training rows against "
        "its holdout, inside the site's partition: the verdict and risks only.",
    )
    def site_privacy(
        context: dg.AssetExecutionContext, artifact_store: ArtifactStore,
        synthetic_dataset: pd.DataFrame,
    ) -> dg.MaterializeResult:  # fmt: skip
        from genesis.privacy_attacks import PrivacyAttackTester
        from genesis.verdict import privacy_verdict
        from genesis_assets.audit_assets import attack_table

        site = context.partition_key
        training, holdout = site_rows(ds, site)
        report = PrivacyAttackTester(
            ds.sensitive_columns, ds.quasi_identifiers,
            max_risk_level=ds.privacy_max_risk, seed=ds.seed,
        ).run_all_attacks(training, site_synthetic(synthetic_dataset, site), holdout)  # fmt: skip
        stored = report.to_dict()
        verdict = privacy_verdict(stored)
        summary = {"site": site, "overall_risk": str(verdict.level),
                   "passed": bool(verdict.passed), "verdict": str(verdict.max_level),
                   "attacks": attack_table(stored)}  # fmt: skip
        write_message(artifact_store, ds, f"privacy/{site}", summary)
        return dg.MaterializeResult(
            metadata={
                **{k: v for k, v in summary.items() if k != "attacks"},
                "attacks": dg.MetadataValue.md(summary["attacks"]),
            }  # fmt: skip
        )

    @dg.asset(
        key=[*prefix, "federated_dashboard"],
        group_name=ds.name,
        tags=FEDERATED_TAGS,
        deps=[dg.AssetKey([*prefix, "site_quality"]), dg.AssetKey([*prefix, "site_privacy"])],
        description="One section per site: its quality against its holdout and its privacy "
        "audit, beside the federation's privacy budget.",
    )
    def federated_dashboard(artifact_store: ArtifactStore) -> dg.MaterializeResult:
        lines = [f"# {ds.name}: federated synthesis", ""]
        cfg = ds.federated
        lines.append(f"Secure aggregation: {cfg.secure if cfg else True}; epsilon: "
                     f"{cfg.epsilon if cfg and cfg.epsilon else 'none (no DP noise)'}")  # fmt: skip
        sections = {}
        for site in site_names(ds):
            quality = read_message(artifact_store, ds, f"quality/{site}")
            privacy = read_message(artifact_store, ds, f"privacy/{site}")
            sections[site] = {**quality, **{k: privacy[k] for k in ("overall_risk", "passed")}}
            lines += ["", f"## Site {site}", "",
                      f"- quality vs its holdout ({quality['holdout_rows']} rows): "
                      f"{quality['quality_score']}; TSTR: {quality['tstr']}",
                      f"- privacy: {'passed' if privacy['passed'] else 'FAILED'} (risk "
                      f"{privacy['overall_risk']}, limit {privacy['verdict']})",
                      "", privacy["attacks"]]  # fmt: skip
        text = "\n".join(lines) + "\n"
        path = artifact_store.write_bytes(ds.name, "federated_dashboard.md", text.encode())
        return dg.MaterializeResult(
            metadata={
                "dashboard": dg.MetadataValue.md(text),
                "path": dg.MetadataValue.path(path),
                "sites": dg.MetadataValue.json(sections),
            }  # fmt: skip
        )

    return [synthetic_dataset, site_quality, site_privacy, federated_dashboard]
