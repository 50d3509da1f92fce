"""``/v1/generate/natural-language`` and its ``/clarify`` round.

A prompt is read by :func:`genesis.nl.interpret` against the dataset's schema into a typed
condition set, which the model's exact conditional sampler then meets
(``model.generate(n, seed=..., conditions=...)``): the rows come from the model, the prompt
only chooses which. The interpretation comes back with them, so a caller sees how it was read.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from genesis.api.generation import check_condition_count, check_rows, records_json
from genesis.api.routes import ERRORS
from genesis.api.schemas import ClarifyRequest, ClarifyResponse, NLRequest, NLResponse
from genesis.api.security import Caller
from genesis.api.state import ApiState, get_caller, get_state
from genesis.errors import InvalidParameterError, RequestTooLargeError, UnreadPromptError
from genesis.jsonsafe import json_safe

router = APIRouter(prefix="/v1/generate/natural-language")
State = Annotated[ApiState, Depends(get_state)]
Authorized = Annotated[Caller, Depends(get_caller)]


def resolve_dataset(state: ApiState, dataset: str | None, data_context: str | None) -> str:
    """The dataset a prompt is about: ``dataset``; else ``data_context`` when it names a
    configured dataset; else the only dataset configured."""
    names = state.catalog.names
    if dataset is not None:
        return state.catalog.entry(dataset).name
    if data_context is not None and data_context in names:
        return data_context
    if len(names) == 1:
        return names[0]
    raise InvalidParameterError(
        f"the request does not say which dataset to draw from ({len(names)} are configured); "
        f'add "dataset": one of {names}'
    )


def _check_prompt(state: ApiState, prompt: str) -> None:
    limit = state.settings.max_prompt_chars
    if len(prompt) > limit:
        raise RequestTooLargeError(
            f"the prompt has {len(prompt):,} characters; this server reads at most {limit:,}",
            "shorten the prompt: a count, the conditions and the entity are enough",
        )


def interpretation_dict(interpretation: Any) -> dict[str, Any]:
    """An interpretation as JSON-safe data (the reference's short condition format)."""
    return json_safe(interpretation.to_dict())


@router.post(
    "",
    response_model=NLResponse,
    responses=ERRORS,
    summary="Generate rows described in plain language",
)
def generate_natural_language(body: NLRequest, state: State, caller: Authorized) -> Response:
    """``{"prompt": "Generate 1000 people over 50 in Private jobs"}`` -> ``{"data": [...],
    "interpretation": {"n_samples": 1000, "conditions": {"age": [">", 50], ...}}}``. The
    count is the prompt's, else ``n``, else the server's default. A prompt with parts the
    rules cannot read is refused (422, naming them) unless ``allow_unresolved`` is true; then
    those parts are listed in ``interpretation.unresolved`` and not applied."""
    from genesis.nl import interpret

    _check_prompt(state, body.prompt)
    name = resolve_dataset(state, body.dataset, body.data_context)
    model, version = state.models.get(name)
    interpretation = interpret(body.prompt, model.schema_, context=body.data_context)
    if interpretation.unresolved and not body.allow_unresolved:
        raise UnreadPromptError(
            f"parts of the prompt could not be read: {interpretation.unresolved}",
            "rephrase them with the dataset's columns and labels (GET /v1/datasets), ask "
            'POST /v1/generate/natural-language/clarify, or send "allow_unresolved": true to '
            "generate without them",
        )
    n = interpretation.n_samples
    if n is None:
        n = body.n if body.n is not None else state.settings.default_nl_rows
    check_rows(
        n,
        state.settings.max_rows,
        "this prompt",
        "ask for fewer rows, or POST /v1/jobs with the interpretation's conditions",
    )
    conditions = interpretation.conditions if interpretation.conditions else None
    check_condition_count(conditions, state.settings.max_conditions)
    rows = model.generate(n, seed=body.seed, conditions=conditions)
    head = {
        "interpretation": interpretation_dict(interpretation),
        "dataset": name,
        "model_version": version.version,
        "n": n,
        "seed": body.seed,
    }
    content = json.dumps(head)[:-1] + ', "data": ' + records_json(rows) + "}"
    return Response(content.encode("utf-8"), media_type="application/json")


@router.post(
    "/clarify",
    response_model=ClarifyResponse,
    responses=ERRORS,
    summary="Ask what an ambiguous prompt means; answer in the same session",
)
def clarify_natural_language(
    body: ClarifyRequest, state: State, caller: Authorized
) -> dict[str, Any]:
    """The questions an ambiguous or impossible prompt raises (no count, a term matching two
    columns, a value not in the data, a condition the model gives zero probability). Send the
    answer as the next prompt with the same ``session_id``; it merges into the session."""
    from genesis.nl import clarify

    _check_prompt(state, body.prompt)
    name = resolve_dataset(state, body.dataset, body.data_context)
    model, _ = state.models.get(name)
    session_id = _scoped_session(caller, body.session_id)
    result = clarify(
        body.prompt, model.schema_, session_id=session_id, model=model, sessions=state.sessions
    )
    out = json_safe(result.to_dict())
    out["interpretation"] = interpretation_dict(result.interpretation)
    out["session_id"] = _unscoped_session(caller, result.session_id)
    out["dataset"] = name
    return out


# Sessions are stored under "<caller hash>.<id>": one token cannot continue another's session.
def _scope(caller: Caller) -> str:
    return hashlib.sha256(caller.key.encode("utf-8")).hexdigest()[:16] + "."


def _scoped_session(caller: Caller, session_id: str | None) -> str:
    return _scope(caller) + (session_id or secrets.token_hex(16))


def _unscoped_session(caller: Caller, session_id: str) -> str:
    prefix = _scope(caller)
    return session_id[len(prefix) :] if session_id.startswith(prefix) else session_id


__all__ = ["resolve_dataset", "router"]
