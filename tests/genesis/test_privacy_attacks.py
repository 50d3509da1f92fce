"""Privacy attacks with holdout controls, the audit report, and the DP Gaussian copula."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from genesis.errors import InvalidDataError, InvalidParameterError
from genesis.generators import GaussianCopulaSynthesizer, SyntheticGenerator
from genesis.generators.gaussian_copula import analytic_gaussian_sigma
from genesis.privacy_attacks import (
    AttributeInferenceAttack,
    MembershipInferenceAttack,
    PrivacyAttackTester,
    ReidentificationAttack,
    RiskLevel,
    TableEncoder,
    distance_to_closest_record,
    excess_risk,
    nearest_neighbor_distance_ratio,
    risk_level,
    risk_with_interval,
    wilson_interval,
)

QUASI_IDS = ["age", "sex", "race", "marital-status", "native-country"]


@pytest.fixture(scope="module")
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


@pytest.fixture(scope="module")
def audits(tables):
    tester = PrivacyAttackTester(["income"], QUASI_IDS, seed=0)
    return {
        name: tester.run_all_attacks(tables["train"], tables[name], tables["holdout"])
        for name in ("cart", "leaky", "shuffled")
    }


# --- honesty checks ---------------------------------------------------------------------------


def test_leaky_generator_is_flagged_high_with_membership_interval_excluding_half(audits):
    report = audits["leaky"]
    assert report.overall_risk >= RiskLevel.HIGH
    assert not report.passed
    auc_low, auc_high = report.membership_result.details["auc_ci"]
    assert auc_low > 0.5
    exact = report.reidentification_result.details["sub_attacks"]["exact_match"]
    assert exact["attack_rate"] == pytest.approx(0.2, abs=0.04)  # ~one in five rows copied
    assert exact["risk_ci"][0] > 0.15


def test_shuffled_columns_are_low_risk(audits):
    report = audits["shuffled"]
    assert report.overall_risk is RiskLevel.LOW
    assert report.passed
    assert (
        report.membership_result.details["auc_ci"][0]
        < 0.5
        < report.membership_result.details["auc_ci"][1]
    )
    for result in report.results:
        assert result.risk_ci[0] < 0.05, result.name


def test_clean_cart_model_passes(audits):
    report = audits["cart"]
    assert report.passed
    assert report.overall_risk <= RiskLevel.MEDIUM
    # and it is measurably less leaky than the planted leak
    assert report.membership_result.risk < audits["leaky"].membership_result.risk


def test_report_has_every_attack_with_intervals(audits):
    report = audits["cart"]
    assert set(report.attribute_results) == {"income"}
    assert report.reidentification_result is not None
    for result in report.results:
        low, high = result.risk_ci
        assert low <= result.risk <= high, result.name
        assert result.interpretation
    sub = report.reidentification_result.details["sub_attacks"]
    assert set(sub) == {"exact_match", "singling_out", "linkage"}
    assert report.details["seconds"]["total"] > 0
    assert report.distance_metrics["n_reference"] == 1_200
    assert 0 <= report.distance_metrics["dcr_share"] <= 1


def test_to_json_and_to_html(audits, tmp_path):
    report = audits["leaky"]
    text = report.to_json(tmp_path / "audit.json")
    loaded = json.loads((tmp_path / "audit.json").read_text())
    assert loaded == json.loads(text)
    assert loaded["overall_risk"] == report.overall_risk.value
    assert loaded["passed"] is False
    assert loaded["membership_result"]["details"]["auc_ci"][0] > 0.5
    page = report.to_html(tmp_path / "sub" / "audit.html")
    assert (tmp_path / "sub" / "audit.html").read_text() == page
    # the verdict comes first, and nothing is fetched from elsewhere
    assert page.index("FAILED") < page.index("Membership inference")
    assert "<style>" in page and "http://" not in page and "https://" not in page
    assert "<script" not in page and "<link" not in page
    assert "95% CI" in page
    assert not list(tmp_path.glob("**/*.tmp"))


def test_budget_of_a_dp_model_is_reported(tables):
    model = SyntheticGenerator("gaussian_copula", seed=0, epsilon=1.0, delta=1e-6)
    model.fit(tables["train"])
    synthetic = model.generate(2_000)
    report = PrivacyAttackTester(["income"], ["age", "sex"], max_rows=500).run_all_attacks(
        tables["train"], synthetic, tables["holdout"], model=model
    )
    assert report.budget["epsilon"] == 1.0
    assert report.budget["delta"] == 1e-6
    assert "epsilon = 1.0" in report.to_html()
    assert report.passed


# --- the attacks one by one -------------------------------------------------------------------


def test_attacks_are_deterministic_for_a_seed(tables):
    args = (tables["train"].head(800), tables["leaky"].head(800), tables["holdout"].head(400))
    first = MembershipInferenceAttack(max_rows=300, seed=3).run(*args)
    again = MembershipInferenceAttack(max_rows=300, seed=3).run(*args)
    assert first.accuracy == again.accuracy and first.risk_ci == again.risk_ci


def test_attribute_inference_detects_copies_and_respects_the_control(tables):
    attack = AttributeInferenceAttack(max_rows=1_000)
    leaky = attack.run(
        tables["train"], tables["leaky"], ["income", "age"], holdout=tables["holdout"]
    )
    shuffled = attack.run(tables["train"], tables["shuffled"], "income", holdout=tables["holdout"])
    assert leaky["age"].risk_ci[0] > 0.1  # a numeric column, within 5 %
    assert leaky["income"].details["attack_rate"] > leaky["income"].details["control_rate"]
    assert shuffled["income"].risk_ci[0] < 0.05 < shuffled["income"].risk_ci[1] + 0.05
    model = AttributeInferenceAttack(model="model", max_rows=500, max_synthetic=1_500).run(
        tables["train"],
        tables["cart"],
        ["income"],
        ["age", "education", "sex"],
        holdout=tables["holdout"],
    )
    assert model["income"].details["known"] == ["age", "education", "sex"]
    assert 0.5 < model["income"].details["control_rate"] < 1.0  # better than nothing on strangers


def test_reidentification_singles_out_copied_unique_records(tables):
    train, holdout = tables["train"], tables["holdout"]
    # synthetic data = the training rows themselves: every unique record is singled out
    result = ReidentificationAttack(max_rows=1_000).run(train, train, QUASI_IDS, holdout=holdout)
    sub = result.details["sub_attacks"]
    assert sub["exact_match"]["attack_rate"] == 1.0
    assert sub["exact_match"]["control_rate"] < 0.01
    assert sub["singling_out"]["attack_rate"] > sub["singling_out"]["control_rate"]
    assert sub["linkage"]["risk"] > 0.2
    assert result.risk_level is RiskLevel.CRITICAL


def test_bad_inputs_are_refused_with_the_fix(tables):
    train, synthetic, holdout = tables["train"], tables["cart"], tables["holdout"]
    with pytest.raises(InvalidParameterError, match="not columns of every table"):
        PrivacyAttackTester(["salary"], QUASI_IDS).run_all_attacks(train, synthetic, holdout)
    with pytest.raises(InvalidDataError, match="holdout has 0 rows"):
        PrivacyAttackTester(["income"], QUASI_IDS).run_all_attacks(
            train, synthetic, holdout.head(0)
        )
    with pytest.raises(InvalidDataError, match="DataFrame"):
        MembershipInferenceAttack().run(train, synthetic.to_numpy(), holdout)
    with pytest.raises(InvalidParameterError, match="unknown risk level"):
        PrivacyAttackTester(["income"], max_risk_level="SEVERE").run_all_attacks(
            train, synthetic, holdout
        )
    with pytest.raises(InvalidParameterError, match="model must be one of"):
        AttributeInferenceAttack(model="svm").run(train, synthetic, "income", holdout=holdout)
    with pytest.raises(InvalidParameterError, match="quasi-identifier"):
        ReidentificationAttack().run(train, synthetic, [], holdout=holdout)
    with pytest.raises(InvalidParameterError, match="listed|twice"):
        ReidentificationAttack().run(train, synthetic, ["age", "age"], holdout=holdout)
    with pytest.raises(InvalidParameterError, match="n_folds"):
        MembershipInferenceAttack(n_folds=1).run(train, synthetic, holdout)


# --- risk arithmetic, encoding, distances ---------------------------------------------------


def test_wilson_interval_matches_the_textbook():
    low, high = wilson_interval(81, 263)  # Wilson (1927) via Newcombe (1998): 0.2553-0.3662
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == 1.0
    assert all(math.isnan(v) for v in wilson_interval(0, 0))


def test_risk_formula_and_levels():
    assert excess_risk(0.6, 0.2) == pytest.approx(0.5)
    assert excess_risk(0.5, 1.0) == 0.0
    figures = risk_with_interval(60, 100, 20, 100)
    assert figures["risk"] == pytest.approx(0.5)
    low, high = figures["risk_ci"]
    assert low < 0.5 < high
    assert [risk_level(r) for r in (-0.2, 0.049, 0.05, 0.149, 0.15, 0.39, 0.4)] == [
        RiskLevel.LOW, RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.MEDIUM,
        RiskLevel.HIGH, RiskLevel.HIGH, RiskLevel.CRITICAL,
    ]  # fmt: skip
    assert RiskLevel.LOW < RiskLevel.MEDIUM < RiskLevel.HIGH < RiskLevel.CRITICAL
    assert risk_level(float("nan")) is RiskLevel.LOW


def test_encoder_shares_categories_and_scales():
    real = pd.DataFrame({"x": [0.0, 2.0, np.nan], "c": ["a", "b", "a"]})
    synthetic = pd.DataFrame({"x": [1.0, 1.0, 1.0], "c": ["b", "z", None]})
    encoder = TableEncoder(["x", "c"]).fit(real, synthetic)
    assert encoder.numeric_ == ["x"] and encoder.categorical_ == ["c"]
    matrix = encoder.transform(real)
    assert matrix.shape == (3, 1 + 1 + encoder.n_codes("c"))  # value, missing flag, one-hot
    # rows differing in one category are one unit apart
    pair = encoder.transform(pd.DataFrame({"x": [1.0, 1.0], "c": ["a", "b"]}))
    assert np.linalg.norm(pair[0] - pair[1]) == pytest.approx(1.0)
    assert encoder.codes(synthetic, "c")[0] == encoder.codes(real, "c")[1]  # "b" everywhere
    keys = encoder.row_keys(pd.DataFrame({"x": [1, 1.0], "c": ["a", "a"]}))
    assert keys[0] == keys[1]


def test_dcr_and_nndr():
    reference = pd.DataFrame({"x": [0.0, 1.0, 10.0], "c": ["a", "a", "b"]})
    query = pd.DataFrame({"x": [0.0, 10.0], "c": ["a", "b"]})
    encoder = TableEncoder(["x", "c"]).fit(reference, query)
    assert distance_to_closest_record(query, reference, encoder=encoder).tolist() == [0.0, 0.0]
    ratio = nearest_neighbor_distance_ratio(query, reference, encoder=encoder)
    assert ratio.tolist() == [0.0, 0.0]
    far = pd.DataFrame({"x": [5.5], "c": ["a"]})
    assert 0.5 < nearest_neighbor_distance_ratio(far, reference)[0] <= 1.0


# --- differentially private Gaussian copula -------------------------------------------------


def test_analytic_gaussian_beats_the_classic_bound():
    sigma = analytic_gaussian_sigma(1.0, 1e-5, 1.0)
    assert sigma < math.sqrt(2 * math.log(1.25 / 1e-5))
    assert analytic_gaussian_sigma(0.5, 1e-5, 1.0) > sigma
    assert analytic_gaussian_sigma(1.0, 1e-5, 2.0) == pytest.approx(2 * sigma, rel=1e-6)


def test_dp_copula_records_its_budget_and_noise_grows_as_epsilon_shrinks(adult_df):
    df = adult_df.sample(n=5_000, random_state=1).reset_index(drop=True)
    errors = {}
    for epsilon in (10.0, 0.05):
        model = GaussianCopulaSynthesizer(epsilon=epsilon, delta=1e-6, seed=0).fit(df)
        budget = model.privacy_budget_
        assert budget["epsilon"] == epsilon and budget["delta"] == 1e-6
        assert budget["split"]["marginals"] + budget["split"]["correlations"] == pytest.approx(
            epsilon
        )
        assert budget["neighbouring_relation"] == "add/remove one row"
        assert "data" in budget["bounds_from"]["age"]
        synthetic = model.generate(5_000)
        shares = synthetic["income"].value_counts(normalize=True)
        real_shares = df["income"].value_counts(normalize=True)
        errors[epsilon] = float((shares - real_shares).abs().max())
        assert list(synthetic.columns) == list(df.columns)
    assert errors[10.0] < 0.03
    assert errors[0.05] > errors[10.0]
    pure = GaussianCopulaSynthesizer(epsilon=1.0, bounds={"age": (0, 120)}).fit(df)
    assert pure.privacy_budget_["delta"] == 0.0
    assert pure.privacy_budget_["mechanism"]["correlations"].startswith("Laplace")
    assert pure.privacy_budget_["bounds_from"]["age"] == "declared"
    assert np.all(np.linalg.eigvalsh(pure.correlation_.to_numpy()) > 0)


def test_dp_copula_same_seed_same_rows(adult_df):
    df = adult_df.head(2_000)
    a = GaussianCopulaSynthesizer(epsilon=1.0, seed=4).fit(df).generate(300)
    b = GaussianCopulaSynthesizer(epsilon=1.0, seed=4).fit(df).generate(300)
    pd.testing.assert_frame_equal(a, b)
    assert not hasattr(GaussianCopulaSynthesizer().fit(df), "privacy_budget_")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"epsilon": 0}, "epsilon must be a positive"),
        ({"epsilon": -1.0}, "epsilon must be a positive"),
        ({"epsilon": 1.0, "delta": 1.5}, "delta must be in"),
        ({"delta": 1e-6}, "pass epsilon too"),
        ({"epsilon": 1.0, "marginals": "parametric"}, "not differentially private"),
        ({"epsilon": 1.0, "bounds": {"age": (5, 1)}}, "low < high"),
        ({"epsilon": 1.0, "dp_marginal_share": 1.0}, "dp_marginal_share"),
    ],
)
def test_dp_parameters_are_validated(params, message, adult_df):
    with pytest.raises(InvalidParameterError, match=message):
        GaussianCopulaSynthesizer(**params).fit(adult_df.head(100))
