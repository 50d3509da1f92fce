"""Plumbing every command shares: error handling, progress, reading inputs, writing reports,
and the options several commands take.

Only the standard library and Typer load here at import time, so ``genesis --help`` stays
instant; pandas and the library load inside the commands.
"""

from __future__ import annotations

import functools
import os
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from genesis.cli.messages import DEBUG_VARIABLE, explain

# --- errors -------------------------------------------------------------------------------


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``error: message`` on stderr and return the exit to raise (status 1)."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=code)


def handles_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn any exception a command raises into one line on stderr and an exit status.

    See :func:`genesis.cli.messages.explain` for the messages; ``GENESIS_DEBUG=1`` shows the
    traceback as well.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # exits and usage errors (status 2) are Click's to report
        except (Exception, KeyboardInterrupt) as exc:
            if os.environ.get(DEBUG_VARIABLE):
                traceback.print_exc()
            message, code = explain(exc)
            raise fail(message, code) from None

    return wrapper


# --- progress and consoles ----------------------------------------------------------------


def stdout():
    """A Rich console on stdout."""
    from rich.console import Console

    return Console()


def stderr():
    """A Rich console on stderr."""
    from rich.console import Console

    return Console(stderr=True)


@contextmanager
def progress(total: int) -> Iterator[Callable[[str], None]]:
    """A Rich progress bar over ``total`` steps on stderr; yields ``step(description)``.

    ``step`` completes the previous step and shows the next one's description; the bar ends
    complete when the block exits normally.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=stderr(), transient=False) as bar:
        task = bar.add_task("starting", total=total)
        started = [False]

        def step(description: str) -> None:
            if started[0]:
                bar.advance(task)
            started[0] = True
            bar.update(task, description=description)

        yield step
        bar.update(task, completed=total, description="done")


@contextmanager
def rows_progress(total: int) -> Iterator[Callable[[int], None]]:
    """A Rich progress bar over ``total`` rows on stderr, with rows/s; yields
    ``advance(rows)``."""
    import time

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("generating"),
        BarColumn(),
        TextColumn("{task.completed:,.0f}/{task.total:,.0f} rows"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
    )
    started = time.perf_counter()
    with Progress(*columns, console=stderr(), transient=False) as bar:
        task = bar.add_task("rows", total=total, rate="")
        done = [0]

        def advance(rows: int) -> None:
            done[0] += rows
            rate = done[0] / max(time.perf_counter() - started, 1e-9)
            bar.update(task, advance=rows, rate=f"{rate:,.0f} rows/s")

        yield advance


# --- reading tables -----------------------------------------------------------------------

EncodingOption = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        help="Text encoding of CSV and JSON inputs, e.g. latin-1 (default: utf-8).",
    ),
]
SepOption = Annotated[
    str | None,
    typer.Option(
        "--sep",
        help="Field separator of CSV inputs, e.g. ';' or '\\t' (default: ',', tab for .tsv).",
    ),
]


class TableReader:
    """Reads a command's input tables with the command's ``--encoding`` and ``--sep``.

    Both apply to text inputs only (``--sep`` to CSV, ``--encoding`` to CSV and JSON); a
    Parquet file or SQL source in the same command is read as it is.
    """

    def __init__(self, encoding: str | None = None, sep: str | None = None) -> None:
        if sep is not None:
            sep = sep.encode("utf-8").decode("unicode_escape") if "\\" in sep else sep
            if not sep:
                raise typer.BadParameter("must not be empty", param_hint="'--sep'")
        if encoding is not None:
            import codecs

            try:
                codecs.lookup(encoding)
            except LookupError:
                raise typer.BadParameter(
                    f"unknown encoding {encoding!r}; use e.g. utf-8, latin-1 or cp1252",
                    param_hint="'--encoding'",
                ) from None
        self.encoding = encoding
        self.sep = sep

    def options(self, source: str) -> dict[str, Any]:
        """The reader options that apply to ``source``."""
        from genesis.io import detect_format

        try:
            fmt = detect_format(source)
        except Exception:  # an unknown format: read_table gives the message
            return {}
        options: dict[str, Any] = {}
        if fmt in ("csv", "json", "jsonl") and self.encoding is not None:
            options["encoding"] = self.encoding
        if fmt == "csv" and self.sep is not None:
            options["sep"] = self.sep
        return options

    def __call__(self, source: str):
        """The table at ``source`` (a path, fsspec URL or SQLAlchemy URL)."""
        from genesis.errors import UnparseableSourceError
        from genesis.io import read_table

        try:
            return read_table(source, **self.options(source))
        except UnparseableSourceError as exc:
            raise UnparseableSourceError(_cli_hint(str(exc))) from None

    def each(self, step: Callable[[str], None], *sources: str | None) -> list[Any]:
        """Each source's table (None for a source not given), one progress step per read."""
        frames = []
        for source in sources:
            if source is not None:
                step(f"reading {source}")
            frames.append(None if source is None else self(source))
        return frames


def _cli_hint(message: str) -> str:
    """The library's advice spelled as this CLI's options."""
    text = message.replace("pass sep=", "pass --sep").replace("pass encoding=", "pass --encoding")
    if text == message and ("sep=" in message or "encoding=" in message):
        text += " (on the command line: --sep and --encoding)"
    return text


def columns(value: str | None) -> list[str] | None:
    """A comma-separated list of column names, or None."""
    if value is None:
        return None
    names = [c.strip() for c in value.split(",") if c.strip()]
    return names or None


# --- writing reports ----------------------------------------------------------------------


def save_text(path: Path, text: str, what: str) -> None:
    """Write a report atomically (``what`` names it in error messages)."""
    from genesis.io import write_bytes_atomic

    write_bytes_atomic(path, text, what=what)


# --- arguments and options shared by several commands ---------------------------------------

RealArgument = Annotated[str, typer.Argument(help="Real table.")]
SyntheticArgument = Annotated[str, typer.Argument(help="Synthetic table.")]
TargetOption = Annotated[
    str | None, typer.Option("--target", "-t", help="Column to predict for ML utility.")
]
HoldoutOption = Annotated[
    str | None, typer.Option("--holdout", help="Real rows the generator never saw.")
]


# --- synthetic tables written by generate and augment ----------------------------------------

#: file endings a command can write synthetic rows to
OUTPUT_SUFFIXES = (".csv", ".parquet", ".pq", ".jsonl", ".ndjson")


class Method(str, Enum):
    """The ``--method`` choices (genesis.generators.ALL_METHODS, spelt out so ``--help`` stays
    instant)."""

    auto = "auto"
    gaussian_copula = "gaussian_copula"
    cart = "cart"
    ctgan = "ctgan"
    tvae = "tvae"


def check_output_format(output: str) -> None:
    """Refuse an ``--output`` whose ending names no format the commands write."""
    if not output.lower().endswith(OUTPUT_SUFFIXES):
        raise typer.BadParameter(
            f"cannot tell the format of {output!r}; end it with .csv, .parquet or .jsonl",
            param_hint="'--output'",
        )
