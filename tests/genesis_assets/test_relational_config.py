"""genesis.yaml datasets of several tables: tables, relationships, primary keys and root load
resolved; each mistake fails at load with the dataset, the field and the fix."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from genesis_assets.config import ConfigError, load_config
from genesis_assets.relational_config import relationships_document

RELATIONSHIPS = [
    {"parent": "airlines", "parent_key": "carrier", "child": "flights", "child_key": "carrier"},
    {"parent": "planes", "parent_key": ["tailnum"], "child": "flights", "child_key": "tailnum"},
]
#: with RELATIONSHIPS, a cycle: planes are flights' parents and flights planes' parents
CYCLE = {"parent": "flights", "parent_key": "flight", "child": "planes", "child_key": "last_flight"}


def write(folder: Path, **entry) -> Path:
    for name in ("airlines", "planes", "flights"):
        pd.DataFrame({"a": [1]}).to_csv(folder / f"{name}.csv", index=False)
    dataset = {
        "name": "air",
        "tables": {n: f"{n}.csv" for n in ("airlines", "planes", "flights")},
        "method": "cart",
        **entry,
    }
    dataset = {k: v for k, v in dataset.items() if v is not None}
    path = folder / "genesis.yaml"
    path.write_text(
        yaml.safe_dump({"storage": {"root": "artifacts"}, "datasets": [dataset]}, sort_keys=False)
    )
    return path


def problems(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return str(info.value)


def test_tables_and_relationships_load_resolved(tmp_path, monkeypatch):
    path = write(tmp_path, relationships=RELATIONSHIPS, root="planes", scale=0.5,
                 primary_keys={"planes": ["tailnum"]})  # fmt: skip
    monkeypatch.chdir("/")
    (ds,) = load_config(path).datasets
    assert ds.is_relational and ds.source is None
    assert ds.tables == {n: str(tmp_path / f"{n}.csv") for n in ("airlines", "planes", "flights")}
    assert ds.root == "planes" and ds.scale == 0.5
    assert ds.display_source == "tables airlines, planes, flights"
    document = relationships_document(ds)
    assert document["relationships"][1] == {
        "parent": "planes", "child": "flights", "parent_key": ["tailnum"], "child_key": ["tailnum"]
    }  # fmt: skip
    assert document["primary_keys"] == {"planes": ["tailnum"]}


def test_relationships_may_be_omitted_and_method_defaults_to_cart(tmp_path):
    from genesis_assets.relational_config import relational_method

    (ds,) = load_config(write(tmp_path, method=None)).datasets
    assert ds.relationships is None and relationships_document(ds) is None
    assert ds.method == "auto" and relational_method(ds) == "cart"


def test_relationship_naming_an_unknown_table(tmp_path):
    bad = [{**RELATIONSHIPS[0], "parent": "carriers"}]
    message = problems(write(tmp_path, relationships=bad))
    assert (
        "dataset 'air', field 'relationships[0]': parent 'carriers' is not one of the tables"
        in message
    )
    assert "add the table under 'tables'" in message


def test_source_and_tables_together(tmp_path):
    message = problems(write(tmp_path, source="flights.csv"))
    assert "give either 'source' (one table) or 'tables'" in message


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"tables": {}}, "field 'tables': no table listed"),
        ({"tables": {"planes": "nowhere.csv"}}, "field 'tables.planes': file"),
        ({"tables": {"bad-name": "planes.csv"}}, "table name 'bad-name' must start"),
        ({"root": "weather"}, "field 'root': 'weather' is not one of the tables"),
        ({"method": "auto"}, "field 'method': 'auto' (the AutoML search) fits one table"),
        ({"scenarios": {"s": {"rows": 5, "where": ["a>0"]}}}, "field 'scenarios': not available"),
        ({"rows": 10}, "field 'rows': not available with 'tables'"),
        ({"query": "select 1"}, "field 'query': not available"),
        ({"primary_keys": {"planes": ["tailnum"]}}, "only read with declared 'relationships'"),
        ({"holdout_fraction": 0.0}, "field 'holdout_fraction': the privacy audit"),
        (
            {"relationships": [{**RELATIONSHIPS[0], "child_key": ["carrier", "year"]}]},
            "must name as many columns",
        ),
        (  # a cycle needs no data to be seen: refused at load, naming it
            {"relationships": [*RELATIONSHIPS, CYCLE]},
            "field 'relationships': the relationships form a cycle: flights -> planes -> flights",
        ),
    ],
)
def test_bad_relational_settings(tmp_path, entry, expected):
    assert expected in problems(write(tmp_path, **entry))


def test_relationship_with_an_unknown_field_is_refused(tmp_path):
    bad = [{**RELATIONSHIPS[0], "on_delete": "cascade"}]
    message = problems(write(tmp_path, relationships=bad))
    assert "on_delete" in message and "is not a known field" in message


def test_single_table_dataset_cannot_take_relational_fields(make_config, adult_dataset):
    message = problems(make_config(adult_dataset("adult", root="x", relationships=[])))
    assert "dataset 'adult', field 'relationships': only applies with 'tables'" in message
    assert "field 'root': only applies with 'tables'" in message


def test_relational_dataset_builds_its_own_chain(tmp_path, small_adult):
    from genesis_assets.factory import build_definitions

    path = write(tmp_path, relationships=RELATIONSHIPS)
    document = yaml.safe_load(path.read_text())
    small_adult.to_csv(tmp_path / "small.csv", index=False)
    mixed = {
        **document,
        "datasets": [
            *document["datasets"],
            {"name": "adult", "source": "small.csv", "method": "cart"},
        ],
    }
    (tmp_path / "mixed.yaml").write_text(yaml.safe_dump(mixed, sort_keys=False))
    both = build_definitions(load_config(tmp_path / "mixed.yaml"))
    both.get_repository_def()  # resources, IO managers and the asset graph of both kinds
    assert {j.name for j in both.resolve_all_job_defs()} >= {"materialize_all"}
    assert [s.name for s in both.sensors] == ["adult_drift_sensor"]

    defs = build_definitions(load_config(path))
    keys = {k.to_user_string() for a in defs.assets for k in a.keys}
    assert keys == {
        *(f"air/raw_{t}" for t in ("airlines", "planes", "flights")),
        *(f"air/synthetic_{t}" for t in ("airlines", "planes", "flights")),
        "air/relational_schema",
        "air/relational_model",
        "air/relational_quality_report",
        "air/privacy_audit",
    }
    assert not defs.sensors  # the drift sensor watches single sources only
    checks = {k.name for c in defs.asset_checks for k in c.check_keys}
    assert checks == {"privacy_audit_passed", "relational_quality_above_threshold"}
