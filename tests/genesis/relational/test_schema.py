"""RelationalSchema: declared relationships, their checks against tables, YAML, cycles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.errors import RelationalSchemaError, SchemaError
from genesis.relational import RelationalSchema, Relationship


def _tables() -> dict[str, pd.DataFrame]:
    customers = pd.DataFrame({"customer_id": np.arange(1, 21), "age": np.arange(20, 40)})
    orders = pd.DataFrame(
        {
            "order_id": np.arange(100, 160),
            "customer_id": np.tile(np.arange(1, 21), 3),
            "amount": np.linspace(1, 60, 60),
        }
    )
    return {"customers": customers, "orders": orders}


def test_relationship_normalises_keys_and_round_trips():
    r = Relationship("planes", "tailnum", "flights", "tailnum")
    assert r.parent_columns == ("tailnum",) and r.child_columns == ("tailnum",)
    assert Relationship.from_dict(r.to_dict()) == r
    composite = Relationship("weather", ["origin", "hour"], "flights", ("origin", "hour"))
    assert composite.to_dict()["parent_key"] == ["origin", "hour"]
    with pytest.raises(RelationalSchemaError, match="same number of columns"):
        Relationship("weather", ["origin", "hour"], "flights", "origin")
    with pytest.raises(RelationalSchemaError, match="missing"):
        Relationship.from_dict({"parent": "a", "child": "b"})


def test_declared_schema_structure_and_yaml_round_trip():
    tables = _tables()
    schema = RelationalSchema(
        {t: list(df.columns) for t, df in tables.items()},
        [Relationship("customers", "customer_id", "orders", "customer_id")],
    )
    schema.validate(tables)
    assert schema.roots() == ["customers"]
    assert schema.order() == ["customers", "orders"]
    assert schema.primary_keys["customers"] == ("customer_id",)
    assert [r.child for r in schema.children_of("customers")] == ["orders"]
    assert [r.parent for r in schema.parents_of("orders")] == ["customers"]
    text = schema.to_yaml()
    assert "parent_key: [customer_id]" in text
    again = RelationalSchema.from_yaml(text)
    assert again.relationships == schema.relationships
    assert RelationalSchema.from_dict(schema.to_dict()) == schema


def test_yaml_of_the_contract_format():
    text = """
relationships:
  - {parent: planes, parent_key: tailnum, child: flights, child_key: tailnum}
  - {parent: weather, parent_key: [origin, year, month, day, hour], child: flights,
     child_key: [origin, year, month, day, hour]}
primary_keys: {planes: [tailnum]}
"""
    schema = RelationalSchema.from_yaml(text)
    assert len(schema.relationships) == 2
    assert schema.relationships[1].child_key == ("origin", "year", "month", "day", "hour")
    assert schema.order()[-1] == "flights"
    with pytest.raises(RelationalSchemaError, match="unknown section"):
        RelationalSchema.from_yaml("relationships: []\nkeys: {}\n")
    with pytest.raises(RelationalSchemaError, match="not valid YAML"):
        RelationalSchema.from_yaml("relationships: [\n")


def test_missing_column_names_the_fix():
    tables = _tables()
    with pytest.raises(RelationalSchemaError, match=r"lacks.*fix the child_key"):
        RelationalSchema(
            {t: list(df.columns) for t, df in tables.items()},
            [Relationship("customers", "customer_id", "orders", "client_id")],
        )
    schema = RelationalSchema(
        None, [Relationship("customers", "customer_id", "orders", "client_id")]
    )
    with pytest.raises(RelationalSchemaError, match="has no column"):
        schema.validate(tables)


def test_missing_table():
    with pytest.raises(RelationalSchemaError, match="not among the tables"):
        RelationalSchema(
            {"orders": ["customer_id"]}, [Relationship("customers", "id", "orders", "customer_id")]
        )
    schema = RelationalSchema(
        None, [Relationship("clients", "customer_id", "orders", "customer_id")]
    )
    with pytest.raises(RelationalSchemaError, match="'clients' but it was not passed"):
        schema.validate(_tables())


def test_type_mismatch_is_refused():
    tables = _tables()
    tables["orders"] = tables["orders"].assign(
        customer_id=tables["orders"]["customer_id"].astype(str)
    )
    schema = RelationalSchema(
        None, [Relationship("customers", "customer_id", "orders", "customer_id")]
    )
    with pytest.raises(
        RelationalSchemaError, match=r"holds text values.*holds number values.*astype"
    ):
        schema.validate(tables)


def test_non_unique_parent_key_is_refused():
    tables = _tables()
    tables["customers"] = tables["customers"].assign(customer_id=np.arange(20) // 2)
    schema = RelationalSchema(
        None, [Relationship("customers", "customer_id", "orders", "customer_id")]
    )
    with pytest.raises(RelationalSchemaError, match="not unique in 'customers'"):
        schema.validate(tables)


def test_cycle_is_refused_naming_it():
    rels = [
        Relationship("a", "id", "b", "a_id"),
        Relationship("b", "id", "c", "b_id"),
        Relationship("c", "id", "a", "c_id"),
    ]
    with pytest.raises(RelationalSchemaError, match=r"cycle: .*a.*->.*->.*->") as info:
        RelationalSchema(None, rels)
    assert isinstance(info.value, SchemaError)


def test_self_reference_is_not_a_cycle():
    schema = RelationalSchema(
        {"employees": ["id", "manager_id", "salary"]},
        [Relationship("employees", "id", "employees", "manager_id")],
    )
    assert schema.roots() == ["employees"]
    assert schema.relationships[0].is_self_reference
