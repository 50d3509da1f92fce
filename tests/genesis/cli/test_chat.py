"""``genesis chat``: a full session through a real pseudo-terminal (pexpect, so prompt_toolkit
runs as it does for a person), and the commands' edge cases in-process (stdin not a terminal,
so plain input())."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pandas as pd
import pytest

from genesis.cli.chat import shapes_score
from genesis.nl import clarify, interpret
from genesis.schema import infer_schema

REPO = Path(__file__).resolve().parents[3]
COLUMNS = ["age", "sex", "marital-status", "hours-per-week", "education", "income"]


@pytest.fixture(scope="module")
def small_csv(tmp_path_factory, adult_df) -> Path:
    """1,000 Adult rows, six columns: cart fits it in well under a second."""
    path = tmp_path_factory.mktemp("chat") / "people.csv"
    adult_df[COLUMNS].sample(n=1_000, random_state=0).to_csv(path, index=False)
    return path


def _pexpect():
    try:
        import pexpect
    except ImportError:
        pytest.fail("pexpect drives the chat tests; install it: pip install 'pexpect==4.9.0'")
    return pexpect


def test_full_session_in_a_pseudo_terminal(small_csv, tmp_path):
    pexpect = _pexpect()
    real = pd.read_csv(small_csv)
    schema = infer_schema(real)
    # what the rule parser makes of the requests (genesis.nl's own tests check its readings)
    women = interpret("200 women over 50", schema).conditions
    over_40 = interpret("people over 40", schema).conditions
    question = clarify("people over 40", schema).questions[0]["question"]
    assert len(women) == 2 and len(over_40) == 1
    history = tmp_path / "history"
    saved = tmp_path / "over40.parquet"
    env = dict(os.environ, PYTHONPATH=str(REPO), PROMPT_TOOLKIT_NO_CPR="1", GENESIS_DEBUG="")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "genesis.cli", "chat", "--data", str(small_csv), "--model", "cart",
         "--seed", "3", "--history", str(history)],
        env=env, cwd=str(tmp_path), encoding="utf-8", timeout=60, dimensions=(60, 200),
    )  # fmt: skip
    try:
        child.expect(r"ready: cart fitted on 1,000 rows and 6 columns")
        child.expect("genesis>")

        # a request with conditions: interpretation, preview, quality against the real subset
        child.sendline("200 women over 50")
        child.expect(re.escape(f"rows: 200; conditions: {women}"))
        child.expect(r"200 synthetic rows \(first 5\)")
        child.expect(r"quality: column shapes (\d\.\d{3}) against the ([\d,]+) real rows meeting")
        score, n_real = float(child.match.group(1)), int(child.match.group(2).replace(",", ""))
        assert 0.5 < score <= 1.0
        assert n_real == len(women.apply(real)) > 0
        child.expect("genesis>")

        # no count: a question inline, answered on the next line
        child.sendline("people over 40")
        child.expect(re.escape(f"? {question}"))
        child.expect("genesis>")
        child.sendline("150")
        child.expect(re.escape(f"rows: 150; conditions: {over_40}"))
        child.expect("quality: column shapes")
        child.expect("genesis>")

        child.sendline("show")
        child.expect(r"rows: 150 generated")
        child.expect("genesis>")

        child.sendline(f"save {saved.name}")
        child.expect(r"saved 150 rows to over40\.parquet")
        child.expect("genesis>")

        child.sendline("help")
        child.expect(r"save FILE\s+write the last rows")
        child.expect(r"quit, exit")
        child.expect("genesis>")

        child.sendline("quit")
        child.expect("bye")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0, child.before
    rows = pd.read_parquet(saved)
    assert len(rows) == 150 and list(rows.columns) == COLUMNS
    assert over_40.mask(rows).all()
    lines = history.read_text().splitlines()
    assert "+200 women over 50" in lines and "+people over 40" in lines  # prompt_toolkit history


def test_commands_without_a_terminal(small_csv, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "250")  # Rich wraps at the width it is given
    men = interpret("12 men", infer_schema(pd.read_csv(small_csv))).conditions
    script = "\n".join(
        [
            "show",  # nothing yet
            "save early.csv",  # nothing to save yet
            "help",
            "12 men",
            "save rows.txt",  # unknown format
            "save rows.csv",
            "",  # blank lines are ignored
            "exit",
            "never read",
        ]
    )
    result = _run_chat(small_csv, script)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "nothing generated yet" in out
    assert "nothing to save yet" in out
    assert "quit, exit" in out
    assert f"rows: 12; conditions: {men}" in out
    assert "error: cannot tell the format of 'rows.txt'" in out
    assert "saved 12 rows to rows.csv" in out
    assert out.rstrip().endswith("bye")
    assert not (tmp_path / "early.csv").exists()
    assert men.mask(pd.read_csv(tmp_path / "rows.csv")).all()


def test_end_of_input_ends_the_session_and_errors_stay_inline(small_csv, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    schema = infer_schema(pd.read_csv(small_csv))
    question = clarify("100 people from Atlantis", schema).questions[0]["question"]
    result = _run_chat(small_csv, "5000000 people\n100 people from Atlantis\nnew\nshow")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "error: 5,000,000 rows is more than this session generates at once" in out
    assert f"? {question}" in out  # a value not in the data: asked inline
    assert "ok: the next line starts a fresh request" in out
    assert out.rstrip().endswith("bye")  # Ctrl-D / end of input, no quit needed


def test_missing_data_is_one_error_line(invoke, error_line, tmp_path):
    result = invoke(["chat", "--data", tmp_path / "nope.csv"])
    assert result.exit_code == 1
    assert "nope.csv" in error_line(result)


def test_shapes_score_is_the_quality_reports_column_shapes(small_csv):
    from genesis.quality import QualityEvaluator

    real = pd.read_csv(small_csv)
    other = real.sample(frac=1.0, random_state=1).iloc[:500]
    schema = infer_schema(real)
    expected = QualityEvaluator(real, other, schema=schema).evaluate().column_shapes
    assert shapes_score(real, other, schema) == pytest.approx(expected)
    assert shapes_score(real, real, schema) == pytest.approx(1.0)


def _run_chat(small_csv: Path, stdin: str):
    from typer.testing import CliRunner

    from genesis.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["chat", "--data", str(small_csv), "--history", "h"], input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}; output:\n{result.output}")
    assert "Traceback" not in result.output
    assert not re.search(r"error: unexpected", result.output)
    return result
