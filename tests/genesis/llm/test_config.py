"""LLMConfig: provider defaults, validation, and GENESIS_LLM_* variables."""

from __future__ import annotations

import pytest

from genesis.errors import ConfigError, InvalidParameterError, LLMError
from genesis.llm import DEFAULT_MODELS, LLMConfig


def test_hosted_providers_get_their_address_model_and_key_variable():
    openai = LLMConfig("openai")
    assert (openai.base_url, openai.model, openai.api_key_env) == (
        "https://api.openai.com",
        DEFAULT_MODELS["openai"],
        "OPENAI_API_KEY",
    )
    anthropic = LLMConfig("anthropic", model="claude-x")
    assert anthropic.base_url == "https://api.anthropic.com"
    assert anthropic.api_key_env == "ANTHROPIC_API_KEY"
    assert anthropic.model == "claude-x"


def test_openai_compatible_needs_a_base_url_and_accepts_a_trailing_v1():
    with pytest.raises(InvalidParameterError, match="needs base_url.*llama"):
        LLMConfig("openai-compatible")
    local = LLMConfig("openai-compatible", base_url="http://127.0.0.1:8080/v1/")
    assert local.base_url == "http://127.0.0.1:8080"
    assert local.api_key_env is None  # a local server gets no key


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"provider": "gemini"}, "unknown LLM provider 'gemini'"),
        ({"provider": "openai", "model": "  "}, "model must be a non-empty string"),
        ({"provider": "openai", "base_url": "ftp://x"}, "http\\(s\\) address"),
        ({"provider": "openai", "base_url": "localhost:8080"}, "http\\(s\\) address"),
        ({"provider": "openai", "timeout": 0}, "positive number"),
        ({"provider": "openai", "timeout": float("nan")}, "positive number"),
        ({"provider": "openai", "timeout": True}, "positive number"),
        ({"provider": "openai", "api_key_env": ""}, "must name an environment variable"),
    ],
)
def test_bad_settings_are_refused_with_the_fix(kwargs, message):
    with pytest.raises(InvalidParameterError, match=message):
        LLMConfig(**kwargs)


def test_from_env_is_none_without_a_provider():
    assert LLMConfig.from_env({}) is None
    assert LLMConfig.from_env({"GENESIS_LLM_MODEL": "m", "GENESIS_LLM_PROVIDER": " "}) is None


def test_from_env_reads_every_variable(monkeypatch):
    config = LLMConfig.from_env(
        {
            "GENESIS_LLM_PROVIDER": "openai-compatible",
            "GENESIS_LLM_MODEL": "qwen2.5-7b",
            "GENESIS_LLM_BASE_URL": "http://127.0.0.1:9000",
            "GENESIS_LLM_API_KEY_ENV": "MY_KEY",
        }
    )
    assert config == LLMConfig("openai-compatible", "qwen2.5-7b", "http://127.0.0.1:9000", "MY_KEY")
    monkeypatch.setenv("GENESIS_LLM_PROVIDER", "anthropic")
    assert LLMConfig.from_env().provider == "anthropic"


def test_from_env_with_an_unknown_provider_is_a_config_error():
    with pytest.raises(ConfigError, match="GENESIS_LLM_PROVIDER.*unknown LLM provider"):
        LLMConfig.from_env({"GENESIS_LLM_PROVIDER": "nope"})


def test_the_key_is_read_at_call_time_and_never_stored(monkeypatch):
    config = LLMConfig("openai", api_key_env="GENESIS_TEST_KEY")
    monkeypatch.delenv("GENESIS_TEST_KEY", raising=False)
    with pytest.raises(LLMError, match="set the environment variable GENESIS_TEST_KEY"):
        config.api_key()
    monkeypatch.setenv("GENESIS_TEST_KEY", "sk-secret")
    assert config.api_key() == "sk-secret"
    assert "sk-secret" not in repr(config)
