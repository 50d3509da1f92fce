"""public_lookups and reference_tables="auto": public lookups of named organisations or
places are recognised by their values; tables of people never are."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genesis.errors import InvalidParameterError
from genesis.relational import RelationalSchema, RelationalSynthesizer, Relationship
from genesis.relational.lookups import public_lookups

FLIGHT_RELS = [
    Relationship("airlines", "carrier", "flights", "carrier"),
    Relationship("planes", "tailnum", "flights", "tailnum"),
    Relationship("airports", "faa", "flights", "dest"),
]


@pytest.fixture(scope="module")
def flights(datasets_dir: Path) -> dict[str, pd.DataFrame]:
    folder = datasets_dir / "nycflights13"
    tables = {t: pd.read_csv(folder / f"{t}.csv") for t in ("airlines", "airports", "planes")}
    tables["flights"] = pd.read_csv(folder / "flights.csv", nrows=2_000)
    return tables


def _schema(tables, rels) -> RelationalSchema:
    return RelationalSchema({t: list(df.columns) for t, df in tables.items()}, rels)


def test_airlines_and_airports_are_public_lookups_planes_are_not(flights):
    assert public_lookups(flights, _schema(flights, FLIGHT_RELS)) == ["airlines", "airports"]


def _people(n: int, seed: int = 0) -> pd.DataFrame:
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(seed)
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "person_id": np.arange(n),
            "name": [fake.name() for _ in range(n)],
            "age": rng.integers(18, 90, n),
        }
    )


def test_tables_of_people_are_never_lookups():
    people = _people(40)
    visits = pd.DataFrame({"visit_id": np.arange(200), "person_id": np.arange(200) % 40})
    rels = [Relationship("people", "person_id", "visits", "person_id")]
    tables = {"people": people, "visits": visits}
    assert public_lookups(tables, _schema(tables, rels)) == []
    # no name column at all: nothing says its rows are public
    tables["people"] = people.drop(columns="name")
    assert public_lookups(tables, _schema(tables, rels)) == []
    # organisation names repeated over rows are a category, not an entity's name
    tables["people"] = people.assign(name=["Acme Inc", "Mercy Hospital"] * 20)
    assert public_lookups(tables, _schema(tables, rels)) == []
    # an organisation lookup nobody refers to is not a dimension
    firms = [f"{a} {b} Inc" for a in ("Acme", "Globex", "Initech", "Umbrella", "Stark")
             for b in ("Foods", "Motors", "Labs", "Media", "Power", "Rail", "Capital", "Group")]  # fmt: skip
    tables["people"] = people.assign(name=firms)
    assert public_lookups(tables, _schema(tables, [])) == []
    assert public_lookups(tables, _schema(tables, rels)) == ["people"]


def test_reference_tables_auto_copies_the_lookups_and_synthesizes_the_rest(flights):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = RelationalSynthesizer(seed=0, reference_tables="auto").fit(flights, FLIGHT_RELS)
        out = model.generate()
    assert model.reference_tables_ == ["airlines", "airports"]
    pd.testing.assert_frame_equal(out["airlines"], flights["airlines"])
    pd.testing.assert_frame_equal(out["airports"], flights["airports"])
    assert not out["planes"]["tailnum"].isin(flights["planes"]["tailnum"]).any()  # fresh keys
    assert out["flights"]["carrier"].isin(flights["airlines"]["carrier"]).all()
    # the default copies nothing
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        default = RelationalSynthesizer(seed=0).fit(flights, FLIGHT_RELS)
    assert default.reference_tables_ == []
    with pytest.raises(InvalidParameterError, match="'auto'"):
        RelationalSynthesizer(reference_tables="lookups")
