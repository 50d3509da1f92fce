"""genesis.io.urls: one URL rule, and URLs shown without passwords."""

from __future__ import annotations

import pytest

from genesis.io import is_remote_url, is_sql_url, is_url, redact_url


@pytest.mark.parametrize(
    "text, url, remote, sql",
    [
        ("s3://bucket/key.csv", True, True, False),
        ("file:///tmp/a.csv", True, False, False),
        ("postgresql+psycopg://u@h/db", True, True, True),
        ("sqlite:///data.db", True, True, True),
        ("C://folder/a.csv", False, False, False),  # a drive letter is not a scheme
        ("data/a.csv", False, False, False),
        ("notes about a://b", False, False, False),
    ],
)
def test_one_url_rule(text: str, url: bool, remote: bool, sql: bool) -> None:
    assert (is_url(text), is_remote_url(text), is_sql_url(text)) == (url, remote, sql)


def test_redact_url_hides_passwords_only() -> None:
    assert redact_url("postgresql://ann:pw@db:5432/x") == "postgresql://ann:***@db:5432/x"
    assert "pw" not in redact_url("s3://key:pw@bucket/a.csv")
    assert redact_url("sqlite:///local.db") == "sqlite:///local.db"
    assert redact_url("data/a.csv") == "data/a.csv"
