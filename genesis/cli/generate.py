"""``genesis generate``: fit a synthesizer on a table and write synthetic rows."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from genesis.cli.common import EncodingOption, SepOption, TableReader, handles_errors, progress

OUTPUT_SUFFIXES = (".csv", ".parquet", ".pq", ".jsonl", ".ndjson")


class Method(str, Enum):
    auto = "auto"
    gaussian_copula = "gaussian_copula"
    cart = "cart"
    ctgan = "ctgan"
    tvae = "tvae"


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
    if not output.lower().endswith(OUTPUT_SUFFIXES):
        raise typer.BadParameter(
            f"cannot tell the format of {output!r}; end it with .csv, .parquet or .jsonl",
            param_hint="'--output'",
        )
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
