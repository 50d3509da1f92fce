"""E-commerce data: customers, a product catalogue, orders and their order items (the link
table between orders and products: many-to-many).

Tables and keys (``RetailGenerator.tables``)::

    customers    customer_id (PK)
    products     product_id (PK); gtin (GTIN-13, unique)
    orders       order_id (PK), customer_id (FK -> customers)
    order_items  (order_id, line_number) (PK), order_id (FK -> orders),
                 product_id (FK -> products)

Calibration (sources named where a figure comes from one; the rest are stated assumptions):

- Basket size: 1.14 units per order by default, the Olist Brazilian e-commerce public data
  set (112,650 order items over about 98,700 orders, 2016-2018); a grocery-like shop sets
  ``items_per_order`` higher (the Instacart Market Basket data average about 10 products).
- Seasonality: the monthly shape of US Census Bureau Monthly Retail Trade figures for
  nonstore (e-commerce) retailers, not seasonally adjusted, where November and December
  are the peak months; :data:`MONTH_WEIGHTS` is a rounded hand-set version of that shape
  (December about 1.3 times an average month), not the published series. Weekday and hour
  weights are assumptions (evening peak, quieter Friday and Saturday).
- Product popularity: Zipf (Pareto) with exponent 1, so a small share of products takes
  most sales (about 20% of products make about 80% of units in a 2,000-product catalogue).
- Prices: log-normal per category (medians and spreads assumed, in USD), converted to the
  customer's currency at fixed 2024-like rates.

Codes valid by construction: GTIN-13 check digits (GS1), ISO 4217 currencies.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd

from genesis.domains import calendar
from genesis.domains import retail_rules as rules
from genesis.domains.base import DomainGenerator
from genesis.domains.finance import AGE_BANDS, AGE_SHARES
from genesis.domains.identifiers import gtin13
from genesis.errors import InvalidParameterError
from genesis.validation import require_frame, require_int

#: Category: (median price in USD, log-normal sigma, share of the catalogue). Assumed.
CATEGORIES: dict[str, tuple[float, float, float]] = {
    "electronics": (120.0, 0.9, 0.12),
    "home": (35.0, 0.8, 0.18),
    "apparel": (30.0, 0.6, 0.22),
    "beauty": (18.0, 0.6, 0.12),
    "books": (14.0, 0.4, 0.10),
    "toys": (22.0, 0.6, 0.08),
    "sports": (40.0, 0.8, 0.08),
    "grocery": (6.0, 0.6, 0.10),
}
#: Customer countries: (currency ISO 4217, units per USD, share of customers).
COUNTRIES: dict[str, tuple[str, float, float]] = {
    "US": ("USD", 1.0, 0.60),
    "CA": ("CAD", 1.37, 0.10),
    "GB": ("GBP", 0.79, 0.12),
    "DE": ("EUR", 0.92, 0.10),
    "FR": ("EUR", 0.92, 0.08),
}
GS1_PREFIXES = ("00", "01", "03", "400", "50", "30")
MONTH_WEIGHTS = np.array([0.92, 0.86, 0.97, 0.94, 0.97, 0.95, 0.98, 0.98, 0.93, 0.99, 1.15, 1.28])
WEEKDAY_WEIGHTS = np.array([1.08, 1.05, 1.02, 1.00, 0.93, 0.88, 1.04])
HOUR_WEIGHTS = np.array(
    [1.2, 0.7, 0.4, 0.3, 0.3, 0.4, 0.8, 1.5, 2.6, 3.6, 4.3, 4.7]
    + [5.0, 5.1, 5.0, 4.9, 4.9, 5.0, 5.4, 6.0, 6.5, 6.2, 4.6, 2.6]
)
ORDERS_PER_YEAR = 1.5  # mean orders per customer-year, gamma-mixed (most buy rarely)
DISCOUNTS = np.array([0.0, 0.10, 0.15, 0.20, 0.25, 0.30])
LINKS = rules.LINKS  # the domain's foreign keys: (child, child_key, parent, parent_key)


class RetailGenerator(DomainGenerator):
    """Customers, products, orders and order items of an online shop.

    ``generate(n)`` / :meth:`generate_default` / :meth:`generate_ecommerce_dataset` give
    ``n`` customers with all four tables linked. Orders cover ``[start, end)`` (default
    2022-2024: three years, three holiday peaks).
    """

    domain: ClassVar[str] = "retail"
    links: ClassVar[tuple[tuple[str, str, str, str], ...]] = tuple(LINKS)
    tables: ClassVar[dict[str, str]] = {
        "customers": "customer_id (PK); signup_date, country, currency (ISO 4217), age",
        "products": "product_id (PK); gtin (GTIN-13, unique), category, price (USD), currency",
        "orders": "order_id (PK), customer_id (FK -> customers.customer_id); order_date, "
        "channel, status, currency, n_items, order_total (sum of its items)",
        "order_items": "(order_id, line_number) (PK); order_id (FK -> orders.order_id), "
        "product_id (FK -> products.product_id); quantity, unit_price, discount",
    }
    start: ClassVar[str] = "2022-01-01"
    end: ClassVar[str] = "2025-01-01"

    def _rng(self, salt: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, 100 + salt])

    def _period(self, start: Any, end: Any) -> tuple[int, int]:
        return calendar.period_days(start or self.start, end or self.end)

    def generate_customers(self, n: int = 1_000) -> pd.DataFrame:
        """``n`` customers (default 1,000): signup dates growing towards the end of the period
        (from a year before it starts), country and currency, adult age."""
        n = require_int(n, "n", 1)
        rng = self._rng(1)
        low, high = self._period(None, None)
        first = low - 365
        signup = first + (np.sqrt(rng.random(n)) * (high - 1 - first)).astype(np.int64)  # growth
        names = list(COUNTRIES)
        country = np.array(names)[rng.choice(len(names), n, p=[v[2] for v in COUNTRIES.values()])]
        band = rng.choice(len(AGE_BANDS), size=n, p=AGE_SHARES / AGE_SHARES.sum())
        age = AGE_BANDS[band, 0] + rng.integers(0, np.diff(AGE_BANDS, axis=1)[band, 0])
        return pd.DataFrame(
            {
                "customer_id": np.arange(1, n + 1, dtype=np.int64),
                "signup_date": calendar.to_datetime(signup * calendar.SECONDS_PER_DAY),
                "country": country,
                "currency": np.array([COUNTRIES[c][0] for c in names])[
                    pd.Index(names).get_indexer(country)
                ],
                "age": age.astype(np.int64),
            }
        )

    def generate_products(self, n: int = 500) -> pd.DataFrame:
        """``n`` products (default 500): a category, a log-normal price for it (USD) and a
        unique GTIN-13."""
        n = require_int(n, "n", 1)
        rng = self._rng(2)
        names = list(CATEGORIES)
        shares = np.array([v[2] for v in CATEGORIES.values()])
        pick = rng.choice(len(names), n, p=shares / shares.sum())
        median = np.array([v[0] for v in CATEGORIES.values()])[pick]
        sigma = np.array([v[1] for v in CATEGORIES.values()])[pick]
        price = np.round(np.maximum(rng.lognormal(np.log(median), sigma), 1.0), 0) - 0.01
        return pd.DataFrame(
            {
                "product_id": np.arange(1, n + 1, dtype=np.int64),
                "gtin": gtin13(n, rng, GS1_PREFIXES),
                "category": np.array(names)[pick],
                "price": price,
                "currency": "USD",
            }
        )

    def generate_orders(
        self,
        customers: pd.DataFrame | None = None,
        products: pd.DataFrame | None = None,
        *,
        start: Any = None,
        end: Any = None,
        items_per_order: float = 1.14,
    ) -> dict[str, pd.DataFrame]:
        """``{"orders": ..., "order_items": ...}`` for ``customers`` buying ``products``
        (defaults: 1,000 customers, 500 products) in ``[start, end)``: every order on or
        after its customer's signup, with ``items_per_order`` units on average (at least
        one item each), products by Zipf popularity, order totals equal to their items."""
        customers = _require(customers, "customers", {"customer_id", "signup_date", "currency"})
        products = _require(products, "products", {"product_id", "price"})
        if customers is None:
            customers = self.generate_customers(1000)
        if products is None:
            products = self.generate_products(500)
        if (
            isinstance(items_per_order, bool)
            or not isinstance(items_per_order, (int, float))
            or not (1 <= items_per_order <= 100)
        ):
            raise InvalidParameterError(
                f"items_per_order must be a number in [1, 100], got {items_per_order!r}"
            )
        low, high = self._period(start, end)
        rng = self._rng(3)
        signup = calendar.day_numbers(customers["signup_date"])
        lo = np.maximum(signup, low)
        years = np.clip(high - lo, 0, None) / 365.25
        rate = rng.gamma(0.5, ORDERS_PER_YEAR / 0.5, len(customers))
        owner = np.repeat(np.arange(len(customers)), rng.poisson(rate * years))
        seconds = calendar.seasonal_timestamps(
            lo[owner], np.full(owner.size, high), rng, MONTH_WEIGHTS, WEEKDAY_WEIGHTS, HOUR_WEIGHTS
        )
        order = np.argsort(seconds, kind="stable")
        owner, seconds = owner[order], seconds[order]
        m = owner.size
        order_id = np.arange(1, m + 1, dtype=np.int64)
        currency = customers["currency"].to_numpy()[owner]
        items = _order_items(order_id, currency, products, rng, items_per_order, seconds)
        totals = items.assign(line=items["quantity"] * items["unit_price"]).groupby("order_id")
        orders = pd.DataFrame(
            {
                "order_id": order_id,
                "customer_id": customers["customer_id"].to_numpy()[owner],
                "order_date": calendar.to_datetime(seconds),
                "channel": np.where(rng.random(m) < 0.55, "web", "app"),
                "status": rng.choice(
                    ["delivered", "returned", "cancelled"], m, p=[0.9, 0.06, 0.04]
                ),
                "currency": currency,
                "n_items": totals["quantity"].sum().reindex(order_id).to_numpy(dtype=np.int64),
                "order_total": totals["line"].sum().reindex(order_id).round(2).to_numpy(),
            }
        )
        return {"orders": orders, "order_items": items}

    def generate_ecommerce_dataset(
        self, n_customers: int = 1_000, n_products: int | None = None
    ) -> dict[str, pd.DataFrame]:
        """All four tables linked: ``n_customers`` customers (default 1,000), ``n_products``
        products (default ``n_customers // 5`` between 100 and 5,000), their orders and items."""
        n_customers = require_int(n_customers, "n_customers", 1)
        n_products = require_int(n_products, "n_products", 1, allow_none=True)
        if n_products is None:
            n_products = min(5000, max(100, n_customers // 5))
        customers = self.generate_customers(n_customers)
        products = self.generate_products(n_products)
        return {
            "customers": customers,
            "products": products,
            **self.generate_orders(customers, products),
        }

    def generate_default(self, n_samples: int) -> dict[str, pd.DataFrame]:
        """``n_samples`` customers with products, orders and order items."""
        return self.generate_ecommerce_dataset(n_samples)

    def violations(self, tables: dict[str, pd.DataFrame]) -> list[str]:
        """Every broken retail rule over all rows (see :mod:`genesis.domains.retail_rules`)."""
        return rules.violations(tables)

    def repair(self, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        """``tables`` made to obey the retail rules (GTIN check digits, orders after signup,
        totals equal to their items, ISO currencies)."""
        return rules.repair(tables, self._rng(4))


def _require(frame: Any, name: str, columns: set[str]) -> pd.DataFrame | None:
    if frame is None:
        return None
    frame = require_frame(frame, name, min_rows=1)
    missing = columns - set(frame.columns)
    if missing:
        raise InvalidParameterError(
            f"{name} lacks columns {sorted(missing)}; pass the output of generate_{name}(n)"
        )
    return frame


def _order_items(
    order_id: np.ndarray,
    currency: np.ndarray,
    products: pd.DataFrame,
    rng: np.random.Generator,
    items_per_order: float,
    seconds: np.ndarray,
) -> pd.DataFrame:
    """Lines of each order: 1 + Poisson(0.8 (m-1)) distinct products, each 1 + Poisson
    quantity, so the expected units per order is ``m`` (before same-product merges)."""
    extra = items_per_order - 1
    lines = 1 + rng.poisson(0.8 * extra, order_id.size)
    owner = np.repeat(np.arange(order_id.size), lines)
    popularity = 1.0 / (1 + rng.permutation(len(products)))  # Zipf, exponent 1
    product = rng.choice(len(products), owner.size, p=popularity / popularity.sum())
    quantity = 1 + rng.poisson(0.2 * extra / (1 + 0.8 * extra), owner.size)
    frame = pd.DataFrame({"owner": owner, "product": product, "quantity": quantity})
    frame = frame.groupby(["owner", "product"], sort=True, as_index=False)["quantity"].sum()
    owner, product = frame["owner"].to_numpy(), frame["product"].to_numpy()
    fx = {currency: rate for currency, rate, _ in COUNTRIES.values()}
    rate = pd.Series(currency[owner]).map(fx).fillna(1.0).to_numpy()
    month = seconds[owner].astype("datetime64[s]").astype("datetime64[M]").astype(np.int64) % 12
    promo = rng.random(owner.size) < np.where(month == 10, 0.5, 0.25)  # November promotions
    discount = np.where(promo, DISCOUNTS[rng.integers(1, len(DISCOUNTS), owner.size)], 0.0)
    price = products["price"].to_numpy(dtype=float)[product]
    return pd.DataFrame(
        {
            "order_id": order_id[owner],
            "line_number": frame.groupby("owner").cumcount().to_numpy(dtype=np.int64) + 1,
            "product_id": products["product_id"].to_numpy()[product],
            "quantity": frame["quantity"].to_numpy(dtype=np.int64),
            "unit_price": np.round(np.maximum(price * rate * (1 - discount), 0.01), 2),
            "discount": discount,
        }
    )


__all__ = ["CATEGORIES", "RetailGenerator"]
