"""``genesis evaluate``: score a synthetic table against the real one."""

from __future__ import annotations

from typing import Annotated

import typer

from genesis.cli.common import (
    EncodingOption,
    HoldoutOption,
    RealArgument,
    SepOption,
    SyntheticArgument,
    TableReader,
    TargetOption,
    handles_errors,
    progress,
    stdout,
)


@handles_errors
def evaluate(
    real: RealArgument,
    synthetic: SyntheticArgument,
    target: TargetOption = None,
    holdout: HoldoutOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the whole report as JSON.")
    ] = False,
    encoding: EncodingOption = None,
    sep: SepOption = None,
) -> None:
    """Score SYNTHETIC against REAL: fidelity, detectability, copies, ML utility."""
    read = TableReader(encoding, sep)
    with progress(3 + (holdout is not None)) as step:
        real_df, synth_df, holdout_df = read.each(step, real, synthetic, holdout)
        from genesis.quality import QualityEvaluator

        step("evaluating")
        report = QualityEvaluator(real_df, synth_df, target=target, holdout=holdout_df).evaluate()
    if as_json:
        typer.echo(report.to_json())
        return
    from rich.table import Table

    table = Table(title="Quality", show_header=True)
    table.add_column("figure")
    table.add_column("value", justify="right")
    figures = [(k, v) for k, v in report.to_dict().items()]
    figures += [
        (f"ml_utility.{k}", report.ml_utility[k])
        for k in ("metric", "tstr", "trtr", "ratio")
        if k in report.ml_utility
    ]
    for key, value in figures:
        if isinstance(value, str) and key.startswith("ml_utility."):
            table.add_row(key, value)
        elif isinstance(value, float | int) and not isinstance(value, bool):
            table.add_row(key, f"{value:.4f}" if isinstance(value, float) else str(value))
    stdout().print(table)


def register(app: typer.Typer) -> None:
    app.command()(evaluate)
