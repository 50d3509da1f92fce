"""``genesis audit``: the attacks, the verdict with its intervals, and --strict."""

from __future__ import annotations

import json

import pandas as pd


def _audit(files, synthetic, *extra):
    return [
        "audit",
        files / "real.csv",
        synthetic,
        "--holdout",
        files / "holdout.csv",
        "--sensitive",
        "income",
        "--quasi-ids",
        "age,sex,race",
        *extra,
    ]


def test_audit_runs_the_attacks(invoke, files, tmp_path):
    html, as_json = tmp_path / "audit.html", tmp_path / "audit.json"
    result = invoke(_audit(files, files / "synthetic.parquet", "--html", html, "--json", as_json))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("privacy audit ")
    assert "membership" in result.stdout and "95% interval" in result.stdout
    assert html.read_text().lower().startswith("<!doctype html")
    assert json.loads(as_json.read_text())["max_risk_level"] == "MEDIUM"


def test_strict_fails_an_audit_that_does_not_pass(invoke, error_line, files, tmp_path):
    copied = tmp_path / "copied.csv"
    pd.read_csv(files / "real.csv").to_csv(copied, index=False)  # the training rows, verbatim
    lenient = invoke(_audit(files, copied, "--max-risk", "CRITICAL", "--strict"))
    assert lenient.exit_code == 1, lenient.output  # verbatim copies fail at any risk limit
    assert "copy check FAILED" in error_line(lenient)
    strict = invoke(_audit(files, copied, "--max-risk", "LOW", "--strict"))
    assert strict.exit_code == 1, strict.output
    assert "did not pass" in strict.stdout
    line = error_line(strict)
    assert "did not pass" in line and "exceeds the accepted LOW" in line
    assert invoke(_audit(files, copied, "--max-risk", "LOW")).exit_code == 0  # report only


def test_audit_needs_a_holdout(invoke, files):
    result = invoke(["audit", files / "real.csv", files / "synthetic.parquet"])
    assert result.exit_code == 2
    assert "--holdout" in result.stderr
