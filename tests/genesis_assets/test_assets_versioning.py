"""synthetic_dataset is versioned on Iceberg: snapshot ids are Dagster's data versions,
each version carries a verifiable lineage chain, consumers can be pinned to a tag."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
import yaml

from genesis.io import fingerprint
from genesis.lineage import LineageChain
from genesis.versioning import DatasetRepository
from genesis_assets.config import ConfigError, load_config
from genesis_assets.factory import build_definitions
from genesis_resources.iceberg import read_lineage

SYNTHETIC = dg.AssetKey(["adult", "synthetic_dataset"])
UPTO_SYNTHETIC = "*adult/synthetic_dataset"


def _run(config_path: Path, instance, seed: int | None = None, selection=UPTO_SYNTHETIC):
    defs = build_definitions(load_config(config_path))
    run_config = {}
    if seed is not None:
        run_config = {"ops": {"adult__synthetic_dataset": {"config": {"seed": seed}}}}
    result = dg.materialize(
        [*defs.assets, *defs.asset_checks],
        resources=defs.resources,
        instance=instance,
        selection=selection,
        run_config=run_config,
    )
    assert result.success
    return defs, result


def _materialization(result) -> dg.AssetMaterialization:
    (event,) = result.asset_materializations_for_node("adult__synthetic_dataset")
    return event


@pytest.fixture(scope="module")
def versioned(tmp_path_factory, adult_df):
    """Three materializations of the chain up to synthetic_dataset: seed 0, seed 1, seed 1."""
    folder = tmp_path_factory.mktemp("versioned")
    adult_df.sample(n=600, random_state=0).to_csv(folder / "small.csv", index=False)
    config = {
        "storage": {"root": "artifacts"},
        "datasets": [
            {
                "name": "adult",
                "source": "small.csv",
                "target": "income",
                "method": "cart",
                "seed": 0,
            }
        ],
    }
    path = folder / "genesis.yaml"
    path.write_text(yaml.safe_dump(config))
    instance = dg.DagsterInstance.ephemeral()
    defs, first = _run(path, instance, seed=0)
    _, second = _run(path, instance, seed=1)
    _, third = _run(path, instance, seed=1, selection="adult/synthetic_dataset")
    return {
        "folder": folder,
        "defs": defs,
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
    # what Dagster records as the latest data version is the branch head's snapshot id
    record = versioned["instance"].get_latest_materialization_event(SYNTHETIC)
    assert (
        record.asset_materialization.tags["dagster/data_version"]
        == {b.name: b.head for b in repo.branches()}["main"]
    )


def test_materialization_metadata_holds_location_and_diff(versioned):
    first, second, _ = versioned["events"]
    location = second.metadata["table_location"].value
    assert location.endswith("/genesis/adult")
    assert first.metadata["diff_summary"].value == "first version"
    diff = second.metadata["diff"].value
    assert diff["rows_before"] == diff["rows_after"] == 600
    assert diff["rows_added"] > 0 and diff["rows_removed"] > 0  # a new seed, new rows
    assert second.metadata["branch"].value == "main"


def test_every_version_has_a_verifiable_lineage_chain(versioned):
    versioning = versioned["defs"].resources["versioning"]
    repo = versioning.repository("adult")
    for commit in repo.log():
        chain = read_lineage(versioning, "adult", commit.hash)
        assert isinstance(chain, LineageChain) and chain.verify()
        assert chain.latest_hash == commit.metadata["lineage_hash"]
        types = [b.block_type for b in chain.blocks]
        assert types == ["source", "transform", "transform", "generation"]
        source, schema, model, generation = chain.blocks
        raw = versioned["instance"].get_latest_materialization_event(
            dg.AssetKey(["adult", "raw_source"])
        )
        assert (
            source.content["data_hash"] == raw.asset_materialization.metadata["content_hash"].value
        )
        assert schema.content["operation"] == "infer_schema"
        assert model.content["parameters"]["method"] == "cart"
        assert generation.content["output_hash"] == commit.fingerprint
        assert generation.content["output_hash"] == fingerprint(commit.load_data())


def test_downstream_loads_the_committed_rows_or_the_pinned_tag(versioned):
    defs = versioned["defs"]
    io_manager = defs.resources["iceberg_io_manager"]
    repo = defs.resources["versioning"].repository("adult")
    head = repo.load()
    loaded = io_manager.load_input(dg.build_input_context(asset_key=SYNTHETIC))
    pd.testing.assert_frame_equal(loaded, head)
    first = repo.log()[-1]
    repo.tag("release-1", "first synthetic release", ref=first.hash)
    pinned = defs.resources["versioning"].model_copy(update={"pin_tags": {"adult": "release-1"}})
    pd.testing.assert_frame_equal(pinned.load("adult"), first.load_data())


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
    _, result = _run(path, dg.DagsterInstance.ephemeral())
    event = _materialization(result)
    assert event.metadata["branch"].value == "nightly"
    repo = DatasetRepository.init(tmp_path / ".genesis" / "warehouse", name="adult")
    assert {b.name: b.head for b in repo.branches()}["nightly"] == event.tags[
        "dagster/data_version"
    ]
