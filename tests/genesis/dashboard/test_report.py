"""QualityDashboard: metrics, the "can this be shared?" header, the self-contained page, the
reference's keywords, and bad inputs."""

from __future__ import annotations

import json
import re

import pandas as pd
import plotly.offline
import pytest

from genesis.dashboard import InteractiveDashboard, QualityDashboard, create_dashboard
from genesis.errors import InvalidDataError, InvalidParameterError


@pytest.fixture(scope="module")
def dashboard(tables):
    real, synthetic, holdout = tables
    return QualityDashboard(real, synthetic, name="Adult <CART>", target="income", holdout=holdout)


def _metrics_block(page: str) -> dict:
    data = re.search(r'<script type="application/json" id="genesis-metrics">(.*?)</script>', page)
    return json.loads(data.group(1))


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
    assert metrics["share"]["shareable"] is None  # no threshold, no audit: not decided
    json.dumps(metrics, allow_nan=False)  # JSON-safe
    assert dashboard.compute_metrics() is metrics  # cached


def test_the_page_opens_with_the_share_verdict(tables, privacy_report, drift_report):
    from genesis.verdict import share_verdict

    real, synthetic, holdout = tables
    board = QualityDashboard(
        real,
        synthetic,
        name="Adult",
        target="income",
        holdout=holdout,
        privacy_report=privacy_report,
        drift_report=drift_report,
        method="cart",
        snapshot_id=8312694470161203,
        model_uri="models:/adult/7",
        lineage_hash="9f2c41d0",
        quality_threshold=0.5,
    )
    metrics = board.compute_metrics()
    expected = share_verdict(
        metrics["quality"],
        privacy_report,
        drift_report,
        quality_threshold=0.5,
        snapshot_id="8312694470161203",
        model_uri="models:/adult/7",
        lineage_hash="9f2c41d0",
    )
    assert [tuple(r) for r in metrics["share"]["rows"]] == expected.rows()
    page = board.generate_html_report()
    header = page[page.index("<body>") : page.index("<h2>Scores</h2>")]
    for label, value in expected.rows():  # the same rows as the Dagster UI, at the top
        assert f"{label}" in header and f"{value}".replace("'", "&#39;") in header
    assert "8312694470161203" in header and "models:/adult/7" in header and "9f2c41d0" in header
    assert '<h1 id="title">Adult (cart)</h1>' in page
    assert ("inconclusive" in header) == bool(expected.privacy.inconclusive)
    verdict_class = {True: "yes", False: "no", None: "undecided"}[expected.shareable]
    assert f'<section id="verdict" class="{verdict_class}">' in page


def test_a_failing_threshold_makes_the_version_not_shareable(tables):
    real, synthetic, _ = tables
    report = {"overall_score": 0.7, "quality_score": 0.75, "column_details": []}
    board = QualityDashboard(real, synthetic, quality_report=report, quality_threshold=0.8)
    assert board.compute_metrics()["share"]["shareable"] is False
    page = board.generate_html_report()
    assert '<section id="verdict" class="no">' in page
    assert "overall 0.700, &lt; threshold 0.8" in page


def test_title_shows_the_method_chosen_never_auto(tables):
    from genesis.automl import AutoMLSynthesizer

    real, synthetic, _ = tables
    report = {"overall_score": 0.9, "column_details": []}
    assert (
        QualityDashboard(real, synthetic, quality_report=report, method="cart").compute_metrics()[
            "title"
        ]
        == "Quality Report (cart)"
    )
    automl = AutoMLSynthesizer(methods=["gaussian_copula"], seed=0).fit(real.head(400))
    metrics = QualityDashboard(
        real, synthetic, quality_report=report, method=automl
    ).compute_metrics()
    assert metrics["method"] == "gaussian_copula" and "(gaussian_copula)" in metrics["title"]
    for method in ("auto", "", AutoMLSynthesizer()):
        with pytest.raises(InvalidParameterError, match="method"):
            QualityDashboard(
                real, synthetic, quality_report=report, method=method
            ).compute_metrics()


def test_html_is_one_self_contained_page(dashboard):
    page = dashboard.generate_html_report()
    plotly_js = plotly.offline.get_plotlyjs()
    assert page.count(plotly_js[:200]) == 1  # Plotly's JavaScript inlined once
    rest = page.replace(plotly_js, "")  # the library's own code mentions URLs it never loads
    assert "<script src" not in rest and 'src="http' not in rest and "cdn.plot.ly" not in rest
    assert re.findall(r"<link[^>]*>", rest) == ['<link rel="icon" href="data:,">']  # no fetch
    figures = dashboard.generate_plotly_figures()
    assert page.count('class="plotly-graph-div genesis-figure"') == len(figures)
    assert page.count('type="application/json" id="genesis-figure-') == len(figures)
    assert '<h1 id="title">Adult &lt;CART&gt;</h1>' in page  # the name is escaped
    assert "<title>Adult &lt;CART&gt;</title>" in page
    assert 'id="verdict"' in page
    assert _metrics_block(page)["n_real"] == 1_500


def test_tables_are_readable(tables, privacy_report, drift_report):
    real, synthetic, holdout = tables
    board = QualityDashboard(
        real, synthetic, target="income", holdout=holdout, privacy_report=privacy_report,
        drift_report=drift_report,
    )  # fmt: skip
    page = board.generate_html_report()
    cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", page, flags=re.S)
    assert cells and not {"True", "False", "None", "nan", ""} & {c.strip() for c in cells}
    assert not [c for c in cells if re.fullmatch(r"[a-z]+(_[a-z0-9]+)+(\.[a-z_]+)?", c.strip())]
    assert (
        "Membership inference" in page
        and "membership_result" not in page.split("<footer")[0].split('id="genesis-metrics"')[0]
    )
    attacks = re.search(r'<table class="figures attacks" id="attacks">(.*?)</table>', page, re.S)
    assert "95% interval" in attacks.group(1) and " to " in attacks.group(1)
    numbers = re.findall(r"<td>(-?\d+\.\d+)</td>", page)
    assert numbers and all(len(n.split(".")[1]) <= 4 for n in numbers)  # rounded


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
        "overall_risk": "HIGH",
        "passed": False,
        "max_risk_level": "MEDIUM",
        "attacks": [
            {"name": "membership_inference", "risk": 0.31, "risk_ci": [0.2, 0.4], "risk_level": "HIGH"},
            {"name": "attribute_inference", "risk": 0.05, "risk_ci": [-0.1, 0.2], "risk_level": "LOW"},
        ],
    }  # fmt: skip
    board = QualityDashboard(
        real, synthetic, include_ml_utility=False, privacy_report=privacy, drift_report=drift
    )
    metrics = board.compute_metrics()
    assert metrics["ml_utility"] is None
    assert "privacy audit did not pass" in metrics["verdict"]["text"]
    assert metrics["share"]["shareable"] is False
    assert [a["name"] for a in metrics["privacy"]["attacks"]][0] == "membership_inference"
    assert len(metrics["drift"]["columns"]) == real.shape[1]
    page = board.generate_html_report()
    assert "Privacy audit did not pass" in page and "<h2>Drift</h2>" in page
    assert "No column drifted." in page or 'id="drifted-columns"' in page


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
    density = figures["density:month|time_hour"].data[0]  # time on its axis, not seconds
    assert pd.Timestamp(density.y[0]).year == 2013
    assert board.generate_html_report().count('plotly-graph-div genesis-figure"') == len(figures)


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


def test_the_reference_keywords_and_the_positional_form(tables, tmp_path):
    """``real_data=`` / ``synthetic_data=`` as the v1.3 reference names them."""
    real, synthetic, _ = tables
    report = {"overall_score": 0.9, "column_details": []}
    by_keyword = QualityDashboard(
        real_data=real.head(200), synthetic_data=synthetic.head(200), quality_report=report
    )
    by_position = QualityDashboard(real.head(200), synthetic.head(200), quality_report=report)
    assert by_keyword.compute_metrics()["n_real"] == by_position.compute_metrics()["n_real"] == 200
    page = create_dashboard(
        real_data=real.head(200), synthetic_data=synthetic.head(200), output_path=tmp_path / "k.html",
        name="By keyword", method="cart",
    )  # fmt: skip
    assert "By keyword (cart)" in page and (tmp_path / "k.html").exists()
    live = InteractiveDashboard(
        real_data=real.head(50), synthetic_data=synthetic.head(50), port=8123
    )
    assert live.real_data is not None and live.port == 8123


@pytest.mark.parametrize(
    ("factory", "kwargs", "match"),
    [
        (QualityDashboard, {"real_data": "a.csv"}, "real_data must be a pandas DataFrame, got str"),
        (QualityDashboard, {"synthetic_data": [1, 2]}, "synthetic_data must be a pandas DataFrame"),
        (QualityDashboard, {"holdout": {"age": [1]}}, "holdout must be a pandas DataFrame"),
        (create_dashboard, {"real_data": None}, "real_data must be a pandas DataFrame"),
        (InteractiveDashboard, {"synthetic_data": "b.csv"}, "synthetic_data must be a pandas"),
    ],
)
def test_wrong_types_are_refused_at_once(tables, factory, kwargs, match):
    real, synthetic, _ = tables
    args = {"real_data": real.head(50), "synthetic_data": synthetic.head(50), **kwargs}
    with pytest.raises(InvalidDataError, match=match):
        factory(**args)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"synthetic_data": pd.DataFrame()}, InvalidDataError, "no rows"),
        ({"synthetic_data": pd.DataFrame({"age": [1]})}, InvalidDataError, "lacks"),
        ({"target": "salary"}, InvalidParameterError, "target 'salary'"),
        ({"name": ""}, InvalidParameterError, "name"),
        ({"privacy_report": 3}, InvalidParameterError, "privacy_report"),
        ({"quality_threshold": 1.5}, InvalidParameterError, "quality_threshold"),
        ({"quality_threshold": "high"}, InvalidParameterError, "quality_threshold"),
        ({"show_real_points": "yes"}, InvalidParameterError, "show_real_points"),
    ],
)
def test_bad_inputs_raise_clear_errors(tables, kwargs, error, match):
    real, synthetic, _ = tables
    args = {"real_data": real.head(50), "synthetic_data": synthetic.head(50), **kwargs}
    with pytest.raises(error, match=match):
        QualityDashboard(**args).compute_metrics()


def test_save_report_into_an_unwritable_place_fails_clearly(tables, tmp_path):
    from genesis.errors import DataWriteError

    real, synthetic, _ = tables
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DataWriteError, match="cannot write the report"):
        QualityDashboard(real.head(50), synthetic.head(50)).save_report(blocker / "r.html")


def test_the_page_names_the_column_that_gives_the_table_away(giveaway_boards):
    _, broken = giveaway_boards
    metrics = broken.compute_metrics()
    giveaways = metrics["giveaways"]
    assert giveaways["measured"] is True and giveaways["threshold"] == 0.6
    assert [g["column"] for g in giveaways["columns"]] == ["age"]
    age = next(d for d in metrics["quality"]["column_details"] if d["column"] == "age")
    assert giveaways["columns"][0]["detection_auc"] == pytest.approx(age["detection_auc"])
    page = broken.generate_html_report()
    listed = re.search(r'<ul id="giveaways">(.*?)</ul>', page, re.S).group(1)
    items = re.findall(r"<li>(.*?)</li>", listed)
    assert items == [
        f"<b>age</b>: detection AUC {age['detection_auc']:.3f}; real-vs-synthetic shape score "
        f"{age['score']:.3f} (KSComplement)"
    ]
    assert "1 column gives the synthetic table away:" in page
    assert 'data-key="column_detection"' in page
    assert _metrics_block(page)["giveaways"]["columns"][0]["column"] == "age"
    section = page[page.index("<h2>What gives it away</h2>") : page.index("Column distributions")]
    assert "No column gives" not in section


def test_the_page_says_so_when_no_column_gives_the_table_away(giveaway_boards):
    faithful, _ = giveaway_boards
    metrics = faithful.compute_metrics()
    assert metrics["giveaways"]["measured"] is True and metrics["giveaways"]["columns"] == []
    page = faithful.generate_html_report()
    assert '<ul id="giveaways">' not in page
    assert (
        '<p id="giveaways">No column gives the synthetic table away on its own: every '
        "column&#39;s detection AUC is at most 0.6 (0.5 = indistinguishable).</p>"
    ) in page
    assert 'data-key="column_detection"' in page  # the chart shows how far below the line


def test_a_stored_report_without_per_column_detection_says_it_was_not_measured(tables):
    real, synthetic, _ = tables
    report = {"overall_score": 0.9, "column_details": [{"column": "age", "score": 0.95}]}
    board = QualityDashboard(real.head(200), synthetic.head(200), quality_report=report)
    assert board.compute_metrics()["giveaways"]["measured"] is False
    assert "column_detection" not in board.generate_plotly_figures()
    page = board.generate_html_report()
    assert '<p id="giveaways">Per-column detection was not measured in this report' in page
    assert 'data-key="column_detection"' not in page
    broken = {"overall_score": 0.9, "column_details": "age"}
    with pytest.raises(InvalidParameterError, match="column_details"):
        QualityDashboard(real.head(50), synthetic.head(50), quality_report=broken).compute_metrics()
