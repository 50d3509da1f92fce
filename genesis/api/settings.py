"""The REST API's settings: bearer tokens, request bounds, rate limit, jobs.

Tokens come from the environment (:data:`TOKENS_ENV`, comma-separated), never from a file
in the repository. With no token the server answers anyone who can reach it, so
:func:`check_bind` refuses every address but 127.0.0.1 then.
"""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, Field

from genesis.errors import UnsafeBindError

#: environment variable holding the accepted bearer tokens, comma-separated
TOKENS_ENV = "GENESIS_API_TOKENS"
#: the only address the server binds to when no token is configured
LOOPBACK = "127.0.0.1"


class ApiSettings(BaseModel):
    """Bounds and behaviour of one API server (every field has a safe default)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tokens: tuple[str, ...] = Field(
        (),
        repr=False,
        description=f"Accepted bearer tokens; empty: no authentication (loopback only). "
        f"Set through {TOKENS_ENV}.",
    )
    max_rows: int = Field(
        100_000,
        gt=0,
        description="Rows one synchronous generation returns at most (json, "
        "parquet and natural-language responses); above it use POST /v1/jobs.",
    )
    max_stream_rows: int = Field(
        1_000_000, gt=0, description="Rows one streamed csv/jsonl generation returns at most."
    )
    max_job_rows: int = Field(10_000_000, gt=0, description="Rows one job generates at most.")
    max_body_bytes: int = Field(
        64 * 1024, gt=0, description="Bytes of a JSON request body at most."
    )
    max_upload_bytes: int = Field(
        32 * 1024 * 1024, gt=0, description="Bytes of a POST /v1/evaluate upload at most."
    )
    max_conditions: int = Field(32, gt=0, description="Conditions one request holds at most.")
    max_prompt_chars: int = Field(2_000, gt=0, description="Characters of a prompt at most.")
    default_nl_rows: int = Field(
        100,
        ge=0,
        description="Rows of a natural-language request whose prompt and body give no count.",
    )
    rate_per_second: float = Field(20.0, gt=0, description="Requests per second per token.")
    rate_burst: float = Field(40.0, gt=0, description="Requests a token may send at once.")
    stream_chunk_rows: int = Field(
        10_000, gt=0, description="Rows generated per chunk (chunk i seeded chunk_seed(seed, i))."
    )
    job_workers: int = Field(1, gt=0, description="Jobs running at the same time.")
    max_jobs: int = Field(
        100,
        gt=0,
        description="Jobs kept (queued, running or finished); the oldest finished "
        "job and its result are dropped beyond it.",
    )
    jobs_dir: str | None = Field(
        None, description="Folder of job results; default: a private temporary folder."
    )
    evaluate_max_rows: int = Field(
        20_000,
        gt=0,
        description="Rows of each uploaded table the quality report scores at "
        "most (a seeded subsample above it).",
    )
    model_check_seconds: float = Field(
        5.0, ge=0, description="Seconds between two checks for a newer materialized model."
    )
    max_sessions: int = Field(1_000, gt=0, description="Clarification sessions kept at most.")
    session_ttl_seconds: float = Field(3_600.0, gt=0, description="Life of a session.")

    @classmethod
    def from_env(cls, **overrides) -> ApiSettings:
        """Settings with the tokens of :data:`TOKENS_ENV` (blank entries ignored)."""
        raw = os.environ.get(TOKENS_ENV, "")
        tokens = tuple(t.strip() for t in raw.split(",") if t.strip())
        return cls(**{"tokens": tokens, **overrides})


def check_bind(host: str, settings: ApiSettings) -> None:
    """Refuse to listen on ``host`` unless it is 127.0.0.1 or tokens are configured."""
    if settings.tokens or host == LOOPBACK:
        return
    raise UnsafeBindError(
        f"refusing to listen on {host!r} with no bearer token configured: anyone who can reach "
        f"that address could generate from the models; set {TOKENS_ENV} (comma-separated "
        f"tokens) or listen on {LOOPBACK}"
    )


__all__ = ["LOOPBACK", "TOKENS_ENV", "ApiSettings", "check_bind"]
