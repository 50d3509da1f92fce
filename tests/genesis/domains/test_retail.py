"""RetailGenerator: GTIN check digits, keys, orders after signup, totals, basket sizes,
popularity, seasonality, seeds, repair, fit on user tables, bad inputs."""

from __future__ import annotations

import pandas as pd
import pytest
from stdnum import ean

from genesis.domains import DOMAINS, RetailGenerator
from genesis.domains.identifiers import ISO_4217
from genesis.errors import GenesisError, InvalidParameterError


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return RetailGenerator(seed=5).generate_ecommerce_dataset(20_000, n_products=2000)


def test_registered_and_documented():
    assert DOMAINS["retail"] is RetailGenerator
    assert RetailGenerator.domain == "retail"
    assert set(RetailGenerator.tables) == {"customers", "products", "orders", "order_items"}


def test_every_gtin_is_a_valid_unique_ean13(tables):
    gtin = tables["products"]["gtin"]
    assert (gtin.str.len() == 13).all() and gtin.is_unique
    assert all(ean.is_valid(code) for code in gtin)


def test_currencies_are_iso_4217_and_the_customers_own(tables):
    customers, orders = tables["customers"], tables["orders"]
    assert customers["currency"].isin(ISO_4217).all() and orders["currency"].isin(ISO_4217).all()
    assert {"USD", "EUR", "GBP", "CAD"} <= set(customers["currency"])
    own = orders["customer_id"].map(customers.set_index("customer_id")["currency"])
    assert (orders["currency"] == own).all()


def test_keys_link_every_table(tables):
    customers, products = tables["customers"], tables["products"]
    orders, items = tables["orders"], tables["order_items"]
    assert customers["customer_id"].is_unique and products["product_id"].is_unique
    assert orders["order_id"].is_unique
    assert not items.duplicated(["order_id", "line_number"]).any()
    assert not items.duplicated(["order_id", "product_id"]).any()
    assert orders["customer_id"].isin(customers["customer_id"]).all()
    assert items["order_id"].isin(orders["order_id"]).all()
    assert items["product_id"].isin(products["product_id"]).all()
    assert set(items["order_id"]) == set(orders["order_id"])  # no empty order
    # many-to-many: orders with several products, products in many orders
    assert (items.groupby("order_id").size() > 1).any()
    assert (items.groupby("product_id")["order_id"].nunique() > 50).any()
    # customers with no order exist (zero-child parents)
    assert not customers["customer_id"].isin(orders["customer_id"]).all()


def test_orders_follow_signup_and_totals_match_items(tables):
    customers, orders, items = tables["customers"], tables["orders"], tables["order_items"]
    signup = orders["customer_id"].map(customers.set_index("customer_id")["signup_date"])
    assert (orders["order_date"] >= signup).all()
    assert orders["order_date"].between("2022-01-01", "2025-01-01", inclusive="left").all()
    lines = items.assign(line=items["quantity"] * items["unit_price"]).groupby("order_id")
    total = orders["order_id"].map(lines["line"].sum())
    assert (orders["order_total"] - total).abs().max() < 0.005
    assert (orders["n_items"] == orders["order_id"].map(lines["quantity"].sum())).all()
    assert (items["quantity"] >= 1).all() and (items["unit_price"] > 0).all()


def test_defaults_have_no_violations(tables):
    assert RetailGenerator().violations(tables) == []


def test_basket_size_matches_olist(tables):
    # Olist public data: 112,650 items over ~98,700 orders -> 1.14 units per order
    assert tables["orders"]["n_items"].mean() == pytest.approx(1.14, abs=0.03)
    grocery = RetailGenerator(seed=1).generate_orders(items_per_order=10)
    assert grocery["orders"]["n_items"].mean() == pytest.approx(10, rel=0.08)


def test_product_popularity_is_pareto(tables):
    units = (
        tables["order_items"].groupby("product_id")["quantity"].sum().sort_values(ascending=False)
    )
    top = units.iloc[: int(0.2 * 2000)].sum() / units.sum()
    assert top > 0.6  # a fifth of the catalogue sells most units
    assert units.iloc[0] > 50 * units.median()


def test_prices_depend_on_category(tables):
    prices = tables["products"].groupby("category")["price"].median()
    assert prices["electronics"] > 3 * prices["books"] > 3 * prices["grocery"]
    assert (tables["products"]["price"] > 0).all()


def test_november_december_peak_and_weekly_pattern(tables):
    orders = tables["orders"]
    year = orders[orders["order_date"].dt.year == 2024]
    per_day = year.groupby(year["order_date"].dt.month).size() / [
        31,
        29,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ]
    assert per_day.loc[12] > 1.15 * per_day.loc[10]
    assert per_day.loc[[11, 12]].min() > per_day.loc[1:10].max()
    weekday = orders["order_date"].dt.weekday.value_counts()
    assert weekday[0] > 1.1 * weekday[5]  # Monday busier than Saturday
    hours = orders["order_date"].dt.hour.value_counts()
    assert hours[20] > 10 * hours[4]
    november = tables["order_items"].merge(orders[["order_id", "order_date"]], on="order_id")
    promo = (november["discount"] > 0).groupby(november["order_date"].dt.month).mean()
    assert promo.loc[11] > 1.5 * promo.loc[6]


def test_seeds_reproduce_and_differ():
    a = RetailGenerator(seed=3).generate(500)
    b = RetailGenerator(seed=3).generate(500)
    c = RetailGenerator(seed=4).generate(500)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert not a["products"]["gtin"].equals(c["products"]["gtin"])


def _break(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    broken = {name: frame.copy() for name, frame in tables.items()}
    products, orders, items = broken["products"], broken["orders"], broken["order_items"]
    products.loc[0, "gtin"] = products.loc[0, "gtin"][:-1] + str(
        (int(products.loc[0, "gtin"][-1]) + 1) % 10
    )
    products.loc[1, "gtin"] = "12345"
    products.loc[2, "gtin"] = products.loc[3, "gtin"]
    products.loc[4, "price"] = -5.0
    orders.loc[orders.index[:4], "order_date"] = pd.Timestamp("2000-01-01")
    orders.loc[orders.index[4], "currency"] = "ABC"
    orders.loc[orders.index[5], "order_total"] += 10
    items.loc[items.index[:3], "quantity"] = 0
    broken["order_items"] = items[items["order_id"] != orders.loc[orders.index[6], "order_id"]]
    return broken


def test_violations_name_each_broken_rule_and_repair_fixes_them(tables):
    gen = RetailGenerator(seed=0)
    broken = _break(tables)
    found = "\n".join(gen.violations(broken))
    for rule in [
        "GTIN-13",
        "gtin is a unique",
        "price is positive",
        "signup_date",
        "ISO 4217",
        "order_total equals",
        "quantity is a whole number",
        "at least one order item",
        "customer's currency",
    ]:
        assert rule in found, rule
    repaired = gen.repair(broken)
    assert gen.violations(repaired) == []
    assert all(ean.is_valid(code) for code in repaired["products"]["gtin"])
    assert len(repaired["orders"]) == len(tables["orders"]) - 1  # the order without items
    assert gen.violations(broken) != []  # the input is not changed


def test_fit_on_user_tables_keeps_the_rules():
    user = RetailGenerator(seed=0).generate_ecommerce_dataset(400, n_products=100)
    gen = RetailGenerator(seed=2).fit(user)
    out = gen.generate(300)
    assert set(out) == set(user)
    assert gen.violations(out) == []
    assert all(ean.is_valid(code) for code in out["products"]["gtin"])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda g: g.generate(-3), "n_samples"),
        (lambda g: g.generate_customers(2.5), "n must be an integer"),
        (lambda g: g.generate_products(0), "n must be >= 1"),
        (lambda g: g.generate_ecommerce_dataset(10, n_products=0), "n_products"),
        (lambda g: g.generate_orders(items_per_order=0.5), "items_per_order"),
        (lambda g: g.generate_orders(items_per_order=True), "items_per_order"),
        (lambda g: g.generate_orders(start="2025-01-01", end="2024-01-01"), "after start"),
        (lambda g: g.generate_orders(customers="x"), "DataFrame"),
        (lambda g: g.generate_orders(products=pd.DataFrame({"product_id": [1]})), "lacks columns"),
    ],
)
def test_bad_inputs_are_refused_with_a_fix(call, message):
    with pytest.raises(GenesisError, match=message):
        call(RetailGenerator(seed=0))


def test_bad_seed_is_refused():
    with pytest.raises(InvalidParameterError, match="seed"):
        RetailGenerator(seed="1")
