"""The support round under differential privacy: rare labels and exact ranges stay private,
the budget split is recorded and adds up, and the accounting matches OpenDP."""

from __future__ import annotations

import math

import numpy as np
import pytest

from genesis.errors import FederatedError, InvalidParameterError, PrivacyBudgetExceededError
from genesis.federated import DataSite, FederatedGenerator, SecureAggregator, SiteConfig
from genesis.federated.dp_support import (
    KAPPA,
    bin_edges,
    calibrate_support,
    numeric_histogram,
    support_cost,
    value_bins,
)
from genesis.federated.transport import encode
from genesis.generators.encoding import OTHER_LABEL


def _opendp():
    try:
        import opendp.prelude as dp
    except ImportError as exc:  # a required dependency of the feature: fail with the fix
        raise AssertionError("install the federated extra: pip install -e '.[federated]'") from exc
    dp.enable_features("contrib")
    return dp


def _sites(table, n=3):
    size = len(table) // n
    return [
        DataSite(
            f"s{i}",
            table.iloc[i * size : (i + 1) * size].reset_index(drop=True),
            SiteConfig(f"s{i}", 1.0, 100.0, seed=i),
        )  # fmt: skip
        for i in range(n)
    ]


def _support(aggregator, sites):
    for site in sites:
        site.authorize(aggregator.epsilon_cost())
    plan = aggregator.support_plan()
    messages = [site.train_local(plan) for site in sites]
    return messages, aggregator.aggregate(messages).parameters["support"]


@pytest.fixture
def rare_table(table):
    rows = table.copy()
    rows["city"] = rows["city"].astype(object)
    rows.loc[5, "city"] = "atlantis"  # one row, at site s0
    rows.loc[7, "income"] = 9_876_543.21  # one extreme value, at site s0
    return rows


def test_a_label_held_by_one_row_is_not_released(rare_table):
    exact = SecureAggregator()  # no epsilon: the exact label sets (no DP claimed)
    _, support = _support(exact, _sites(rare_table))
    assert "atlantis" in support["columns"]["city"]["labels"]
    private = SecureAggregator(epsilon=8.0)
    messages, support = _support(private, _sites(rare_table))
    labels = support["columns"]["city"]["labels"]
    assert "atlantis" not in labels and OTHER_LABEL in labels
    assert {"north", "south", "east"} <= set(labels)  # hundreds of rows each: released
    assert "atlantis" not in encode(messages[0])  # not in the site's message either
    # the row with the unreleased label is encoded as __other__ at its site
    encoding_frame = private_frame(private, rare_table)
    assert (encoding_frame == OTHER_LABEL).sum() == 1


def private_frame(aggregator, rows):
    from genesis.federated.support import agreed_encoding

    encoding = agreed_encoding(aggregator._support)
    frame = encoding.model_frame(rows.assign(site="s0"))
    codes = encoding.transformer.inverse_transform(frame)["city"]
    return codes


def test_numeric_bounds_are_public_bin_edges_not_the_exact_extremes(rare_table):
    private = SecureAggregator(epsilon=8.0)
    messages, support = _support(private, _sites(rare_table))
    lower, upper = bin_edges("numeric")
    edges = set(lower) | set(upper)
    for column in ("age", "income", "hours"):
        grid = support["columns"][column]["grid"]
        # the range is made of public bin edges (hours' minimum, 10, happens to be one)
        assert grid[0] in edges and grid[-1] in edges, column
        if column != "hours":
            exact_min, exact_max = rare_table[column].min(), rare_table[column].max()
            assert grid[0] != exact_min and grid[-1] != exact_max, column
    # the single extreme income is outside the agreed range (it would need its own bin)
    assert support["columns"]["income"]["grid"][-1] < 9_876_543.21
    # the exact extremes are in no site's message
    text = encode(messages[0])
    assert repr(9_876_543.21) not in text and "9876543" not in text
    # without epsilon the exact minimum and maximum are shared (the documented behaviour)
    _, exact = _support(SecureAggregator(), _sites(rare_table))
    assert exact["columns"]["income"]["grid"][-1] == 9_876_543.21


def test_the_budget_split_is_recorded_and_adds_up(table):
    epsilon, delta = 2.0, 1e-5
    generator = FederatedGenerator(SecureAggregator(epsilon=epsilon, delta=delta))
    for site in _sites(table):
        generator.add_site(site)
    result = generator.train()
    dp = result.metadata["differential_privacy"]
    share = dp["support_share"]
    assert share == 0.25  # the default
    support, statistics = dp["support"], dp["statistics"]
    # the support round spends 25% of the run's rho; the statistics releases the rest
    assert support["rho"] == pytest.approx(share * dp["rho"], rel=1e-6)
    assert statistics["rho"] == pytest.approx((1 - share) * dp["rho"], rel=1e-6)
    assert 0 < support["delta"] <= share * delta
    assert statistics["rho"] == pytest.approx(2 / (2 * dp["noise_multiplier"] ** 2))
    # OpenDP, from the recorded noise: the threshold release's (rho, delta) ...
    opendp = _opendp()
    domain = opendp.map_domain(opendp.atom_domain(T=str), opendp.atom_domain(T=float, nan=False))
    metric = opendp.l02inf_distance(opendp.absolute_distance(T=float))
    threshold = opendp.m.make_gaussian_threshold(
        domain, metric, scale=support["sigma"], threshold=support["threshold"]
    )
    l0 = support["changed_counts"]
    assert l0 == 2 + 2 * 3  # two label columns (city, member), three numeric
    rho_s, delta_s = threshold.map((l0, math.sqrt(l0), 1.0))
    assert rho_s == pytest.approx(support["rho"]) and delta_s == pytest.approx(support["delta"])
    # ... and the whole run: rho added (zCDP), converted at the rest of delta
    space = (opendp.vector_domain(opendp.atom_domain(T=float, nan=False)),
             opendp.l2_distance(T=float))  # fmt: skip
    unit = opendp.c.make_fix_delta(
        opendp.c.make_zCDP_to_approxDP(opendp.m.make_gaussian(*space, scale=1.0)),
        delta=delta - share * delta,  # the threshold's share is reserved whole
    )
    total, _ = unit.map(math.sqrt(2 * (rho_s + statistics["rho"])))
    assert dp["epsilon"] == pytest.approx(total) and total <= epsilon + 1e-9
    assert dp["epsilon"] == pytest.approx(epsilon, rel=1e-3) and dp["delta"] == delta
    # every site's ledger is charged exactly what the accountant says was spent
    for site in generator.sites:
        (entry,) = site.ledger.entries
        assert entry["epsilon"] == dp["epsilon"] and entry["delta"] == dp["delta"]
        assert entry["run_id"] == result.metadata["run_id"]


def test_calibration_and_threshold_formula():
    from scipy.stats import norm

    sigma, tau = calibrate_support(0.01, 1e-6, 10)
    assert sigma == pytest.approx(math.sqrt(10 / 0.02))
    assert tau == pytest.approx(1 + sigma * norm.isf(0.99 * 1e-6 / 10))
    rho, delta = support_cost(sigma, tau, 10)
    assert rho == pytest.approx(0.01) and delta <= 1e-6
    # more changed counts or less budget need more noise
    assert calibrate_support(0.01, 1e-6, 20)[0] > sigma
    assert calibrate_support(0.005, 1e-6, 10)[0] > sigma


def test_public_bins_and_histograms():
    x = np.array([-250.0, -0.001, 0.0, 1e-9, 3.0, 3.5, 17.0, 9e20])
    bins = value_bins(x, "numeric")
    lower, upper = bin_edges("numeric")
    inside = (lower[bins] <= x) & (x <= upper[bins])
    # 1e-9 (below 1e-6) counts in the zero bin; 9e20, beyond the last bin, in the last bin
    assert inside[[0, 1, 2, 4, 5, 6]].all()
    assert bins[-1] == lower.size - 1
    assert bins[2] == bins[3]  # zero and a value below 1e-6 share the zero bin
    counts = numeric_histogram(np.array([1.0, 2.5, 2.25]), n_missing=4, kind="numeric")
    n_bins = lower.size
    assert counts[:n_bins].sum() == 3 and counts[n_bins] == 4
    assert list(counts[n_bins + 1 : n_bins + 4]) == [1, 1, 1]  # decimals 0, 1, 2


def test_a_small_federation_still_agrees_a_support(table):
    # 3 x 200 rows at epsilon 1: few bins clear the cut; the most populated one stands in
    generator = FederatedGenerator(SecureAggregator(epsilon=1.0))
    for site in _sites(table.iloc[:600]):
        site.config.min_samples = 100
        generator.add_site(site)
    generator.train()
    rows = generator.generate(300)
    assert len(rows) == 300 and rows["age"].notna().all()
    support = generator.aggregator._support["columns"]
    assert all(OTHER_LABEL in support[c]["labels"] for c in ("city", "member"))
    assert KAPPA > 0


def test_bad_inputs(table):
    with pytest.raises(InvalidParameterError, match=r"support_share must be in \(0, 1\)"):
        SecureAggregator(epsilon=1.0, support_share=1.0)
    with pytest.raises(InvalidParameterError, match="support_share"):
        SecureAggregator(epsilon=1.0, support_share=0)
    private = SecureAggregator(epsilon=1.0)
    sites = _sites(table)
    plan = private.support_plan()
    # a site answers a DP round only once it has checked the run against its budget
    with pytest.raises(PrivacyBudgetExceededError, match="has not authorized"):
        sites[0].train_local(plan)
    sites[0].authorize(0.5)
    with pytest.raises(PrivacyBudgetExceededError, match="epsilon=1 that it has not authorized"):
        sites[0].train_local(plan)
    sites[0].authorize(1.0)
    messages = [sites[0].train_local(plan), *(s.train_local() for s in sites[1:])]
    with pytest.raises(FederatedError, match="without differential privacy although"):
        private.aggregate(messages)
    from genesis.federated.support import agree_support

    with pytest.raises(FederatedError, match="with differential privacy and some without"):
        agree_support(messages, seed=0, max_categories=100)
    bare = [s.train_local({"phase": "support", "counts": False, "sketch_points": 2}) for s in sites]
    with pytest.raises(FederatedError, match="without differential privacy although"):
        private.aggregate(bare)


#: stated margins of the federated copula's quality below the centralized copula's on Adult
#: (5 IID sites): before the support round was DP, epsilon 8 cost 0.010 and epsilon 1 0.014
#: (benchmarks/results/federated.md); with it, epsilon 8 may cost at most 0.02 and epsilon 1
#: at most 0.05 (measured: 0.005 and 0.028, single draws)
ADULT_MARGINS = {8.0: 0.02, 1.0: 0.05}


@pytest.mark.slow  # fits the full Adult table centrally and over sites at two budgets
def test_quality_on_adult_stays_within_the_stated_margins(adult_df):
    from genesis.federated import FederatedTrainingSimulator
    from genesis.generators import GaussianCopulaSynthesizer
    from genesis.quality import QualityEvaluator

    test = adult_df.sample(frac=0.2, random_state=0)
    train = adult_df.drop(test.index).reset_index(drop=True)
    n = 10_000

    def quality(rows):
        return (
            QualityEvaluator(train, rows, target="income", holdout=test, seed=0, max_rows=n)
            .evaluate()
            .quality_score
        )

    central = quality(GaussianCopulaSynthesizer(seed=0).fit(train).generate(n, seed=0))
    simulator = FederatedTrainingSimulator(n_sites=5, seed=0)
    simulator.setup_from_data(train)
    for epsilon, margin in ADULT_MARGINS.items():
        report = simulator.simulate_training(
            1, aggregator=SecureAggregator(epsilon=epsilon, seed=0), privacy_budget=epsilon
        )
        assert report["privacy"]["support_share"] == 0.25
        federated = quality(simulator.generate_synthetic(n, seed=0))
        assert federated >= central - margin, (epsilon, federated, central)


def test_datetimes_decimals_and_missing_under_dp():
    import pandas as pd

    rng = np.random.default_rng(0)
    n = 3_000
    hours = rng.integers(0, 365 * 24, n)
    rows = pd.DataFrame({
        "when": pd.Timestamp("2013-01-01") + pd.to_timedelta(hours, unit="h"),
        "wind": np.where(rng.random(n) < 0.1, np.nan, np.round(rng.gamma(2, 5, n), 2)),
        "kind": rng.choice(["a", "b", "c"], n),
    })  # fmt: skip
    generator = FederatedGenerator(SecureAggregator(epsilon=8.0))
    for site in _sites(rows):
        generator.add_site(site)
    generator.train()
    support = generator.aggregator._support["columns"]
    assert support["when"]["step"] == 3_600 * 10**9  # hours, from the noisy unit counts
    assert support["wind"]["decimals"] == 2
    assert 0.05 < support["wind"]["missing_share"] < 0.15
    out = generator.generate(1_000)
    assert (out["when"].dt.minute == 0).all() and out["wind"].isna().any()
    # the range is 30-day public bins around the year, not its first and last hour
    assert out["when"].min() <= pd.Timestamp("2013-01-15") and out["when"].max().year <= 2014
    assert support["when"]["grid"][0] != rows["when"].min().value


def test_an_empty_other_placeholder_never_reaches_the_synthetic_rows(table):
    # every label is released here, so no real row is __other__: its noisy count is noise
    for seed in range(6):  # the sites' private seeds draw the noise
        generator = FederatedGenerator(SecureAggregator(epsilon=1.0, seed=seed))
        for i, site in enumerate(_sites(table)):
            site.config.seed = site._secret = 10 * seed + i
            generator.add_site(site)
        generator.train()
        rows = generator.generate(5_000)
        assert OTHER_LABEL in generator.aggregator._support["columns"]["member"]["labels"]
        assert set(rows["member"]) == {"yes", "no"}, seed
