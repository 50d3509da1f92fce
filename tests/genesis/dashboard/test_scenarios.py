"""The dashboard's Scenarios section: rows asked / returned, share meeting the conditions and
fidelity of the other columns against the real rows meeting them (issue 14, item 4)."""

from __future__ import annotations

import html
import json
import re

import pandas as pd
import pytest

from genesis.dashboard import QualityDashboard, create_dashboard, scenario_summary
from genesis.dashboard.scenarios import MIN_MATCHING_ROWS
from genesis.errors import InvalidConditionError, InvalidDataError, InvalidParameterError
from genesis.generators import SyntheticGenerator
from genesis.quality import QualityEvaluator
from tests.leakage import leaked_combinations, leaked_rows

MALE = {"sex": "Male"}
SENIOR_WOMEN = {"age": (">=", 60), "sex": "Female"}  # 36 of the 1,500 real rows


@pytest.fixture(scope="module")
def model(tables):
    return SyntheticGenerator("cart", seed=0).fit(tables[0])


@pytest.fixture(scope="module")
def summaries(tables, model):
    real = tables[0]
    return [
        scenario_summary(
            "men", MALE, model.generate(400, seed=1, conditions=MALE), real, rows_asked=400
        ),
        scenario_summary(
            "senior_women",
            SENIOR_WOMEN,
            model.generate(300, seed=1, conditions=SENIOR_WOMEN),
            real,
            rows_asked=300,
        ),
    ]


def _section(page: str) -> list[list[str]]:
    """The Scenarios table's data rows, as cell texts."""
    table = re.search(r'<table class="figures" id="scenarios">(.*?)</table>', page, re.S)
    assert table, "no Scenarios table in the page"
    rows = re.findall(r'<tr class="scenario"[^>]*>(.*?)</tr>', table.group(1), re.S)
    return [[html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", r, re.S)] for r in rows]


def test_summary_figures(tables, summaries):
    real = tables[0]
    men, women = summaries
    assert men["rows_asked"] == men["rows_returned"] == 400
    assert men["satisfaction_share"] == 1.0
    assert men["real_matching"] == int((real["sex"] == "Male").sum())
    assert men["fidelity_columns"] == real.shape[1] - 1 and men["fidelity_note"] == ""
    assert 0.8 < men["fidelity"] <= 1.0
    # fewer than MIN_MATCHING_ROWS real rows meet it: no fidelity, and the reason
    assert 10 <= women["real_matching"] < MIN_MATCHING_ROWS
    assert women["fidelity"] is None and "fewer than 50 real rows" in women["fidelity_note"]
    assert women["conditions"] == "age >= 60 and sex == 'Female'"
    json.dumps(summaries, allow_nan=False)  # JSON-safe as they are


def test_fidelity_is_the_shapes_score_against_the_matching_real_rows(tables, model):
    real = tables[0]
    rows = model.generate(400, seed=2, conditions=MALE)
    summary = scenario_summary("men", MALE, rows, real)
    others = [c for c in real.columns if c != "sex"]
    matching = real[real["sex"] == "Male"]
    expected = QualityEvaluator(matching[others], rows[others], seed=0).evaluate().column_shapes
    assert summary["fidelity"] == pytest.approx(expected, abs=1e-12)
    # the real rows meeting the conditions are the reference: they score 1 against themselves,
    # and a shifted column scores lower
    assert scenario_summary("self", MALE, matching, real)["fidelity"] == pytest.approx(1.0)
    shifted = matching.assign(age=matching["age"] + 20)
    assert scenario_summary("shifted", MALE, shifted, real)["fidelity"] < 0.97  # 1 of 14 off


def test_dashboard_shows_the_section_with_the_figures(tables, summaries):
    real, synthetic, _ = tables
    page = QualityDashboard(
        real, synthetic, include_ml_utility=False, include_privacy=False, scenarios=summaries
    ).generate_html_report()
    assert '<h2 id="scenarios-title">Scenarios</h2>' in page
    men, women = _section(page)
    fidelity = f"{summaries[0]['fidelity']:.3f}"
    assert men == [
        "men", "sex == 'Male'", "400", "400", "100.00%",
        f"{summaries[0]['real_matching']:,}", f"{fidelity} ({real.shape[1] - 1} columns)",
    ]  # fmt: skip
    assert women[:5] == ["senior_women", "age >= 60 and sex == 'Female'", "300", "300", "100.00%"]
    assert women[5] == str(summaries[1]["real_matching"])
    assert women[6].startswith("n/a: fewer than 50 real rows meet the conditions")
    embedded = json.loads(re.search(r'id="genesis-metrics">(.*?)</script>', page, re.S).group(1))
    assert embedded["scenarios"][0]["fidelity"] == pytest.approx(summaries[0]["fidelity"])
    # create_dashboard passes the keyword through
    again = create_dashboard(
        real, synthetic, include_ml_utility=False, include_privacy=False, scenarios=summaries
    )
    assert _section(again) == [men, women]


def test_no_section_without_scenarios(tables):
    real, synthetic, _ = tables
    board = QualityDashboard(real, synthetic, include_ml_utility=False, include_privacy=False)
    assert 'id="scenarios"' not in board.generate_html_report()
    assert board.compute_metrics()["scenarios"] is None


def test_few_matching_real_rows_are_not_counted(tables, model):
    real = tables[0]
    conditions = {"age": (">=", 80)}
    assert 0 < (real["age"] >= 80).sum() < 10
    summary = scenario_summary(
        "oldest", conditions, model.generate(50, conditions=conditions), real
    )
    assert summary["real_matching"] is None and summary["fidelity"] is None
    page = QualityDashboard(
        real, tables[1], include_ml_utility=False, include_privacy=False, scenarios=[summary]
    ).generate_html_report()
    (row,) = _section(page)
    assert row[5] == "fewer than 10"


def test_the_section_holds_no_real_rows(tables, summaries):
    real, synthetic, holdout = tables
    page = QualityDashboard(
        real, synthetic, holdout=holdout, target="income", scenarios=summaries
    ).generate_html_report()
    assert 'id="scenarios"' in page
    assert leaked_rows(page, real) == []
    assert leaked_combinations(page, real, k=4) == []


@pytest.mark.parametrize(
    ("scenarios", "match"),
    [
        ("men", "list of summaries"),
        ([{"name": "x"}], "lacks"),
        ([["men", "sex == 'Male'"]], "list of summaries"),
    ],
)
def test_bad_scenarios_are_refused(tables, scenarios, match):
    real, synthetic, _ = tables
    board = QualityDashboard(real, synthetic, scenarios=scenarios)
    with pytest.raises(InvalidParameterError, match=match):
        board.compute_metrics()


def test_bad_summary_inputs(tables):
    real = tables[0]
    rows = real.head(20)
    with pytest.raises(InvalidParameterError, match="name"):
        scenario_summary("", MALE, rows, real)
    with pytest.raises(InvalidParameterError, match="no condition"):
        scenario_summary("x", {}, rows, real)
    with pytest.raises(InvalidParameterError, match="rows_asked"):
        scenario_summary("x", MALE, rows, real, rows_asked=-1)
    with pytest.raises(InvalidParameterError, match="min_matching_rows"):
        scenario_summary("x", MALE, rows, real, min_matching_rows=0)
    with pytest.raises(InvalidConditionError, match="planet"):
        scenario_summary("x", {"planet": "Mars"}, rows, real)
    with pytest.raises(InvalidConditionError):
        scenario_summary("x", {"age": ("sideways", 3)}, rows, real)
    with pytest.raises(InvalidDataError, match="DataFrame"):
        scenario_summary("x", MALE, pd.Series([1, 2]), real)
