"""FinanceGenerator: every code and temporal rule over all rows, fraud signatures, calibration,
seeds, repair of broken tables, fit on user tables, bad inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from stdnum import iban, luhn
from stdnum.us import rtn

from genesis.domains import DOMAINS, FinanceGenerator
from genesis.domains.finance import MCC
from genesis.domains.fraud import CTR_THRESHOLD
from genesis.errors import GenesisError, InvalidParameterError


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return FinanceGenerator(seed=3).generate_default(3000)


def _legit(tx: pd.DataFrame) -> pd.DataFrame:
    return tx[~tx["is_fraud"]]


def test_registered_and_documented():
    assert DOMAINS["finance"] is FinanceGenerator
    assert FinanceGenerator.domain == "finance"
    assert set(FinanceGenerator.tables) == {
        "customers",
        "credit_profiles",
        "accounts",
        "transactions",
    }


def test_every_card_number_iban_and_routing_number_is_valid(tables):
    acc = tables["accounts"]
    cards = acc["card_number"].dropna()
    assert len(cards) == (acc["account_type"] != "savings").sum()
    assert all(luhn.is_valid(c) for c in cards)
    assert cards.is_unique
    prefixes = {"visa": ("4",), "mastercard": ("51", "52", "53", "54", "55"), "amex": ("34", "37")}
    for network, starts in prefixes.items():
        numbers = acc.loc[acc["card_network"] == network, "card_number"]
        assert len(numbers) > 0 and numbers.str.startswith(starts).all()
        assert (numbers.str.len() == (15 if network == "amex" else 16)).all()
    ibans = acc["iban"].dropna()
    assert set(ibans.str[:2]) == {"DE", "GB", "NL"} and ibans.is_unique
    assert all(iban.is_valid(v) for v in ibans)
    assert acc.loc[acc["country"] != "US", "iban"].notna().all()
    routing = acc["routing_number"].dropna()
    assert len(routing) == (acc["country"] == "US").sum()
    assert all(rtn.is_valid(v) for v in routing)


def test_currencies_and_merchant_codes(tables):
    acc, tx = tables["accounts"], tables["transactions"]
    expected = acc["country"].map({"US": "USD", "GB": "GBP", "DE": "EUR", "NL": "EUR"})
    assert (acc["currency"] == expected).all()
    own = tx["account_id"].map(acc.set_index("account_id")["currency"])
    assert (tx["currency"].astype(str) == own).all()
    purchases = tx[(tx["transaction_type"] == "purchase") & ~tx["is_fraud"]]
    assert set(purchases["mcc"]) <= set(MCC)
    assert set(tx.loc[tx["transaction_type"] == "atm_withdrawal", "mcc"]) == {6011}
    assert (
        tx.loc[tx["transaction_type"].isin(["deposit", "transfer", "payment"]), "mcc"].isna().all()
    )


def test_keys_and_foreign_keys_hold_on_every_row(tables):
    customers, profiles = tables["customers"], tables["credit_profiles"]
    acc, tx = tables["accounts"], tables["transactions"]
    assert customers["customer_id"].is_unique and acc["account_id"].is_unique
    assert tx["transaction_id"].is_unique and profiles["customer_id"].is_unique
    assert set(profiles["customer_id"]) == set(customers["customer_id"])
    assert acc["customer_id"].isin(customers["customer_id"]).all()
    assert set(acc["customer_id"]) == set(customers["customer_id"])  # every customer banks here
    assert tx["account_id"].isin(acc["account_id"]).all()


def test_temporal_rules_hold_on_every_row(tables):
    acc, tx = tables["accounts"], tables["transactions"]
    born = acc["customer_id"].map(tables["customers"].set_index("customer_id")["date_of_birth"])
    assert (acc["open_date"] >= born + pd.DateOffset(years=18)).all()
    closed = acc["close_date"].notna()
    assert (acc.loc[closed, "close_date"] > acc.loc[closed, "open_date"]).all()
    assert ((acc["status"] == "closed") == closed).all()
    lookup = acc.set_index("account_id")
    opened = tx["account_id"].map(lookup["open_date"])
    closes = tx["account_id"].map(lookup["close_date"])
    assert (tx["timestamp"] >= opened).all()
    assert (closes.isna() | (tx["timestamp"] < closes)).all()
    assert tx["timestamp"].between("2024-10-01", "2025-01-01", inclusive="left").all()
    assert tx["timestamp"].is_monotonic_increasing


def test_defaults_have_no_violations(tables):
    assert FinanceGenerator().violations(tables) == []


def test_fraud_labels_are_consistent_and_near_the_published_base_rate(tables):
    tx = tables["transactions"]
    assert set(tx["fraud_type"]) == {"none", "card_testing", "account_takeover", "structuring"}
    assert (tx["is_fraud"] == (tx["fraud_type"] != "none")).all()
    assert tx.loc[tx["is_fraud"], "fraud_scenario_id"].notna().all()
    assert tx.loc[~tx["is_fraud"], "fraud_scenario_id"].isna().all()
    # ULB credit-card fraud data: 492 of 284,807 transactions (0.17%)
    assert 0.0008 < tx["is_fraud"].mean() < 0.004
    one_account = tx[tx["is_fraud"]].groupby("fraud_scenario_id")["account_id"].nunique()
    assert (one_account == 1).all()


def test_card_testing_bursts_are_bursts(tables):
    tx = tables["transactions"]
    probes = tx[(tx["fraud_type"] == "card_testing") & (tx["amount"] < 5)]
    bursts = probes.groupby("fraud_scenario_id").agg(
        n=("amount", "size"),
        merchants=("merchant_id", "nunique"),
        first=("timestamp", "min"),
        last=("timestamp", "max"),
    )
    assert len(bursts) >= 10
    assert (bursts["n"] >= 5).all()
    assert (bursts["merchants"] == bursts["n"]).all()  # a different merchant every try
    assert ((bursts["last"] - bursts["first"]) <= pd.Timedelta(minutes=10)).all()
    assert (probes["channel"] == "online").all()
    # legitimate online purchases never pile up like that: at most a few per 10 minutes
    legit = _legit(tx)
    legit = legit[(legit["amount"] < 5) & (legit["channel"] == "online")]
    window = legit.set_index("timestamp").groupby("account_id")["amount"].rolling("10min").count()
    assert window.max() < 5


def test_account_takeover_comes_from_a_new_device_abroad_with_large_transfers(tables):
    tx, acc = tables["transactions"], tables["accounts"]
    ato = tx[tx["fraud_type"] == "account_takeover"]
    assert len(ato) > 0 and (ato["transaction_type"] == "transfer").all()
    legit = _legit(tx).dropna(subset=["device_id"])
    assert len(legit) > 1000  # online rows carry the account's own devices
    reused = ato.merge(
        legit[["account_id", "device_id"]].drop_duplicates(), on=["account_id", "device_id"]
    )
    assert reused.empty  # never a device seen on the account before
    home = ato["account_id"].map(acc.set_index("account_id")["country"])
    assert (ato["country"].astype(str) != home).all()
    normal = _legit(tx).loc[lambda t: t["transaction_type"] == "transfer", "amount"]
    assert ato["amount"].median() > 5 * normal.median()


def test_structuring_deposits_sit_just_under_the_reporting_threshold(tables):
    tx = tables["transactions"]
    deposits = tx[tx["fraud_type"] == "structuring"]
    assert (deposits["transaction_type"] == "deposit").all()
    assert deposits["amount"].between(0.8 * CTR_THRESHOLD, CTR_THRESHOLD, inclusive="left").all()
    groups = deposits.groupby("fraud_scenario_id").agg(
        n=("amount", "size"),
        total=("amount", "sum"),
        first=("timestamp", "min"),
        last=("timestamp", "max"),
    )
    assert (groups["n"] >= 3).all() and (groups["total"] > CTR_THRESHOLD).all()
    assert ((groups["last"] - groups["first"]) < pd.Timedelta(days=7)).all()
    cash = tx[
        ~tx["is_fraud"]
        & (tx["transaction_type"] == "deposit")
        & tx["channel"].isin(["branch", "atm"])
    ]
    assert len(cash) > 100 and not cash["amount"].between(0.8 * CTR_THRESHOLD, CTR_THRESHOLD).any()


def test_amounts_are_calibrated_to_the_federal_reserve_payments_study(tables):
    tx, acc = tables["transactions"], tables["accounts"]
    kind = tx["account_id"].map(acc.set_index("account_id")["account_type"])
    usd = tx[~tx["is_fraud"] & (tx["currency"] == "USD")]
    purchase = usd["transaction_type"] == "purchase"
    debit = usd[purchase & (kind[usd.index] == "checking")]["amount"].mean()
    credit = usd[purchase & (kind[usd.index] == "credit_card")]["amount"].mean()
    atm = usd.loc[usd["transaction_type"] == "atm_withdrawal", "amount"]
    assert debit == pytest.approx(34, rel=0.1)  # FRPS 2013: average debit card payment $34
    assert credit == pytest.approx(93, rel=0.1)  # ... credit card payment $93
    assert atm.mean() == pytest.approx(118, rel=0.05) and (atm % 20 == 0).all()


def test_daily_and_weekly_seasonality(tables):
    tx = tables["transactions"]
    cards = tx[~tx["is_fraud"] & (tx["transaction_type"] == "purchase")]
    per_day = cards.groupby(cards["timestamp"].dt.month).size() / [31, 30, 31]
    assert per_day.loc[12] > 1.1 * per_day.loc[10]  # December peak
    weekday = cards["timestamp"].dt.weekday.value_counts()
    assert weekday[5] > 1.15 * weekday[0]  # Saturday busier than Monday
    hours = cards["timestamp"].dt.hour.value_counts()
    assert hours[12] > 10 * hours[3]
    ach = tx[~tx["is_fraud"] & (tx["channel"] == "ach")]
    assert (ach["timestamp"].dt.weekday < 5).all()
    assert ach["timestamp"].dt.hour.between(8, 17).all()


def test_credit_profiles_are_plausible(tables):
    profiles = tables["credit_profiles"].merge(tables["customers"], on="customer_id")
    assert profiles["credit_score"].between(300, 850).all()
    assert profiles["credit_score"].mean() == pytest.approx(715, abs=20)  # Experian 2023
    age = (pd.Timestamp("2024-10-01") - profiles["date_of_birth"]).dt.days / 365.25
    assert (
        profiles.loc[age > 65, "credit_score"].mean()
        > profiles.loc[age < 30, "credit_score"].mean() + 40
    )
    low = profiles["credit_score"] < 600
    assert (
        profiles.loc[low, "delinquencies_24m"].mean()
        > profiles.loc[~low, "delinquencies_24m"].mean()
    )


def test_seeds_reproduce_and_differ():
    a = FinanceGenerator(seed=7).generate(300)
    b = FinanceGenerator(seed=7).generate(300)
    c = FinanceGenerator(seed=8).generate(300)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert not a["accounts"]["card_number"].equals(c["accounts"]["card_number"])


def test_single_table_methods():
    gen = FinanceGenerator(seed=1)
    accounts = gen.generate_accounts(500)
    assert len(accounts) == 500 and accounts["account_id"].is_unique
    fraud = gen.generate_fraud_scenarios(accounts, rates={"card_testing": 0.5})
    assert fraud["is_fraud"].all() and (fraud["fraud_type"] == "card_testing").any()
    assert fraud["account_id"].isin(accounts["account_id"]).all()
    clean = gen.generate_transactions(
        accounts, include_fraud=False, start="2024-12-01", end="2024-12-08"
    )
    assert not clean["is_fraud"].any()
    assert clean["timestamp"].between("2024-12-01", "2024-12-08", inclusive="left").all()
    none = gen.generate_fraud_scenarios(
        accounts, rates=dict.fromkeys(["card_testing", "account_takeover", "structuring"], 0.0)
    )
    assert none.empty and list(none.columns) == list(clean.columns)


def _break(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    broken = {name: frame.copy() for name, frame in tables.items()}
    acc, tx = broken["accounts"], broken["transactions"]
    card = acc["card_number"].first_valid_index()
    acc.loc[card, "card_number"] = acc.loc[card, "card_number"][:-1] + str(
        (int(acc.loc[card, "card_number"][-1]) + 1) % 10
    )
    bank = acc["iban"].first_valid_index()
    acc.loc[bank, "iban"] = acc.loc[bank, "iban"][:2] + "00" + acc.loc[bank, "iban"][4:]
    acc.loc[acc["routing_number"].first_valid_index(), "routing_number"] = "123456789"
    acc.loc[acc.index[:3], "currency"] = "ABC"
    acc.loc[acc.index[3], "close_date"] = acc.loc[acc.index[3], "open_date"] - pd.Timedelta(days=5)
    tx.loc[tx.index[:5], "timestamp"] = pd.Timestamp("1990-01-01")
    tx.loc[tx.index[5:8], "amount"] = -3.0
    tx["fraud_type"] = tx["fraud_type"].astype(object)
    tx.loc[tx.index[8], "fraud_type"] = "phishing"
    tx.loc[tx.index[9], "is_fraud"] = True
    broken["credit_profiles"].loc[0, "credit_score"] = 900
    return broken


def test_violations_name_each_broken_rule_and_repair_fixes_them(tables):
    gen = FinanceGenerator(seed=0)
    broken = _break(tables)
    found = "\n".join(gen.violations(broken))
    for rule in [
        "Luhn",
        "ISO 13616",
        "ABA",
        "ISO 4217",
        "close_date after open_date",
        "lifetime",
        "positive",
        "fraud_type is one of",
        "is_fraud exactly",
        "300-850",
        "status",
    ]:
        assert rule in found, rule
    repaired = gen.repair(broken)
    assert gen.violations(repaired) == []
    assert all(luhn.is_valid(c) for c in repaired["accounts"]["card_number"].dropna())
    assert all(iban.is_valid(v) for v in repaired["accounts"]["iban"].dropna())
    assert len(repaired["transactions"]) == len(tables["transactions"])
    assert gen.violations(broken) != []  # repair copied, did not change its input


def test_fit_on_user_tables_keeps_the_rules(tables):
    user = FinanceGenerator(seed=0).generate_default(150)
    user["transactions"] = user["transactions"].head(3000)
    gen = FinanceGenerator(seed=4).fit(user)
    out = gen.generate(100)
    assert set(out) == set(user)
    assert gen.violations(out) == []
    assert len(out["customers"]) == 100
    with pytest.raises(InvalidParameterError, match="DataFrame"):
        FinanceGenerator().fit("not tables")


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda g: g.generate(0), "n_samples"),
        (lambda g: g.generate_accounts("5"), "n must be an integer"),
        (lambda g: g.generate_customers(True), "n must be an integer"),
        (lambda g: g.generate_transactions(start="2025-01-01", end="2024-01-01"), "after start"),
        (lambda g: g.generate_transactions(start="not a date"), "dates such as"),
        (lambda g: g.generate_fraud_scenarios(rates={"phishing": 0.1}), "unknown fraud types"),
        (lambda g: g.generate_fraud_scenarios(rates={"structuring": 1.5}), "probability"),
        (lambda g: g.generate_transactions(accounts=[1, 2]), "DataFrame"),
        (
            lambda g: g.generate_transactions(accounts=pd.DataFrame({"account_id": [1]})),
            "lacks columns",
        ),
        (lambda g: g.generate_credit_profiles(pd.DataFrame({"customer_id": [1]})), "lacks columns"),
    ],
)
def test_bad_inputs_are_refused_with_a_fix(call, message):
    with pytest.raises(GenesisError, match=message):
        call(FinanceGenerator(seed=0))


def test_bad_seed_is_refused():
    with pytest.raises(InvalidParameterError, match="seed"):
        FinanceGenerator(seed=-1)
    assert np.isfinite(
        FinanceGenerator(seed=2**40).generate_customers(3)["annual_income_usd"]
    ).all()
