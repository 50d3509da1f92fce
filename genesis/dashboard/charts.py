"""The report's summary charts: scores, ML utility, privacy risks and drift.

Each chart is built from a report dict (``QualityReport.to_dict()``, a privacy audit's or a
drift report's ``to_dict()``), never from rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from genesis.dashboard._sections import attack_rows, drift_parts, drift_rows, label
from genesis.dashboard.figures import HEIGHT, REAL_COLOR, SYNTHETIC_COLOR, layout
from genesis.jsonsafe import finite
from genesis.quality.report import GIVEAWAY_AUC

#: the scores chart, top to bottom: (quality report key, label)
SCORES = (
    ("overall_score", "overall (headline)"),
    ("quality_score", "fidelity (SDMetrics)"),
    ("column_shapes", "column shapes"),
    ("column_pair_trends", "column-pair trends"),
    ("missing_similarity", "missing values"),
    ("detection_score", "indistinguishability"),
)
#: drift chart cell states: (value, label, colour)
_DRIFT_STATES = ((0, "no drift", "#cfe8d4"), (1, "missing rate drifted", "#f6c667"),
                 (2, "distribution drifted", "#d9534f"))  # fmt: skip


def scores_figure(quality: dict[str, Any]) -> go.Figure:
    """The headline scores as horizontal bars on a fixed 0-to-1 axis."""
    labels, values = [], []
    for key, name in SCORES:
        value = finite(quality.get(key))
        if value is not None:
            labels.append(name)
            values.append(value)
    fig = go.Figure(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            marker_color=REAL_COLOR,
            text=[f"{v:.3f}" for v in values],
            textposition="inside",
            insidetextanchor="end",
            hovertemplate="%{y}: %{x:.4f}<extra></extra>",
        )
    )
    return layout(
        fig,
        "Scores (1 is best)",
        xaxis={"range": [0, 1], "autorange": False, "dtick": 0.1, "fixedrange": True},
        yaxis={"autorange": "reversed"},
    )


def column_scores_figure(quality: dict[str, Any]) -> go.Figure:
    """Per-column shape score (KS or TV complement) on a fixed 0-to-1 axis."""
    details = pd.DataFrame(quality.get("column_details") or [])
    fig = go.Figure()
    if not details.empty and "score" in details:
        details = details.dropna(subset=["score"])
        metric = details["metric"] if "metric" in details else pd.Series("score", details.index)
        fig.add_trace(
            go.Bar(
                x=details["column"],
                y=details["score"],
                marker_color=REAL_COLOR,
                customdata=metric,
                hovertemplate="%{x}: %{y:.3f} (%{customdata})<extra></extra>",
            )
        )
    return layout(
        fig,
        "Column shapes: similarity per column (1 is best)",
        yaxis={"range": [0, 1], "autorange": False},
        xaxis={"tickangle": -45},
    )


#: bar colour of a column that gives the synthetic table away
GIVEAWAY_COLOR = "#d9534f"


def column_detection_figure(quality: dict[str, Any], threshold: float = GIVEAWAY_AUC) -> go.Figure:
    """Each column's own detection AUC (how well that column alone tells synthetic rows from
    real ones), most revealing first, on a fixed 0.5-to-1 axis with a line at ``threshold``:
    bars past the line are the columns that give the synthetic table away. The hover text
    adds the column's shape score."""
    details = pd.DataFrame(quality.get("column_details") or [])
    fig = go.Figure()
    n = 0
    if not details.empty and "detection_auc" in details:
        details = details.assign(
            detection_auc=pd.to_numeric(details["detection_auc"], errors="coerce")
        ).dropna(subset=["detection_auc"])
        details = details.sort_values("detection_auc", ascending=False, kind="stable")
        auc = details["detection_auc"].to_numpy(dtype=float)
        shape = (
            pd.to_numeric(details["score"], errors="coerce").to_numpy(dtype=float)
            if "score" in details
            else np.full(auc.size, np.nan)
        )
        n = auc.size
        fig.add_trace(
            go.Bar(
                x=np.clip(auc, 0.5, 1.0),  # below 0.5 is noise of the cross-fitting
                y=details["column"].astype(str),
                orientation="h",
                marker_color=np.where(auc > threshold, GIVEAWAY_COLOR, REAL_COLOR).tolist(),
                text=[f"{a:.3f}" for a in auc],
                textposition="outside",  # readable on short bars too
                cliponaxis=False,
                customdata=np.stack([auc, shape], axis=1).round(4).tolist(),
                hovertemplate="%{y}: detection AUC %{customdata[0]:.3f}, "
                "shape score %{customdata[1]:.3f}<extra></extra>",
            )
        )
    fig.add_vline(x=threshold, line={"color": GIVEAWAY_COLOR, "dash": "dash"})
    fig.add_annotation(
        x=threshold, y=1, xref="x", yref="paper", xanchor="left", yanchor="bottom",
        text=f" gives it away above {threshold:g}", showarrow=False,
        font={"color": GIVEAWAY_COLOR},
    )  # fmt: skip
    return layout(
        fig,
        "What gives it away: each column's own detection AUC (0.5 = indistinguishable)",
        height=max(HEIGHT - 60, 22 * n + 160),
        xaxis={"range": [0.5, 1], "autorange": False, "dtick": 0.05, "fixedrange": True,
               "title": "detection AUC of the column alone"},
        yaxis={"autorange": "reversed", "automargin": True},
        margin={"l": 60, "r": 50, "t": 84, "b": 40},  # room for the label and outside text
    )  # fmt: skip


def ml_utility_figure(utility: dict[str, Any]) -> go.Figure:
    """Train-synthetic-test-real vs train-real-test-real, per metric."""
    scores = utility.get("scores") or {}
    metrics = list(scores)
    fig = go.Figure()
    for key, name, color in (
        ("trtr", "trained on real", REAL_COLOR),
        ("tstr", "trained on synthetic", SYNTHETIC_COLOR),
    ):
        values = [finite(scores[m].get(key)) for m in metrics]
        fig.add_trace(
            go.Bar(
                x=metrics,
                y=values,
                name=name,
                marker_color=color,
                text=[f"{v:.3f}" if v is not None else "n/a" for v in values],
                textposition="auto",
            )
        )
    target = utility.get("target", "")
    return layout(
        fig,
        f"ML utility: predicting '{target}', tested on {utility.get('test_set', 'real rows')}",
        barmode="group",
    )


def risk_threshold(privacy: dict[str, Any] | None) -> float | None:
    """The risk at which the audit fails: the lower bound of the first level above the
    highest accepted one (``max_risk_level``); None when every level passes or none is given."""
    from genesis.privacy_attacks.risk import RISK_THRESHOLDS

    level = str((privacy or {}).get("max_risk_level") or "").upper()
    bounds = {getattr(k, "value", str(k)).upper(): v for k, v in RISK_THRESHOLDS.items()}
    return bounds.get(level)


def privacy_figure(quality: dict[str, Any], privacy: dict[str, Any] | None) -> go.Figure:
    """Attack risks with their 95 % intervals and the audit's threshold when a privacy audit
    is given, else the copy and distance figures of the quality evaluation."""
    rows = [
        r for r in (attack_rows(privacy) if privacy else []) if finite(r.get("risk")) is not None
    ]
    if rows:
        names = [label(str(r.get("name", "attack"))) for r in rows]
        risks = np.array([finite(r["risk"]) for r in rows])
        low = np.array(
            [
                finite(r.get("risk_low")) if r.get("risk_low") is not None else v
                for r, v in zip(rows, risks, strict=True)
            ]
        )
        high = np.array(
            [
                finite(r.get("risk_high")) if r.get("risk_high") is not None else v
                for r, v in zip(rows, risks, strict=True)
            ]
        )
        levels = [str(r.get("risk_level") or "") for r in rows]
        names = [f"{n} ({lv})" if lv else n for n, lv in zip(names, levels, strict=True)]
        threshold = risk_threshold(privacy)
        right = max(float(np.nanmax(high)), threshold or 0.0, 0.2) + 0.05
        left = min(0.0, float(np.nanmin(low)) - 0.02)
        fig = go.Figure(
            go.Bar(
                x=risks,
                y=names,
                orientation="h",
                marker_color=SYNTHETIC_COLOR,
                error_x={"type": "data", "symmetric": False, "array": high - risks,
                         "arrayminus": risks - low, "color": "#333", "thickness": 1.5},
                customdata=np.stack([low, high], axis=1),
                hovertemplate="%{y}: risk %{x:.3f} (95% interval %{customdata[0]:.3f} to "
                "%{customdata[1]:.3f})<extra></extra>",
            )
        )  # fmt: skip
        if threshold is not None:
            fig.add_vline(
                x=threshold,
                line={"color": "#b00020", "dash": "dash"},
                annotation_text=f"fails from {threshold:g} (above {privacy.get('max_risk_level')})",
                annotation_position="top right",
                annotation_font_color="#b00020",
            )
        return layout(
            fig,
            "Privacy attacks: risk and 95% interval (0: no leak; below 0: no better than on strangers)",
            height=max(HEIGHT - 60, 60 * len(rows) + 130),
            xaxis={
                "range": [left, right],
                "title": "risk",
                "zeroline": True,
                "zerolinecolor": "#888",
            },
            yaxis={"autorange": "reversed", "automargin": True},
            margin={"l": 20, "r": 30, "t": 80, "b": 50},
        )
    share = finite(quality.get("exact_copy_share"))
    fig = go.Figure(
        go.Bar(
            x=[share],
            y=["copies"],
            orientation="h",
            marker_color=SYNTHETIC_COLOR,
            text=["n/a" if share is None else f"{share:.1%}"],
            textposition="auto",
            hovertemplate="%{x:.2%} of the synthetic rows copy a training row<extra></extra>",
        )
    )
    return layout(
        fig,
        "Synthetic rows that copy a training row (no privacy audit given)",
        height=200,
        xaxis={"range": [0, 1], "autorange": False, "tickformat": ".0%"},
    )


def _state(row: dict[str, Any]) -> int:
    if row.get("distribution_drift"):
        return 2
    return 1 if row.get("drifted") or row.get("missing_drift") else 0


def _hover(row: dict[str, Any]) -> str:
    value, threshold = finite(row.get("value")), finite(row.get("threshold"))
    test = row.get("test", "test")
    if value is None:
        text = f"{test}: n/a (nothing to compare)"
    else:
        text = (
            f"{test} {value:.4g} (threshold {threshold:g})"
            if threshold is not None
            else f"{test} {value:.4g}"
        )
    before, after = (
        finite(row.get("missing_share_baseline")),
        finite(row.get("missing_share_current")),
    )
    if before is not None and after is not None:
        text += f"<br>missing {before:.1%} → {after:.1%}"
    if row.get("compared_by") == "format":
        text += "<br>personal data: compared by format"
    return text


def drift_figure(drift: dict[str, Any]) -> go.Figure:
    """One compact strip per comparison: a cell per column, coloured by its drift state
    (no drift, missing rate drifted, distribution drifted), the test in the hover text."""
    rows = drift_rows(drift)
    parts = [name for name, _ in drift_parts(drift)] or [""]
    columns = list(dict.fromkeys(str(r.get("column")) for r in rows))
    z = np.full((len(parts), len(columns)), np.nan)
    hover = [["n/a (not compared)"] * len(columns) for _ in parts]
    for r in rows:
        i = (
            parts.index(r.get("comparison", parts[0]))
            if r.get("comparison", parts[0]) in parts
            else 0
        )
        j = columns.index(str(r.get("column")))
        z[i, j] = _state(r)
        hover[i][j] = _hover(r)
    names = [label(p) if p else "current vs baseline" for p in parts]
    scale = []
    for value, _, color in _DRIFT_STATES:
        scale += [[value / 2, color]]
    fig = go.Figure(
        go.Heatmap(
            z=np.where(np.isnan(z), None, z).tolist(),
            x=columns,
            y=names,
            customdata=hover,
            hovertemplate="%{y}<br>%{x}: %{customdata}<extra></extra>",
            colorscale=scale,
            zmin=0,
            zmax=2,
            xgap=2,
            ygap=2,
            showscale=False,
        )
    )
    for _, name, color in _DRIFT_STATES:  # a legend for the three colours
        fig.add_trace(
            go.Scatter(x=[None], y=[None], mode="markers", name=name,
                       marker={"size": 12, "color": color, "symbol": "square"})
        )  # fmt: skip
    return layout(
        fig,
        "Drift by column (hover a cell for the test, its value and the missing rates)",
        height=170 + 45 * len(parts),
        xaxis={"tickangle": -45, "showgrid": False, "automargin": True},
        yaxis={"showgrid": False, "automargin": True, "autorange": "reversed"},
        margin={"l": 20, "r": 20, "t": 60, "b": 20},
        legend={"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"},
    )
