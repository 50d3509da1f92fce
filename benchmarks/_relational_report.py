"""The Markdown report of ``compare_relational.py``: header, one table per level, notes."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd
from _judges import package_version
from relational_runner import RELATIONSHIPS, TABLE_NAMES

LABELS = {
    "genesis_cart": "Genesis `cart`",
    "genesis_gaussian_copula": "Genesis `gaussian_copula`",
    "genesis_cart_lookups": 'Genesis `cart`, `reference_tables="auto"`',
    "sdv_hma": "SDV 2.0 `HMASynthesizer`",
}


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "n/a"
    return f"{value:.{digits}f}"


def _git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def _relationship_label(parent, pk, child, fk) -> str:
    return f"{parent}.{'+'.join(pk)} → {child}.{'+'.join(fk)}"


def report_text(
    results: dict[str, dict[str, Any]],
    tables: dict[str, pd.DataFrame],
    test: pd.DataFrame,
    baseline: float,
    *,
    args,
    argv: list[str],
    load: tuple[tuple[float, ...], tuple[float, ...]],
    wall_s: float,
) -> str:
    """The whole report as Markdown."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    start, end = ("/".join(f"{x:.2f}" for x in values) for values in load)
    versions = ", ".join(
        f"{name} {package_version(name)}"
        for name in ("sdv", "scikit-learn", "pandas", "numpy", "scipy")
    )
    lines = [
        "# Relational synthesis on nycflights13: Genesis vs SDV HMA",
        "",
        f"- Date: {now}",
        f"- Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.platform()}, Python {platform.python_version()}; load average (1/5/15 min) "
        f"{start} at the start, {end} at the end",
        f"- Versions: genesis {_git_commit()}, {versions}",
        f"- Command: `PYTHONPATH=. .venv-bench/bin/python {' '.join(argv)}` "
        f"(wall time {wall_s / 60:.1f} min)",
        "- Data: `shared/datasets/nycflights13/`, "
        + ", ".join(f"{n} {len(df):,} rows" for n, df in tables.items())
        + f" (flights: the 80% of `train_test_split(test_size=0.2, random_state=0)`; the other "
        f"{len(test):,} flights are the TSTR test set); seed {args.seed}. Relationships: "
        + "; ".join(_relationship_label(*r) for r in RELATIONSHIPS)
        + ".",
        "- Each method runs in a process of its own (`benchmarks/relational_runner.py`): fit s "
        "and sample s are wall-clock seconds of `fit` and of sampling as many rows as it was "
        "fitted on (`generate(scale=1.0)`, `sample_scale(1.0)`); peak memory is the process's "
        "peak RSS (`os.wait4`), data loading included. Time limits: Genesis "
        f"{args.timeout / 60:g} min, SDV HMA {args.peer_timeout / 60:g} min.",
        "- Quality: `genesis.relational.RelationalQualityReport` against the training tables "
        "(column shapes / pair trends as SDMetrics defines them, single-column keys left out; "
        "child-count similarity = KS complement of children per parent, zero included; "
        "integrity = share of non-null foreign keys found in the parent table).",
        "- TSTR: scikit-learn `HistGradientBoostingClassifier(max_iter=200)` for "
        "`arr_delay > 15` on flights left-joined to their plane (`tailnum`) and weather hour "
        "(`origin, year, month, day, hour`); features: every flight column but `arr_delay`, "
        "`arr_time`, `air_time`, `tailnum`, `flight`, `time_hour`, plus the plane's and the "
        "weather's columns; ROC AUC on the real test flights joined to the real planes and "
        "weather. `real` trains on the real training flights (the ceiling).",
        "",
    ]
    lines += _summary(results, baseline)
    lines += _targets(results)
    lines += _per_table(results)
    lines += _per_relationship(results)
    lines += _notes(results)
    return "\n".join(lines) + "\n"


def _summary(results, baseline: float) -> list[str]:
    lines = [
        "## Summary",
        "",
        "| method | fit s | sample s | peak memory MB | relational score | mean table "
        "quality | min column shapes | mean child-count similarity | mean integrity | "
        "parent-child correlation | detection AUC (planes / weather / airports) | TSTR AUC |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
        f"| real (train on real flights) | | | | | | | | | | | {_fmt(baseline)} |",
    ]
    for method, r in results.items():
        label = LABELS[method]
        if "failed" in r:
            lines.append(f"| {label} | **failed**: {r['failed']} | | | | | | | | | | |")
            continue
        report = r["report"]
        parts = report["parts"]
        shapes = [t["column_shapes"] for t in report["tables"].values()]
        detection = report["detection"]
        aucs = " / ".join(
            _fmt((detection.get(t) or {}).get("detection_auc"))
            for t in ("planes", "weather", "airports")
        )
        lines.append(
            f"| {label} | {r['fit_s']:.1f} | {r['sample_s']:.1f} | {r['peak_rss_mb']:.0f} | "
            f"{_fmt(report['score'])} | {_fmt(parts['table_quality'])} | "
            f"{_fmt(min(s for s in shapes if s is not None))} | "
            f"{_fmt(parts['child_count_similarity'])} | {_fmt(parts['integrity'])} | "
            f"{_fmt(parts['parent_child_correlation'])} | {aucs} | {_fmt(r['tstr_auc'])} |"
        )
    return [*lines, ""]


def _lowest(values) -> float:
    """The smallest of the values that were computed (NaN when none was)."""
    known = [v for v in values if v is not None]
    return min(known) if known else float("nan")


#: issue 16's targets on nycflights13 (2 cores)
TARGET_SECONDS = 60.0
TARGET_MB = 2048.0
TARGET_SHAPES = 0.95
TARGET_CHILD_COUNTS = 0.9


def _targets(results) -> list[str]:
    """Each method's figures against issue 16's targets, each with its verdict."""
    scored = {m: r for m, r in results.items() if "report" in r}
    if not scored:
        return []
    lines = [
        "## Targets (issue 16: fit + generate <= 60 s, <= 2 GB, 100% integrity, per-table "
        "shapes >= 0.95, child-count similarity >= 0.9)",
        "",
        "| method | fit + sample s | peak MB | lowest integrity | lowest table shapes | lowest "
        "child-count similarity |",
        "|---|---|---|---|---|---|",
    ]

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    for method, r in scored.items():
        report = r["report"]
        seconds = r["fit_s"] + r["sample_s"]
        integrity = _lowest(x["integrity"] for x in report["relationships"])
        shapes = {
            n: t["column_shapes"]
            for n, t in report["tables"].items()
            if t["column_shapes"] is not None
        }
        worst_table = min(shapes, key=lambda n: shapes[n])
        counts = _lowest(x["child_count_similarity"] for x in report["relationships"])
        lines.append(
            f"| {LABELS[method]} | {seconds:.1f} ({verdict(seconds <= TARGET_SECONDS)}) | "
            f"{r['peak_rss_mb']:.0f} ({verdict(r['peak_rss_mb'] <= TARGET_MB)}) | "
            f"{_fmt(integrity)} ({verdict(integrity >= 1.0)}) | "
            f"{_fmt(shapes[worst_table])} {worst_table} "
            f"({verdict(shapes[worst_table] >= TARGET_SHAPES)}) | "
            f"{_fmt(counts)} ({verdict(counts >= TARGET_CHILD_COUNTS)}) |"
        )
    return [*lines, ""]


def _per_table(results) -> list[str]:
    scored = {m: r for m, r in results.items() if "report" in r}
    if not scored:
        return []
    header = " | ".join(f"{LABELS[m]} shapes / trends" for m in scored)
    lines = ["## Per table", "", f"| table | {header} |", "|---|" + "---|" * len(scored)]
    for name in TABLE_NAMES:
        cells = []
        for r in scored.values():
            t = r["report"]["tables"][name]
            rows = f" ({t['n_synthetic']:,} rows)"
            cells.append(f"{_fmt(t['column_shapes'])} / {_fmt(t['column_pair_trends'])}{rows}")
        lines.append(f"| {name} | {' | '.join(cells)} |")
    return [*lines, ""]


def _per_relationship(results) -> list[str]:
    scored = {m: r for m, r in results.items() if "report" in r}
    if not scored:
        return []
    lines = [
        "## Per relationship",
        "",
        "child-count similarity; children per parent (real → synthetic); parent-child "
        "correlation similarity; integrity (real data's own integrity in brackets).",
        "",
        "| relationship | " + " | ".join(LABELS[m] for m in scored) + " |",
        "|---|" + "---|" * len(scored),
    ]
    for i, (parent, pk, child, fk) in enumerate(RELATIONSHIPS):
        cells = []
        for r in scored.values():
            x = r["report"]["relationships"][i]
            cells.append(
                f"{_fmt(x['child_count_similarity'])}; {_fmt(x['real_mean_children'], 2)} → "
                f"{_fmt(x['synthetic_mean_children'], 2)}; "
                f"{_fmt(x['parent_child_correlation'])}; {_fmt(x['integrity'])} "
                f"({_fmt(x['real_integrity'])})"
            )
        lines.append(f"| {_relationship_label(parent, pk, child, fk)} | {' | '.join(cells)} |")
    return [*lines, ""]


def _notes(results) -> list[str]:
    lines = ["## Notes", ""]
    for method, r in results.items():
        notes = list(r.get("notes") or [])
        if r.get("cached"):
            notes.append(f"read from the cache (run {r.get('ran_at')})")
        if "failed" in r:
            notes.append(
                f"failed after {r.get('wall_s', 0) / 60:.1f} min, peak memory "
                f"{r.get('peak_rss_mb', 0):.0f} MB: {r['failed']}"
            )
            notes += _progress(r)
        if "report" in r:
            notes += [
                f"{table}.{d['column']}: regenerated, not learned (personal data or free "
                f"text / entity names: {d['kind']}), scored by the format of its values "
                f"(FormatTVComplement {_fmt(d['score'])})"
                for table, t in r["report"]["tables"].items()
                if table not in (r.get("reference_tables") or [])  # copied, not regenerated
                for d in t["column_details"]
                if d["metric"] == "FormatTVComplement"
            ]
        for note in notes:
            lines.append(f"- {LABELS[method]}: {note}")
    return [*lines, ""]


def _progress(result: dict[str, Any]) -> list[str]:
    """How far a failed SDV run got, from its progress output (``stderr.log``)."""
    folder = result.get("folder")
    log = Path(folder) / "stderr.log" if folder else None
    if log is None or not log.exists():
        return []
    text = log.read_text(errors="replace")
    if "Modeling Tables: 100%" in text:
        return [
            "its progress output shows the fit finished (every table modelled); sampling did not"
        ]
    if "Learning relationships" in text:
        return ["its progress output shows it was still fitting (learning relationships)"]
    return []
