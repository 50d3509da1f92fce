"""Rows as message values: JSON lines and Avro single-object encoding, and back.

One message per row. JSON values are UTF-8 objects (missing values ``null``, datetimes ISO
8601 strings) written by pandas' vectorised ``to_json`` and split into lines. Avro values use
the Avro specification's single-object encoding: ``C3 01``, the 8-byte little-endian
CRC-64-AVRO fingerprint of the writer schema, then the binary record. The writer schema is
derived from the Genesis schema of the model (:func:`avro_schema_for`) or from a table's
dtypes; readers find it by fingerprint (:func:`decode_messages`).

``fastavro`` (the ``streaming`` extra) is needed for Avro only.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from genesis.errors import InvalidDataError, InvalidParameterError, missing_dependency
from genesis.streaming import avro_columns

#: the two marker bytes that open an Avro single-object encoded value
AVRO_MAGIC = b"\xc3\x01"
#: bytes before the binary record: marker + 8-byte fingerprint
AVRO_HEADER_SIZE = 10
FORMATS = ("json", "avro")

_TIMESTAMP = {"type": "long", "logicalType": "timestamp-micros"}
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_PARSED: dict[str, Any] = {}  # schema JSON -> fastavro parsed schema
_FINGERPRINTS: dict[str, bytes] = {}  # schema JSON -> fingerprint


# --- JSON ---------------------------------------------------------------------------------


def encode_json(frame: pd.DataFrame) -> list[bytes]:
    """One UTF-8 JSON object per row of ``frame`` (column -> value; NaN/None/NaT as ``null``,
    floats in their shortest round-trip form, datetimes ISO 8601 with microseconds, ``Z``
    for time-zone-aware ones).

    Columns are encoded whole by Arrow compute kernels (numbers cast to text, labels
    factorised and each distinct label JSON-escaped once) and joined row-wise in one call;
    a column of values Arrow cannot write (dates, decimals...) falls back to pandas'
    ``to_json`` for the batch.
    """
    if len(frame) == 0:
        return []
    parts: list[Any] = []
    for position, (name, series) in enumerate(frame.items()):
        text = _json_column(series)
        if text is None:
            return _encode_json_pandas(frame)
        opener = "{" if position == 0 else ","
        parts.append(opener + json.dumps(str(name), ensure_ascii=False) + ":")
        parts.append(pc.fill_null(text, "null"))
    parts.append("}\n")
    rows = pc.binary_join_element_wise(*parts, "")
    # the rows' text is one contiguous buffer: a single split gives the messages
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32)
    start, end = int(offsets[rows.offset]), int(offsets[rows.offset + len(rows)])
    lines = rows.buffers()[2].slice(start, end - start).to_pybytes().split(b"\n")
    lines.pop()
    return lines


def _json_column(series: pd.Series) -> Any:
    """The JSON text of every value of ``series`` as an Arrow string array (null where the
    value is missing), or None when the column holds values JSON cannot write as such."""
    dtype = series.dtype
    kind = getattr(dtype, "kind", "O")
    if isinstance(dtype, pd.DatetimeTZDtype) or kind == "M":
        # few distinct stamps per batch (the generation time is one): format each once
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        aware = isinstance(dtype, pd.DatetimeTZDtype)
        if aware:
            uniques = uniques.tz_convert("UTC").tz_localize(None)
        text = np.datetime_as_string(uniques.to_numpy("datetime64[us]"), unit="us")
        close = 'Z"' if aware else '"'
        labels = pa.array(['"' + t + close for t in text.tolist()], pa.string())
        return labels.take(pa.array(codes, mask=codes < 0))
    if kind in "iub" and not isinstance(dtype, pd.CategoricalDtype):
        return pc.cast(pa.array(series, from_pandas=True), pa.string())
    if kind == "f":
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        text = pc.cast(pa.array(values, mask=~np.isfinite(values)), pa.string())
        # Arrow writes 3.0 as "3": keep it a float for the reader
        whole = pc.match_substring_regex(text, r"^-?\d+$")
        return pc.if_else(whole, pc.binary_join_element_wise(text, ".0", ""), text)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    try:
        labels = [
            json.dumps(
                u.item() if isinstance(u, np.generic) else u, ensure_ascii=False, allow_nan=False
            )
            for u in np.asarray(uniques, dtype=object)
        ]
    except (TypeError, ValueError):  # dates, decimals, infinities...: pandas writes them
        return None
    return pa.array(labels, pa.string()).take(pa.array(codes, mask=codes < 0))


def _encode_json_pandas(frame: pd.DataFrame) -> list[bytes]:
    text = frame.to_json(
        orient="records", lines=True, date_format="iso", date_unit="us", double_precision=15
    )
    # JSON escapes newlines inside strings, so every "\n" ends a record
    lines = text.encode("utf-8").split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    return lines


def encode_keys(values: Any) -> list[bytes | None]:
    """Message keys: the UTF-8 text of each value; a missing value gives no key (None)."""
    series = pd.Series(values, copy=False)
    if pd.api.types.is_integer_dtype(series.dtype) and not isinstance(series.dtype, pd.Int64Dtype):
        # integers: one join and one split instead of a str()+encode() per value
        if len(series) == 0:
            return []
        return "\n".join(map(str, series.tolist())).encode("utf-8").split(b"\n")
    missing = series.isna().to_numpy()
    text = series.astype(str).tolist()
    keys: list[bytes | None] = [t.encode("utf-8") for t in text]
    for position in np.flatnonzero(missing):
        keys[position] = None
    return keys


# --- Avro schema --------------------------------------------------------------------------


def avro_schema_for(schema_or_frame: Any, name: str = "GenesisRow") -> dict[str, Any]:
    """An Avro record schema for rows of a Genesis ``Schema`` or of a DataFrame.

    Integers become ``long``, floats ``double``, booleans ``boolean``, native datetimes
    ``long`` with logical type ``timestamp-micros``, anything else ``string``. A column that
    has missing values (``null_share > 0`` in a Genesis schema, or a missing value in the
    frame; float columns of a frame always) is a union ``["null", type]``.
    """
    from genesis.schema.types import Schema

    record_name = _avro_name(name)
    if isinstance(schema_or_frame, pd.DataFrame):
        fields = [_field_from_series(str(col), schema_or_frame[col]) for col in schema_or_frame]
    elif isinstance(schema_or_frame, Schema):
        fields = [_field_from_column(column) for column in schema_or_frame.columns]
    else:
        raise InvalidParameterError(
            "avro_schema_for needs a genesis Schema (model.schema_) or a pandas DataFrame, got "
            f"{type(schema_or_frame).__name__}"
        )
    return {"type": "record", "name": record_name, "fields": fields}


def _avro_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", str(name)) or "GenesisRow"
    return cleaned if not cleaned[0].isdigit() else f"_{cleaned}"


def _avro_type_for_dtype(dtype: Any) -> Any:
    text = str(dtype).lower()
    if text in ("bool", "boolean"):
        return "boolean"
    if text.startswith(("int", "uint")):
        return "long"
    if text.startswith("float"):
        return "double"
    if text.startswith("datetime64"):
        return dict(_TIMESTAMP)
    return "string"


def _field(name: str, avro_type: Any, nullable: bool) -> dict[str, Any]:
    if nullable:
        return {"name": name, "type": ["null", avro_type], "default": None}
    return {"name": name, "type": avro_type}


def _field_from_series(name: str, series: pd.Series) -> dict[str, Any]:
    avro_type = _avro_type_for_dtype(series.dtype)
    # a float column of a generated batch may have NaN in the next batch: keep it nullable
    nullable = avro_type == "double" or bool(series.isna().any())
    return _field(name, avro_type, nullable)


def _field_from_column(column: Any) -> dict[str, Any]:
    from genesis.schema.types import ColumnKind, DatetimeStorage

    avro_type = _avro_type_for_dtype(column.dtype)
    if column.kind == ColumnKind.DATETIME and column.datetime_storage in (
        None,
        DatetimeStorage.NATIVE,
    ):
        avro_type = dict(_TIMESTAMP)
    nullable = column.null_share > 0 or avro_type == "double"
    return _field(column.name, avro_type, nullable)


def _base_type(field_type: Any) -> tuple[Any, bool]:
    if isinstance(field_type, list):
        others = [t for t in field_type if t != "null"]
        return others[0], len(others) < len(field_type)
    return field_type, False


# --- Avro encoding ------------------------------------------------------------------------


def _fastavro():
    try:
        import fastavro
    except ImportError:
        raise missing_dependency("fastavro", "Avro serialisation", extra="streaming") from None
    return fastavro


def parsed_schema(avro_schema: dict[str, Any]) -> Any:
    """The fastavro-parsed form of ``avro_schema``, parsed once per distinct schema."""
    key = json.dumps(avro_schema, sort_keys=True)
    parsed = _PARSED.get(key)
    if parsed is None:
        fastavro = _fastavro()
        try:
            parsed = fastavro.parse_schema(avro_schema)
        except Exception as exc:  # fastavro raises several types for a bad schema
            raise InvalidParameterError(f"not a valid Avro schema: {exc}") from None
        _PARSED[key] = parsed
    return parsed


def fingerprint(avro_schema: dict[str, Any]) -> bytes:
    """The 8-byte little-endian CRC-64-AVRO (Rabin) fingerprint of the schema's Parsing
    Canonical Form, as single-object encoding writes it.

    fastavro's ``fingerprint(canonical, "CRC-64-AVRO")`` returns these bytes as hex, low byte
    first (the spec's fingerprint of ``"null"``, 0x63dd24e7cc258f8a, comes back as
    ``"8a8f25cce724dd63"``); the tests check it against the spec's algorithm.
    """
    key = json.dumps(avro_schema, sort_keys=True)
    found = _FINGERPRINTS.get(key)
    if found is None:
        _fastavro()
        from fastavro.schema import fingerprint as avro_fingerprint
        from fastavro.schema import to_parsing_canonical_form

        canonical = to_parsing_canonical_form(parsed_schema(avro_schema))
        found = _FINGERPRINTS[key] = bytes.fromhex(avro_fingerprint(canonical, "CRC-64-AVRO"))
    return found


def encode_avro(frame: pd.DataFrame, avro_schema: dict[str, Any]) -> list[bytes]:
    """One Avro single-object encoded value per row of ``frame``.

    The records are encoded column by column for the whole batch
    (:mod:`genesis.streaming.avro_columns`); a schema with types that encoder does not cover
    is written record by record with fastavro instead (same bytes, slower).

    Raises:
        InvalidDataError: a schema field is not a column of ``frame``, or a column has a
            missing value where the schema does not allow null.
    """
    parsed_schema(avro_schema)  # a bad schema fails here, whichever path writes it
    header = AVRO_MAGIC + fingerprint(avro_schema)
    fields = avro_schema["fields"]
    absent = [f["name"] for f in fields if f["name"] not in frame.columns]
    if absent:
        raise InvalidDataError(
            f"columns {absent} of the Avro schema are not in the batch (columns: "
            f"{list(frame.columns)}); derive the schema from this table with avro_schema_for"
        )
    if len(frame) == 0:
        return []
    values = avro_columns.encode_rows(frame, fields, header)
    if values is None:
        values = encode_avro_records(frame, avro_schema)
    return values


def encode_avro_records(frame: pd.DataFrame, avro_schema: dict[str, Any]) -> list[bytes]:
    """:func:`encode_avro` written record by record with fastavro's ``schemaless_writer``
    (any schema fastavro takes; the reference the column-wise encoder is tested against)."""
    fastavro = _fastavro()
    parsed = parsed_schema(avro_schema)
    header = AVRO_MAGIC + fingerprint(avro_schema)
    fields = avro_schema["fields"]
    names = [f["name"] for f in fields]
    columns = [_avro_values(frame[f["name"]], f) for f in fields]
    buffer = io.BytesIO()
    write = fastavro.schemaless_writer
    values: list[bytes] = []
    for row in zip(*columns, strict=True):
        buffer.seek(0)
        buffer.truncate()
        write(buffer, parsed, dict(zip(names, row, strict=True)))
        values.append(header + buffer.getvalue())
    return values


def _avro_values(series: pd.Series, field: dict[str, Any]) -> list[Any]:
    """The column as the Python values fastavro writes for this field (vectorised)."""
    avro_type, nullable = _base_type(field["type"])
    missing = series.isna().to_numpy()
    avro_columns.check_missing(series, field, missing)
    has_missing = bool(missing.any())
    if isinstance(avro_type, dict) and avro_type.get("logicalType") == "timestamp-micros":
        values = avro_columns.utc_micros(series).tolist()
    elif avro_type == "long":
        values = series.where(~missing, 0).astype(np.int64).tolist()
    elif avro_type == "double":
        values = series.astype(np.float64).tolist()
        if not nullable:
            has_missing = False  # a double holds NaN itself
    elif avro_type == "boolean":
        values = series.where(~missing, False).astype(bool).tolist()
    else:
        values = series.astype(str).tolist()
    if has_missing:
        for position in np.flatnonzero(missing):
            values[position] = None
    return values


# --- decoding -----------------------------------------------------------------------------


def decode_messages(
    values: list[bytes], format: str, schemas: dict[bytes, dict[str, Any]] | None = None
) -> pd.DataFrame:
    """Message values back into a table, one row per value.

    ``format`` is ``"json"`` or ``"avro"``. Avro values are read with the schema whose
    fingerprint they carry (``schemas`` maps 8-byte fingerprint -> schema, as published to
    ``f"{topic}.schemas"``). Integers come back int64 (float64 when a value is missing),
    floats float64, strings object with None for missing, datetimes datetime64 (UTC): in
    JSON, a string column whose every value is an ISO 8601 date-time is read as one.
    """
    if format not in FORMATS:
        raise InvalidParameterError(f"format must be one of {list(FORMATS)}, got {format!r}")
    if format == "json":
        return _decode_json(values)
    return _decode_avro(values, schemas or {})


def _decode_json(values: list[bytes]) -> pd.DataFrame:
    if not values:
        return pd.DataFrame()
    try:
        records = json.loads(b"[" + b",".join(values) + b"]")
    except ValueError as exc:
        raise InvalidDataError(f"a message value is not a JSON object: {exc}") from None
    if not all(isinstance(record, dict) for record in records):
        raise InvalidDataError("every JSON message value must be an object (column -> value)")
    frame = pd.DataFrame.from_records(records)
    for column in frame.columns:
        series = frame[column]
        if series.dtype == object:
            present = series.dropna()
            if (
                len(present)
                and present.map(type).eq(str).all()
                and present.str.match(_ISO_DATETIME).all()
            ):
                frame[column] = pd.to_datetime(series, format="ISO8601", utc=True)
    return frame


def _decode_avro(values: list[bytes], schemas: dict[bytes, dict[str, Any]]) -> pd.DataFrame:
    fastavro = _fastavro()
    by_fingerprint = {bytes(fp): schema for fp, schema in schemas.items()}
    read = fastavro.schemaless_reader
    records = []
    used: dict[bytes, dict[str, Any]] = {}
    for value in values:
        if value[:2] != AVRO_MAGIC or len(value) < AVRO_HEADER_SIZE:
            raise InvalidDataError(
                "a message value is not Avro single-object encoded (it does not start with "
                "bytes C3 01); was it written with value_serializer='json'?"
            )
        fp = bytes(value[2:AVRO_HEADER_SIZE])
        schema = by_fingerprint.get(fp)
        if schema is None:
            raise InvalidDataError(
                f"no Avro schema with fingerprint {fp.hex()} was given; read the topic's "
                "'<topic>.schemas' companion and pass schemas={fingerprint: schema}"
            )
        used[fp] = schema
        records.append(read(io.BytesIO(value[AVRO_HEADER_SIZE:]), parsed_schema(schema), None))
    if not records:
        return pd.DataFrame()
    frame = pd.DataFrame.from_records(records)
    for schema in used.values():
        for field in schema["fields"]:
            avro_type, _ = _base_type(field["type"])
            name = field["name"]
            if name not in frame.columns:
                continue
            if isinstance(avro_type, dict) and avro_type.get("logicalType", "").startswith(
                "timestamp"
            ):
                frame[name] = pd.to_datetime(frame[name], utc=True)
    return frame


__all__ = [
    "AVRO_HEADER_SIZE",
    "AVRO_MAGIC",
    "FORMATS",
    "avro_schema_for",
    "decode_messages",
    "encode_avro",
    "encode_avro_records",
    "encode_json",
    "encode_keys",
    "fingerprint",
    "parsed_schema",
]
