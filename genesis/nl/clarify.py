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
import threading
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
from genesis.nl.interpret import Interpretation, check_prompt, check_schema, interpret
from genesis.nl.resolve import Resolver
from genesis.nl.sessions import ClarificationSessions, check_session_id

#: rows drawn from the model to estimate whether conditions can be met
PROBE_ROWS = 2_000
PROBE_SEED = 0
DEFAULT_OPTIONS_N = [100, 1_000, 10_000]

_default_sessions = ClarificationSessions()
_probes: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_probes_lock = threading.Lock()


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
    prompt = check_prompt(prompt)
    schema = check_schema(schema)
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
    previous = state.get("pending", [])
    answered = _answer_pending(prompt, previous, index)
    merged = _merge(state.get("interpretation"), current, answered)
    carried = [
        record
        for record in previous
        if record.get("kind") in ("column", "value")
        and record["term"] not in answered["resolved_terms"]
        and "question" in record
        and not _mentions_columns(current, record)
    ]
    questions, pending = _questions(merged, carried, index, schema, model)
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

_DROP_WORDS = ("drop", "remove", "ignore", "forget", "delete", "skip")


def _answer_pending(
    prompt: str, pending: list[dict[str, Any]], index: SchemaIndex
) -> dict[str, Any]:
    """What the answer settles: conditions for the open column/value questions, the terms
    it answered, and the columns whose conditions it drops ("drop relationship")."""
    out: dict[str, Any] = {"conditions": [], "resolved_terms": set(), "dropped": set()}
    phrases = parse_prompt(prompt)
    words = [p.text for p in phrases if p.kind in ("word", "quoted")]
    text = normalize(prompt)
    for question in pending:
        kind = question.get("kind")
        if kind == "column":
            condition = _answer_column(question, words, text, index)
            if condition is not None:
                out["conditions"].append(condition)
                out["resolved_terms"].add(question["term"])
        elif kind == "value":
            options = [str(o) for o in question.get("labels", [])]
            hit = [o for o in options if normalize(o) == text] or [
                o for o in options if normalize(o) in text
            ]
            if len(hit) == 1:
                label = next(lab for lab in question["labels"] if str(lab) == hit[0])
                op = "ne" if question.get("negated") else "eq"
                out["conditions"].append((question["column"], op, label))
                out["resolved_terms"].add(question["term"])
    # the words of an answer ("wind speed") are the answer, not an unread part of a request
    out["answer_words"] = set(text.split()) if out["resolved_terms"] else set()
    if words and words[0].lower() in _DROP_WORDS:
        for name in index.schema.names:
            if normalize(name) in text:
                out["dropped"].add(name)
        if not out["dropped"]:
            scores = index.score_columns(words[1:])
            if scores:
                best = max(scores.values())
                out["dropped"].update(n for n, v in scores.items() if v == best)
        out["answer_words"] |= set(text.split())  # "drop occupation" is an order
    return out


def _answer_column(
    question: dict[str, Any], words: list[str], text: str, index: SchemaIndex
) -> tuple | None:
    """The condition an answer to "which column did you mean?" settles, or None."""
    candidates = question["candidates"]
    chosen = None
    direct = [c for c in candidates if normalize(c) in text]
    if len(direct) == 1:
        chosen = direct[0]
    labels_by_column = question.get("labels") or {}
    if chosen is None and labels_by_column:  # answered with a label ("Prof-specialty")
        named = [
            c
            for c, labels in labels_by_column.items()
            if any(normalize(str(v)) == text for v in labels)
        ]
        chosen = named[0] if len(named) == 1 else None
    if chosen is None:
        scores = {n: v for n, v in index.score_columns(words).items() if n in candidates}
        if scores:
            best = max(scores.values())
            top = [n for n, v in scores.items() if v == best]
            chosen = top[0] if len(top) == 1 else None
    if chosen is None:
        return None
    if labels_by_column:
        labels = labels_by_column[chosen]
        if question.get("negated"):
            return (chosen, "ne", labels[0]) if len(labels) == 1 else (chosen, "not_in", labels)
        return (chosen, "eq", labels[0]) if len(labels) == 1 else (chosen, "in", labels)
    quantities = [
        Quantity(float(v), str(v), percent=question.get("percent", False))
        for v in question["values"]
    ]
    return Resolver(index).condition_for(
        index.column(chosen), question["op"], quantities, question.get("negated", False)
    )


def _merge(
    stored: Mapping[str, Any] | None, current: Interpretation, answered: dict[str, Any]
) -> Interpretation:
    """The session's reading with this turn's: a new count replaces the old one, new
    conditions replace the old ones on their columns, dropped columns go."""
    base_conditions = ConditionSet()
    n_samples, context = None, None
    if stored:
        n_samples = stored.get("n_samples")
        context = stored.get("data_context")
        base_conditions = ConditionSet.from_dict(stored.get("conditions") or [])
    new: list[Condition] = []
    for condition in [*current.conditions, *(Condition(*c) for c in answered["conditions"])]:
        if condition not in new:
            new.append(condition)
    replaced = {c.column for c in new} | answered["dropped"]
    kept = [c for c in base_conditions if c.column not in replaced]
    conditions = ConditionSet(kept + [c for c in new if c.column not in answered["dropped"]])
    unresolved = [u for u in current.unresolved if not _settled(u, answered)]
    ambiguities = [a for a in current.ambiguities if a["term"] not in answered["resolved_terms"]]
    # an ambiguous term is also listed as unresolved (see interpret): counted once
    unlisted = [a for a in ambiguities if a["term"] not in unresolved]
    confidence = 1.0 - 0.25 * len(unresolved) - 0.2 * len(unlisted)
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
    words = set(normalize(fragment).split())
    return (
        normalize(fragment) in {normalize(t) for t in answered["resolved_terms"]}
        or fragment.lower() in _DROP_WORDS
        or bool(words and words <= answered.get("answer_words", set()))
    )


# --- questions --------------------------------------------------------------------------------


def _questions(
    merged: Interpretation,
    carried: list[dict[str, Any]],
    index: SchemaIndex,
    schema: Any,
    model: Any,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The open questions and the records kept in the session to read their answers.
    ``carried``: earlier column/value questions this turn did not answer."""
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
    asked: set[str] = set()
    for record in carried:
        if record["term"] not in asked:
            asked.add(record["term"])
            questions.append(record["question"])
            pending.append(record)
    for amb in merged.ambiguities:
        if amb["term"] in asked:
            continue
        asked.add(amb["term"])
        question = {
            "field": "conditions",
            "question": f"Which column does {amb['term']!r} refer to?",
            "options": list(amb["candidates"]),
        }
        questions.append(question)
        pending.append({"kind": "column", **_plain(amb), "question": question})
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
        if fragment in refused or fragment in asked:
            continue
        asked.add(fragment)
        question, record = _unseen_value(fragment, index)
        questions.append(question)
        if record:
            pending.append({**record, "question": question})
    if merged.conditions:
        problem = _support_problem(merged.conditions, schema) or (
            _model_problem(merged.conditions, model) if model is not None else None
        )
        if problem:
            questions.append(problem)
            pending.append({"kind": "conditions"})
    return questions, pending


def _mentions_columns(current: Interpretation, record: dict[str, Any]) -> bool:
    """Whether this turn set a condition on a column the open question was about (so the
    user moved on and the question is settled)."""
    columns = set(record.get("candidates") or []) | {record.get("column")}
    return any(c.column in columns for c in current.conditions)


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
    """A seeded sample of the model's rows (synthetic, never real ones), cached per model."""
    with _probes_lock:
        try:
            cached = _probes.get(model)
        except TypeError:  # a model that cannot be weakly referenced: not cached
            cached = None
    if cached is not None:
        return cached
    sample = model.generate(PROBE_ROWS, seed=PROBE_SEED)
    with _probes_lock, contextlib.suppress(TypeError):
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
