"""``genesis discover``: a table's inferred schema."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from genesis.cli.common import EncodingOption, SepOption, TableReader, handles_errors, save_text


class SchemaFormat(str, Enum):
    yaml = "yaml"
    json = "json"
    python = "python"


@handles_errors
def discover(
    data: Annotated[
        str, typer.Argument(help="Table to describe: CSV, Parquet, JSON Lines, SQL URL.")
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the schema here instead of printing it."),
    ] = None,
    format: Annotated[
        SchemaFormat, typer.Option("--format", "-f", help="Schema format.")
    ] = SchemaFormat.yaml,
    encoding: EncodingOption = None,
    sep: SepOption = None,
) -> None:
    """Infer a table's schema: column kinds, semantic types, PII flags, constraints."""
    read = TableReader(encoding, sep)
    from genesis.schema import discover as describe

    text = describe(read(data), format=format.value)
    if output is None:
        typer.echo(text)
    else:
        save_text(output, text, "schema")
        typer.echo(f"schema written to {output}", err=True)


def register(app: typer.Typer) -> None:
    app.command()(discover)
