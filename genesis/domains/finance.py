"""Banking data: customers, their credit profiles, accounts and transactions, with labelled
fraud scenarios (card testing, account takeover, structuring) as ground truth.

Tables and keys (``FinanceGenerator.tables``)::

    customers        customer_id (PK)
    credit_profiles  customer_id (PK, FK -> customers; one profile per customer)
    accounts         account_id (PK), customer_id (FK -> customers)
    transactions     transaction_id (PK), account_id (FK -> accounts)

Calibration (sources named where a figure comes from one; the rest are stated assumptions):

- Card payment values: Federal Reserve Payments Study 2013 (2012 data): average general
  purpose credit card payment $93, debit card payment $34; average ATM withdrawal $118.
  Purchase amounts are log-normal per merchant category (MCC), the per-MCC medians and
  spreads assumed, then scaled so the expected mean payment equals those averages.
- Payments per month: Survey of Consumer Payment Choice 2020 (Federal Reserve Bank of
  Atlanta): 23 debit card and 18 credit card payments per consumer per month.
- Credit scores: FICO 300-850, national average 715 (Experian, 2023), higher with age
  (about 680 for people in their twenties to about 760 past 75, Experian's 2023 figures by
  generation).
- Adult age structure: US Census Bureau 2020 counts of adults by age band (rounded shares).
- Fraud base rates: see :mod:`genesis.domains.fraud` (about 0.17% of transactions, as in
  the ULB credit-card fraud data set).

Codes are valid by construction: Luhn card numbers (Visa, Mastercard, Amex prefixes),
IBANs with ISO 13616 check digits (DE, GB, NL accounts), ABA routing numbers (US accounts),
ISO 4217 currencies, ISO 18245 merchant category codes from :data:`MCC`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd

from genesis.domains import calendar, fraud, ledger
from genesis.domains import finance_rules as rules
from genesis.domains.base import DomainGenerator
from genesis.domains.identifiers import card_numbers, ibans, routing_numbers
from genesis.errors import InvalidParameterError
from genesis.validation import require_frame, require_int

#: Merchant category codes (ISO 18245) used for purchases: name, median amount in USD,
#: log-normal sigma, share of debit purchases, share of credit purchases, online share.
#: Medians, spreads and shares are assumptions; the overall mean is calibrated below.
MCC: dict[int, tuple[str, float, float, float, float, float]] = {
    5411: ("Grocery stores, supermarkets", 32.0, 0.8, 0.24, 0.16, 0.05),
    5812: ("Eating places, restaurants", 28.0, 0.6, 0.10, 0.12, 0.05),
    5814: ("Fast food restaurants", 10.0, 0.5, 0.16, 0.08, 0.10),
    5541: ("Service stations", 35.0, 0.5, 0.10, 0.08, 0.00),
    5912: ("Drug stores, pharmacies", 18.0, 0.7, 0.07, 0.05, 0.05),
    5311: ("Department stores", 45.0, 0.9, 0.06, 0.08, 0.20),
    5999: ("Miscellaneous retail", 30.0, 1.0, 0.08, 0.10, 0.40),
    4111: ("Commuter transport", 3.0, 0.4, 0.04, 0.02, 0.10),
    4121: ("Taxicabs, rideshare", 18.0, 0.5, 0.03, 0.04, 0.90),
    5732: ("Electronics stores", 90.0, 1.0, 0.02, 0.05, 0.50),
    4900: ("Utilities", 110.0, 0.5, 0.03, 0.05, 0.90),
    5815: ("Digital goods, media", 10.0, 0.6, 0.04, 0.06, 1.00),
    4511: ("Airlines", 350.0, 0.6, 0.01, 0.04, 0.90),
    7011: ("Hotels, lodging", 250.0, 0.7, 0.01, 0.04, 0.60),
    5300: ("Wholesale clubs", 110.0, 0.7, 0.01, 0.03, 0.10),
}
ATM_MCC = 6011  # ISO 18245: financial institutions, automated cash disbursements

#: Average payment value by card kind, USD (Federal Reserve Payments Study 2013, 2012 data).
AVERAGE_PAYMENT = {"debit": 34.0, "credit": 93.0}
AVERAGE_ATM_WITHDRAWAL = 118.0
#: Payments per account per month (SCPC 2020 for card payments; the rest assumed).
MONTHLY_RATES = {
    "checking": {"purchase": 23.0, "atm_withdrawal": 2.0, "deposit": 2.0, "transfer": 1.5},
    "credit_card": {"purchase": 18.0, "payment": 1.0},
    "savings": {"deposit": 1.0, "transfer": 0.5},
}
#: Countries of customers, their currency (ISO 4217) and units per USD (about 2024).
COUNTRIES = {"US": ("USD", 1.0), "GB": ("GBP", 0.79), "DE": ("EUR", 0.92), "NL": ("EUR", 0.92)}
COUNTRY_SHARES = np.array([0.70, 0.10, 0.12, 0.08])
#: Adult age bands and shares (US Census Bureau 2020, rounded).
AGE_BANDS = np.array([[18, 25], [25, 35], [35, 45], [45, 55], [55, 65], [65, 75], [75, 91]])
AGE_SHARES = np.array([0.116, 0.176, 0.166, 0.157, 0.164, 0.126, 0.095])
#: Seasonality (assumed shapes): spending peaks in December, card payments by day and hour.
MONTH_WEIGHTS = np.array([0.92, 0.90, 0.98, 0.97, 1.0, 0.99, 1.0, 1.0, 0.97, 1.0, 1.05, 1.20])
CARD_WEEKDAYS = np.array([0.90, 0.93, 0.95, 1.0, 1.12, 1.15, 0.95])
BUSINESS_WEEKDAYS = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0])
CARD_HOURS = np.array(
    [0.3, 0.2, 0.15, 0.1, 0.1, 0.2, 0.6, 1.5, 2.6, 3.4, 4.3, 5.4]
    + [6.9, 6.4, 5.7, 5.6, 6.1, 6.8, 6.9, 6.0, 4.6, 3.2, 1.9, 0.9]
)
BUSINESS_HOURS = np.array([0.0] * 8 + [1.0] * 10 + [0.0] * 6)
#: The domain's foreign keys: (child, child_key, parent, parent_key).
LINKS = [
    ("credit_profiles", "customer_id", "customers", "customer_id"),
    ("accounts", "customer_id", "customers", "customer_id"),
    ("transactions", "account_id", "accounts", "account_id"),
]


def _mcc_scale(kind: str) -> float:
    """The factor that makes the expected purchase amount equal AVERAGE_PAYMENT[kind]."""
    column = 3 if kind == "debit" else 4
    shares = np.array([v[column] for v in MCC.values()])
    means = np.array([v[1] * np.exp(v[2] ** 2 / 2) for v in MCC.values()])
    return AVERAGE_PAYMENT[kind] / float((shares / shares.sum()) @ means)


class FinanceGenerator(DomainGenerator):
    """Customers, credit profiles, accounts and transactions with labelled fraud.

    ``generate(n)`` / :meth:`generate_default` give ``n`` customers with all four tables
    linked; the ``generate_*`` methods give one table each. Transactions cover the period
    ``[start, end)`` (default the last quarter of 2024, which includes the December peak).
    """

    domain: ClassVar[str] = "finance"
    links: ClassVar[tuple[tuple[str, str, str, str], ...]] = tuple(LINKS)
    tables: ClassVar[dict[str, str]] = {
        "customers": "customer_id (PK); date_of_birth, country, annual_income_usd",
        "credit_profiles": "customer_id (PK, FK -> customers.customer_id); as_of_date, "
        "credit_score (FICO 300-850), utilization, delinquencies_24m, open_trades",
        "accounts": "account_id (PK), customer_id (FK -> customers.customer_id); "
        "account_type, currency (ISO 4217), country, open_date, close_date, status, iban, "
        "routing_number, card_network, card_number (Luhn), credit_limit",
        "transactions": "transaction_id (PK), account_id (FK -> accounts.account_id); "
        "timestamp, amount, currency, transaction_type, channel, mcc (ISO 18245), "
        "merchant_id, device_id, country, is_fraud, fraud_type, fraud_scenario_id",
    }
    start: ClassVar[str] = "2024-10-01"
    end: ClassVar[str] = "2025-01-01"

    def _rng(self, salt: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, salt])

    def _period(self, start: Any, end: Any) -> tuple[int, int]:
        return calendar.period_days(start or self.start, end or self.end)

    # -- customers and credit profiles ------------------------------------------------------
    def generate_customers(self, n: int = 1_000) -> pd.DataFrame:
        """``n`` adult customers (default 1,000): age by the US adult age structure, country,
        income."""
        n = require_int(n, "n", 1)
        rng = self._rng(1)
        start, _ = self._period(None, None)  # adults when the period starts
        band = rng.choice(len(AGE_BANDS), size=n, p=AGE_SHARES / AGE_SHARES.sum())
        age_days = (
            AGE_BANDS[band, 0] * 365.25
            + rng.random(n) * np.diff(AGE_BANDS, axis=1)[band, 0] * 365.25
        ).astype(np.int64)
        country = np.array(list(COUNTRIES))[rng.choice(4, size=n, p=COUNTRY_SHARES)]
        return pd.DataFrame(
            {
                "customer_id": np.arange(1, n + 1, dtype=np.int64),
                "date_of_birth": calendar.to_datetime(
                    (start - age_days) * calendar.SECONDS_PER_DAY
                ).dt.normalize(),
                "country": country,
                "annual_income_usd": np.round(rng.lognormal(np.log(55_000), 0.6, n), -2),
            }
        )

    def generate_credit_profiles(self, customers: pd.DataFrame | None = None) -> pd.DataFrame:
        """One credit profile per customer (``customers`` default: 1,000 fresh ones): FICO
        score rising with age around the US average of 715, card utilization, delinquencies
        in 24 months and open trade lines falling/rising with the score."""
        customers = self._customers(customers)
        rng = self._rng(2)
        _, end = self._period(None, None)
        n = len(customers)
        age = (end - calendar.day_numbers(customers["date_of_birth"])) / 365.25
        mean = 680 + np.clip(age - 25, 0, 55) * (80 / 55)
        score = np.clip(np.round(mean + rng.normal(0, 70, n) - 10), 300, 850).astype(np.int64)
        quality = (score - 300) / 550
        return pd.DataFrame(
            {
                "customer_id": customers["customer_id"].to_numpy(),
                "as_of_date": pd.Timestamp(self.end) - pd.Timedelta(days=1),
                "credit_score": score,
                "utilization": np.round(rng.beta(1.2, 1.2 + 4 * quality), 3),
                "delinquencies_24m": rng.poisson(3.0 * np.exp(-6 * quality) + 0.02),
                "open_trades": 1 + rng.poisson(2 + 6 * quality),
            }
        )

    def _customers(self, customers: pd.DataFrame | None) -> pd.DataFrame:
        if customers is None:
            return self.generate_customers(1000)
        customers = require_frame(customers, "customers", min_rows=1)
        missing = {"customer_id", "date_of_birth", "country"} - set(customers.columns)
        if missing:
            raise InvalidParameterError(
                f"customers lacks columns {sorted(missing)}; pass the output of "
                "generate_customers(n) or a table with customer_id, date_of_birth, country"
            )
        unknown = sorted(set(customers["country"]) - set(COUNTRIES))
        if unknown:
            raise InvalidParameterError(
                f"customers has countries {unknown[:5]}; use one of {sorted(COUNTRIES)}"
            )
        return customers

    # -- accounts ---------------------------------------------------------------------------
    def generate_accounts(
        self, n: int = 1_000, customers: pd.DataFrame | None = None
    ) -> pd.DataFrame:
        """``n`` accounts (default 1,000) owned by ``customers`` (default: about n / 1.6 fresh
        customers; every customer gets one account before anyone gets a second). Opened after the
        owner's 18th birthday, some closed later; checking accounts carry a debit card,
        credit card accounts a credit card; IBANs for DE/GB/NL, routing numbers for US."""
        n = require_int(n, "n", 1)
        if customers is None:
            customers = self.generate_customers(max(1, round(n / 1.6)))
        customers = self._customers(customers)
        rng = self._rng(3)
        _, end = self._period(None, None)
        first = rng.permutation(len(customers))[: min(n, len(customers))]
        extra = rng.integers(0, len(customers), size=n - len(first))
        owner = np.concatenate([first, extra])
        is_first = np.arange(n) < len(first)
        kind = np.where(
            is_first,
            np.where(rng.random(n) < 0.85, "checking", "credit_card"),
            np.where(rng.random(n) < 0.5, "savings", "credit_card"),
        )
        born = pd.to_datetime(customers["date_of_birth"]).iloc[owner].reset_index(drop=True)
        adult_day = calendar.day_numbers(born + pd.DateOffset(years=18))
        tenure = rng.exponential(6 * 365.25, n).astype(np.int64) + 1
        open_day = np.maximum(np.minimum(end - tenure, end - 2), adult_day)
        closed = rng.random(n) < 0.08
        close_day = (
            open_day + 1 + (rng.random(n) * np.maximum(end - open_day - 1, 0)).astype(np.int64)
        )
        country = customers["country"].to_numpy()[owner]
        currency = np.array([COUNTRIES[c][0] for c in COUNTRIES])[
            pd.Index(list(COUNTRIES)).get_indexer(country)
        ]
        network = np.full(n, None, dtype=object)
        debit = kind == "checking"
        network[debit] = np.where(rng.random(debit.sum()) < 0.6, "visa", "mastercard")
        credit = kind == "credit_card"
        network[credit] = rng.choice(
            ["visa", "mastercard", "amex"], size=credit.sum(), p=[0.52, 0.33, 0.15]
        )
        cards = np.full(n, None, dtype=object)
        has_card = network != None  # noqa: E711  (object array of names and None)
        cards[has_card] = card_numbers(network[has_card], rng)
        routing = np.full(n, None, dtype=object)
        us = country == "US"
        routing[us] = routing_numbers(int(us.sum()), rng)
        income = (
            customers["annual_income_usd"].to_numpy()[owner]
            if ("annual_income_usd" in customers)
            else np.full(n, 55_000.0)
        )
        limit = np.where(
            credit, np.round(np.clip(income * rng.uniform(0.05, 0.3, n), 500, 50_000), -2), np.nan
        )
        return pd.DataFrame(
            {
                "account_id": np.arange(1, n + 1, dtype=np.int64),
                "customer_id": customers["customer_id"].to_numpy()[owner],
                "account_type": kind,
                "currency": currency,
                "country": country,
                "open_date": calendar.to_datetime(open_day * calendar.SECONDS_PER_DAY),
                "close_date": calendar.to_datetime(close_day * calendar.SECONDS_PER_DAY).where(
                    closed
                ),
                "status": np.where(closed, "closed", "open"),
                "iban": ibans(country, rng),
                "routing_number": routing,
                "card_network": network,
                "card_number": cards,
                "credit_limit": limit,
            }
        )

    def _accounts(self, accounts: pd.DataFrame | None) -> pd.DataFrame:
        if accounts is None:
            return self.generate_accounts(1000)
        accounts = require_frame(accounts, "accounts", min_rows=1)
        needed = {"account_id", "account_type", "currency", "country", "open_date", "close_date"}
        missing = needed - set(accounts.columns)
        if missing:
            raise InvalidParameterError(
                f"accounts lacks columns {sorted(missing)}; pass the output of generate_accounts(n)"
            )
        unknown = sorted(set(accounts["account_type"]) - set(MONTHLY_RATES))
        if unknown:
            raise InvalidParameterError(
                f"accounts has account types {unknown[:5]}; use one of {sorted(MONTHLY_RATES)}"
            )
        return accounts

    # -- transactions -----------------------------------------------------------------------
    def generate_transactions(
        self,
        accounts: pd.DataFrame | None = None,
        *,
        start: Any = None,
        end: Any = None,
        include_fraud: bool = True,
        fraud_rates: dict[str, float] | None = None,
    ) -> pd.DataFrame:
        """Transactions of ``accounts`` (default 1,000 fresh ones) in ``[start, end)``, each
        inside its account's lifetime (on or after opening, before closing), with the
        labelled fraud scenarios of :meth:`generate_fraud_scenarios` mixed in when
        ``include_fraud`` (legitimate rows: ``is_fraud`` False, ``fraud_type`` "none")."""
        accounts = self._accounts(accounts)
        low, high = self._period(start, end)
        rng = self._rng(4)
        book = ledger.Book.of(accounts)
        parts = _legit_transactions(book, low, high, rng)
        if include_fraud:
            parts += fraud.fraud_transactions(
                book, low, high, self._rng(5), fraud_rates, fx=_fx(accounts)
            )
        return ledger.assemble(book, parts)

    def generate_fraud_scenarios(
        self,
        accounts: pd.DataFrame | None = None,
        *,
        start: Any = None,
        end: Any = None,
        rates: dict[str, float] | None = None,
    ) -> pd.DataFrame:
        """Only the fraudulent transactions: card testing, account takeover and structuring
        scenarios on ``accounts`` (see :mod:`genesis.domains.fraud`), labelled with
        ``is_fraud``, ``fraud_type`` and ``fraud_scenario_id``. ``rates``: chance per
        eligible account in the period, by fraud type (default
        :data:`genesis.domains.fraud.DEFAULT_RATES`)."""
        accounts = self._accounts(accounts)
        low, high = self._period(start, end)
        book = ledger.Book.of(accounts)
        parts = fraud.fraud_transactions(book, low, high, self._rng(5), rates, fx=_fx(accounts))
        return ledger.assemble(book, parts)

    # -- the linked tables ------------------------------------------------------------------
    def generate_default(self, n_samples: int) -> dict[str, pd.DataFrame]:
        """``n_samples`` customers with their credit profiles, accounts and transactions."""
        n = require_int(n_samples, "n_samples", 1)
        customers = self.generate_customers(n)
        accounts = self.generate_accounts(max(n, round(n * 1.6)), customers)
        return {
            "customers": customers,
            "credit_profiles": self.generate_credit_profiles(customers),
            "accounts": accounts,
            "transactions": self.generate_transactions(accounts),
        }

    def violations(self, tables: dict[str, pd.DataFrame]) -> list[str]:
        """Every broken finance rule over all rows (see :mod:`genesis.domains.finance_rules`)."""
        return rules.violations(tables)

    def repair(self, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        """``tables`` made to obey the finance rules (check digits recomputed, currencies
        and labels made consistent, transactions moved inside their account's lifetime)."""
        return rules.repair(tables, self._rng(6))


def _fx(accounts: pd.DataFrame) -> np.ndarray:
    """Units of each account's currency per USD."""
    rates = {currency: rate for currency, rate in COUNTRIES.values()}
    return accounts["currency"].map(rates).fillna(1.0).to_numpy(dtype=float)


def _active_windows(accounts: pd.DataFrame, low: int, high: int) -> tuple[np.ndarray, np.ndarray]:
    """Per account, the days ``[lo, hi)`` it is open within the period ``[low, high)``."""
    open_day = calendar.day_numbers(accounts["open_date"])
    close = pd.to_datetime(accounts["close_date"])
    close_day = np.where(close.isna(), high, calendar.day_numbers(close.fillna(pd.Timestamp(0))))
    return np.maximum(open_day, low), np.minimum(close_day, high)


def _legit_transactions(
    book: ledger.Book, low: int, high: int, rng: np.random.Generator
) -> list[dict[str, np.ndarray]]:
    accounts = book.accounts
    lo, hi = _active_windows(accounts, low, high)
    months = np.clip(hi - lo, 0, None) / 30.44
    activity = rng.gamma(2.0, 0.5, len(accounts))
    kinds = accounts["account_type"].to_numpy()
    parts = []
    for account_type, rates in MONTHLY_RATES.items():
        for tx_type, rate in rates.items():
            rows = np.flatnonzero(kinds == account_type)
            counts = rng.poisson(rate * months[rows] * activity[rows])
            owner = np.repeat(rows, counts)
            if owner.size:
                parts.append(_rows_of_type(book, owner, account_type, tx_type, lo, hi, rng))
    return parts


def _rows_of_type(
    book: ledger.Book,
    owner: np.ndarray,
    account_type: str,
    tx_type: str,
    lo: np.ndarray,
    hi: np.ndarray,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    m = owner.size
    card_like = tx_type in ("purchase", "atm_withdrawal")
    seconds = calendar.seasonal_timestamps(
        lo[owner],
        hi[owner],
        rng,
        MONTH_WEIGHTS,
        CARD_WEEKDAYS if card_like else BUSINESS_WEEKDAYS,
        CARD_HOURS if card_like else BUSINESS_HOURS,
    )
    channels = ledger.CHANNELS
    mcc = np.full(m, -1, dtype=np.int64)
    merchant = np.full(m, -1, dtype=np.int64)
    online = np.zeros(m, dtype=bool)
    if tx_type == "purchase":
        kind = "debit" if account_type == "checking" else "credit"
        codes = np.array(list(MCC))
        shares = np.array([v[3 if kind == "debit" else 4] for v in MCC.values()])
        pick = rng.choice(len(codes), size=m, p=shares / shares.sum())
        medians = np.array([v[1] for v in MCC.values()])[pick]
        sigmas = np.array([v[2] for v in MCC.values()])[pick]
        amount = rng.lognormal(np.log(medians), sigmas) * _mcc_scale(kind)
        mcc = codes[pick]
        merchant = mcc * 100_000 + np.minimum(rng.zipf(1.3, m), 40_000)
        online = rng.random(m) < np.array([v[5] for v in MCC.values()])[pick]
        channel = np.where(online, channels.index("online"), channels.index("pos"))
    elif tx_type == "atm_withdrawal":
        amount = 20.0 * (1 + rng.poisson(AVERAGE_ATM_WITHDRAWAL / 20 - 1, m))
        mcc[:] = ATM_MCC
        merchant = ATM_MCC * 100_000 + rng.integers(1, 20_000, m)
        channel = channels.index("atm")
    elif tx_type == "deposit":
        cash = rng.random(m) < 0.15
        payroll = rng.lognormal(np.log(55_000 / 26), 0.3, m)  # biweekly pay, median income
        amount = np.where(cash, rng.lognormal(np.log(300), 1.0, m), payroll)
        amount = np.minimum(amount, 7_500.0)  # legitimate cash deposits stay below the CTR band
        channel = np.where(cash, channels.index("branch"), channels.index("ach"))
    elif tx_type == "transfer":
        amount = rng.lognormal(np.log(250), 1.0, m)
        online = np.ones(m, dtype=bool)
        channel = np.where(rng.random(m) < 0.6, channels.index("mobile"), channels.index("online"))
    else:  # a credit card payment
        amount = rng.lognormal(np.log(600), 0.8, m)
        channel = channels.index("ach")
    account_ids = book.accounts["account_id"].to_numpy()[owner]
    device = np.where(online, account_ids * 10 + rng.integers(0, 2, m), -1)
    country = book.country_codes[owner]
    abroad = np.flatnonzero(card_like & (rng.random(m) < 0.03))
    if abroad.size:
        country = country.copy()
        country[abroad] = book.country(["US", "GB", "DE", "NL", "FR", "ES", "CA", "MX"])[
            rng.integers(0, 8, abroad.size)
        ]
    return ledger.part(
        owner,
        seconds,
        amount * _fx(book.accounts)[owner],
        tx_type,
        channel,
        country,
        mcc=mcc,
        merchant=merchant,
        device=device,
    )


__all__ = ["FinanceGenerator", "MCC"]
