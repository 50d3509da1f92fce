"""Several tables versioned as one set: every table committed, one set id in every snapshot's
note and in the manifest, written last; local warehouse and S3 (moto)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from genesis.errors import InvalidDataError, InvalidParameterError, SourceNotFoundError
from genesis.versioning import (
    DatasetRepository,
    commit_table_set,
    load_table_set,
    read_table_set,
)
from genesis.versioning.table_set import SET_NOTE

DATASETS = Path("/work/shared/datasets/nycflights13")


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    airlines = pd.read_csv(DATASETS / "airlines.csv")
    planes = pd.read_csv(DATASETS / "planes.csv").head(200)
    flights = pd.read_csv(DATASETS / "flights.csv").head(500)
    return {"airlines": airlines, "planes": planes, "flights": flights}


@pytest.fixture(params=["local", "s3"])
def repos(request, tmp_path: Path) -> Callable[[list[str]], dict[str, DatasetRepository]]:
    """table names -> repositories named flights__<table> on one catalog."""
    if request.param == "local":
        where, catalog = str(tmp_path / "wh"), None
    else:
        endpoint = request.getfixturevalue("s3_server")
        bucket = f"set-{uuid.uuid4().hex[:12]}"
        request.getfixturevalue("s3_client").create_bucket(Bucket=bucket)
        where = f"s3://{bucket}/warehouse"
        catalog = {
            "uri": f"sqlite:///{tmp_path / 'catalog.db'}",
            "s3.endpoint": endpoint,
            "s3.access-key-id": "test",
            "s3.secret-access-key": "test",
            "s3.region": "us-east-1",
        }

    def make(names: list[str]) -> dict[str, DatasetRepository]:
        return {n: DatasetRepository.init(where, catalog, name=f"flights__{n}") for n in names}

    return make


def test_every_table_committed_under_one_set_id(repos, tables):
    repositories = repos(list(tables))
    first = commit_table_set(repositories, tables, "first set", {"seed": 1}, name="flights")
    assert set(first.snapshots) == set(tables) and all(first.created.values())
    for name, repo in repositories.items():
        (commit,) = repo.log()
        assert commit.hash == first.snapshots[name]
        assert commit.metadata["table_set"] == "flights" and commit.metadata["seed"] == 1
        assert commit.metadata["set_tables"] == sorted(tables)
        assert repo.notes(commit.hash)[SET_NOTE] == first.set_id
        pd.testing.assert_frame_equal(repo.load(), tables[name])
    latest = read_table_set(repositories["planes"], "flights")
    assert latest.set_id == first.set_id and latest.snapshots == first.snapshots
    assert latest.manifest.endswith(f"flights__sets/{first.set_id}.json")

    # a second set: flights changed, the other tables keep their snapshots
    changed = {**tables, "flights": tables["flights"].head(300)}
    second = commit_table_set(repositories, changed, "second set", name="flights")
    assert second.set_id != first.set_id
    assert second.created == {"airlines": False, "flights": True, "planes": False}
    assert second.snapshots["planes"] == first.snapshots["planes"]
    assert second.snapshots["flights"] != first.snapshots["flights"]
    loaded = load_table_set(repositories, "flights")
    assert len(loaded["flights"]) == 300 and loaded["flights"].attrs["set_id"] == second.set_id
    # an older set still loads whole, each table at the snapshot the manifest names
    older = load_table_set(repositories, "flights", first.set_id)
    assert len(older["flights"]) == 500
    assert older["planes"].attrs["snapshot_id"] == first.snapshots["planes"]
    # the same snapshots again: the same set id (content-addressed)
    again = commit_table_set(repositories, changed, "same again", name="flights")
    assert again.set_id == second.set_id and not any(again.created.values())


def test_manifest_is_written_last_so_a_failed_set_is_never_latest(repos, tables, tmp_path):
    repositories = repos(list(tables))
    good = commit_table_set(repositories, tables, "good", name="flights")
    planes = tables["planes"].copy()
    planes.columns = [*planes.columns[:-1], ""]  # an empty column name: the commit refuses it
    broken = {**tables, "flights": tables["flights"].head(100), "planes": planes}
    with pytest.raises(InvalidDataError):
        commit_table_set(repositories, broken, "broken", name="flights")
    # flights (committed before planes) advanced its own head, but no manifest names it
    assert len(repositories["flights"].load()) == 100
    latest = read_table_set(repositories["airlines"], "flights")
    assert latest.set_id == good.set_id
    assert len(load_table_set(repositories, "flights")["flights"]) == 500
    manifest = read_table_set(repositories["airlines"], "flights", good.set_id)
    assert manifest.to_dict()["snapshots"] == good.snapshots


def test_local_manifest_is_json_beside_the_tables(tmp_path, tables):
    repositories = {
        n: DatasetRepository.init(tmp_path / "wh", name=f"flights__{n}") for n in tables
    }
    result = commit_table_set(repositories, tables, "m", name="flights")
    folder = tmp_path / "wh" / "warehouse" / "genesis" / "flights__sets"
    assert sorted(p.name for p in folder.iterdir()) == [f"{result.set_id}.json", "latest.json"]
    content = json.loads((folder / "latest.json").read_text())
    assert content["snapshots"] == result.snapshots and content["set_id"] == result.set_id


def test_bad_inputs(tmp_path, tables):
    repositories = {n: DatasetRepository.init(tmp_path, name=f"x__{n}") for n in tables}
    with pytest.raises(InvalidParameterError, match="same tables"):
        commit_table_set({"planes": repositories["planes"]}, tables, "m", name="x")
    with pytest.raises(InvalidParameterError, match="at least one table"):
        commit_table_set({}, {}, "m", name="x")
    with pytest.raises(InvalidParameterError, match="letters, digits"):
        commit_table_set(repositories, tables, "m", name="bad-name")
    with pytest.raises(SourceNotFoundError, match="no set has been committed"):
        read_table_set(repositories["planes"], "x")
    commit_table_set(repositories, tables, "m", name="x")
    with pytest.raises(SourceNotFoundError, match="does not exist"):
        read_table_set(repositories["planes"], "x", "0123456789abcdef")
