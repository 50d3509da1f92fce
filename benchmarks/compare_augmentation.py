"""Augmentation on Adult-3%: no augmentation vs SMOTE-NC vs Genesis, by one classifier.

Adult is split 80/20 (sklearn ``train_test_split(test_size=0.2, random_state=0)``); in the
80% the positive class (``income == ">50K"``) is cut at random to 3% of the rows. For each
seed, :class:`genesis.augmentation.SyntheticAugmenter` (``validate=True``) holds out a
stratified real split of that table and trains a gradient-boosting classifier on the rest
alone, on it plus SMOTE-NC rows (imbalanced-learn), and on it plus Genesis rows from one
model of the table conditioned on the class; all three are tested on the same held-out real
rows. Several seeds, because the held-out minority is small and one split is noise::

    .venv/bin/python benchmarks/compare_augmentation.py --out benchmarks/results/compare_augmentation.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shlex
import sys
import warnings
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA = REPO_ROOT.parent / "shared" / "datasets" / "adult.csv"
os.environ.setdefault("OMP_NUM_THREADS", "1")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--share", type=float, default=0.03, help="positive share kept")
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated seeds")
    parser.add_argument("--method", default="cart")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)

    import pandas as pd
    from sklearn.model_selection import train_test_split

    from genesis.augmentation import SyntheticAugmenter

    warnings.filterwarnings("ignore")
    df = pd.read_csv(args.data, skipinitialspace=True)
    train, _ = train_test_split(df, test_size=0.2, random_state=0)
    positive = train["income"] == ">50K"
    n_keep = round(args.share * (~positive).sum() / (1 - args.share))
    cut = pd.concat([train[~positive], train[positive].sample(n_keep, random_state=0)]).reset_index(
        drop=True
    )
    lines = [
        "# Augmentation on Adult-3%",
        "",
        f"- date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; machine: {platform.machine()}, "
        f"{os.cpu_count()} cores",
        f"- command: `{shlex.join([Path(sys.executable).name, *sys.argv])}`",
        f"- table: Adult's 80% training split with `>50K` cut to {args.share:.0%}: "
        f"{len(cut):,} rows, {n_keep:,} positive; Genesis method `{args.method}`",
        "",
    ]
    for seed in (int(s) for s in args.seeds.split(",")):
        augmenter = SyntheticAugmenter(method=args.method, seed=seed).fit(cut, "income")
        augmenter.augment(target_ratio=1.0, validate=True)
        lines += [f"## seed {seed}", "", augmenter.validation_.to_markdown(), ""]
        print(lines[-2], flush=True)
    text = "\n".join(lines)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
