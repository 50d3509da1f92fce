"""Every error as JSON ``{"error": what went wrong, "fix": what to change}``.

:class:`~genesis.errors.GenesisError` subclasses map to HTTP statuses here; request
validation (422), unknown routes (404) and unexpected errors (500) get the same shape. No
handler echoes request values or data: a field problem names the field, not its value, and
an unexpected error names only its type.
"""

from __future__ import annotations

import json
import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from genesis.errors import (
    ApiError,
    DataLoadError,
    GenesisError,
    InfeasibleConditionError,
    InvalidConditionError,
    InvalidDataError,
    InvalidParameterError,
    MemoryBudgetError,
    ModelLoadError,
    NotFittedError,
    RateLimitError,
    SchemaError,
)
from genesis.jsonsafe import finite

logger = logging.getLogger("genesis.api")

# (class, status, fix) in order: the first class an error is an instance of wins
_STATUSES: tuple[tuple[type[GenesisError], int, str], ...] = (
    (
        InfeasibleConditionError,
        422,
        "relax the conditions (see 'alternative'), or drop the least likely one",
    ),
    (
        InvalidConditionError,
        422,
        "correct the conditions: GET /v1/datasets lists each column's kind and labels",
    ),
    (MemoryBudgetError, 413, "ask for fewer rows, or stream them (format csv or jsonl)"),
    (DataLoadError, 422, "upload the tables as CSV, Parquet or JSON Lines files"),
    ((InvalidDataError), 422, "correct the data as the message says"),
    (InvalidParameterError, 422, "correct the parameter as the message says"),
    (SchemaError, 422, "correct the data or the request as the message says"),
    (ModelLoadError, 503, "re-materialize the dataset's synthesis_model"),
    (NotFittedError, 503, "re-materialize the dataset's synthesis_model"),
)

_HTTP_FIXES = {
    400: "send the body as UTF-8 JSON (or multipart form data for /v1/evaluate), as /docs shows",
    404: "check the path: the routes are listed at /docs",
    405: "check the method: the routes and their methods are listed at /docs",
}


def status_and_fix(exc: GenesisError) -> tuple[int, str]:
    """The HTTP status and the fix of a Genesis error."""
    if isinstance(exc, ApiError):
        return exc.status, exc.fix or "see the message"
    for cls, status, fix in _STATUSES:
        if isinstance(exc, cls):
            return status, fix
    return 400, "see the message"


def error_body(exc: GenesisError) -> bytes:
    """The JSON bytes answered for ``exc``."""
    return json.dumps(error_content(exc)).encode("utf-8")


def error_content(exc: GenesisError) -> dict[str, Any]:
    """``{"error", "fix"}`` (and ``probability``/``alternative`` for infeasible conditions)."""
    _, fix = status_and_fix(exc)
    problem = exc.problem if isinstance(exc, ApiError) else str(exc)
    content: dict[str, Any] = {"error": problem, "fix": fix}
    if isinstance(exc, InfeasibleConditionError):
        content["probability"] = finite(getattr(exc, "probability", None))
        alternative = getattr(exc, "alternative", None)
        content["alternative"] = None if alternative is None else str(alternative)
    return content


def _genesis_error(request: Request, exc: GenesisError) -> JSONResponse:
    status, _ = status_and_fix(exc)
    headers = {}
    if isinstance(exc, RateLimitError):
        headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    logger.info("%s %s -> %d %s", request.method, request.url.path, status, type(exc).__name__)
    return JSONResponse(error_content(exc), status_code=status, headers=headers)


def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    details = [
        {
            "field": ".".join(str(p) for p in problem.get("loc", ()) if p != "body") or "body",
            "problem": str(problem.get("msg", "invalid")),
        }
        for problem in exc.errors()
    ]
    where = ", ".join(d["field"] for d in details[:5])
    logger.info("%s %s -> 422 invalid request (%s)", request.method, request.url.path, where)
    return JSONResponse(
        {
            "error": f"the request is not valid: {where}",
            "fix": "correct the fields listed in 'details' (the request schema is at /docs)",
            "details": details,
        },
        status_code=422,
    )


def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    fix = _HTTP_FIXES.get(exc.status_code, "see /docs")
    return JSONResponse(
        {"error": str(exc.detail), "fix": fix},
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """The 500 answer of a bug: its type only (its message could carry values of the data)."""
    logger.error("%s %s -> 500 %s", request.method, request.url.path, type(exc).__name__)
    return JSONResponse(
        {
            "error": f"the server failed on this request ({type(exc).__name__})",
            "fix": "this is a bug in Genesis: report it with the request (not the data)",
        },
        status_code=500,
    )


def install_handlers(app: FastAPI) -> None:
    """Register the JSON error handlers on ``app``."""
    app.add_exception_handler(GenesisError, _genesis_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, unexpected_error)


__all__ = [
    "error_body",
    "error_content",
    "install_handlers",
    "status_and_fix",
    "unexpected_error",
]
