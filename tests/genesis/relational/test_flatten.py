"""genesis.relational.flatten on nycflights13: a root joined with aggregates of its children,
a holdout that keeps families together, and the share of valid foreign keys (dirty keys
included: real flights whose plane is missing)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genesis.errors import InvalidParameterError, RelationalSchemaError
from genesis.relational import RelationalSchema
from genesis.relational.flatten import (
    referential_integrity,
    split_by_root,
    with_child_aggregates,
)

DATA = Path("/work/shared/datasets/nycflights13")


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    planes = pd.read_csv(DATA / "planes.csv").sample(n=200, random_state=0)
    flights = pd.read_csv(DATA / "flights.csv")
    own = flights[flights["tailnum"].isin(planes["tailnum"])]
    orphans = flights[~flights["tailnum"].isin(planes["tailnum"])].head(40)
    return {
        "airlines": pd.read_csv(DATA / "airlines.csv"),
        "planes": planes.reset_index(drop=True),
        "flights": pd.concat([own, orphans]).reset_index(drop=True),
    }


@pytest.fixture(scope="module")
def schema(tables) -> RelationalSchema:
    return RelationalSchema(
        {t: list(df.columns) for t, df in tables.items()},
        [
            {"parent": "airlines", "parent_key": "carrier", "child": "flights", "child_key": "carrier"},
            {"parent": "planes", "parent_key": "tailnum", "child": "flights", "child_key": "tailnum"},
        ],
    )  # fmt: skip


def test_child_aggregates_count_and_average_each_parents_children(tables, schema):
    joined = with_child_aggregates(tables, schema, "planes")
    planes, flights = tables["planes"], tables["flights"]
    assert len(joined) == len(planes) and "tailnum" not in joined.columns  # keys dropped
    expected = flights.groupby("tailnum").size().reindex(planes["tailnum"]).fillna(0)
    np.testing.assert_array_equal(joined["flights__tailnum__count"], expected.to_numpy())
    delays = flights.groupby("tailnum")["arr_delay"].mean().reindex(planes["tailnum"])
    np.testing.assert_allclose(
        joined["flights__tailnum__mean_arr_delay"], delays.to_numpy(), equal_nan=True
    )
    assert "flights__tailnum__mean_carrier" not in joined.columns  # numeric columns only
    with_keys = with_child_aggregates(tables, schema, "planes", drop_keys=False)
    assert with_keys["tailnum"].tolist() == planes["tailnum"].tolist()


def test_childless_parents_get_zero_children(tables, schema):
    lonely = pd.concat([tables["planes"], tables["planes"].head(1).assign(tailnum="N0NE")])
    joined = with_child_aggregates({**tables, "planes": lonely}, schema, "planes")
    assert joined["flights__tailnum__count"].iloc[-1] == 0
    assert np.isnan(joined["flights__tailnum__mean_arr_delay"].iloc[-1])


def test_holdout_keeps_families_together(tables, schema):
    training, holdout = split_by_root(tables, schema, "planes", 0.25, seed=3)
    assert set(holdout) == {"planes", "flights"}  # airlines is no descendant of planes
    assert len(holdout["planes"]) == 50 and len(training["planes"]) == 150
    held = set(holdout["planes"]["tailnum"])
    assert set(holdout["flights"]["tailnum"]) <= held
    assert not set(training["flights"]["tailnum"].dropna()) & held
    # every flight is in exactly one side; orphan flights stay in training
    assert len(training["flights"]) + len(holdout["flights"]) == len(tables["flights"])
    assert training["airlines"].equals(tables["airlines"])
    again, _ = split_by_root(tables, schema, "planes", 0.25, seed=3)
    assert again["planes"].equals(training["planes"])
    other, _ = split_by_root(tables, schema, "planes", 0.25, seed=4)
    assert not other["planes"].equals(training["planes"])


def test_referential_integrity_of_dirty_real_keys(tables, schema):
    shares = referential_integrity(tables, schema)
    flights = tables["flights"]
    complete = flights["tailnum"].notna()
    expected = flights.loc[complete, "tailnum"].isin(tables["planes"]["tailnum"]).mean()
    assert shares["flights.tailnum->planes"] == pytest.approx(expected)
    assert shares["flights.tailnum->planes"] < 1.0  # the 40 orphans
    assert shares["flights.carrier->airlines"] == 1.0


def test_composite_keys_and_float_copies_of_int_keys():
    parent = pd.DataFrame({"origin": ["EWR", "EWR", "JFK"], "hour": [1, 2, 1], "temp": [1.0, 2, 3]})
    child = pd.DataFrame({"origin": ["EWR", "JFK", "JFK", "LGA"], "hour": [2.0, 1.0, np.nan, 1.0],
                          "delay": [10, 20, 30, 40]})  # fmt: skip
    schema = RelationalSchema(
        {"weather": list(parent.columns), "flights": list(child.columns)},
        [{"parent": "weather", "parent_key": ["origin", "hour"], "child": "flights",
          "child_key": ["origin", "hour"]}],
    )  # fmt: skip
    tables = {"weather": parent, "flights": child}
    joined = with_child_aggregates(tables, schema, "weather")
    assert joined["flights__origin_hour__count"].tolist() == [0, 1, 1]
    assert joined["flights__origin_hour__mean_delay"].tolist()[1:] == [10.0, 20.0]
    # LGA 1.0 has no weather row; the null-hour row has no complete key
    assert referential_integrity(tables, schema)["flights.origin+hour->weather"] == pytest.approx(
        2 / 3
    )


def test_bad_inputs(tables, schema):
    with pytest.raises(RelationalSchemaError, match="not a root table"):
        split_by_root(tables, schema, "flights", 0.2)
    with pytest.raises(RelationalSchemaError, match="not in the schema"):
        with_child_aggregates(tables, schema, "weather")
    with pytest.raises(InvalidParameterError, match="fraction"):
        split_by_root(tables, schema, "planes", 1.0)
