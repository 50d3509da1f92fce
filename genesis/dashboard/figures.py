"""Plotly figures comparing a real and a synthetic table.

Histograms and bar charts are computed here with numpy and pandas, and only their bins go into
the figures, so a report over many rows stays small and quick to render.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from genesis.dashboard._sections import attack_rows, drift_rows, number
from genesis.quality._prepare import PreparedTables
from genesis.schema.types import ColumnKind, ColumnSchema

REAL_COLOR = "#1f77b4"
SYNTHETIC_COLOR = "#ff7f0e"
#: bins of a numeric histogram; labels of a categorical bar chart (the rest are "(other)")
HISTOGRAM_BINS = 30
TOP_CATEGORIES = 20
#: points per table in a scatter plot (a seeded sample)
SCATTER_POINTS = 1_500
#: bins of a numeric column when it meets a categorical one in the association matrix
ASSOCIATION_BINS = 10
_HEIGHT = 360
#: fields of a drift report's column rows shown in its table, when present
DRIFT_COLUMNS = (
    "comparison",
    "column",
    "kind",
    "test",
    "value",
    "value_type",
    "threshold",
    "distribution_drift",
    "missing_drift",
    "drifted",
)


def _layout(fig: go.Figure, title: str, height: int = _HEIGHT, **kwargs: Any) -> go.Figure:
    fig.update_layout(
        title=title,
        height=height,
        margin={"l": 60, "r": 20, "t": 50, "b": 60},
        template="plotly_white",
        legend={"orientation": "h", "y": -0.2},
        **kwargs,
    )
    return fig


def distribution_figure(
    column: ColumnSchema, real: pd.Series, synthetic: pd.Series, prepared: PreparedTables | None
) -> go.Figure:
    """Real and synthetic distributions of one column overlaid, as shares of rows."""
    name = column.name
    if prepared is not None and name in prepared.numeric:
        return numeric_distribution(
            name,
            prepared.values["real"][name],
            prepared.values["synthetic"][name],
            is_datetime=column.kind is ColumnKind.DATETIME,
        )
    return categorical_distribution(name, real, synthetic, column.missing_tokens)


def numeric_distribution(
    name: str, real: np.ndarray, synthetic: np.ndarray, *, is_datetime: bool = False
) -> go.Figure:
    """Histograms of two float arrays on shared bins (datetimes as epoch seconds)."""
    present_r, present_s = real[~np.isnan(real)], synthetic[~np.isnan(synthetic)]
    both = np.concatenate([present_r, present_s])
    fig = go.Figure()
    if both.size:
        edges = np.histogram_bin_edges(both, bins=HISTOGRAM_BINS)
        centers = (edges[:-1] + edges[1:]) / 2
        width = float(edges[1] - edges[0]) if len(edges) > 1 else 1.0
        x: Any = centers
        if is_datetime:
            x = pd.to_datetime(centers, unit="s")
            width *= 1000.0  # plotly measures date axes in milliseconds
        for label, values, color in (
            ("real", present_r, REAL_COLOR),
            ("synthetic", present_s, SYNTHETIC_COLOR),
        ):
            counts, _ = np.histogram(values, bins=edges)
            share = counts / max(values.size, 1)
            fig.add_trace(
                go.Bar(x=x, y=share, width=width, name=label, marker_color=color, opacity=0.6)
            )
    return _layout(fig, f"{name}: distribution", barmode="overlay", yaxis_title="share of rows")


def categorical_distribution(
    name: str, real: pd.Series, synthetic: pd.Series, missing_tokens: list | None = None
) -> go.Figure:
    """Shares of the most frequent real labels, the rest as "(other)", missing as "(missing)"."""

    def shares(series: pd.Series) -> pd.Series:
        if missing_tokens:
            series = series.mask(series.isin(missing_tokens))
        labels = series.astype(object).where(series.notna(), "(missing)").astype(str)
        return labels.value_counts(normalize=True)

    real_shares, synth_shares = shares(real), shares(synthetic)
    top = list(real_shares.index[:TOP_CATEGORIES])
    fig = go.Figure()
    for label, values, color in (
        ("real", real_shares, REAL_COLOR),
        ("synthetic", synth_shares, SYNTHETIC_COLOR),
    ):
        y = values.reindex(top, fill_value=0.0)
        other = float(values.drop(index=top, errors="ignore").sum())
        x = top + (["(other)"] if len(real_shares) > len(top) or other > 0 else [])
        y_values = list(y.to_numpy()) + ([other] if len(x) > len(top) else [])
        fig.add_trace(go.Bar(x=x, y=y_values, name=label, marker_color=color))
    return _layout(fig, f"{name}: distribution", barmode="group", yaxis_title="share of rows")


def association_matrices(prepared: PreparedTables) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Association of every pair of modelled columns, in the real and the synthetic table.

    Two numeric columns: Pearson's r (signed). Any other pair: Cramér's V (0 to 1), numeric
    columns cut into equal-width bins of the real range, missing values a level of their own.
    """
    columns = prepared.modelled
    out = {
        t: pd.DataFrame(np.eye(len(columns)), index=columns, columns=columns)
        for t in ("real", "synthetic")
    }
    numeric = [c for c in columns if c in prepared.numeric]
    if len(numeric) >= 2:
        with np.errstate(divide="ignore", invalid="ignore"):
            for table in out:
                corr = prepared.frame(table, numeric).corr()
                out[table].loc[numeric, numeric] = corr.to_numpy()
    codes = {c: _discrete(prepared, c) for c in columns}
    for i, first in enumerate(columns):
        for second in columns[i + 1 :]:
            if first in prepared.numeric and second in prepared.numeric:
                continue
            (ra, sa, size_a), (rb, sb, size_b) = codes[first], codes[second]
            for table, a, b in (("real", ra, rb), ("synthetic", sa, sb)):
                value = _cramers_v(a, b, size_a, size_b)
                out[table].at[first, second] = out[table].at[second, first] = value
    return out["real"], out["synthetic"]


def _discrete(prepared: PreparedTables, name: str) -> tuple[np.ndarray, np.ndarray, int]:
    real, synth = prepared.values["real"][name], prepared.values["synthetic"][name]
    if name in prepared.categorical:
        size = prepared.n_levels[name] + 1
        return np.where(real < 0, size - 1, real), np.where(synth < 0, size - 1, synth), size
    present = real[~np.isnan(real)]
    edges = np.histogram_bin_edges(present if present.size else np.zeros(1), bins=ASSOCIATION_BINS)
    inner = edges[1:-1]
    missing = len(inner) + 1

    def cut(values: np.ndarray) -> np.ndarray:
        return np.where(np.isnan(values), missing, np.digitize(values, inner))

    return cut(real), cut(synth), missing + 1


def _cramers_v(a: np.ndarray, b: np.ndarray, size_a: int, size_b: int) -> float:
    if a.size == 0:
        return float("nan")
    observed = np.bincount(a.astype(np.int64) * size_b + b, minlength=size_a * size_b)
    observed = observed.reshape(size_a, size_b).astype(float)
    observed = observed[observed.sum(axis=1) > 0][:, observed.sum(axis=0) > 0]
    if min(observed.shape) < 2:
        return float("nan")
    total = observed.sum()
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / total
    chi2 = ((observed - expected) ** 2 / expected).sum()
    return float(np.sqrt(chi2 / (total * (min(observed.shape) - 1))))


def heatmap(matrix: pd.DataFrame, title: str, *, difference: bool = False) -> go.Figure:
    """A column-by-column heatmap; ``difference`` uses a 0-to-1 scale of absolute gaps."""
    values = matrix.to_numpy(dtype=float)
    text = np.where(np.isnan(values), "", np.round(values, 2).astype(str))
    colorscale, zmin, zmax = ("Reds", 0.0, 1.0) if difference else ("RdBu", -1.0, 1.0)
    fig = go.Figure(
        go.Heatmap(
            z=np.where(np.isnan(values), None, values).tolist(),
            x=list(matrix.columns),
            y=list(matrix.index),
            text=text.tolist(),
            hovertemplate="%{y} × %{x}: %{text}<extra></extra>",
            colorscale=colorscale,
            zmin=zmin,
            zmax=zmax,
            reversescale=not difference,
        )
    )
    size = max(420, 28 * len(matrix) + 160)
    return _layout(fig, title, height=size, yaxis={"autorange": "reversed"})


def strongest_pairs(
    real_assoc: pd.DataFrame, numeric: list[str], k: int = 3
) -> list[tuple[str, str, float]]:
    """The ``k`` numeric pairs with the largest ``|r|`` in the real table."""
    pairs = []
    for i, first in enumerate(numeric):
        for second in numeric[i + 1 :]:
            value = number(real_assoc.at[first, second])
            if value is not None:
                pairs.append((first, second, value))
    return sorted(pairs, key=lambda p: -abs(p[2]))[:k]


def scatter_figure(
    first: str, second: str, prepared: PreparedTables, r_real: float, seed: int
) -> go.Figure:
    """Real and synthetic points of one numeric pair (a seeded sample of each)."""
    rng = np.random.default_rng(seed)
    fig = go.Figure()
    for table, color in (("real", REAL_COLOR), ("synthetic", SYNTHETIC_COLOR)):
        x, y = prepared.values[table][first], prepared.values[table][second]
        keep = np.flatnonzero(~(np.isnan(x) | np.isnan(y)))
        if keep.size > SCATTER_POINTS:
            keep = np.sort(rng.choice(keep, SCATTER_POINTS, replace=False))
        fig.add_trace(
            go.Scatter(
                x=x[keep],
                y=y[keep],
                mode="markers",
                name=table,
                marker={"color": color, "size": 4, "opacity": 0.45},
            )
        )
    return _layout(
        fig, f"{first} vs {second} (real r = {r_real:.2f})", xaxis_title=first, yaxis_title=second
    )


def scores_figure(quality: dict[str, Any]) -> go.Figure:
    """The headline scores as horizontal bars on a 0-to-1 axis."""
    names = [
        ("overall_score", "overall"),
        ("quality_score", "quality (SDMetrics)"),
        ("column_shapes", "column shapes"),
        ("column_pair_trends", "column-pair trends"),
        ("missing_similarity", "missing values"),
        ("detection_score", "indistinguishability"),
    ]
    labels, values = [], []
    for key, label in names:
        value = number(quality.get(key))
        if value is not None:
            labels.append(label)
            values.append(value)
    fig = go.Figure(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            marker_color=REAL_COLOR,
            text=[f"{v:.3f}" for v in values],
            textposition="auto",
        )
    )
    return _layout(
        fig, "Scores (1 is best)", xaxis={"range": [0, 1]}, yaxis={"autorange": "reversed"}
    )


def column_scores_figure(quality: dict[str, Any]) -> go.Figure:
    """Per-column shape score (KS or TV complement)."""
    details = pd.DataFrame(quality.get("column_details") or [])
    fig = go.Figure()
    if not details.empty and "score" in details:
        details = details.dropna(subset=["score"])
        fig.add_trace(
            go.Bar(
                x=details["column"],
                y=details["score"],
                marker_color=REAL_COLOR,
                customdata=details["metric"],
                hovertemplate="%{x}: %{y:.3f} (%{customdata})<extra></extra>",
            )
        )
    return _layout(fig, "Column shapes: similarity per column", yaxis={"range": [0, 1]})


def ml_utility_figure(utility: dict[str, Any]) -> go.Figure:
    """Train-synthetic-test-real vs train-real-test-real, per metric."""
    scores = utility.get("scores") or {}
    metrics = list(scores)
    fig = go.Figure()
    for key, label, color in (
        ("trtr", "trained on real", REAL_COLOR),
        ("tstr", "trained on synthetic", SYNTHETIC_COLOR),
    ):
        fig.add_trace(
            go.Bar(
                x=metrics,
                y=[number(scores[m].get(key)) for m in metrics],
                name=label,
                marker_color=color,
            )
        )
    target = utility.get("target", "")
    return _layout(
        fig,
        f"ML utility: predicting '{target}' on {utility.get('test_set', 'real rows')}",
        barmode="group",
    )


def privacy_figure(quality: dict[str, Any], privacy: dict[str, Any] | None) -> go.Figure:
    """Attack risks when a privacy audit is given, else the copy and distance figures."""
    rows = attack_rows(privacy) if privacy else []
    risky = [(str(r.get("name", r.get("attack", "attack"))), number(r.get("risk"))) for r in rows]
    risky = [(n, v) for n, v in risky if v is not None]
    if risky:
        fig = go.Figure(
            go.Bar(
                x=[n for n, _ in risky],
                y=[v for _, v in risky],
                marker_color=SYNTHETIC_COLOR,
                text=[f"{v:.3f}" for _, v in risky],
                textposition="auto",
            )
        )
        return _layout(fig, "Privacy attacks: risk (0 is best)", yaxis={"range": [0, 1]})
    labels, values = [], []
    for key, label in (
        ("exact_copy_share", "exact copies of training rows"),
        ("dcr_ratio", "DCR ratio (synthetic / holdout)"),
    ):
        value = number(quality.get(key))
        if value is not None:
            labels.append(label)
            values.append(value)
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=values,
            marker_color=SYNTHETIC_COLOR,
            text=[f"{v:.3f}" for v in values],
            textposition="auto",
        )
    )
    return _layout(fig, "Privacy sanity: copies and distance to closest record")


def drift_figure(drift: dict[str, Any]) -> go.Figure:
    """The drift report's per-column results as a table."""
    rows = drift_rows(drift)
    if not rows:
        rows = [
            {"figure": k, "value": v} for k, v in drift.items() if not isinstance(v, dict | list)
        ]
    header = list(dict.fromkeys(k for r in rows for k in r))
    preferred = [h for h in DRIFT_COLUMNS if h in header]
    header = preferred if len(preferred) >= 2 else header
    cells = [[_cell(r.get(h)) for r in rows] for h in header]
    fig = go.Figure(
        go.Table(
            header={"values": header, "align": "left"}, cells={"values": cells, "align": "left"}
        )
    )
    return _layout(fig, "Drift by column", height=max(_HEIGHT, 30 * len(rows) + 120))


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else str(value)
