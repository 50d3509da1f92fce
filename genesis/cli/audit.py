"""``genesis audit``: attack a synthetic table and say whether it leaks its training rows."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from genesis.cli.common import (
    EncodingOption,
    SepOption,
    SyntheticArgument,
    TableReader,
    columns,
    fail,
    handles_errors,
    progress,
    save_text,
)


class Level(str, Enum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


@handles_errors
def audit(
    real: Annotated[str, typer.Argument(help="Real rows the generator was trained on.")],
    synthetic: SyntheticArgument,
    holdout: Annotated[
        str, typer.Option("--holdout", help="Real rows the generator never saw (required).")
    ],
    sensitive: Annotated[
        str | None, typer.Option("--sensitive", help="Comma-separated sensitive columns.")
    ] = None,
    quasi_ids: Annotated[
        str | None, typer.Option("--quasi-ids", help="Comma-separated quasi-identifier columns.")
    ] = None,
    max_risk: Annotated[
        Level,
        typer.Option("--max-risk", help="The worst risk level the audit accepts."),
    ] = Level.MEDIUM,
    html: Annotated[
        Path | None, typer.Option("--html", help="Write the audit as HTML here.")
    ] = None,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the audit as JSON here.")
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit with status 1 when the audit does not pass.")
    ] = False,
    encoding: EncodingOption = None,
    sep: SepOption = None,
) -> None:
    """Attack SYNTHETIC: membership inference, attribute inference, re-identification."""
    read = TableReader(encoding, sep)
    with progress(4) as step:
        real_df, synth_df, holdout_df = read.each(step, real, synthetic, holdout)
        step("running the attacks")
        from genesis.privacy_attacks import PrivacyAttackTester

        tester = PrivacyAttackTester(
            sensitive_columns=columns(sensitive),
            quasi_identifiers=columns(quasi_ids),
            max_risk_level=max_risk.value,
        )
        report = tester.run_all_attacks(real_df, synth_df, holdout_df)
    if html is not None:
        save_text(html, report.to_html(), "privacy report")
    if json_path is not None:
        save_text(json_path, report.to_json(), "privacy report")
    from genesis.verdict import privacy_verdict

    verdict = privacy_verdict(report.to_dict())
    typer.echo(f"privacy audit {'passed' if verdict.passed else 'did not pass'}: {verdict.text}")
    for attack in report.results:
        level = getattr(attack.risk_level, "value", attack.risk_level)
        low, high = attack.risk_ci
        typer.echo(
            f"  {attack.name}: risk {attack.risk:.3f} (95% interval {low:.3f} to {high:.3f}) "
            f"{level}"
        )
    for saved in (html, json_path):
        if saved is not None:
            typer.echo(f"written to {saved}", err=True)
    if strict and not verdict.passed:
        reasons = []
        if "risk level" in verdict.failed_checks:
            reasons.append(f"overall risk {verdict.level} exceeds the accepted {verdict.max_level}")
        if "copies" in verdict.failed_checks:
            reasons.append(report.copy_check.summary())
        raise fail(
            f"the privacy audit did not pass: {'; '.join(reasons)}; do not share {synthetic}, "
            "regenerate it with a more private setting (larger CART leaves, or the DP copula)"
        )


def register(app: typer.Typer) -> None:
    app.command()(audit)
