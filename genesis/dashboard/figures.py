"""Plotly figures comparing a real and a synthetic table, column by column and pair by pair.

Every figure is built from aggregates computed here with numpy and pandas: shares per bin or
label, association coefficients, counts per 2-D cell. No figure carries a row of the real
table, so a report can be shared: labels and cells with fewer than :data:`MIN_CELL_ROWS`
rows are merged or left blank. Only :func:`scatter_figure`, used when a report is built with
``show_real_points=True``, draws individual rows.

Figures never fix their width: they fill their container and follow it when it changes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from genesis.jsonsafe import finite
from genesis.quality._prepare import PreparedTables
from genesis.schema.types import ColumnKind, ColumnSchema

REAL_COLOR = "#1f77b4"
SYNTHETIC_COLOR = "#ff7f0e"
#: bins of a numeric histogram; labels of a categorical bar chart (the rest are "(other)")
HISTOGRAM_BINS = 30
TOP_CATEGORIES = 20
#: least rows behind a label, a bin of a pair's density or a 2-D cell shown on its own:
#: smaller groups are merged into "(other)" or left blank, so no figure singles out a row
MIN_CELL_ROWS = 10
#: a numeric column is zero-inflated when at least this share of its real values is 0
ZERO_INFLATED_SHARE = 0.5
#: bins per axis of a pair's 2-D density
DENSITY_BINS = 20
#: points per table in an opt-in scatter plot (a seeded sample)
SCATTER_POINTS = 1_500
#: bins of a numeric column when it meets a categorical one in the association matrix
ASSOCIATION_BINS = 10
HEIGHT = 360
OTHER = "(other)"
MISSING = "(missing)"


def layout(fig: go.Figure, title: str, height: int = HEIGHT, **kwargs: Any) -> go.Figure:
    """The report's common layout: a title, a fixed height, the container's width."""
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left"},
        height=height,
        autosize=True,
        margin={"l": 60, "r": 20, "t": 64, "b": 40},
        template="plotly_white",
        # above the plot, right: never over rotated tick labels below it
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.0, "yanchor": "bottom"},
    )
    fig.update_layout(**kwargs)
    return fig


# --- one column ---------------------------------------------------------------------------------


def distribution_figure(
    column: ColumnSchema, real: pd.Series, synthetic: pd.Series, prepared: PreparedTables | None
) -> go.Figure:
    """Real and synthetic distributions of one column overlaid, as shares of rows.

    Numeric columns: histograms on shared bins, or for a zero-inflated column the share of
    zeros in the title and the histogram of the other values. Personal-data columns (replaced
    by fakes): the formats of their values. Others: shares of the most frequent labels.
    """
    name = column.name
    if prepared is not None and name in prepared.numeric:
        real_v, synth_v = prepared.values["real"][name], prepared.values["synthetic"][name]
        if column.kind is not ColumnKind.DATETIME and _zero_share(real_v) >= ZERO_INFLATED_SHARE:
            return zero_inflated_distribution(name, real_v, synth_v)
        return numeric_distribution(
            name, real_v, synth_v, is_datetime=column.kind is ColumnKind.DATETIME
        )
    if column.pii:
        from genesis.drift.columns import value_format

        tokens = column.missing_tokens
        real, synthetic = (value_format(_masked(s, tokens)) for s in (real, synthetic))
        fig = categorical_distribution(name, real, synthetic)
        fig.update_layout(title_text=f"{name}: formats of the values (personal data, replaced)")
        return fig
    return categorical_distribution(name, real, synthetic, column.missing_tokens)


def _zero_share(values: np.ndarray) -> float:
    present = values[~np.isnan(values)]
    return float(np.mean(present == 0)) if present.size else 0.0


def _histogram_bars(
    fig: go.Figure, real: np.ndarray, synthetic: np.ndarray, *, is_datetime: bool = False
) -> None:
    both = np.concatenate([real, synthetic])
    if not both.size:
        return
    edges = _bin_edges(both, is_datetime)
    centers = (edges[:-1] + edges[1:]) / 2
    width = float(edges[1] - edges[0]) if len(edges) > 1 else 1.0
    x: Any = centers
    if is_datetime:
        x = pd.to_datetime(centers, unit="s")
        width *= 1000.0  # plotly measures date axes in milliseconds
    for label, values, color in (
        ("real", real, REAL_COLOR),
        ("synthetic", synthetic, SYNTHETIC_COLOR),
    ):
        counts, _ = np.histogram(values, bins=edges)
        share = counts / max(values.size, 1)
        fig.add_trace(
            go.Bar(x=x, y=share, width=width, name=label, marker_color=color, opacity=0.6)
        )


def _bin_edges(values: np.ndarray, is_datetime: bool) -> np.ndarray:
    """:data:`HISTOGRAM_BINS` equal bins; whole numbers get bins of whole widths centred on
    them, so that no bin holds one more integer than its neighbour (a saw-tooth of ages)."""
    low, high = float(values.min()), float(values.max())
    if not is_datetime and np.array_equal(values, np.round(values)) and high - low < 1e12:
        width = max(1.0, float(np.ceil((high - low + 1) / HISTOGRAM_BINS)))
        return np.arange(low - 0.5, high + width, width)
    return np.histogram_bin_edges(values, bins=HISTOGRAM_BINS)


def numeric_distribution(
    name: str, real: np.ndarray, synthetic: np.ndarray, *, is_datetime: bool = False
) -> go.Figure:
    """Histograms of two float arrays on shared bins (datetimes as epoch seconds)."""
    fig = go.Figure()
    _histogram_bars(
        fig, real[~np.isnan(real)], synthetic[~np.isnan(synthetic)], is_datetime=is_datetime
    )
    return layout(fig, f"{name}: distribution", barmode="overlay", yaxis_title="share of rows")


def zero_inflated_distribution(name: str, real: np.ndarray, synthetic: np.ndarray) -> go.Figure:
    """A column that is mostly 0 (``capital-gain``: 92 %): the zero shares in the title and a
    histogram of the non-zero values, so their shape is visible at all."""
    present_r, present_s = real[~np.isnan(real)], synthetic[~np.isnan(synthetic)]
    zeros_r, zeros_s = _zero_share(real), _zero_share(synthetic)
    fig = go.Figure()
    _histogram_bars(fig, present_r[present_r != 0], present_s[present_s != 0])
    fig = layout(
        fig, f"{name}: values other than 0", barmode="overlay", yaxis_title="share of non-zero rows"
    )
    fig.add_annotation(
        text=f"0 in {zeros_r:.1%} of real and {zeros_s:.1%} of synthetic rows",
        xref="paper",
        yref="paper",
        x=0.99,
        y=0.96,
        showarrow=False,
        align="right",
        bgcolor="rgba(255,255,255,0.8)",
    )
    return fig


def _masked(series: pd.Series, missing_tokens: list | None) -> pd.Series:
    return series.mask(series.isin(missing_tokens)) if missing_tokens else series


def categorical_distribution(
    name: str, real: pd.Series, synthetic: pd.Series, missing_tokens: list | None = None
) -> go.Figure:
    """Shares of the most frequent real labels; labels of fewer than :data:`MIN_CELL_ROWS`
    real rows and the rest as "(other)", missing values as "(missing)"."""

    def counts(series: pd.Series) -> pd.Series:
        series = _masked(series, missing_tokens)
        labels = series.astype(object).where(series.notna(), MISSING).astype(str)
        return labels.value_counts()

    real_counts, synth_counts = counts(real), counts(synthetic)
    frequent = real_counts[real_counts >= MIN_CELL_ROWS]
    top = list(frequent.index[:TOP_CATEGORIES])
    fig = go.Figure()
    for label, values, color in (
        ("real", real_counts, REAL_COLOR),
        ("synthetic", synth_counts, SYNTHETIC_COLOR),
    ):
        shares = values / max(int(values.sum()), 1)
        y = list(shares.reindex(top, fill_value=0.0).to_numpy())
        other = float(shares.drop(index=top, errors="ignore").sum())
        x = list(top)
        if len(real_counts) > len(top) or other > 0:
            x.append(OTHER)
            y.append(other)
        fig.add_trace(go.Bar(x=x, y=y, name=label, marker_color=color))
    return layout(
        fig,
        f"{name}: distribution",
        barmode="group",
        yaxis_title="share of rows",
        xaxis={"tickangle": -45 if sum(map(len, top)) > 40 else 0, "automargin": True},
    )


# --- pairs of columns ---------------------------------------------------------------------------


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
    """A column-by-column heatmap on a scale symmetric around 0: associations from -1 to 1;
    a ``difference`` (synthetic minus real) from -m to m, m its largest absolute gap."""
    values = matrix.to_numpy(dtype=float)
    text = np.where(np.isnan(values), "n/a", np.round(values, 3).astype(str))
    bound = 1.0
    if difference:
        largest = np.nanmax(np.abs(values)) if np.isfinite(values).any() else 0.0
        bound = max(float(np.ceil(largest * 20) / 20), 0.05)  # rounded up to 0.05
    fig = go.Figure(
        go.Heatmap(
            z=np.where(np.isnan(values), None, values).tolist(),
            x=list(matrix.columns),
            y=list(matrix.index),
            text=text.tolist(),
            hovertemplate="%{y} × %{x}: %{text}<extra></extra>",
            colorscale="RdBu",
            reversescale=True,  # red for positive, blue for negative
            zmid=0.0,
            zmin=-bound,
            zmax=bound,
            colorbar={"thickness": 12},
        )
    )
    size = max(420, 24 * len(matrix) + 180)
    return layout(
        fig, title, height=size, yaxis={"autorange": "reversed"}, xaxis={"tickangle": -45}
    )


def strongest_pairs(
    real_assoc: pd.DataFrame, numeric: list[str], k: int = 3
) -> list[tuple[str, str, float]]:
    """The ``k`` numeric pairs with the largest ``|r|`` in the real table."""
    pairs = []
    for i, first in enumerate(numeric):
        for second in numeric[i + 1 :]:
            value = finite(real_assoc.at[first, second])
            if value is not None:
                pairs.append((first, second, value))
    return sorted(pairs, key=lambda p: -abs(p[2]))[:k]


def _edges(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    both = np.concatenate([a, b])
    return np.histogram_bin_edges(both if both.size else np.zeros(1), bins=DENSITY_BINS)


def _axis(mids: np.ndarray, is_datetime: bool) -> list:
    if is_datetime:  # epoch seconds back to time
        return [t.isoformat() for t in pd.to_datetime(mids, unit="s")]
    return np.round(mids, 4).tolist()


def density_figure(
    first: str,
    second: str,
    prepared: PreparedTables,
    r_real: float,
    datetime_columns: frozenset[str] | set[str] = frozenset(),
) -> go.Figure:
    """Real and synthetic rows of one numeric pair as shares of rows per 2-D cell, side by
    side on the same cells and colour scale; cells of fewer than :data:`MIN_CELL_ROWS` rows
    in a table are left blank in it (no cell singles out a row). Columns named in
    ``datetime_columns`` (prepared as epoch seconds) get time axes."""
    from plotly.subplots import make_subplots

    pairs = {}
    for table in ("real", "synthetic"):
        x, y = prepared.values[table][first], prepared.values[table][second]
        keep = ~(np.isnan(x) | np.isnan(y))
        pairs[table] = (x[keep], y[keep])
    x_edges = _edges(pairs["real"][0], pairs["synthetic"][0])
    y_edges = _edges(pairs["real"][1], pairs["synthetic"][1])
    x_mid, y_mid = (x_edges[:-1] + x_edges[1:]) / 2, (y_edges[:-1] + y_edges[1:]) / 2
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04)
    for col, table in enumerate(("real", "synthetic"), start=1):
        x, y = pairs[table]
        counts, _, _ = np.histogram2d(x, y, bins=[x_edges, y_edges])
        shares = counts.T / max(x.size, 1)  # rows: y bins
        shown = np.where(counts.T >= MIN_CELL_ROWS, np.round(shares, 5), np.nan)
        fig.add_trace(
            go.Heatmap(
                z=np.where(np.isnan(shown), None, shown).tolist(),
                x=_axis(x_mid, first in datetime_columns),
                y=_axis(y_mid, second in datetime_columns),
                coloraxis="coloraxis",
                hovertemplate=f"{first} ≈ %{{x}}<br>{second} ≈ %{{y}}<br>share %{{z:.4f}}"
                "<extra></extra>",
                name=table,
            ),
            row=1,
            col=col,
        )
        fig.update_xaxes(title_text=f"{first} ({table})", row=1, col=col)
    fig.update_yaxes(title_text=second, row=1, col=1)
    return layout(
        fig,
        f"{first} vs {second} (real r = {r_real:.2f})",
        height=HEIGHT + 40,
        coloraxis={"colorscale": "Blues", "cmin": 0, "colorbar": {"thickness": 12}},
    )


def scatter_figure(
    first: str, second: str, prepared: PreparedTables, r_real: float, seed: int
) -> go.Figure:
    """Real and synthetic points of one numeric pair (a seeded sample of each).

    The real points are rows of the real table: used only when the report's owner opts in
    (``show_real_points=True``) and by the live dashboard, never in a report by default.
    """
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
    return layout(
        fig, f"{first} vs {second} (real r = {r_real:.2f})", xaxis_title=first, yaxis_title=second
    )
