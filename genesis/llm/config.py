"""Which language model to ask, and where: :class:`LLMConfig`.

Nothing here touches the network. A configuration names the provider, the model, the server
(``base_url``) and the *name* of the environment variable holding the API key; the key itself
is read only when a request is sent, so it never sits in an object that may be printed,
pickled or logged.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from urllib.parse import urlsplit

from genesis.errors import ConfigError, InvalidParameterError

#: the providers Genesis can talk to
PROVIDERS = ("openai", "anthropic", "openai-compatible")

#: where each hosted provider answers when no ``base_url`` is given
DEFAULT_BASE_URLS = {
    "openai": "https://api.openai.com",
    "anthropic": "https://api.anthropic.com",
}

#: the environment variable holding each hosted provider's API key by default
DEFAULT_KEY_VARIABLES = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}

#: small, cheap models: the tasks (parsing a request, naming a column) are short
DEFAULT_MODELS = {
    "openai": "gpt-4o-mini",
    "anthropic": "claude-3-5-haiku-latest",
    "openai-compatible": "local",  # llama.cpp ignores the name; vLLM needs the served one
}

#: the environment variables :meth:`LLMConfig.from_env` reads
ENV_PROVIDER = "GENESIS_LLM_PROVIDER"
ENV_MODEL = "GENESIS_LLM_MODEL"
ENV_BASE_URL = "GENESIS_LLM_BASE_URL"
ENV_KEY_VARIABLE = "GENESIS_LLM_API_KEY_ENV"


@dataclass(frozen=True)
class LLMConfig:
    """A language-model provider to ask for JSON.

    Args:
        provider: ``"openai"`` (chat completions), ``"anthropic"`` (messages) or
            ``"openai-compatible"`` (the OpenAI format at ``base_url``: llama.cpp's
            ``llama-server``, vLLM, Ollama's ``/v1``).
        model: the model's name; ``None`` picks :data:`DEFAULT_MODELS` for the provider.
        base_url: the server, e.g. ``"http://127.0.0.1:8080"`` (a trailing ``/v1`` is
            accepted); required for ``"openai-compatible"``, optional for the hosted ones.
        api_key_env: the name of the environment variable holding the API key; defaults to
            ``OPENAI_API_KEY`` / ``ANTHROPIC_API_KEY``; ``None`` for a local server sends no
            key.
        timeout: seconds to wait for an answer.

    Raises:
        InvalidParameterError: an unknown provider, a missing or malformed ``base_url``, a
            blank model or key variable name, or a timeout that is not a positive number.
    """

    provider: str
    model: str | None = None
    base_url: str | None = None
    api_key_env: str | None = None
    timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.provider not in PROVIDERS:
            raise InvalidParameterError(
                f"unknown LLM provider {self.provider!r}; use one of {list(PROVIDERS)} "
                "(openai-compatible with base_url for a local llama.cpp or vLLM server)"
            )
        model = DEFAULT_MODELS[self.provider] if self.model is None else self.model
        if not isinstance(model, str) or not model.strip():
            raise InvalidParameterError(
                f"model must be a non-empty string, got {self.model!r}; e.g. "
                f"{DEFAULT_MODELS[self.provider]!r}, or leave it out for that default"
            )
        object.__setattr__(self, "model", model.strip())
        object.__setattr__(self, "base_url", _base_url(self.provider, self.base_url))
        key_env = self.api_key_env
        if key_env is None and self.provider in DEFAULT_KEY_VARIABLES:
            key_env = DEFAULT_KEY_VARIABLES[self.provider]
        if key_env is not None and (not isinstance(key_env, str) or not key_env.strip()):
            raise InvalidParameterError(
                f"api_key_env must name an environment variable, got {self.api_key_env!r}; "
                "e.g. 'OPENAI_API_KEY' (the key itself is never passed as an argument)"
            )
        object.__setattr__(self, "api_key_env", key_env.strip() if key_env else None)
        timeout = self.timeout
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not math.isfinite(timeout)
            or timeout <= 0
        ):
            raise InvalidParameterError(
                f"timeout must be a positive number of seconds, got {timeout!r}; e.g. 30.0"
            )
        object.__setattr__(self, "timeout", float(timeout))

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> LLMConfig | None:
        """The configuration in ``GENESIS_LLM_PROVIDER``, ``GENESIS_LLM_MODEL``,
        ``GENESIS_LLM_BASE_URL`` and ``GENESIS_LLM_API_KEY_ENV``; ``None`` when
        ``GENESIS_LLM_PROVIDER`` is unset or empty (then no language model is used).

        Raises:
            ConfigError: the variables name an unknown provider or an unusable URL.
        """
        env = os.environ if environ is None else environ
        provider = (env.get(ENV_PROVIDER) or "").strip()
        if not provider:
            return None
        try:
            return cls(
                provider=provider,
                model=(env.get(ENV_MODEL) or "").strip() or None,
                base_url=(env.get(ENV_BASE_URL) or "").strip() or None,
                api_key_env=(env.get(ENV_KEY_VARIABLE) or "").strip() or None,
            )
        except InvalidParameterError as exc:
            raise ConfigError(f"{ENV_PROVIDER} and friends: {exc}") from None

    def api_key(self) -> str | None:
        """The API key from the environment (``None`` when no key variable is configured).

        Raises:
            LLMError: the configured variable is unset or empty.
        """
        if self.api_key_env is None:
            return None
        key = os.environ.get(self.api_key_env, "").strip()
        if not key:
            from genesis.errors import LLMError

            raise LLMError(
                f"the {self.provider} API key is missing: set the environment variable "
                f"{self.api_key_env} (or name another one with api_key_env / "
                f"{ENV_KEY_VARIABLE})",
                provider=self.provider,
                url=self.base_url,
            )
        return key


def _base_url(provider: str, base_url: str | None) -> str:
    if base_url is None:
        if provider not in DEFAULT_BASE_URLS:
            raise InvalidParameterError(
                "provider 'openai-compatible' needs base_url, the server's address, e.g. "
                "'http://127.0.0.1:8080' for llama.cpp's llama-server or "
                "'http://127.0.0.1:8000' for vLLM"
            )
        return DEFAULT_BASE_URLS[provider]
    if not isinstance(base_url, str):
        raise InvalidParameterError(f"base_url must be a string, got {type(base_url).__name__}")
    url = base_url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidParameterError(
            f"base_url must be an http(s) address such as 'http://127.0.0.1:8080', got {base_url!r}"
        )
    if url.endswith("/v1"):  # both spellings are common: the endpoint paths add /v1 again
        url = url[: -len("/v1")]
    return url
