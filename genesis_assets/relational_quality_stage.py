"""The relational quality report as asset metadata: headline figures and Markdown."""

from __future__ import annotations

from typing import Any

import dagster as dg
import pandas as pd

from genesis.jsonsafe import json_safe, rounded


def quality_report(
    real: dict[str, pd.DataFrame],
    synthetic: dict[str, pd.DataFrame],
    schema: Any,
    seed: int,
) -> tuple[dict[str, Any], dict[str, Any], str | None]:
    """Score ``synthetic`` against ``real``; return the report as a dict, its metadata
    (headline figures, Markdown) and its HTML page (None when the report has none)."""
    from genesis.relational.quality import RelationalQualityReport

    report = RelationalQualityReport(real, synthetic, schema, seed=seed)
    stored = json_safe(report.to_dict())
    metadata: dict[str, Any] = {}
    for name, value in stored.items():
        number = rounded(value) if isinstance(value, int | float) else None
        if number is not None and not isinstance(value, bool):
            metadata[name] = number
    markdown = getattr(report, "to_markdown", None)
    if callable(markdown):
        metadata["report"] = dg.MetadataValue.md(markdown())
    html = getattr(report, "to_html", None)
    return stored, metadata, html() if callable(html) else None
