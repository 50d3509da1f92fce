"""``genesis generate-domain``: a domain's linked tables from its calibrated defaults (no data
needed), one file per table in a folder."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from genesis.cli.common import handles_errors, progress

#: per-domain row options: option name -> {domain: the table whose rows it counts}
ROW_OPTIONS: dict[str, dict[str, str]] = {
    "patients": {"healthcare": "patients"},
    "accounts": {"finance": "accounts"},
    "customers": {"retail": "customers", "finance": "customers"},
}
DEFAULT_ROWS = 1_000
#: root rows of the pilot run that measures how many rows of another table one root row brings
PILOT_ROWS = 500


class Format(str, Enum):
    """The ``--format`` choices."""

    parquet = "parquet"
    csv = "csv"


def _count(help_text: str, *names: str):
    return Annotated[int | None, typer.Option(*names, min=1, help=help_text)]


def requested_rows(
    domain: str, rows: int | None, aliases: dict[str, int | None]
) -> tuple[str | None, int]:
    """(the table a per-domain option counts, or None for the root; its rows) from ``-n`` or
    the domain's own option (one at most)."""
    given: dict[str, tuple[str | None, int]] = {}
    for name, value in aliases.items():
        if value is None:
            continue
        if domain not in ROW_OPTIONS[name]:
            owners = " and ".join(ROW_OPTIONS[name]) + " domain"
            owners += "s" if len(ROW_OPTIONS[name]) > 1 else ""
            own = [f"--{n}" for n, tables in ROW_OPTIONS.items() if domain in tables]
            raise typer.BadParameter(
                f"applies to the {owners}, not {domain}; use {' or '.join([*own, '-n'])}",
                param_hint=f"'--{name}'",
            )
        given[f"--{name}"] = (ROW_OPTIONS[name][domain], value)
    if rows is not None:
        given["-n/--rows"] = (None, rows)
    if len(given) > 1:
        raise typer.BadParameter(
            f"give the row count once, not as {' and '.join(given)}", param_hint="'-n'"
        )
    return next(iter(given.values()), (None, DEFAULT_ROWS))


def root_rows(generator, table: str | None, n: int) -> int:
    """The root rows to generate so that ``table`` gets about ``n`` rows: ``n`` itself when
    ``table`` is the root, else scaled by a seeded pilot run of :data:`PILOT_ROWS` roots."""
    root = getattr(generator, "root", None) or next(iter(generator.tables), None)
    if table is None or table == root:
        return n
    pilot = generator.generate(PILOT_ROWS)
    per_root = len(pilot[table]) / PILOT_ROWS
    return max(1, round(n / per_root)) if per_root > 0 else n


@handles_errors
def generate_domain(
    domain: Annotated[
        str, typer.Argument(help="Domain: healthcare, finance or retail (genesis.domains.DOMAINS).")
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to write one file per table into.")
    ],
    rows: _count(
        f"Rows of the domain's root table: patients, customers (default {DEFAULT_ROWS:,}).",
        "-n",
        "--rows",
    ) = None,
    patients: _count("healthcare: patients (same as -n).", "--patients") = None,
    accounts: _count(
        "finance: about this many accounts (customers to match).", "--accounts"
    ) = None,
    customers: _count("retail, finance: customers (same as -n).", "--customers") = None,
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
    table, wanted = requested_rows(domain, rows, aliases)
    if output.exists() and not output.is_dir():
        raise typer.BadParameter(f"{output} is a file; give a folder", param_hint="'--output'")
    generator = DOMAINS[domain](seed=seed)
    root = getattr(generator, "root", None) or next(iter(generator.tables), "root rows")
    names = list(generator.tables)
    from genesis.io import write_table

    pilot = table is not None and table != root
    with progress(2 + len(names) + pilot) as step:
        if pilot:
            step(f"measuring {table} per {root} on {PILOT_ROWS} {root}")
        n = root_rows(generator, table, wanted)
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
