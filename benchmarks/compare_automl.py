"""AutoML on the UCI Adult table: what ``AutoMLSynthesizer(time_budget=60)`` picks, how long it
takes and how good its choice is, on the same split and judges as ``compare_sdv.py``.

Adult's 80% training split (``train_test_split(test_size=0.2, random_state=0)``) is given to
``AutoMLSynthesizer(time_budget=60, seed=0)``; its choice generates as many rows as the split
and is scored with Genesis's QualityEvaluator (quality, detection AUC, exact copies, DCR), the
XGBoost train-on-synthetic-test-on-real AUC of ``compare_sdv.py`` and, when SDMetrics is
installed, SDMetrics' QualityReport. Run it in the benchmark environment for every figure::

    PYTHONPATH=. .venv-bench/bin/python benchmarks/compare_automl.py --out benchmarks/results/compare_automl.md

In the product environment (``.venv/bin/python benchmarks/compare_automl.py``) SDMetrics is
absent and TSTR falls back to Genesis's own ML-utility model (gradient boosting), labelled so.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
for path in (REPO_ROOT, REPO_ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

os.environ.setdefault("OMP_NUM_THREADS", "1")

import pandas as pd  # noqa: E402

DEFAULT_DATA = REPO_ROOT.parent / "shared" / "datasets" / "adult.csv"
TARGET = "income"


def _markdown(df: pd.DataFrame) -> str:
    """A DataFrame as a markdown table (the benchmark environment has no ``tabulate``)."""

    def cell(value) -> str:
        if isinstance(value, float):
            return "" if pd.isna(value) else f"{value:.4g}"
        return "" if value is None or value is pd.NA else str(value).replace("|", "\\|")

    lines = ["| " + " | ".join(df.columns) + " |", "|" + "---|" * df.shape[1]]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="write the markdown report here")
    args = parser.parse_args(argv)

    from sklearn.model_selection import train_test_split

    from genesis.automl import AutoMLSynthesizer
    from genesis.quality import QualityEvaluator
    from genesis.schema import infer_schema

    data = pd.read_csv(args.data)
    train, test = train_test_split(data, test_size=0.2, random_state=args.seed)
    train, test = train.reset_index(drop=True), test.reset_index(drop=True)
    start = time.perf_counter()
    automl = AutoMLSynthesizer(time_budget=args.budget, seed=args.seed).fit(train)
    fit_seconds = time.perf_counter() - start
    synthetic = automl.generate(len(train))
    schema = infer_schema(train, seed=args.seed)
    report = QualityEvaluator(
        train, synthetic, target=TARGET, holdout=test, schema=schema, seed=args.seed
    ).evaluate()
    rows = {
        "fit s (budget)": f"{fit_seconds:.1f} ({args.budget:.0f})",
        "chosen method": f"{automl.selected_method} {automl.selected_params_}",
        "selection confidence": f"{automl.selection_confidence:.2f}",
        "refitted on all rows": str(automl.refitted_),
        "Genesis quality": f"{report.quality_score:.3f}",
        "detection AUC": f"{report.detection_auc:.3f}",
        "exact copies": f"{report.exact_copy_share:.4f}",
        "DCR ratio": f"{report.dcr_ratio:.2f}",
    }
    try:  # the benchmark environment's judges, shared with compare_sdv.py
        from compare_sdv import sdmetrics_quality, tstr_auc
        from sdv.metadata import Metadata

        metadata = Metadata.detect_from_dataframes({"adult": train}).to_dict()["tables"]["adult"]
        sdm = sdmetrics_quality(train, synthetic, metadata)
        rows["SDMetrics quality (shapes / trends)"] = (
            f"{sdm['sdm_quality']:.3f} ({sdm['sdm_shapes']:.3f} / {sdm['sdm_trends']:.3f})"
        )
        rows["TSTR AUC (XGBoost)"] = f"{tstr_auc(synthetic, test, args.seed):.3f}"
    except ImportError as exc:
        rows["SDMetrics quality"] = f"not measured ({exc.name} not installed)"
        rows["TSTR AUC (Genesis ML utility)"] = f"{report.ml_utility.get('tstr', float('nan')):.3f}"
    board = automl.leaderboard_[
        ["rank", "method", "params", "status", "fit_seconds", "score", "quality_score",
         "detection_auc", "privacy_score", "reason"]
    ]  # fmt: skip
    lines = [
        "# AutoML on Adult",
        "",
        f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        f"- Command: `python benchmarks/compare_automl.py --budget {args.budget:g}`",
        f"- Data: {args.data.name}, {len(train):,} training rows / {len(test):,} test rows",
        "",
        "| figure | value |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in rows.items()),
        "",
        "## Leaderboard (validation split of the training rows)",
        "",
        _markdown(board),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
