"""Reading tables: CSV, Parquet, JSON Lines and SQL, local or behind fsspec URLs.

``read_table`` turns every way a source can be wrong into a :class:`~genesis.errors.GenesisError`
subclass that names the problem and its fix: a missing file or table, an empty source, no
columns, duplicate or empty column names, bytes that do not parse, an unsupported format.

CSV missing-value tokens that pandas does not know (``?`` in Adult) stay strings, so
:func:`genesis.schema.infer_schema` can record them; integer-looking CSV columns with leading
zeros (``"02134"``) stay strings too. Arrow types pandas has no native type for (dates,
times, decimals) arrive as pandas types the generators model, and the original types are
kept in ``df.attrs`` so the schema records them (see :mod:`genesis.schema.logical`).
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from genesis.errors import (
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
from genesis.io.formats import (
    COMPRESSIONS,
    READ_FORMATS,
    detect_format,
    first_line,
    normalise_format,
)
from genesis.io.urls import is_sql_url, redact_url
from genesis.schema.logical import from_arrow
from genesis.validation import validate_column_names

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?")


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
        source: a local path, an fsspec URL (``s3://bucket/key.csv``, ``file:///...``), an
            SQLAlchemy URL (``sqlite:///data.db``, ``postgresql://user@host/db``), or a Kafka
            topic (``kafka://host:9092/topic``, or ``kafka://topic`` with
            ``bootstrap_servers=``; read as a bounded snapshot by
            :func:`genesis.io.kafka.read_topic`, whose keywords ``max_messages``, ``config``
            and ``timeout`` pass through ``read_options``).
        format: "csv", "parquet", "jsonl", "json", "sql" or "kafka"; detected from the extension or URL
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
        InvalidDataError: a column name is empty (a CSV header cell pandas would call
            ``Unnamed: N``) or not a string.

    Parquet columns of Arrow types pandas lacks (dates, times, decimals) come back as
    ``datetime64`` / ``float64`` columns, with their original types in
    ``df.attrs["genesis_logical_types"]``; see :func:`genesis.schema.restore_types`.
    """
    if isinstance(source, os.PathLike):
        source = os.fspath(source)
    if not isinstance(source, str) or not source:
        raise InvalidParameterError(
            f"source must be a path, an fsspec URL or an SQLAlchemy URL; got {redact_url(source)!r}"
        )
    if storage_options is not None and not isinstance(storage_options, dict):
        raise InvalidParameterError(
            f"storage_options must be a dict of fsspec options, got {type(storage_options).__name__}"
        )
    fmt = normalise_format(format, READ_FORMATS) if format is not None else None
    if fmt is None:
        fmt = "sql" if (query is not None and is_sql_url(source)) else detect_format(source)
    if fmt == "sql":
        df = _read_sql(source, query, read_options)
    elif fmt == "kafka":
        df = _read_kafka(source, query, read_options)
    else:
        if query is not None:
            raise InvalidParameterError(
                f"query= only applies to SQL sources, but {redact_url(source)!r} is read as {fmt}; drop query="
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
                str(exc.name or "fsspec backend"), f"reading {redact_url(source)!r}"
            ) from None
        raise UnsupportedFormatError(f"cannot open {redact_url(source)!r}: {exc}") from None
    try:
        exists = fs.exists(path)
        is_dir = exists and fs.isdir(path)
        size = fs.size(path) if exists and not is_dir else None
    except (PermissionError, OSError) as exc:
        raise SourceNotFoundError(
            f"cannot reach {redact_url(source)!r}: {exc}; check the path and the storage_options credentials"
        ) from None
    if not exists:
        raise SourceNotFoundError(
            f"source {redact_url(source)!r} does not exist; check the path (or bucket and key) and that the "
            "file was written"
        )
    if is_dir:
        raise SourceNotFoundError(
            f"source {redact_url(source)!r} is a folder; pass the path of one file in it"
        )
    if size == 0:
        raise EmptySourceError(
            f"source {redact_url(source)!r} is empty (0 bytes); write the table to it first"
        )


def _check_frame(df: pd.DataFrame, source: str) -> None:
    if df.shape[1] == 0:
        raise NoColumnsError(
            f"source {redact_url(source)!r} holds no columns; check that it has a header row"
        )
    duplicated = df.columns[df.columns.duplicated()].unique().tolist()
    if duplicated:
        raise DuplicateColumnsError(
            f"source {redact_url(source)!r} has duplicate column names {duplicated}; rename them so every "
            "column has its own name"
        )
    if len(df) == 0:
        raise EmptySourceError(
            f"source {redact_url(source)!r} has columns {list(df.columns)[:10]} but no rows; a table needs at "
            "least one row"
        )
    validate_column_names(df.columns, f"source {redact_url(source)!r}")


def _csv_separator(source: str, read_options: dict[str, Any]) -> str:
    sep = read_options.get("sep", read_options.get("delimiter"))
    if sep is not None:
        return sep
    name = source.lower()
    for suffix in COMPRESSIONS:
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
        index_col = options.get("index_col")
        indexed = {index_col} if isinstance(index_col, int) else set()
        blank = [i + 1 for i, name in enumerate(header) if name in ("", "nan") and i not in indexed]
        if blank:
            # pandas would silently name them "Unnamed: N"
            raise InvalidDataError(
                f"source {redact_url(source)!r} has an empty column name in its header at "
                f"column(s) {blank[:10]} (counting from 1); write a name into each header cell, "
                "or pass index_col=0 when the first column is a saved index"
            )
        duplicated = sorted({name for name in header if header.count(name) > 1})
        if duplicated:
            raise DuplicateColumnsError(
                f"source {redact_url(source)!r} has duplicate column names {duplicated} in its header; "
                "rename them so every column has its own name"
            )
    df = _parse_csv(source, storage_options, options)
    user_typed = any(k in read_options for k in ("dtype", "converters", "usecols"))
    ints = [c for c in df.columns if pd.api.types.is_integer_dtype(df[c].dtype)]
    if ints and not user_typed:
        # integers written with leading zeros (ZIP codes, account numbers) are labels
        plain = {k: v for k, v in options.items() if k != "index_col"}
        raw = _parse_csv(source, storage_options, {**plain, "usecols": ints, "dtype": str})
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
            f"source {redact_url(source)!r} holds no CSV data; write the table to it first"
        ) from None
    except pd.errors.ParserError as exc:
        raise UnparseableSourceError(
            f"source {redact_url(source)!r} does not parse as CSV ({first_line(exc)}); check that every row "
            "has as many fields as the header and that the delimiter is right (pass sep=)"
        ) from None
    except UnicodeDecodeError:
        raise UnparseableSourceError(
            f"source {redact_url(source)!r} is not text in {options.get('encoding') or 'utf-8'}; pass encoding= "
            "or check that the file really is a CSV"
        ) from None
    except (OSError, EOFError) as exc:
        raise UnparseableSourceError(
            f"source {redact_url(source)!r} cannot be decompressed or read: {exc}"
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
            f"source {redact_url(source)!r} is not a readable Parquet file ({first_line(exc)}); check that it "
            "was written as Parquet, or pass the right format="
        ) from None
    names = table.column_names
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise DuplicateColumnsError(
            f"source {redact_url(source)!r} has duplicate column names {duplicated}; rename them so every "
            "column has its own name"
        )
    return from_arrow(table)


def _read_json(
    source: str, storage_options: dict[str, Any], read_options: dict[str, Any]
) -> pd.DataFrame:
    try:
        with _open(source, storage_options) as handle:
            data = handle.read()
    except (OSError, EOFError) as exc:
        raise UnparseableSourceError(
            f"source {redact_url(source)!r} cannot be decompressed or read: {exc}"
        ) from None
    try:
        text = data.decode(read_options.pop("encoding", None) or "utf-8")
    except UnicodeDecodeError:
        raise UnparseableSourceError(
            f"source {redact_url(source)!r} is not UTF-8 text; check that it really is JSON"
        ) from None
    stripped = text.lstrip()
    if not stripped:
        raise EmptySourceError(
            f"source {redact_url(source)!r} holds only whitespace; write the table to it first"
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
            f"source {redact_url(source)!r} does not parse as JSON Lines or a JSON array of records "
            f"({first_line(exc)}); check that every line is one JSON object"
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
                f"source {redact_url(source)!r} has duplicate keys {duplicated} in its records; rename them so "
                "every column has its own name"
            )
        return dict(pairs)

    try:
        json.loads(first, object_pairs_hook=hook)
    except json.JSONDecodeError as exc:
        raise UnparseableSourceError(
            f"source {redact_url(source)!r} does not parse as JSON Lines (line 1: {exc}); check that every "
            "line is one JSON object"
        ) from None


def _read_kafka(source: str, query: str | None, read_options: dict[str, Any]) -> pd.DataFrame:
    from genesis.io.kafka import parse_kafka_source, read_topic

    if query is not None:
        raise InvalidParameterError(
            f"query= only applies to SQL sources, but {source!r} is a Kafka topic; drop query="
        )
    servers, topic = parse_kafka_source(source)
    options = dict(read_options)
    servers = options.pop("bootstrap_servers", None) or servers
    unknown = sorted(set(options) - {"max_messages", "config", "timeout"})
    if unknown:
        raise InvalidParameterError(
            f"reading the Kafka topic {topic!r} takes max_messages=, config=, timeout= and "
            f"bootstrap_servers=, not {unknown}; remove them"
        )
    if servers is None:
        raise InvalidParameterError(
            f"{source!r} names no broker; write kafka://HOST:PORT/{topic} or pass "
            "bootstrap_servers='HOST:PORT'"
        )
    return read_topic(servers, topic, **options)


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
            f"reading SQL source {redact_url(source)!r} needs query= with an SQL query or a table name, "
            "e.g. read_table(url, query='SELECT * FROM people') or query='people'"
        )
    try:
        sqlite_file = _sqlite_path(source)
    except sa_exc.ArgumentError as exc:
        raise InvalidParameterError(
            f"{redact_url(source)!r} is not a valid SQLAlchemy URL: {exc}"
        ) from None
    if sqlite_file is not None and not Path(sqlite_file).exists():
        # sqlite would silently create an empty database here
        raise SourceNotFoundError(
            f"SQLite database {sqlite_file!r} does not exist; check the path in {redact_url(source)!r}"
        )
    try:
        engine = sqlalchemy.create_engine(source)
    except sa_exc.NoSuchModuleError as exc:
        raise missing_dependency(
            str(exc).rsplit(":", 1)[-1].strip(), f"reading {redact_url(source)!r}"
        ) from None
    except (sa_exc.ArgumentError, ImportError) as exc:
        raise InvalidParameterError(
            f"cannot connect with {redact_url(source)!r}: {exc}; check the URL and that its driver is installed"
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
        message = first_line(exc.orig if exc.orig is not None else exc)
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
            f"reading {engine.url!r} failed ({first_line(exc)}); check the URL and the query"
        ) from None
    finally:
        engine.dispose()
