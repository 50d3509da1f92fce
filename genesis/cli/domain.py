"""``genesis generate-domain``: a domain's linked tables from its calibrated defaults (no data
needed), one file per table in a folder."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from genesis.cli.common import handles_errors, progress

#: per-domain names for the root table's row count (``--patients`` for healthcare...)
ROOT_OPTIONS = {"patients": "healthcare", "accounts": "finance", "customers": "retail"}
DEFAULT_ROWS = 1_000


class Format(str, Enum):
    """The ``--format`` choices."""

    parquet = "parquet"
    csv = "csv"


def _count(help_text: str, *names: str):
    return Annotated[int | None, typer.Option(*names, min=1, help=help_text)]


def resolve_rows(domain: str, rows: int | None, aliases: dict[str, int | None]) -> int:
    """The root table's row count from ``-n`` or the domain's own option (one at most)."""
    given = {f"--{name}": value for name, value in aliases.items() if value is not None}
    for option in given:
        owner = ROOT_OPTIONS[option[2:]]
        if owner != domain:
            own = [f"--{n}" for n, d in ROOT_OPTIONS.items() if d == domain]
            hint = f"use {' or '.join([*own, '-n'])}" if own else "use -n"
            raise typer.BadParameter(
                f"applies to the {owner} domain, not {domain}; {hint}", param_hint=f"'{option}'"
            )
    if rows is not None:
        given["-n/--rows"] = rows
    if len(given) > 1:
        raise typer.BadParameter(
            f"give the row count once, not as {' and '.join(given)}", param_hint="'-n'"
        )
    return next(iter(given.values()), DEFAULT_ROWS)


@handles_errors
def generate_domain(
    domain: Annotated[
        str, typer.Argument(help="Domain: healthcare, finance or retail (genesis.domains.DOMAINS).")
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to write one file per table into.")
    ],
    rows: _count(f"Rows of the root table (default {DEFAULT_ROWS:,}).", "-n", "--rows") = None,
    patients: _count("healthcare: patients (same as -n).", "--patients") = None,
    accounts: _count("finance: accounts (same as -n).", "--accounts") = None,
    customers: _count("retail: customers (same as -n).", "--customers") = None,
    seed: Annotated[
        int, typer.Option("--seed", "-s", min=0, help="Seed: same seed, same tables.")
    ] = 0,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="File format of the tables.")
    ] = Format.parquet,
) -> None:
    """Write DOMAIN's linked tables (e.g. healthcare: patients, clinical_events, lab_results,
    medications) to OUTPUT, drawn from the domain's calibrated defaults, then check the
    domain's validity rules over every row."""
    aliases = {"patients": patients, "accounts": accounts, "customers": customers}
    from genesis.domains import DOMAINS

    if domain not in DOMAINS:
        raise typer.BadParameter(
            f"unknown domain {domain!r}; choose one of {', '.join(sorted(DOMAINS))}",
            param_hint="'DOMAIN'",
        )
    n = resolve_rows(domain, rows, aliases)
    if output.exists() and not output.is_dir():
        raise typer.BadParameter(f"{output} is a file; give a folder", param_hint="'--output'")
    generator = DOMAINS[domain](seed=seed)
    root = getattr(generator, "root", None) or "root rows"
    names = list(generator.tables)
    from genesis.io import write_table

    with progress(2 + len(names)) as step:
        step(f"generating {n:,} {root} and their linked tables")
        tables = generator.generate(n)
        written = []
        for name, frame in tables.items():
            path = output / f"{name}.{fmt.value}"
            step(f"writing {path}")
            write_table(frame, path, fmt.value)
            written.append((name, len(frame), path))
        step("checking the validity rules over every row")
        broken = generator.violations(tables)
    for name, count, path in written:
        typer.echo(f"wrote {count:,} rows of {name} to {path}", err=True)
    total = sum(count for _, count, _ in written)
    if broken:
        for line in broken:
            typer.echo(f"warning: {line}", err=True)
    else:
        typer.echo(f"validity rules of {domain}: all hold over {total:,} rows", err=True)


def register(app: typer.Typer) -> None:
    app.command("generate-domain")(generate_domain)
