"""Writing tables atomically as CSV, Parquet or JSON Lines, locally or behind fsspec URLs.

A local file is written to a temporary name in the same folder and moved into place with
:func:`os.replace`; a remote object is serialised in memory first and sent in one PUT, which
object stores apply atomically. A failed write leaves any previous file as it was.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from genesis.errors import DataWriteError, UnsupportedFormatError
from genesis.io.formats import WRITE_FORMATS, detect_format, first_line, normalise_format
from genesis.io.urls import is_remote_url, redact_url
from genesis.validation import require_frame

if TYPE_CHECKING:
    from genesis.schema.types import Schema


def _serialise(df: pd.DataFrame, fmt: str, target: Any) -> None:
    if fmt == "parquet":
        parquet_ready(df).to_parquet(target, index=False)
    elif fmt == "csv":
        csv_ready(df).to_csv(target, index=False)
    else:
        json_ready(df).to_json(
            target, orient="records", lines=True, date_format="iso", force_ascii=False
        )


def parquet_ready(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with object columns that mix kinds of value (``1``, ``"A7"``, ``2.5``, as a
    JSON source may) as text: Parquet stores one type per column. Missing values stay
    missing; columns of one kind are left as they are."""
    mixed = []
    for name, values in df.items():
        if values.dtype != object:
            continue
        if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
            continue  # one kind of value (a C scan: a tenth of the type map's time)
        kinds = set(values.dropna().map(type).unique())
        if len(kinds) > 1 and str in kinds and kinds <= {str, int, float, bool}:
            mixed.append(name)
    if not mixed:
        return df
    out = df.copy(deep=False)
    for name in mixed:
        out[name] = df[name].map(str, na_action="ignore")
    return out


def json_ready(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with Arrow dates and times as ISO text (``2024-01-31``, ``13:45:00``): pandas'
    JSON writer would turn a date into a midnight timestamp."""
    import pyarrow as pa

    columns = [
        name
        for name, values in df.items()
        if isinstance(values.dtype, pd.ArrowDtype)
        and (
            pa.types.is_date(values.dtype.pyarrow_dtype)
            or pa.types.is_time(values.dtype.pyarrow_dtype)
        )
    ]
    if not columns:
        return df
    out = df.copy(deep=False)
    for name in columns:
        out[name] = df[name].astype(str).where(df[name].notna(), None)
    return out


def csv_ready(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with float columns that hold only whole numbers and nulls as nullable ints.

    pandas reads an integer CSV column with gaps as float64 and would write it back as
    ``30.0``; written as ``30`` it reads back as the same float64 column, so nothing is lost.
    """
    columns = {}
    for name, values in df.items():
        if not pd.api.types.is_float_dtype(values.dtype) or not values.isna().any():
            continue
        array = values.to_numpy(dtype=np.float64, na_value=np.nan)
        present = array[~np.isnan(array)]
        if (
            present.size
            and np.isfinite(present).all()
            and (np.abs(present) < 2.0**53).all()  # exact in float64, so exact as int
            and (present == np.round(present)).all()
        ):
            columns[name] = values.astype("Int64")
    if not columns:
        return df
    out = df.copy(deep=False)
    for name, values in columns.items():
        out[name] = values
    return out


def write_table(
    df: pd.DataFrame,
    path: str | os.PathLike[str],
    format: str | None = None,
    *,
    storage_options: dict[str, Any] | None = None,
    schema: Schema | None = None,
    mode: int = 0o644,
) -> str:
    """Write a table atomically as CSV, Parquet or JSON Lines; returns the path written.

    With ``schema`` (the :class:`~genesis.schema.Schema` the table was inferred or generated
    from), columns go back to the types the source had (:func:`genesis.schema.restore_types`):
    a Parquet ``date32``, ``decimal128`` or fixed-offset timestamp column read and synthesised
    is written as the same Arrow type. Float columns holding whole numbers and gaps are
    written to CSV as integers (``30``, not ``30.0``). A local file gets the permission bits
    ``mode``: 0644 suits a synthetic table; pass 0o600 for real data.

    A local file is written under a temporary name in the target folder (created when missing)
    and moved into place with :func:`os.replace`. A remote fsspec URL is serialised in memory
    and uploaded in one request, so readers never see a partial object. On failure the previous
    file, if any, is left untouched.

    Raises:
        InvalidDataError: ``df`` is not a DataFrame.
        UnsupportedFormatError: the format is not one of ``WRITE_FORMATS``.
        DataWriteError: the table cannot be serialised or the target cannot be written.
    """
    require_frame(df, "the table to write")
    if schema is not None:
        from genesis.schema.logical import restore_types

        df = restore_types(df, schema)
    target = os.fspath(path)
    if format is not None:
        fmt = normalise_format(format, WRITE_FORMATS)
    else:
        detected = detect_format(target)
        fmt = "jsonl" if detected == "json" else detected
        if fmt not in WRITE_FORMATS:
            raise UnsupportedFormatError(f"cannot write {fmt}; use one of {list(WRITE_FORMATS)}")
    if is_remote_url(target):
        return _write_remote(df, target, fmt, storage_options or {})
    local = Path(target.removeprefix("file://"))
    try:
        local.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataWriteError(f"cannot create the folder of {str(local)!r}: {exc}") from None
    handle, temporary = tempfile.mkstemp(prefix=f".{local.name}.", suffix=".tmp", dir=local.parent)
    os.close(handle)
    try:
        _serialise(df, fmt, temporary)
        os.chmod(temporary, mode)  # mkstemp creates 0600: a synthetic table is for sharing
        os.replace(temporary, local)
    except Exception as exc:
        Path(temporary).unlink(missing_ok=True)
        raise DataWriteError(
            f"cannot write the table to {str(local)!r} as {fmt} ({first_line(exc)}); "
            "make column names strings and give object columns one type of value"
        ) from None
    return str(local)


def _write_remote(df: pd.DataFrame, target: str, fmt: str, storage_options: dict[str, Any]) -> str:
    import fsspec

    buffer = io.BytesIO()
    try:
        if fmt == "parquet":
            _serialise(df, fmt, buffer)
        else:
            text = io.StringIO()
            _serialise(df, fmt, text)
            buffer.write(text.getvalue().encode("utf-8"))
    except Exception as exc:
        raise DataWriteError(
            f"cannot serialise the table as {fmt} for {redact_url(target)!r} ({first_line(exc)}); "
            "make column names strings and give object columns one type of value"
        ) from None
    try:
        fs, remote_path = fsspec.core.url_to_fs(target, **storage_options)
        fs.pipe_file(remote_path, buffer.getvalue())
    except Exception as exc:
        raise DataWriteError(
            f"cannot upload the table to {redact_url(target)!r} ({first_line(exc)}); check the bucket, the "
            "path and the storage_options credentials"
        ) from None
    return target


def write_bytes_atomic(
    path: str | os.PathLike[str], data: bytes | str, *, what: str = "file", mode: int = 0o644
) -> str:
    """Write ``data`` (bytes, or text as UTF-8) to a local ``path`` atomically; return the path.

    The bytes go to a temporary file in the target folder (created when missing), which is
    then renamed over ``path``: readers see the old file or the new one, never half of one,
    and a failure leaves the old file untouched. ``what`` names the file in error messages.

    Raises:
        DataWriteError: the folder cannot be created or the file cannot be written.
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
        )
    except OSError as exc:
        raise DataWriteError(
            f"cannot write the {what} to {str(target)!r}: {exc}; check that the folder is writable"
        ) from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
        os.chmod(temporary, mode)  # mkstemp creates 0600
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise DataWriteError(
            f"cannot write the {what} to {str(target)!r}: {exc}; check free space and permissions"
        ) from None
    return str(target)


def write_parquet(
    df: pd.DataFrame,
    path: str | os.PathLike[str],
    storage_options: dict[str, Any] | None = None,
    *,
    schema: Schema | None = None,
) -> str:
    """Write ``df`` as Parquet atomically (see :func:`write_table`); returns the path written."""
    return write_table(df, path, "parquet", storage_options=storage_options, schema=schema)
