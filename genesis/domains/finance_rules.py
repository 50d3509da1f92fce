"""The finance domain's validity rules, checked over every row (:func:`violations`) and
enforced on learned tables (:func:`repair`).

Rules (each skipped when its table or columns are absent):

- keys: ``customer_id``, ``account_id``, ``transaction_id`` unique; one credit profile per
  customer; every foreign key (profiles and accounts -> customers, transactions ->
  accounts) refers to an existing row;
- codes: card numbers pass the Luhn check (13-19 digits), IBANs their ISO 13616 mod-97
  check (python-stdnum), routing numbers their ABA check (``stdnum.us.rtn``), currencies
  are ISO 4217, MCCs are four-digit ISO 18245 codes;
- time: an account opens on or after its owner's 18th birthday and closes after it opens;
  ``status`` is "closed" exactly when there is a ``close_date``; every transaction lies
  on or after its account's opening day and before its closing day;
- values: amounts positive, a transaction in its account's currency, credit scores in
  300-850, ``is_fraud`` true exactly when ``fraud_type`` is not "none".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from stdnum.us import rtn

from genesis.domains import identifiers as ids
from genesis.domains.fraud import FRAUD_TYPES
from genesis.domains.rules import (
    as_datetime,
    broken,
    drop_orphans,
    foreign_key,
    has,
    parent_values,
    unique_key,
)
from genesis.schema.checksums import card_number_valid, iban_valid

ADULT = pd.DateOffset(years=18)
LABELS = ("none", *FRAUD_TYPES)
_CURRENCY_OF = {"US": "USD", "GB": "GBP", "DE": "EUR", "NL": "EUR", "FR": "EUR"}
_DAY = pd.Timedelta(days=1)


def _valid(values: pd.Series, check) -> np.ndarray:
    """Per row: null, or ``check`` passes (each distinct value checked once)."""
    present = values.notna().to_numpy()
    out = np.ones(len(values), dtype=bool)
    if present.any():
        out[present] = check(values[present].astype(str))
    return out


def _routing_valid(values: pd.Series) -> np.ndarray:
    codes, uniques = pd.factorize(values)
    return np.array([rtn.is_valid(u) for u in uniques], dtype=bool)[codes]


def _mcc_valid(values: pd.Series) -> np.ndarray:
    numbers = pd.to_numeric(values, errors="coerce")
    return (
        values.isna() | (numbers.notna() & (numbers % 1 == 0) & numbers.between(0, 9999))
    ).to_numpy()


def _account_window(tables: dict[str, pd.DataFrame]) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Per transaction: its timestamp, its account's opening day and closing day."""
    tx, accounts = tables["transactions"], tables["accounts"]
    opened = parent_values(
        tx,
        "account_id",
        accounts.assign(_open=as_datetime(accounts["open_date"]).dt.normalize()),
        "account_id",
        "_open",
    )
    closed = parent_values(
        tx,
        "account_id",
        accounts.assign(_close=as_datetime(accounts["close_date"]).dt.normalize()),
        "account_id",
        "_close",
    )
    return as_datetime(tx["timestamp"]), as_datetime(opened), as_datetime(closed)


def violations(tables: dict[str, pd.DataFrame]) -> list[str]:
    """Every broken finance rule over all rows, one line each (empty when all hold)."""
    out: list[str] = []
    for table, key in [
        ("customers", "customer_id"),
        ("credit_profiles", "customer_id"),
        ("accounts", "account_id"),
        ("transactions", "transaction_id"),
    ]:
        out += unique_key(tables, table, [key])
    out += foreign_key(tables, "credit_profiles", "customer_id", "customers", "customer_id")
    out += foreign_key(tables, "accounts", "customer_id", "customers", "customer_id")
    out += foreign_key(tables, "transactions", "account_id", "accounts", "account_id")
    if has(tables, "accounts"):
        acc = tables["accounts"]
        checks = [
            ("card_number", card_number_valid, "card_number passes the Luhn check"),
            ("iban", iban_valid, "iban has valid ISO 13616 check digits"),
            ("routing_number", _routing_valid, "routing_number passes the ABA check"),
        ]
        for column, check, rule in checks:
            if column in acc:
                out += broken("accounts", rule, ~_valid(acc[column], check), acc)
        if has(tables, "accounts", "open_date", "close_date"):
            opened, closed = as_datetime(acc["open_date"]), as_datetime(acc["close_date"])
            out += broken("accounts", "open_date is a date", opened.isna(), acc)
            out += broken(
                "accounts", "close_date after open_date", closed.notna() & (closed <= opened), acc
            )
            if "status" in acc:
                bad = (acc["status"] == "closed") != closed.notna()
                out += broken(
                    "accounts", "status is 'closed' exactly when close_date is set", bad, acc
                )
        if has(tables, "accounts", "customer_id", "open_date") and has(
            tables, "customers", "customer_id", "date_of_birth"
        ):
            born = as_datetime(
                parent_values(
                    acc, "customer_id", tables["customers"], "customer_id", "date_of_birth"
                )
            )
            bad = born.notna() & (as_datetime(acc["open_date"]) < born + ADULT)
            out += broken("accounts", "opened on or after the owner's 18th birthday", bad, acc)
    for table in ("accounts", "transactions"):
        if has(tables, table, "currency"):
            frame = tables[table]
            out += broken(
                table, "currency is an ISO 4217 code", ~frame["currency"].isin(ids.ISO_4217), frame
            )
    if has(tables, "transactions"):
        tx = tables["transactions"]
        if "mcc" in tx:
            out += broken(
                "transactions", "mcc is a 4-digit ISO 18245 code", ~_mcc_valid(tx["mcc"]), tx
            )
        if "amount" in tx:
            amount = pd.to_numeric(tx["amount"], errors="coerce")
            out += broken("transactions", "amount is positive", ~(amount > 0), tx)
        if "fraud_type" in tx:
            out += broken(
                "transactions",
                f"fraud_type is one of {list(LABELS)}",
                ~tx["fraud_type"].isin(LABELS),
                tx,
            )
            if "is_fraud" in tx:
                bad = tx["is_fraud"].astype(bool) != (tx["fraud_type"] != "none")
                out += broken(
                    "transactions", "is_fraud exactly when fraud_type is not 'none'", bad, tx
                )
        if has(tables, "transactions", "account_id", "timestamp") and has(
            tables, "accounts", "account_id", "open_date", "close_date"
        ):
            when, opened, closed = _account_window(tables)
            bad = when.isna() | (when < opened) | (closed.notna() & (when >= closed))
            out += broken(
                "transactions",
                "within its account's lifetime [open_date, close_date)",
                bad & opened.notna(),
                tx,
            )
        if has(tables, "transactions", "account_id", "currency") and has(
            tables, "accounts", "account_id", "currency"
        ):
            own = parent_values(tx, "account_id", tables["accounts"], "account_id", "currency")
            bad = own.notna() & (tx["currency"].astype(object) != own.astype(object))
            out += broken("transactions", "in its account's currency", bad, tx)
    if has(tables, "credit_profiles", "credit_score"):
        prof = tables["credit_profiles"]
        score = pd.to_numeric(prof["credit_score"], errors="coerce")
        out += broken("credit_profiles", "credit_score in 300-850", ~score.between(300, 850), prof)
    return out


def _fill_codes(acc: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    if "card_number" in acc:
        fixed = ids.fix_luhn(acc["card_number"])
        lost = acc["card_number"].notna() & fixed.isna()
        if lost.any():
            network = (
                acc["card_network"] if "card_network" in acc else pd.Series("visa", index=acc.index)
            )
            network = network.where(network.isin(list(ids.CARD_NETWORKS)), "visa")[lost]
            fixed[lost] = ids.card_numbers(network.to_numpy(dtype=object), rng)
        acc["card_number"] = fixed.where(acc["card_number"].notna(), None)
    if "iban" in acc:
        fixed = ids.fix_iban(acc["iban"])
        lost = acc["iban"].notna() & fixed.isna()
        if lost.any():
            country = (
                acc["country"][lost] if "country" in acc else pd.Series("DE", index=acc.index[lost])
            )
            fixed[lost] = ids.ibans(
                country.where(country.isin(list(ids.IBAN_LAYOUTS)), "DE").to_numpy(dtype=object),
                rng,
            )
        acc["iban"] = fixed.where(acc["iban"].notna(), None)
    if "routing_number" in acc:
        fixed = ids.fix_routing(acc["routing_number"])
        lost = acc["routing_number"].notna() & fixed.isna()
        if lost.any():
            fixed[lost] = ids.routing_numbers(int(lost.sum()), rng)
        acc["routing_number"] = fixed.where(acc["routing_number"].notna(), None)
    return acc


def _fix_currency(frame: pd.DataFrame) -> pd.DataFrame:
    bad = ~frame["currency"].isin(ids.ISO_4217)
    if bad.any():
        fallback = (
            frame["country"].map(_CURRENCY_OF)
            if "country" in frame
            else pd.Series(index=frame.index, dtype=object)
        )
        frame["currency"] = frame["currency"].astype(object).where(~bad, fallback.fillna("USD"))
    return frame


def _fix_account_dates(tables: dict[str, pd.DataFrame]) -> None:
    acc = tables["accounts"]
    opened = as_datetime(acc["open_date"])
    if has(tables, "accounts", "customer_id") and has(
        tables, "customers", "customer_id", "date_of_birth"
    ):
        born = as_datetime(
            parent_values(acc, "customer_id", tables["customers"], "customer_id", "date_of_birth")
        )
        opened = opened.where(~(born.notna() & (opened < born + ADULT)), born + ADULT)
    acc["open_date"] = opened
    if "close_date" in acc:
        closed = as_datetime(acc["close_date"])
        acc["close_date"] = closed.where(~(closed.notna() & (closed <= opened)), opened + _DAY)
        if "status" in acc:
            acc["status"] = np.where(acc["close_date"].notna(), "closed", "open")


def _fix_transaction_times(tables: dict[str, pd.DataFrame]) -> None:
    """Move each transaction outside its account's lifetime inside it: times before the
    opening day are reflected after it, times past the close wrap around the lifetime."""
    tx = tables["transactions"]
    when, opened, closed = _account_window(tables)
    ns = when.astype("int64").to_numpy()
    lo = opened.astype("int64").to_numpy()
    hi = closed.astype("int64").to_numpy()
    known = opened.notna().to_numpy()
    missing = when.isna().to_numpy()
    ns = np.where(known & missing, lo, ns)
    ns = np.where(known & (ns < lo), 2 * lo - ns, ns)
    bounded = known & closed.notna().to_numpy()
    span = np.maximum(hi - lo, 1)
    ns = np.where(bounded & (ns >= hi), lo + (ns - lo) % span, ns)
    tx["timestamp"] = pd.to_datetime(
        np.where(missing & ~known, np.datetime64("NaT").astype(np.int64), ns)
    )


def repair(tables: dict[str, pd.DataFrame], rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """``tables`` (copied, not changed in place) made to obey :func:`violations`' rules."""
    tables = {name: frame.copy() for name, frame in tables.items()}
    drop_orphans(tables, "credit_profiles", "customer_id", "customers", "customer_id")
    drop_orphans(tables, "accounts", "customer_id", "customers", "customer_id")
    drop_orphans(tables, "transactions", "account_id", "accounts", "account_id")
    if has(tables, "credit_profiles", "customer_id"):
        tables["credit_profiles"] = (
            tables["credit_profiles"].drop_duplicates("customer_id").reset_index(drop=True)
        )
    if has(tables, "credit_profiles", "credit_score"):
        score = pd.to_numeric(tables["credit_profiles"]["credit_score"], errors="coerce")
        tables["credit_profiles"]["credit_score"] = (
            score.fillna(score.median()).fillna(700).round().clip(300, 850).astype("int64")
        )
    if has(tables, "accounts"):
        tables["accounts"] = _fill_codes(tables["accounts"], rng)
        if "currency" in tables["accounts"]:
            tables["accounts"] = _fix_currency(tables["accounts"])
        if "open_date" in tables["accounts"]:
            _fix_account_dates(tables)
    if has(tables, "transactions"):
        tx = tables["transactions"]
        if "currency" in tx:
            if has(tables, "accounts", "account_id", "currency") and "account_id" in tx:
                own = parent_values(tx, "account_id", tables["accounts"], "account_id", "currency")
                tx["currency"] = own.where(own.notna(), tx["currency"].astype(object))
            tables["transactions"] = tx = _fix_currency(tx)
        if "amount" in tx:
            amount = pd.to_numeric(tx["amount"], errors="coerce").abs()
            tx["amount"] = amount.fillna(amount.median()).fillna(1.0).clip(lower=0.01).round(2)
        if "mcc" in tx:
            tx["mcc"] = tx["mcc"].where(_mcc_valid(tx["mcc"]), 5999)
        if "fraud_type" in tx:
            tx["fraud_type"] = (
                tx["fraud_type"].astype(object).where(tx["fraud_type"].isin(LABELS), "none")
            )
            if "is_fraud" in tx:
                tx["is_fraud"] = (tx["fraud_type"] != "none").to_numpy()
        if has(tables, "transactions", "account_id", "timestamp") and has(
            tables, "accounts", "account_id", "open_date", "close_date"
        ):
            _fix_transaction_times(tables)
    return tables


__all__ = ["LABELS", "repair", "violations"]
