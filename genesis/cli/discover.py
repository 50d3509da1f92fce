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
    from genesis.schema import infer_schema

    schema = infer_schema(read(data))
    text = describe(schema, format=format.value)
    _echo_supports(schema)
    if output is None:
        typer.echo(text)
    else:
        save_text(output, text, "schema")
        typer.echo(f"schema written to {output}", err=True)


def _echo_supports(schema) -> None:
    """One line per numeric column saying what values it takes (on stderr, so the schema on
    stdout stays machine-readable)."""
    lines = [
        f"  {column.name}: {column.support.describe()}"
        for column in schema
        if column.support is not None
    ]
    if lines:
        typer.echo("support (values generated stay on it):", err=True)
        for line in lines:
            typer.echo(line, err=True)


def register(app: typer.Typer) -> None:
    app.command()(discover)
