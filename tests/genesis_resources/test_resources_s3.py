"""S3ArtifactStore against a real S3-compatible server (moto), and its selection from genesis.yaml."""

from __future__ import annotations

import uuid

import dagster as dg
import pandas as pd
import pytest

from genesis.errors import DataWriteError, InvalidParameterError, SourceNotFoundError
from genesis_assets.config import ConfigError, load_config
from genesis_assets.resources import artifact_store
from genesis_resources import GenesisIOManager
from genesis_resources.s3 import S3ArtifactStore

S3_KEY = S3_SECRET = "test"  # what the moto server in tests/conftest.py accepts


@pytest.fixture
def store(s3_server, s3_client) -> S3ArtifactStore:
    bucket = f"art-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=bucket)
    return S3ArtifactStore(
        bucket=bucket,
        prefix="genesis/dev",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id=S3_KEY,
        aws_secret_access_key=S3_SECRET,
    )


def test_round_trips_bytes_text_and_parquet(store, s3_client, adult_df):
    assert not store.exists("adult", "report.json")
    path = store.write_text("adult", "report.json", '{"ok": true}')
    assert path == f"s3://{store.bucket}/genesis/dev/adult/report.json"
    assert store.exists("adult", "report.json")
    assert store.read_text("adult", "report.json") == '{"ok": true}'
    df = adult_df.head(200)
    store.write_parquet("adult", "synthetic_dataset.parquet", df)
    pd.testing.assert_frame_equal(store.read_parquet("adult", "synthetic_dataset.parquet"), df)
    keys = {o["Key"] for o in s3_client.list_objects_v2(Bucket=store.bucket)["Contents"]}
    assert keys == {"genesis/dev/adult/report.json", "genesis/dev/adult/synthetic_dataset.parquet"}


def test_errors_name_the_fix(store, s3_server):
    with pytest.raises(SourceNotFoundError, match="materialize the asset"):
        store.read_bytes("adult", "missing.bin")
    with pytest.raises(InvalidParameterError, match="without '..'"):
        store.write_bytes("adult", "../escape", b"x")
    no_bucket = store.model_copy(update={"bucket": "does-not-exist-here"})
    with pytest.raises(DataWriteError, match="bucket exists"):
        no_bucket.write_bytes("adult", "x.bin", b"x")


def test_genesis_io_manager_writes_through_s3(store, adult_df):
    io_manager = GenesisIOManager(artifact_store=store)
    key = dg.AssetKey(["adult", "raw_source"])
    io_manager.handle_output(dg.build_output_context(asset_key=key), adult_df.head(50))
    loaded = io_manager.load_input(dg.build_input_context(asset_key=key))
    pd.testing.assert_frame_equal(loaded, adult_df.head(50))


def _config(tmp_path, storage: dict):
    import yaml

    pd.DataFrame({"a": [1, 2]}).to_csv(tmp_path / "t.csv", index=False)
    path = tmp_path / "genesis.yaml"
    document = {
        "storage": storage,
        "datasets": [{"name": "t", "source": "t.csv", "method": "cart"}],
    }
    path.write_text(yaml.safe_dump(document))
    return path


def test_storage_kind_s3_in_genesis_yaml(tmp_path, monkeypatch):
    path = _config(
        tmp_path,
        {"kind": "s3", "bucket": "genesis-artifacts", "endpoint_url": "http://127.0.0.1:9"},
    )
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "from-env")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-from-env")
    built = artifact_store(load_config(path))
    assert isinstance(built, S3ArtifactStore) and built.bucket == "genesis-artifacts"
    # credentials are EnvVar references resolved at run time, never copied into config
    assert built.aws_access_key_id == dg.EnvVar("AWS_ACCESS_KEY_ID")
    assert built.aws_secret_access_key == dg.EnvVar("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(ConfigError, match="'bucket' is required"):
        load_config(_config(tmp_path, {"kind": "s3"}))
    assert type(artifact_store(load_config(_config(tmp_path, {"root": "a"})))).__name__ == (
        "LocalArtifactStore"
    )
