"""``genesis drift``: the summary as JSON and the HTML report."""

from __future__ import annotations

import json


def test_drift_prints_the_summary_and_writes_html(invoke, files, tmp_path):
    out = tmp_path / "drift.html"
    result = invoke(["drift", files / "real.csv", files / "holdout.csv", "--html", out])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["number_of_columns"] == 15
    assert "<html" in out.read_text().lower()


def test_drift_into_an_unwritable_folder_fails_with_one_line(invoke, error_line, files, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    args = ["drift", files / "real.csv", files / "holdout.csv", "--html", blocker / "d.html"]
    result = invoke(args)
    assert result.exit_code == 1
    assert "drift report" in error_line(result)
