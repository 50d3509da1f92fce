"""Genesis's privacy attacks vs Anonymeter's evaluators on the same Adult synthetic table.

The synthetic set: Genesis CART fitted on 80 % of UCI Adult (scikit-learn
``train_test_split(test_size=0.2, random_state=0)``, as in ``shared/datasets/README.md`` and
``compare_sdv.py``), generating as many rows as the training set (seed 0). The 20 % holdout is
the control of both tools.

Anonymeter (Giomi et al., PoPETs 2023) pins numpy<1.27, so it lives in its own environment,
``.venv-anonymeter`` (``benchmarks/requirements-anonymeter.txt``). This script runs in the
product's ``.venv``: it fits the model, runs Genesis's attacks, writes the three tables as
Parquet into a temporary folder and calls ``.venv-anonymeter/bin/python`` on itself with
``--anonymeter-half`` for Anonymeter's singling-out, linkability and inference evaluators,
then prints both risks with their 95 % intervals side by side, and why they differ where
their intervals do not overlap::

    .venv/bin/python benchmarks/compare_anonymeter.py
    .venv/bin/python benchmarks/compare_anonymeter.py --rows 4000 --n-attacks 300   # smoke run
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
QUASI_IDENTIFIERS = ["age", "sex", "race", "marital-status", "native-country"]
SECRET = "income"

WHY = {
    "singling_out": (
        "Different questions. Anonymeter's singling out writes random predicates from synthetic "
        "rows over any columns (univariate: rare values; multivariate: 3 random columns) and counts "
        "those that isolate exactly one row of the training table vs of the control table. The "
        "tables differ in size (4:1 here): a predicate that isolates one row of the training "
        "table matches on average a quarter of a row of the control table, so it rarely isolates "
        "one there, which pulls Anonymeter's control rate down and its risk up. The row "
        "'equal sizes' reruns Anonymeter with the training table subsampled to the control's "
        "size, which removes that effect. Genesis singles people out only on the declared "
        "quasi-identifiers, per real record, with target and control tables of equal size."
    ),
    "linkability": (
        "Same attack (nearest synthetic row on the quasi-identifiers and on the other columns must "
        "coincide), different distances: Anonymeter uses its own Gower-like mixed distance over "
        "n_attacks targets, Genesis standardised numbers and one-hot categories. Rows whose "
        "quasi-identifiers tie with many synthetic rows are linked by tie-breaking in both."
    ),
    "inference": (
        "Same attack (the income of the nearest synthetic row on all other columns), different "
        "distances and sample sizes; Genesis's interval also accounts for the control's own "
        "uncertainty (it pairs the attack's and the control's Wilson bounds), Anonymeter's takes "
        "the control rate as exact, so Genesis's intervals are wider."
    ),
}


def anonymeter_half(folder: Path, n_attacks: int, seed: int) -> None:
    """Run inside .venv-anonymeter: the three evaluators, results as JSON on stdout."""
    import pandas as pd
    from anonymeter.evaluators import (
        InferenceEvaluator,
        LinkabilityEvaluator,
        SinglingOutEvaluator,
    )

    train = pd.read_parquet(folder / "train.parquet")
    holdout = pd.read_parquet(folder / "holdout.parquet")
    synthetic = pd.read_parquet(folder / "synthetic.parquet")
    n = min(n_attacks, len(holdout))
    out = {}

    def record(name, evaluator, start):
        risk = evaluator.risk()
        results = evaluator.results()
        out[name] = {
            "risk": float(risk.value),
            "ci": [float(risk.ci[0]), float(risk.ci[1])],
            "attack_rate": float(results.attack_rate.value),
            "control_rate": float(results.control_rate.value) if results.control_rate else None,
            "seconds": round(time.perf_counter() - start, 1),
        }

    same_size = train.sample(n=min(len(train), len(holdout)), random_state=seed)
    for mode, ori, name in (
        ("univariate", train, "singling_out_univariate"),
        ("multivariate", train, "singling_out_multivariate"),
        ("multivariate", same_size, "singling_out_multivariate_equal"),
    ):
        start = time.perf_counter()
        evaluator = SinglingOutEvaluator(
            ori=ori, syn=synthetic, control=holdout, n_attacks=n, seed=seed
        ).evaluate(mode=mode)
        record(name, evaluator, start)
    others = [c for c in train.columns if c not in QUASI_IDENTIFIERS]
    start = time.perf_counter()
    evaluator = LinkabilityEvaluator(
        ori=train, syn=synthetic, control=holdout, n_attacks=n,
        aux_cols=(QUASI_IDENTIFIERS, others), n_neighbors=1,
    ).evaluate(n_jobs=1)  # fmt: skip
    record("linkability", evaluator, start)
    start = time.perf_counter()
    evaluator = InferenceEvaluator(
        ori=train, syn=synthetic, control=holdout, n_attacks=n,
        aux_cols=[c for c in train.columns if c != SECRET], secret=SECRET,
    ).evaluate(n_jobs=1)  # fmt: skip
    record(f"inference_{SECRET}", evaluator, start)
    print(json.dumps(out))


def _interval(ci) -> str:
    return f"[{ci[0]:+.3f}, {ci[1]:+.3f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=None, help="use this many Adult rows (all)")
    parser.add_argument("--n-attacks", type=int, default=2_000, help="Anonymeter's n_attacks")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--anonymeter-python",
        default=str(REPO_ROOT / ".venv-anonymeter" / "bin" / "python"),
        help="python of the Anonymeter environment",
    )
    parser.add_argument("--anonymeter-half", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.anonymeter_half:
        anonymeter_half(args.anonymeter_half, args.n_attacks, args.seed)
        return

    sys.path.insert(0, str(REPO_ROOT))
    import pandas as pd
    from sklearn.model_selection import train_test_split

    from genesis.generators import SyntheticGenerator
    from genesis.privacy_attacks import PrivacyAttackTester

    if not Path(args.anonymeter_python).exists():
        sys.exit(
            f"{args.anonymeter_python} not found; create the Anonymeter environment: python3 -m venv "
            ".venv-anonymeter && .venv-anonymeter/bin/pip install -r benchmarks/requirements-anonymeter.txt"
        )
    adult = pd.read_csv(
        REPO_ROOT.parent / "shared" / "datasets" / "adult.csv", skipinitialspace=True
    )
    if args.rows:
        adult = adult.sample(n=args.rows, random_state=args.seed).reset_index(drop=True)
    train, holdout = train_test_split(adult, test_size=0.2, random_state=args.seed)
    train, holdout = train.reset_index(drop=True), holdout.reset_index(drop=True)
    start = time.perf_counter()
    synthetic = SyntheticGenerator("cart", seed=args.seed).fit(train).generate(len(train))
    fit_seconds = time.perf_counter() - start

    start = time.perf_counter()
    report = PrivacyAttackTester([SECRET], QUASI_IDENTIFIERS, seed=args.seed).run_all_attacks(
        train, synthetic, holdout
    )
    audit_seconds = time.perf_counter() - start

    with tempfile.TemporaryDirectory(prefix="genesis-anonymeter-") as tmp:
        folder = Path(tmp)
        for name, df in (("train", train), ("holdout", holdout), ("synthetic", synthetic)):
            df.to_parquet(folder / f"{name}.parquet", index=False)
        start = time.perf_counter()
        done = subprocess.run(
            [args.anonymeter_python, __file__, "--anonymeter-half", str(folder),
             "--n-attacks", str(args.n_attacks), "--seed", str(args.seed)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        anonymeter_seconds = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"Anonymeter's half failed:\n{done.stderr[-3000:]}")
    theirs = json.loads(done.stdout.strip().splitlines()[-1])

    reid = report.reidentification_result.details["sub_attacks"]
    income = report.attribute_results[SECRET]
    rows = [
        (
            "singling out (univariate)",
            reid["singling_out"],
            theirs["singling_out_univariate"],
            "singling_out",
        ),
        (
            "singling out (multivariate)",
            reid["singling_out"],
            theirs["singling_out_multivariate"],
            "singling_out",
        ),
        (
            "singling out (multiv., equal sizes)",
            reid["singling_out"],
            theirs["singling_out_multivariate_equal"],
            "singling_out",
        ),
        ("linkability (QIs | rest)", reid["linkage"], theirs["linkability"], "linkability"),
        (f"inference ({SECRET})", income.details, theirs[f"inference_{SECRET}"], "inference"),
    ]
    print(
        f"Adult: {len(train)} training rows, {len(holdout)} holdout rows, {len(synthetic)} CART "
        f"synthetic rows (fit+generate {fit_seconds:.1f} s)"
    )
    print(
        f"Genesis audit {audit_seconds:.1f} s (overall {report.overall_risk.value}, "
        f"passed={report.passed}); Anonymeter {anonymeter_seconds:.1f} s, n_attacks={args.n_attacks}"
    )
    print(f"Quasi-identifiers: {QUASI_IDENTIFIERS}; secret: {SECRET}\n")
    header = f"| {'attack':36} | {'Genesis risk [95% CI]':28} | {'Anonymeter risk [95% CI]':28} | agree |"
    print(header)
    print("|" + "|".join("-" * (len(p)) for p in header.split("|")[1:-1]) + "|")
    disagreements = []
    for label, ours, anon, kind in rows:
        agree = ours["risk_ci"][0] <= anon["ci"][1] and anon["ci"][0] <= ours["risk_ci"][1]
        print(
            f"| {label:36} | {ours['risk']:+.3f} {_interval(ours['risk_ci']):21} | "
            f"{anon['risk']:+.3f} {_interval(anon['ci']):21} | {'yes' if agree else 'NO':5} |"
        )
        if not agree:
            disagreements.append((label, kind))
    m = report.membership_result
    print(
        f"| {'membership inference':36} | {m.risk:+.3f} {_interval(m.risk_ci):21} | "
        f"{'(no Anonymeter evaluator)':28} | {'-':5} |"
    )
    print(
        "\nRates (attack / control): "
        + "; ".join(
            f"{label}: Genesis {ours['attack_rate']:.4f}/{ours['control_rate']:.4f}, Anonymeter "
            f"{anon['attack_rate']:.4f}/{(anon['control_rate'] or float('nan')):.4f}"
            for label, ours, anon, _ in rows
        )
    )
    if disagreements:
        print("\nWhere the intervals do not overlap, why:")
        for label, kind in disagreements:
            print(f"- {label}: {WHY[kind]}")
    else:
        print("\nEvery pair of intervals overlaps: the two tools agree within their uncertainty.")


if __name__ == "__main__":
    main()
