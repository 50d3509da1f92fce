"""VersioningResource and IcebergIOManager on a local warehouse and on S3 (moto)."""

from __future__ import annotations

import uuid

import dagster as dg
import pandas as pd
import pytest

from genesis.errors import InvalidParameterError, SourceNotFoundError
from genesis.lineage import LineageChain
from genesis_resources import LocalArtifactStore
from genesis_resources.iceberg import (
    IcebergIOManager,
    VersioningResource,
    read_lineage,
    record_checks,
)

S3_KEY = S3_SECRET = "test"  # what the moto server in tests/conftest.py accepts

KEY = dg.AssetKey(["adult", "synthetic_dataset"])


@pytest.fixture(params=["local", "s3"])
def versioning(request, tmp_path, monkeypatch) -> VersioningResource:
    if request.param == "local":
        return VersioningResource(warehouse=str(tmp_path / "warehouse"))
    endpoint = request.getfixturevalue("s3_server")
    bucket = f"wh-{uuid.uuid4().hex[:12]}"
    request.getfixturevalue("s3_client").create_bucket(Bucket=bucket)
    monkeypatch.setenv("GENESIS_TEST_S3_KEY", S3_KEY)
    monkeypatch.setenv("GENESIS_TEST_S3_SECRET", S3_SECRET)
    return VersioningResource(
        warehouse=f"s3://{bucket}/warehouse",
        catalog={"uri": f"sqlite:///{tmp_path / 'catalog.db'}"},
        s3_endpoint=endpoint,
        s3_region="us-east-1",
        s3_access_key_id=dg.EnvVar("GENESIS_TEST_S3_KEY"),
        s3_secret_access_key=dg.EnvVar("GENESIS_TEST_S3_SECRET"),
    )


def _store(io_manager: IcebergIOManager, df, run_id: str = "run-1") -> dict:
    context = dg.build_output_context(asset_key=KEY, run_id=run_id)
    io_manager.handle_output(context, df)
    return {k: getattr(v, "value", v) for k, v in context.get_logged_metadata().items()}


def test_io_manager_commits_and_loads(versioning, adult_df, tmp_path):
    # EnvVar fields resolve when Dagster initialises the resource, as in a real run
    with dg.build_resources({"v": versioning}) as built:
        resource = built.v
    io_manager = IcebergIOManager(
        versioning=resource, artifact_store=LocalArtifactStore(root=str(tmp_path / "art"))
    )
    df = adult_df.head(300)
    meta = _store(io_manager, df)
    assert meta["new_snapshot"] is True and meta["diff_summary"] == "first version"
    assert meta["path"].endswith("adult/synthetic_dataset.parquet")
    loaded = io_manager.load_input(dg.build_input_context(asset_key=KEY))
    pd.testing.assert_frame_equal(loaded, df)
    again = _store(io_manager, df.copy(), run_id="run-2")
    assert "snapshot_id" not in again  # unchanged: nothing committed, nothing to report
    meta = _store(io_manager, adult_df.head(250), run_id="run-3")
    assert meta["diff"]["rows_removed"] == 50 and meta["diff"]["rows_added"] == 0
    repo = resource.repository("adult")
    assert [c.metadata["run_id"] for c in repo.log()] == ["run-3", "run-1"]
    assert repo.verify().ok


def test_publish_stores_the_lineage_beside_the_table(versioning, adult_df):
    with dg.build_resources({"v": versioning}) as built:
        resource = built.v
    chain = LineageChain()
    chain.add_source_block(adult_df, "adult.csv")
    chain.add_generation_block("cart", {"seed": 0}, 100, output=adult_df.head(100))
    commit, meta = resource.publish("adult", adult_df.head(100), "v1", lineage=chain)
    assert meta["lineage_hash"] == chain.latest_hash == commit.metadata["lineage_hash"]
    assert commit.metadata["lineage"].startswith(meta["table_location"].path)
    stored = read_lineage(resource, "adult")
    assert stored.verify() and stored.latest_hash == chain.latest_hash


def test_pin_tag_and_branch(tmp_path, adult_df):
    resource = VersioningResource(warehouse=str(tmp_path), branches={"adult": "dev"})
    first, _ = resource.publish("adult", adult_df.head(10), "v1")
    resource.publish("adult", adult_df.head(20), "v2")
    repo = resource.repository("adult")
    assert repo.current_branch == "dev" and len(repo.load("dev")) == 20
    repo.tag("stable", "for consumers", ref=first.hash)
    pinned = VersioningResource(
        warehouse=str(tmp_path), branches={"adult": "dev"}, pin_tags={"adult": "stable"}
    )
    assert len(pinned.load("adult")) == 10
    missing = VersioningResource(warehouse=str(tmp_path), pin_tags={"adult": "nope"})
    with pytest.raises(InvalidParameterError, match="not a branch, tag or snapshot"):
        missing.load("adult")
    with pytest.raises(SourceNotFoundError, match="has no lineage chain"):
        read_lineage(resource, "adult")


def test_io_manager_refuses_what_it_cannot_store(tmp_path):
    io_manager = IcebergIOManager(versioning=VersioningResource(warehouse=str(tmp_path)))
    with pytest.raises(InvalidParameterError, match="DataFrames only"):
        io_manager.handle_output(dg.build_output_context(asset_key=KEY), {"not": "a frame"})
    with pytest.raises(SourceNotFoundError, match="no commits yet"):
        io_manager.load_input(dg.build_input_context(asset_key=KEY))


def test_checks_recorded_after_the_commit_extend_the_chain(tmp_path, adult_df):
    resource = VersioningResource(warehouse=str(tmp_path))
    chain = LineageChain()
    chain.add_source_block(adult_df, "adult.csv")
    commit, _ = resource.publish("adult", adult_df.head(30), "v1", lineage=chain)
    record_checks(
        resource,
        "adult",
        [{"check": "quality", "metrics": {"overall": 0.9}, "passed": True, "threshold": 0.8}],
    )
    record_checks(
        resource, "adult", [{"check": "privacy", "metrics": {"risk": "LOW"}, "passed": True}]
    )
    extended = read_lineage(resource, "adult", commit.hash)
    assert [b.block_type for b in extended.blocks] == ["source", "quality_check", "quality_check"]
    assert [b.content["check"] for b in extended.blocks[1:]] == ["quality", "privacy"]
    assert extended.verify() and extended.blocks[0].data_hash == chain.latest_hash
    # tampering with the stored extension is detected and names the block
    repo = resource.repository("adult")
    path = repo.notes(commit.hash)["lineage"]
    text = repo.read_file(path).decode().replace('"LOW"', '"CRITICAL"')
    repo.write_file(path.rsplit("/", 2)[-2] + "/" + path.rsplit("/", 1)[-1], text.encode())
    tampered = read_lineage(resource, "adult", commit.hash)
    assert not tampered.verify() and "block 2 (quality_check" in tampered.problems()[0]
