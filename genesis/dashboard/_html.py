"""The report's HTML page, rendered from ``templates/report.html.j2``.

One file: Plotly's JavaScript inlined once, each figure's JSON in a script block of its
own, drawn when the page has been laid out, so every figure takes its container's width
(and follows it when the window or the container changes). No network access.
"""

from __future__ import annotations

import json
from typing import Any

from genesis import templates
from genesis.dashboard import _sections as sections
from genesis.dashboard.scenarios import MIN_MATCHING_ROWS, scenario_rows
from genesis.jsonsafe import finite, json_safe
from genesis.quality.report import HEADLINE_SCORES

#: headline figures of the quality report, in display order (the detection AUC stands for
#: the detection score, which is derived from it)
HEADLINE = tuple(name for name in HEADLINE_SCORES if name != "detection_score")


def script_json(value: Any) -> str:
    """JSON text safe inside a ``<script>`` element (no ``<``, ``>`` or ``&`` left)."""
    text = json.dumps(value, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _figure_json(fig: Any) -> str:
    import plotly.io

    text = plotly.io.to_json(fig, validate=False, pretty=False, remove_uids=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(metrics: dict[str, Any], figures: dict[str, Any]) -> str:
    """The report page for ``metrics`` (``QualityDashboard.compute_metrics()``) and ``figures``
    (``QualityDashboard.generate_plotly_figures()``)."""
    import plotly.offline

    from genesis import __version__
    from genesis.dashboard.figures import MIN_CELL_ROWS

    placed = {
        key: {"id": f"genesis-figure-{i}", "height": int(fig.layout.height or 360), "json": _figure_json(fig)}
        for i, (key, fig) in enumerate(figures.items())
    }  # fmt: skip
    share = metrics["share"]
    context = {
        "title": metrics["title"],
        "n_real": metrics["n_real"],
        "n_synthetic": metrics["n_synthetic"],
        "method": metrics.get("method"),
        "show_real_points": metrics.get("show_real_points", False),
        "verdict_rows": share["rows"],
        "verdict_class": {True: "yes", False: "no"}.get(share["shareable"], "undecided"),
        "quality_text": metrics["verdict"]["text"],
        "headline": _headline(metrics),
        "giveaways": _giveaways(metrics),
        "utility": _utility(metrics.get("ml_utility")),
        "privacy": _privacy(metrics.get("privacy")),
        "drift": _drift(metrics.get("drift")),
        "scenarios": scenario_rows(metrics["scenarios"]) if metrics.get("scenarios") else None,
        "min_matching": MIN_MATCHING_ROWS,
        "figures": placed,
        "figure_list": list(placed.values()),
        "keys": lambda prefix: [k for k in figures if k.startswith(prefix)],
        "min_cell": MIN_CELL_ROWS,
        "metrics_json": script_json(embedded_metrics(metrics)),
        "plotly_js": plotly.offline.get_plotlyjs(),
        "version": __version__,
        "seconds": metrics.get("seconds"),
    }
    return templates.render("genesis.dashboard", "report.html.j2", **context)


def embedded_metrics(metrics: dict[str, Any]) -> dict[str, Any]:
    """The metrics the page carries for machines: everything but the stage reports
    themselves (their figures are in the page; their details stay with their owners)."""
    out = dict(metrics)
    for key in ("privacy", "drift"):
        if isinstance(out.get(key), dict):
            out[key] = {k: v for k, v in out[key].items() if k != "report"}
    return json_safe(out)


def _headline(metrics: dict[str, Any]) -> list[tuple[str, str]]:
    quality = metrics["quality"]
    rows = sections.readable({k: quality.get(k) for k in HEADLINE})
    utility = metrics.get("ml_utility")
    if utility:
        name = f"ML utility ratio ({utility.get('metric', 'score')}, synthetic / real)"
        rows.append((name, sections.display(utility.get("ratio"))))
    return rows


def _giveaways(metrics: dict[str, Any]) -> dict[str, Any]:
    giveaways = metrics.get("giveaways") or sections.giveaway_section(metrics["quality"])
    rows = [
        {
            "column": str(r["column"]),
            "auc": sections.display(r.get("detection_auc"), 3),
            "score": sections.display(r.get("score"), 3),
            "metric": str(r.get("metric") or "shape score"),
        }
        for r in giveaways["columns"]
    ]
    return {
        "text": giveaways["text"],
        "measured": giveaways["measured"],
        "threshold": f"{giveaways['threshold']:g}",
        "columns": rows,
    }


def _utility(utility: dict[str, Any] | None) -> dict[str, str] | None:
    if not utility:
        return None
    keys = ("target", "task", "metric", "tstr", "trtr", "ratio", "test_set")
    return {k: sections.display(utility.get(k)) for k in keys}


def _privacy(privacy: dict[str, Any] | None) -> dict[str, Any] | None:
    if privacy is None:
        return None
    report = privacy.get("report")
    passed = privacy.get("passed")
    if passed is None:
        sentence = (
            "No privacy audit was given: the figures below are the quality evaluation's copy "
            "and distance checks."
        )
    else:
        from genesis.verdict import privacy_verdict

        verdict = privacy_verdict(report).text
        sentence = f"Privacy audit {'passed' if passed else 'did not pass'}. Risk: {verdict}."
    return {
        "sentence": sentence,
        "attacks": sections.attack_table(report) if report else [],
        "summary": sections.readable(privacy["summary"]),
    }


def _drift(drift: dict[str, Any] | None) -> dict[str, Any] | None:
    if drift is None:
        return None
    report = drift["report"]
    drifted = []
    for r in sections.drift_rows(report):
        if not r.get("drifted"):
            continue
        value, threshold = finite(r.get("value")), finite(r.get("threshold"))
        before, after = r.get("missing_share_baseline"), r.get("missing_share_current")
        drifted.append(
            {
                "comparison": sections.label(r.get("comparison") or "") or "current vs baseline",
                "column": str(r.get("column")),
                "test": str(r.get("test", "n/a")),
                "value": "n/a (nothing to compare)" if value is None else f"{value:.4g}",
                "threshold": "n/a (no test run)" if threshold is None else f"{threshold:g}",
                "missing": (
                    f"{before:.1%} → {after:.1%}"
                    if finite(before) is not None and finite(after) is not None
                    else "n/a"
                ),
            }
        )
    return {"lines": sections.drift_lines(report), "drifted": drifted}
