"""schema_payload: the only schema information a provider ever sees."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from genesis.errors import InvalidParameterError
from genesis.llm import MAX_LABELS, schema_payload
from genesis.schema import infer_schema


@pytest.fixture()
def table() -> pd.DataFrame:
    n = 120
    return pd.DataFrame(
        {
            "state": ["Zanzibaria", "Quuxland", "Florbia"] * (n // 3),
            "contact": [f"person{i}@zqxmail.example" for i in range(n)],
            "score": [17.25 + i for i in range(n)],
            "code": [f"K{i:05d}X" for i in range(n)],
            "wide": [f"w{i % 60}" for i in range(n)],
        }
    )


def test_default_sends_names_kinds_and_non_pii_labels_only(table):
    schema = infer_schema(table)
    payload = schema_payload(schema)
    by_name = {c["name"]: c for c in payload["columns"]}
    assert list(by_name) == list(table.columns)
    assert by_name["state"]["labels"] == ["Zanzibaria", "Quuxland", "Florbia"]
    assert by_name["contact"] == {"name": "contact", "kind": by_name["contact"]["kind"],
                                  "semantic_type": "email", "pii": True}  # fmt: skip
    assert "labels" not in by_name["wide"]  # 60 labels > MAX_LABELS: not a vocabulary
    assert MAX_LABELS < 60
    text = json.dumps(payload)
    for value in ("zqxmail", "17.25", "K00000X", "w59"):
        assert value not in text


def test_samples_only_when_allowed_and_never_for_pii(table):
    schema = infer_schema(table)
    payload = schema_payload(schema, allow_samples=True, data=table)
    by_name = {c["name"]: c for c in payload["columns"]}
    assert len(by_name["score"]["examples"]) == 5
    assert set(by_name["score"]["examples"]) <= set(table["score"])
    assert by_name["score"]["range"] == [17.25, 136.25]
    assert "examples" not in by_name["contact"] and "range" not in by_name["contact"]
    assert "zqxmail" not in json.dumps(payload)


def test_names_and_kinds_only(table):
    payload = schema_payload(infer_schema(table), labels=False, columns=["state"])
    assert payload == {"columns": [{"name": "state", "kind": "categorical",
                                    "semantic_type": None, "pii": False}]}  # fmt: skip


def test_bad_inputs(table):
    schema = infer_schema(table)
    with pytest.raises(InvalidParameterError, match="genesis.schema.Schema"):
        schema_payload(table)
    with pytest.raises(InvalidParameterError, match="not in the schema"):
        schema_payload(schema, columns=["nope"])
    with pytest.raises(InvalidParameterError, match="True or False"):
        schema_payload(schema, allow_samples="yes")
