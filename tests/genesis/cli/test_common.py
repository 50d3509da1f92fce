"""The plumbing the commands share: error handling and reading inputs."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from genesis.cli.common import TableReader, _cli_hint, handles_errors


def _app(error: BaseException) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    @handles_errors
    def boom() -> None:
        raise error

    @app.command()
    @handles_errors
    def ok() -> None:
        raise typer.Exit(code=4)

    return app


def test_an_unexpected_error_is_one_line_and_status_3(monkeypatch):
    monkeypatch.delenv("GENESIS_DEBUG", raising=False)
    result = CliRunner().invoke(_app(ValueError("bad thing")), ["boom"])
    assert result.exit_code == 3
    assert result.stderr.strip() == (
        "error: unexpected ValueError: bad thing; this is a bug in Genesis: rerun with "
        "GENESIS_DEBUG=1 to see the traceback, and report it"
    )


def test_genesis_debug_shows_the_traceback(monkeypatch):
    monkeypatch.setenv("GENESIS_DEBUG", "1")
    result = CliRunner().invoke(_app(ValueError("bad thing")), ["boom"])
    assert result.exit_code == 3
    assert "Traceback" in result.stderr and "raise error" in result.stderr


def test_ctrl_c_exits_130_and_exits_pass_through():
    assert CliRunner().invoke(_app(KeyboardInterrupt()), ["boom"]).exit_code == 130
    assert CliRunner().invoke(_app(ValueError()), ["ok"]).exit_code == 4


def test_reader_options_apply_to_text_inputs_only():
    read = TableReader("latin-1", "\\t")
    assert read.sep == "\t"
    assert read.options("a.csv") == {"encoding": "latin-1", "sep": "\t"}
    assert read.options("a.tsv.gz") == {"encoding": "latin-1", "sep": "\t"}
    assert read.options("a.jsonl") == {"encoding": "latin-1"}
    assert read.options("a.parquet") == {}
    assert read.options("sqlite:///x.db") == {}
    assert TableReader().options("a.csv") == {}


@pytest.mark.parametrize(("encoding", "sep"), [("klingon-8", None), (None, "")])
def test_bad_encoding_or_separator_is_a_usage_error(encoding, sep):
    with pytest.raises(typer.BadParameter):
        TableReader(encoding, sep)


def test_the_library_advice_is_spelled_as_options():
    assert _cli_hint("x.csv is not text in utf-8; pass encoding= or check") == (
        "x.csv is not text in utf-8; pass --encoding or check"
    )
    assert _cli_hint("bad delimiter (pass sep=)") == "bad delimiter (pass --sep)"
    assert _cli_hint("no advice here") == "no advice here"
