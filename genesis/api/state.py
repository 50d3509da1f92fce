"""What one API server holds: settings, datasets and models, rate limits, jobs, sessions;
and the dependency that authenticates and rate-limits each request."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from genesis.api.generation import chunks, encode_stream, write_parquet
from genesis.api.jobs import Job, JobManager
from genesis.api.models import Catalog, ModelCache
from genesis.api.security import Caller, RateLimiter, authenticate
from genesis.api.settings import ApiSettings
from genesis.errors import AuthenticationError

bearer = HTTPBearer(auto_error=False, description="A token of GENESIS_API_TOKENS.")


@dataclass
class ApiState:
    """The parts of one server, built by :func:`genesis.api.create_app`."""

    settings: ApiSettings
    catalog: Catalog
    models: ModelCache
    limiter: RateLimiter
    jobs: JobManager | None = None  # set once the state exists (its write_job does the work)
    _sessions: Any = None
    _sessions_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def sessions(self) -> Any:
        """The server's :class:`genesis.nl.ClarificationSessions` (bounded, with a TTL),
        made on first use so that a server never asked to clarify never loads the parser."""
        with self._sessions_lock:
            if self._sessions is None:
                from genesis.nl import ClarificationSessions

                self._sessions = ClarificationSessions(
                    max_sessions=self.settings.max_sessions,
                    ttl_seconds=self.settings.session_ttl_seconds,
                )
            return self._sessions

    def write_job(self, job: Job, path: Path, progress) -> None:
        """Generate a job's rows into ``path`` chunk by chunk (csv, jsonl or parquet)."""
        model, _ = self.models.get(job.dataset)
        frames = chunks(model, job.n, job.seed, job.conditions, self.settings.stream_chunk_rows)
        done = 0

        def counted():
            nonlocal done
            for frame in frames:
                yield frame
                done += len(frame)
                progress(done)

        if job.format == "parquet":
            write_parquet(counted(), model.schema_, path)
        else:
            with open(path, "wb") as out:
                for piece in encode_stream(counted(), job.format):
                    out.write(piece)


def get_state(request: Request) -> ApiState:
    """The server's :class:`ApiState`."""
    return request.app.state.genesis


def get_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """Authenticate the request and count it against its token's rate limit."""
    state = get_state(request)
    header = None
    if credentials is not None:
        header = f"{credentials.scheme} {credentials.credentials}"
    elif request.headers.get("authorization"):
        header = request.headers["authorization"]
    client = request.client.host if request.client else "unknown"
    try:
        caller = authenticate(header, state.settings.tokens, client)
    except AuthenticationError:
        # failed attempts count against their address, so tokens cannot be guessed at speed
        state.limiter.check(Caller(f"unauthenticated:{client}"))
        raise
    state.limiter.check(caller)
    return caller


__all__ = ["ApiState", "bearer", "get_caller", "get_state"]
