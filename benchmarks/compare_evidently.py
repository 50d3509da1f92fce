"""Genesis's DriftDetector against Evidently 0.7 on 1,000,000 rows x 20 columns.

Baseline and current are each 1,000,000 rows (seeded): 10 numeric columns (normal,
log-normal, integer counts, uniform; three shifted in ``current``) and 10 text categorical
columns (3 to 40 labels; three with moved shares, one with a new label). Both tools run
their automatic test choice (reference > 1,000 rows: normed Wasserstein for numeric,
Jensen-Shannon for categorical) with the same column types. Prints each tool's time, the
ratio, and the largest difference of the per-column values and flags.

Run: ``.venv/bin/python benchmarks/compare_evidently.py [--rows 1000000] [--skip-evidently]
[--out benchmarks/results/compare_evidently.md]``
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd


def make_tables(rows: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Seeded baseline and current tables with 10 numeric and 10 categorical columns."""

    def table(rng: np.random.Generator, shifted: bool) -> pd.DataFrame:
        shift = 1.0 if shifted else 0.0
        data: dict[str, np.ndarray] = {}
        for i in range(10):
            kind = i % 4
            if kind == 0:
                values = rng.normal(0.0 + (0.3 * shift if i < 3 else 0), 1.0, rows)
            elif kind == 1:
                values = rng.lognormal(1.0 + (0.2 * shift if i < 3 else 0), 0.5, rows)
            elif kind == 2:
                values = rng.poisson(20 + (3 * shift if i < 3 else 0), rows).astype("float64")
            else:
                values = rng.uniform(0, 100, rows)
            data[f"num_{i}"] = values
        for i in range(10):
            k = (3, 5, 8, 12, 20, 40)[i % 6]
            labels = np.array([f"label_{i}_{j}" for j in range(k + 1)], dtype=object)
            weights = np.linspace(1.0, 2.0, k)
            if shifted and i < 3:
                weights = weights[::-1]
            probs = np.r_[weights / weights.sum(), 0.0]
            if shifted and i == 3:  # a new label, 5% of current rows
                probs = np.r_[probs[:-1] * 0.95, 0.05]
            data[f"cat_{i}"] = labels[rng.choice(k + 1, rows, p=probs)]
        return pd.DataFrame(data)

    return table(np.random.default_rng([seed, 0]), False), table(
        np.random.default_rng([seed, 1]), True
    )


def run_genesis(baseline: pd.DataFrame, current: pd.DataFrame):
    from genesis.drift import DriftDetector

    start = time.perf_counter()
    report = DriftDetector().detect(baseline, current)
    return report, time.perf_counter() - start


def run_evidently(baseline: pd.DataFrame, current: pd.DataFrame):
    from evidently.legacy.metrics import DataDriftTable
    from evidently.legacy.pipeline.column_mapping import ColumnMapping
    from evidently.legacy.report import Report

    numeric = [c for c in baseline.columns if c.startswith("num_")]
    categorical = [c for c in baseline.columns if c.startswith("cat_")]
    mapping = ColumnMapping(
        numerical_features=numeric, categorical_features=categorical, target=None, prediction=None
    )
    start = time.perf_counter()
    report = Report(metrics=[DataDriftTable()])
    report.run(reference_data=baseline, current_data=current, column_mapping=mapping)
    result = report.as_dict()["metrics"][0]["result"]
    return result, time.perf_counter() - start


def main() -> None:
    lines: list[str] = []

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="Genesis runs; the best is kept")
    parser.add_argument("--skip-evidently", action="store_true")
    parser.add_argument("--out", help="also write the output, with the machine, to this file")
    args = parser.parse_args()

    baseline, current = make_tables(args.rows, args.seed)
    say(
        f"tables: baseline and current {args.rows:,} rows x {baseline.shape[1]} columns each; "
        f"{os.cpu_count()} CPU cores"
    )
    runs = [run_genesis(baseline, current) for _ in range(args.repeat)]
    report = runs[0][0]
    genesis_seconds = min(seconds for _, seconds in runs)
    say(f"Genesis DriftDetector: {genesis_seconds:.2f} s (best of {args.repeat})")
    say(f"  {report.summary()}")
    if not args.skip_evidently:
        _compare(say, baseline, current, report, genesis_seconds)
    if args.out:
        _write(args, lines)


def _compare(say, baseline, current, report, genesis_seconds) -> None:
    result, evidently_seconds = run_evidently(baseline, current)
    say(f"Evidently {_evidently_version()} DataDriftTable: {evidently_seconds:.2f} s")
    say(f"  drift share {result['share_of_drifted_columns']:.2f}")
    say(f"ratio: Genesis is {evidently_seconds / genesis_seconds:.1f}x faster")
    worst = 0.0
    flags_agree = True
    for name, column in result["drift_by_columns"].items():
        ours = report[name]
        worst = max(worst, abs(column["drift_score"] - ours.value))
        flags_agree &= column["drift_detected"] == ours.distribution_drift
    say(f"largest |value difference|: {worst:.2e}; per-column flags agree: {flags_agree}")


def _write(args, lines: list[str]) -> None:
    import platform
    import sys
    from datetime import UTC, datetime
    from pathlib import Path

    import scipy

    command = "python benchmarks/compare_evidently.py " + " ".join(sys.argv[1:])
    header = [
        f"# Genesis DriftDetector vs Evidently on {args.rows:,} rows x 20 columns",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {platform.machine()}, {os.cpu_count()} CPU cores, {platform.platform()}",
        f"- versions: Python {platform.python_version()}, numpy {np.__version__}, pandas "
        f"{pd.__version__}, scipy {scipy.__version__}",
        f"- command: `{command.strip()}`",
        "",
        "```",
    ]
    Path(args.out).write_text("\n".join([*header, *lines, "```", ""]), encoding="utf-8")


def _evidently_version() -> str:
    import evidently

    return evidently.__version__


if __name__ == "__main__":
    main()
