"""``genesis dashboard``: the self-contained HTML report."""

from __future__ import annotations


def test_dashboard_writes_the_report(invoke, files, tmp_path):
    out = tmp_path / "report.html"
    args = ["dashboard", files / "real.csv", files / "synthetic.parquet", "-o", out]
    result = invoke([*args, "--target", "income"])
    assert result.exit_code == 0, result.output
    assert "verdict:" in result.stdout
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>") and "ML utility" in page


def test_an_unknown_target_is_one_line(invoke, error_line, files, tmp_path):
    args = ["dashboard", files / "real.csv", files / "synthetic.parquet", "-o", tmp_path / "r.html"]
    result = invoke([*args, "--target", "salary"])
    assert result.exit_code == 1
    assert "target 'salary'" in error_line(result)
