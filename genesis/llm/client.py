"""Ask a language model for one JSON object: :func:`complete_json`.

Three wire formats, one function: OpenAI's chat completions (``POST /v1/chat/completions``
with ``response_format={"type": "json_object"}``), Anthropic's messages (``POST
/v1/messages`` with the ``x-api-key`` and ``anthropic-version`` headers), and any server that
speaks the OpenAI format at its own address (llama.cpp's ``llama-server``, vLLM). Every
failure becomes an :class:`~genesis.errors.LLMError` naming the provider, the URL and the
fix; the API key never appears in a message.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from genesis.errors import InvalidParameterError, LLMError, missing_dependency
from genesis.llm.config import LLMConfig

#: the Anthropic API version the request format follows
ANTHROPIC_VERSION = "2023-06-01"
#: answers are small JSON objects; this bounds what a provider may bill and send back
MAX_OUTPUT_TOKENS = 1024
#: at most this much of an error body is quoted in a message
_QUOTED = 200

_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


def endpoint(config: LLMConfig) -> str:
    """The URL a request for ``config`` goes to."""
    path = "/v1/messages" if config.provider == "anthropic" else "/v1/chat/completions"
    return f"{config.base_url}{path}"


def complete_json(config: LLMConfig, system: str, user: str) -> dict[str, Any]:
    """Send one system + user message pair and return the model's answer as a JSON object.

    Args:
        config: the provider to ask (see :class:`~genesis.llm.LLMConfig`); there is no
            default, so no request is ever sent without one.
        system: instructions, including the shape of the JSON wanted.
        user: the request; build any schema part of it with :func:`genesis.llm.schema_payload`.

    Returns:
        The parsed JSON object the model answered with.

    Raises:
        InvalidParameterError: ``config`` is not an :class:`LLMConfig`, or a message is not a
            non-empty string.
        LLMError: the server cannot be reached, does not answer within ``config.timeout``,
            answers with an HTTP error status, or answers with something that is not a JSON
            object.
    """
    if not isinstance(config, LLMConfig):
        raise InvalidParameterError(
            f"config must be a genesis.llm.LLMConfig, got {type(config).__name__}; e.g. "
            "LLMConfig('openai-compatible', base_url='http://127.0.0.1:8080')"
        )
    for name, text in (("system", system), ("user", user)):
        if not isinstance(text, str) or not text.strip():
            raise InvalidParameterError(f"{name} must be a non-empty string, got {text!r}")
    try:
        import httpx
    except ImportError:
        raise missing_dependency("httpx", "asking a language model", extra="api") from None

    url = endpoint(config)
    shown = _shown(url)
    headers, body = _request(config, system, user)
    try:
        response = httpx.post(url, json=body, headers=headers, timeout=config.timeout)
    except httpx.TimeoutException:
        raise LLMError(
            f"the {config.provider} server at {shown} did not answer within {config.timeout:g} s; "
            "check that it is up and not overloaded, or pass a larger timeout",
            config.provider,
            shown,
        ) from None
    except httpx.HTTPError as exc:
        raise LLMError(
            f"cannot reach the {config.provider} server at {shown} ({type(exc).__name__}: "
            f"{_reason(exc)}); check base_url and that the server is running (a local "
            "llama.cpp server: llama-server -m MODEL.gguf --port 8080)",
            config.provider,
            shown,
        ) from None
    if response.status_code >= 400:
        raise LLMError(_status_message(config, shown, response), config.provider, shown)
    text = _answer_text(config, shown, response)
    return _parse_object(config, shown, text)


def _request(config: LLMConfig, system: str, user: str) -> tuple[dict, dict]:
    key = config.api_key()
    if config.provider == "anthropic":
        headers = {"anthropic-version": ANTHROPIC_VERSION, "content-type": "application/json"}
        if key is not None:
            headers["x-api-key"] = key
        body = {
            "model": config.model,
            "max_tokens": MAX_OUTPUT_TOKENS,
            "temperature": 0,
            "system": system,
            "messages": [{"role": "user", "content": user}],
        }
        return headers, body
    headers = {"content-type": "application/json"}
    if key is not None:
        headers["authorization"] = f"Bearer {key}"
    body = {
        "model": config.model,
        "temperature": 0,
        "max_tokens": MAX_OUTPUT_TOKENS,
        "response_format": {"type": "json_object"},
        "messages": [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ],
    }
    return headers, body


def _status_message(config: LLMConfig, shown: str, response) -> str:
    status = response.status_code
    if status in (401, 403):
        fix = (
            f"check the API key in ${config.api_key_env}"
            if config.api_key_env
            else "the server wants an API key: name its variable with api_key_env"
        )
    elif status == 404:
        fix = f"check base_url and the model name {config.model!r}"
    elif status == 429:
        fix = "the provider is rate-limiting or out of quota; wait and retry"
    elif status >= 500:
        fix = "the provider failed; retry later, or check the server's log"
    else:
        fix = "check the model name and that the server speaks the " + (
            "Anthropic messages API" if config.provider == "anthropic" else "OpenAI chat API"
        )
    detail = " ".join(response.text.split())[:_QUOTED]
    return (
        f"the {config.provider} server at {shown} answered HTTP {status}"
        + (f" ({detail})" if detail else "")
        + f"; {fix}"
    )


def _answer_text(config: LLMConfig, shown: str, response) -> str:
    try:
        envelope = response.json()
        if config.provider == "anthropic":
            parts = [p.get("text", "") for p in envelope["content"] if p.get("type") == "text"]
            text = "".join(parts)
        else:
            text = envelope["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        api = "Anthropic messages" if config.provider == "anthropic" else "OpenAI chat completions"
        raise LLMError(
            f"the {config.provider} server at {shown} answered with something that is not an "
            f"{api} response ({' '.join(response.text.split())[:_QUOTED]!r}); check that "
            "base_url points at the API, not a web page or proxy",
            config.provider,
            shown,
        ) from None
    if not isinstance(text, str):
        raise LLMError(
            f"the {config.provider} server at {shown} answered without text content; check "
            "the model supports chat",
            config.provider,
            shown,
        )
    return text


def _parse_object(config: LLMConfig, shown: str, text: str) -> dict[str, Any]:
    fenced = _FENCE.match(text)
    candidate = fenced.group(1) if fenced else text.strip()
    try:
        value = json.loads(candidate)
    except ValueError:
        # some models wrap the object in prose: take the outermost braces once
        start, end = candidate.find("{"), candidate.rfind("}")
        value = None
        if 0 <= start < end:
            try:
                value = json.loads(candidate[start : end + 1])
            except ValueError:
                value = None
    if not isinstance(value, dict):
        raise LLMError(
            f"the model {config.model!r} at {shown} did not answer with a JSON object "
            f"(got {' '.join(text.split())[:_QUOTED]!r}); use a model that follows JSON "
            "instructions (for a local server, one with JSON mode / grammar support)",
            config.provider,
            shown,
        )
    return value


def _reason(exc: Exception) -> str:
    return " ".join(str(exc).split()) or "no detail"


def _shown(url: str) -> str:
    """``url`` without any user or password."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
