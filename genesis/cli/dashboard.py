"""``genesis dashboard``: the HTML quality report, or the live dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from genesis.cli.common import (
    EncodingOption,
    HoldoutOption,
    RealArgument,
    SepOption,
    SyntheticArgument,
    TableReader,
    TargetOption,
    handles_errors,
    progress,
)


@handles_errors
def dashboard(
    real: RealArgument,
    synthetic: SyntheticArgument,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where to write the HTML report.")
    ] = Path("quality_report.html"),
    target: TargetOption = None,
    holdout: HoldoutOption = None,
    name: Annotated[str, typer.Option("--name", help="Report title.")] = "Quality Report",
    pdf: Annotated[
        Path | None,
        typer.Option("--pdf", help="Also render the report to PDF here (needs Chromium)."),
    ] = None,
    serve: Annotated[
        bool,
        typer.Option("--serve", help="Serve the interactive dashboard instead of writing a file."),
    ] = False,
    host: Annotated[str, typer.Option("--host", help="Interface to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to serve on.")] = 8050,
    encoding: EncodingOption = None,
    sep: SepOption = None,
) -> None:
    """Write a self-contained HTML quality report, or serve the live dashboard (--serve)."""
    read = TableReader(encoding, sep)
    if serve:
        _serve(read(real), read(synthetic), host, port)
        return
    with progress(3 + (holdout is not None) + (pdf is not None)) as step:
        real_df, synth_df, holdout_df = read.each(step, real, synthetic, holdout)
        from genesis.dashboard import QualityDashboard

        step("computing figures")
        board = QualityDashboard(real_df, synth_df, name=name, target=target, holdout=holdout_df)
        board.save_report(output)
        if pdf is not None:
            step(f"rendering {pdf}")
            board.save_pdf(pdf)
    verdict = board.compute_metrics()["verdict"]["text"]
    typer.echo(
        f"report written to {output}" + (f" and {pdf}" if pdf else "") + f"; verdict: {verdict}"
    )


def _serve(real_df, synth_df, host: str, port: int) -> None:
    from genesis.dashboard import InteractiveDashboard

    live = InteractiveDashboard(real_df, synth_df, host=host, port=port)
    typer.echo(f"serving on {live.url} (Ctrl+C to stop)", err=True)
    try:
        live.run()
    except KeyboardInterrupt:  # the normal way to stop a server: no error
        typer.echo("stopped", err=True)


def register(app: typer.Typer) -> None:
    app.command()(dashboard)
