"""genesis.io.write: atomic writes, local and on S3."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genesis.errors import (
    DataWriteError,
    InvalidDataError,
    UnsupportedFormatError,
)
from genesis.io import read_table, write_parquet, write_table

# --- atomic writes ------------------------------------------------------------------------


def test_write_parquet_failure_leaves_previous_file(tmp_path: Path, mixed_df: pd.DataFrame) -> None:
    path = tmp_path / "out.parquet"
    assert write_parquet(mixed_df, path) == str(path)
    before = path.read_bytes()
    bad = pd.DataFrame({"x": [1, "two", object()]})  # pyarrow cannot serialise this column
    with pytest.raises(DataWriteError, match="cannot write"):
        write_parquet(bad, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.parquet"]  # no temporary left behind
    pd.testing.assert_frame_equal(read_table(path), mixed_df)


def test_write_parquet_replaces_existing(tmp_path: Path, mixed_df: pd.DataFrame) -> None:
    path = tmp_path / "out.parquet"
    write_parquet(mixed_df, path)
    write_parquet(mixed_df.iloc[:1], path)
    assert len(read_table(path)) == 1


def test_write_rejects_bad_input(tmp_path: Path, mixed_df: pd.DataFrame) -> None:
    with pytest.raises(InvalidDataError):
        write_parquet([1, 2], tmp_path / "x.parquet")  # type: ignore[arg-type]
    with pytest.raises(UnsupportedFormatError):
        write_table(mixed_df, tmp_path / "x.xlsx")


def test_s3_failed_write_leaves_object(
    s3_client, s3_storage_options: dict, mixed_df: pd.DataFrame
) -> None:
    s3_client.create_bucket(Bucket="genesis-atomic")
    url = "s3://genesis-atomic/t.parquet"
    write_parquet(mixed_df, url, s3_storage_options)
    with pytest.raises(DataWriteError):
        write_parquet(pd.DataFrame({"x": [1, "two", object()]}), url, s3_storage_options)
    pd.testing.assert_frame_equal(read_table(url, storage_options=s3_storage_options), mixed_df)


def test_write_bytes_atomic_replaces_whole_files_and_keeps_the_old_one_on_failure(tmp_path):
    from genesis.io import write_bytes_atomic

    target = tmp_path / "deep" / "report.html"
    assert write_bytes_atomic(target, "<p>first</p>") == str(target)
    write_bytes_atomic(target, b"<p>second</p>")
    assert target.read_text() == "<p>second</p>"
    blocked = tmp_path / "folder"
    (blocked / "inside").mkdir(parents=True)  # a non-empty folder cannot be replaced by a file
    with pytest.raises(DataWriteError, match="cannot write the report"):
        write_bytes_atomic(blocked, "text", what="report")
    assert (blocked / "inside").is_dir()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_csv_writes_integers_with_gaps_as_integers(tmp_path: Path) -> None:
    df = pd.DataFrame(
        {"age": [30.0, np.nan, 41.0], "ratio": [0.5, np.nan, 1.0], "whole": [1.0, 2.0, 3.0]}
    )
    path = write_table(df, tmp_path / "t.csv")
    lines = Path(path).read_text().splitlines()
    assert lines[1] == "30,0.5,1.0"  # was "30.0,0.5,1.0"
    assert lines[2] == ",,2.0"
    pd.testing.assert_frame_equal(read_table(path), df)  # and reads back as it was
    assert df["age"].dtype == np.float64  # the caller's frame is not changed


def test_write_table_with_schema_restores_source_types(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from genesis.schema import infer_schema

    source = tmp_path / "s.parquet"
    pq.write_table(pa.table({"n": pa.array([1, None, 3], pa.int64())}), source)
    df = read_table(source)
    assert df["n"].dtype == np.float64  # pandas' reading of an int column with gaps
    write_table(df, tmp_path / "o.parquet", schema=infer_schema(df))
    assert str(pq.read_schema(tmp_path / "o.parquet").field("n").type) == "int64"
