"""Genesis vs SDV on the UCI Adult table: speed, fidelity, detectability, utility, copies.

Every Genesis method (gaussian_copula, cart, ctgan, tvae) and SDV's GaussianCopula, CTGAN and
TVAE synthesizers are fitted on the same 80% of Adult (scikit-learn ``train_test_split(
test_size=0.2, random_state=0)``) and scored by the same neutral judges:

* SDMetrics' single-table QualityReport (column shapes, column-pair trends, their mean);
* Genesis's QualityEvaluator (same definitions; plus detection AUC, exact copies, DCR ratio);
* train-on-synthetic-test-on-real: an XGBoost classifier for ``income`` trained on the synthetic
  rows and tested on the real 20% (ROC AUC), with a train-on-real row as the ceiling.

Both libraries run torch with one thread (``torch.set_num_threads(1)``): on small machines
torch's default thread count made CTGAN many times slower, and a fair race uses one setting.

It needs SDV and SDMetrics, which pin their own pandas/numpy ranges, so it runs in a separate
environment (``make bench`` builds ``.venv-bench``)::

    PYTHONPATH=. .venv-bench/bin/python benchmarks/compare_sdv.py --out benchmarks/results/compare_sdv.md
    PYTHONPATH=. .venv-bench/bin/python benchmarks/compare_sdv.py --rows 2000 --epochs 1   # smoke run
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shlex
import sys
import traceback
import warnings
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from _judges import (  # noqa: E402
    fmt,
    git_commit,
    log,
    package_version,
    sdmetrics_quality,
    timed,
    tstr_score,
)

DEFAULT_DATA = REPO_ROOT.parent / "shared" / "datasets" / "adult.csv"
TARGET = "income"
GENESIS_METHODS = ("gaussian_copula", "cart", "ctgan", "tvae")
SDV_METHODS = ("sdv_gaussian_copula", "sdv_ctgan", "sdv_tvae")
ALL_METHODS = GENESIS_METHODS + SDV_METHODS
NEURAL = {"ctgan", "tvae", "sdv_ctgan", "sdv_tvae"}
COPULAS = {"gaussian_copula", "sdv_gaussian_copula"}
#: Genesis method -> the SDV synthesizer it is timed against
MATCHED = {"gaussian_copula": "sdv_gaussian_copula", "ctgan": "sdv_ctgan", "tvae": "sdv_tvae"}
LABELS = {
    "gaussian_copula": "Genesis gaussian_copula",
    "cart": "Genesis cart",
    "ctgan": "Genesis ctgan",
    "tvae": "Genesis tvae",
    "sdv_gaussian_copula": "SDV GaussianCopula",
    "sdv_ctgan": "SDV CTGAN",
    "sdv_tvae": "SDV TVAE",
}
BATCH_SIZE = 500  # both libraries' default


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="Adult CSV (default: %(default)s)"
    )
    parser.add_argument(
        "--methods",
        default=",".join(ALL_METHODS),
        help=f"comma-separated subset of {', '.join(ALL_METHODS)} (default: all)",
    )
    parser.add_argument(
        "--epochs", type=int, default=30, help="epochs of every neural method (default: 30)"
    )
    parser.add_argument(
        "--rows", type=int, default=None, help="subsample the table to this many rows first"
    )
    parser.add_argument(
        "--big-sample",
        type=int,
        default=None,
        help="rows of the copulas' large-sample timing (default 1,000,000; 100,000 with --rows; 0 skips)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of every seeded step (default: 0)"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="also write the markdown report here"
    )
    args = parser.parse_args(argv)
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = sorted(set(methods) - set(ALL_METHODS))
    if unknown:
        parser.error(f"unknown method(s) {unknown}; choose from {', '.join(ALL_METHODS)}")
    args.methods = [m for m in ALL_METHODS if m in methods]
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")
    if args.rows is not None and args.rows < 100:
        parser.error("--rows must be at least 100")
    if args.big_sample is None:
        args.big_sample = 1_000_000 if args.rows is None else 100_000
    if not args.data.exists():
        parser.error(f"{args.data} does not exist; pass --data PATH to the Adult CSV")
    return args


# -- synthesizers ----------------------------------------------------------------------------


def run_genesis(method: str, train: pd.DataFrame, args: argparse.Namespace) -> dict[str, Any]:
    from genesis.generators import SyntheticGenerator

    params: dict[str, Any] = {}
    if method in NEURAL:
        params = {
            "epochs": args.epochs,
            "batch_size": BATCH_SIZE,
            "torch_threads": 1,
            "device": "cpu",
        }
    generator = SyntheticGenerator(method, seed=args.seed, **params)
    _, fit_s = timed(lambda: generator.fit(train))
    synthetic, sample_s = timed(lambda: generator.generate(len(train), seed=args.seed))
    result = {"fit_s": fit_s, "sample_s": sample_s, "synthetic": synthetic}
    if method in COPULAS and args.big_sample:
        _, result["big_sample_s"] = timed(
            lambda: generator.generate(args.big_sample, seed=args.seed + 1)
        )
    return result


def run_sdv(method: str, train: pd.DataFrame, args: argparse.Namespace) -> dict[str, Any]:
    import torch
    from sdv.metadata import Metadata
    from sdv.single_table import CTGANSynthesizer, GaussianCopulaSynthesizer, TVAESynthesizer

    # SDV's synthesizers draw from numpy's and torch's global generators; seed both
    np.random.seed(args.seed)  # noqa: NPY002
    torch.manual_seed(args.seed)
    metadata = Metadata.detect_from_dataframes({"adult": train})
    if method == "sdv_gaussian_copula":
        synthesizer = GaussianCopulaSynthesizer(metadata)
    else:
        cls = CTGANSynthesizer if method == "sdv_ctgan" else TVAESynthesizer
        synthesizer = cls(metadata, epochs=args.epochs, batch_size=BATCH_SIZE, enable_gpu=False)
    # SDV 2.0 takes and returns {table name: DataFrame}
    _, fit_s = timed(lambda: synthesizer.fit({"adult": train}))
    sampled, sample_s = timed(lambda: synthesizer.sample(num_rows=len(train)))
    synthetic = sampled["adult"] if isinstance(sampled, dict) else sampled
    result = {"fit_s": fit_s, "sample_s": sample_s, "synthetic": synthetic}
    if method in COPULAS and args.big_sample:
        _, result["big_sample_s"] = timed(lambda: synthesizer.sample(num_rows=args.big_sample))
    return result


# -- judges ----------------------------------------------------------------------------------


def genesis_quality(train, synthetic, test, schema, seed: int) -> dict[str, float]:
    from genesis.quality import QualityEvaluator

    report, seconds = timed(
        lambda: QualityEvaluator(
            train, synthetic, holdout=test, schema=schema, seed=seed
        ).evaluate()
    )
    return {
        "genesis_quality": report.quality_score,
        "detection_auc": report.detection_auc,
        "copy_share": report.exact_copy_share,
        "dcr_ratio": report.dcr_ratio,
        "genesis_seconds": seconds,
    }


def tstr_auc(train_rows: pd.DataFrame, test: pd.DataFrame, seed: int) -> float:
    """ROC AUC for ``income`` on the real test rows of XGBoost trained on ``train_rows``."""
    return tstr_score(train_rows, test, TARGET, seed)


def score(train, synthetic, test, schema, sdm_metadata, seed) -> dict[str, float]:
    result = sdmetrics_quality(train, synthetic, sdm_metadata)
    result.update(genesis_quality(train, synthetic, test, schema, seed))
    result["tstr_auc"] = tstr_auc(synthetic, test, seed)
    return result


# -- report ----------------------------------------------------------------------------------


def markdown_table(rows: dict[str, dict[str, Any]], n_train: int, args: argparse.Namespace) -> str:
    big = f"{args.big_sample:,}" if args.big_sample else "—"
    header = [
        "method",
        "fit s",
        f"sample {n_train:,} rows s",
        f"sample {big} rows s",
        "SDMetrics quality (shapes / trends)",
        "Genesis quality",
        "detection AUC",
        "TSTR AUC",
        "exact copies",
        "DCR ratio",
        "Genesis/SDV time",
        "s/epoch",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, row in rows.items():
        if "error" in row:
            lines.append(
                f"| {LABELS.get(name, name)} | failed: {row['error']} |" + " |" * (len(header) - 2)
            )
            continue
        ratio = "—"
        if name in MATCHED and MATCHED[name] in rows and "error" not in rows[MATCHED[name]]:
            other = rows[MATCHED[name]]
            ratio = (
                f"{(row['fit_s'] + row['sample_s']) / (other['fit_s'] + other['sample_s']):.2f}×"
            )
        per_epoch = row["fit_s"] / args.epochs if name in NEURAL else None
        quality = f"{fmt(row['sdm_quality'])} ({fmt(row['sdm_shapes'])} / {fmt(row['sdm_trends'])})"
        cells = [
            LABELS.get(name, name),
            fmt(row.get("fit_s"), 2),
            fmt(row.get("sample_s"), 2),
            fmt(row.get("big_sample_s"), 2),
            quality,
            fmt(row["genesis_quality"]),
            fmt(row["detection_auc"]),
            fmt(row["tstr_auc"]),
            fmt(row["copy_share"], 4),
            fmt(row["dcr_ratio"], 2),
            ratio,
            fmt(per_epoch, 2),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def report_text(table: str, rows: dict, n_train: int, n_test: int, args, argv: list[str]) -> str:
    import torch

    packages = [
        "sdv",
        "sdmetrics",
        "ctgan",
        "rdt",
        "copulas",
        "torch",
        "xgboost",
        "scikit-learn",
        "pandas",
        "numpy",
    ]
    versions = ", ".join(f"{p} {package_version(p)}" for p in packages)
    timings = [
        (r["genesis_seconds"], r["sdm_seconds"]) for r in rows.values() if "genesis_seconds" in r
    ]
    eval_line = ""
    if timings:
        genesis_s = np.mean([t[0] for t in timings])
        sdm_s = np.mean([t[1] for t in timings])
        eval_line = (
            f"- Scoring one synthetic table took on average {genesis_s:.1f} s with Genesis's "
            f"QualityEvaluator (shapes, pair trends, detection, copies, DCR) and {sdm_s:.1f} s with "
            "SDMetrics' QualityReport (shapes and pair trends only).\n"
        )
    command = "python " + " ".join(shlex.quote(a) for a in ["benchmarks/compare_sdv.py", *argv])
    return f"""# Genesis vs SDV on Adult

- Date: {dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")}
- Machine: {platform.platform()}, {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}
- Versions: genesis {git_commit()}, {versions}
- Command: `{command}`
- Data: {args.data.name}, {n_train:,} training rows / {n_test:,} test rows (`train_test_split(test_size=0.2, random_state=0)`{f", after subsampling to {args.rows:,} rows" if args.rows else ""}); neural methods {args.epochs} epochs, batch size {BATCH_SIZE}.
- torch threads: {torch.get_num_threads()} for both libraries (`torch.set_num_threads(1)`; Genesis also gets `torch_threads=1`).

{table}

- fit s / sample s: wall-clock seconds of `fit` and of sampling as many rows as the training set (and {f"{args.big_sample:,}" if args.big_sample else "no"} rows for the copulas).
- SDMetrics quality: `sdmetrics.reports.single_table.QualityReport` score (mean of column shapes and column-pair trends), SDV's detected metadata, the neutral judge for both libraries.
- Genesis quality: `genesis.quality.QualityEvaluator.quality_score`, SDMetrics' definitions with two deliberate differences. For a numeric × categorical pair SDMetrics cuts the synthetic column into 10 bins of the *synthetic* range, so when a method narrows a column's range (TVAE's `education-num`) the two tables' bins stop lining up and the pair scores near 0 however faithful it is; Genesis bins both on the real range. And Adult's `?` counts as missing in Genesis (a method that never emits `?` loses on missing-value similarity, not on shapes) but as a category in SDMetrics. On tables with matching ranges and tokens the two agree to the third decimal (see the ceiling row).
- detection AUC: cross-validated AUC of a gradient-boosting classifier telling real training rows from synthetic ones (0.5 = indistinguishable).
- TSTR AUC: XGBoost (`hist`, 100 trees) trained on the synthetic rows, ROC AUC for `income` on the real test rows; the first row trains on the real training rows (the ceiling).
- exact copies: share of synthetic rows identical to a training row. DCR ratio: median distance of synthetic rows to their closest training row over the same for the real test rows (near 1 = no closer than unseen rows).
- Genesis/SDV time: (fit + sample) of the Genesis method over its SDV counterpart; below 1 means Genesis is faster.
- s/epoch: fit seconds / epochs, preprocessing included.
{eval_line}"""


# -- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    warnings.filterwarnings("ignore")
    import torch
    from sdv.metadata import Metadata
    from sklearn.model_selection import train_test_split

    from genesis.schema import infer_schema

    torch.set_num_threads(1)
    data = pd.read_csv(args.data)
    if args.rows is not None and args.rows < len(data):
        data = data.sample(n=args.rows, random_state=args.seed).reset_index(drop=True)
    train, test = train_test_split(data, test_size=0.2, random_state=0)
    train, test = train.reset_index(drop=True), test.reset_index(drop=True)
    schema = infer_schema(train)
    sdm_metadata = Metadata.detect_from_dataframes({"adult": train}).to_dict()["tables"]["adult"]
    log(f"{len(train):,} training rows, {len(test):,} test rows; methods {args.methods}")

    rows: dict[str, dict[str, Any]] = {}
    ceiling = {"fit_s": None, "sample_s": None}
    ceiling.update(score(train, test, test, schema, sdm_metadata, args.seed))
    ceiling["tstr_auc"] = tstr_auc(train, test, args.seed)
    rows["real test rows (ceiling)"] = ceiling
    log(f"ceiling: {ceiling['sdm_quality']:.3f} quality, TRTR AUC {ceiling['tstr_auc']:.3f}")

    for method in args.methods:
        log(f"{method}: fitting")
        try:
            run = run_sdv if method.startswith("sdv_") else run_genesis
            result = run(method, train, args)
            synthetic = result.pop("synthetic")
            result.update(score(train, synthetic, test, schema, sdm_metadata, args.seed))
        except Exception as exc:  # a failed method is reported in the table, the others still run
            traceback.print_exc()
            result = {"error": f"{type(exc).__name__}: {exc}".replace("|", "/")[:200]}
        rows[method] = result
        log(f"{method}: { ({k: round(v, 3) for k, v in result.items() if isinstance(v, float)}) }")

    table = markdown_table(rows, len(train), args)
    text = report_text(table, rows, len(train), len(test), args, argv)
    print(text)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        log(f"wrote {args.out}")
    return 1 if any("error" in r for r in rows.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
