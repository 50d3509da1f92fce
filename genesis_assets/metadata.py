"""Materialization metadata a person reads in the Dagster UI: previews and schema tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

import dagster as dg

if TYPE_CHECKING:
    import pandas as pd

    from genesis.schema.types import Schema

PREVIEW_ROWS = 10


def preview(df: pd.DataFrame, rows: int = PREVIEW_ROWS) -> dg.MetadataValue:
    """The first ``rows`` rows as a markdown table."""
    return dg.MetadataValue.md(df.head(rows).to_markdown(index=False))


def table_shape(df: pd.DataFrame) -> dict[str, object]:
    """Row and column counts; ``dagster/row_count`` is the key the UI shows beside the asset."""
    return {"dagster/row_count": len(df), "columns": df.shape[1]}


def column_schema(schema: Schema) -> dg.TableSchema:
    """The schema as Dagster's column schema (the asset's "Columns" tab in the UI)."""
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=c.name,
                type=c.kind.value,
                description=_column_note(c),
                constraints=dg.TableColumnConstraints(nullable=c.null_share > 0, unique=c.unique),
            )
            for c in schema.columns
        ]
    )


def schema_markdown(schema: Schema) -> dg.MetadataValue:
    """One row per column: kind, dtype, semantic type, PII flag, null share, distinct values."""
    lines = [
        "| column | kind | dtype | semantic type | PII | null share | distinct |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in schema.columns:
        semantic = c.semantic_type.value if c.semantic_type else ""
        lines.append(
            f"| {c.name} | {c.kind.value} | {c.dtype} | {semantic} | {'yes' if c.pii else ''} "
            f"| {c.null_share:.1%} | {c.cardinality} |"
        )
    return dg.MetadataValue.md("\n".join(lines))


def _column_note(column) -> str:
    parts = [f"dtype {column.dtype}", f"{column.null_share:.1%} null"]
    if column.semantic_type:
        parts.append(f"semantic type {column.semantic_type.value}")
    if column.pii:
        parts.append("PII: replaced by fakes")
    return ", ".join(parts)
