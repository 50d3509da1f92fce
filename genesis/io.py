"""Reading and writing tables: CSV, Parquet, JSON Lines and SQL, local or behind fsspec URLs.

``read_table`` turns every way a source can be wrong into a :class:`~genesis.errors.GenesisError`
subclass that names the problem and its fix: a missing file or table, an empty source, no
columns, duplicate column names, bytes that do not parse, an unsupported format.

CSV missing-value tokens that pandas does not know (``?`` in Adult) stay strings, so
:func:`genesis.schema.infer_schema` can record them; integer-looking CSV columns with leading
zeros (``"02134"``) stay strings too.

Writes are atomic: a local file is written to a temporary name in the same folder and moved
into place with :func:`os.replace`; a remote object is serialised in memory first and sent in
one PUT, which object stores apply atomically. A failed write leaves any previous file as it
was.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from genesis.errors import (
    DataWriteError,
    DuplicateColumnsError,
    EmptySourceError,
    GenesisError,
    InvalidDataError,
    InvalidParameterError,
    NoColumnsError,
    SourceNotFoundError,
    UnparseableSourceError,
    UnsupportedFormatError,
    missing_dependency,
)

#: formats ``read_table`` understands ("json" is a JSON Lines file or a JSON array of records)
READ_FORMATS = ("csv", "parquet", "jsonl", "json", "sql")
#: formats ``write_table`` writes
WRITE_FORMATS = ("csv", "parquet", "jsonl")

_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
}
_COMPRESSIONS = (".gz", ".bz2", ".xz", ".zst", ".zstd")
_SQL_SCHEMES = (
    "sqlite",
    "postgresql",
    "postgres",
    "mysql",
    "mariadb",
    "mssql",
    "oracle",
    "duckdb",
    "snowflake",
    "redshift",
    "bigquery",
)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?")


# --- format detection ----------------------------------------------------------------------


def _is_url(source: str) -> bool:
    return "://" in source


def _is_sql_url(source: str) -> bool:
    scheme = source.split("://", 1)[0].split("+", 1)[0].lower() if _is_url(source) else ""
    return scheme in _SQL_SCHEMES


def detect_format(source: str | os.PathLike[str]) -> str:
    """The format of a source from its URL scheme or file extension.

    Raises:
        UnsupportedFormatError: the extension is not one Genesis reads.
    """
    text = os.fspath(source)
    if _is_sql_url(text):
        return "sql"
    name = text.rsplit("/", 1)[-1].lower()
    for suffix in _COMPRESSIONS:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    raise UnsupportedFormatError(
        f"cannot tell the format of {text!r} from its extension {suffix or '(none)'!r}; "
        f"pass format= one of {list(READ_FORMATS)} (extensions: {sorted(_EXTENSIONS)})"
    )


def _normalise_format(fmt: str, allowed: tuple[str, ...]) -> str:
    if not isinstance(fmt, str):
        raise UnsupportedFormatError(
            f"format must be a string, one of {list(allowed)}; got {fmt!r}"
        )
    key = fmt.lower().lstrip(".")
    key = {"ndjson": "jsonl", "pq": "parquet", "tsv": "csv"}.get(key, key)
    if key not in allowed:
        raise UnsupportedFormatError(f"format {fmt!r} is not supported; use one of {list(allowed)}")
    return key


# --- reading -------------------------------------------------------------------------------


def read_table(
    source: str | os.PathLike[str],
    format: str | None = None,
    *,
    query: str | None = None,
    storage_options: dict[str, Any] | None = None,
    **read_options: Any,
) -> pd.DataFrame:
    """Read a table from a file, an fsspec URL or a database.

    Args:
        source: a local path, an fsspec URL (``s3://bucket/key.csv``, ``file:///...``), or an
            SQLAlchemy URL (``sqlite:///data.db``, ``postgresql://user@host/db``).
        format: "csv", "parquet", "jsonl", "json" or "sql"; detected from the extension or URL
            scheme when omitted (``.csv``, ``.tsv``, ``.csv.gz``, ``.parquet``, ``.pq``,
            ``.jsonl``, ``.ndjson``, ``.json``).
        query: for SQL sources, an SQL query or a table name.
        storage_options: fsspec options for remote files, e.g. ``{"key": ..., "secret": ...,
            "client_kwargs": {"endpoint_url": ...}}`` for S3.
        **read_options: passed on to the reader (``pd.read_csv``, ``pyarrow.parquet.read_table``,
            ``pd.read_json`` or ``pd.read_sql``).

    Returns:
        The table, with at least one row and uniquely named columns.

    Raises:
        SourceNotFoundError, EmptySourceError, NoColumnsError, DuplicateColumnsError,
        UnparseableSourceError, UnsupportedFormatError: as their names say; the message
        names the source and the fix.
    """
    if isinstance(source, os.PathLike):
        source = os.fspath(source)
    if not isinstance(source, str) or not source:
        raise InvalidParameterError(
            f"source must be a path, an fsspec URL or an SQLAlchemy URL; got {source!r}"
        )
    if storage_options is not None and not isinstance(storage_options, dict):
        raise InvalidParameterError(
            f"storage_options must be a dict of fsspec options, got {type(storage_options).__name__}"
        )
    fmt = _normalise_format(format, READ_FORMATS) if format is not None else None
    if fmt is None:
        fmt = "sql" if (query is not None and _is_sql_url(source)) else detect_format(source)
    if fmt == "sql":
        df = _read_sql(source, query, read_options)
    else:
        if query is not None:
            raise InvalidParameterError(
                f"query= only applies to SQL sources, but {source!r} is read as {fmt}; drop query="
            )
        _check_file(source, storage_options)
        reader: Callable[..., pd.DataFrame] = {
            "csv": _read_csv,
            "parquet": _read_parquet,
            "jsonl": _read_json,
            "json": _read_json,
        }[fmt]
        df = reader(source, storage_options or {}, read_options)
    _check_frame(df, source)
    return df


def _open(source: str, storage_options: dict[str, Any], mode: str = "rb"):
    import fsspec

    return fsspec.open(source, mode, compression="infer", **storage_options)


def _check_file(source: str, storage_options: dict[str, Any] | None) -> None:
    """Raise SourceNotFoundError / EmptySourceError before any parser sees the source."""
    import fsspec

    try:
        fs, path = fsspec.core.url_to_fs(source, **(storage_options or {}))
    except (ImportError, ValueError) as exc:
        if isinstance(exc, ImportError):
            raise missing_dependency(
                str(exc.name or "fsspec backend"), f"reading {source!r}"
            ) from None
        raise UnsupportedFormatError(f"cannot open {source!r}: {exc}") from None
    try:
        exists = fs.exists(path)
        is_dir = exists and fs.isdir(path)
        size = fs.size(path) if exists and not is_dir else None
    except (PermissionError, OSError) as exc:
        raise SourceNotFoundError(
            f"cannot reach {source!r}: {exc}; check the path and the storage_options credentials"
        ) from None
    if not exists:
        raise SourceNotFoundError(
            f"source {source!r} does not exist; check the path (or bucket and key) and that the "
            "file was written"
        )
    if is_dir:
        raise SourceNotFoundError(f"source {source!r} is a folder; pass the path of one file in it")
    if size == 0:
        raise EmptySourceError(f"source {source!r} is empty (0 bytes); write the table to it first")


def _check_frame(df: pd.DataFrame, source: str) -> None:
    if df.shape[1] == 0:
        raise NoColumnsError(f"source {source!r} holds no columns; check that it has a header row")
    duplicated = df.columns[df.columns.duplicated()].unique().tolist()
    if duplicated:
        raise DuplicateColumnsError(
            f"source {source!r} has duplicate column names {duplicated}; rename them so every "
            "column has its own name"
        )
    if len(df) == 0:
        raise EmptySourceError(
            f"source {source!r} has columns {list(df.columns)[:10]} but no rows; a table needs at "
            "least one row"
        )


def _csv_separator(source: str, read_options: dict[str, Any]) -> str:
    sep = read_options.get("sep", read_options.get("delimiter"))
    if sep is not None:
        return sep
    name = source.lower()
    for suffix in _COMPRESSIONS:
        name = name.removesuffix(suffix)
    return "\t" if name.endswith(".tsv") else ","


def _csv_header(source: str, storage_options: dict[str, Any], options: dict[str, Any]) -> list[str]:
    """The header row as written; ``pd.read_csv`` would rename a duplicate ``a`` to ``a.1``."""
    header_options = {
        k: v
        for k, v in options.items()
        if k
        in (
            "sep",
            "encoding",
            "quotechar",
            "escapechar",
            "skiprows",
            "comment",
            "engine",
            "skipinitialspace",
            "compression",
        )
    }
    first = _parse_csv(
        source,
        storage_options,
        {**header_options, "header": None, "nrows": 1, "dtype": str, "keep_default_na": False},
    )
    return [str(cell).strip() for cell in first.iloc[0].tolist()]


def _read_csv(
    source: str, storage_options: dict[str, Any], read_options: dict[str, Any]
) -> pd.DataFrame:
    sep = _csv_separator(source, read_options)
    options = {"skipinitialspace": True, **read_options}
    options.pop("delimiter", None)
    options["sep"] = sep
    if options.get("header", "infer") in ("infer", 0):
        header = _csv_header(source, storage_options, options)
        duplicated = sorted({name for name in header if header.count(name) > 1})
        if duplicated:
            raise DuplicateColumnsError(
                f"source {source!r} has duplicate column names {duplicated} in its header; "
                "rename them so every column has its own name"
            )
    df = _parse_csv(source, storage_options, options)
    user_typed = any(k in read_options for k in ("dtype", "converters", "usecols"))
    ints = [c for c in df.columns if pd.api.types.is_integer_dtype(df[c].dtype)]
    if ints and not user_typed:
        # integers written with leading zeros (ZIP codes, account numbers) are labels
        raw = _parse_csv(source, storage_options, {**options, "usecols": ints, "dtype": str})
        for name in ints:
            if raw[name].str.fullmatch(r"[-+]?0\d+").any():
                df[name] = raw[name]
    return df


def _parse_csv(
    source: str, storage_options: dict[str, Any], options: dict[str, Any]
) -> pd.DataFrame:
    try:
        with _open(source, storage_options) as handle:
            return pd.read_csv(handle, **options)
    except pd.errors.EmptyDataError:
        raise EmptySourceError(
            f"source {source!r} holds no CSV data; write the table to it first"
        ) from None
    except pd.errors.ParserError as exc:
        raise UnparseableSourceError(
            f"source {source!r} does not parse as CSV ({_first_line(exc)}); check that every row "
            "has as many fields as the header and that the delimiter is right (pass sep=)"
        ) from None
    except UnicodeDecodeError:
        raise UnparseableSourceError(
            f"source {source!r} is not text in {options.get('encoding') or 'utf-8'}; pass encoding= "
            "or check that the file really is a CSV"
        ) from None
    except (OSError, EOFError) as exc:
        raise UnparseableSourceError(
            f"source {source!r} cannot be decompressed or read: {exc}"
        ) from None


def _read_parquet(
    source: str, storage_options: dict[str, Any], read_options: dict[str, Any]
) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        with _open(source, storage_options) as handle:
            table = pq.read_table(handle, **read_options)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as exc:
        raise UnparseableSourceError(
            f"source {source!r} is not a readable Parquet file ({_first_line(exc)}); check that it "
            "was written as Parquet, or pass the right format="
        ) from None
    names = table.column_names
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise DuplicateColumnsError(
            f"source {source!r} has duplicate column names {duplicated}; rename them so every "
            "column has its own name"
        )
    return table.to_pandas()


def _read_json(
    source: str, storage_options: dict[str, Any], read_options: dict[str, Any]
) -> pd.DataFrame:
    try:
        with _open(source, storage_options) as handle:
            data = handle.read()
    except (OSError, EOFError) as exc:
        raise UnparseableSourceError(
            f"source {source!r} cannot be decompressed or read: {exc}"
        ) from None
    try:
        text = data.decode(read_options.pop("encoding", None) or "utf-8")
    except UnicodeDecodeError:
        raise UnparseableSourceError(
            f"source {source!r} is not UTF-8 text; check that it really is JSON"
        ) from None
    stripped = text.lstrip()
    if not stripped:
        raise EmptySourceError(
            f"source {source!r} holds only whitespace; write the table to it first"
        )
    options: dict[str, Any] = {"dtype": False, "convert_dates": False, **read_options}
    if stripped.startswith("["):
        options.setdefault("orient", "records")
    else:
        options.setdefault("lines", True)
    _check_json_keys(source, stripped)
    try:
        df = pd.read_json(io.StringIO(text), **options)
    except ValueError as exc:
        raise UnparseableSourceError(
            f"source {source!r} does not parse as JSON Lines or a JSON array of records "
            f"({_first_line(exc)}); check that every line is one JSON object"
        ) from None
    if isinstance(df, pd.Series):
        df = df.to_frame()
    return df


def _check_json_keys(source: str, text: str) -> None:
    """Duplicate keys in a JSON object would silently collapse into one column."""
    first = text.splitlines()[0] if not text.startswith("[") else None
    if not first:
        return

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        duplicated = sorted({k for k in keys if keys.count(k) > 1})
        if duplicated:
            raise DuplicateColumnsError(
                f"source {source!r} has duplicate keys {duplicated} in its records; rename them so "
                "every column has its own name"
            )
        return dict(pairs)

    try:
        json.loads(first, object_pairs_hook=hook)
    except json.JSONDecodeError as exc:
        raise UnparseableSourceError(
            f"source {source!r} does not parse as JSON Lines (line 1: {exc}); check that every "
            "line is one JSON object"
        ) from None


def _sqlite_path(url: str) -> str | None:
    import sqlalchemy

    parsed = sqlalchemy.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database


def _read_sql(source: str, query: str | None, read_options: dict[str, Any]) -> pd.DataFrame:
    try:
        import sqlalchemy
        from sqlalchemy import exc as sa_exc
    except ImportError:
        raise missing_dependency("sqlalchemy", "reading SQL sources") from None
    if not isinstance(query, str) or not query.strip():
        raise InvalidParameterError(
            f"reading SQL source {source!r} needs query= with an SQL query or a table name, "
            "e.g. read_table(url, query='SELECT * FROM people') or query='people'"
        )
    try:
        sqlite_file = _sqlite_path(source)
    except sa_exc.ArgumentError as exc:
        raise InvalidParameterError(f"{source!r} is not a valid SQLAlchemy URL: {exc}") from None
    if sqlite_file is not None and not Path(sqlite_file).exists():
        # sqlite would silently create an empty database here
        raise SourceNotFoundError(
            f"SQLite database {sqlite_file!r} does not exist; check the path in {source!r}"
        )
    try:
        engine = sqlalchemy.create_engine(source)
    except sa_exc.NoSuchModuleError as exc:
        raise missing_dependency(
            str(exc).rsplit(":", 1)[-1].strip(), f"reading {source!r}"
        ) from None
    except (sa_exc.ArgumentError, ImportError) as exc:
        raise InvalidParameterError(
            f"cannot connect with {source!r}: {exc}; check the URL and that its driver is installed"
        ) from None
    text = query.strip()
    try:
        with engine.connect() as connection:
            if _IDENTIFIER.fullmatch(text):
                schema, _, table_name = text.rpartition(".")
                inspector = sqlalchemy.inspect(connection)
                if not inspector.has_table(table_name, schema=schema or None):
                    tables = inspector.get_table_names(schema=schema or None)
                    raise SourceNotFoundError(
                        f"table {text!r} does not exist in {engine.url!r}; existing tables: "
                        f"{tables[:20]}"
                    )
                table = sqlalchemy.Table(
                    table_name,
                    sqlalchemy.MetaData(),
                    schema=schema or None,
                    autoload_with=connection,
                )
                statement: Any = sqlalchemy.select(table)
            else:
                statement = sqlalchemy.text(text)
            return pd.read_sql(statement, connection, **read_options)
    except GenesisError:
        raise
    except sa_exc.DBAPIError as exc:
        message = _first_line(exc.orig if exc.orig is not None else exc)
        if re.search(r"no such table|does not exist|doesn't exist|unknown table", message, re.I):
            raise SourceNotFoundError(
                f"the query on {engine.url!r} names a table that does not exist ({message}); "
                "check the table name"
            ) from None
        raise UnparseableSourceError(
            f"the SQL query on {engine.url!r} failed ({message}); check the query text"
        ) from None
    except sa_exc.SQLAlchemyError as exc:
        raise UnparseableSourceError(
            f"reading {engine.url!r} failed ({_first_line(exc)}); check the URL and the query"
        ) from None
    finally:
        engine.dispose()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# --- writing -------------------------------------------------------------------------------


def _serialise(df: pd.DataFrame, fmt: str, target: Any) -> None:
    if fmt == "parquet":
        df.to_parquet(target, index=False)
    elif fmt == "csv":
        df.to_csv(target, index=False)
    else:
        df.to_json(target, orient="records", lines=True, date_format="iso", force_ascii=False)


def write_table(
    df: pd.DataFrame,
    path: str | os.PathLike[str],
    format: str | None = None,
    *,
    storage_options: dict[str, Any] | None = None,
) -> str:
    """Write a table atomically as CSV, Parquet or JSON Lines; returns the path written.

    A local file is written under a temporary name in the target folder (created when missing)
    and moved into place with :func:`os.replace`. A remote fsspec URL is serialised in memory
    and uploaded in one request, so readers never see a partial object. On failure the previous
    file, if any, is left untouched.

    Raises:
        InvalidDataError: ``df`` is not a DataFrame.
        UnsupportedFormatError: the format is not one of ``WRITE_FORMATS``.
        DataWriteError: the table cannot be serialised or the target cannot be written.
    """
    if not isinstance(df, pd.DataFrame):
        raise InvalidDataError(f"write_table needs a pandas DataFrame, got {type(df).__name__}")
    target = os.fspath(path)
    if format is not None:
        fmt = _normalise_format(format, WRITE_FORMATS)
    else:
        detected = detect_format(target)
        fmt = "jsonl" if detected == "json" else detected
        if fmt not in WRITE_FORMATS:
            raise UnsupportedFormatError(f"cannot write {fmt}; use one of {list(WRITE_FORMATS)}")
    if _is_url(target) and not target.startswith("file://"):
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
        os.replace(temporary, local)
    except Exception as exc:
        Path(temporary).unlink(missing_ok=True)
        raise DataWriteError(
            f"cannot write the table to {str(local)!r} as {fmt} ({_first_line(exc)}); "
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
            f"cannot serialise the table as {fmt} for {target!r} ({_first_line(exc)}); "
            "make column names strings and give object columns one type of value"
        ) from None
    try:
        fs, remote_path = fsspec.core.url_to_fs(target, **storage_options)
        fs.pipe_file(remote_path, buffer.getvalue())
    except Exception as exc:
        raise DataWriteError(
            f"cannot upload the table to {target!r} ({_first_line(exc)}); check the bucket, the "
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
    df: pd.DataFrame, path: str | os.PathLike[str], storage_options: dict[str, Any] | None = None
) -> str:
    """Write ``df`` as Parquet atomically (see :func:`write_table`); returns the path written."""
    return write_table(df, path, "parquet", storage_options=storage_options)


# --- fingerprint ---------------------------------------------------------------------------


def fingerprint(df: pd.DataFrame) -> str:
    """A stable SHA-256 hex digest of a DataFrame's content, column names and dtypes.

    The index is ignored; row order, column order, values and dtypes all count.
    """
    if not isinstance(df, pd.DataFrame):
        raise InvalidDataError(f"fingerprint needs a pandas DataFrame, got {type(df).__name__}")
    digest = hashlib.sha256()
    header = [[str(name), str(dtype)] for name, dtype in zip(df.columns, df.dtypes, strict=True)]
    digest.update(json.dumps([header, len(df)], ensure_ascii=False).encode("utf-8"))
    if df.shape[1] and len(df):
        try:
            hashed = pd.util.hash_pandas_object(df, index=False)
        except TypeError:
            # unhashable cells (lists, dicts): hash their text form instead
            hashed = pd.util.hash_pandas_object(df.astype(str), index=False)
        digest.update(hashed.to_numpy().tobytes())
    return digest.hexdigest()
