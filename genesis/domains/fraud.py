"""Labelled fraud scenarios on bank accounts, each a small group of transactions with the
signature investigators look for (ground truth: ``is_fraud``, ``fraud_type``,
``fraud_scenario_id``):

- ``card_testing``: a stolen card checked with a burst of 5+ tiny card-not-present payments
  (under $5, often exactly $1) at as many different merchants within ten minutes, sometimes
  followed within the hour by one large online purchase (the cash-out).
- ``account_takeover``: a device never seen on the account, in another country, then one
  or more large transfers out within six hours.
- ``structuring``: three or more cash deposits each just under the reporting threshold
  (80-99.5% of it) within a week, so that no single one is reported. The US Currency
  Transaction Report rule (31 CFR 1010.311) requires a report for cash over $10,000, and
  31 U.S.C. 5324 makes structuring to evade it a crime; the threshold is 10,000 units of
  the account's currency here (``threshold``).

Base rates (:data:`DEFAULT_RATES`) are the chance that an eligible account suffers each
scenario in a quarter; they are set so that fraudulent rows are about 0.17% of all
transactions, the share in the ULB/Worldline credit card fraud data set (492 of 284,807
card transactions; Dal Pozzolo et al., 2015).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from genesis.domains import calendar
from genesis.errors import InvalidParameterError

FRAUD_TYPES = ("card_testing", "account_takeover", "structuring")
DEFAULT_RATES = {"card_testing": 0.008, "account_takeover": 0.002, "structuring": 0.001}
CTR_THRESHOLD = 10_000.0
CARD_TESTING_WINDOW_S = 600
_FRAUD_DEVICE_BASE = 9_000_000_000_000  # fraudsters' devices: never an account's own ids
_TESTING_MCCS = np.array([5815, 5999, 4816])


def check_rates(rates: dict[str, float] | None) -> dict[str, float]:
    """The fraud rates with defaults filled in; each a probability."""
    merged = dict(DEFAULT_RATES)
    if rates is not None:
        if not isinstance(rates, dict):
            raise InvalidParameterError(
                f"rates must be a dict of fraud type -> probability, got {rates!r}"
            )
        unknown = sorted(set(rates) - set(FRAUD_TYPES))
        if unknown:
            raise InvalidParameterError(f"unknown fraud types {unknown}; use {list(FRAUD_TYPES)}")
        merged.update(rates)
    for name, value in merged.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise InvalidParameterError(
                f"rates[{name!r}] must be a probability in [0, 1], got {value!r}"
            )
    return merged


def _windows(accounts: pd.DataFrame, low: int, high: int) -> tuple[np.ndarray, np.ndarray]:
    open_day = calendar.day_numbers(accounts["open_date"])
    close = pd.to_datetime(accounts["close_date"])
    close_day = np.where(close.isna(), high, calendar.day_numbers(close.fillna(pd.Timestamp(0))))
    return np.maximum(open_day, low), np.minimum(close_day, high)


def _frame(
    accounts,
    owner,
    seconds,
    amount,
    tx_type,
    channel,
    mcc,
    merchant,
    device,
    country,
    fraud_type,
    scenario,
    fx,
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": accounts["account_id"].to_numpy()[owner],
            "timestamp": seconds.astype(np.int64),
            "amount": np.round(np.maximum(amount * fx[owner], 0.01), 2),
            "currency": accounts["currency"].to_numpy()[owner],
            "transaction_type": tx_type,
            "channel": channel,
            "mcc": mcc,
            "merchant_id": merchant,
            "device_id": device,
            "country": country,
            "is_fraud": True,
            "fraud_type": fraud_type,
            "fraud_scenario_id": scenario,
        }
    )


def _card_testing(accounts, victims, lo, hi, rng, first_id, fx) -> pd.DataFrame:
    k = 5 + rng.poisson(10, victims.size)
    scenario = np.repeat(first_id + np.arange(victims.size), k)
    owner = np.repeat(victims, k)
    day = lo[victims] + (rng.random(victims.size) * ((hi[victims] - lo[victims]) - 1)).astype(
        np.int64
    )
    t0 = day * calendar.SECONDS_PER_DAY + rng.integers(0, calendar.SECONDS_PER_DAY, victims.size)
    seconds = np.repeat(t0, k) + np.sort(rng.integers(0, CARD_TESTING_WINDOW_S, owner.size))
    # offsets sorted over all rows stay sorted inside each burst (bursts are contiguous)
    offsets = np.arange(owner.size) - np.repeat(np.cumsum(k) - k, k)
    start = np.repeat(rng.integers(0, 50_000, victims.size), k)
    mcc = np.repeat(_TESTING_MCCS[rng.integers(0, 3, victims.size)], k)
    merchant = mcc * 100_000 + 40_001 + (start + offsets * 7) % 50_000  # distinct per burst
    amount = np.where(rng.random(owner.size) < 0.4, 1.0, rng.uniform(0.5, 4.99, owner.size))
    device = np.repeat(_FRAUD_DEVICE_BASE + scenario[np.cumsum(k) - k], k)
    frames = [
        _frame(
            accounts,
            owner,
            seconds,
            amount / fx[owner],
            "purchase",
            "online",
            mcc,
            merchant,
            device,
            accounts["country"].to_numpy()[owner],
            "card_testing",
            scenario,
            fx,
        )
    ]
    cash_out = rng.random(victims.size) < 0.5
    if cash_out.any():
        v = victims[cash_out]
        after = t0[cash_out] + CARD_TESTING_WINDOW_S + rng.integers(300, 3600, v.size)
        frames.append(
            _frame(
                accounts,
                v,
                after,
                rng.lognormal(np.log(800), 0.5, v.size),
                "purchase",
                "online",
                np.full(v.size, 5732),
                5732 * 100_000 + rng.integers(1, 40_000, v.size),
                _FRAUD_DEVICE_BASE + first_id + np.flatnonzero(cash_out),
                accounts["country"].to_numpy()[v],
                "card_testing",
                first_id + np.flatnonzero(cash_out),
                fx,
            )
        )
    return pd.concat(frames, ignore_index=True)


def _account_takeover(accounts, victims, lo, hi, rng, first_id, fx) -> pd.DataFrame:
    k = 1 + rng.poisson(1.5, victims.size)
    scenario = np.repeat(first_id + np.arange(victims.size), k)
    owner = np.repeat(victims, k)
    day = lo[victims] + (rng.random(victims.size) * ((hi[victims] - lo[victims]) - 1)).astype(
        np.int64
    )
    t0 = day * calendar.SECONDS_PER_DAY + rng.integers(0, calendar.SECONDS_PER_DAY, victims.size)
    seconds = np.repeat(t0, k) + rng.integers(0, 6 * 3600, owner.size)
    home = accounts["country"].to_numpy()[owner]
    abroad = np.array(["RU", "NG", "BR", "CN", "RO", "UA"])[rng.integers(0, 6, owner.size)]
    country = np.where(abroad == home, "VN", abroad)
    return _frame(
        accounts,
        owner,
        seconds,
        rng.lognormal(np.log(2_500), 0.6, owner.size),
        "transfer",
        np.where(rng.random(owner.size) < 0.5, "online", "mobile"),
        np.full(owner.size, -1),
        np.full(owner.size, -1),
        _FRAUD_DEVICE_BASE + scenario,
        country,
        "account_takeover",
        scenario,
        fx,
    )


def _structuring(accounts, victims, lo, hi, rng, first_id, fx, threshold) -> pd.DataFrame:
    k = 3 + rng.poisson(1.5, victims.size)
    scenario = np.repeat(first_id + np.arange(victims.size), k)
    owner = np.repeat(victims, k)
    day = lo[victims] + (rng.random(victims.size) * ((hi[victims] - lo[victims]) - 7)).astype(
        np.int64
    )
    days = np.repeat(day, k) + rng.integers(0, 7, owner.size)
    seconds = days * calendar.SECONDS_PER_DAY + rng.integers(9 * 3600, 17 * 3600, owner.size)
    # amounts in the account's own currency: fraction of the threshold, then undo fx below
    amount = np.round(threshold * rng.uniform(0.80, 0.995, owner.size), -1)
    return _frame(
        accounts,
        owner,
        seconds,
        amount / fx[owner],
        "deposit",
        np.where(rng.random(owner.size) < 0.8, "branch", "atm"),
        np.full(owner.size, -1),
        np.full(owner.size, -1),
        np.full(owner.size, -1),
        accounts["country"].to_numpy()[owner],
        "structuring",
        scenario,
        fx,
    )


def fraud_transactions(
    accounts: pd.DataFrame,
    low: int,
    high: int,
    rng: np.random.Generator,
    rates: dict[str, float] | None = None,
    *,
    fx: np.ndarray,
    threshold: float = CTR_THRESHOLD,
) -> pd.DataFrame:
    """The fraud scenarios' transactions (``timestamp`` in seconds since the epoch) on
    ``accounts`` in the days ``[low, high)``, every one inside its account's lifetime.

    Eligible accounts: with a card and open 2+ days in the period (card testing); checking
    or savings open 2+ days (account takeover); checking open 8+ days (structuring).
    """
    rates = check_rates(rates)
    lo, hi = _windows(accounts, low, high)
    span = hi - lo
    kind = accounts["account_type"].to_numpy()
    has_card = (
        accounts["card_number"].notna().to_numpy()
        if "card_number" in accounts
        else (kind != "savings")
    )
    eligible = {
        "card_testing": has_card & (span >= 2),
        "account_takeover": np.isin(kind, ["checking", "savings"]) & (span >= 2),
        "structuring": (kind == "checking") & (span >= 8),
    }
    frames, next_id = [], 1
    for name in FRAUD_TYPES:
        victims = np.flatnonzero(eligible[name] & (rng.random(len(accounts)) < rates[name]))
        if victims.size == 0:
            continue
        if name == "card_testing":
            frames.append(_card_testing(accounts, victims, lo, hi, rng, next_id, fx))
        elif name == "account_takeover":
            frames.append(_account_takeover(accounts, victims, lo, hi, rng, next_id, fx))
        else:
            frames.append(_structuring(accounts, victims, lo, hi, rng, next_id, fx, threshold))
        next_id += victims.size
    if not frames:
        from genesis.domains.finance import _empty

        return _empty().assign(is_fraud=pd.Series(dtype=bool))
    return pd.concat(frames, ignore_index=True)


__all__ = ["CTR_THRESHOLD", "DEFAULT_RATES", "FRAUD_TYPES", "check_rates", "fraud_transactions"]
