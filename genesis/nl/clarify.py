"""``clarify(prompt, schema, session_id)``: the reading of a prompt plus the questions that
must be answered before generating — only when needed: no count; a term naming several
columns equally; a value not in the data (the closest labels offered); and, with a fitted
``model``, conditions outside the schema's support or of zero estimated probability under
the model. A later prompt in the same session ("500", "use age", "Female") answers the open
questions and merges into the session's reading.
"""

from __future__ import annotations

import contextlib
import difflib
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from genesis.errors import (
    GenesisError,
    InvalidConditionError,
    InvalidParameterError,
)
from genesis.generators.conditional import Condition, ConditionSet
from genesis.generators.conditional_sampling import ConditionalSampler
from genesis.generators.conditional_validation import validate_conditions
from genesis.nl.columns import SchemaIndex, normalize
from genesis.nl.grammar import Quantity, parse_prompt
from genesis.nl.interpret import Interpretation, _check_prompt, _check_schema, interpret
from genesis.nl.resolve import Resolver
from genesis.nl.sessions import ClarificationSessions, check_session_id

#: rows drawn from the model to estimate whether conditions can be met
PROBE_ROWS = 2_000
PROBE_SEED = 0
DEFAULT_OPTIONS_N = [100, 1_000, 10_000]

_default_sessions = ClarificationSessions()
_probes: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass
class Clarification:
    """The reading so far and the questions still open.

    Attributes:
        needs_clarification: whether any question is open.
        questions: ``[{"field": "n_samples" | <column> | "conditions", "question", "options"}]``.
        interpretation: the best reading so far (the session's answers merged in).
        session_id: the id to send the answers with.
    """

    needs_clarification: bool
    questions: list[dict[str, Any]]
    interpretation: Interpretation
    session_id: str

    def to_dict(self) -> dict[str, Any]:
        """``{"needs_clarification", "questions", "interpretation", "session_id"}``, JSON-safe."""
        return {
            "needs_clarification": self.needs_clarification,
            "questions": [dict(q) for q in self.questions],
            "interpretation": self.interpretation.to_dict(),
            "session_id": self.session_id,
        }


def clarify(
    prompt: str,
    schema: Any,
    session_id: str | None = None,
    model: Any = None,
    sessions: ClarificationSessions | None = None,
) -> Clarification:
    """Interpret ``prompt`` within the session ``session_id`` (a new one when None or
    unknown) and list the questions still open (see the module docstring).

    ``model``: an optional fitted generator (``generate(n, seed=...)``); with it, conditions
    of zero estimated probability become a question. ``sessions``: the store (a module-level
    one by default). Raises :class:`InvalidParameterError` for an empty prompt, a schema that
    is not a Schema, a malformed session id or a ``sessions`` that is not a
    :class:`ClarificationSessions`.
    """
    prompt = _check_prompt(prompt)
    schema = _check_schema(schema)
    session_id = check_session_id(session_id)
    if sessions is None:
        sessions = _default_sessions
    elif not isinstance(sessions, ClarificationSessions):
        raise InvalidParameterError(
            f"sessions must be a genesis.nl.ClarificationSessions, got {type(sessions).__name__}"
        )
    if model is not None and not callable(getattr(model, "generate", None)):
        raise InvalidParameterError(
            f"model must be a fitted generator with generate(n, seed=...), got "
            f"{type(model).__name__}"
        )
    state = sessions.get(session_id) or {}
    index = SchemaIndex(schema)
    current = interpret(prompt, schema)
    answered = _answer_pending(prompt, current, state.get("pending", []), index)
    merged = _merge(state.get("interpretation"), current, answered)
    questions, pending = _questions(merged, current, answered, index, schema, model)
    sessions.put(
        session_id,
        {
            "interpretation": {
                "n_samples": merged.n_samples,
                "conditions": [c.to_dict() for c in merged.conditions],
                "data_context": merged.data_context,
            },
            "pending": pending,
        },
    )
    return Clarification(bool(questions), questions, merged, session_id)


# --- answers ----------------------------------------------------------------------------------


def _answer_pending(
    prompt: str, current: Interpretation, pending: list[dict[str, Any]], index: SchemaIndex
) -> dict[str, Any]:
    """Conditions the answer settles for the open questions, and which fragments it used."""
    out: dict[str, Any] = {"conditions": [], "resolved_terms": set(), "n_samples": None}
    words = [p.text for p in parse_prompt(prompt) if p.kind in ("word", "quoted")]
    for question in pending:
        kind = question.get("kind")
        if kind == "column":
            candidates = question["candidates"]
            scores = {
                name: score
                for name, score in index.score_columns(words).items()
                if name in candidates
            }
            direct = [c for c in candidates if normalize(c) in normalize(prompt)]
            chosen = direct[0] if len(direct) == 1 else None
            if chosen is None and scores:
                best = max(scores.values())
                top = [n for n, s in scores.items() if s == best]
                chosen = top[0] if len(top) == 1 else None
            if chosen is None:
                continue
            if "labels" in question:
                labels = question["labels"][chosen]
                op = (
                    ("ne" if len(labels) == 1 else "not_in")
                    if question.get("negated")
                    else ("eq" if len(labels) == 1 else "in")
                )
                condition = (chosen, op, labels[0] if len(labels) == 1 else labels)
            else:
                quantities = [
                    Quantity(float(v), str(v), percent=question.get("percent", False))
                    for v in question["values"]
                ]
                condition = Resolver(index).condition_for(
                    index.column(chosen), question["op"], quantities, question.get("negated", False)
                )
            if condition is not None:
                out["conditions"].append(condition)
                out["resolved_terms"].add(question["term"])
        elif kind == "value":
            options = [str(o) for o in question.get("labels", [])]
            text = normalize(prompt)
            hit = [o for o in options if normalize(o) == text]
            if not hit:
                hit = [o for o in options if normalize(o) in text]
            if len(hit) == 1:
                labels = question.get("labels", [])
                label = next(lab for lab in labels if str(lab) == hit[0])
                op = "ne" if question.get("negated") else "eq"
                out["conditions"].append((question["column"], op, label))
                out["resolved_terms"].add(question["term"])
    return out


def _merge(
    stored: Mapping[str, Any] | None, current: Interpretation, answered: dict[str, Any]
) -> Interpretation:
    base_conditions = ConditionSet()
    n_samples, context = None, None
    if stored:
        n_samples = stored.get("n_samples")
        context = stored.get("data_context")
        base_conditions = ConditionSet.from_dict(stored.get("conditions") or [])
    new = list(current.conditions) + [Condition(*c) for c in answered["conditions"]]
    replaced = {c.column for c in new}
    conditions = ConditionSet([c for c in base_conditions if c.column not in replaced] + new)
    unresolved = [u for u in current.unresolved if not _settled(u, answered)]
    ambiguities = [a for a in current.ambiguities if a["term"] not in answered["resolved_terms"]]
    answers = len(answered["conditions"])
    confidence = current.confidence + 0.25 * answers if answers else current.confidence
    if stored and not current.unresolved and not current.ambiguities:
        confidence = max(confidence, 0.9)
    return Interpretation(
        n_samples=current.n_samples if current.n_samples is not None else n_samples,
        conditions=conditions,
        data_context=current.data_context or context,
        confidence=max(0.05, min(1.0, confidence)),
        unresolved=unresolved,
        ambiguities=ambiguities,
        rejected=list(current.rejected),
    )


def _settled(fragment: str, answered: dict[str, Any]) -> bool:
    return bool(answered["conditions"]) and normalize(fragment) in {
        normalize(t) for t in answered["resolved_terms"]
    }


# --- questions --------------------------------------------------------------------------------


def _questions(
    merged: Interpretation,
    current: Interpretation,
    answered: dict[str, Any],
    index: SchemaIndex,
    schema: Any,
    model: Any,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    questions: list[dict[str, Any]] = []
    pending: list[dict[str, Any]] = []
    if merged.n_samples is None:
        questions.append(
            {
                "field": "n_samples",
                "question": "How many rows should I generate?",
                "options": DEFAULT_OPTIONS_N,
            }
        )
        pending.append({"kind": "n_samples"})
    for amb in merged.ambiguities:
        candidates = amb["candidates"]
        questions.append(
            {
                "field": "conditions",
                "question": f"{amb['term']!r} could mean several columns: which one did you mean?",
                "options": list(candidates),
            }
        )
        pending.append({"kind": "column", **_plain(amb)})
    refused = {r["fragment"] for r in merged.rejected}
    for record in merged.rejected:
        questions.append(
            {
                "field": record["column"],
                "question": f"{record['problem']} Change or drop this condition?",
                "options": [record["alternative"]] if record.get("alternative") else [],
            }
        )
        pending.append({"kind": "conditions"})
    for fragment in merged.unresolved:
        if fragment in refused:
            continue
        question, record = _unseen_value(fragment, index)
        questions.append(question)
        if record:
            pending.append(record)
    if merged.conditions:
        problem = _support_problem(merged.conditions, schema) or (
            _model_problem(merged.conditions, model) if model is not None else None
        )
        if problem:
            questions.append(problem)
            pending.append({"kind": "conditions"})
    return questions, pending


def _plain(amb: dict[str, Any]) -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in amb.items()}


def _unseen_value(
    fragment: str, index: SchemaIndex
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """A question for a fragment that named no column or label: the closest labels offered."""
    labels = index.all_labels()
    forms = {normalize(str(label)): (column, label) for column, label in labels}
    close = difflib.get_close_matches(normalize(fragment), list(forms), n=3, cutoff=0.6)
    if not close:
        return (
            {
                "field": "conditions",
                "question": f"I could not match {fragment!r} to any column or value of the data; "
                "what did you mean (or leave it out)?",
                "options": [],
            },
            None,
        )
    column = forms[close[0]][0]
    options = [forms[c][1] for c in close if forms[c][0] == column]
    return (
        {
            "field": column,
            "question": f"{fragment!r} does not occur in column {column!r}; did you mean one of these?",
            "options": [str(o) for o in options],
        },
        {"kind": "value", "term": fragment, "column": column, "labels": options, "negated": False},
    )


def _support_problem(conditions: ConditionSet, schema: Any) -> dict[str, Any] | None:
    """The schema's own check: unknown labels, empty or out-of-range ranges."""
    try:
        validate_conditions(list(conditions), schema)
    except InvalidConditionError as error:
        alternative = getattr(error, "alternative", None)
        return {
            "field": getattr(error, "column", None) or "conditions",
            "question": f"{error} Change or drop this condition?",
            "options": [alternative] if alternative else [],
        }
    return None


def _probe(model: Any) -> Any:
    try:
        cached = _probes.get(model)
    except TypeError:
        cached = None
    if cached is not None:
        return cached
    sample = model.generate(PROBE_ROWS, seed=PROBE_SEED)
    with contextlib.suppress(TypeError):
        _probes[model] = sample
    return sample


def _model_problem(conditions: ConditionSet, model: Any) -> dict[str, Any] | None:
    """Zero estimated probability on a seeded sample of the model's rows."""
    try:
        sample = _probe(model)
        report = ConditionalSampler(sample).feasibility_report(conditions)
    except GenesisError as error:
        return {
            "field": "conditions",
            "question": f"The model could not check these conditions ({error}); change them?",
            "options": [],
        }
    if report["feasible"]:
        return None
    per = report["per_condition"]
    options = []
    for item in per:
        c = item["condition"]
        options.append(f"drop {c['column']} {c['operator']} {c['value']}")
    return {
        "field": "conditions",
        "question": (
            f"None of {report['rows']} rows drawn from the model satisfies all of "
            f"{conditions}, so their estimated probability is zero; which condition should "
            "I drop or loosen?"
        ),
        "options": options,
    }


__all__ = ["Clarification", "ClarificationSessions", "clarify"]
