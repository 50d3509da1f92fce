"""The report's figures: what each shows, on which scale, and that none fixes its width."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.dashboard import QualityDashboard, charts
from genesis.dashboard import figures as figs


@pytest.fixture(scope="module")
def full(tables, privacy_report, drift_report):
    real, synthetic, holdout = tables
    board = QualityDashboard(
        real, synthetic, target="income", holdout=holdout, privacy_report=privacy_report,
        drift_report=drift_report,
    )  # fmt: skip
    return board, board.generate_plotly_figures()


def test_figures_cover_every_column_and_the_strongest_pairs(full, tables):
    real = tables[0]
    _, figures = full
    distributions = [k.split(":", 1)[1] for k in figures if k.startswith("distribution:")]
    assert distributions == list(real.columns)  # Adult has no identifier or text column
    for key in ("scores", "column_scores", "correlation_real", "correlation_synthetic"):
        assert key in figures
    assert {"correlation_difference", "ml_utility", "privacy", "drift"} <= set(figures)
    assert len([k for k in figures if k.startswith("density:")]) == 3
    assert not [k for k in figures if k.startswith("scatter:")]  # real rows: opt-in only
    age = figures["distribution:age"]
    assert [t.name for t in age.data] == ["real", "synthetic"]
    assert sum(age.data[0].y) == pytest.approx(1.0)  # shares of rows
    workclass = figures["distribution:workclass"]
    assert "(missing)" in list(workclass.data[0].x)  # Adult's '?' token counts as missing


def test_no_figure_fixes_its_width(full):
    _, figures = full
    for key, fig in figures.items():
        assert fig.layout.width is None, key
        assert fig.layout.autosize is True, key


def test_scores_axis_is_zero_to_one(full):
    _, figures = full
    axis = figures["scores"].layout.xaxis
    assert tuple(axis.range) == (0, 1) and axis.autorange is False
    assert tuple(figures["column_scores"].layout.yaxis.range) == (0, 1)


def test_difference_heatmap_is_symmetric_around_zero(full):
    _, figures = full
    diff = figures["correlation_difference"].data[0]
    values = np.array([[np.nan if v is None else v for v in row] for row in diff.z], dtype=float)
    assert np.nanmin(values) < 0 < np.nanmax(values)  # signed: synthetic minus real
    assert diff.zmid == 0 and diff.zmin == -diff.zmax
    assert diff.zmax >= np.nanmax(np.abs(values)) and diff.zmax <= 1
    real = figures["correlation_real"].data[0]
    assert (real.zmin, real.zmid, real.zmax) == (-1, 0, 1)


def test_zero_inflated_column_shows_its_non_zero_values(full, tables):
    real, synthetic, _ = tables
    _, figures = full
    gain = figures["distribution:capital-gain"]
    zeros = (real["capital-gain"] == 0).mean()
    assert zeros > 0.9
    annotation = gain.layout.annotations[0].text
    assert f"{zeros:.1%} of real" in annotation
    assert f"{(synthetic['capital-gain'] == 0).mean():.1%} of synthetic" in annotation
    non_zero = real.loc[real["capital-gain"] != 0, "capital-gain"]
    assert sum(gain.data[0].y) == pytest.approx(1.0)  # shares of the non-zero rows
    assert min(gain.data[0].x) <= non_zero.min() + gain.data[0].width
    assert max(gain.data[0].x) >= non_zero.max() - gain.data[0].width
    # a column that is not mostly zero keeps its plain histogram
    assert "values other than 0" not in figures["distribution:age"].layout.title.text


def test_integer_columns_get_whole_bins():
    values = np.arange(17, 91, dtype=float).repeat(10)
    fig = figs.numeric_distribution("age", values, values)
    widths = {round(float(x), 6) for x in np.diff(fig.data[0].x)}
    assert widths == {3.0}  # 74 ages in bins of three whole years: no saw-tooth
    assert np.ptp(fig.data[0].y[:-1]) < 1e-9  # flat stays flat (the last bin: two ages)


def test_rare_labels_are_merged_into_other():
    real = pd.Series(["a"] * 50 + ["b"] * 30 + ["rare"] * 3)
    fig = figs.categorical_distribution("c", real, real)
    assert list(fig.data[0].x) == ["a", "b", figs.OTHER]
    assert fig.data[0].y[-1] == pytest.approx(3 / 83)


def test_pair_density_leaves_small_cells_blank(tables):
    from genesis.quality._prepare import prepare_tables
    from genesis.schema import infer_schema

    real, synthetic, _ = tables
    cols = ["age", "hours-per-week"]
    prepared = prepare_tables(
        {"real": real[cols], "synthetic": synthetic[cols]}, infer_schema(real[cols])
    )
    fig = figs.density_figure("age", "hours-per-week", prepared, 0.1)
    real_trace = fig.data[0]
    z = np.array([[np.nan if v is None else v for v in row] for row in real_trace.z], dtype=float)
    shown = z[~np.isnan(z)]
    assert shown.size and (shown * len(real) >= figs.MIN_CELL_ROWS - 1e-6).all()
    counts, _, _ = np.histogram2d(real["age"], real["hours-per-week"], bins=figs.DENSITY_BINS)
    assert np.isnan(z).sum() == (counts < figs.MIN_CELL_ROWS).sum()  # every small cell blank
    assert len(fig.data) == 2 and fig.data[1].coloraxis == real_trace.coloraxis


def test_privacy_figure_has_intervals_and_the_threshold(full, privacy_report):
    _, figures = full
    bars = figures["privacy"].data[0]
    rows = charts.attack_rows(privacy_report)
    assert len(bars.x) == len(rows)
    lows = [r["risk_low"] for r in rows]
    assert list(np.round(np.array(bars.x) - np.array(bars.error_x.arrayminus), 9)) == list(
        np.round(lows, 9)
    )
    threshold = charts.risk_threshold(privacy_report)
    assert threshold == 0.15  # above MEDIUM: HIGH starts at 0.15
    lines = [s for s in figures["privacy"].layout.shapes if s.type == "line"]
    assert [s.x0 for s in lines] == [threshold]


def test_drift_chart_is_one_compact_strip_per_comparison(full, drift_report):
    _, figures = full
    strip = figures["drift"].data[0]
    assert strip.type == "heatmap" and len(strip.y) == 2  # two comparisons, not 30 table rows
    assert len(strip.x) == 15
    assert figures["drift"].layout.height <= 300
    z = np.array(strip.z, dtype=float)
    source = list(strip.y).index("Real source vs the model's baseline")
    assert z[source][list(strip.x).index("age")] == 2  # the planted shift: distribution drift
    assert "wasserstein" in strip.customdata[source][list(strip.x).index("age")]


def test_pii_column_is_shown_by_format_not_by_value():
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(0)
    real = pd.DataFrame(
        {"name": [fake.name() for _ in range(400)], "age": np.arange(400) % 70 + 18}
    )
    fake.seed_instance(1)
    synthetic = real.assign(name=[fake.name() for _ in range(400)])
    board = QualityDashboard(real, synthetic, include_ml_utility=False, include_privacy=False)
    page = board.generate_html_report()
    assert not [n for n in real["name"] if n in page]
    names = board.generate_plotly_figures().get("distribution:name")
    assert names is None or "formats" in names.layout.title.text


def test_detection_chart_puts_the_column_that_gives_the_table_away_first(giveaway_boards):
    from genesis.quality.report import GIVEAWAY_AUC

    _, broken = giveaway_boards
    fig = broken.generate_plotly_figures()["column_detection"]
    bars = fig.data[0]
    aucs = [auc for auc, _ in bars.customdata]
    assert list(bars.y)[0] == "age" and len(bars.y) == 15  # every modelled column of Adult
    assert aucs == sorted(aucs, reverse=True) and aucs[0] > GIVEAWAY_AUC > aucs[1]
    assert list(bars.marker.color) == [charts.GIVEAWAY_COLOR] + [charts.REAL_COLOR] * 14
    assert min(bars.x) >= 0.5  # noise below 0.5 is drawn at the axis' start
    axis = fig.layout.xaxis
    assert tuple(axis.range) == (0.5, 1) and axis.autorange is False
    (line,) = fig.layout.shapes  # the giveaway threshold
    assert line.x0 == line.x1 == GIVEAWAY_AUC
    details = broken.compute_metrics()["quality"]["column_details"]
    shapes = {d["column"]: d["score"] for d in details}
    assert bars.customdata[0][1] == pytest.approx(shapes["age"], abs=1e-4)  # shape in hover


def test_detection_chart_of_a_report_without_per_column_detection_is_empty():
    fig = charts.column_detection_figure({"column_details": [{"column": "a", "score": 0.9}]})
    assert fig.data == () and tuple(fig.layout.xaxis.range) == (0.5, 1)
