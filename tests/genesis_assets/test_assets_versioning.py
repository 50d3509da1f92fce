"""synthetic_dataset is versioned on Iceberg by its IO manager: snapshot ids are Dagster's data
versions, each released version carries one verifiable lineage chain (written once, even by
two instances sharing the warehouse), consumers can be pinned to a tag."""

from __future__ import annotations

import dagster as dg
import pandas as pd
import pytest
import yaml

from genesis.errors import ConfigError
from genesis.io import fingerprint
from genesis.lineage import LineageChain
from genesis.versioning import DatasetRepository
from genesis_assets.config import load_config
from genesis_assets.factory import build_definitions
from genesis_resources.iceberg import read_lineage, snapshot_of
from tests.genesis_assets.project import materialize, write_project

SYNTHETIC = dg.AssetKey(["adult", "synthetic_dataset"])
UPTO_SYNTHETIC = "*adult/synthetic_dataset"


def _seed(seed: int) -> dict:
    return {"ops": {"adult__synthetic_dataset": {"config": {"seed": seed}}}}


def _materialization(result) -> dg.AssetMaterialization:
    (event,) = result.asset_materializations_for_node("adult__synthetic_dataset")
    return event


@pytest.fixture(scope="module")
def versioned(tmp_path_factory, adult_df):
    """Three materializations up to synthetic_dataset: seed 0, seed 1, seed 1 again."""
    folder = tmp_path_factory.mktemp("versioned")
    path = write_project(folder, adult_df.sample(n=600, random_state=0))
    instance = dg.DagsterInstance.ephemeral()
    first = materialize(path, UPTO_SYNTHETIC, instance=instance, run_config=_seed(0))
    second = materialize(path, UPTO_SYNTHETIC, instance=instance, run_config=_seed(1))
    third = materialize(path, "adult/synthetic_dataset", instance=instance, run_config=_seed(1))
    return {
        "folder": folder,
        "defs": build_definitions(load_config(path)),
        "instance": instance,
        "events": [_materialization(r) for r in (first, second, third)],
    }


def test_each_materialization_is_a_snapshot_whose_id_is_the_data_version(versioned):
    events = versioned["events"]
    repo = DatasetRepository.init(versioned["folder"] / ".genesis" / "warehouse", name="adult")
    log = repo.log()
    assert len(log) == 2  # the third run generated identical rows: no new snapshot
    for event, commit in zip(events[:2], reversed(log), strict=True):
        assert event.tags["dagster/data_version"] == commit.hash
        assert event.metadata["snapshot_id"].value == commit.hash
    assert events[2].tags["dagster/data_version"] == log[0].hash
    assert events[2].metadata["new_snapshot"].value is False
    record = versioned["instance"].get_latest_materialization_event(SYNTHETIC)
    assert (
        record.asset_materialization.tags["dagster/data_version"]
        == {b.name: b.head for b in repo.branches()}["main"]
    )
    # the generation parameters travel with the commit
    assert [c.metadata["seed"] for c in log] == [1, 0]


def test_materialization_metadata_holds_location_and_diff(versioned):
    first, second, _ = versioned["events"]
    assert second.metadata["table_location"].value.endswith("/genesis/adult")
    assert first.metadata["diff_summary"].value == "first version"
    diff = second.metadata["diff"].value
    assert diff["rows_before"] == diff["rows_after"] == 600
    assert diff["rows_added"] > 0 and diff["rows_removed"] > 0  # a new seed, new rows
    assert second.metadata["branch"].value == "main"


def test_no_lineage_before_the_release(versioned):
    from genesis.errors import SourceNotFoundError

    with pytest.raises(SourceNotFoundError, match="materialize adult/release"):
        read_lineage(versioned["defs"].resources["versioning"], "adult")


def test_downstream_loads_the_committed_rows_with_their_snapshot_id_or_the_pinned_tag(versioned):
    defs = versioned["defs"]
    io_manager = defs.resources["iceberg_io_manager"]
    repo = defs.resources["versioning"].repository("adult")
    loaded = io_manager.load_input(dg.build_input_context(asset_key=SYNTHETIC))
    pd.testing.assert_frame_equal(loaded, repo.load())
    assert snapshot_of(loaded) == repo.get_commit().hash
    first = repo.log()[-1]
    repo.tag("release-1", "first synthetic release", ref=first.hash)
    pinned = defs.resources["versioning"].model_copy(update={"pin_tags": {"adult": "release-1"}})
    rows = pinned.load("adult")
    pd.testing.assert_frame_equal(rows, first.load_data())
    assert snapshot_of(rows) == first.hash  # the pinned version's own id, not the head's
    with pytest.raises(Exception, match="carries no Iceberg snapshot id"):
        snapshot_of(first.load_data())


@pytest.mark.slow
def test_two_instances_sharing_the_warehouse_write_one_lineage(tmp_path, small_adult):
    """Re-runs and a second Dagster instance on the same artifacts and warehouse release the
    same version: one chain, no duplicated block."""
    path = write_project(tmp_path, small_adult)
    with dg.instance_for_test() as one, dg.instance_for_test() as two:
        assert materialize(path, instance=one).success
        versioning = build_definitions(load_config(path)).resources["versioning"]
        repo = versioning.repository("adult")
        first_note = repo.notes()["lineage"]
        assert materialize(path, instance=one).success  # a re-run
        assert materialize(path, instance=two).success  # another instance, same warehouse
        assert len(repo.log()) == 1  # same rows: the version did not change
        assert repo.notes()["lineage"] == first_note  # the chain was kept, not rewritten
        chain = read_lineage(versioning, "adult")
    types = [b.block_type for b in chain.blocks]
    assert types.count("quality_check") == 3 and types.count("generation") == 1
    assert chain.verify()
    written = list((tmp_path / ".genesis" / "warehouse").rglob("lineage/*.json"))
    assert len(written) == 1


def test_the_released_chain_describes_the_committed_rows(tmp_path, small_adult):
    path = write_project(tmp_path, small_adult)
    assert materialize(path).success
    versioning = build_definitions(load_config(path)).resources["versioning"]
    commit = versioning.repository("adult").get_commit()
    chain = read_lineage(versioning, "adult", commit.hash)
    assert isinstance(chain, LineageChain) and chain.verify()
    source, schema, model, generation, *checks = chain.blocks
    assert schema.content["operation"] == "infer_schema"
    assert model.content["parameters"]["method"] == "cart"
    assert generation.content["output_hash"] == commit.fingerprint
    assert generation.content["output_hash"] == fingerprint(commit.load_data())
    assert [c.content["check"] for c in checks] == ["quality", "privacy", "drift"]


def test_versioning_config_branch_pin_and_errors(make_config, adult_dataset, tmp_path):
    path = make_config(
        adult_dataset("adult", versioning={"branch": "nightly", "pin_tag": "stable"})
    )
    config = load_config(path)
    assert config.versioning.warehouse == str((tmp_path / ".genesis" / "warehouse").resolve())
    resources = build_definitions(config).resources
    assert resources["versioning"].branches == {"adult": "nightly"}
    assert resources["versioning"].pin_tags == {"adult": "stable"}
    document = yaml.safe_load(path.read_text())
    document["versioning"] = {"warehouse": "s3://bucket/warehouse"}
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(ConfigError, match="field 'catalog' is required"):
        load_config(path)
    document["versioning"] = {"warehouse": "wh", "colour": "blue"}
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(ConfigError, match="colour"):
        load_config(path)


def test_branch_from_config_receives_the_versions(make_config, adult_dataset, tmp_path):
    path = make_config(adult_dataset("adult", versioning={"branch": "nightly"}))
    event = _materialization(materialize(path, UPTO_SYNTHETIC))
    assert event.metadata["branch"].value == "nightly"
    repo = DatasetRepository.init(tmp_path / ".genesis" / "warehouse", name="adult")
    assert {b.name: b.head for b in repo.branches()}["nightly"] == event.tags[
        "dagster/data_version"
    ]
