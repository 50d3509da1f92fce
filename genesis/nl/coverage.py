"""The coverage invariant: no content word of a prompt is dropped silently.

Every word of the prompt is either a filler (a command, entity, stop, unit or intensifier
word of :mod:`genesis.nl.lexicon`, a connective, a negation), the count or the data context,
consumed by a phrase that became a condition or a question (an ambiguity), or listed in
``unresolved``. :func:`dropped_words` finds the words that are none of these, so
:func:`genesis.nl.interpret` can list them as unresolved (lowering the confidence) instead of
returning a reading that silently ignores part of the request.

A word counts as used by a condition when it names the condition's column, when the words
around it (up to four) spell one of the condition's labels (``"New York"`` -> ``NY``,
``"Miami"`` -> ``MIA``), or when it is a value word of the lexicon (a month, a season, an age
group) whose reading is among the conditions.
"""

from __future__ import annotations

from typing import Any

from genesis.nl import lexicon as lx
from genesis.nl.columns import SchemaIndex, canonical, normalize, stem
from genesis.nl.grammar import Phrase
from genesis.nl.values import _skippable

_CONTENT_KINDS = ("word", "quoted", "number")
_WINDOW_KINDS = ("word", "quoted", "number", "negation", "member")
_WINDOW = 4
_ABSENCE = ("no", "without", "non", "non-")
#: "day 15 of the month", "40 hours a week": a time word after these is the unit of a number
_PER = frozenset(["the", "per", "a", "an", "each", "every"])
_TIME_UNITS = frozenset(["month", "year", "week", "day", "hour", "minute"])


def _labels(conditions: list[tuple[str, str, Any]]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for column, op, value in conditions:
        values = list(value) if op in ("in", "not_in", "between") else [value]
        out.setdefault(column, []).extend(values)
    return out


def dropped_words(
    phrases: list[Phrase],
    used: set[int],
    conditions: list[tuple[str, str, Any]],
    ambiguities: list[dict[str, Any]],
    unresolved: list[str],
    data_context: str | None,
    index: SchemaIndex,
) -> list[str]:
    """The prompt fragments (runs of adjacent content words) nothing accounts for.

    ``used``: indices of the phrases the resolver consumed (the count, number phrases and
    their column and unit words)."""
    labels = _labels(conditions)
    columns = set(labels)
    for amb in ambiguities:
        columns.update(amb.get("candidates") or [])
    unresolved_words = {w for u in unresolved for w in normalize(u).split()}
    label_forms = [(normalize(str(v)), canonical(str(v))) for vs in labels.values() for v in vs]
    covered = [False] * len(phrases)
    for i, p in enumerate(phrases):
        if i in used or p.kind not in _CONTENT_KINDS:
            covered[i] = True
            continue
        text = p.text.strip("\"'")
        norm = normalize(text)
        if (
            p.kind != "number"
            and (_skippable(text) or norm in lx.UNIT_WORDS)
            or not norm
            or (data_context and norm == normalize(data_context))
            or (norm and set(norm.split()) <= unresolved_words)
            or (p.kind != "number" and set(index.score_columns([text], "any")) & columns)
            or (p.kind != "number" and set(index.score_columns([text], "numeric")) & columns)
            or _lexicon_value(norm, columns, index)
            or _un_word(norm, columns, index)
            or (norm in lx.LEVEL_WORDS and _names_next(phrases, i, columns, index))
            or (norm in _TIME_UNITS and i > 0 and normalize(phrases[i - 1].text) in _PER)
            or _made_by(phrases, i, columns, index)
        ):
            covered[i] = True
    # windows of words that spell a label of a condition
    for i in range(len(phrases)):
        for j in range(min(len(phrases), i + _WINDOW), i, -1):
            window = phrases[i:j]
            if any(p.kind not in _WINDOW_KINDS for p in window) or not _content_ends(window):
                continue
            if _spells(window, labels, label_forms, index):
                for k in range(i, j):
                    covered[k] = True
                break
    fragments: list[list[str]] = []
    previous = -2
    for i, p in enumerate(phrases):
        if covered[i]:
            continue
        if i == previous + 1 and fragments:
            fragments[-1].append(p.text)
        else:
            fragments.append([p.text])
        previous = i
    return [" ".join(f) for f in fragments]


def _content_ends(window: list[Phrase]) -> bool:
    """Whether a window starts and ends on content words (or starts with "no"/"without")."""
    first, last = window[0], window[-1]
    starts = (first.kind == "negation" and normalize(first.text) in _ABSENCE) or (
        first.kind in _CONTENT_KINDS and not _skippable(first.text)
    )
    return starts and last.kind in _CONTENT_KINDS and not _skippable(last.text)


def _spells(
    window: list[Phrase],
    labels: dict[str, list[Any]],
    label_forms: list[tuple[str, frozenset[str]]],
    index: SchemaIndex,
) -> bool:
    """Whether the words of ``window`` spell a label or the name of a condition's column:
    as written, without their filler words ("never been married" -> Never-married), with
    "no" for a leading "without" ("without aura" -> No Aura), or run together ("blue
    collar" -> bluecol)."""
    words = [p.text.strip("\"'") for p in window]
    texts = [" ".join(words)]
    inner = [w for w in words if not _skippable(w)]
    if len(inner) < len(words) and inner:
        texts.append(" ".join(inner))
    if len(words) > 1 and normalize(words[0]) in _ABSENCE:
        texts.append(" ".join(["no", *words[1:]]))
    for text in texts:
        norm, forms = normalize(text), canonical(text)
        if any(norm == ln or forms & lf for ln, lf in label_forms):
            return True
        if _label_match(text, labels, index):
            return True
    joined = normalize(" ".join(words)).replace(" ", "")
    return len(window) > 1 and any(
        len(name := "".join(c.tokens)) >= 4 and joined.startswith(name) and c.name in labels
        for c in index.columns
    )


def _names_next(phrases: list[Phrase], i: int, columns: set[str], index: SchemaIndex) -> bool:
    """Whether the word after ``i`` names a condition's column ("low visibility (under
    3 miles)")."""
    nxt = phrases[i + 1] if i + 1 < len(phrases) else None
    return nxt is not None and bool(set(index.score_columns([nxt.text], "numeric")) & columns)


def _made_by(phrases: list[Phrase], i: int, columns: set[str], index: SchemaIndex) -> bool:
    """ "made by Embraer", "operated by Delta": the verb before a "by" marker whose value
    became a condition on a maker/brand/carrier column."""
    nxt = phrases[i + 1] if i + 1 < len(phrases) else None
    if nxt is None or normalize(nxt.text) != "by":
        return False
    concepts = lx.MARKER_CONCEPTS["by"]
    return any(
        set(c.tokens) & set(concepts) or "".join(c.tokens) in concepts
        for c in index.columns
        if c.name in columns
    )


def _un_word(norm: str, columns: set[str], index: SchemaIndex) -> bool:
    """ "unmarried", "nonsmoker": the rest of the word names a condition's column."""
    for prefix in ("un", "non"):
        rest = norm.removeprefix(prefix).strip()
        if rest != norm and len(rest) >= 4 and set(index.score_columns([rest])) & columns:
            return True
    return False


def _label_match(text: str, labels: dict[str, list[Any]], index: SchemaIndex) -> bool:
    """Whether ``text`` matches, as the value reader matches words, a label a condition
    uses ("married" -> Married-civ-spouse)."""
    if _skippable(text):
        return False
    _, found = index.match_labels(text)
    return any(set(map(str, found.get(c, []))) & set(map(str, vs)) for c, vs in labels.items())


def _lexicon_value(norm: str, columns: set[str], index: SchemaIndex) -> bool:
    """A value word of the lexicon read onto a column among the conditions: months, seasons,
    quarters, parts of the day (month / hour columns), age groups, level words ("high
    earners"), day names and groups."""
    word = norm.removesuffix("s") if norm not in lx.MONTHS else norm
    tokens_of = {c.name: set(c.tokens) for c in index.columns if c.name in columns}
    tokens = set().union(*tokens_of.values()) if tokens_of else set()
    if norm in lx.MONTHS or norm in lx.SEASONS or norm in lx.QUARTERS:
        return "month" in tokens
    if stem(norm) in lx.DAY_PARTS or stem(norm) in ("night", "nighttime", "overnight"):
        return "hour" in tokens
    if norm in lx.AGE_GROUPS or word in lx.AGE_GROUPS:
        return "age" in tokens or any("age" in t for t in tokens)
    if norm in lx.LEVEL_WORDS:
        return any(index.column(c).intervals for c in tokens_of)
    if norm in lx.DAY_GROUPS or norm in lx.WEEKDAYS or word in lx.WEEKDAYS:
        days = index.day_labels((1, 2, 3, 4, 5, 6, 7))
        return days is not None and days[0] in columns
    return False


__all__ = ["dropped_words"]
