"""Chunked generation into an Iceberg table: chunk files, then one commit; reruns are
no-ops; a table holding other rows is refused unless overwrite."""

from __future__ import annotations

import pandas as pd
import pytest

from genesis.errors import DestinationConflictError, InvalidParameterError
from genesis.generators import SyntheticGenerator
from genesis.generators.chunk_iceberg import PLAN_KEY, open_table
from genesis.generators.chunked import generate_to


@pytest.fixture(scope="module")
def cart(adult_small):
    return SyntheticGenerator("cart", seed=0).fit(adult_small)


def test_one_commit_adds_every_chunk_with_the_parquet_rows(cart, tmp_path):
    seen = []
    out = generate_to(
        cart, tmp_path / "repo", 9_000, chunk_rows=4_000, seed=2, format="iceberg",
        table="adult", executor=2, progress=seen.append,
    )  # fmt: skip
    assert out.format == "iceberg" and out.table == "genesis.adult" and out.rows == 9_000
    assert len(seen) == 3
    table = open_table(str(tmp_path / "repo"), "adult", None, None)
    snapshots = table.snapshots()
    assert len(snapshots) == 1 and snapshots[0].snapshot_id == out.snapshot_id
    assert table.current_snapshot().summary["added-data-files"] == "3"
    assert PLAN_KEY in table.current_snapshot().summary.additional_properties
    rows = table.scan().to_pandas()
    parquet = pd.read_parquet(
        cart.generate_to(tmp_path / "flat.parquet", 9_000, chunk_rows=4_000, seed=2)
    )
    assert len(rows) == 9_000 and list(rows.columns) == list(parquet.columns)
    key = ["age", "fnlwgt", "education", "hours-per-week"]
    pd.testing.assert_frame_equal(
        rows[key].sort_values(key).reset_index(drop=True),
        parquet[key].sort_values(key).reset_index(drop=True),
        check_dtype=False,
    )
    again = generate_to(
        cart, tmp_path / "repo", 9_000, chunk_rows=4_000, seed=2, format="iceberg", table="adult"
    )
    assert again.snapshot_id == out.snapshot_id and again.reused == 3
    assert len(open_table(str(tmp_path / "repo"), "adult", None, None).snapshots()) == 1


def test_a_table_with_other_rows_is_refused_unless_overwrite(cart, tmp_path):
    where = str(tmp_path / "repo")
    generate_to(cart, where, 2_000, chunk_rows=1_000, format="iceberg")
    with pytest.raises(DestinationConflictError, match="already holds rows.*overwrite=True"):
        generate_to(cart, where, 3_000, chunk_rows=1_000, format="iceberg")
    assert open_table(where, "synthetic", None, None).scan().count() == 2_000
    generate_to(cart, where, 3_000, chunk_rows=1_000, format="iceberg", overwrite=True)
    assert open_table(where, "synthetic", None, None).scan().count() == 3_000


def test_bad_table_names_and_missing_tables(cart, tmp_path):
    with pytest.raises(InvalidParameterError, match="letters, digits"):
        generate_to(cart, tmp_path, 1_000, format="iceberg", table="a-b")
    with pytest.raises(InvalidParameterError, match="no Iceberg table genesis.nope"):
        open_table(str(tmp_path), "nope", None, None)


def test_s3_warehouse_gets_the_chunks_and_one_commit(
    cart, s3_server, s3_client, s3_storage_options, tmp_path
):
    from tests.conftest import S3_KEY, S3_SECRET

    s3_client.create_bucket(Bucket="warehouse")
    catalog = {
        "uri": f"sqlite:///{tmp_path / 'catalog.db'}",
        "s3.endpoint": s3_server,
        "s3.access-key-id": S3_KEY,
        "s3.secret-access-key": S3_SECRET,
        "s3.region": "us-east-1",
    }
    out = generate_to(
        cart, "s3://warehouse/wh", 5_000, chunk_rows=2_000, format="iceberg", table="adult",
        catalog=catalog, storage_options=s3_storage_options, executor=2,
    )  # fmt: skip
    assert out.rows == 5_000 and out.manifest.startswith("s3://warehouse/wh/")
    table = open_table("s3://warehouse/wh", "adult", catalog, None)
    assert len(table.snapshots()) == 1 and table.scan().count() == 5_000
    keys = [o["Key"] for o in s3_client.list_objects_v2(Bucket="warehouse")["Contents"]]
    assert sum(k.endswith(".parquet") and "/part-" in k for k in keys) == 3
