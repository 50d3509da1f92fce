"""Scenarios in genesis.yaml: each an asset ``<dataset>/scenario_<name>`` downstream of
``synthesis_model``, materialized with the chain on a real instance, shown in the dashboard's
HTML report and metadata; mistakes fail when the file loads."""

from __future__ import annotations

import html
import re
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from genesis_assets.config import ConfigError, load_config
from genesis_assets.factory import build_definitions
from tests.genesis_assets.project import materialize, metadata_of

SCENARIOS = {
    "seniors": {"rows": 300, "where": ["age>=60", "sex = Female"]},
    "dict_format": {
        "rows": 200,
        "conditions": {"age": ["between", [30, 40]], "education": ["in", ["Bachelors"]]},
        "where": ["hours-per-week > 40"],
    },
}


def test_scenario_assets_materialize_with_the_chain(make_config, adult_dataset, tmp_path):
    config = make_config(adult_dataset(scenarios=SCENARIOS))
    defs = build_definitions(load_config(config))
    graph = defs.resolve_asset_graph()
    for name in SCENARIOS:
        key = dg.AssetKey(["adult", f"scenario_{name}"])
        assert graph.get(key).parent_keys == {dg.AssetKey(["adult", "synthesis_model"])}
        assert key in graph.get(dg.AssetKey(["adult", "quality_dashboard"])).parent_keys
    job = defs.resolve_job_def("materialize_all")
    assert dg.AssetKey(["adult", "scenario_seniors"]) in job.asset_layer.executable_asset_keys

    with dg.instance_for_test() as instance:
        result = materialize(config, instance=instance)
        assert result.success
        seniors = metadata_of(result, "scenario_seniors")
        assert seniors["rows"] == 300 and seniors["satisfaction_share"] == 1.0
        assert seniors["conditions"] == "age >= 60 and sex == 'Female'"
        assert seniors["seconds"] >= 0
        other = metadata_of(result, "scenario_dict_format")
        assert other["rows"] == 200 and other["satisfaction_share"] == 1.0
        dashboard = metadata_of(result, "quality_dashboard")
        lines = dashboard["scenarios"].splitlines()
        assert any(line.startswith("| seniors | 300 |") and "100.0%" in line for line in lines)
        assert any(line.startswith("| dict_format | 200 |") for line in lines)
        page = Path(dashboard["url_path"]).read_text(encoding="utf-8")
        stored = (
            instance.get_latest_materialization_event(dg.AssetKey(["adult", "scenario_seniors"]))
            .asset_materialization.metadata["path"]
            .value
        )
    rows = pd.read_parquet(stored)
    assert len(rows) == 300 and (rows["age"] >= 60).all() and (rows["sex"] == "Female").all()
    dict_rows = pd.read_parquet(tmp_path / "artifacts" / "adult" / "scenario_dict_format.parquet")
    assert dict_rows["age"].between(30, 40).all() and (dict_rows["hours-per-week"] > 40).all()
    assert set(dict_rows["education"]) == {"Bachelors"}
    # the HTML report on disk shows the scenarios, with their figures
    assert '<h2 id="scenarios-title">Scenarios</h2>' in page
    cells = {
        row[0]: row
        for row in (
            [html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", r, re.S)]
            for r in re.findall(r'<tr class="scenario"[^>]*>(.*?)</tr>', page, re.S)
        )
    }
    assert cells["seniors"][:5] == [
        "seniors", "age >= 60 and sex == 'Female'", "300", "300", "100.00%"
    ]  # fmt: skip
    assert cells["dict_format"][2:5] == ["200", "200", "100.00%"]
    training = pd.read_parquet(tmp_path / "artifacts" / "adult" / "training_data.parquet")
    seniors_real = int(((training["age"] >= 60) & (training["sex"] == "Female")).sum())
    assert cells["seniors"][5] == (f"{seniors_real:,}" if seniors_real >= 10 else "fewer than 10")
    fidelity = cells["seniors"][6]
    if seniors_real >= 50:
        score = float(fidelity.split(" ")[0])
        assert 0.5 < score <= 1.0 and fidelity.endswith("columns)")
    else:
        assert fidelity.startswith("n/a: fewer than 50 real rows")


def test_a_scenario_the_model_cannot_meet_fails_its_asset(make_config, adult_dataset):
    scenarios = {"nobody": {"rows": 10, "where": ["capital-gain between 1 and 100"]}}
    config = make_config(adult_dataset(scenarios=scenarios))
    result = materialize(
        config,
        selection=dg.AssetSelection.assets(["adult", "scenario_nobody"]).upstream(),
        raise_on_error=False,
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "InfeasibleConditionError" in str(failure.event_specific_data.error)


@pytest.mark.parametrize(
    ("scenario", "expected"),
    [
        ({"rows": 10}, "no condition"),
        ({"rows": 10, "where": ["age >> 3"]}, "cannot read the condition 'age >> 3'"),
        ({"rows": 10, "conditions": {"age": {"op": 3}}}, "needs 'operator' and 'value'"),
        ({"rows": 0, "where": ["age>=3"]}, "rows"),
    ],
)
def test_bad_scenarios_fail_when_the_file_loads(make_config, adult_dataset, scenario, expected):
    config = make_config(adult_dataset(scenarios={"bad": scenario}))
    with pytest.raises(ConfigError, match="scenarios") as caught:
        load_config(config)
    assert expected in str(caught.value)


def test_a_scenario_name_must_fit_an_asset_key(make_config, adult_dataset):
    config = make_config(adult_dataset(scenarios={"two words": {"rows": 5, "where": ["age>3"]}}))
    with pytest.raises(ConfigError, match="rename it"):
        load_config(config)
