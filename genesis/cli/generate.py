"""``genesis generate``: fit a synthesizer on a table and write synthetic rows; on a folder of
tables linked by keys, see :mod:`genesis.cli.relational`."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Annotated

import typer

from genesis.cli.common import (
    OUTPUT_SUFFIXES,
    EncodingOption,
    Method,
    SepOption,
    TableReader,
    handles_errors,
    progress,
    rows_progress,
)


@handles_errors
def generate(
    data: Annotated[
        str,
        typer.Argument(
            help="Real table to learn, or a folder of tables linked by keys (one CSV, Parquet "
            "or JSON Lines file per table, named after the table)."
        ),
    ],
    output: Annotated[
        str,
        typer.Option(
            "--output",
            "-o",
            help="Where to write the rows: .csv, .parquet or .jsonl; a folder or s3:// prefix "
            "for one Parquet file per chunk and a manifest; for a folder of tables, the "
            "folder to write them into.",
        ),
    ],
    n: Annotated[
        int | None,
        typer.Option("-n", "--rows", min=1, help="Rows to generate (one table; at least 1)."),
    ] = None,
    method: Annotated[
        Method, typer.Option("--method", "-m", help="Synthesis method.")
    ] = Method.cart,
    seed: Annotated[
        int, typer.Option("--seed", "-s", min=0, help="Seed: same seed, same rows.")
    ] = 0,
    time_budget: Annotated[
        float | None,
        typer.Option(
            "--time-budget", min=1, help="Seconds AutoML may spend choosing (method auto only)."
        ),
    ] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(
            "--where",
            "-w",
            help=(
                "Only rows meeting this condition (repeatable, all must hold): "
                "'age>=50', 'state in CA,NY', 'state not in TX', 'age between 30 and 40', "
                "'name like A%'; operators = == != > >= < <=."
            ),
        ),
    ] = None,
    save_model: Annotated[
        Path | None, typer.Option("--save-model", help="Also save the fitted model here.")
    ] = None,
    relationships: Annotated[
        Path | None,
        typer.Option(
            "--relationships",
            help="Folder of tables: rel.yaml declaring the foreign keys (inferred and printed "
            "when omitted).",
        ),
    ] = None,
    scale: Annotated[
        float | None,
        typer.Option(
            "--scale",
            help="Folder of tables: rows of each table as a "
            "multiple of the real ones (default 1.0).",
        ),
    ] = None,
    chunk_rows: Annotated[
        int | None,
        typer.Option(
            "--chunk-rows",
            min=1,
            help="Rows per chunk: generate chunk by chunk (memory bounded by a chunk) into a "
            "folder or s3:// prefix of Parquet files, or into one .parquet file "
            "(default 1,000,000 when OUTPUT is a folder).",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", min=1, help="Chunked output: worker processes (same bytes for any number)."
        ),
    ] = 1,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite", help="Chunked output: replace another plan's output in OUTPUT."
        ),
    ] = False,
    encoding: EncodingOption = None,
    sep: SepOption = None,
) -> None:
    """Fit a synthesizer on DATA and write N synthetic rows to OUTPUT (with --where, N rows
    that all meet the conditions). When DATA is a folder of tables linked by keys, synthesise
    them together and write one file per table into the folder OUTPUT."""
    if Path(data).is_dir():
        _generate_tables(data, output, method, seed, scale, relationships, save_model,
                         read=TableReader(encoding, sep), single={"-n": n, "--where": where,
                         "--time-budget": time_budget})  # fmt: skip
        return
    for option, value in (("--relationships", relationships), ("--scale", scale)):
        if value is not None:
            raise typer.BadParameter("only applies when DATA is a folder of tables",
                                     param_hint=f"'{option}'")  # fmt: skip
    if n is None:
        raise typer.BadParameter("give the number of rows to generate", param_hint="'-n'")
    chunked = _is_chunked(output, chunk_rows, workers, overwrite)
    if time_budget is not None and method is not Method.auto:
        raise typer.BadParameter("only applies to --method auto", param_hint="'--time-budget'")
    if where:
        from genesis.generators.conditional_parse import parse_conditions

        parse_conditions(where)  # a malformed --where fails before the fit
    read = TableReader(encoding, sep)
    with progress(4 + (save_model is not None)) as step:
        step(f"reading {data}")
        df = read(data)
        from genesis.generators import SyntheticGenerator
        from genesis.io import write_table

        step(f"fitting {method.value} on {len(df):,} rows")
        params = {"time_budget": time_budget} if time_budget is not None else {}
        model = SyntheticGenerator(method.value, seed=seed, **params).fit(df)
        conditions = None
        if where:
            from genesis.generators.conditional_parse import parse_conditions

            conditions = parse_conditions(where, model.schema_)
        if save_model is not None:
            step(f"saving the model to {save_model}")
            model.save(str(save_model))
        if chunked:
            step(f"generating {n:,} rows to {output} in chunks")
        else:
            step(f"generating {n:,} rows" + (f" where {conditions}" if conditions else ""))
            synthetic = model.generate(n, seed=seed, conditions=conditions)
            step(f"writing {output}")
            write_table(synthetic, output, schema=model.schema_)
    if chunked:
        _generate_chunked(model, output, n, chunk_rows, seed, conditions, workers, overwrite)
        return
    typer.echo(
        f"wrote {len(synthetic):,} rows to {output} (method {model.method}, "
        f"fit {model.fit_seconds_:.1f} s)",
        err=True,
    )


def _is_chunked(output: str, chunk_rows: int | None, workers: int, overwrite: bool) -> bool:
    """Whether OUTPUT gets chunked generation: a folder or prefix (no file ending, or an
    existing folder), or a .parquet file with --chunk-rows."""
    suffix = output.lower()
    if not suffix.endswith(OUTPUT_SUFFIXES):
        if output.endswith("/") or not PurePosixPath(output).suffix or Path(output).is_dir():
            return True
        raise typer.BadParameter(
            f"cannot tell the format of {output!r}; end it with .csv, .parquet or .jsonl, or "
            "give a folder or s3:// prefix (no file ending) for one Parquet file per chunk",
            param_hint="'--output'",
        )
    options = {"--chunk-rows": chunk_rows, "--workers": workers > 1, "--overwrite": overwrite}
    given = [name for name, value in options.items() if value]
    if not given:
        return False
    if suffix.endswith(".parquet") and given == ["--chunk-rows"]:
        return True
    raise typer.BadParameter(
        "chunked output is Parquet: give a folder or s3:// prefix (one file per chunk), or a "
        ".parquet file with --chunk-rows alone",
        param_hint=f"'{given[0]}'",
    )


def _generate_chunked(model, output, n, chunk_rows, seed, conditions, workers, overwrite) -> None:
    """Write N rows chunk by chunk with a progress bar of rows and rows/s."""
    from genesis.generators.chunked import CHUNK_ROWS

    chunk_rows = CHUNK_ROWS if chunk_rows is None else chunk_rows
    if output.lower().endswith(".parquet"):
        path = model.generate_to(output, n, chunk_rows, seed, conditions)
        typer.echo(f"wrote {n:,} rows to {path} (method {model.method})", err=True)
        return
    with rows_progress(n) as advance:
        out = model.generate_to(
            output, n, chunk_rows, seed, conditions,
            executor=None if workers == 1 else workers, overwrite=overwrite,
            progress=lambda chunk: advance(chunk.rows),
        )  # fmt: skip
    if out.reused == len(out.chunks):
        typer.echo(f"{output} already holds these {out.rows:,} rows; nothing to do", err=True)
        return
    typer.echo(
        f"wrote {out.rows:,} rows in {len(out.chunks)} chunk files to {output} "
        f"({out.bytes / 1e6:,.1f} MB, {out.rows_per_second:,.0f} rows/s"
        + (f", {out.reused} chunks kept from an earlier run" if out.reused else "")
        + f"); manifest {out.manifest} (method {model.method})",
        err=True,
    )


def _generate_tables(
    data: str,
    output: str,
    method: Method,
    seed: int,
    scale: float | None,
    relationships: Path | None,
    save_model: Path | None,
    *,
    read: TableReader,
    single: dict[str, object],
) -> None:
    from genesis.cli.relational import find_tables, generate_directory, print_summary

    for option, value in single.items():
        if value:
            raise typer.BadParameter(
                "applies to one table; for a folder of tables use --scale", param_hint=f"'{option}'"
            )
    if scale is not None and not scale > 0:
        raise typer.BadParameter(f"must be above 0, got {scale}", param_hint="'--scale'")
    if method is Method.auto:
        raise typer.BadParameter(
            "auto (AutoML) chooses for one table; for a folder of tables pick a method, e.g. cart",
            param_hint="'--method'",
        )
    if Path(output).suffix.lower() in (".csv", ".parquet", ".pq", ".jsonl", ".ndjson"):
        raise typer.BadParameter(
            "DATA is a folder: give a folder, not a file",
            param_hint="'--output'",
        )
    tables = len(find_tables(Path(data)))  # one step per read and per write
    steps = 2 * tables + 2 + (relationships is None) + (save_model is not None)
    with progress(steps) as step:
        summary = generate_directory(
            Path(data), Path(output), relationships=relationships, method=method.value,
            scale=1.0 if scale is None else scale, seed=seed, read=read, step=step,
            save_model=save_model,
        )  # fmt: skip
    print_summary(summary)
    typer.echo(
        f"wrote {len(summary['tables'])} tables to {output} (method {method.value})", err=True
    )


def register(app: typer.Typer) -> None:
    app.command()(generate)
