"""One rule for what is a URL, and one way to show a URL without its password."""

from __future__ import annotations

import os
import re

#: a URL starts with a scheme of two or more characters and "://" (so "C://x" is a path)
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]+://")

#: SQLAlchemy dialects that ``read_table`` reads with ``pd.read_sql``
SQL_SCHEMES = frozenset(
    {
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
    }
)


def is_url(source: str | os.PathLike[str]) -> bool:
    """Whether ``source`` is a URL (``s3://...``, ``file:///...``, ``sqlite:///...``)."""
    return isinstance(source, str) and _URL.match(source) is not None


def url_scheme(source: str) -> str:
    """The scheme of a URL in lower case, without a ``+driver`` part; "" for a path."""
    if not is_url(source):
        return ""
    return source.split("://", 1)[0].split("+", 1)[0].lower()


def is_remote_url(source: str | os.PathLike[str]) -> bool:
    """A URL that is not a local ``file://`` one."""
    return is_url(source) and url_scheme(str(source)) != "file"


def is_sql_url(source: str | os.PathLike[str]) -> bool:
    """An SQLAlchemy database URL such as ``postgresql+psycopg://user@host/db``."""
    return is_url(source) and url_scheme(str(source)) in SQL_SCHEMES


def redact_url(url: str | os.PathLike[str]) -> str:
    """``url`` as it can be shown: any password replaced by ``***``.

    Rendering goes through SQLAlchemy's URL object, the same rule SQLAlchemy uses in its
    own messages; text that is not a URL comes back unchanged.
    """
    text = os.fspath(url) if isinstance(url, os.PathLike) else url
    if not isinstance(text, str) or not is_url(text) or "@" not in text:
        return text if isinstance(text, str) else repr(text)
    try:
        from sqlalchemy.engine import make_url

        return make_url(text).render_as_string(hide_password=True)
    except Exception:  # not parseable as a URL: hide everything between "://" and "@"
        scheme, rest = text.split("://", 1)
        return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"


__all__ = ["SQL_SCHEMES", "is_remote_url", "is_sql_url", "is_url", "redact_url", "url_scheme"]
