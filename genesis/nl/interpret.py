"""``interpret(prompt, schema)``: a plain-language request as a count and a typed
:class:`~genesis.generators.conditional.ConditionSet`.

    >>> interpretation = interpret("Generate 1000 women over 50 from the US", schema)
    >>> interpretation.to_dict()["conditions"]
    {'age': ['>', 50], 'sex': 'Female', 'native-country': 'United-States'}

The grammar (:mod:`genesis.nl.grammar`) yields phrases; :mod:`genesis.nl.resolve` maps them
to the schema's columns and labels. :func:`validate_interpretation` checks a structured
reading (what an LLM returns) against the schema with the same validation a model applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from genesis.errors import ConditionOutOfRangeError, InvalidConditionError, InvalidParameterError
from genesis.generators.conditional import Condition, ConditionSet
from genesis.generators.conditional_ops import SYMBOLS
from genesis.generators.conditional_validation import validate_conditions
from genesis.jsonsafe import json_safe
from genesis.nl.columns import SchemaIndex
from genesis.nl.coverage import dropped_words
from genesis.nl.grammar import parse_prompt
from genesis.nl.resolve import Resolver
from genesis.schema.types import Schema

MAX_PROMPT_CHARS = 2_000


@dataclass
class Interpretation:
    """What a prompt asks for.

    Attributes:
        n_samples: the number of rows asked for; None when the prompt gives no count.
        conditions: the conditions every row must satisfy (may be empty).
        data_context: the entity word ("customers", "people") or the dataset's name.
        confidence: 0..1; falls with every fragment not mapped and every ambiguity.
        unresolved: the prompt fragments the parser could not map.
        ambiguities: terms that matched several columns (for :func:`genesis.nl.clarify`).
        rejected: conditions the schema's validation refused (a value of the wrong type, an
            operator the column does not support): ``{"fragment", "column", "problem",
            "alternative"}``. Conditions outside the training range are kept in
            ``conditions`` (the reading is right; :func:`genesis.nl.clarify` asks about them).
    """

    n_samples: int | None
    conditions: ConditionSet
    data_context: str | None = None
    confidence: float = 1.0
    unresolved: list[str] = field(default_factory=list)
    ambiguities: list[dict[str, Any]] = field(default_factory=list, repr=False, compare=False)
    rejected: list[dict[str, Any]] = field(default_factory=list, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """``{"n_samples", "conditions", "data_context", "confidence", "unresolved"}``, JSON-safe;
        ``conditions`` in the reference short format (``{"age": [">=", 50], "state": "CA"}``,
        several conditions on one column as a list of ``[op, value]`` pairs), which
        :meth:`ConditionSet.from_dict` reads back."""
        return {
            "n_samples": self.n_samples,
            "conditions": conditions_to_short(self.conditions),
            "data_context": self.data_context,
            "confidence": round(float(self.confidence), 3),
            "unresolved": list(self.unresolved),
        }


def _pair(condition: Condition) -> list[Any]:
    op = SYMBOLS.get(condition.operator, condition.operator)
    value = condition.value
    if isinstance(value, tuple):
        value = list(value)
    return [op, json_safe(value)]


def conditions_to_short(conditions: ConditionSet) -> dict[str, Any]:
    """A condition set in the reference short format (see :meth:`Interpretation.to_dict`)."""
    by_column: dict[str, list[Condition]] = {}
    for condition in conditions:
        by_column.setdefault(condition.column, []).append(condition)
    out: dict[str, Any] = {}
    for column, items in by_column.items():
        if len(items) == 1:
            c = items[0]
            plain = isinstance(c.value, str | int | float | bool) and not (
                isinstance(c.value, str) and _is_operator_word(c.value)
            )
            out[column] = json_safe(c.value) if c.operator == "eq" and plain else _pair(c)
        else:
            out[column] = [_pair(c) for c in items]
    return out


def _is_operator_word(value: str) -> bool:
    from genesis.generators.conditional_ops import normalize_operator

    try:
        normalize_operator(value)
    except InvalidConditionError:
        return False
    return True


def check_schema(schema: Any) -> Schema:
    """``schema`` if it is a :class:`Schema`, else :class:`InvalidParameterError`."""
    if not isinstance(schema, Schema):
        raise InvalidParameterError(
            f"schema must be a genesis.schema.Schema, got {type(schema).__name__}; build one "
            "with genesis.schema.infer_schema(df)"
        )
    return schema


def check_prompt(prompt: Any) -> str:
    """The prompt stripped, or :class:`InvalidParameterError` for an empty, non-string or
    over-long one."""
    if not isinstance(prompt, str) or not prompt.strip():
        raise InvalidParameterError(
            f"prompt must be a non-empty string, got {prompt!r}; write a request such as "
            "'1000 people over 50'"
        )
    if len(prompt) > MAX_PROMPT_CHARS:
        raise InvalidParameterError(
            f"prompt has {len(prompt)} characters, more than {MAX_PROMPT_CHARS}; shorten it"
        )
    return prompt.strip()


def _context_name(context: str | Mapping[str, Any] | None) -> str | None:
    if context is None:
        return None
    if isinstance(context, str):
        return context or None
    if isinstance(context, Mapping):
        value = context.get("data_context") or context.get("dataset")
        return str(value) if value else None
    raise InvalidParameterError(
        f"context must be a string, a dict or None, got {type(context).__name__}"
    )


def interpret(
    prompt: str, schema: Schema, context: str | Mapping[str, Any] | None = None
) -> Interpretation:
    """Read ``prompt`` against ``schema`` (a :class:`genesis.schema.Schema`).

    Never raises for a prompt it cannot read: what it could not map is listed in
    ``unresolved`` and lowers ``confidence``. No content word is dropped silently (see
    :mod:`genesis.nl.coverage`): each is the count, the data context, a filler, part of a
    condition, or listed. A term that matches several columns equally ("delayed": dep_delay
    and arr_delay) is applied to none: it is listed in ``unresolved`` and kept in
    ``ambiguities``, from which :func:`genesis.nl.clarify` asks which column, with the value
    already in the columns' unit ("more than an hour" -> 60 minutes). Durations ("90
    minutes", "2 hours a day") are converted to the column's unit when its name or the
    lexicon gives one, else listed; times of day ("before 8am", "between 9 and 5") are read
    on an hour column or an HHMM column (see :mod:`genesis.nl.units`). Raises :class:`InvalidParameterError` for an
    empty or non-string prompt and for a ``schema`` that is not a Schema. ``context``: the
    data context (a string, or a dict with ``data_context``/``dataset``) used when the
    prompt names none.
    """
    prompt = check_prompt(prompt)
    schema = check_schema(schema)
    default_context = _context_name(context)
    index = SchemaIndex(schema)
    phrases = parse_prompt(prompt)
    res = Resolver(index).resolve(phrases)
    conditions = ConditionSet()
    unresolved = list(res.unresolved)
    # a term matching several columns is a question (clarify asks it); listed here too so a
    # reading never looks complete while part of the request was not applied
    for amb in res.ambiguities:
        if amb["term"] not in unresolved:
            unresolved.append(amb["term"])
    # the coverage invariant: every content word is used, or listed as unresolved
    unresolved += dropped_words(
        phrases, res.used, res.conditions, res.ambiguities, unresolved, res.data_context, index
    )
    rejected: list[dict[str, Any]] = []
    outside = 0
    for column, op, value in res.conditions:
        try:
            condition = Condition(column, op, value)
            validate_conditions([condition], schema)
        except ConditionOutOfRangeError:
            # read right but outside what the data holds ("temperature below 0" when the
            # coldest hour was 11 F): kept, so generating says so; clarify asks about it
            outside += 1
        except InvalidConditionError as error:
            fragment = f"{column} {op} {_show(value)}"
            unresolved.append(fragment)
            rejected.append(
                {
                    "fragment": fragment,
                    "column": column,
                    "problem": str(error),
                    "alternative": getattr(error, "alternative", None),
                }
            )
            continue
        conditions.add(condition)
    confidence = 1.0 - 0.25 * len(unresolved) - 0.2 * outside
    if res.n_samples is None and not conditions:
        confidence = min(confidence, 0.3)
    return Interpretation(
        n_samples=res.n_samples,
        conditions=conditions,
        data_context=res.data_context or default_context,
        confidence=max(0.05, min(1.0, confidence)),
        unresolved=unresolved,
        ambiguities=res.ambiguities,
        rejected=rejected,
    )


def _show(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def validate_interpretation(raw: Mapping[str, Any], schema: Schema) -> Interpretation:
    """A structured reading (what an LLM parser returns) checked against ``schema``.

    ``raw``: ``{"n_samples": int | None, "conditions": <ConditionSet.from_dict short format,
    or a list of {"column", "operator", "value"}>, "data_context": str | None}``. Every column,
    operator and value is checked with
    :func:`genesis.generators.conditional_validation.validate_conditions`; anything wrong
    raises :class:`InvalidConditionError` naming the problem.
    """
    schema = check_schema(schema)
    if not isinstance(raw, Mapping):
        raise InvalidConditionError(
            f"the interpretation must be a JSON object with n_samples, conditions and "
            f"data_context, got {type(raw).__name__}"
        )
    unknown = set(raw) - {"n_samples", "conditions", "data_context", "confidence", "unresolved"}
    if unknown:
        raise InvalidConditionError(
            f"the interpretation has unknown keys {sorted(unknown)}; use only n_samples, "
            "conditions and data_context"
        )
    n = raw.get("n_samples")
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        if isinstance(n, float) and n.is_integer() and n >= 1:
            n = int(n)
        else:
            raise InvalidConditionError(
                f"n_samples must be a positive whole number or null, got {n!r}"
            )
    context = raw.get("data_context")
    if context is not None and not isinstance(context, str):
        raise InvalidConditionError(f"data_context must be a string or null, got {context!r}")
    spec = raw.get("conditions")
    if spec is None or spec == {} or spec == []:
        conditions = ConditionSet()
    else:
        try:
            conditions = ConditionSet.from_dict(spec)
        except InvalidConditionError:
            raise
        except (TypeError, ValueError) as error:
            raise InvalidConditionError(f"cannot read the conditions {spec!r}: {error}") from None
    validate_conditions(list(conditions), schema)
    return Interpretation(
        n_samples=n, conditions=conditions, data_context=context, confidence=1.0, unresolved=[]
    )


__all__ = ["Interpretation", "conditions_to_short", "interpret", "validate_interpretation"]
