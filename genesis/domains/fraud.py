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

from genesis.domains import calendar, ledger
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


def _start_seconds(victims, lo, hi, rng, margin_days: int) -> np.ndarray:
    """A random instant on a day in ``[lo, hi - margin_days)`` of each victim's window."""
    span = hi[victims] - lo[victims] - margin_days
    day = lo[victims] + (rng.random(victims.size) * span).astype(np.int64)
    return day * calendar.SECONDS_PER_DAY + rng.integers(0, calendar.SECONDS_PER_DAY, victims.size)


def _card_testing(book, victims, lo, hi, rng, first_id, fx) -> list[dict]:
    k = 5 + rng.poisson(10, victims.size)
    ids = first_id + np.arange(victims.size)
    scenario = np.repeat(ids, k)
    owner = np.repeat(victims, k)
    t0 = _start_seconds(victims, lo, hi, rng, 1)
    # offsets sorted over all rows stay sorted inside each burst (bursts are contiguous)
    seconds = np.repeat(t0, k) + np.sort(rng.integers(0, CARD_TESTING_WINDOW_S, owner.size))
    position = np.arange(owner.size) - np.repeat(np.cumsum(k) - k, k)
    start = np.repeat(rng.integers(0, 50_000, victims.size), k)
    mcc = np.repeat(_TESTING_MCCS[rng.integers(0, 3, victims.size)], k)
    merchant = mcc * 100_000 + 40_001 + (start + position * 7) % 50_000  # distinct per burst
    amount = np.where(rng.random(owner.size) < 0.4, 1.0, rng.uniform(0.5, 4.99, owner.size))
    online = ledger.CHANNELS.index("online")
    parts = [
        ledger.part(owner, seconds, amount, "purchase", online, book.country_codes[owner],
                    mcc=mcc, merchant=merchant, device=_FRAUD_DEVICE_BASE + scenario,
                    fraud="card_testing", scenario=scenario)
    ]  # fmt: skip
    cash_out = rng.random(victims.size) < 0.5
    if cash_out.any():
        v = victims[cash_out]
        after = t0[cash_out] + CARD_TESTING_WINDOW_S + rng.integers(300, 3600, v.size)
        parts.append(
            ledger.part(v, after, rng.lognormal(np.log(800), 0.5, v.size) * fx[v], "purchase",
                        online, book.country_codes[v], mcc=5732,
                        merchant=5732 * 100_000 + rng.integers(1, 40_000, v.size),
                        device=_FRAUD_DEVICE_BASE + ids[cash_out], fraud="card_testing",
                        scenario=ids[cash_out])
        )  # fmt: skip
    return parts


def _account_takeover(book, victims, lo, hi, rng, first_id, fx) -> list[dict]:
    k = 1 + rng.poisson(1.5, victims.size)
    scenario = np.repeat(first_id + np.arange(victims.size), k)
    owner = np.repeat(victims, k)
    t0 = _start_seconds(victims, lo, hi, rng, 1)
    seconds = np.repeat(t0, k) + rng.integers(0, 6 * 3600, owner.size)
    abroad = book.country(["RU", "NG", "BR", "CN", "RO", "UA"])[rng.integers(0, 6, owner.size)]
    country = np.where(abroad == book.country_codes[owner], book.country("VN")[0], abroad)
    channel = np.where(rng.random(owner.size) < 0.5, *_channels("online", "mobile"))
    amount = rng.lognormal(np.log(2_500), 0.6, owner.size) * fx[owner]
    return [
        ledger.part(owner, seconds, amount, "transfer", channel, country,
                    device=_FRAUD_DEVICE_BASE + scenario, fraud="account_takeover",
                    scenario=scenario)
    ]  # fmt: skip


def _structuring(book, victims, lo, hi, rng, first_id, threshold) -> list[dict]:
    k = 3 + rng.poisson(1.5, victims.size)
    scenario = np.repeat(first_id + np.arange(victims.size), k)
    owner = np.repeat(victims, k)
    day = _start_seconds(victims, lo, hi, rng, 7) // calendar.SECONDS_PER_DAY
    days = np.repeat(day, k) + rng.integers(0, 7, owner.size)
    seconds = days * calendar.SECONDS_PER_DAY + rng.integers(9 * 3600, 17 * 3600, owner.size)
    # in the account's own currency: just under the threshold, rounded to tens
    amount = np.round(threshold * rng.uniform(0.80, 0.995, owner.size), -1)
    channel = np.where(rng.random(owner.size) < 0.8, *_channels("branch", "atm"))
    return [
        ledger.part(owner, seconds, amount, "deposit", channel, book.country_codes[owner],
                    fraud="structuring", scenario=scenario)
    ]  # fmt: skip


def _channels(*names: str) -> list[int]:
    """Codes of channel names (:data:`genesis.domains.ledger.CHANNELS`)."""
    return [ledger.CHANNELS.index(name) for name in names]


def fraud_transactions(
    book: ledger.Book,
    low: int,
    high: int,
    rng: np.random.Generator,
    rates: dict[str, float] | None = None,
    *,
    fx: np.ndarray,
    threshold: float = CTR_THRESHOLD,
) -> list[dict[str, np.ndarray]]:
    """The fraud scenarios' transactions (column groups for
    :func:`genesis.domains.ledger.assemble`) on the book's accounts in the days
    ``[low, high)``, every one inside its account's lifetime; ``fx``: units of each
    account's currency per USD.

    Eligible accounts: with a card and open 2+ days in the period (card testing); checking
    or savings open 2+ days (account takeover); checking open 8+ days (structuring).
    """
    rates = check_rates(rates)
    accounts = book.accounts
    lo, hi = _windows(accounts, low, high)
    span = hi - lo
    kind = accounts["account_type"].to_numpy()
    if "card_number" in accounts:
        has_card = accounts["card_number"].notna().to_numpy()
    else:
        has_card = kind != "savings"
    eligible = {
        "card_testing": has_card & (span >= 2),
        "account_takeover": np.isin(kind, ["checking", "savings"]) & (span >= 2),
        "structuring": (kind == "checking") & (span >= 8),
    }
    parts, next_id = [], 1
    for name in FRAUD_TYPES:
        victims = np.flatnonzero(eligible[name] & (rng.random(len(accounts)) < rates[name]))
        if victims.size == 0:
            continue
        if name == "card_testing":
            parts += _card_testing(book, victims, lo, hi, rng, next_id, fx)
        elif name == "account_takeover":
            parts += _account_takeover(book, victims, lo, hi, rng, next_id, fx)
        else:
            parts += _structuring(book, victims, lo, hi, rng, next_id, threshold)
        next_id += victims.size
    return parts


__all__ = ["CTR_THRESHOLD", "DEFAULT_RATES", "FRAUD_TYPES", "check_rates", "fraud_transactions"]
