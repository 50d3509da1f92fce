"""The relational quality report as asset metadata: headline figures and Markdown."""

from typing import Any

import dagster as dg
import pandas as pd

from genesis.jsonsafe import rounded


def quality_report(
    real: dict[str, pd.DataFrame], synthetic: dict[str, pd.DataFrame], schema: Any, seed: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Score ``synthetic`` against ``real`` with
    :class:`~genesis.relational.quality.RelationalQualityReport`; return the report as a
    dict and its metadata: the score and its parts, per relationship the child-count
    similarity and the integrity, per parent table the detection AUC, and the Markdown."""
    from genesis.relational.quality import RelationalQualityReport

    report = RelationalQualityReport(real, synthetic, schema, seed=seed).evaluate()
    metadata: dict[str, Any] = {"score": rounded(report.score)}
    for name, value in report.parts.items():
        metadata[f"parts/{name}"] = rounded(value)
    for rel in report.relationships:
        label = f"{rel['child']}.{'+'.join(_listed(rel['child_key']))}->{rel['parent']}"
        metadata[f"child_count_similarity/{label}"] = rounded(rel["child_count_similarity"])
        metadata[f"integrity/{label}"] = rounded(rel["integrity"])
    for table, figures in report.detection.items():
        metadata[f"detection_auc/{table}"] = rounded(figures["detection_auc"])
    for table, figures in report.tables.items():
        metadata[f"table_quality/{table}"] = rounded(figures["quality"])
    metadata = {k: v for k, v in metadata.items() if v is not None}
    metadata["report"] = dg.MetadataValue.md(report.to_markdown())
    return report.to_dict(), metadata


def _listed(key: Any) -> list[str]:
    return [key] if isinstance(key, str) else [str(k) for k in key]
