"""QualityDashboard: metrics, figures, the self-contained page, and its bad inputs."""

from __future__ import annotations

import json
import re

import pandas as pd
import plotly.offline
import pytest

from genesis.dashboard import QualityDashboard, create_dashboard
from genesis.errors import InvalidDataError, InvalidParameterError


@pytest.fixture(scope="module")
def tables(adult_df):
    """1,500 real Adult rows, 1,000 CART rows learned from them, 500 holdout rows."""
    from genesis.generators import SyntheticGenerator

    sample = adult_df.sample(n=2_000, random_state=0).reset_index(drop=True)
    real, holdout = sample.iloc[:1_500].reset_index(drop=True), sample.iloc[1_500:]
    synthetic = SyntheticGenerator("cart", seed=0).fit(real).generate(1_000)
    return real, synthetic, holdout.reset_index(drop=True)


@pytest.fixture(scope="module")
def dashboard(tables):
    real, synthetic, holdout = tables
    return QualityDashboard(real, synthetic, name="Adult <CART>", target="income", holdout=holdout)


def test_metrics_hold_the_quality_report_and_a_verdict(dashboard):
    metrics = dashboard.compute_metrics()
    assert metrics["n_real"] == 1_500 and metrics["n_synthetic"] == 1_000
    overall = metrics["quality"]["overall_score"]
    assert 0.5 < overall <= 1.0
    assert metrics["verdict"]["level"] in {"good", "fair"}
    assert f"{overall:.2f}" in metrics["verdict"]["text"]
    assert metrics["ml_utility"]["target"] == "income"
    assert metrics["privacy"]["summary"]["exact_copy_share"] is not None
    assert metrics["drift"] is None
    json.dumps(metrics, allow_nan=False)  # JSON-safe
    assert dashboard.compute_metrics() is metrics  # cached


def test_figures_cover_every_column_and_the_strongest_pairs(dashboard, tables):
    real = tables[0]
    figures = dashboard.generate_plotly_figures()
    distributions = [k.split(":", 1)[1] for k in figures if k.startswith("distribution:")]
    assert distributions == list(real.columns)  # Adult has no identifier or text column
    for key in ("scores", "column_scores", "correlation_real", "correlation_synthetic"):
        assert key in figures
    assert {"correlation_difference", "ml_utility", "privacy"} <= set(figures)
    assert "drift" not in figures
    scatters = [k for k in figures if k.startswith("scatter:")]
    assert len(scatters) == 3
    # the strongest numeric pair of Adult's real rows comes first
    real_assoc = figures["correlation_real"].data[0]
    assert len(real_assoc.x) == real.shape[1]
    age = figures["distribution:age"]
    assert [t.name for t in age.data] == ["real", "synthetic"]
    assert sum(age.data[0].y) == pytest.approx(1.0)  # shares of rows
    workclass = figures["distribution:workclass"]
    assert "(missing)" in list(workclass.data[0].x)  # Adult's '?' token counts as missing
    utility = figures["ml_utility"]
    assert {t.name for t in utility.data} == {"trained on real", "trained on synthetic"}


def test_association_matrix_matches_pearson_and_is_symmetric(dashboard, tables):
    from genesis.dashboard.figures import association_matrices

    real = tables[0]
    dashboard.compute_metrics()
    real_assoc, synth_assoc = association_matrices(dashboard._prepared)
    expected = real["age"].corr(real["hours-per-week"])
    assert real_assoc.at["age", "hours-per-week"] == pytest.approx(expected)
    assert (real_assoc.fillna(0).to_numpy() == real_assoc.fillna(0).to_numpy().T).all()
    v = real_assoc.at["relationship", "sex"]
    assert 0.5 < v <= 1.0  # husbands are male: a strong association
    assert (synth_assoc.to_numpy() <= 1.0 + 1e-9).all()


def test_html_is_one_self_contained_page(dashboard):
    page = dashboard.generate_html_report()
    plotly_js = plotly.offline.get_plotlyjs()
    assert page.count(plotly_js[:200]) == 1  # Plotly's JavaScript inlined once
    rest = page.replace(plotly_js, "")  # the library's own code mentions URLs it never loads
    assert "<script src" not in rest and 'src="http' not in rest and "cdn.plot.ly" not in rest
    assert "<link" not in rest
    assert page.count('class="plotly-graph-div"') == len(dashboard.generate_plotly_figures())
    assert "<h1>Adult &lt;CART&gt;</h1>" in page  # the name is escaped
    assert "<title>Adult &lt;CART&gt;</title>" in page
    assert 'id="verdict"' in page
    data = re.search(r'<script type="application/json" id="genesis-metrics">(.*?)</script>', page)
    assert json.loads(data.group(1))["n_real"] == 1_500


def test_save_report_is_atomic_and_creates_folders(dashboard, tmp_path):
    path = dashboard.save_report(tmp_path / "a" / "b" / "report.html")
    assert path.endswith("report.html")
    files = list((tmp_path / "a" / "b").iterdir())
    assert [f.name for f in files] == ["report.html"]  # no temporary file left over
    assert files[0].read_text().startswith("<!DOCTYPE html>")


def test_privacy_and_drift_sections(tables):
    from genesis.drift import DriftDetector

    real, synthetic, holdout = tables
    drift = DriftDetector().detect(real, holdout)
    privacy = {
        "overall_risk": "high",
        "passed": False,
        "attacks": [
            {"name": "membership_inference", "risk": 0.31, "risk_level": "high"},
            {"name": "attribute_inference", "risk": 0.05, "risk_level": "low"},
        ],
    }
    board = QualityDashboard(
        real, synthetic, include_ml_utility=False, privacy_report=privacy, drift_report=drift
    )
    metrics = board.compute_metrics()
    assert metrics["ml_utility"] is None
    assert "privacy audit did not pass" in metrics["verdict"]["text"]
    assert [a["name"] for a in metrics["privacy"]["attacks"]][0] == "membership_inference"
    assert len(metrics["drift"]["columns"]) == real.shape[1]
    figures = board.generate_plotly_figures()
    assert list(figures["privacy"].data[0].x) == ["membership_inference", "attribute_inference"]
    table = figures["drift"].data[0]
    assert table.header.values[0] == "column" and len(table.cells.values[0]) == real.shape[1]
    page = board.generate_html_report()
    assert "Privacy audit did not pass." in page and "<h2>Drift</h2>" in page


def test_without_privacy_section(tables):
    real, synthetic, _ = tables
    board = QualityDashboard(real, synthetic, include_privacy=False)
    assert board.compute_metrics()["privacy"] is None
    assert "privacy" not in board.generate_plotly_figures()


def test_datetime_and_null_heavy_columns(weather_df):
    real = weather_df.head(1_500)
    synthetic = weather_df.iloc[1_500:3_000].reset_index(drop=True)
    board = QualityDashboard(real, synthetic, name="Weather")
    figures = board.generate_plotly_figures()
    time_hour = figures["distribution:time_hour"]
    assert pd.api.types.is_datetime64_any_dtype(pd.Series(time_hour.data[0].x))
    assert "distribution:wind_gust" in figures
    assert board.generate_html_report().count("plotly-graph-div") == len(figures)


def test_precomputed_quality_report_is_used_as_is(tables):
    real, synthetic, _ = tables
    report = {"overall_score": 0.42, "quality_score": 0.5, "column_details": []}
    metrics = QualityDashboard(real, synthetic, quality_report=report).compute_metrics()
    assert metrics["quality"] is report
    assert metrics["verdict"]["level"] == "poor"


def test_create_dashboard_returns_and_writes_the_page(tables, tmp_path):
    real, synthetic, _ = tables
    page = create_dashboard(real.head(300), synthetic.head(300), tmp_path / "r.html")
    assert (tmp_path / "r.html").read_text() == page
    assert "Quality Report" in page


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"real": "a.csv"}, InvalidDataError, "pandas DataFrame"),
        ({"synthetic": pd.DataFrame()}, InvalidDataError, "no rows"),
        ({"synthetic": pd.DataFrame({"age": [1]})}, InvalidDataError, "lacks"),
        ({"target": "salary"}, InvalidParameterError, "target 'salary'"),
        ({"name": ""}, InvalidParameterError, "name"),
        ({"privacy_report": 3}, InvalidParameterError, "privacy_report"),
    ],
)
def test_bad_inputs_raise_clear_errors(tables, kwargs, error, match):
    real, synthetic, _ = tables
    args = {"real": real.head(50), "synthetic": synthetic.head(50), **kwargs}
    with pytest.raises(error, match=match):
        QualityDashboard(**args).compute_metrics()


def test_save_report_into_an_unwritable_place_fails_clearly(tables, tmp_path):
    from genesis.errors import DataWriteError

    real, synthetic, _ = tables
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DataWriteError, match="cannot write the report"):
        QualityDashboard(real.head(50), synthetic.head(50)).save_report(blocker / "r.html")
