"""``/v1/generate``, ``/v1/jobs``, ``/v1/datasets``, ``/v1/health`` and ``/v1/evaluate``."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import FileResponse, Response, StreamingResponse

from genesis.api.generation import (
    MEDIA_TYPES,
    check_rows,
    chunks,
    encode_stream,
    json_document,
    parquet_bytes,
    read_conditions,
)
from genesis.api.handlers import error_content
from genesis.api.schemas import (
    ColumnInfo,
    DatasetInfo,
    DatasetsResponse,
    ErrorResponse,
    EvaluateResponse,
    GenerateRequest,
    GenerateResponse,
    HealthResponse,
    JobRequest,
    JobStatus,
    ModelInfo,
)
from genesis.api.security import Caller
from genesis.api.state import ApiState, get_caller, get_state
from genesis.errors import (
    DataLoadError,
    InvalidParameterError,
    ModelNotMaterializedError,
    ModelUnavailableError,
)

#: error responses every authenticated route can give (documented for /docs and clients)
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": text}
    for status, text in {
        400: "The body could not be parsed (not UTF-8 JSON or form data).",
        401: "No or unknown bearer token.",
        404: "Unknown dataset or job.",
        413: "Over a bound of the server (rows, body, conditions).",
        422: "Invalid request or conditions.",
        429: "Rate limit: retry after the Retry-After header's seconds.",
        503: "The dataset has no fitted model yet.",
    }.items()
}

#: category labels are listed for columns with at most this many
MAX_LISTED_LABELS = 100

router = APIRouter(prefix="/v1")
State = Annotated[ApiState, Depends(get_state)]
Authorized = Annotated[Caller, Depends(get_caller)]


@router.post(
    "/generate",
    response_model=GenerateResponse,
    responses={
        **ERRORS,
        200: {
            "description": "json: the rows in 'data'; jsonl and csv: streamed text; parquet: "
            "a Parquet file.",
            "content": {
                "application/x-ndjson": {"schema": {"type": "string"}},
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.apache.parquet": {
                    "schema": {"type": "string", "format": "binary"}
                },
            },
        },
    },
    summary="Generate rows of a dataset's model, optionally under conditions",
)
def generate(body: GenerateRequest, state: State, caller: Authorized) -> Response:
    """``n`` rows of the dataset's latest model. Chunk ``i`` of ``stream_chunk_rows`` rows is
    drawn with ``chunk_seed(seed, i)``, so every format gives the same rows. csv and jsonl
    stream chunk by chunk (up to ``max_stream_rows``); json and parquet hold at most
    ``max_rows``; above that, POST /v1/jobs."""
    settings = state.settings
    streamed = body.format in ("csv", "jsonl")
    limit = settings.max_stream_rows if streamed else settings.max_rows
    fix = (
        "ask for fewer rows, stream them (format csv or jsonl), or run a job: POST /v1/jobs"
        if not streamed
        else "ask for fewer rows, or run a job: POST /v1/jobs"
    )
    check_rows(body.n, limit, "this request", fix)
    model, version = state.models.get(body.dataset)
    conditions = read_conditions(body.conditions, model, settings.max_conditions)
    frames = chunks(model, body.n, body.seed, conditions, settings.stream_chunk_rows)
    headers = {"X-Genesis-Model-Version": version.version}
    if streamed:
        return StreamingResponse(
            encode_stream(frames, body.format), media_type=MEDIA_TYPES[body.format], headers=headers
        )
    if body.format == "parquet":
        headers["Content-Disposition"] = f'attachment; filename="{body.dataset}.parquet"'
        return Response(
            parquet_bytes(frames, model.schema_), media_type=MEDIA_TYPES["parquet"], headers=headers
        )
    head = {
        "dataset": body.dataset,
        "model_version": version.version,
        "n": body.n,
        "seed": body.seed,
    }
    content = b"".join(json_document(frames, head))
    return Response(content, media_type=MEDIA_TYPES["json"], headers=headers)


@router.post(
    "/jobs",
    response_model=JobStatus,
    status_code=202,
    responses=ERRORS,
    summary="Start a large generation in the background",
)
def create_job(body: JobRequest, state: State, caller: Authorized) -> dict[str, Any]:
    """Queue ``n`` rows (up to ``max_job_rows``) as a csv, jsonl or parquet file; poll
    GET /v1/jobs/{id} and download GET /v1/jobs/{id}/result."""
    settings = state.settings
    check_rows(body.n, settings.max_job_rows, "this job", "split it into several jobs")
    model, _ = state.models.get(body.dataset)
    conditions = read_conditions(body.conditions, model, settings.max_conditions)
    job = state.jobs.submit(caller.key, body.dataset, body.n, body.seed, body.format, conditions)
    return job.to_dict()


@router.get(
    "/jobs/{job_id}", response_model=JobStatus, responses=ERRORS, summary="A job's progress"
)
def job_status(job_id: str, state: State, caller: Authorized) -> dict[str, Any]:
    """Status, rows written, progress (0 to 1); ``result_url`` once it succeeded."""
    return state.jobs.get(caller.key, job_id).to_dict()


@router.get(
    "/jobs/{job_id}/result",
    response_class=FileResponse,
    responses={
        **ERRORS,
        409: {"model": ErrorResponse, "description": "The job has not finished, or failed."},
    },
    summary="Download a finished job's rows",
)
def job_result(job_id: str, state: State, caller: Authorized) -> FileResponse:
    """The job's file (csv, jsonl or parquet)."""
    job = state.jobs.result(caller.key, job_id)
    return FileResponse(
        job.path,
        media_type=MEDIA_TYPES[job.format],
        filename=f"{job.dataset}-{job.id}{job.path.suffix}",
    )


@router.get(
    "/datasets", response_model=DatasetsResponse, responses=ERRORS, summary="Configured datasets"
)
def datasets(state: State, caller: Authorized) -> dict[str, Any]:
    """Each dataset of genesis.yaml, its latest model version and its columns (kinds and
    category labels; no value of any row: numeric minima and maxima are left out)."""
    out = []
    for entry in state.catalog.datasets:
        info: dict[str, Any] = {"name": entry.name, "target": entry.target}
        try:
            model, version = state.models.get(entry.name)
        except ModelUnavailableError as exc:
            missing = isinstance(exc, ModelNotMaterializedError)
            info.update(
                status="not materialized" if missing else "unavailable",
                problem=error_content(exc),
            )
        else:
            info.update(
                status="ready",
                model=ModelInfo(
                    version=version.version,
                    source=version.source,
                    materialized_at=version.materialized_at,
                    method=str(getattr(model, "method", "")) or None,
                    details=version.details,
                ),
                columns=[column_info(c) for c in model.schema_],
            )
        out.append(DatasetInfo(**info))
    return {"datasets": out}


def column_info(column: Any) -> ColumnInfo:
    """A schema column without real values: kind, type, null share, category labels."""
    kind = getattr(column.kind, "value", column.kind)
    labels = None
    if (
        kind in ("categorical", "boolean")
        and not column.pii
        and column.categories is not None
        and len(column.categories) <= MAX_LISTED_LABELS
    ):
        labels = json.loads(json.dumps(list(column.categories), default=str))
    semantic = getattr(column.semantic_type, "value", column.semantic_type)
    return ColumnInfo(
        name=column.name,
        kind=str(kind),
        dtype=str(column.dtype),
        semantic_type=semantic,
        pii=bool(column.pii),
        null_share=round(float(column.null_share), 2),
        cardinality=int(column.cardinality),
        categories=labels,
    )


@router.get("/health", response_model=HealthResponse, summary="Is the server up")
def health(state: State) -> dict[str, Any]:
    """Up, its version, datasets configured, models in memory (no authentication)."""
    from genesis import __version__

    return {
        "status": "ok",
        "version": __version__,
        "datasets": len(state.catalog.datasets),
        "models_loaded": state.models.loaded(),
        "authentication": bool(state.settings.tokens),
    }


@router.post(
    "/evaluate",
    response_model=EvaluateResponse,
    responses=ERRORS,
    summary="Score a synthetic table against a real one",
)
def evaluate(
    state: State,
    caller: Authorized,
    real: Annotated[UploadFile, File(description="The real table (csv, parquet, jsonl).")],
    synthetic: Annotated[UploadFile, File(description="The synthetic table, same columns.")],
    target: Annotated[str | None, Form(description="Column for the ML-utility score.")] = None,
    seed: Annotated[int, Form(ge=0, le=2**63 - 1)] = 0,
) -> dict[str, Any]:
    """The quality report of :class:`genesis.quality.QualityEvaluator` (fidelity,
    detectability, copies, ML utility): figures only, no row of either table. The uploads are
    read from private temporary files that are deleted at once."""
    from genesis.quality import QualityEvaluator

    with tempfile.TemporaryDirectory(prefix="genesis-evaluate-") as folder:
        real_df = _read_upload(real, Path(folder), "real")
        synthetic_df = _read_upload(synthetic, Path(folder), "synthetic")
    if target is not None and target not in real_df.columns:
        raise InvalidParameterError(
            f"target {target!r} is not a column of the real table; use one of "
            f"{[str(c) for c in real_df.columns][:30]} or leave it out"
        )
    report = QualityEvaluator(
        real_df,
        synthetic_df,
        target=target or None,
        seed=seed,
        max_rows=state.settings.evaluate_max_rows,
    ).evaluate()
    return report.to_dict()


def _read_upload(upload: UploadFile, folder: Path, name: str):
    from genesis.io import read_table

    suffix = Path(upload.filename or "").suffix.lower()
    if suffix not in (".csv", ".parquet", ".jsonl", ".json", ".tsv"):
        suffix = ".csv"
    path = folder / f"{name}{suffix}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        while piece := upload.file.read(1 << 20):
            out.write(piece)
    try:
        return read_table(str(path))
    except DataLoadError as exc:  # name the upload, not the server's temporary file
        raise DataLoadError(str(exc).replace(str(path), f"the uploaded {name!r} table")) from None


__all__ = ["ERRORS", "column_info", "router"]
