"""An optional language-model reading of a request: :class:`LLMParser`.

The model receives the request and what :func:`genesis.llm.schema_payload` allows (column
names, kinds, semantic types and the labels of low-cardinality non-PII columns; values of
rows only with ``allow_samples=True``, never of PII columns) and answers with JSON
``{"n_samples", "conditions", "data_context"}``. The answer is checked against the schema by
:func:`genesis.nl.validate_interpretation`, so a condition on a column or label the table does
not have never reaches a model. On any failure (no answer, an error status, not JSON, a
condition that does not fit) the rule parser :func:`genesis.nl.interpret` answers instead,
with an :class:`~genesis.errors.LLMFallbackWarning`.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import pandas as pd

from genesis.errors import GenesisError, InvalidParameterError, LLMFallbackWarning
from genesis.llm import LLMConfig, complete_json, schema_payload
from genesis.schema.types import Schema

#: the fields of the model's answer that are read
ANSWER_KEYS = ("n_samples", "conditions", "data_context")

SYSTEM_PROMPT = """\
You turn a request for synthetic table rows into JSON. The user message is a JSON object with
the request ("request"), optional context ("context") and the table's columns ("columns": name,
kind, and for categorical columns their labels). Answer with exactly one JSON object:
{"n_samples": <integer or null when the request gives no count>,
 "conditions": {<column name>: <condition>, ...},
 "data_context": <the kind of entity asked for, e.g. "customers", or null>}
A condition is a label or number (equality), a list of labels (any of them), or
[operator, value] with operator one of "==", "!=", ">", ">=", "<", "<=", "in", "not_in",
"between" (value [low, high], inclusive). Use only the column names and labels given, spelled
exactly as given. Leave out what you cannot map to a column; never invent columns or labels."""


class LLMParser:
    """Read requests with a language model, checked against the schema, falling back to the
    rules.

    Args:
        provider: ``"openai"``, ``"anthropic"`` or ``"openai-compatible"`` (then give
            ``base_url``), or an :class:`~genesis.llm.LLMConfig`.
        model, base_url, api_key_env, timeout: as :class:`~genesis.llm.LLMConfig`.
        allow_samples: also send value ranges (and, with ``data``, a few sampled values) of
            the non-PII columns. Off by default: the model sees names, kinds and labels only.
        data: the table the sampled values come from (read only when ``allow_samples``).

    Attributes:
        last_source_: ``"llm"`` when the last :meth:`interpret` used the model's answer,
            ``"rules"`` when it fell back.

    Example:
        >>> parser = LLMParser("openai-compatible", base_url="http://127.0.0.1:8080")
        >>> parser.interpret("500 women over 40", schema).conditions
    """

    def __init__(
        self,
        provider: str | LLMConfig,
        model: str | None = None,
        base_url: str | None = None,
        api_key_env: str | None = None,
        allow_samples: bool = False,
        timeout: float = 30.0,
        *,
        data: pd.DataFrame | None = None,
    ) -> None:
        if isinstance(provider, LLMConfig):
            self.config = provider
        else:
            self.config = LLMConfig(provider, model, base_url, api_key_env, timeout)
        if not isinstance(allow_samples, bool):
            raise InvalidParameterError(
                f"allow_samples must be True or False, got {allow_samples!r}"
            )
        if data is not None and not isinstance(data, pd.DataFrame):
            raise InvalidParameterError(
                f"data must be a pandas DataFrame, got {type(data).__name__}"
            )
        self.allow_samples = allow_samples
        self.data = data
        self.last_source_: str | None = None

    def request(self, prompt: str, schema: Schema, context: str | dict | None = None) -> str:
        """The user message sent for ``prompt``: exactly what the provider receives besides
        :data:`SYSTEM_PROMPT`."""
        payload = schema_payload(
            schema, self.allow_samples, data=self.data if self.allow_samples else None
        )
        body: dict[str, Any] = {"request": prompt, "columns": payload["columns"]}
        if context is not None:
            body["context"] = context
        return json.dumps(body, ensure_ascii=False)

    def interpret(self, prompt: str, schema: Schema, context: str | dict | None = None):
        """The :class:`~genesis.nl.Interpretation` of ``prompt`` over ``schema``.

        Raises:
            InvalidParameterError: ``prompt`` is not a non-empty string, ``schema`` is not a
                Schema, or ``context`` is not a string, dict or None (nothing is sent then).
        """
        from genesis.nl import interpret, validate_interpretation

        if not isinstance(prompt, str) or not prompt.strip():
            raise InvalidParameterError(
                f"prompt must be a non-empty string, got {prompt!r}; e.g. '1000 customers over 50'"
            )
        if not isinstance(schema, Schema):
            raise InvalidParameterError(
                f"schema must be a genesis.schema.Schema, got {type(schema).__name__}; build "
                "one with genesis.schema.infer_schema(df)"
            )
        if context is not None and not isinstance(context, str | dict):
            raise InvalidParameterError(
                f"context must be a string, a dict or None, got {type(context).__name__}"
            )
        try:
            raw = complete_json(self.config, SYSTEM_PROMPT, self.request(prompt, schema, context))
            # only the fields asked for: a model's extra commentary is not part of the reading
            raw = {key: raw[key] for key in ANSWER_KEYS if key in raw}
            result = validate_interpretation(raw, schema)
        except (GenesisError, ValueError, TypeError, KeyError) as exc:
            warnings.warn(
                f"the {self.config.provider} model's reading was not used ({exc}); the rule "
                "parser answered instead",
                LLMFallbackWarning,
                stacklevel=2,
            )
            self.last_source_ = "rules"
            return interpret(prompt, schema, context)
        self.last_source_ = "llm"
        return result
