"""Optional language-model helpers: a provider configuration, one JSON request, and the one
function that decides what a model may see of a table.

Nothing here ever sends a request on its own: a caller passes an :class:`LLMConfig` (or gets
one from ``GENESIS_LLM_*`` variables with :meth:`LLMConfig.from_env`). A model is a helper
for parsing requests and naming columns, never a source of rows.

    config = LLMConfig("openai-compatible", base_url="http://127.0.0.1:8080")
    answer = complete_json(config, system="Answer in JSON.", user=json.dumps(schema_payload(s)))
"""

from genesis.llm.client import ANTHROPIC_VERSION, complete_json, endpoint
from genesis.llm.config import DEFAULT_MODELS, PROVIDERS, LLMConfig
from genesis.llm.payload import MAX_EXAMPLES, MAX_LABELS, schema_payload

__all__ = [
    "ANTHROPIC_VERSION",
    "DEFAULT_MODELS",
    "MAX_EXAMPLES",
    "MAX_LABELS",
    "PROVIDERS",
    "LLMConfig",
    "complete_json",
    "endpoint",
    "schema_payload",
]
