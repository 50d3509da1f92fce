"""Typed request and response bodies of the REST API (what /docs shows)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

#: a dataset name as genesis.yaml allows it
DATASET_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
MAX_SEED = 2**63 - 1

Conditions = dict[str, Any] | list[Any] | None


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorResponse(BaseModel):
    """Every error: what went wrong and how to fix it."""

    error: str
    fix: str
    probability: float | None = Field(
        None, description="Infeasible conditions: their estimated share of rows."
    )
    alternative: str | None = Field(
        None, description="Infeasible conditions: the nearest condition that can be met."
    )
    details: list[dict[str, str]] | None = Field(
        None, description="Invalid requests: each field and its problem."
    )


class GenerateRequest(_Request):
    """Rows of a dataset's fitted model, optionally under conditions."""

    dataset: str = Field(pattern=DATASET_PATTERN, max_length=200, examples=["adult"])
    n: int = Field(ge=0, description="Rows to generate.", examples=[100])
    conditions: Conditions = Field(
        None,
        description="Conditions every row meets, in the ConditionSet dict format, e.g. "
        '{"age": [">=", 50], "sex": "Female", "workclass": ["Private", "Self-emp-not-inc"]}.',
        examples=[{"age": [">=", 50]}],
    )
    seed: int = Field(0, ge=0, le=MAX_SEED, description="Same seed, same rows.")
    format: Literal["json", "jsonl", "csv", "parquet"] = Field(
        "json",
        description="json: one JSON document; jsonl and csv: streamed chunk by chunk; parquet: "
        "one file.",
    )


class GenerateResponse(BaseModel):
    """Generated rows (format json)."""

    dataset: str
    model_version: str
    n: int
    seed: int
    data: list[dict[str, Any]]


class InterpretationModel(BaseModel):
    """How a prompt was read."""

    n_samples: int | None
    conditions: dict[str, Any]
    data_context: str | None
    confidence: float
    unresolved: list[str]


class NLRequest(_Request):
    """Rows described in plain language."""

    prompt: str = Field(
        min_length=1,
        max_length=10_000,
        examples=["Generate 1000 people over 50 who are married"],
    )
    data_context: str | None = Field(
        None,
        max_length=200,
        description="The entity the prompt talks about ('customers'), or a dataset name.",
    )
    dataset: str | None = Field(
        None,
        pattern=DATASET_PATTERN,
        max_length=200,
        description="The dataset to draw from; default: data_context when it names one, or "
        "the only dataset configured.",
    )
    seed: int = Field(0, ge=0, le=MAX_SEED)
    n: int | None = Field(
        None, ge=0, description="Rows when the prompt gives no count (server default: 100)."
    )
    allow_unresolved: bool = Field(
        False,
        description="Generate even when parts of the prompt could not be read (they are then "
        "ignored and listed in interpretation.unresolved); default: refuse with 422.",
    )


class NLResponse(BaseModel):
    """Rows from the model's conditional sampler and the interpretation they follow."""

    data: list[dict[str, Any]]
    interpretation: InterpretationModel
    dataset: str
    model_version: str
    n: int
    seed: int


class ClarifyRequest(_Request):
    """A prompt, or an answer to the questions of an earlier turn (same session_id)."""

    prompt: str = Field(min_length=1, max_length=10_000, examples=["Generate some people"])
    session_id: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_.:-]{1,100}$",
        description="The session_id an earlier answer gave; empty: a new session.",
    )
    data_context: str | None = Field(None, max_length=200)
    dataset: str | None = Field(None, pattern=DATASET_PATTERN, max_length=200)


class Question(BaseModel):
    field: str
    question: str
    options: list[Any] = Field(default_factory=list)


class ClarifyResponse(BaseModel):
    needs_clarification: bool
    questions: list[Question]
    session_id: str
    interpretation: InterpretationModel
    dataset: str


class ColumnInfo(BaseModel):
    """A column as the model knows it. Category labels are listed (the model generates them);
    numeric minima and maxima are not: each is one real person's value."""

    name: str
    kind: str
    dtype: str
    semantic_type: str | None = None
    pii: bool = False
    null_share: float | None = Field(None, description="Share of missing values, 2 decimals.")
    cardinality: int | None = None
    categories: list[Any] | None = Field(
        None, description="Labels of a categorical column (not for PII or identifier columns)."
    )


class ModelInfo(BaseModel):
    version: str
    source: str
    materialized_at: float | None = None
    method: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)


class DatasetInfo(BaseModel):
    name: str
    target: str | None = None
    status: Literal["ready", "not materialized", "unavailable"]
    model: ModelInfo | None = None
    columns: list[ColumnInfo] | None = None
    problem: ErrorResponse | None = None


class DatasetsResponse(BaseModel):
    datasets: list[DatasetInfo]


class EvaluateResponse(BaseModel):
    """The quality report of two tables (:meth:`genesis.quality.QualityReport.to_dict`):
    scores in [0, 1] (null: not computable), per-column and per-pair figures; no rows."""

    model_config = ConfigDict(extra="allow")

    overall_score: float | None
    quality_score: float | None
    column_shapes: float | None
    column_pair_trends: float | None
    missing_similarity: float | None
    detection_auc: float | None
    detection_score: float | None
    exact_copy_share: float | None
    n_real: int
    n_synthetic: int
    target: str | None = None
    ml_utility: dict[str, Any] = Field(default_factory=dict)
    column_details: list[dict[str, Any]] = Field(default_factory=list)
    giveaway_columns: list[str] = Field(default_factory=list)


class HealthResponse(BaseModel):
    status: Literal["ok"]
    version: str
    datasets: int
    models_loaded: int
    authentication: bool


class JobRequest(_Request):
    """A generation run in the background, its result downloaded when done."""

    dataset: str = Field(pattern=DATASET_PATTERN, max_length=200, examples=["adult"])
    n: int = Field(ge=1, examples=[1_000_000])
    conditions: Conditions = None
    seed: int = Field(0, ge=0, le=MAX_SEED)
    format: Literal["csv", "jsonl", "parquet"] = "csv"


class JobStatus(BaseModel):
    id: str
    status: Literal["queued", "running", "succeeded", "failed"]
    dataset: str
    n: int
    seed: int
    format: str
    rows_done: int
    progress: float = Field(description="Share of the rows generated, 0 to 1.")
    created_at: float
    finished_at: float | None = None
    result_url: str | None = None
    error: ErrorResponse | None = None


__all__ = [
    "ClarifyRequest",
    "ClarifyResponse",
    "ColumnInfo",
    "DatasetInfo",
    "DatasetsResponse",
    "ErrorResponse",
    "EvaluateResponse",
    "GenerateRequest",
    "GenerateResponse",
    "HealthResponse",
    "InterpretationModel",
    "JobRequest",
    "JobStatus",
    "ModelInfo",
    "NLRequest",
    "NLResponse",
    "Question",
]
