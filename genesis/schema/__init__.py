"""Schema inference and export: what each column of a table is, and how to write it down.

``infer_schema(df)`` returns a :class:`Schema`; ``restore_types(generated, schema)`` gives a
generated table the source's own types back (Arrow dates, times, decimals, UTC offsets); ``discover(df_or_schema, format=...)`` renders
it as YAML, JSON or a runnable Python snippet. ``LLMSchemaInferrer(provider).infer(df)`` lets an
optional language model name the semantic types the rules left open (``RuleBasedInferrer`` is
the rules alone).
"""

from genesis.schema.export import discover
from genesis.schema.inference import infer_schema
from genesis.schema.llm_inference import LLMSchemaInferrer, RuleBasedInferrer
from genesis.schema.logical import restore_types, to_model_types
from genesis.schema.semantic import detect_semantic_type
from genesis.schema.support import Support, detect_support, off_support
from genesis.schema.types import (
    PII_SEMANTIC_TYPES,
    ColumnKind,
    ColumnSchema,
    DatetimeStorage,
    Schema,
    SemanticType,
)

__all__ = [
    "PII_SEMANTIC_TYPES",
    "ColumnKind",
    "ColumnSchema",
    "DatetimeStorage",
    "LLMSchemaInferrer",
    "RuleBasedInferrer",
    "Schema",
    "SemanticType",
    "Support",
    "detect_semantic_type",
    "detect_support",
    "discover",
    "infer_schema",
    "off_support",
    "restore_types",
    "to_model_types",
]
