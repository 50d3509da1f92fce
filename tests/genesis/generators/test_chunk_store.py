"""Chunked output on S3 through a real local S3 server (moto): one finished PUT per chunk,
the same bytes as a local folder, resume and refusals, and an unreachable destination."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from genesis.errors import DestinationConflictError, DestinationUnreachableError
from genesis.generators import SyntheticGenerator
from genesis.generators.chunk_store import ChunkStore, parquet_bytes
from genesis.generators.chunked import MANIFEST_NAME, PLAN_NAME, generate_to, read_manifest


@pytest.fixture(scope="module")
def copula(adult_small):
    return SyntheticGenerator("gaussian_copula", seed=0).fit(adult_small)


def test_s3_prefix_gets_the_bytes_of_a_local_folder(
    copula, s3_client, s3_storage_options, tmp_path
):
    s3_client.create_bucket(Bucket="chunked")
    url = "s3://chunked/adult/run-1"
    out = generate_to(
        copula, url, 12_000, chunk_rows=5_000, seed=5, executor=2,
        storage_options=s3_storage_options,
    )  # fmt: skip
    assert out.manifest == f"{url}/{MANIFEST_NAME}" and out.chunks[0].path.startswith(url)
    local = generate_to(copula, tmp_path, 12_000, chunk_rows=5_000, seed=5)
    keys = sorted(o["Key"] for o in s3_client.list_objects_v2(Bucket="chunked")["Contents"])
    assert keys == [f"adult/run-1/{n}" for n in (MANIFEST_NAME, PLAN_NAME)] + [
        f"adult/run-1/part-0000{i}.parquet" for i in range(3)
    ]
    remote = read_manifest(url, s3_storage_options)
    assert remote == json.loads((tmp_path / MANIFEST_NAME).read_text())
    assert [c.sha256 for c in out.chunks] == [c.sha256 for c in local.chunks]
    body = s3_client.get_object(Bucket="chunked", Key="adult/run-1/part-00001.parquet")["Body"]
    assert body.read() == (tmp_path / "part-00001.parquet").read_bytes()
    rows = pd.read_parquet(url, storage_options=s3_storage_options)
    assert len(rows) == 12_000


def test_s3_resume_and_refusal(copula, s3_client, s3_storage_options):
    s3_client.create_bucket(Bucket="resume")
    url = "s3://resume/out"
    generate_to(copula, url, 6_000, chunk_rows=2_000, storage_options=s3_storage_options)
    s3_client.delete_object(Bucket="resume", Key=f"out/{MANIFEST_NAME}")
    s3_client.delete_object(Bucket="resume", Key="out/part-00002.parquet")
    seen = []
    again = generate_to(
        copula, url, 6_000, chunk_rows=2_000, storage_options=s3_storage_options,
        progress=seen.append,
    )  # fmt: skip
    assert [r.index for r in seen] == [2] and again.reused == 2
    assert read_manifest(url, s3_storage_options)["rows"] == 6_000
    with pytest.raises(DestinationConflictError, match="another plan"):
        generate_to(copula, url, 7_000, chunk_rows=2_000, storage_options=s3_storage_options)


def test_unreachable_s3_names_the_fix(copula, s3_server, s3_storage_options, tmp_path):
    with pytest.raises(DestinationUnreachableError, match="bucket 'no-such-bucket'.*create it"):
        generate_to(copula, "s3://no-such-bucket/x", 1_000, storage_options=s3_storage_options)
    closed = {
        **s3_storage_options,
        "client_kwargs": {"endpoint_url": "http://127.0.0.1:9", "region_name": "us-east-1"},
        "config_kwargs": {"retries": {"max_attempts": 1}, "connect_timeout": 2},
    }
    with pytest.raises(DestinationUnreachableError, match="cannot reach.*endpoint"):
        generate_to(copula, "s3://bucket/x", 1_000, storage_options=closed)


def test_parquet_bytes_are_a_function_of_the_rows():
    frame = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", None], "c": [0.5, None, 2.0]})
    assert parquet_bytes(frame) == parquet_bytes(frame.copy())
    assert parquet_bytes(frame) != parquet_bytes(frame.iloc[::-1].reset_index(drop=True))


def test_local_store_leftovers_and_atomic_put(tmp_path):
    store = ChunkStore(tmp_path / "d")
    store.check_reachable()
    (tmp_path / "d" / ".part-00000.parquet.x1.tmp").write_bytes(b"half")
    assert store.leftovers() == [".part-00000.parquet.x1.tmp"]
    store.put("part-00000.parquet", b"whole")
    assert store.get("part-00000.parquet") == b"whole" and store.size("part-00000.parquet") == 5
    assert store.parquet_rows("part-00000.parquet") is None  # not Parquet: to regenerate
    assert store.get("missing") is None and store.size("missing") is None
