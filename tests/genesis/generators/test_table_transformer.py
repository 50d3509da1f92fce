"""The shared reversible transformer: exact round trips and a compact model frame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.errors import InvalidParameterError, SchemaError
from genesis.generators.transformer import (
    NULL_SUFFIX,
    OTHER_LABEL,
    RARE_LABEL,
    RARE_ROWS,
    TableTransformer,
)
from genesis.schema import ColumnKind, ColumnSchema, DatetimeStorage, Schema, infer_schema


def _round_trip(
    df: pd.DataFrame, schema: Schema | None = None, **kwargs
) -> tuple[TableTransformer, pd.DataFrame, pd.DataFrame]:
    transformer = TableTransformer(schema or infer_schema(df), **kwargs).fit(df)
    frame = transformer.transform(df)
    return transformer, frame, transformer.inverse_transform(frame, 0)


def _assert_equal_tables(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(actual, expected, check_exact=False, rtol=1e-9)


@pytest.mark.parametrize("table", ["adult_small", "weather_small"])
def test_real_tables_round_trip_exactly(table, request):
    df = request.getfixturevalue(table)
    transformer, frame, back = _round_trip(df)
    _assert_equal_tables(back, df)
    assert not frame.isna().any().any()  # the model frame has no holes
    for column in transformer.discrete_columns_:
        assert frame[column].dtype == np.int64
        assert frame[column].between(0, transformer.n_codes_[column] - 1).all()


def test_missing_values_become_an_indicator_not_an_imputed_constant(weather_small):
    transformer, frame, _ = _round_trip(weather_small)
    indicator = "wind_gust" + NULL_SUFFIX
    assert indicator in transformer.discrete_columns_
    assert frame[indicator].mean() == pytest.approx(weather_small["wind_gust"].isna().mean())
    filled = frame.loc[frame[indicator] == 1, "wind_gust"]
    observed = set(weather_small["wind_gust"].dropna())
    assert set(filled) <= observed and filled.nunique() > 5  # random observed values
    assert transformer.source_columns_["wind_gust"] == [indicator, "wind_gust"]
    assert "year" not in transformer.model_columns_  # constant: reproduced, not modelled


def test_numbers_stored_as_strings_with_tokens_round_trip():
    df = pd.DataFrame(
        {
            "price": ["1.50", "2.25", "?", "10.00", "n/a", "3.10"] * 5,
            "count": ["3", "?", "12", "7", "1", "0"] * 5,
        }
    )
    schema = Schema(
        [
            ColumnSchema(
                "price", ColumnKind.CONTINUOUS, "object", missing_tokens=["?", "n/a"], decimals=2
            ),
            ColumnSchema("count", ColumnKind.INTEGER, "object", missing_tokens=["?"]),
        ]
    )
    transformer, frame, back = _round_trip(df, schema)
    pd.testing.assert_frame_equal(back, df)
    assert frame["price" + NULL_SUFFIX].max() == 2  # "?" and "n/a" are told apart
    fake = transformer.inverse_transform(
        {
            "price__null": np.zeros(3, int),
            "price": [2.234567, 99.0, -5.0],
            "count__null": [0, 1, 0],
            "count": [2.6, 0, 100],
        }
    )
    # snapped to the prices' grid (multiples of 0.05 from 1.50) and clipped to bounds
    assert fake["price"].tolist() == ["2.25", "10.00", "1.50"]
    assert fake["count"].tolist() == ["3", "?", "12"]


@pytest.mark.parametrize(
    ("values", "storage", "fmt"),
    [
        (
            pd.Series(pd.date_range("2021-03-01", periods=40, freq="6h", tz="America/New_York")),
            DatetimeStorage.NATIVE,
            None,
        ),
        (
            pd.Series(pd.date_range("2021-03-01", periods=40, freq="D").as_unit("s")),
            DatetimeStorage.NATIVE,
            None,
        ),
        (
            pd.Series(pd.date_range("2021-03-01", periods=40, freq="D").strftime("%d/%m/%Y")),
            DatetimeStorage.STRING,
            "%d/%m/%Y",
        ),
        (
            pd.Series(
                pd.date_range("2021-03-01", periods=40, freq="D").strftime("%Y%m%d").astype(int)
            ),
            DatetimeStorage.INTEGER,
            "%Y%m%d",
        ),
    ],
)
def test_datetimes_round_trip_in_their_storage(values, storage, fmt):
    values = values.copy()
    if storage is DatetimeStorage.INTEGER:
        values = values.astype(float)
        values[[3, 7]] = np.nan
    elif storage is DatetimeStorage.STRING:
        values[[3, 7]] = "?"
    else:
        values[[3, 7]] = pd.NaT
    df = pd.DataFrame({"when": values})
    schema = Schema(
        [
            ColumnSchema(
                "when",
                ColumnKind.DATETIME,
                str(values.dtype),
                missing_tokens=["?"],
                datetime_format=fmt,
                datetime_storage=storage,
            )
        ]
    )
    transformer, frame, back = _round_trip(df, schema)
    pd.testing.assert_frame_equal(back, df)
    # synthetic seconds: rounded to the source's granularity, clipped, missing where flagged
    seconds = np.array(
        [frame["when"].min() - 1e7, frame["when"].iloc[0] + 1234.5, frame["when"].iloc[1]]
    )
    fake = transformer.inverse_transform({"when": seconds, "when__null": np.array([0, 0, 1])})
    assert fake["when"].iloc[0] == df["when"].dropna().iloc[0]  # clipped to the minimum
    assert fake["when"].iloc[1] == df["when"].iloc[0]  # granularity kept
    assert pd.isna(fake["when"].iloc[2]) or fake["when"].iloc[2] == "?"


def test_iso_timestamps_keep_their_z_suffix(weather_small):
    schema = infer_schema(weather_small[["time_hour"]])
    schema["time_hour"].datetime_format = None  # let the transformer find the format itself
    _, _, back = _round_trip(weather_small[["time_hour"]], schema)
    pd.testing.assert_frame_equal(back, weather_small[["time_hour"]])


def test_high_cardinality_is_capped_and_drawn_back_from_frequencies():
    rng = np.random.default_rng(0)
    labels = np.array([f"v{i}" for i in range(5000)], dtype=object)
    df = pd.DataFrame({"code": labels[rng.zipf(1.3, 30_000) % 5000]})
    transformer, frame, back = _round_trip(df, max_categories=20)
    counts = df["code"].value_counts()
    kept = counts.index[:18]  # 20 codes: 18 labels, __other__ and __rare__
    in_top = df["code"].isin(kept)
    pd.testing.assert_series_equal(back["code"][in_top], df["code"][in_top])
    pooled = counts.iloc[18:][counts.iloc[18:] >= RARE_ROWS]
    in_pool = df["code"].isin(pooled.index)
    assert back["code"][in_pool].isin(pooled.index).all()  # the others come back as others
    assert transformer.n_codes_["code"] == 20
    handler = transformer.handlers_[0]
    assert handler.code_labels[-2:] == [OTHER_LABEL, RARE_LABEL]
    other = np.full(20_000, 18)
    drawn = transformer.inverse_transform({"code": other}, 1)["code"]
    assert set(drawn) <= set(pooled.index)  # held by >= RARE_ROWS rows each: not identifying
    top = pooled.index[0]
    assert abs((drawn == top).mean() - pooled.iloc[0] / pooled.sum()) < 0.02  # frequencies
    # "v" + 4 digits has no room for new codes: rare labels come back as frequent ones
    rare = counts.index[counts < RARE_ROWS]
    assert transformer.rare_values_ == {"code": "frequent"}
    assert not back["code"].isin(rare).any()


def test_category_bool_and_nullable_dtypes_survive():
    df = pd.DataFrame(
        {
            "size": pd.Categorical(
                ["S", "M", "S", "L"] * 5, categories=["S", "M", "L", "XL"], ordered=True
            ),
            "ok": [True, False, True, True] * 5,
            "yes": ["yes", "no", "no", "yes"] * 5,
            "n": pd.array([1, None, 3, 4] * 5, dtype="Int64"),
            "x": pd.array([1.5, 2.5, None, 4.0] * 5, dtype="Float64"),
        }
    )
    _, _, back = _round_trip(df)
    pd.testing.assert_frame_equal(back, df)


def test_schema_mismatch_and_bad_parameters_are_reported():
    df = pd.DataFrame({"a": [1, 2, 3]})
    with pytest.raises(SchemaError, match="do not match"):
        TableTransformer(infer_schema(pd.DataFrame({"b": [1]}))).fit(df)
    with pytest.raises(InvalidParameterError, match="max_categories"):
        TableTransformer(infer_schema(df), max_categories=1).fit(df)
    unparseable = pd.DataFrame({"when": ["soon", "later", "never"]})
    schema = Schema(
        [ColumnSchema("when", ColumnKind.DATETIME, "object", datetime_format="%Y-%m-%d")]
    )
    with pytest.raises(SchemaError, match="datetime_format"):
        TableTransformer(schema).fit(unparseable)


def test_an_all_missing_datetime_column_transforms():
    # children drawn given parents (genesis.relational) whose dates are all missing, e.g. the
    # death_date of parents all alive: the holes are filled from the fitted range, no crash
    when = pd.Series(pd.to_datetime(["2020-01-01", None, "2021-06-30", "2022-02-02"] * 10))
    df = pd.DataFrame({"when": when, "x": np.arange(40)})
    transformer = TableTransformer(infer_schema(df)).fit(df)
    frame = transformer.transform(df.assign(when=pd.Series(pd.NaT, index=df.index)))
    assert np.isfinite(frame["when"]).all()
