"""Conditional generation on UCI Adult: Genesis vs SDV ``sample_from_conditions``.

Genesis ``cart`` and ``gaussian_copula`` (conditions pushed into the model) and SDV 2.0's
GaussianCopula and CTGAN (``sample_from_conditions``, rejection sampling with
``max_tries_per_batch``) are fitted once on the same 80% of Adult (scikit-learn
``train_test_split(test_size=0.2, random_state=0)``); each is then asked for ``--rows`` rows
under a fixed list of conditions, from common (a third of the rows) to rare (at most 0.1%: a
small country; an age range with an education level and an occupation) and ranges. For each:

* rows returned / asked, and the seconds the call took;
* the share of returned rows meeting every condition;
* fidelity of the other columns: the column-shapes score (mean over the columns not in the
  condition of 1 - KS statistic for numbers, 1 - total variation distance for labels, as
  SDMetrics defines it) of the returned rows against the real training rows that meet the
  condition (meaningful when enough real rows meet it: their count is shown).

SDV's ``Condition`` takes exact column values only, so ranges, lists and inequalities are
recorded as "not expressible"; its errors (``Unable to sample any rows``...) are recorded as
they come. It runs in the bench environment (SDV pins its own pandas/numpy)::

    PYTHONPATH=. .venv-bench/bin/python benchmarks/compare_conditional.py \
        --out benchmarks/results/compare_conditional.md
    PYTHONPATH=. .venv-bench/bin/python benchmarks/compare_conditional.py --methods cart  # quick
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import shlex
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

DEFAULT_DATA = REPO_ROOT.parent / "shared" / "datasets" / "adult.csv"
METHODS = ("cart", "gaussian_copula", "sdv_gaussian_copula", "sdv_ctgan")
LABELS = {
    "cart": "Genesis cart",
    "gaussian_copula": "Genesis gaussian_copula",
    "sdv_gaussian_copula": "SDV GaussianCopula",
    "sdv_ctgan": "SDV CTGAN",
}

#: (label, conditions in the dict format of genesis ConditionSet.from_dict), common to rare
CONDITIONS: list[tuple[str, dict[str, Any]]] = [
    ("sex = Female", {"sex": "Female"}),
    ("age >= 50", {"age": (">=", 50)}),
    ("income = >50K", {"income": ">50K"}),
    ("age between 30 and 40", {"age": ("between", (30, 40))}),
    ("hours-per-week > 50", {"hours-per-week": (">", 50)}),
    ("Never-married men", {"marital-status": "Never-married", "sex": "Male"}),
    ("education in Masters, Doctorate", {"education": ("in", ["Masters", "Doctorate"])}),
    ("capital-gain > 5000", {"capital-gain": (">", 5000)}),
    ("Black women", {"race": "Black", "sex": "Female"}),
    ("occupation = Tech-support", {"occupation": "Tech-support"}),
    (
        "age 40-50, Masters, Exec-managerial",
        {
            "age": ("between", (40, 50)),
            "education": "Masters",
            "occupation": "Exec-managerial",
        },
    ),
    ("age > 80", {"age": (">", 80)}),
    ("native-country = Honduras", {"native-country": "Honduras"}),
    (
        "age 60-70, Doctorate, Prof-specialty",
        {
            "age": ("between", (60, 70)),
            "education": "Doctorate",
            "occupation": "Prof-specialty",
        },
    ),
    (
        "age = 65, Doctorate, Prof-specialty",
        {"age": 65, "education": "Doctorate", "occupation": "Prof-specialty"},
    ),
    (
        "Doctorate, Prof-specialty, female, >50K",
        {
            "education": "Doctorate",
            "occupation": "Prof-specialty",
            "sex": "Female",
            "income": ">50K",
        },
    ),
]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="Adult CSV")
    parser.add_argument("--methods", default=",".join(METHODS), help=f"subset of {METHODS}")
    parser.add_argument("--rows", type=int, default=1000, help="rows asked per condition")
    parser.add_argument("--ctgan-epochs", type=int, default=30, help="SDV CTGAN epochs")
    parser.add_argument(
        "--max-tries", type=int, default=100, help="SDV max_tries_per_batch (its default)"
    )
    parser.add_argument(
        "--timeout", type=int, default=300, help="seconds one SDV call may take before it is cut"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="write the markdown report here")
    return parser.parse_args(argv)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- judges ------------------------------------------------------------------------------


def shapes_score(real: pd.DataFrame, synthetic: pd.DataFrame, columns: list[str]) -> float:
    """Mean column-shapes similarity (SDMetrics' definition) over ``columns``."""
    from scipy.stats import ks_2samp

    scores = []
    for column in columns:
        r, s = real[column], synthetic[column]
        if pd.api.types.is_numeric_dtype(r) and r.nunique() > 10:
            r, s = r.dropna().astype(float), pd.to_numeric(s, errors="coerce").dropna()
            if len(r) and len(s):
                scores.append(1.0 - ks_2samp(r, s).statistic)
        else:
            p = r.astype(str).value_counts(normalize=True)
            q = s.astype(str).value_counts(normalize=True)
            scores.append(1.0 - 0.5 * p.sub(q, fill_value=0).abs().sum())
    return float(np.mean(scores)) if scores else float("nan")


def sdv_column_values(conditions: dict[str, Any]) -> dict[str, Any] | None:
    """SDV's ``Condition(column_values=...)``: exact values only; None when not expressible."""
    if any(isinstance(v, tuple | list) for v in conditions.values()):
        return None
    return dict(conditions)


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


# --- runners -----------------------------------------------------------------------------


def fit(method: str, train: pd.DataFrame, args: argparse.Namespace) -> tuple[Any, float]:
    start = time.perf_counter()
    if method in ("cart", "gaussian_copula"):
        from genesis.generators import SyntheticGenerator

        model = SyntheticGenerator(method, seed=args.seed).fit(train)
    else:
        import torch
        from sdv.metadata import Metadata
        from sdv.single_table import CTGANSynthesizer, GaussianCopulaSynthesizer

        torch.set_num_threads(1)  # as compare_sdv.py: one thread for both libraries
        np.random.seed(args.seed)  # noqa: NPY002  (SDV draws from the global generators)
        torch.manual_seed(args.seed)
        metadata = Metadata.detect_from_dataframes({"adult": train})
        if method == "sdv_gaussian_copula":
            model = GaussianCopulaSynthesizer(metadata)
        else:
            model = CTGANSynthesizer(
                metadata, epochs=args.ctgan_epochs, batch_size=500, enable_gpu=False
            )
        model.fit({"adult": train})  # SDV 2.0 takes {table name: DataFrame}
    return model, time.perf_counter() - start


def sample(method: str, model: Any, conditions: dict, args: argparse.Namespace) -> dict[str, Any]:
    """Rows for ``conditions``: ``{"rows": DataFrame | None, "seconds", "note"}``."""
    start = time.perf_counter()
    if method in ("cart", "gaussian_copula"):
        try:
            rows = model.generate(args.rows, seed=args.seed, conditions=conditions)
            note = ""
        except Exception as exc:  # recorded, like SDV's failures
            rows, note = None, f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
        return {"rows": rows, "seconds": time.perf_counter() - start, "note": note}
    values = sdv_column_values(conditions)
    if values is None:
        return {"rows": None, "seconds": None, "note": "not expressible (exact values only)"}
    from sdv.sampling import Condition

    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(args.timeout)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows = model.sample_from_conditions(
                [Condition(num_rows=args.rows, column_values=values)],
                max_tries_per_batch=args.max_tries,
            )
        rows = rows["adult"] if isinstance(rows, dict) else rows
        note = ""
    except _Timeout:
        rows, note = None, f"cut after {args.timeout} s"
    except Exception as exc:
        rows, note = None, f"{type(exc).__name__}: {' '.join(str(exc).split())[:160]}"
    finally:
        signal.alarm(0)
    return {"rows": rows, "seconds": time.perf_counter() - start, "note": note}


# --- report ------------------------------------------------------------------------------


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "—"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from sklearn.model_selection import train_test_split

    from genesis.generators.conditional import ConditionSet

    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = set(methods) - set(METHODS)
    if unknown:
        raise SystemExit(f"unknown methods {sorted(unknown)}; choose from {METHODS}")
    df = pd.read_csv(args.data)
    train, _ = train_test_split(df, test_size=0.2, random_state=0)
    train = train.reset_index(drop=True)
    log(f"Adult: {len(train):,} training rows")
    fits: dict[str, float] = {}
    lines = [
        "| condition | real rows (share) | method | returned / asked | seconds | share meeting "
        "| shapes vs matching real rows | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    summary: dict[str, list] = {m: [] for m in methods}
    models = {}
    for method in methods:
        log(f"fitting {method}")
        models[method], fits[method] = fit(method, train, args)
        log(f"  {fits[method]:.1f} s")
    for label, conditions in CONDITIONS:
        condition_set = ConditionSet.from_dict(conditions)
        matching = train[condition_set.mask(train)]
        others = [c for c in train.columns if c not in set(condition_set.columns)]
        for method in methods:
            result = sample(method, models[method], conditions, args)
            rows = result["rows"]
            if rows is not None and len(rows) < args.rows and not result["note"]:
                result["note"] = "fewer rows than asked, no error raised"
            if rows is not None:
                share = float(condition_set.mask(rows).mean()) if len(rows) else 0.0
                fidelity = shapes_score(matching, rows, others) if len(matching) else None
                returned = f"{len(rows):,} / {args.rows:,}"
            else:
                share = fidelity = None
                returned = f"0 / {args.rows:,}" if result["seconds"] is not None else "—"
            summary[method].append((rows is not None and len(rows) == args.rows, share))
            log(f"{label} | {method}: {returned}, {_fmt(result['seconds'], 2)} s {result['note']}")
            lines.append(
                f"| {label} | {len(matching):,} ({len(matching) / len(train):.2%}) "
                f"| {LABELS[method]} | {returned} | {_fmt(result['seconds'], 2)} "
                f"| {_fmt(share)} | {_fmt(fidelity)} | {result['note']} |"
            )
    text = report(args, argv, train, fits, lines, summary)
    print(text)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        log(f"wrote {args.out}")
    return 0


def report(args, argv, train, fits, lines, summary) -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO_ROOT
        ).stdout.strip()
    except OSError:
        commit = "unknown"
    import importlib.metadata as md

    versions = []
    for package in ("sdv", "ctgan", "torch", "pandas", "numpy"):
        with contextlib.suppress(md.PackageNotFoundError):
            versions.append(f"{package} {md.version(package)}")
    command = "PYTHONPATH=. python benchmarks/compare_conditional.py " + shlex.join(
        argv if argv is not None else sys.argv[1:]
    )
    totals = []
    for method, items in summary.items():
        exact = sum(1 for ok, _ in items if ok)
        full = sum(1 for ok, share in items if ok and share == 1.0)
        totals.append(
            f"- {LABELS[method]} (fit {fits[method]:.1f} s): exactly {args.rows:,} rows for "
            f"{exact} of {len(items)} conditions, all meeting them for {full}."
        )
    return "\n".join(
        [
            "# Conditional generation on Adult: Genesis vs SDV sample_from_conditions",
            "",
            f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}; commit {commit}",
            f"- machine: {platform.platform()}, {os.cpu_count()} CPUs (shared with other jobs), "
            f"Python {platform.python_version()}; {', '.join(versions)}",
            f"- command: `{command}`",
            f"- data: Adult, {len(train):,} training rows (train_test_split(test_size=0.2, "
            f"random_state=0)); {args.rows:,} rows asked per condition; SDV CTGAN "
            f"{args.ctgan_epochs} epochs, SDV max_tries_per_batch={args.max_tries}, each SDV "
            f"call cut after {args.timeout} s.",
            "",
            *totals,
            "",
            *lines,
            "",
            "Columns: *real rows (share)*: training rows meeting the condition; *share "
            "meeting*: share of returned rows meeting every condition; *shapes*: mean over "
            "the columns not in the condition of 1 - KS (numbers) or 1 - TV distance "
            "(labels) of the returned rows against the real rows meeting the condition (noisy "
            "when few real rows meet it). SDV's `Condition` takes exact values only: ranges, "
            "lists and inequalities are *not expressible* there.",
            "",
        ]
    )


if __name__ == "__main__":
    raise SystemExit(main())
