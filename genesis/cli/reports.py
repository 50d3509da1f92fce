"""``genesis serve-reports``: the HTML reports under an artifact root, over http on loopback."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Annotated

import typer

from genesis.cli.common import handles_errors


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@handles_errors
def serve_reports(
    root: Annotated[
        Path,
        typer.Option(
            "--root",
            help="Artifact root holding the reports (storage.root of genesis.yaml).",
        ),
    ] = Path(".genesis/artifacts"),
    host: Annotated[
        str, typer.Option("--host", help="Loopback address to listen on (no other is accepted).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8765,
) -> None:
    """Serve the reports (privacy audit, drift, dashboards) so the Dagster UI links open."""
    from genesis.reports_server import ReportServer

    server = ReportServer(root, host=host, port=port)
    # SIGTERM (make ui stopping its process group) ends the loop as Ctrl-C does
    signal.signal(signal.SIGTERM, _interrupt)
    typer.echo(f"serving the reports under {server.root} at {server.url}/", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        typer.echo("report server stopped", err=True)


def register(app: typer.Typer) -> None:
    app.command("serve-reports")(serve_reports)
