"""genesis.io.read: every format and source, and one clear error per bad input."""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genesis.errors import (
    DataLoadError,
    DuplicateColumnsError,
    EmptySourceError,
    GenesisError,
    InvalidDataError,
    InvalidParameterError,
    NoColumnsError,
    SourceNotFoundError,
    UnparseableSourceError,
    UnsupportedFormatError,
)
from genesis.io import detect_format, read_table, write_parquet, write_table

# --- reading the real tables --------------------------------------------------------------


def test_read_adult_keeps_question_mark_tokens(datasets_dir: Path) -> None:
    df = read_table(datasets_dir / "adult.csv")
    assert df.shape == (32561, 15)
    assert (df["workclass"] == "?").sum() == 1836
    assert df["workclass"].isna().sum() == 0
    assert df["age"].dtype == np.int64
    # ", " separators are stripped
    assert not df["workclass"].str.startswith(" ").any()


def test_read_weather_nulls_stay_nan(datasets_dir: Path) -> None:
    df = read_table(str(datasets_dir / "nycflights13_weather.csv"))
    assert df.shape == (26115, 15)
    assert df["wind_gust"].isna().mean() == pytest.approx(0.7956, abs=1e-3)
    assert df["time_hour"].iloc[0] == "2013-01-01T06:00:00Z"


# --- round trips --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "suffix", [".csv", ".csv.gz", ".tsv", ".parquet", ".pq", ".jsonl", ".ndjson"]
)
def test_round_trip_each_format(tmp_path: Path, adult_small: pd.DataFrame, suffix: str) -> None:
    path = tmp_path / f"adult{suffix}"
    if suffix == ".tsv":
        adult_small.to_csv(path, sep="\t", index=False)
    elif suffix in (".csv", ".csv.gz"):
        adult_small.to_csv(path, index=False)  # pandas compresses .gz by extension
    else:
        write_table(adult_small, path)
    back = read_table(path)
    pd.testing.assert_frame_equal(back, adult_small)


def test_gzip_csv_is_really_compressed(tmp_path: Path, adult_small: pd.DataFrame) -> None:
    path = tmp_path / "a.csv.gz"
    adult_small.to_csv(path, index=False)
    with gzip.open(path, "rt") as handle:
        assert handle.readline().startswith("age,")
    assert read_table(path).shape == adult_small.shape


def test_write_table_csv_round_trip(tmp_path: Path, mixed_df: pd.DataFrame) -> None:
    written = write_table(mixed_df, tmp_path / "sub" / "m.csv")
    assert Path(written).exists()
    pd.testing.assert_frame_equal(read_table(written), mixed_df)


def test_json_array_of_records(tmp_path: Path, mixed_df: pd.DataFrame) -> None:
    path = tmp_path / "m.json"
    mixed_df.to_json(path, orient="records")
    back = read_table(path)
    assert back["day"].tolist() == mixed_df["day"].tolist()  # date strings stay strings
    assert back["id"].tolist() == [1, 2, 3]


def test_json_lines_with_json_extension(tmp_path: Path, mixed_df: pd.DataFrame) -> None:
    path = tmp_path / "m.json"
    mixed_df.to_json(path, orient="records", lines=True)
    pd.testing.assert_frame_equal(read_table(path), mixed_df)


def test_leading_zero_codes_stay_strings(tmp_path: Path) -> None:
    path = tmp_path / "zips.csv"
    path.write_text("zip,n\n02134,1\n10001,2\n00501,3\n")
    df = read_table(path)
    assert df["zip"].tolist() == ["02134", "10001", "00501"]
    assert df["n"].dtype == np.int64


def test_explicit_format_overrides_extension(tmp_path: Path, mixed_df: pd.DataFrame) -> None:
    path = tmp_path / "data.bin"
    mixed_df.to_parquet(path)
    assert read_table(path, format="parquet").shape == mixed_df.shape
    assert read_table(path, "PQ").shape == mixed_df.shape


def test_detect_format() -> None:
    assert detect_format("s3://b/k/data.csv.gz") == "csv"
    assert detect_format("x.PARQUET") == "parquet"
    assert detect_format("x.ndjson") == "jsonl"
    assert detect_format("sqlite:///x.db") == "sql"
    assert detect_format("postgresql+psycopg://u@h/db") == "sql"


# --- SQL ----------------------------------------------------------------------------------


@pytest.fixture()
def sqlite_url(tmp_path: Path, adult_small: pd.DataFrame) -> str:
    path = tmp_path / "people.db"
    with sqlite3.connect(path) as connection:
        adult_small.to_sql("adult", connection, index=False)
    return f"sqlite:///{path}"


def test_sql_table_name(sqlite_url: str, adult_small: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(read_table(sqlite_url, query="adult"), adult_small)


def test_sql_query(sqlite_url: str, adult_small: pd.DataFrame) -> None:
    df = read_table(sqlite_url, query='SELECT age, "native-country" FROM adult WHERE age > 50')
    expected = adult_small.loc[adult_small["age"] > 50, ["age", "native-country"]]
    pd.testing.assert_frame_equal(df, expected.reset_index(drop=True))


def test_sql_missing_table(sqlite_url: str) -> None:
    with pytest.raises(SourceNotFoundError, match="'people'.*existing tables.*adult"):
        read_table(sqlite_url, query="people")
    with pytest.raises(SourceNotFoundError, match="does not exist"):
        read_table(sqlite_url, query="SELECT * FROM people")


def test_sql_missing_database_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "nope.db"
    with pytest.raises(SourceNotFoundError, match="does not exist"):
        read_table(f"sqlite:///{path}", query="t")
    assert not path.exists()


def test_sql_bad_query_and_no_rows(sqlite_url: str) -> None:
    with pytest.raises(UnparseableSourceError, match="query"):
        read_table(sqlite_url, query="SELEC age FROM adult")
    with pytest.raises(EmptySourceError, match="no rows"):
        read_table(sqlite_url, query="SELECT age FROM adult WHERE age > 1000")
    with pytest.raises(DuplicateColumnsError, match="age"):
        read_table(sqlite_url, query="SELECT age, age FROM adult")
    with pytest.raises(InvalidParameterError, match="query="):
        read_table(sqlite_url)


# --- bad inputs ---------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError, match="does not exist") as info:
        read_table(tmp_path / "absent.csv")
    assert isinstance(info.value, FileNotFoundError)  # also catchable as the builtin


def test_folder_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(SourceNotFoundError, match="folder"):
        read_table(tmp_path / "d.csv")


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_zero_byte_file(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(b"")
    with pytest.raises(EmptySourceError, match="0 bytes"):
        read_table(path)


def test_header_only_csv(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("a,b,c\n")
    with pytest.raises(EmptySourceError, match="no rows"):
        read_table(path)


def test_blank_lines_csv(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("\n\n\n")
    with pytest.raises(EmptySourceError):
        read_table(path)


def test_no_columns(tmp_path: Path) -> None:
    path = tmp_path / "nocols.jsonl"
    path.write_text("{}\n{}\n")
    with pytest.raises(NoColumnsError, match="no columns"):
        read_table(path)
    parquet = tmp_path / "nocols.parquet"
    pd.DataFrame(index=range(3)).to_parquet(parquet)
    with pytest.raises(NoColumnsError):
        read_table(parquet)


def test_duplicate_csv_header(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("a,b,a\n1,2,3\n")
    with pytest.raises(DuplicateColumnsError, match=r"\['a'\]"):
        read_table(path)


def test_duplicate_json_keys(tmp_path: Path) -> None:
    path = tmp_path / "dup.jsonl"
    path.write_text('{"a": 1, "a": 2}\n')
    with pytest.raises(DuplicateColumnsError, match="'a'"):
        read_table(path)


def test_binary_file_as_parquet(tmp_path: Path) -> None:
    path = tmp_path / "junk.parquet"
    path.write_bytes(np.random.default_rng(0).bytes(2048))
    with pytest.raises(UnparseableSourceError, match="Parquet"):
        read_table(path)


def test_binary_file_as_csv(tmp_path: Path) -> None:
    path = tmp_path / "junk.csv"
    path.write_bytes(b"\xff\xfe\x00\x81" * 500)
    with pytest.raises(UnparseableSourceError):
        read_table(path)


def test_malformed_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"a": 1}\n{"a": 2\n')
    with pytest.raises(UnparseableSourceError, match="JSON"):
        read_table(path)


def test_ragged_csv(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("a,b\n1,2\n3,4,5,6\n")
    with pytest.raises(UnparseableSourceError, match="fields"):
        read_table(path)


def test_unsupported_format(tmp_path: Path) -> None:
    path = tmp_path / "table.xlsx"
    path.write_bytes(b"x")
    with pytest.raises(UnsupportedFormatError, match="csv.*parquet"):
        read_table(path)
    with pytest.raises(UnsupportedFormatError, match="use one of"):
        read_table(tmp_path / "t.csv", format="avro")


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterError):
        read_table("")
    with pytest.raises(InvalidParameterError):
        read_table(123)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="query"):
        read_table(tmp_path / "x.csv", query="SELECT 1")


def test_all_load_errors_share_a_base(tmp_path: Path) -> None:
    with pytest.raises(DataLoadError):
        read_table(tmp_path / "absent.parquet")


# --- S3 (a real moto server) --------------------------------------------------------------


def test_s3_round_trip(s3_client, s3_storage_options: dict, adult_small: pd.DataFrame) -> None:
    s3_client.create_bucket(Bucket="genesis-io")
    s3_client.put_object(
        Bucket="genesis-io", Key="raw/adult.csv", Body=adult_small.to_csv(index=False).encode()
    )
    df = read_table("s3://genesis-io/raw/adult.csv", storage_options=s3_storage_options)
    pd.testing.assert_frame_equal(df, adult_small)

    written = write_parquet(adult_small, "s3://genesis-io/out/adult.parquet", s3_storage_options)
    assert written == "s3://genesis-io/out/adult.parquet"
    keys = [o["Key"] for o in s3_client.list_objects_v2(Bucket="genesis-io")["Contents"]]
    assert sorted(keys) == ["out/adult.parquet", "raw/adult.csv"]
    back = read_table(written, storage_options=s3_storage_options)
    pd.testing.assert_frame_equal(back, adult_small)


def test_s3_missing_key(s3_client, s3_storage_options: dict) -> None:
    s3_client.create_bucket(Bucket="genesis-missing")
    with pytest.raises(SourceNotFoundError, match="does not exist"):
        read_table("s3://genesis-missing/no/such.csv", storage_options=s3_storage_options)


def test_file_url(datasets_dir: Path) -> None:
    df = read_table((datasets_dir / "adult.csv").resolve().as_uri())
    assert df.shape == (32561, 15)


# --- column names (issue 12 item 13) --------------------------------------------------------


def test_empty_csv_header_cell_is_refused_not_renamed(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("a,b,c,d,,f\n1,2,3,4,5,6\n")
    with pytest.raises(InvalidDataError, match=r"empty column name.*column\(s\) \[5\]"):
        read_table(path)  # was a silent "Unnamed: 4"
    saved_index = tmp_path / "index.csv"
    pd.DataFrame({"x": [1, 2]}).to_csv(saved_index)  # header ",x"
    with pytest.raises(InvalidDataError, match="index_col=0"):
        read_table(saved_index)
    assert list(read_table(saved_index, index_col=0).columns) == ["x"]


def test_empty_and_blank_names_in_parquet_and_json_are_refused(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"": [1, 2], "b": [3, 4]}), tmp_path / "e.parquet")
    with pytest.raises(InvalidDataError, match="empty name"):
        read_table(tmp_path / "e.parquet")
    (tmp_path / "e.jsonl").write_text('{" ": 1, "b": 2}\n')
    with pytest.raises(InvalidDataError, match="empty name"):
        read_table(tmp_path / "e.jsonl")


def test_sql_errors_never_show_the_password(tmp_path: Path) -> None:
    url = "postgresql+nosuchdriver://reader:s3cret@localhost/db"
    with pytest.raises(GenesisError) as info:
        read_table(url, query="people")
    assert "s3cret" not in str(info.value)
    assert "***" in str(info.value)
