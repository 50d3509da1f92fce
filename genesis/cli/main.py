"""Typer commands: discover, generate, evaluate, audit, drift, dashboard, version.

Expected errors print one line, ``error: <what went wrong and how to fix it>``, on stderr and
exit with status 1; usage errors (an unknown option, a bad value) exit with status 2.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(
    name="genesis",
    help="Synthetic twins of sensitive tables: discover, generate, evaluate, audit, compare.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class SchemaFormat(str, Enum):
    yaml = "yaml"
    json = "json"
    python = "python"


class Method(str, Enum):
    auto = "auto"
    gaussian_copula = "gaussian_copula"
    cart = "cart"
    ctgan = "ctgan"
    tvae = "tvae"


# --- plumbing ------------------------------------------------------------------------------


def _stderr():
    from rich.console import Console

    return Console(stderr=True)


def fail(message: str) -> typer.Exit:
    """Print ``error: message`` on stderr and return the exit to raise (status 1)."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=1)


def handles_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the library's errors into one line on stderr and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from genesis.errors import GenesisError

        try:
            return command(*args, **kwargs)
        except GenesisError as exc:
            raise fail(_one_line(exc)) from None
        except (OSError, MemoryError) as exc:
            raise fail(f"{_one_line(exc)}; check the paths and free space") from None
        except KeyboardInterrupt:
            raise fail("interrupted") from None

    return wrapper


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


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
    with Progress(*columns, console=_stderr(), transient=False) as bar:
        task = bar.add_task("starting", total=total)
        started = [False]

        def step(description: str) -> None:
            if started[0]:
                bar.advance(task)
            started[0] = True
            bar.update(task, description=description)

        yield step
        bar.update(task, completed=total, description="done")


def _read(path: str):
    from genesis.io import read_table

    return read_table(path)


def _columns(value: str | None) -> list[str] | None:
    if value is None:
        return None
    names = [c.strip() for c in value.split(",") if c.strip()]
    return names or None


def _takes_path(method: Callable[..., Any]) -> bool:
    import inspect

    params = list(inspect.signature(method).parameters)
    return bool(params) and params[0] in {"path", "output", "output_path", "filename", "file"}


def _save_html(report: Any, path: Path) -> None:
    """Write a report's HTML: ``to_html(path)`` writes it, ``to_html()`` returns it."""
    from genesis.dashboard.report import write_text_atomic

    if _takes_path(report.to_html):
        report.to_html(str(path))
    else:
        write_text_atomic(path, report.to_html())


def _save_json(report: Any, path: Path) -> None:
    from genesis.dashboard.report import write_text_atomic

    if _takes_path(report.to_json):
        report.to_json(str(path))
    else:
        write_text_atomic(path, report.to_json())


# --- arguments and options shared by several commands ---------------------------------------

RealArgument = Annotated[str, typer.Argument(help="Real table.")]
SyntheticArgument = Annotated[str, typer.Argument(help="Synthetic table.")]
TargetOption = Annotated[
    str | None, typer.Option("--target", "-t", help="Column to predict for ML utility.")
]
HoldoutOption = Annotated[
    str | None, typer.Option("--holdout", help="Real rows the generator never saw.")
]


# --- commands ------------------------------------------------------------------------------


@app.command()
@handles_errors
def discover(
    data: Annotated[
        str, typer.Argument(help="Table to describe: CSV, Parquet, JSON Lines, SQL URL.")
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the schema here instead of printing it."),
    ] = None,
    format: Annotated[
        SchemaFormat, typer.Option("--format", "-f", help="Schema format.")
    ] = SchemaFormat.yaml,
) -> None:
    """Infer a table's schema: column kinds, semantic types, PII flags, constraints."""
    from genesis.dashboard.report import write_text_atomic
    from genesis.schema import discover as describe

    text = describe(_read(data), format=format.value)
    if output is None:
        typer.echo(text)
    else:
        write_text_atomic(output, text)
        typer.echo(f"schema written to {output}", err=True)


@app.command()
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
    save_model: Annotated[
        Path | None, typer.Option("--save-model", help="Also save the fitted model here.")
    ] = None,
) -> None:
    """Fit a synthesizer on DATA and write N synthetic rows to OUT."""
    suffix = Path(output).suffix.lower()
    if suffix not in {".csv", ".parquet", ".pq", ".jsonl", ".ndjson"}:
        raise typer.BadParameter(
            f"cannot tell the format of {output!r}; end it with .csv, .parquet or .jsonl",
            param_hint="'--output'",
        )
    steps = 4 + (save_model is not None)
    with progress(steps) as step:
        step(f"reading {data}")
        df = _read(data)
        from genesis.generators import SyntheticGenerator
        from genesis.io import write_table

        step(f"fitting {method.value} on {len(df):,} rows")
        params = {"time_budget": time_budget} if time_budget is not None else {}
        if params and method is not Method.auto:
            raise typer.BadParameter("only applies to --method auto", param_hint="'--time-budget'")
        model = SyntheticGenerator(method.value, seed=seed, **params).fit(df)
        step(f"generating {n:,} rows")
        synthetic = model.generate(n, seed=seed)
        step(f"writing {output}")
        write_table(synthetic, output)
        if save_model is not None:
            step(f"saving the model to {save_model}")
            model.save(str(save_model))
    typer.echo(
        f"wrote {len(synthetic):,} rows to {output} (method {model.method}, "
        f"fit {model.fit_seconds_:.1f} s)",
        err=True,
    )


@app.command()
@handles_errors
def evaluate(
    real: RealArgument,
    synthetic: SyntheticArgument,
    target: TargetOption = None,
    holdout: HoldoutOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the whole report as JSON.")
    ] = False,
) -> None:
    """Score SYNTHETIC against REAL: fidelity, detectability, copies, ML utility."""
    with progress(3 + (holdout is not None)) as step:
        step(f"reading {real}")
        real_df = _read(real)
        step(f"reading {synthetic}")
        synth_df = _read(synthetic)
        holdout_df = None
        if holdout is not None:
            step(f"reading {holdout}")
            holdout_df = _read(holdout)
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
    for key, value in report.to_dict().items():
        if isinstance(value, float | int) and not isinstance(value, bool):
            table.add_row(key, f"{value:.4f}" if isinstance(value, float) else str(value))
    for key in ("metric", "tstr", "trtr", "ratio"):
        if key in report.ml_utility:
            value = report.ml_utility[key]
            table.add_row(
                f"ml_utility.{key}", f"{value:.4f}" if isinstance(value, float) else str(value)
            )
    _stdout().print(table)


def _stdout():
    from rich.console import Console

    return Console()


@app.command()
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
    html: Annotated[
        Path | None, typer.Option("--html", help="Write the audit as HTML here.")
    ] = None,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the audit as JSON here.")
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit with status 1 when the audit does not pass.")
    ] = False,
) -> None:
    """Attack SYNTHETIC: membership inference, attribute inference, re-identification."""
    from genesis.privacy_attacks import PrivacyAttackTester

    with progress(4) as step:
        step(f"reading {real}")
        real_df = _read(real)
        step(f"reading {synthetic}")
        synth_df = _read(synthetic)
        step(f"reading {holdout}")
        holdout_df = _read(holdout)
        step("running the attacks")
        tester = PrivacyAttackTester(
            sensitive_columns=_columns(sensitive), quasi_identifiers=_columns(quasi_ids)
        )
        report = tester.run_all_attacks(real_df, synth_df, holdout_df)
    if html is not None:
        _save_html(report, html)
    if json_path is not None:
        _save_json(report, json_path)
    passed = report.passed
    risk = getattr(report.overall_risk, "value", report.overall_risk)
    typer.echo(f"privacy audit {'passed' if passed else 'did not pass'}: overall risk {risk}")
    from genesis.dashboard._sections import attack_rows

    for attack in attack_rows(report.to_dict()):
        level = attack.get("risk_level", "")
        typer.echo(f"  {attack.get('name')}: risk {attack.get('risk', float('nan')):.3f} {level}")
    for saved in (html, json_path):
        if saved is not None:
            typer.echo(f"written to {saved}", err=True)
    if strict and not passed:
        raise typer.Exit(code=1)


@app.command()
@handles_errors
def drift(
    baseline: Annotated[str, typer.Argument(help="The table a model was trained on.")],
    current: Annotated[str, typer.Argument(help="The table as it is now.")],
    html: Annotated[
        Path | None, typer.Option("--html", help="Write the drift report as HTML here.")
    ] = None,
) -> None:
    """Compare CURRENT with BASELINE column by column and say what drifted."""
    from genesis.drift import DriftDetector

    with progress(3) as step:
        step(f"reading {baseline}")
        baseline_df = _read(baseline)
        step(f"reading {current}")
        current_df = _read(current)
        step("testing every column")
        report = DriftDetector().detect(baseline_df, current_df)
    summary = report.to_dict()
    if html is not None:
        _save_html(report, html)
        typer.echo(f"written to {html}", err=True)
    scalars = {k: v for k, v in summary.items() if isinstance(v, str | int | float | bool)}
    typer.echo(json.dumps(scalars, default=str) if scalars else repr(report))


@app.command()
@handles_errors
def dashboard(
    real: RealArgument,
    synthetic: SyntheticArgument,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where to write the HTML report.")
    ] = Path("quality_report.html"),
    target: TargetOption = None,
    holdout: HoldoutOption = None,
    name: Annotated[str, typer.Option("--name", help="Report title.")] = "Quality Report",
    pdf: Annotated[
        Path | None,
        typer.Option("--pdf", help="Also render the report to PDF here (needs Chromium)."),
    ] = None,
    serve: Annotated[
        bool,
        typer.Option("--serve", help="Serve the interactive dashboard instead of writing a file."),
    ] = False,
    host: Annotated[str, typer.Option("--host", help="Interface to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to serve on.")] = 8050,
) -> None:
    """Write a self-contained HTML quality report, or serve the live dashboard (--serve)."""
    with progress(3 + (pdf is not None) if not serve else 2) as step:
        step(f"reading {real}")
        real_df = _read(real)
        step(f"reading {synthetic}")
        synth_df = _read(synthetic)
        if not serve:
            from genesis.dashboard import QualityDashboard

            holdout_df = _read(holdout) if holdout is not None else None
            step("computing figures")
            board = QualityDashboard(
                real_df, synth_df, name=name, target=target, holdout=holdout_df
            )
            board.save_report(output)
            if pdf is not None:
                step(f"rendering {pdf}")
                board.save_pdf(pdf)
    if serve:
        from genesis.dashboard import InteractiveDashboard

        live = InteractiveDashboard(real_df, synth_df, host=host, port=port)
        typer.echo(f"serving on {live.url} (Ctrl+C to stop)", err=True)
        try:
            live.run()
        except KeyboardInterrupt:  # the normal way to stop a server: no error
            typer.echo("stopped", err=True)
        return
    verdict = board.compute_metrics()["verdict"]["text"]
    typer.echo(
        f"report written to {output}" + (f" and {pdf}" if pdf else "") + f"; verdict: {verdict}"
    )


version_app = typer.Typer(
    help="Versions of a synthetic dataset in its Iceberg repository: log, tag, diff.",
    no_args_is_help=True,
)
app.add_typer(version_app, name="version")

RepoOption = Annotated[
    Path,
    typer.Option(
        "--repo",
        help="The dataset repository's folder (the Dagster chain's: .genesis/warehouse).",
    ),
]
DatasetOption = Annotated[
    str, typer.Option("--dataset", "-d", help="The dataset's name, as in genesis.yaml.")
]


def _repository(repo: Path, dataset: str):
    from genesis.versioning import DatasetRepository

    if not (repo / "catalog.db").is_file():
        raise fail(
            f"no dataset repository at {repo}; materialize the chain first (make demo) "
            "or pass --repo with the folder that holds catalog.db"
        )
    repository = DatasetRepository.init(repo, name=dataset)
    if not repository.log():
        raise fail(
            f"dataset {dataset!r} has no versions in {repo}; check --dataset against genesis.yaml"
        )
    return repository


@version_app.command("log")
@handles_errors
def version_log(
    dataset: DatasetOption,
    repo: RepoOption = Path(".genesis/warehouse"),
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help="Newest N.")] = None,
) -> None:
    """List the versions of DATASET, newest first, with their tags."""
    from rich.table import Table

    repository = _repository(repo, dataset)
    tags_by_version: dict[str, list[str]] = {}
    for tag in repository.tags():
        tags_by_version.setdefault(tag.commit_hash, []).append(tag.name)
    table = Table(title=f"{dataset} versions", show_header=True)
    for column in ("version", "time (UTC)", "tags", "message"):
        table.add_column(column)
    for commit in repository.log(limit=limit):
        table.add_row(
            commit.hash,
            commit.timestamp.strftime("%Y-%m-%d %H:%M:%S"),
            ", ".join(sorted(tags_by_version.get(commit.hash, []))),
            commit.message,
        )
    _stdout().print(table)


@version_app.command("tag")
@handles_errors
def version_tag(
    name: Annotated[str, typer.Argument(help="The tag, e.g. release-2026-11.")],
    dataset: DatasetOption,
    repo: RepoOption = Path(".genesis/warehouse"),
    message: Annotated[str, typer.Option("--message", "-m", help="Why this version.")] = "",
    ref: Annotated[
        str | None, typer.Option("--ref", help="Version to tag (default: the newest).")
    ] = None,
) -> None:
    """Tag a version of DATASET so consumers can pin it."""
    commit = _repository(repo, dataset).tag(name, message, ref=ref)
    typer.echo(f"tagged {dataset} version {commit.hash} as {name}")


@version_app.command("diff")
@handles_errors
def version_diff(
    ref1: Annotated[str, typer.Argument(help="The older version (id, tag or branch).")],
    dataset: DatasetOption,
    ref2: Annotated[
        str | None, typer.Argument(help="The newer version (default: the newest).")
    ] = None,
    repo: RepoOption = Path(".genesis/warehouse"),
    as_json: Annotated[bool, typer.Option("--json", help="Print the diff as JSON.")] = False,
) -> None:
    """Rows added and removed, and per-column statistic changes, between two versions."""
    difference = _repository(repo, dataset).diff(ref1, ref2)
    typer.echo(json.dumps(difference.to_dict(), default=str) if as_json else difference.summary())


def _print_version(value: bool) -> None:
    if value:
        from genesis import __version__

        typer.echo(f"genesis {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Synthetic twins of sensitive tables: discover, generate, evaluate, audit, compare."""


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
