"""The retail domain's validity rules, checked over every row (:func:`violations`) and
enforced on learned tables (:func:`repair`).

Rules (each skipped when its table or columns are absent):

- keys: ``customer_id``, ``product_id``, ``order_id``, ``(order_id, line_number)`` and
  ``gtin`` unique; orders -> customers, order items -> orders and products all resolve;
  every order has at least one item;
- codes: GTIN-13 check digits valid (``stdnum.ean``), currencies ISO 4217, an order in its
  customer's currency;
- time: every order on or after its customer's signup date;
- values: prices and unit prices positive, quantities whole numbers >= 1, ``n_items`` and
  ``order_total`` equal to the sums over the order's items (to the cent).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from stdnum import ean

from genesis.domains import identifiers as ids
from genesis.domains.rules import (
    as_datetime,
    broken,
    drop_orphans,
    foreign_key,
    has,
    parent_values,
    unique_key,
)

_LINKS = [
    ("orders", "customer_id", "customers", "customer_id"),
    ("order_items", "order_id", "orders", "order_id"),
    ("order_items", "product_id", "products", "product_id"),
]


def _gtin_valid(values: pd.Series) -> np.ndarray:
    codes, uniques = pd.factorize(values.astype(str))
    return np.array([len(u) == 13 and ean.is_valid(u) for u in uniques], dtype=bool)[codes]


def _sums(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    items = tables["order_items"]
    line = pd.to_numeric(items["quantity"], errors="coerce") * pd.to_numeric(
        items["unit_price"], errors="coerce"
    )
    grouped = items.assign(_line=line).groupby("order_id")
    return pd.DataFrame(
        {"n_items": grouped["quantity"].sum(), "order_total": grouped["_line"].sum().round(2)}
    )


def violations(tables: dict[str, pd.DataFrame]) -> list[str]:
    """Every broken retail rule over all rows, one line each (empty when all hold)."""
    out: list[str] = []
    for table, key in [
        ("customers", ["customer_id"]),
        ("products", ["product_id"]),
        ("products", ["gtin"]),
        ("orders", ["order_id"]),
        ("order_items", ["order_id", "line_number"]),
    ]:
        out += unique_key(tables, table, key)
    for link in _LINKS:
        out += foreign_key(tables, *link)
    if has(tables, "products", "gtin"):
        prod = tables["products"]
        out += broken("products", "gtin is a valid GTIN-13", ~_gtin_valid(prod["gtin"]), prod)
    for table, column in [("products", "price"), ("order_items", "unit_price")]:
        if has(tables, table, column):
            frame = tables[table]
            out += broken(
                table,
                f"{column} is positive",
                ~(pd.to_numeric(frame[column], errors="coerce") > 0),
                frame,
            )
    if has(tables, "order_items", "quantity"):
        items = tables["order_items"]
        quantity = pd.to_numeric(items["quantity"], errors="coerce")
        out += broken(
            "order_items",
            "quantity is a whole number >= 1",
            ~((quantity >= 1) & (quantity % 1 == 0)),
            items,
        )
    for table in ("customers", "products", "orders"):
        if has(tables, table, "currency"):
            frame = tables[table]
            out += broken(
                table, "currency is an ISO 4217 code", ~frame["currency"].isin(ids.ISO_4217), frame
            )
    if has(tables, "orders", "customer_id") and has(tables, "customers", "customer_id"):
        orders, customers = tables["orders"], tables["customers"]
        if "order_date" in orders and "signup_date" in customers:
            signup = as_datetime(
                parent_values(orders, "customer_id", customers, "customer_id", "signup_date")
            )
            when = as_datetime(orders["order_date"])
            bad = when.isna() | (signup.notna() & (when < signup))
            out += broken(
                "orders", "order_date on or after the customer's signup_date", bad, orders
            )
        if "currency" in orders and "currency" in customers:
            own = parent_values(orders, "customer_id", customers, "customer_id", "currency")
            bad = own.notna() & (orders["currency"].astype(object) != own.astype(object))
            out += broken("orders", "in its customer's currency", bad, orders)
    if has(tables, "orders", "order_id") and has(
        tables, "order_items", "order_id", "quantity", "unit_price"
    ):
        orders = tables["orders"]
        sums = _sums(tables)
        out += broken(
            "orders", "has at least one order item", ~orders["order_id"].isin(sums.index), orders
        )
        for column, tolerance in [("n_items", 0), ("order_total", 0.005)]:
            if column in orders:
                expected = orders["order_id"].map(sums[column])
                actual = pd.to_numeric(orders[column], errors="coerce")
                bad = expected.notna() & ~((actual - expected).abs() <= tolerance)
                out += broken("orders", f"{column} equals the sum over its items", bad, orders)
    return out


def _fix_gtin(products: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    fixed = ids.fix_gtin13(products["gtin"])
    redo = fixed.isna() | fixed.duplicated()
    if redo.any():
        taken = set(fixed[~redo])
        fresh = [g for g in ids.gtin13(int(redo.sum()) * 2 + 10, rng) if g not in taken]
        fixed[redo] = fresh[: int(redo.sum())]
    products["gtin"] = fixed.astype(object)
    return products


def repair(tables: dict[str, pd.DataFrame], rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """``tables`` (copied, not changed in place) made to obey :func:`violations`' rules."""
    tables = {name: frame.copy() for name, frame in tables.items()}
    for link in _LINKS:
        drop_orphans(tables, *link)
    if has(tables, "products", "gtin"):
        tables["products"] = _fix_gtin(tables["products"], rng)
    for table, column in [("products", "price"), ("order_items", "unit_price")]:
        if has(tables, table, column):
            values = pd.to_numeric(tables[table][column], errors="coerce").abs()
            tables[table][column] = (
                values.fillna(values.median()).fillna(1.0).clip(lower=0.01).round(2)
            )
    if has(tables, "order_items", "quantity"):
        quantity = pd.to_numeric(tables["order_items"]["quantity"], errors="coerce")
        tables["order_items"]["quantity"] = quantity.fillna(1).round().clip(lower=1).astype("int64")
    for table in ("customers", "products", "orders"):
        if has(tables, table, "currency"):
            frame = tables[table]
            frame["currency"] = (
                frame["currency"].astype(object).where(frame["currency"].isin(ids.ISO_4217), "USD")
            )
    if has(tables, "orders", "customer_id") and has(tables, "customers", "customer_id"):
        orders, customers = tables["orders"], tables["customers"]
        if "currency" in orders and "currency" in customers:
            own = parent_values(orders, "customer_id", customers, "customer_id", "currency")
            orders["currency"] = own.where(own.notna(), orders["currency"].astype(object))
        if "order_date" in orders and "signup_date" in customers:
            signup = as_datetime(
                parent_values(orders, "customer_id", customers, "customer_id", "signup_date")
            )
            when = as_datetime(orders["order_date"]).fillna(signup)
            early = signup.notna() & (when < signup)
            orders["order_date"] = when.where(~early, signup + (signup - when))  # reflected
    if has(tables, "orders", "order_id") and has(
        tables, "order_items", "order_id", "quantity", "unit_price"
    ):
        orders = tables["orders"]
        sums = _sums(tables)
        orders = orders[orders["order_id"].isin(sums.index).to_numpy()].reset_index(drop=True)
        for column in ("n_items", "order_total"):
            if column in orders:
                orders[column] = orders["order_id"].map(sums[column]).to_numpy()
        tables["orders"] = orders
    return tables


__all__ = ["repair", "violations"]
