"""VersioningResource and IcebergIOManager on a local warehouse and on S3 (moto)."""

from __future__ import annotations

import uuid

import dagster as dg
import pandas as pd
import pytest

from genesis.errors import InvalidParameterError, SourceNotFoundError
from genesis.lineage import LineageChain, synthesis_chain
from genesis_resources import LocalArtifactStore
from genesis_resources.iceberg import (
    IcebergIOManager,
    VersioningResource,
    read_lineage,
    snapshot_of,
    write_lineage,
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
    assert snapshot_of(loaded) == meta["snapshot_id"]
    again = _store(io_manager, df.copy(), run_id="run-2")
    assert again["new_snapshot"] is False  # unchanged: nothing committed, the head's id kept
    assert again["snapshot_id"] == meta["snapshot_id"]
    meta = _store(io_manager, adult_df.head(250), run_id="run-3")
    assert meta["diff"]["rows_removed"] == 50 and meta["diff"]["rows_added"] == 0
    repo = resource.repository("adult")
    assert [c.metadata["run_id"] for c in repo.log()] == ["run-3", "run-1"]
    assert repo.verify().ok


def test_output_metadata_goes_into_the_commit(tmp_path, adult_df):
    @dg.asset(key=KEY, io_manager_key="iceberg_io_manager")
    def synthetic_dataset() -> dg.Output[pd.DataFrame]:
        return dg.Output(adult_df.head(40), metadata={"seed": 3, "rows": 40, "method": "cart"})

    versioning = VersioningResource(warehouse=str(tmp_path))
    result = dg.materialize(
        [synthetic_dataset],
        resources={"iceberg_io_manager": IcebergIOManager(versioning=versioning)},
    )
    (event,) = result.get_asset_materialization_events()
    commit = versioning.repository("adult").get_commit()
    assert commit.metadata == {"run_id": result.run_id, "seed": 3, "rows": 40, "method": "cart"}
    assert "(cart)" in commit.message
    assert (
        event.materialization.tags["dagster/data_version"] == commit.hash
    )  # set by the IO manager


def test_pin_tag_and_branch(tmp_path, adult_df):
    resource = VersioningResource(warehouse=str(tmp_path), branches={"adult": "dev"})
    first, _ = resource.commit("adult", adult_df.head(10), "v1")
    resource.commit("adult", adult_df.head(20), "v2")
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
    assert snapshot_of(pinned.load("adult")) == first.hash


def test_io_manager_refuses_what_it_cannot_store(tmp_path):
    io_manager = IcebergIOManager(versioning=VersioningResource(warehouse=str(tmp_path)))
    with pytest.raises(InvalidParameterError, match="DataFrames only"):
        io_manager.handle_output(dg.build_output_context(asset_key=KEY), {"not": "a frame"})
    with pytest.raises(SourceNotFoundError, match="no commits yet"):
        io_manager.load_input(dg.build_input_context(asset_key=KEY))


def _chain(adult_df, passed: bool) -> LineageChain:
    return synthesis_chain(
        source="abc123", source_name="adult.csv", synthetic=adult_df.head(30),
        generation_params={"seed": 0},
        checks=[{"check": "quality", "metrics": {"overall": 0.9}, "passed": passed, "threshold": 0.8}],
    )  # fmt: skip


def test_lineage_is_written_once_and_replaced_only_when_it_changes(tmp_path, adult_df):
    resource = VersioningResource(warehouse=str(tmp_path))
    commit, _ = resource.commit("adult", adult_df.head(30), "v1")
    path, digest = write_lineage(resource, "adult", commit.hash, _chain(adult_df, True))
    # the same chain built again (new timestamps, new hashes): the stored one is kept
    again, same = write_lineage(resource, "adult", commit.hash, _chain(adult_df, True))
    assert (again, same) == (path, digest)
    stored = read_lineage(resource, "adult", commit.hash)
    assert stored.verify() and stored.latest_hash == digest
    assert [b.block_type for b in stored.blocks] == ["source", "generation", "quality_check"]
    # a different verdict replaces the chain: still one quality block, never appended
    changed, other = write_lineage(resource, "adult", commit.hash, _chain(adult_df, False))
    assert other != digest
    replaced = read_lineage(resource, "adult", commit.hash)
    assert [b.block_type for b in replaced.blocks] == ["source", "generation", "quality_check"]
    assert replaced.blocks[-1].content["passed"] is False
    # a tampered stored chain is not trusted: rewritten from the new one
    repo = resource.repository("adult")
    text = repo.read_file(changed).decode().replace('"passed": false', '"passed": true')
    repo.write_file(changed.rsplit("/", 2)[-2] + "/" + changed.rsplit("/", 1)[-1], text.encode())
    assert not read_lineage(resource, "adult", commit.hash).verify()
    write_lineage(resource, "adult", commit.hash, _chain(adult_df, False))
    assert read_lineage(resource, "adult", commit.hash).verify()


def _duckdb():
    try:
        import duckdb
        import duckdb_extension_avro
        import duckdb_extension_iceberg
    except ImportError as exc:  # a required capability: fail, never skip
        pytest.fail(
            f"{exc.name} is missing; install the dev extra: pip install -e '.[dev]' "
            "(duckdb, duckdb-extension-iceberg, duckdb-extension-avro)"
        )
    from pathlib import Path

    con = duckdb.connect(config={"autoinstall_known_extensions": False})
    for module, name in ((duckdb_extension_avro, "avro"), (duckdb_extension_iceberg, "iceberg")):
        (extension,) = Path(module.__file__).parent.glob(f"extensions/v*/{name}.duckdb_extension")
        con.execute(f"INSTALL '{extension}'")
        con.execute(f"LOAD {name}")
    return con


def test_duckdb_reads_a_committed_version_offline(tmp_path, adult_df):
    """Another engine than PyIceberg reads every version from the table metadata alone."""
    resource = VersioningResource(warehouse=str(tmp_path))
    first, _ = resource.commit("adult", adult_df.head(300), "v1")
    second, _ = resource.commit("adult", adult_df.iloc[300:550], "v2")
    from pyiceberg.catalog import load_catalog

    con = _duckdb()
    repo = resource.repository("adult")
    props = repo.catalog_properties  # all another process needs to find the table
    table = load_catalog(props.pop("name"), **props).load_table(repo.identifier)
    metadata = table.metadata_location.removeprefix("file://")
    for commit, rows in ((first, adult_df.head(300)), (second, adult_df.iloc[300:550])):
        frame = con.execute(
            f"SELECT * FROM iceberg_scan('{metadata}', snapshot_from_id={commit.hash})"
        ).df()
        assert len(frame) == len(rows)
        assert sorted(frame["age"].tolist()) == sorted(rows["age"].tolist())
        assert list(frame.columns) == list(rows.columns)
    head = con.execute(f"SELECT count(*) FROM iceberg_scan('{metadata}')").fetchone()[0]
    assert head == 250
