"""The FastAPI application: :func:`create_app`."""

from __future__ import annotations

import logging
import os
import time
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request

from genesis.api.handlers import error_content, install_handlers, unexpected_error
from genesis.api.jobs import JobManager
from genesis.api.models import ArtifactModelLocator, ModelCache, ModelLocator, read_catalog
from genesis.api.security import BodyLimit, RateLimiter
from genesis.api.settings import ApiSettings
from genesis.api.state import ApiState

logger = logging.getLogger("genesis.api")

DESCRIPTION = """Synthetic rows from the models the Genesis chain fitted: by conditions or in
plain language, streamed or as background jobs; quality reports of uploaded tables.

Authenticate with `Authorization: Bearer <token>` (a token of `GENESIS_API_TOKENS`; a server
with no token listens on 127.0.0.1 only). Every error is `{"error": ..., "fix": ...}`.
No response holds a real row."""


def create_app(
    config_path: str | os.PathLike[str] = "genesis.yaml",
    settings: ApiSettings | None = None,
    *,
    locator: ModelLocator | None = None,
) -> FastAPI:
    """The REST API over the datasets of ``config_path``.

    Args:
        config_path: the ``genesis.yaml`` listing the datasets.
        settings: tokens and bounds; default :meth:`ApiSettings.from_env`.
        locator: ``locator(dataset) -> ModelVersion | None``, the newest fitted model of a
            dataset (``genesis serve`` passes the Dagster instance's); default: the model
            file of the configuration's local artifact storage
            (:class:`~genesis.api.models.ArtifactModelLocator`).
    """
    from genesis import __version__

    settings = settings or ApiSettings.from_env()
    catalog = read_catalog(config_path)
    if locator is None:
        if catalog.storage_root is None:
            from genesis.errors import ConfigError

            raise ConfigError(
                f"{str(config_path)!r} keeps its artifacts on S3, which the library alone does "
                "not read; start the API with `genesis serve`, which finds the models through "
                "the Dagster instance, or pass a locator"
            )
        locator = ArtifactModelLocator(catalog.storage_root)
    state = ApiState(
        settings=settings,
        catalog=catalog,
        models=ModelCache(catalog, locator, settings.model_check_seconds),
        limiter=RateLimiter(settings.rate_per_second, settings.rate_burst),
    )
    state.jobs = JobManager(
        write=state.write_job,
        describe_error=error_content,
        folder=settings.jobs_dir,
        workers=settings.job_workers,
        max_jobs=settings.max_jobs,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        state.jobs.shutdown()

    app = FastAPI(
        title="Genesis",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.genesis = state
    install_handlers(app)
    app.add_middleware(
        BodyLimit,
        default=settings.max_body_bytes,
        limits={"/v1/evaluate": settings.max_upload_bytes},
    )

    @app.middleware("http")
    async def access_log(request: Request, call_next: Any):
        # method, path, status and time only: never a body, a query value or a token
        start = time.perf_counter()
        try:
            response = await call_next(request)
        except Exception as exc:  # answered here, so no server logs its message or traceback
            response = unexpected_error(request, exc)
        logger.info(
            "%s %s %d %.1f ms",
            request.method,
            request.url.path,
            response.status_code,
            (time.perf_counter() - start) * 1e3,
        )
        return response

    from genesis.api.nl_routes import router as nl_router
    from genesis.api.routes import router

    app.include_router(router)
    app.include_router(nl_router)
    return app


__all__ = ["create_app"]
