"""genesis.schema.logical: Arrow types pandas lacks survive read -> infer -> generate -> write."""

from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from genesis.errors import SchemaError
from genesis.generators import SyntheticGenerator
from genesis.io import read_table, restore_types, to_model_types, write_table
from genesis.schema import ColumnKind, Schema, infer_schema
from genesis.schema.logical import parse_logical_type


def _arrow_table(n: int = 120) -> pa.Table:
    utc = dt.UTC
    return pa.table(
        {
            "day": pa.array(
                [dt.date(2020, 1, 1) + dt.timedelta(days=3 * i) for i in range(n)], pa.date32()
            ),
            "clock": pa.array([dt.time(i % 24, (7 * i) % 60) for i in range(n)], pa.time64("us")),
            "seen": pa.array(
                [dt.datetime(2021, 5, 1) + dt.timedelta(hours=i) for i in range(n)],
                pa.timestamp("us"),
            ),
            "seen_tz": pa.array(
                [dt.datetime(2021, 5, 1, tzinfo=utc) + dt.timedelta(hours=i) for i in range(n)],
                pa.timestamp("ms", tz="Europe/Paris"),
            ),
            "amount": pa.array(
                [decimal.Decimal(f"{i * 3}.{i % 100:02d}") for i in range(n)], pa.decimal128(10, 2)
            ),
            "flag": pa.array([i % 3 == 0 for i in range(n)], pa.bool_()),
            "count": pa.array(range(n), pa.int32()),
        }
    )


@pytest.fixture()
def parquet_source(tmp_path: Path) -> tuple[Path, pa.Table]:
    table = _arrow_table()
    path = tmp_path / "source.parquet"
    pq.write_table(table, path)
    return path, table


def test_arrow_types_round_trip_through_generation(parquet_source, tmp_path: Path) -> None:
    path, table = parquet_source
    df = read_table(path)
    schema = infer_schema(df)
    assert schema["day"].kind is ColumnKind.DATETIME
    assert schema["day"].logical_type == "date32[day]"
    assert schema["amount"].logical_type == "decimal128(10, 2)"
    assert schema["seen_tz"].logical_type == "timestamp[ms, tz=Europe/Paris]"

    synthetic = SyntheticGenerator(method="gaussian_copula", seed=0).fit(df, schema).generate(40)
    out = tmp_path / "synthetic.parquet"
    write_table(synthetic, out, schema=schema)
    assert pq.read_schema(out).types == table.schema.types
    back = pq.read_table(out)
    days = back.column("day").to_pylist()
    low, high = table.column("day").to_pylist()[0], table.column("day").to_pylist()[-1]
    assert all(low <= d <= high for d in days)
    amounts = back.column("amount").to_pylist()
    assert all(a == a.quantize(decimal.Decimal("0.01")) for a in amounts)
    clocks = back.column("clock").to_pylist()
    assert all(isinstance(c, dt.time) for c in clocks)


def test_restore_types_gives_arrow_dtypes_and_keeps_input(parquet_source) -> None:
    path, _ = parquet_source
    df = read_table(path)
    schema = infer_schema(df)
    before = df.dtypes.copy()
    restored = restore_types(df, schema)
    pd.testing.assert_series_equal(df.dtypes, before)  # input left as it was
    assert restored["day"].dtype == pd.ArrowDtype(pa.date32())
    assert restored["clock"].dtype == pd.ArrowDtype(pa.time64("us"))
    assert str(restored["seen_tz"].dtype) == "datetime64[ms, Europe/Paris]"
    # the values are the source's own
    assert restored["day"].tolist() == _arrow_table().column("day").to_pylist()
    assert restored["amount"].tolist() == _arrow_table().column("amount").to_pylist()
    assert restored["clock"].tolist() == _arrow_table().column("clock").to_pylist()


def test_logical_type_survives_json_and_yaml(parquet_source) -> None:
    schema = infer_schema(read_table(parquet_source[0]))
    assert Schema.from_json(schema.to_json()) == schema
    assert Schema.from_yaml(schema.to_yaml()) == schema
    assert '"logical_type": "date32[day]"' in schema.to_json()
    # older schema documents without the field still load
    data = schema.to_dict()
    for column in data["columns"]:
        column.pop("logical_type")
        column.pop("utc_offset")
    assert Schema.from_dict(data)["day"].logical_type is None


def test_unknown_logical_type_is_refused() -> None:
    data = {"columns": [{"name": "a", "kind": "datetime", "dtype": "object", "logical_type": "x"}]}
    with pytest.raises(SchemaError, match="not one Genesis restores"):
        Schema.from_dict(data)
    with pytest.raises(SchemaError, match="decimal128"):
        parse_logical_type("interval")


def test_python_dates_and_arrow_dtypes_are_modelled() -> None:
    days = [dt.date(2022, 1, 1) + dt.timedelta(days=i) for i in range(30)]
    df = pd.DataFrame(
        {
            "day": days,
            "arrow_day": pd.Series(days, dtype=pd.ArrowDtype(pa.date32())),
            "x": np.arange(30),
        }
    )
    model = to_model_types(df)
    assert str(model["day"].dtype).startswith("datetime64")
    assert str(model["arrow_day"].dtype).startswith("datetime64")
    schema = infer_schema(model)
    assert schema["day"].logical_type == "date32[day]"
    assert schema["arrow_day"].logical_type == "date32[day]"
    synthetic = SyntheticGenerator(method="gaussian_copula", seed=1).fit(model, schema).generate(5)
    restored = restore_types(synthetic, schema)
    assert restored["day"].dtype == pd.ArrowDtype(pa.date32())


def test_nullable_booleans_and_integers_come_back(tmp_path: Path) -> None:
    table = pa.table(
        {
            "flag": pa.array([True, None, False] * 20, pa.bool_()),
            "n": pa.array([1, None, 3] * 20, pa.int64()),
        }
    )
    pq.write_table(table, tmp_path / "n.parquet")
    df = read_table(tmp_path / "n.parquet")
    schema = infer_schema(df)
    restored = restore_types(df, schema)
    assert str(restored["n"].dtype) == "Int64"
    assert str(restored["flag"].dtype) == "boolean"
    write_table(restored, tmp_path / "out.parquet")
    assert pq.read_schema(tmp_path / "out.parquet").types == table.schema.types


def test_gaps_survive_and_far_timestamps_are_refused_clearly(tmp_path: Path) -> None:
    from genesis.errors import InvalidDataError

    table = pa.table(
        {
            "t": pa.array([dt.time(1, 2, 3), None, dt.time(23, 59, 59, 999999)], pa.time64("us")),
            "d": pa.array([dt.date(2020, 1, 1), None, dt.date(2021, 1, 1)], pa.date32()),
            "m": pa.array(
                [decimal.Decimal("1.50"), None, decimal.Decimal("-2.25")], pa.decimal128(5, 2)
            ),
        }
    )
    pq.write_table(table, tmp_path / "gaps.parquet")
    df = read_table(tmp_path / "gaps.parquet")
    write_table(df, tmp_path / "back.parquet", schema=infer_schema(df))
    assert pq.read_table(tmp_path / "back.parquet").equals(table)

    far = pa.table(
        {"ts": pa.array([dt.datetime(2300, 1, 1), dt.datetime(2000, 1, 1)] * 5, pa.timestamp("us"))}
    )
    pq.write_table(far, tmp_path / "far.parquet")
    with pytest.raises(InvalidDataError, match=r"'ts'.*2300-01-01.*outside the range"):
        infer_schema(read_table(tmp_path / "far.parquet"))  # was OutOfBoundsDatetime later


def test_text_formats_write_dates_as_dates(parquet_source, tmp_path: Path) -> None:
    df = read_table(parquet_source[0])
    schema = infer_schema(df)
    write_table(df.head(2), tmp_path / "t.jsonl", schema=schema)
    first = pd.read_json(tmp_path / "t.jsonl", lines=True, dtype=False).iloc[0]
    assert (first["day"], first["clock"]) == ("2020-01-01", "00:00:00")
    write_table(df.head(2), tmp_path / "t.csv", schema=schema)
    header, row = (tmp_path / "t.csv").read_text().splitlines()[:2]
    assert row.startswith("2020-01-01,00:00:00,2021-05-01 00:00:00,")
