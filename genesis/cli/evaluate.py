"""``genesis evaluate``: score a synthetic table against the real one."""

from __future__ import annotations

import math
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
    """Score SYNTHETIC against REAL: fidelity, detectability, copies, ML utility, and which
    columns give the synthetic table away."""
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
    print_giveaways(report)


def print_giveaways(report) -> None:
    """The columns that give the synthetic table away, as a table; or the sentence saying
    that none does (or that per-column detection was not measured)."""
    from rich.table import Table

    from genesis.quality.report import GIVEAWAY_AUC

    giveaways = report.giveaways()
    if giveaways.empty:
        typer.echo(report.giveaway_text())
        return
    table = Table(
        title=f"What gives it away (AUC > {GIVEAWAY_AUC:g})",
        caption="detection AUC of the column alone; 0.5 = indistinguishable",
        show_header=True,
    )
    table.add_column("column")
    table.add_column("detection AUC", justify="right")
    table.add_column("shape score", justify="right")
    for column, auc, score in zip(
        giveaways["column"], giveaways["detection_auc"], giveaways["score"], strict=True
    ):
        table.add_row(str(column), f"{auc:.4f}", "n/a" if math.isnan(score) else f"{score:.4f}")
    stdout().print(table)


def register(app: typer.Typer) -> None:
    app.command()(evaluate)
