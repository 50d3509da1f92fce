"""The REST API (FastAPI): ``genesis serve`` starts it with uvicorn.

``create_app(config_path="genesis.yaml", settings=None, locator=None)`` builds the
application over the datasets of a ``genesis.yaml`` and their latest fitted models:

* ``POST /v1/generate`` (conditions in the ``ConditionSet`` dict format; json, csv and JSON
  Lines streamed chunk by chunk, parquet), ``POST /v1/jobs`` + ``GET /v1/jobs/{id}`` (+
  ``/result``) for large generations in the background;
* ``POST /v1/generate/natural-language`` and ``.../clarify``: a prompt read into conditions
  by :mod:`genesis.nl`, met by the model's exact conditional sampler;
* ``POST /v1/evaluate`` (two uploaded tables -> the quality report, scores only),
  ``GET /v1/datasets`` (columns without real values), ``GET /v1/health``; docs at ``/docs``.

Bearer tokens come from ``GENESIS_API_TOKENS``; without one the server binds to 127.0.0.1
only (:func:`check_bind`). Bounds and the per-token rate limit are :class:`ApiSettings`.
"""

from genesis.api.app import create_app
from genesis.api.models import ArtifactModelLocator, ModelLocator, ModelVersion
from genesis.api.settings import LOOPBACK, TOKENS_ENV, ApiSettings, check_bind

__all__ = [
    "LOOPBACK",
    "TOKENS_ENV",
    "ApiSettings",
    "ArtifactModelLocator",
    "ModelLocator",
    "ModelVersion",
    "check_bind",
    "create_app",
]
