"""``genesis drift``: compare a table with the one a model was trained on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from genesis.cli.common import (
    EncodingOption,
    SepOption,
    TableReader,
    handles_errors,
    progress,
    save_text,
)


@handles_errors
def drift(
    baseline: Annotated[str, typer.Argument(help="The table a model was trained on.")],
    current: Annotated[str, typer.Argument(help="The table as it is now.")],
    html: Annotated[
        Path | None, typer.Option("--html", help="Write the drift report as HTML here.")
    ] = None,
    encoding: EncodingOption = None,
    sep: SepOption = None,
) -> None:
    """Compare CURRENT with BASELINE column by column and say what drifted."""
    read = TableReader(encoding, sep)
    with progress(3) as step:
        baseline_df, current_df = read.each(step, baseline, current)
        step("testing every column")
        from genesis.drift import DriftDetector

        report = DriftDetector().detect(baseline_df, current_df)
    if html is not None:
        save_text(html, report.to_html(), "drift report")
        typer.echo(f"written to {html}", err=True)
    from genesis.jsonsafe import json_safe

    summary = json_safe(report.to_dict())
    scalars = {k: v for k, v in summary.items() if not isinstance(v, dict | list)}
    typer.echo(json.dumps(scalars))


def register(app: typer.Typer) -> None:
    app.command()(drift)
