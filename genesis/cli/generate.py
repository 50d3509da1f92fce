"""``genesis generate``: fit a synthesizer on a table and write synthetic rows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from genesis.cli.common import (
    EncodingOption,
    Method,
    SepOption,
    TableReader,
    check_output_format,
    handles_errors,
    progress,
)


@handles_errors
def generate(
    data: Annotated[str, typer.Argument(help="Real table to learn.")],
    n: Annotated[int, typer.Option("-n", "--rows", min=1, help="Rows to generate (at least 1).")],
    output: Annotated[
        str,
        typer.Option("--output", "-o", help="Where to write the rows: .csv, .parquet or .jsonl."),
    ],
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
    encoding: EncodingOption = None,
    sep: SepOption = None,
) -> None:
    """Fit a synthesizer on DATA and write N synthetic rows to OUTPUT (with --where, N rows
    that all meet the conditions)."""
    check_output_format(output)
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
        step(f"generating {n:,} rows" + (f" where {conditions}" if conditions else ""))
        synthetic = model.generate(n, seed=seed, conditions=conditions)
        step(f"writing {output}")
        write_table(synthetic, output, schema=model.schema_)
        if save_model is not None:
            step(f"saving the model to {save_model}")
            model.save(str(save_model))
    typer.echo(
        f"wrote {len(synthetic):,} rows to {output} (method {model.method}, "
        f"fit {model.fit_seconds_:.1f} s)",
        err=True,
    )


def register(app: typer.Typer) -> None:
    app.command()(generate)
