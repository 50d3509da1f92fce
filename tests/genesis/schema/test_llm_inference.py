"""LLMSchemaInferrer: the rules first, a language model (a real loopback server) only for the
columns the rules left generic, its suggestions checked against the values and recorded."""

from __future__ import annotations

import json
import pickle
import socket
import warnings

import numpy as np
import pandas as pd
import pytest

from genesis.errors import InvalidParameterError, LLMFallbackWarning, SchemaError
from genesis.llm import LLMConfig
from genesis.schema import LLMSchemaInferrer, RuleBasedInferrer, Schema, SemanticType, infer_schema
from tests.llm_server import Reply


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 300
    return pd.DataFrame(
        {
            "pt_a": np.round(rng.uniform(40.5112, 40.9137, n), 4),  # a latitude, unhinted name
            "pt_b": np.round(rng.uniform(-120.3391, -73.7013, n), 4),  # a longitude
            "amt": np.round(rng.gamma(2.0, 37.13, n), 2),  # money, unhinted name
            "ref": [f"QZ{v:07d}" for v in rng.integers(0, 10**7, n)],  # some code
            "mail": [f"user{i}@zorblax.example" for i in range(n)],  # the rules see emails
            "region": rng.choice(["Zanzibaria", "Quuxland", "Florbia"], n),
        }
    )


def _config(server) -> LLMConfig:
    return LLMConfig("openai-compatible", model="tiny", base_url=server.url)


def test_rule_based_inferrer_is_infer_schema(table):
    assert RuleBasedInferrer(seed=3).infer(table) == infer_schema(table, seed=3)


def test_without_provider_it_is_the_rules_and_sends_nothing(table, llm_server, monkeypatch):
    monkeypatch.setenv("GENESIS_LLM_PROVIDER", "openai-compatible")  # env is not a provider
    monkeypatch.setenv("GENESIS_LLM_BASE_URL", llm_server.url)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        schema = LLMSchemaInferrer().infer(table)
    assert schema == infer_schema(table)
    assert schema.notes == []
    assert llm_server.requests == []


def test_generic_columns_refined_validated_and_noted(table, llm_server):
    llm_server.script(
        Reply.json(
            {
                "semantic_types": {
                    "pt_a": "latitude",
                    "pt_b": "latitude",  # values beyond ±90: rejected
                    "amt": "money",
                    "ref": "credit_card",  # fails the Luhn check: rejected
                    "region": "zodiac_sign",  # not a semantic type: rejected
                    "mail": "person_name",  # not asked (the rules know it): rejected
                }
            }
        )
    )
    rules = infer_schema(table)
    assert rules["pt_a"].semantic_type is None and rules["amt"].semantic_type is None
    schema = LLMSchemaInferrer(_config(llm_server)).infer(table)

    assert schema["pt_a"].semantic_type is SemanticType.LATITUDE
    assert schema["amt"].semantic_type is SemanticType.MONEY
    assert schema["pt_b"].semantic_type is None
    assert schema["ref"].semantic_type is None
    assert schema["region"].semantic_type is None
    assert schema["mail"].semantic_type is SemanticType.EMAIL  # the rules' answer stays
    notes = "\n".join(schema.notes)
    assert "column 'pt_a' -> latitude: applied" in notes
    assert "column 'amt' -> money: applied" in notes
    assert "column 'pt_b' -> latitude: rejected, latitudes lie in [-90, 90]" in notes
    assert "column 'ref' -> credit_card: rejected, only 0% of the checked values" in notes
    assert "'zodiac_sign': rejected, not a semantic type" in notes
    assert "column 'mail' -> 'person_name': rejected, not a column that was asked" in notes
    # the notes travel with the schema
    assert Schema.from_yaml(schema.to_yaml()).notes == schema.notes
    assert Schema.from_json(schema.to_json()) == schema

    (request,) = llm_server.requests
    asked = json.loads(request.body["messages"][1]["content"])
    assert [c["name"] for c in asked["columns"]] == ["pt_a", "pt_b", "amt", "ref", "region"]
    assert all(set(c) == {"name", "kind", "semantic_type", "pii"} for c in asked["columns"])
    sent = request.sent_text
    for value in ("Zanzibaria", "zorblax", "QZ", str(table["amt"].iloc[0]), "40.5", "-73.7"):
        assert value not in sent


def test_pii_suggestion_is_flagged(llm_server):
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"who": rng.choice(["Ada Lovelace", "Alan Turing", "Grace Hopper"], 200),
                       "x": rng.normal(size=200)})  # fmt: skip
    llm_server.script(Reply.json({"semantic_types": {"who": "person_name", "x": None}}))
    schema = LLMSchemaInferrer(_config(llm_server)).infer(df)
    assert schema["who"].semantic_type is SemanticType.PERSON_NAME
    assert schema["who"].pii is True
    assert schema.notes == ["llm openai-compatible/tiny: column 'who' -> person_name: applied "
                            "(flagged PII)"]  # fmt: skip
    # a column the model named PII is replaced by fakes: no real name comes out
    from genesis.generators import SyntheticGenerator

    synthetic = SyntheticGenerator("cart", seed=0).fit(df, schema=schema).generate(50)
    assert not set(synthetic["who"]) & set(df["who"])


def test_samples_are_sent_only_when_allowed(table, llm_server):
    llm_server.script(Reply.json({"semantic_types": {}}))
    LLMSchemaInferrer(_config(llm_server), allow_samples=True).infer(table)
    request = llm_server.requests[0]
    asked = {c["name"]: c for c in json.loads(request.body["messages"][1]["content"])["columns"]}
    assert "Zanzibaria" in asked["region"]["labels"]
    assert len(asked["amt"]["examples"]) == 5
    assert set(asked["amt"]["examples"]) <= set(table["amt"])
    assert "examples" not in asked["ref"]  # an identifier's values name single rows: never sent
    assert "zorblax" not in request.sent_text  # the email column is PII: never sent nor asked


@pytest.mark.parametrize(
    "reply, message",
    [
        (Reply.http(500), "HTTP 500"),
        (Reply.text("these look like coordinates"), "did not answer with a JSON object"),
        (Reply.json({"types": {}}), "no 'semantic_types' object"),
    ],
)
def test_provider_errors_fall_back_to_the_rules_with_a_warning(table, llm_server, reply, message):
    llm_server.script(reply)
    with pytest.warns(LLMFallbackWarning, match=f"fell back to the rules.*{message}"):
        schema = LLMSchemaInferrer(_config(llm_server)).infer(table)
    assert schema == infer_schema(table)


def test_unreachable_provider_falls_back(table):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound, not listening: the connection is refused
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        config = LLMConfig("openai-compatible", base_url=url, timeout=2)
        with pytest.warns(LLMFallbackWarning, match="cannot reach"):
            assert LLMSchemaInferrer(config).infer(table) == infer_schema(table)


def test_provider_by_name_and_bad_arguments(llm_server):
    inferrer = LLMSchemaInferrer("openai-compatible", base_url=llm_server.url, model="m")
    assert inferrer.config == LLMConfig("openai-compatible", "m", llm_server.url)
    with pytest.raises(InvalidParameterError, match="unknown LLM provider"):
        LLMSchemaInferrer("gpt")
    with pytest.raises(InvalidParameterError, match="True or False"):
        LLMSchemaInferrer(allow_samples=1)


def test_schema_notes_round_trip_and_old_documents_load(table):
    schema = infer_schema(table)
    assert "notes" not in schema.to_dict()  # documents without notes are unchanged
    schema.notes.append("a note")
    assert Schema.from_dict(schema.to_dict()).notes == ["a note"]
    with pytest.raises(SchemaError, match="'notes' must be a list of strings"):
        Schema.from_dict({**schema.to_dict(), "notes": "oops"})


def test_schemas_pickled_before_notes_existed_still_load(table):
    schema = infer_schema(table)
    old_state = {k: v for k, v in schema.__dict__.items() if k != "notes"}
    old = Schema.__new__(Schema)
    old.__dict__.update(old_state)  # what a model file saved by the previous version holds
    restored = pickle.loads(pickle.dumps(old))
    assert restored.notes == [] and restored.to_dict() == schema.to_dict()


CARDS = ["4111111111111111", "5500005555555559", "340000000000009", "6011000000000004"]
IBANS = ["DE89370400440532013000", "GB82WEST12345698765432", "FR1420041010050500013M02606"]


@pytest.mark.parametrize(
    "values, semantic, accepted",
    [
        (["a@b.example", "c.d@e.example"], "email", True),
        (["alpha", "beta"], "email", False),
        (["https://x.example/a", "www.y.example/b"], "url", True),
        (["10.0.0.1", "192.168.1.20", "::1"], "ip_address", True),
        (["+1 415 555 0100", "(212) 555-0199"], "phone", True),
        (["12", "x"], "phone", False),
        (CARDS, "credit_card", True),
        ([c[:-1] + str((int(c[-1]) + 1) % 10) for c in CARDS], "credit_card", False),
        (IBANS, "iban", True),
        (["DE00370400440532013000"], "iban", False),
        (["Ada Lovelace", "Alan Turing"], "person_name", True),
        (["ada1", "x-2"], "person_name", False),
        (["AB123456C", "123-45-6789"], "national_id", True),
        (["10115", "SW1A 1AA"], "postal_code", True),
        (["$1,200.00", "€35"], "money", True),
        ([41.2, -12.5], "latitude", True),
        ([41.2, 95.0], "latitude", False),
        ([-170.0, 12.5], "longitude", True),
        (["north", "south"], "latitude", False),
        ([4111111111111111, 5500005555555559], "credit_card", True),
        ([1.5, 2.25], "postal_code", False),
        ([10115, 80331], "postal_code", True),
        ([4155550100, 2125550199], "phone", True),
        ([1.5, 3.0], "email", False),
        ([19.99, 5.0], "money", True),
        (pd.to_datetime(["1980-01-02", "1990-03-04"]), "date_of_birth", True),
        (pd.to_datetime(["2199-01-02", "2190-03-04"]), "date_of_birth", False),
        (pd.to_datetime(["1980-01-02", "1990-03-04"]), "email", False),
        (["qqx", "zzy"], "date_of_birth", False),
    ],
)
def test_suggestions_are_checked_on_the_values(values, semantic, accepted):
    from genesis.schema.llm_inference import contradiction

    series = pd.Series(list(values) * 10, name="c")
    column = infer_schema(series.to_frame())["c"]
    reason = contradiction(SemanticType(semantic), column, series)
    assert (reason is None) is accepted, reason
    if reason is not None:  # the reason gives shares and bounds, never a value
        assert not any(str(v) in reason for v in values)
