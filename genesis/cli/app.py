"""The ``genesis`` Typer application, assembled from one module per command group.

Each module named in :data:`COMMAND_MODULES` defines ``register(app)``, which adds its
commands; adding a command group is one more name in that tuple. Expected errors print one
line, ``error: <what went wrong and how to fix it>``, on stderr and exit with status 1;
usage errors (an unknown option, a bad value) exit with status 2; an unexpected error (a
bug) prints one line and exits with status 3 (``GENESIS_DEBUG=1`` shows its traceback).
"""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

#: the modules whose ``register(app)`` adds commands, in the order ``--help`` lists them
COMMAND_MODULES = (
    "genesis.cli.discover",
    "genesis.cli.generate",
    "genesis.cli.domain",
    "genesis.cli.stream",
    "genesis.cli.augment",
    "genesis.cli.evaluate",
    "genesis.cli.audit",
    "genesis.cli.drift",
    "genesis.cli.dashboard",
    "genesis.cli.version",
    "genesis.cli.reports",
    "genesis.cli.chat",
    "genesis.cli.serve",
)

HELP = "Synthetic twins of sensitive tables: discover, generate, evaluate, audit, compare."


def _print_version(value: bool) -> None:
    if value:
        from genesis import __version__

        typer.echo(f"genesis {__version__}")
        raise typer.Exit()


def build_app(modules: tuple[str, ...] = COMMAND_MODULES) -> typer.Typer:
    """A fresh ``genesis`` application with the commands of ``modules``."""
    application = typer.Typer(
        name="genesis",
        help=HELP,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @application.callback()
    def main(
        show_version: Annotated[
            bool,
            typer.Option(
                "--version",
                callback=_print_version,
                is_eager=True,
                help="Print the version and exit.",
            ),
        ] = False,
    ) -> None:
        """Synthetic twins of sensitive tables: discover, generate, evaluate, audit, compare."""

    for name in modules:
        importlib.import_module(name).register(application)
    return application


app = build_app()
