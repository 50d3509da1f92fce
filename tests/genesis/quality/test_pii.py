"""Columns replaced by fakes are scored by format and null rate, not by their values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from faker import Faker

from genesis.errors import InvalidParameterError
from genesis.generators import SyntheticGenerator
from genesis.quality import QualityEvaluator
from genesis.quality.pii import format_score, format_signatures, replaced_columns
from genesis.schema import infer_schema


@pytest.fixture(scope="module")
def named(adult_split):
    """Adult rows with a person-name column, and a CART twin (names replaced by fakes)."""
    train, _ = adult_split
    faker = Faker("en_US")
    faker.seed_instance(0)
    real = train.head(3_000).assign(name=[faker.name() for _ in range(3_000)])
    real.loc[real.index[::50], "name"] = None  # 2 % missing names
    synthetic = SyntheticGenerator("cart", seed=0).fit(real).generate(len(real))
    return real, synthetic


def test_a_name_column_does_not_give_the_synthetic_table_away(named):
    real, synthetic = named
    assert replaced_columns(infer_schema(real)) == ["name"]
    assert not set(synthetic["name"].dropna()) & set(real["name"].dropna())  # really fakes
    with_names = QualityEvaluator(real, synthetic).evaluate()
    without = QualityEvaluator(real.drop(columns="name"), synthetic.drop(columns="name")).evaluate()
    assert with_names.format_scored_columns == ["name"]
    assert any("name: replaced by fakes" in note for note in with_names.notes)
    # value-based metrics ignore the name: same detection and pair trends as without it
    assert with_names.detection_auc == pytest.approx(without.detection_auc, abs=0.01)
    assert with_names.column_pair_trends == pytest.approx(without.column_pair_trends)
    assert "name" not in set(with_names.pair_details[["column_1", "column_2"]].to_numpy().ravel())
    assert with_names.overall_score == pytest.approx(without.overall_score, abs=0.02)
    row = with_names.column_details.set_index("column").loc["name"]
    assert row["metric"] == "FormatTVComplement"
    assert row["score"] > 0.8  # Faker names look like names
    assert row["real_null_share"] == pytest.approx(0.02)
    assert with_names.to_dict()["format_scored_columns"] == ["name"]


def test_format_signatures_and_scores():
    shapes = format_signatures(pd.Series(["Mary-Ann O'Neil", "Bob  Smith", "X 12", None]))
    assert shapes.tolist() == ["Aa-Aa A'Aa", "Aa Aa", "A 9"]
    names = pd.Series(["Ann Lee", "Bob Ray", "Cy Po"])
    assert format_score(names, pd.Series(["Dan Fox", "Eve Kim"])) == 1.0
    assert format_score(names, pd.Series(["dan fox", "eve kim"])) == 0.0  # lower case only
    assert np.isnan(format_score(names, pd.Series([None, None], dtype=object)))


def test_a_replaced_column_cannot_be_the_target(named):
    real, synthetic = named
    with pytest.raises(InvalidParameterError, match="replaced by fakes"):
        QualityEvaluator(real, synthetic, target="name").evaluate()
