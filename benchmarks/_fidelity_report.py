"""The markdown report of ``compare_fidelity.py``: one table per dataset, a summary, targets."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shlex
from pathlib import Path
from typing import Any

from _judges import REPO_ROOT, fmt, git_commit, package_version
from _peers import argn_version

DATASETS = REPO_ROOT.parent / "shared" / "datasets"

GENESIS = ("cart", "gaussian_copula", "auto")
LABELS = {
    "real_holdout": "real holdout (reference)",
    "cart": "Genesis cart",
    "gaussian_copula": "Genesis gaussian_copula",
    "auto": "Genesis auto",
    "sdv_gaussian_copula": "SDV GaussianCopula",
    "sdv_ctgan": "SDV CTGAN",
    "sdv_tvae": "SDV TVAE",
    "argn": "MOSTLY AI TabularARGN",
}
#: issue 13's detection-AUC ceiling for ``cart`` per table
CART_TARGETS = {"adult": 0.55, "weather": 0.60, "flights": 0.60}
#: Genesis's best method must fit at least this many times faster than ARGN
ARGN_SPEEDUP = 20


def _ok(row: dict[str, Any] | None) -> bool:
    return row is not None and "error" not in row and "skipped" not in row


def genesis_best(rows: dict[str, dict[str, Any]]) -> str | None:
    """The Genesis method with the lowest detection AUC (ties: the higher SDMetrics quality)."""
    scored = [m for m in GENESIS if _ok(rows.get(m)) and "detection_auc" in rows[m]]
    if not scored:
        return None
    return min(scored, key=lambda m: (rows[m]["detection_auc"], -rows[m]["sdm_quality"]))


def _label(method: str, row: dict[str, Any]) -> str:
    label = LABELS.get(method, method)
    if "selected" in row:
        label += f" (picked {row['selected']})"
    if "epochs" in row:
        label += f" ({row['epochs']} epochs)"
    return label


def _ratio(value: float | None, base: float | None) -> str:
    if value is None or not base:
        return "—"
    return f"{value / base:.1f}×" if value / base >= 1 else f"{value / base:.2f}×"


def _worst(row: dict[str, Any]) -> str:
    return ", ".join(f"`{c}` {a:.2f}" for c, a in row.get("worst_columns", [])) or "—"


def dataset_table(result: dict[str, Any]) -> str:
    """One markdown table: every method's figures on one dataset."""
    rows = result["rows"]
    best = genesis_best(rows)
    cart_fit = rows["cart"]["fit_s"] if _ok(rows.get("cart")) else None
    best_fit = rows[best]["fit_s"] if best else None
    tstr = "TSTR R²" if result["table"].target != "income" else "TSTR AUC"
    header = [
        "method",
        "SDMetrics quality (shapes / trends)",
        "detection AUC",
        "most revealing columns (own AUC)",
        tstr,
        "exact copies",
        "DCR synth / holdout (ratio)",
        "fit s",
        "sample s",
        "fit ÷ cart",
        "fit ÷ Genesis best",
        "source",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for method, row in rows.items():
        if "error" in row or "skipped" in row:
            why = f"failed: {row['error']}" if "error" in row else f"left out: {row['skipped']}"
            cells = [LABELS.get(method, method), why]
            lines.append("| " + " | ".join(cells) + " |" * (len(header) - 1))
            continue
        source = "—"
        if method in LABELS and method not in (*GENESIS, "real_holdout"):
            source = f"cache, fitted {row['fitted_at'][:16]}Z" if row.get("cached") else "fitted"
        elif method in GENESIS:
            source = "fitted"
        quality = f"{fmt(row['sdm_quality'])} ({fmt(row['sdm_shapes'])} / {fmt(row['sdm_trends'])})"
        dcr = (
            f"{fmt(row['dcr_synthetic'])} / {fmt(row['dcr_holdout'])} ({fmt(row['dcr_ratio'], 2)})"
        )
        name = _label(method, row) + (" **(Genesis best)**" if method == best else "")
        cells = [
            name,
            quality,
            fmt(row["detection_auc"]),
            _worst(row),
            fmt(row["tstr"]),
            fmt(row["copy_share"], 4),
            dcr,
            fmt(row.get("fit_s"), 2),
            fmt(row.get("sample_s"), 2),
            _ratio(row.get("fit_s"), cart_fit) if method != "real_holdout" else "—",
            _ratio(row.get("fit_s"), best_fit) if method != "real_holdout" else "—",
            source,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def targets(results: list[dict[str, Any]]) -> tuple[str, str]:
    """The "Genesis best vs best peer" summary and issue 13's targets, met or not met."""
    summary = [
        "| table | Genesis best: detection AUC / quality | best peer on detection AUC | "
        "best peer on quality |",
        "|---|---|---|---|",
    ]
    checks = ["| table | target | measured | verdict |", "|---|---|---|---|"]
    for result in results:
        name, rows = result["table"].name, result["rows"]
        best = genesis_best(rows)
        peers = [m for m in rows if m not in (*GENESIS, "real_holdout") and _ok(rows[m])]
        peer_det = min(peers, key=lambda m: rows[m]["detection_auc"], default=None)
        peer_q = max(peers, key=lambda m: rows[m]["sdm_quality"], default=None)
        if best:
            b = rows[best]
            summary.append(
                f"| {name} | {LABELS[best]}: {fmt(b['detection_auc'])} / {fmt(b['sdm_quality'])} | "
                + (
                    f"{LABELS[peer_det]}: {fmt(rows[peer_det]['detection_auc'])}"
                    if peer_det
                    else "—"
                )
                + " | "
                + (f"{LABELS[peer_q]}: {fmt(rows[peer_q]['sdm_quality'])}" if peer_q else "—")
                + " |"
            )
        if _ok(rows.get("cart")) and name in CART_TARGETS:
            auc = rows["cart"]["detection_auc"]
            checks.append(
                f"| {name} | cart detection AUC ≤ {CART_TARGETS[name]:.2f} | {auc:.3f} | "
                f"{_verdict(auc <= CART_TARGETS[name])} |"
            )
        if best and peers:
            b = rows[best]
            ahead = all(
                b["detection_auc"] < rows[p]["detection_auc"]
                and b["sdm_quality"] > rows[p]["sdm_quality"]
                for p in peers
            )
            det, quality = rows[peer_det]["detection_auc"], rows[peer_q]["sdm_quality"]
            checks.append(
                f"| {name} | Genesis best ({LABELS[best]}) ahead of every peer on detection AUC "
                f"and SDMetrics quality | {fmt(b['detection_auc'])} vs {fmt(det)}; "
                f"{fmt(b['sdm_quality'])} vs {fmt(quality)} | {_verdict(ahead)} |"
            )
        if best and _ok(rows.get("argn")):
            ratio = rows["argn"]["fit_s"] / rows[best]["fit_s"]
            checks.append(
                f"| {name} | Genesis best fits in ≤ 1/{ARGN_SPEEDUP} of ARGN's time | "
                f"{fmt(rows[best]['fit_s'], 2)} s vs {fmt(rows['argn']['fit_s'], 2)} s "
                f"(1/{ratio:.0f}) | {_verdict(ratio >= ARGN_SPEEDUP)} |"
            )
    return "\n".join(summary), "\n".join(checks)


def _verdict(met: bool) -> str:
    return "**met**" if met else "**not met**"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _argn_versions(results: list[dict[str, Any]]) -> str:
    for result in results:
        row = result["rows"].get("argn", {})
        folder = row.get("cache_dir")
        if folder and (Path(folder) / "timings.json").exists():
            versions = json.loads((Path(folder) / "timings.json").read_text()).get("versions", {})
            return ", ".join(f"{k} {v}" for k, v in versions.items()) + " (.venv-argn)"
    return f"mostlyai-engine {argn_version()} (pinned)"


def report_text(results, args, argv: list[str], *, wall_s: float, load_before) -> str:
    """The whole markdown report."""
    packages = ["sdv", "sdmetrics", "rdt", "ctgan", "torch", "xgboost", "scikit-learn", "pandas"]
    versions = ", ".join(f"{p} {package_version(p)}" for p in (*packages, "numpy"))
    command = "PYTHONPATH=. .venv-bench/bin/python " + " ".join(
        shlex.quote(a) for a in ["benchmarks/compare_fidelity.py", *argv]
    )
    load_after = os.getloadavg()
    sections = []
    for result in results:
        table = result["table"]
        task = "ROC AUC" if table.target == "income" else "R²"
        shown = table.path.relative_to(DATASETS) if DATASETS in table.path.parents else table.path
        sections.append(
            f"## {table.name} (`{shown}`)\n\n"
            f"{result['n_train']:,} training rows / {result['n_test']:,} holdout rows; "
            f"TSTR predicts `{table.target}` ({task}).\n\n{dataset_table(result)}\n"
        )
    summary, checks = targets(results)
    cached = [
        f"{r['table'].name}/{m} (fitted {row['fitted_at']})"
        for r in results
        for m, row in r["rows"].items()
        if row.get("cached")
    ]
    body = "\n".join(sections)
    rows_note = f", after subsampling each table to {args.rows:,} rows" if args.rows else ""
    return f"""# Fidelity on real tables: Genesis vs SDV and MOSTLY AI

- Date: {dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")}
- Machine: {_cpu_model()}, {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}; load average (1/5/15 min) {" / ".join(f"{x:.2f}" for x in load_before)} at the start, {" / ".join(f"{x:.2f}" for x in load_after)} at the end
- Versions: genesis {git_commit()}, {versions}; {_argn_versions(results)}
- Command: `{command}` (wall time {wall_s / 60:.1f} min)
- Split: `train_test_split(test_size=0.2, random_state=0)`{rows_note}; every method samples as many rows as the training set; seed {args.seed}.
- Budgets: Genesis `auto` `time_budget={args.automl_budget:g}`; SDV CTGAN and TVAE {args.time_budget:g} s each: after a warm-up fit on 200 rows, fits of one and two epochs give the CPU seconds per epoch (their difference, at least a tenth of the one-epoch fit) and the per-fit overhead (CPU time of the process, so other jobs' load does not shrink the budget), then the synthesizer is fitted afresh with `max(1, (budget - overhead) // epoch seconds)` epochs (in the row's name; fit s is that last fit alone). ARGN runs with `mostlyai-engine`'s defaults (it stops itself; date-time text columns are handed to it parsed as datetimes, since it encodes text as categories, where every timestamp is rare). torch uses one thread everywhere.

{body}
## Genesis best vs best peer

"Genesis best" is the Genesis method with the lowest detection AUC on that table.

{summary}

## Issue 13's targets

{checks}

## How to read it

- SDMetrics quality: `sdmetrics.reports.single_table.QualityReport` (mean of column shapes and column-pair trends), with SDV's metadata detected from the training rows; the same judge for every method.
- detection AUC: `genesis.quality.QualityEvaluator(train, synthetic, holdout=test).evaluate().detection_auc`, the cross-validated AUC of a gradient-boosting classifier telling real training rows from synthetic ones (0.5 = indistinguishable). Most revealing columns: `column_details["detection_auc"]`, the same test on one column at a time, highest three.
- TSTR: XGBoost (`hist`, 100 trees, one thread) trained on the synthetic rows and tested on the real holdout; the reference row trains on the real training rows (the ceiling).
- exact copies: share of synthetic rows identical to a training row (for the reference row: holdout rows that also occur in the training rows). DCR: median distance to the closest training row of the synthetic rows / of the holdout rows, and their ratio (near 1 = no closer to the training rows than unseen real rows; far below 1 = memorisation).
- fit ÷ cart, fit ÷ Genesis best: the method's fit seconds over Genesis `cart`'s and over the best Genesis method's.
- source: "cache" rows were fitted by an earlier run (`benchmarks/.cache/fidelity/`, keyed on the training rows and settings) and only re-scored here{": " + "; ".join(cached) if cached else " (none in this run)"}.
"""
