"""complete_json against a real HTTP server on loopback (tests/llm_server.py)."""

from __future__ import annotations

import socket

import pytest

from genesis.errors import InvalidParameterError, LLMError
from genesis.llm import ANTHROPIC_VERSION, LLMConfig, complete_json
from tests.llm_server import Reply


def _local(server, **kwargs) -> LLMConfig:
    return LLMConfig("openai-compatible", base_url=server.url, **kwargs)


def test_openai_format_request_and_answer(llm_server, monkeypatch):
    monkeypatch.setenv("GENESIS_TEST_KEY", "sk-test-123")
    llm_server.script(Reply.json({"answer": 42, "items": ["a"]}))
    config = LLMConfig("openai", model="gpt-test", base_url=llm_server.url,
                       api_key_env="GENESIS_TEST_KEY")  # fmt: skip
    assert complete_json(config, "be terse", "what is it?") == {"answer": 42, "items": ["a"]}
    (request,) = llm_server.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-test-123"
    assert request.body["model"] == "gpt-test"
    assert request.body["response_format"] == {"type": "json_object"}
    assert request.body["messages"] == [
        {"role": "system", "content": "be terse"},
        {"role": "user", "content": "what is it?"},
    ]


def test_anthropic_format_request_and_answer(llm_server, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "ak-test")
    llm_server.script(Reply.text('Here it is:\n```json\n{"ok": true}\n```'))
    config = LLMConfig("anthropic", model="claude-test", base_url=llm_server.url)
    assert complete_json(config, "sys", "usr") == {"ok": True}
    (request,) = llm_server.requests
    assert request.path == "/v1/messages"
    assert request.headers["x-api-key"] == "ak-test"
    assert request.headers["anthropic-version"] == ANTHROPIC_VERSION
    assert "authorization" not in request.headers
    assert request.body["system"] == "sys"
    assert request.body["messages"] == [{"role": "user", "content": "usr"}]
    assert request.body["max_tokens"] > 0


def test_local_server_gets_no_key_header(llm_server):
    llm_server.script(Reply.json({}))
    assert complete_json(_local(llm_server), "s", "u") == {}
    assert "authorization" not in llm_server.requests[0].headers


def test_http_error_names_provider_url_and_fix(llm_server):
    llm_server.script(Reply.http(500, "boom"), Reply.http(401, "bad key"))
    config = _local(llm_server)
    with pytest.raises(LLMError, match=r"openai-compatible server at http://127\.0\.0\.1:\d+/v1/"
                       r"chat/completions answered HTTP 500 \(boom\); the provider failed") as err:  # fmt: skip
        complete_json(config, "s", "u")
    assert err.value.provider == "openai-compatible"
    assert err.value.url.startswith(llm_server.url)
    with pytest.raises(LLMError, match="HTTP 401.*api_key_env"):
        complete_json(config, "s", "u")


@pytest.mark.parametrize(
    "reply, message",
    [
        (Reply.text("I think about 50 people"), "did not answer with a JSON object"),
        (Reply.json([1, 2]), "did not answer with a JSON object"),
        (Reply.raw_body("<html>login</html>"), "not an OpenAI chat completions response"),
    ],
)
def test_non_json_answers_are_llm_errors(llm_server, reply, message):
    llm_server.script(reply)
    with pytest.raises(LLMError, match=message):
        complete_json(_local(llm_server), "s", "u")


def test_unreachable_server_is_an_llm_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: connection refused
        config = LLMConfig("openai-compatible", base_url=f"http://127.0.0.1:{port}")
        with pytest.raises(LLMError, match=f"cannot reach .*127.0.0.1:{port}.*running"):
            complete_json(config, "s", "u")


def test_timeout_is_an_llm_error(llm_server):
    llm_server.script(Reply(content="{}", delay=1.5))
    with pytest.raises(LLMError, match="did not answer within 0.3 s.*larger timeout"):
        complete_json(_local(llm_server, timeout=0.3), "s", "u")


def test_missing_key_fails_before_any_request(llm_server, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(LLMError, match="OPENAI_API_KEY"):
        complete_json(LLMConfig("openai", base_url=llm_server.url), "s", "u")
    assert llm_server.requests == []


def test_bad_arguments(llm_server):
    with pytest.raises(InvalidParameterError, match="genesis.llm.LLMConfig"):
        complete_json({"provider": "openai"}, "s", "u")
    with pytest.raises(InvalidParameterError, match="user must be a non-empty string"):
        complete_json(_local(llm_server), "s", " ")
    assert llm_server.requests == []


def test_credentials_in_the_url_never_appear_in_a_message(llm_server):
    llm_server.script(Reply.http(503, "down"))
    url = llm_server.url.replace("http://", "http://alice:s3cr3t-pw@")
    with pytest.raises(LLMError) as err:
        complete_json(LLMConfig("openai-compatible", base_url=url), "s", "u")
    assert "s3cr3t-pw" not in str(err.value) and "s3cr3t-pw" not in err.value.url
    assert "HTTP 503" in str(err.value)
