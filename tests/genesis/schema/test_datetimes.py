"""genesis.schema.datetimes: UTC offsets, mixed offsets and dates beyond 2262."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.errors import InvalidDataError
from genesis.generators import SyntheticGenerator
from genesis.io import restore_types
from genesis.schema import ColumnKind, discover, infer_schema

HOURS = pd.date_range("2020-01-01", periods=80, freq="h", tz="UTC")


def test_mixed_offsets_are_normalised_to_utc() -> None:
    zones = ["Asia/Kolkata", "Europe/Paris", "America/New_York"]
    texts = [t.tz_convert(zones[i % 3]).isoformat() for i, t in enumerate(HOURS)]
    df = pd.DataFrame({"when": texts, "x": np.arange(len(texts))})
    schema = infer_schema(df)  # was an AttributeError
    column = schema["when"]
    assert column.kind is ColumnKind.DATETIME
    assert column.utc_offset == "+00:00"
    assert column.minimum == "2020-01-01T00:00:00+00:00"
    assert "when" in discover(df, format="yaml")
    synthetic = SyntheticGenerator(method="gaussian_copula", seed=0).fit(df, schema).generate(20)
    written = restore_types(synthetic, schema)["when"]
    assert written.str.endswith("+00:00").all()
    parsed = pd.to_datetime(written, format="%Y-%m-%dT%H:%M:%S%z", utc=True)
    assert parsed.between(HOURS[0], HOURS[-1]).all()


@pytest.mark.parametrize("offset, zone", [("+05:30", "Asia/Kolkata"), ("-0800", "-08:00")])
def test_a_fixed_offset_is_written_back(offset: str, zone: str) -> None:
    local = HOURS.tz_convert(zone)
    fmt = "%Y-%m-%d %H:%M:%S" + ("%z" if ":" not in offset else "")
    texts = local.strftime(fmt) if ":" not in offset else [t.isoformat() for t in local]
    df = pd.DataFrame({"when": list(texts)})
    schema = infer_schema(df)
    assert schema["when"].utc_offset == offset
    synthetic = SyntheticGenerator(method="gaussian_copula", seed=0).fit(df, schema).generate(30)
    written = restore_types(synthetic, schema)["when"]
    assert written.str.endswith(offset).all()  # was "+0000"
    instants = pd.to_datetime(written, format=schema["when"].datetime_format, utc=True)
    assert instants.between(HOURS[0], HOURS[-1]).all()


def test_native_dates_after_2262_are_refused_with_the_fix() -> None:
    stamps = np.array(["2000-01-01", "9999-12-31"] * 10, dtype="datetime64[s]")
    native = pd.DataFrame({"ends": stamps, "x": np.arange(20)})
    with pytest.raises(InvalidDataError, match=r"'ends'.*9999-12-31.*outside.*strftime"):
        infer_schema(native)
    with pytest.raises(InvalidDataError, match="outside the range"):
        SyntheticGenerator(method="gaussian_copula").fit(native)  # was OutOfBoundsDatetime
    # the fix the message gives works: as text the column is modelled as labels
    native["ends"] = native["ends"].dt.strftime("%Y-%m-%d %H:%M:%S")
    with pytest.warns(UserWarning, match="'ends'.*modelled as labels"):
        schema = infer_schema(native)
    assert schema["ends"].kind is ColumnKind.CATEGORICAL
    synthetic = SyntheticGenerator(method="gaussian_copula", seed=0).fit(native, schema).generate(5)
    assert synthetic["ends"].isin(["2000-01-01 00:00:00", "9999-12-31 00:00:00"]).all()


def test_text_dates_after_2262_are_labels_with_a_warning() -> None:
    df = pd.DataFrame({"ends": [f"{2250 + i}-06-30" for i in range(40)]})
    with pytest.warns(UserWarning, match="2289-06-30"):
        assert infer_schema(df)["ends"].kind is not ColumnKind.DATETIME
