"""LLMParser against a real loopback server: validated answers, the rules on any failure,
and no value of a row in any request unless allow_samples=True."""

from __future__ import annotations

import json
import socket

import numpy as np
import pandas as pd
import pytest

from genesis.errors import InvalidParameterError, LLMFallbackWarning
from genesis.llm import LLMConfig
from genesis.nl import interpret
from genesis.nl.llm_parser import SYSTEM_PROMPT, LLMParser
from genesis.schema import infer_schema
from tests.llm_server import Reply


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 400
    return pd.DataFrame(
        {
            "age": rng.integers(18, 90, n),
            "spend": np.round(rng.uniform(1234.5671, 9876.5432, n), 4),
            "state": rng.choice(["California", "Texas", "New York"], n),
            "email": [f"buyer{i}@qwertyzmail.example" for i in range(n)],
            "customer_id": [f"CUSTZX{i:06d}" for i in range(n)],
            "city": [f"Xyloville{i % 80}" for i in range(n)],
        }
    )


@pytest.fixture(scope="module")
def schema(table):
    return infer_schema(table)


def _parser(server, **kwargs) -> LLMParser:
    return LLMParser("openai-compatible", model="tiny", base_url=server.url, **kwargs)


def _row_values(table: pd.DataFrame) -> list[str]:
    """Every value of the columns whose values describe rows (all but the labels of state and
    the small integers of age): none may reach a provider by default."""
    columns = ("spend", "email", "customer_id", "city")
    return sorted({str(v) for c in columns for v in table[c]})


def test_a_valid_answer_is_used(llm_server, schema, table):
    llm_server.script(
        Reply.json(
            {
                "n_samples": 300,
                "conditions": {"age": [">=", 50], "state": "California"},
                "data_context": "customers",
            }
        )
    )
    parser = _parser(llm_server)
    result = parser.interpret("three hundred Californian customers aged fifty plus", schema)
    assert parser.last_source_ == "llm"
    assert result.n_samples == 300
    assert result.data_context == "customers"
    assert result.to_dict()["conditions"] == {"age": [">=", 50], "state": "California"}

    (request,) = llm_server.requests
    assert request.body["messages"][0] == {"role": "system", "content": SYSTEM_PROMPT}
    sent = json.loads(request.body["messages"][1]["content"])
    assert sent["request"] == "three hundred Californian customers aged fifty plus"
    by_name = {c["name"]: c for c in sent["columns"]}
    assert set(by_name) == set(schema.names)
    assert sorted(by_name["state"]["labels"]) == ["California", "New York", "Texas"]
    sent_text = request.sent_text
    leaked = [value for value in _row_values(table) if value in sent_text]
    assert leaked == []
    assert "Xyloville" not in sent_text and "qwertyzmail" not in sent_text


def test_samples_only_with_allow_samples_and_never_pii(llm_server, schema, table):
    llm_server.script(Reply.json({"n_samples": 10, "conditions": {}, "data_context": None}))
    _parser(llm_server, allow_samples=True, data=table).interpret("10 rows", schema)
    request = llm_server.requests[0]
    spend = next(c for c in json.loads(request.body["messages"][1]["content"])["columns"]
                 if c["name"] == "spend")  # fmt: skip
    assert spend["range"] == [table["spend"].min(), table["spend"].max()]  # as allowed
    assert set(spend["examples"]) <= set(table["spend"]) and len(spend["examples"]) == 5
    sent = request.sent_text
    assert "Xyloville" in sent  # a non-PII column's examples
    assert "qwertyzmail" not in sent  # PII: never
    assert "CUSTZX" not in sent  # identifiers name single rows: never


@pytest.mark.parametrize(
    "reply",
    [
        Reply.text("Sure! You want about 300 customers."),  # not JSON
        Reply.http(500),
        Reply.json({"n_samples": 300, "conditions": {"planet": "Mars"}}),  # no such column
        Reply.json({"n_samples": 300, "conditions": {"state": "Atlantis"}}),  # no such label
        Reply.json({"n_samples": "many", "conditions": {}}),
    ],
)
def test_any_failure_falls_back_to_the_rules_with_a_warning(llm_server, schema, reply):
    llm_server.script(reply)
    prompt = "300 customers over 50 in California"
    parser = _parser(llm_server)
    with pytest.warns(LLMFallbackWarning, match="rule parser answered instead"):
        result = parser.interpret(prompt, schema)
    assert parser.last_source_ == "rules"
    assert result.to_dict() == interpret(prompt, schema).to_dict()
    assert len(llm_server.requests) == 1


def test_unreachable_provider_falls_back(schema):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound, not listening: connection refused
        config = LLMConfig(
            "openai-compatible", base_url=f"http://127.0.0.1:{sock.getsockname()[1]}"
        )
        with pytest.warns(LLMFallbackWarning, match="cannot reach"):
            result = LLMParser(config).interpret("20 customers in Texas", schema)
    assert result.to_dict() == interpret("20 customers in Texas", schema).to_dict()


def test_bad_inputs_raise_before_any_request(llm_server, schema):
    parser = _parser(llm_server)
    with pytest.raises(InvalidParameterError, match="prompt must be a non-empty string"):
        parser.interpret("  ", schema)
    with pytest.raises(InvalidParameterError, match="genesis.schema.Schema"):
        parser.interpret("10 rows", {"age": "integer"})
    with pytest.raises(InvalidParameterError, match="context must be"):
        parser.interpret("10 rows", schema, context=3)
    with pytest.raises(InvalidParameterError, match="unknown LLM provider"):
        LLMParser("llamafile")
    with pytest.raises(InvalidParameterError, match="True or False"):
        _parser(llm_server, allow_samples="no")
    assert llm_server.requests == []
