"""RelationalSchema.infer: keys found by uniqueness, names and containment."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genesis.errors import RelationalSchemaError
from genesis.relational import RelationalSchema, Relationship
from genesis.relational.inference import name_cue


@pytest.fixture(scope="module")
def flights_tables(datasets_dir: Path) -> dict[str, pd.DataFrame]:
    folder = datasets_dir / "nycflights13"
    return {p.stem: pd.read_csv(p) for p in sorted(folder.glob("*.csv"))}


def test_infers_exactly_the_nycflights13_keys(flights_tables):
    schema = RelationalSchema.infer(flights_tables)
    weather_key = ("origin", "year", "month", "day", "hour")
    expected = {
        Relationship("airlines", "carrier", "flights", "carrier"),
        Relationship("planes", "tailnum", "flights", "tailnum"),
        Relationship("airports", "faa", "flights", "origin"),
        Relationship("airports", "faa", "flights", "dest"),
        Relationship("airports", "faa", "weather", "origin"),
        Relationship("weather", weather_key, "flights", weather_key),
    }
    assert set(schema.relationships) == expected
    assert schema.primary_keys == {
        "airlines": ("carrier",),
        "airports": ("faa",),
        "planes": ("tailnum",),
        "weather": weather_key,
        "flights": None,
    }
    assert schema.roots() == ["airlines", "airports", "planes"]
    assert schema.order().index("weather") < schema.order().index("flights")
    # the real, dirty keys pass validation (3 repeated weather hours, 15% unknown tail numbers)
    schema.validate(flights_tables)


def test_containment_threshold_rejects_weak_links(flights_tables):
    # 85% of flights' tail numbers are in planes: a 0.9 threshold drops that relationship
    schema = RelationalSchema.infer(flights_tables, min_containment=0.9)
    assert Relationship("planes", "tailnum", "flights", "tailnum") not in schema.relationships
    assert Relationship("airports", "faa", "flights", "dest") in schema.relationships


def test_integer_keys_need_a_name_cue_and_self_references_are_found():
    rng = np.random.default_rng(0)
    employees = pd.DataFrame({"id": np.arange(1, 201), "salary": rng.normal(5e4, 1e4, 200)})
    employees["manager_id"] = np.where(np.arange(200) < 5, np.nan, rng.integers(1, 6, 200))
    patients = pd.DataFrame({"patient_id": np.arange(1, 101), "age": rng.integers(20, 90, 100)})
    labs = pd.DataFrame(
        {
            "lab_id": np.arange(1, 501),
            "patient_id": rng.integers(1, 101, 500),
            "value": rng.normal(size=500),
            # contained in patient ids but named like nothing: not a key
            "ward": rng.integers(1, 10, 500),
        }
    )
    schema = RelationalSchema.infer({"employees": employees, "patients": patients, "labs": labs})
    assert set(schema.relationships) == {
        Relationship("employees", "id", "employees", "manager_id"),
        Relationship("patients", "patient_id", "labs", "patient_id"),
    }
    assert schema.primary_keys["labs"] == ("lab_id",)


def test_name_cues():
    assert name_cue("customer_id", "customers", "id")
    assert name_cue("tailnum", "planes", "tailnum")
    assert name_cue("category_code", "categories", "code")
    assert not name_cue("ward", "patients", "patient_id")


def test_bad_input():
    with pytest.raises(RelationalSchemaError, match="dict of table name"):
        RelationalSchema.infer([pd.DataFrame({"a": [1]})])
    with pytest.raises(RelationalSchemaError, match="min_containment"):
        RelationalSchema.infer({"a": pd.DataFrame({"a": [1, 2]})}, min_containment=0)


def test_one_to_one_keys_point_at_the_table_they_are_named_after():
    ids = [f"C{i:04d}" for i in range(300)]
    customers = pd.DataFrame({"customer_id": ids, "age": np.arange(300) % 70 + 18})
    # as many rows, same ids: either could be the parent; the key is named after customers
    # (by row counts and names alone addresses would win)
    addresses = pd.DataFrame({"customer_id": ids[::-1], "zip": np.arange(300) + 10_000})
    schema = RelationalSchema.infer({"addresses": addresses, "customers": customers})
    assert schema.relationships == [
        Relationship("customers", "customer_id", "addresses", "customer_id")
    ]
    assert schema.roots() == ["customers"]


def test_a_link_table_is_keyed_by_its_foreign_keys():
    rng = np.random.default_rng(0)
    students = pd.DataFrame({"student_id": np.arange(1, 201), "year": rng.integers(1, 5, 200)})
    courses = pd.DataFrame({"course_id": [f"K{i:02d}" for i in range(30)]})
    pairs = pd.DataFrame(
        {
            "student_id": rng.integers(1, 201, 800),
            "course_id": rng.choice(courses["course_id"], 800),
        }
    ).drop_duplicates()
    schema = RelationalSchema.infer({"students": students, "courses": courses, "enrol": pairs})
    assert schema.primary_keys["enrol"] == ("student_id", "course_id")
    repeated = pd.concat([pairs, pairs.head(5)])
    schema = RelationalSchema.infer({"students": students, "courses": courses, "enrol": repeated})
    assert schema.primary_keys["enrol"] is None


def test_inferred_keys_forming_a_cycle_are_refused_naming_them():
    # every city names its country, every country its capital city: each table is the
    # other's parent, so neither can be generated first
    countries = pd.DataFrame(
        {
            "code": [f"C{i:02d}" for i in range(20)],
            "capital": [f"city-{i * 5:03d}" for i in range(20)],
            "area": np.arange(20) * 1000.0,
        }
    )
    cities = pd.DataFrame(
        {
            "name": [f"city-{i:03d}" for i in range(100)],
            "country_code": [f"C{i // 5:02d}" for i in range(100)],
            "population": np.arange(100) * 100,
        }
    )
    tables = {"countries": countries, "cities": cities}
    with pytest.raises(RelationalSchemaError, match=r"cycle: .*->.*->") as info:
        RelationalSchema.infer(tables)
    message = str(info.value)
    assert "were inferred" in message and "relationships=[" in message  # what to do
    assert "cities(country_code) -> countries(code)" in message
    assert "countries(capital) -> cities(name)" in message
    from genesis.relational import RelationalSynthesizer

    with pytest.raises(RelationalSchemaError, match="were inferred"):  # fit infers when not told
        RelationalSynthesizer(seed=0).fit(tables)
    # declaring the ones to keep is accepted
    declared = RelationalSchema(
        {t: list(df.columns) for t, df in tables.items()},
        [Relationship("countries", "code", "cities", "country_code")],
    )
    declared.validate(tables)
    assert declared.roots() == ["countries"]
