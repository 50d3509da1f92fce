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


def test_evaluate_names_the_columns_that_give_the_synthetic_table_away(invoke, files):
    import pandas as pd

    real = pd.read_csv(files / "real.csv")
    broken = real.sample(frac=1.0, random_state=1).assign(age=lambda d: d["age"] + 15)
    broken.to_csv(files / "broken_age.csv", index=False)
    args = ["evaluate", files / "real.csv", files / "broken_age.csv"]
    table = invoke(args)
    assert table.exit_code == 0, table.output
    assert "What gives it away" in table.stdout
    giveaway_rows = [line for line in table.stdout.splitlines() if "│ age " in line]
    assert len(giveaway_rows) == 1 and "No column gives" not in table.stdout
    as_json = json.loads(invoke([*args, "--json"]).stdout)
    assert as_json["giveaway_columns"] == ["age"]
    aucs = {d["column"]: d["detection_auc"] for d in as_json["column_details"]}
    assert set(aucs) == set(real.columns) and aucs["age"] > 0.6
    assert f"{aucs['age']:.4f}" in giveaway_rows[0]


def test_evaluate_says_when_no_column_gives_the_table_away(invoke, files):
    result = invoke(["evaluate", files / "real.csv", files / "holdout.csv"])
    assert result.exit_code == 0, result.output
    assert "No column gives the synthetic table away on its own" in result.stdout
    assert "What gives it away" not in result.stdout
