"""Fixtures for the CLI tests: Adult tables on disk and a runner that rejects tracebacks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from genesis.cli import app

RUNNER = CliRunner()


def _invoke(args: list[str]) -> Result:
    result = RUNNER.invoke(app, [str(a) for a in args])
    # CliRunner turns an uncaught exception into exit status 1: make that a test failure
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}; output:\n{result.output}")
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="session")
def invoke() -> Callable[[list], Result]:
    """``invoke(args)``: run ``genesis ARGS`` in-process; fails on any uncaught exception."""
    return _invoke


@pytest.fixture(scope="session")
def error_line() -> Callable[[Result], str]:
    """``error_line(result)``: the one ``error: ...`` line a failed command printed."""

    def line(result: Result) -> str:
        lines = [x for x in result.stderr.splitlines() if x.startswith("error: ")]
        assert len(lines) == 1, result.stderr
        return lines[0]

    return line


@pytest.fixture(scope="session")
def files(tmp_path_factory, adult_df) -> Path:
    """real.csv (1,500 Adult rows), holdout.csv (500) and synthetic.parquet (1,000 CART rows)."""
    folder = tmp_path_factory.mktemp("cli")
    sample = adult_df.sample(n=2_000, random_state=0).reset_index(drop=True)
    sample.iloc[:1_500].to_csv(folder / "real.csv", index=False)
    sample.iloc[1_500:].to_csv(folder / "holdout.csv", index=False)
    args = ["generate", folder / "real.csv", "-n", "1000", "--seed", "3"]
    result = _invoke([*args, "-o", folder / "synthetic.parquet"])
    assert result.exit_code == 0, result.output
    return folder
