"""Source types pandas has no native type for, and how generated tables get them back.

Arrow (Parquet) has dates, times of day, decimals and zone-aware timestamps; the generators
model points in time as ``datetime64`` and amounts as floats. At the boundary:

* :func:`from_arrow` (used by :func:`genesis.io.read_table`) turns an Arrow table into a
  DataFrame the generators model: ``date32``/``date64`` -> ``datetime64[s]``, ``time32``/
  ``time64`` -> ``datetime64`` on 1970-01-01, ``decimal`` -> ``float64``; timestamps and
  booleans convert as pandas does. The original Arrow type of each column goes into
  ``df.attrs[LOGICAL_TYPES_ATTR]``, which :func:`genesis.schema.infer_schema` records as
  :attr:`ColumnSchema.logical_type`.
* :func:`to_model_types` does the same for a DataFrame built elsewhere (``pd.ArrowDtype``
  columns, ``datetime.date``/``datetime.time``/``Decimal`` objects).
* :func:`restore_types` turns a generated table back: each column whose schema has a
  ``logical_type`` gets that type (as ``pd.ArrowDtype`` where pandas has none), and string
  timestamps with a recorded ``utc_offset`` are written with that offset, so
  read -> infer_schema -> generate -> write gives the source's types.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from genesis.errors import SchemaError

if TYPE_CHECKING:
    import pyarrow as pa

    from genesis.schema.types import ColumnSchema, Schema

#: key of ``DataFrame.attrs`` holding ``{column: logical type}`` for converted columns
LOGICAL_TYPES_ATTR = "genesis_logical_types"

_UNITS = ("s", "ms", "us", "ns")
_MARK = "@@genesis-offset@@"  # stands for the offset while strftime formats the rest
_TIMESTAMP = re.compile(r"timestamp\[(s|ms|us|ns)(?:, tz=(.+))?\]")
_TIME = re.compile(r"time(32|64)\[(s|ms|us|ns)\]")
_DECIMAL = re.compile(r"decimal(128|256)\((\d+), (\d+)\)")


def parse_logical_type(text: str) -> pa.DataType:
    """The Arrow type written as ``str(arrow_type)`` (``"date32[day]"``, ``"decimal128(10, 2)"``,
    ``"timestamp[us, tz=Europe/Paris]"``, ``"time64[us]"``, ``"bool"``, integer types).

    Raises:
        SchemaError: the text names no type Genesis restores.
    """
    import pyarrow as pa

    simple = {
        "date32[day]": pa.date32(),
        "date64[ms]": pa.date64(),
        "bool": pa.bool_(),
        **{f"{s}int{b}": getattr(pa, f"{s}int{b}")() for s in ("", "u") for b in (8, 16, 32, 64)},
    }
    if text in simple:
        return simple[text]
    if match := _TIMESTAMP.fullmatch(text):
        return pa.timestamp(match.group(1), tz=match.group(2))
    if match := _TIME.fullmatch(text):
        return (pa.time32 if match.group(1) == "32" else pa.time64)(match.group(2))
    if match := _DECIMAL.fullmatch(text):
        make = pa.decimal128 if match.group(1) == "128" else pa.decimal256
        return make(int(match.group(2)), int(match.group(3)))
    raise SchemaError(
        f"logical_type {text!r} is not one Genesis restores; use an Arrow type such as "
        "'date32[day]', 'time64[us]', 'timestamp[us, tz=UTC]', 'decimal128(10, 2)' or 'bool', "
        "or remove logical_type from the schema"
    )


# --- into model types ----------------------------------------------------------------------


def _model_array(array: Any, arrow_type: pa.DataType) -> pd.Series | None:
    """An Arrow array of a type pandas lacks as a modelled pandas Series; None otherwise."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_date(arrow_type):
        return pd.Series(pc.cast(array, pa.timestamp("s")).to_pandas(), dtype="datetime64[s]")
    if pa.types.is_time(arrow_type):
        unit = arrow_type.unit
        ticks = pc.cast(
            pc.cast(array, pa.int32() if arrow_type.bit_width == 32 else pa.int64()), pa.int64()
        )
        values = ticks.to_numpy(zero_copy_only=False)
        if ticks.null_count:
            values = np.asarray(ticks.to_pandas(), dtype=np.float64)
        return pd.Series(pd.to_datetime(values, unit=unit)).astype("datetime64[ns]")
    if pa.types.is_decimal(arrow_type):
        return pd.Series(pc.cast(array, pa.float64()).to_pandas(), dtype=np.float64)
    return None


def from_arrow(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as a DataFrame the generators model, original types in ``attrs``."""
    import pyarrow as pa

    logical: dict[str, str] = {}
    converted: dict[str, pd.Series] = {}
    for field in table.schema:
        kind = field.type
        if (
            pa.types.is_date(kind)
            or pa.types.is_time(kind)
            or pa.types.is_decimal(kind)
            or pa.types.is_timestamp(kind)
            or pa.types.is_boolean(kind)
            or pa.types.is_integer(kind)
        ):
            logical[field.name] = str(kind)
        series = _model_array(table.column(field.name), kind)
        if series is not None:
            converted[field.name] = series
    rest = table.drop_columns(list(converted)) if converted else table
    df = rest.to_pandas()
    for name, series in converted.items():
        df[name] = series.to_numpy() if len(series) == len(df) else series
    if converted:
        df = df[table.column_names]
    df.attrs[LOGICAL_TYPES_ATTR] = logical
    return df


def _object_logical_type(values: pd.Series) -> str | None:
    inferred = pd.api.types.infer_dtype(values, skipna=True)
    if inferred == "date":
        return "date32[day]"
    if inferred == "time":
        return "time64[us]"
    if inferred == "decimal":
        exponents = [
            v.as_tuple().exponent
            for v in values.dropna().head(1000)
            if isinstance(v, decimal.Decimal)
        ]
        scale = max((-e for e in exponents if isinstance(e, int)), default=0)
        return f"decimal128(38, {min(max(scale, 0), 38)})"
    return None


def logical_types(df: pd.DataFrame) -> dict[str, str]:
    """``{column: logical type}`` for the columns of ``df`` that have one: recorded by
    :func:`from_arrow`, held as ``pd.ArrowDtype``, or objects of dates, times or decimals."""
    recorded = dict(df.attrs.get(LOGICAL_TYPES_ATTR) or {})
    out: dict[str, str] = {}
    for name, values in df.items():
        if name in recorded:
            out[name] = recorded[name]
        elif isinstance(values.dtype, pd.ArrowDtype):
            out[name] = str(values.dtype.pyarrow_dtype)
        elif values.dtype == object:
            found = _object_logical_type(values)
            if found:
                out[name] = found
    return out


def to_model_types(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with date, time and decimal columns (``pd.ArrowDtype`` or Python objects) as
    the pandas types the generators model; the original types go to ``attrs`` as
    :func:`from_arrow` records them. Returns ``df`` itself when nothing needs converting."""
    import pyarrow as pa

    types = logical_types(df)
    converted: dict[str, pd.Series] = {}
    for name, text in types.items():
        values = df[name]
        if values.dtype != object and not isinstance(values.dtype, pd.ArrowDtype):
            continue
        array = pa.array(values, type=parse_logical_type(text), from_pandas=True)
        series = _model_array(array, array.type)
        if series is None and isinstance(values.dtype, pd.ArrowDtype):
            series = pd.Series(array.to_pandas())
        if series is not None:
            converted[name] = series
    if not converted and df.attrs.get(LOGICAL_TYPES_ATTR) == types:
        return df
    out = df.copy(deep=False)
    for name, series in converted.items():
        out[name] = series.to_numpy()
    out.attrs[LOGICAL_TYPES_ATTR] = types
    return out


# --- back to source types ------------------------------------------------------------------


def _as_datetime(values: pd.Series, name: str) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values
    parsed = pd.to_datetime(values, errors="coerce")
    if (parsed.isna() & values.notna()).any():
        raise SchemaError(
            f"column {name!r} should hold points in time to restore its type, but some values "
            "are not dates; generate it from the schema it was inferred with"
        )
    return parsed


def _restore_column(values: pd.Series, text: str, name: str) -> pd.Series:
    import pyarrow as pa

    target = parse_logical_type(text)
    missing = values.isna().to_numpy()
    if pa.types.is_date(target):
        stamps = _as_datetime(values, name)
        if getattr(stamps.dtype, "tz", None) is not None:
            stamps = stamps.dt.tz_localize(None)
        days = stamps.dt.floor("D").astype("datetime64[s]")
        array = pa.array(days, type=pa.timestamp("s"), from_pandas=True).cast(target)
        return pd.Series(array, dtype=pd.ArrowDtype(target), index=values.index)
    if pa.types.is_time(target):
        stamps = _as_datetime(values, name)
        since_midnight = (stamps - stamps.dt.floor("D")).to_numpy().view(np.int64)
        ticks = since_midnight // (10 ** (9 - 3 * _UNITS.index(target.unit)))
        array = pa.array(ticks, type=pa.int64(), mask=missing)
        array = array.cast(pa.int32() if target.bit_width == 32 else pa.int64()).cast(target)
        return pd.Series(array, dtype=pd.ArrowDtype(target), index=values.index)
    if pa.types.is_decimal(target):
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64)
        limit = 10.0 ** (target.precision - target.scale)
        numbers = np.round(
            np.clip(numbers, -limit + 10.0**-target.scale, limit - 10.0**-target.scale),
            target.scale,
        )
        array = pa.array(numbers, type=pa.float64(), mask=missing | ~np.isfinite(numbers))
        array = array.cast(target, safe=False)
        return pd.Series(array, dtype=pd.ArrowDtype(target), index=values.index)
    if pa.types.is_timestamp(target):
        stamps = _as_datetime(values, name)
        dtype: Any = (
            pd.DatetimeTZDtype(target.unit, target.tz)
            if target.tz
            else f"datetime64[{target.unit}]"
        )
        if target.tz and getattr(stamps.dtype, "tz", None) is None:
            stamps = stamps.dt.tz_localize("UTC")
        elif not target.tz and getattr(stamps.dtype, "tz", None) is not None:
            stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
        return stamps.astype(dtype)
    if pa.types.is_boolean(target):
        if values.dtype == bool:
            return values
        flags = values.map(_as_bool, na_action="ignore")
        return flags.astype("boolean") if missing.any() else flags.astype(bool)
    if pa.types.is_integer(target):
        numbers = pd.to_numeric(values, errors="coerce")
        dtype = str(target)
        if missing.any():
            nullable = "UInt" + dtype[4:] if dtype.startswith("u") else "Int" + dtype[3:]
            return numbers.round().astype(nullable)
        return numbers.round().astype(dtype) if numbers.dtype.kind == "f" else numbers.astype(dtype)
    return values


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "t", "yes", "y", "1")
    return bool(value)


def _with_offset(values: pd.Series, column: ColumnSchema) -> pd.Series:
    """String timestamps with the source's UTC offset (``+05:30``) instead of ``+0000``."""
    fmt = column.datetime_format or ""
    offset = column.utc_offset
    if "%z" not in fmt or not offset:
        return values
    text = values.where(values.map(type).eq(str))
    parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=True)
    ok = parsed.notna().to_numpy()
    if not ok.any():
        return values
    zone = dt.UTC if offset in ("Z", "+00:00", "+0000") else _offset_zone(offset)
    local = parsed[ok].dt.tz_convert(zone)
    body = local.dt.strftime(fmt.replace("%z", _MARK)).str.replace(_MARK, offset, regex=False)
    out = values.astype(object).copy()
    out[ok] = body.to_numpy()
    return out


def _offset_zone(offset: str) -> dt.timezone:
    match = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", offset)
    if not match:
        raise SchemaError(
            f"utc_offset {offset!r} is not an offset like '+05:30', '-0800' or 'Z'; fix the schema"
        )
    sign = 1 if match.group(1) == "+" else -1
    return dt.timezone(sign * dt.timedelta(hours=int(match.group(2)), minutes=int(match.group(3))))


def restore_types(df: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """A generated table with the types its source had.

    Every column whose :class:`ColumnSchema` records a ``logical_type`` is converted to it
    (dates, times and decimals as ``pd.ArrowDtype``, so Parquet writes ``date32``,
    ``time64`` and ``decimal128`` again; timestamps with their unit and time zone; booleans
    and integers with gaps as pandas' nullable types). String timestamps whose schema records
    a ``utc_offset`` are written with that offset. Columns the schema does not know, or that
    need nothing, are returned as they are; ``df`` itself is not modified.

    Raises:
        SchemaError: a column cannot be converted to its recorded type.
    """
    from genesis.validation import require_frame

    require_frame(df, "the table to restore")
    out: pd.DataFrame | None = None
    for column in schema.columns:
        if column.name not in df.columns or not (column.logical_type or column.utc_offset):
            continue
        values = df[column.name]
        try:
            if column.logical_type:
                restored = _restore_column(values, column.logical_type, column.name)
            else:
                restored = _with_offset(values, column)
        except SchemaError:
            raise
        except (ValueError, TypeError, OverflowError) as exc:
            raise SchemaError(
                f"column {column.name!r} cannot be restored to {column.logical_type!r} ({exc}); "
                "generate it from the schema it was inferred with, or remove logical_type"
            ) from None
        if restored is values:
            continue
        if out is None:
            out = df.copy(deep=False)
        out[column.name] = restored
    return df if out is None else out


__all__ = [
    "LOGICAL_TYPES_ATTR",
    "from_arrow",
    "logical_types",
    "parse_logical_type",
    "restore_types",
    "to_model_types",
]
