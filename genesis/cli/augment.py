"""``genesis augment``: rebalance a classification table with synthetic minority rows."""

from __future__ import annotations

import warnings
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
def augment(
    data: Annotated[str, typer.Argument(help="Real table with a class column.")],
    target: Annotated[str, typer.Option("--target", "-t", help="Class column to rebalance.")],
    output: Annotated[
        str,
        typer.Option(
            "--output", "-o", help="Where to write real + synthetic rows: .csv, .parquet or .jsonl."
        ),
    ],
    ratio: Annotated[
        float,
        typer.Option(
            "--ratio",
            "-r",
            min=0.0,
            max=1.0,
            help="Bring every class to RATIO x the majority class's rows (1.0: balanced).",
        ),
    ] = 1.0,
    method: Annotated[
        Method,
        typer.Option("--method", "-m", help="Synthesis method (auto: the planner's choice)."),
    ] = Method.auto,
    seed: Annotated[
        int, typer.Option("--seed", "-s", min=0, help="Seed: same seed, same rows and scores.")
    ] = 0,
    validate: Annotated[
        bool,
        typer.Option(
            "--validate/--no-validate",
            help="Score a classifier on held-out real rows with and without augmentation.",
        ),
    ] = True,
    encoding: EncodingOption = None,
    sep: SepOption = None,
) -> None:
    """Add synthetic rows of DATA's minority classes (column TARGET) and write them to OUTPUT.

    The output holds the real rows then the synthetic ones, marked by a boolean column
    is_synthetic; it contains the real rows, so it is written readable by its owner only.
    """
    check_output_format(output)
    if ratio <= 0:
        raise typer.BadParameter("must be above 0 (at most 1.0)", param_hint="'--ratio'")
    read = TableReader(encoding, sep)
    with progress(4 + validate) as step:
        step(f"reading {data}")
        df = read(data)
        from genesis.augmentation import SyntheticAugmenter
        from genesis.errors import AugmentationWarning
        from genesis.io import write_table

        step(f"planning and fitting on {len(df):,} rows")
        augmenter = SyntheticAugmenter(method.value, seed=seed).fit(df, target)
        step("generating minority rows" + (" and validating" if validate else ""))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", AugmentationWarning)  # the verdict is printed
            out = augmenter.augment(target_ratio=ratio, validate=validate)
        step(f"writing {output}")
        write_table(out, output, mode=0o600)
    for line in augmenter.plan_.warnings:
        typer.echo(f"warning: {line}", err=True)
    added = int(out[augmenter.indicator].sum())
    typer.echo(
        f"wrote {len(out):,} rows ({added:,} synthetic, method {augmenter.method_}) to {output}",
        err=True,
    )
    if augmenter.validation_ is not None:
        typer.echo(augmenter.validation_.to_markdown())


def register(app: typer.Typer) -> None:
    app.command()(augment)
