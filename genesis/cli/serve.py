"""``genesis serve``: the REST API (:mod:`genesis.api`) with uvicorn.

Models come from the Dagster instance in ``$DAGSTER_HOME`` (each dataset's latest
``synthesis_model``, through :class:`genesis_assets.model_store.DagsterModelStore`); without
``DAGSTER_HOME``, or without Dagster installed, from the model files under the storage root
of the configuration.
"""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path
from typing import Annotated

import typer

from genesis.cli.common import fail, handles_errors


def _default_config() -> Path:
    return Path(os.environ.get("GENESIS_CONFIG") or "genesis.yaml")


def _check_port(host: str, port: int) -> None:
    """Fail with the fix when the address is taken (before the models load)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise fail(
                f"cannot listen on {host}:{port} ({exc.strerror}); choose another --port or "
                "stop the program using it"
            ) from None


def _locator(config_path: Path, stack: contextlib.ExitStack):
    """The Dagster instance's model store, or None (the library's file locator) when
    ``DAGSTER_HOME`` is not set or Dagster is not installed."""
    if not os.environ.get("DAGSTER_HOME"):
        typer.echo(
            "DAGSTER_HOME is not set: serving the model files under the configuration's "
            "storage root (set DAGSTER_HOME to serve the instance's latest materializations)",
            err=True,
        )
        return None
    try:
        from genesis_assets.model_store import open_model_store
    except ImportError:
        typer.echo(
            "Dagster is not installed: serving the model files under the storage root",
            err=True,
        )
        return None
    return open_model_store(config_path, stack)  # the whole file validated first


@handles_errors
def serve(
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="genesis.yaml listing the datasets (default: $GENESIS_CONFIG, else "
            "./genesis.yaml).",
            show_default=False,
        ),
    ] = None,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on; anything but 127.0.0.1 needs GENESIS_API_TOKENS.",
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8000,
    log_level: Annotated[
        str, typer.Option("--log-level", help="debug, info, warning or error.")
    ] = "info",
) -> None:
    """Serve the REST API: generation by conditions or in plain language, jobs, evaluation.
    Docs at http://HOST:PORT/docs."""
    import logging

    try:
        import uvicorn
    except ImportError as exc:
        from genesis.errors import missing_dependency

        raise missing_dependency("uvicorn", "genesis serve") from exc
    from genesis.api import ApiSettings, check_bind, create_app

    settings = ApiSettings.from_env()
    check_bind(host, settings)
    config_path = config or _default_config()
    _check_port(host, port)
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    with contextlib.ExitStack() as stack:
        app = create_app(config_path, settings, locator=_locator(config_path, stack))
        auth = f"{len(settings.tokens)} token(s)" if settings.tokens else "no token (loopback)"
        typer.echo(f"Genesis API on http://{host}:{port} ({auth}); docs at /docs", err=True)
        uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)


def register(app: typer.Typer) -> None:
    app.command()(serve)
