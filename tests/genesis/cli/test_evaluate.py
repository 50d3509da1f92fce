"""``genesis evaluate``: the quality table or the whole report as JSON."""

from __future__ import annotations

import json

import pytest


def test_evaluate_prints_a_table_or_json(invoke, files):
    args = ["evaluate", files / "real.csv", files / "synthetic.parquet", "--target", "income"]
    table = invoke(args)
    assert table.exit_code == 0, table.output
    assert "overall_score" in table.stdout and "ml_utility.ratio" in table.stdout
    as_json = invoke([*args, "--json", "--holdout", files / "holdout.csv"])
    assert as_json.exit_code == 0, as_json.output
    report = json.loads(as_json.stdout)
    assert 0 < report["overall_score"] <= 1
    assert report["ml_utility"]["test_set"] == "holdout"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["evaluate", "{d}/real.csv", "{d}/missing.parquet"], "does not exist"),
        (
            ["evaluate", "{d}/real.csv", "{d}/synthetic.parquet", "--target", "salary"],
            "target 'salary'",
        ),
    ],
)
def test_failures_are_one_line_with_status_1(invoke, error_line, files, args, needle):
    result = invoke([a.format(d=files) for a in args])
    assert result.exit_code == 1, result.output
    assert needle in error_line(result)
