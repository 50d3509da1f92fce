"""Quick figures for federated synthesis on Adult: federated vs centralized vs local-only.

Adult, 80/20 split (seed 0); 5 sites, IID or Dirichlet(alpha) non-IID over ``race``; the
federated Gaussian copula (plain aggregator, and the secure one at epsilon = 1), the
centralized copula on the pooled training rows, and the best local-only copula (one site's
rows alone). Every synthetic table has as many rows as the training split and is scored by
Genesis's QualityEvaluator against the training rows (SDMetrics-style quality score) and by
TSTR accuracy on the real test split (target ``income``).

Usage: python benchmarks/federated_quick.py [--alphas 1 0.1] [--out results/federated_quick.json]
This is not issue 18's full benchmark (``benchmarks/federated.py``, item 4).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pandas as pd

from genesis.federated import FederatedTrainingSimulator, SecureAggregator
from genesis.generators import GaussianCopulaSynthesizer
from genesis.quality import QualityEvaluator

ROOT = Path(__file__).resolve().parents[1]
ADULT = Path("/work/shared/datasets/adult.csv")


#: synthetic draws per model; figures are their means (TSTR varies by about 0.015 by draw)
DRAWS = (0, 1, 2)


def score(train: pd.DataFrame, test: pd.DataFrame, draw) -> dict:
    """Mean quality score and TSTR ROC AUC over the draws ``draw(seed)`` for each seed."""
    quality, tstr = [], []
    for seed in DRAWS:
        report = QualityEvaluator(
            train, draw(seed), target="income", holdout=test, seed=0, max_rows=10_000
        ).evaluate()
        quality.append(report.quality_score)
        tstr.append(report.ml_utility["tstr"])
        trtr = report.ml_utility["trtr"]
    return {
        "quality": round(sum(quality) / len(quality), 4),
        "tstr_roc_auc": round(sum(tstr) / len(tstr), 4),
        "trtr_roc_auc": round(trtr, 4),
    }


def run(alphas: list[float], n_sites: int) -> list[dict]:
    data = pd.read_csv(ADULT)
    test = data.sample(frac=0.2, random_state=0)
    train = data.drop(test.index).reset_index(drop=True)
    test = test.reset_index(drop=True)
    n = len(train)
    rows = []
    start = time.perf_counter()
    central = GaussianCopulaSynthesizer(seed=0).fit(train)
    rows.append(
        {
            "setting": "centralized",
            "seconds": round(time.perf_counter() - start, 2),
            **score(train, test, lambda s: central.generate(n, seed=s)),
        }
    )
    print(rows[-1], flush=True)
    for split in ["iid", *alphas]:
        simulator = FederatedTrainingSimulator(n_sites=n_sites, seed=0)
        if split == "iid":
            simulator.setup_from_data(train)
        else:
            simulator.setup_non_iid(train, "race", alpha=float(split))
        for label, aggregator in (("plain", None), ("secure eps=1", SecureAggregator(epsilon=1.0))):
            report = simulator.simulate_training(1, aggregator=aggregator, privacy_budget=1.0)
            rows.append(
                {
                    "setting": f"federated {split} {label}",
                    "sites": report["site_rows"],
                    "bytes": report["bytes_exchanged"],
                    "exchanges": len(report["rounds"]),
                    "seconds": round(report["seconds"], 2),
                    "privacy": report["privacy"],
                    **score(
                        train, test, lambda s, sim=simulator: sim.generate_synthetic(n, seed=s)
                    ),
                }
            )
            print(rows[-1], flush=True)
        local = []
        for name, site_rows in simulator.site_data.items():
            if len(site_rows) < 100:
                continue
            model = GaussianCopulaSynthesizer(seed=0).fit(site_rows)
            local.append(
                {"site": name, **score(train, test, lambda s, m=model: m.generate(n, seed=s))}
            )
        best = max(local, key=lambda r: r["quality"])
        rows.append({"setting": f"best local-only {split}", **best})
        print(rows[-1], flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alphas", type=float, nargs="*", default=[1.0, 0.1])
    parser.add_argument("--sites", type=int, default=5)
    parser.add_argument("--out", default=str(ROOT / "benchmarks/results/federated_quick.json"))
    args = parser.parse_args()
    rows = run(args.alphas, args.sites)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(rows, indent=2, default=str) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
