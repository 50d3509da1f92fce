"""No real row, and no unique combination of four real values, in a dashboard built from a
table, unless its owner opts in to real points (and the page then says so first)."""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
import pytest

from genesis.dashboard import QualityDashboard
from tests.leakage import leaked_combinations, leaked_rows, records


@pytest.fixture(scope="module")
def real(tables):
    return tables[0]


# --- the checker finds what it is meant to find ----------------------------------------------


def test_checker_finds_rows_in_json_records_and_html_tables(real):
    rows = real.head(5)
    as_json = json.dumps(rows.to_dict(orient="records"))
    assert leaked_rows(as_json, real) == [0, 1, 2, 3, 4]
    assert leaked_rows(rows.to_html(), real) == [0, 1, 2, 3, 4]
    assert leaked_rows(rows.to_markdown(), real) == [0, 1, 2, 3, 4]
    assert leaked_rows(json.dumps(rows.to_numpy().tolist()), real) == [0, 1, 2, 3, 4]


def test_checker_finds_unique_combinations_in_parallel_plotly_arrays(real):
    cols = ["age", "fnlwgt", "hours-per-week", "education-num"]
    sample = real.sample(200, random_state=0)
    figures = [
        go.Figure(go.Scatter(x=sample[a], y=sample[b], mode="markers"))
        for a, b in (cols[:2], cols[2:])
    ]  # two scatter plots of the same sampled rows: four columns of each row
    page = "\n".join(f.to_html(include_plotlyjs=False) for f in figures)
    found = dict(leaked_combinations(page, real, k=4))
    unique = ~real.duplicated(subset=cols, keep=False)
    expected = set(real.index[unique]) & set(sample.index)
    assert set(found) == expected and len(expected) > 150
    assert all(set(found[row]) >= set(cols) for row in found)
    assert leaked_rows(page, real) == []  # 4 of 15 values: a combination, not a row


def test_checker_ignores_aggregates_and_common_combinations(real):
    shares = real["workclass"].value_counts(normalize=True)
    fig = go.Figure(go.Bar(x=list(shares.index), y=list(shares)))
    text = fig.to_html(include_plotlyjs=True)
    assert leaked_combinations(text, real) == [] and leaked_rows(text, real) == []
    common = json.dumps({"sex": "Male", "race": "White", "capital-gain": 0, "capital-loss": 0})
    assert leaked_combinations(common, real) == []  # shared by thousands of rows
    assert records("no data here") == []


# --- the dashboard ------------------------------------------------------------------------------


def test_dashboard_embeds_no_real_row_nor_unique_combination(tables, privacy_report, drift_report):
    real, synthetic, holdout = tables
    page = QualityDashboard(
        real, synthetic, target="income", holdout=holdout, privacy_report=privacy_report,
        drift_report=drift_report,
    ).generate_html_report()  # fmt: skip
    assert leaked_rows(page, real) == []
    assert leaked_combinations(page, real, k=4) == []
    assert 'id="real-points-warning"' not in page


def test_dashboard_of_the_whole_adult_table_embeds_none(adult_df):
    synthetic = adult_df.sample(frac=0.5, replace=True, random_state=3).reset_index(drop=True)
    report = {"overall_score": 0.9, "column_details": []}  # the figures are what is checked
    page = QualityDashboard(adult_df, synthetic, quality_report=report).generate_html_report()
    assert leaked_combinations(page, adult_df, k=4) == []


def test_real_points_only_on_request_and_said_on_the_first_screen(tables):
    real, synthetic, _ = tables
    report = {"overall_score": 0.9, "column_details": []}
    board = QualityDashboard(real, synthetic, quality_report=report, show_real_points=True)
    page = board.generate_html_report()
    assert leaked_combinations(page, real, k=4)  # the opt-in does show real rows...
    first_screen = page[page.index("<body>") : page.index('<section id="verdict"')]
    assert 'id="real-points-warning"' in first_screen  # ...and says so before anything else
    assert "show_real_points=True" in first_screen
    assert board.compute_metrics()["show_real_points"] is True
    assert any(k.startswith("scatter:") for k in board.generate_plotly_figures())


def test_rare_labels_of_real_rows_are_not_shown(real):
    rare = real.assign(workclass=real["workclass"].where(real.index != 7, "Astronaut"))
    report = {"overall_score": 0.9, "column_details": []}
    page = QualityDashboard(rare, rare, quality_report=report).generate_html_report()
    assert "Astronaut" not in page  # one row's value: merged into "(other)"
    assert pd.Series(["Astronaut"]).isin(rare["workclass"]).all()
