"""Which format a source is in: from ``format=``, its URL scheme or its file extension."""

from __future__ import annotations

import os

from genesis.errors import UnsupportedFormatError
from genesis.io.urls import is_sql_url, url_scheme

#: formats ``read_table`` understands ("json" is a JSON Lines file or a JSON array of records;
#: "kafka" a snapshot of a topic, see :mod:`genesis.io.kafka`)
READ_FORMATS = ("csv", "parquet", "jsonl", "json", "sql", "kafka")
#: formats ``write_table`` writes
WRITE_FORMATS = ("csv", "parquet", "jsonl")

EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
}
COMPRESSIONS = (".gz", ".bz2", ".xz", ".zst", ".zstd")


def detect_format(source: str | os.PathLike[str]) -> str:
    """The format of a source from its URL scheme or file extension.

    Raises:
        UnsupportedFormatError: the extension is not one Genesis reads.
    """
    text = os.fspath(source)
    if is_sql_url(text):
        return "sql"
    if url_scheme(text) == "kafka":
        return "kafka"
    name = text.rsplit("/", 1)[-1].lower()
    for suffix in COMPRESSIONS:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    raise UnsupportedFormatError(
        f"cannot tell the format of {text!r} from its extension {suffix or '(none)'!r}; "
        f"pass format= one of {list(READ_FORMATS)} (extensions: {sorted(EXTENSIONS)})"
    )


def normalise_format(fmt: str, allowed: tuple[str, ...]) -> str:
    """``fmt`` as one of ``allowed`` ("ndjson" -> "jsonl", "pq" -> "parquet", "tsv" -> "csv")."""
    if not isinstance(fmt, str):
        raise UnsupportedFormatError(
            f"format must be a string, one of {list(allowed)}; got {fmt!r}"
        )
    key = fmt.lower().lstrip(".")
    key = {"ndjson": "jsonl", "pq": "parquet", "tsv": "csv"}.get(key, key)
    if key not in allowed:
        raise UnsupportedFormatError(f"format {fmt!r} is not supported; use one of {list(allowed)}")
    return key


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (its type name when it has none)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
