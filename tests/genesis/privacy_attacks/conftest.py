"""Adult tables shared by the privacy-attack tests: a training/holdout split and three
synthetic twins (CART, a leaky one with 20 % verbatim copies, shuffled columns)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.generators import SyntheticGenerator
from genesis.privacy_attacks import PrivacyAttackTester

QUASI_IDS = ["age", "sex", "race", "marital-status", "native-country"]


@pytest.fixture(scope="package")
def tables(adult_df):
    """6,000 Adult rows split 80/20 (seed 0), CART synthetic rows, a leaky and a shuffled twin."""
    source = adult_df.sample(n=6_000, random_state=0).reset_index(drop=True)
    rng = np.random.default_rng(0)
    holdout_rows = rng.permutation(len(source))[:1_200]
    in_holdout = np.zeros(len(source), dtype=bool)
    in_holdout[holdout_rows] = True
    train = source[~in_holdout].reset_index(drop=True)
    holdout = source[in_holdout].reset_index(drop=True)
    cart = SyntheticGenerator("cart", seed=0).fit(train).generate(len(train))
    # the leaky generator: 20 % verbatim training rows, the rest from CART
    # (a seed of its own: rows copied with the attacks' own seed would be the rows they sample)
    copied = train.sample(n=len(train) // 5, random_state=12345)
    leaky = (
        pd.concat([copied, cart.iloc[: len(train) - len(copied)]])
        .sample(frac=1.0, random_state=0)
        .reset_index(drop=True)
    )
    shuffled = pd.DataFrame({c: train[c].to_numpy()[rng.permutation(len(train))] for c in train})
    return {"train": train, "holdout": holdout, "cart": cart, "leaky": leaky, "shuffled": shuffled}


@pytest.fixture(scope="package")
def audits(tables):
    tester = PrivacyAttackTester(["income"], QUASI_IDS, seed=0)
    return {
        name: tester.run_all_attacks(tables["train"], tables[name], tables["holdout"])
        for name in ("cart", "leaky", "shuffled")
    }
