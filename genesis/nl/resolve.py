"""From the grammar's phrases to a count, conditions and what could not be mapped.

Steps: the count (a number first in the request or followed by an entity word); the prompt
cut into segments at conjunctions and commas; in each segment, every number phrase takes its
column from the column words next to it (before it, or unit words after it: "50 years old",
"20 mph"), else from its unit ($ -> income-like columns, % -> percentage columns), the
comparison's own word ("older" -> age) or a person's age; the remaining words are matched
against category labels, longest run first, negated after "not"/"except"/"non-".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from genesis.nl import lexicon as lx
from genesis.nl.columns import Column, SchemaIndex, overlaps, stem
from genesis.nl.grammar import Phrase, Quantity
from genesis.nl.units import (
    clock_kind,
    clock_value,
    convert_duration,
    duration_word,
    per_period,
    rate_word,
    working_hours,
)
from genesis.nl.values import ValueReader, word_of

_NUMBER_KINDS = ("comparison", "range", "decade", "number")
_BREAKS = ("and", "sep", "conj")
_SET_WORDS = frozenset(["dataset", "set", "table", "sample", "batch", "total", "of", "with"])
_MONEY_WORDS = ["income", "salary", "earnings", "wage", "price", "pay"]
_PERSON_AGE = ["age"]
_TIME_WORDS = ("after", "before", "since", "later", "earlier", "until")


@dataclass
class Resolved:
    """What the phrases mean against one schema."""

    n_samples: int | None = None
    data_context: str | None = None
    conditions: list[tuple[str, str, Any]] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    ambiguities: list[dict[str, Any]] = field(default_factory=list)
    mentioned: list[str] = field(default_factory=list)
    #: the column of the previous segment's last value when it was negated
    negated_column: str | None = None
    #: conditions from vague words ("seniors"), dropped when the prompt is explicit
    vague: list[tuple[str, str, Any]] = field(default_factory=list)
    #: indices of the phrases consumed by the count and the number phrases (with their
    #: column and unit words), for the coverage check of :mod:`genesis.nl.coverage`
    used: set[int] = field(default_factory=set)


_word = word_of


def _is_unit(p: Phrase | None) -> bool:
    return p is not None and p.kind == "word" and _word(p) in lx.UNIT_WORDS


def find_count(phrases: list[Phrase], res: Resolved, index: SchemaIndex | None = None) -> set[int]:
    """Mark the count phrase; returns the indices it used."""
    for i, p in enumerate(phrases):
        if p.kind != "number":
            continue
        q = p.quantities[0]
        nxt = phrases[i + 1] if i + 1 < len(phrases) else None
        before = phrases[:i]
        leading = all(
            b.kind == "word"
            and (
                _word(b) in lx.COMMAND_WORDS
                or _word(b) in lx.ENTITY_WORDS
                or _word(b) in _SET_WORDS
            )
            for b in before
        )
        entity = nxt is not None and nxt.kind == "word" and _word(nxt) in lx.ENTITY_WORDS
        if q.money or q.percent or not float(q.value).is_integer() or q.value < 1:
            continue
        if (
            (leading and not _is_unit(nxt))
            or (entity and _word(nxt) not in ("hours", "days"))
            or (entity and leading)
        ):
            res.n_samples = int(q.value)
            used = {i}
            if nxt is not None and nxt.kind == "word" and not _is_unit(nxt):
                word = _word(nxt)
                if word in lx.ENTITY_WORDS or (
                    index is not None
                    and word not in lx.AGE_GROUPS
                    and word.endswith("s")
                    and len(word) > 3
                    and not index.match_labels(word)[1]
                    and not index.score_columns([word])
                ):
                    used.add(i + 1)  # the rows' own noun ("flights", "patients")
                    res.data_context = nxt.text
            if res.data_context is None:
                # the first entity word that is no unit of a number ("45 hours a week")
                entity = next(
                    (
                        ph.text
                        for j, ph in enumerate(phrases)
                        if ph.kind == "word"
                        and _word(ph) in lx.ENTITY_WORDS
                        and not (_word(ph) in lx.UNIT_WORDS or _word(ph) in lx.DURATION_UNITS)
                        and not (j and phrases[j - 1].kind in _NUMBER_KINDS)
                    ),
                    None,
                )
                res.data_context = entity
            return used
    return set()


def segments(phrases: list[Phrase], used: set[int]) -> list[list[tuple[int, Phrase]]]:
    """The phrases (with their indices) cut at conjunctions and commas; each segment keeps
    its connective ("with", "who", "and") as its first phrase."""
    out: list[list[tuple[int, Phrase]]] = [[]]
    for i, p in enumerate(phrases):
        if i in used:
            continue
        if p.kind in _BREAKS:
            if out[-1]:
                out.append([])
            out[-1].append((i, p))  # the connective stays as the segment's first phrase
            continue
        out[-1].append((i, p))
    return [s for s in out if s]


class Resolver(ValueReader):
    """Resolves one prompt's phrases against a :class:`SchemaIndex`."""

    def __init__(self, index: SchemaIndex) -> None:
        self.index = index

    def resolve(self, phrases: list[Phrase]) -> Resolved:
        res = Resolved()
        used = find_count(phrases, res, self.index)
        res.used |= used
        for segment in segments(phrases, used):
            self._segment(segment, res)
        res.conditions = _merge(res.conditions)
        explicit = {column for column, _, _ in res.conditions}
        res.conditions += [c for c in res.vague if c[0] not in explicit]
        if res.data_context is None:
            # "100 premium computers with ...": an unread plural noun before the first
            # conjunction names the rows
            head = []
            for i, p in enumerate(phrases):
                if p.kind in _BREAKS or (p.kind in _NUMBER_KINDS and i not in used):
                    break  # the rows' noun comes before the first condition
                before = phrases[i - 1] if i else None
                marked = before is not None and (
                    before.kind in ("member", "negation") or _word(before) in lx.MARKER_CONCEPTS
                )
                if p.kind == "word" and p.text.islower() and not marked and not _time_word(p):
                    head.append(p.text)  # not a name ("from Atlantis")
            plural = next(
                (
                    u
                    for u in res.unresolved
                    if u in head and u.isalpha() and u.lower().endswith("s") and len(u) > 3
                ),
                None,
            )
            if plural is not None:
                res.unresolved.remove(plural)
                res.data_context = plural
        return res

    # --- one segment ----------------------------------------------------------------------

    def _segment(self, segment: list[tuple[int, Phrase]], res: Resolved) -> None:
        phrases = [p for _, p in segment]
        consumed = [False] * len(phrases)
        connective = _word(phrases[0]) if phrases[0].kind in _BREAKS else ""
        for k, p in enumerate(phrases):
            if p.kind in _BREAKS:
                consumed[k] = True
        for k, p in enumerate(phrases):
            if p.kind in _NUMBER_KINDS:
                self._numeric(phrases, consumed, k, res)
        self._values(phrases, consumed, connective, res)
        res.used |= {i for (i, _), done in zip(segment, consumed, strict=True) if done}

    def _subject_words(
        self, phrases: list[Phrase], consumed: list[bool], k: int
    ) -> list[tuple[int, float]]:
        """``(index, weight)`` of the column words around the number phrase ``k``: the
        column words just before it (weight 1), and after it its unit words (weight 0.5:
        "20 mph") and, when nothing before named a column, column words ("40 hours per
        week"; "12 years of education", where the word after "of" names the column)."""
        picked: list[tuple[int, float]] = []
        j = k - 1
        while j >= 0 and phrases[j].kind in ("word", "member", "other") and not consumed[j]:
            w = _word(phrases[j])
            if phrases[j].kind == "other":  # "precipitation (over 0.3 in)"
                j -= 1
                continue
            if phrases[j].kind == "member":
                if phrases[k].kind == "decade" and j == k - 1:
                    j -= 1
                    continue
                break
            if self.index.is_column_word(w, "numeric"):
                # a word that usually names the rows ("days") is weak evidence of a column
                picked.append((j, 0.5 if w in lx.ENTITY_WORDS else 1.0))
            elif not (w in lx.STOP_WORDS and w not in lx.COLUMN_SYNONYMS):
                break
            j -= 1
        before = bool(picked)
        j = k + 1
        after_of = False
        while j < len(phrases) and phrases[j].kind == "word" and not consumed[j]:
            w = _word(phrases[j])
            nxt = _next_content(phrases, j + 1)
            if w == "of":
                after_of = True
            elif w in lx.UNIT_WORDS and not after_of:
                picked.append((j, 0.5))
            elif (
                not before
                and self.index.is_column_word(w, "numeric")
                and (nxt is None or nxt.kind not in _NUMBER_KINDS)
            ):
                if after_of:  # "12 years of education": the column, not the unit
                    picked = [(i, wt) for i, wt in picked if i < k]
                picked.append((j, 1.0))
            elif w not in ("per", "a", "in", "the", "old", "week", "weekly", "day", "daily"):
                break
            j += 1
        return picked

    def _numeric(self, phrases: list[Phrase], consumed: list[bool], k: int, res: Resolved) -> None:
        p = phrases[k]
        negated = k > 0 and phrases[k - 1].kind == "negation" and not consumed[k - 1]
        if self._number_label(phrases, consumed, k, res):
            return
        subject = self._subject_words(phrases, consumed, k)
        words = [_word(phrases[j]) for j, _ in subject]
        duration = duration_word(phrases, k)
        q = working_hours(p, p.quantities)
        clock = any(x.clock for x in q)
        candidates: dict[str, float] = {}
        for j, weight in subject:
            for name, value in self.index.score_columns([_word(phrases[j])], "numeric").items():
                candidates[name] = candidates.get(name, 0.0) + weight * value
        if duration or clock:
            # "over 2 hours" is no time of day; "before 8am" is nothing but one
            candidates = {
                name: score
                for name, score in candidates.items()
                if (clock_kind(self.index.column(name)) in ("hour", "hhmm")) == clock
            }
        if not candidates and p.hint:
            candidates = self.index.score_columns([p.hint], "numeric")
        if not candidates:
            joined = self._joined_name(phrases, consumed, k)
            if joined is not None:
                name, start = joined
                candidates = {name: 1.0}
                subject = [(j, 1.0) for j in range(start, k)]
                words = [_word(phrases[j]) for j in range(start, k)]
        if not candidates:
            candidates = self._default_columns(p, q)
            dated = self._is_year(q) or any(x.date for x in q)
            if p.kind == "number" and not (candidates and dated) and not duration:
                return  # a bare number with nothing naming a column: left for the values pass
        consumed[k] = True
        for j, _ in subject:
            consumed[j] = True
        if duration:
            consumed[k + 1] = True
        if negated:
            consumed[k - 1] = True
        before = [phrases[j].text for j, _ in sorted(subject) if j < k]
        text = " ".join([*before, p.text] + ([duration] if duration else []))
        if not candidates:
            in_range = (
                [] if any(x.date or x.clock for x in q) or duration else self._columns_in_range(q)
            )
            if not in_range:
                res.unresolved.append(text if duration else p.text)
                return
            candidates = dict.fromkeys(in_range, 1.0)  # which one: a question for clarify
        best = max(candidates.values())
        top = [name for name, s in candidates.items() if s == best]
        if clock and len(top) > 1:
            # "departing before 8am": dep_time rather than sched_dep_time (the plainer name)
            fewest = min(len(self.index.column(n).tokens) for n in top)
            plain = [n for n in top if len(self.index.column(n).tokens) == fewest]
            top = plain if len(plain) == 1 else top
        if len(top) > 1:
            # "dep time": dep_time, whose name the words spell whole, over sched_dep_time
            # and "day of year": day_of_year over year (the longest name spelled whole)
            named = {stem(w) for w in words} | set(words) | {"of", "per", "the", "in", "at"}
            whole = [n for n in top if set(self.index.column(n).tokens) <= named]
            longest = max((len(self.index.column(n).tokens) for n in whole), default=0)
            whole = [n for n in whole if len(self.index.column(n).tokens) == longest]
            top = whole if len(whole) == 1 else top
        if len(top) > 1 or not subject and not p.hint and not self._defaulted(p, q, top):
            values = self._duration_values(q, duration, top) if duration else q
            res.ambiguities.append(
                {
                    "term": " ".join(w for w in words if w not in lx.DURATION_UNITS) or text,
                    "candidates": top,
                    "op": p.op or "eq",
                    "values": [x.number() for x in values or q],
                    "percent": any(x.percent for x in q),
                    "negated": negated,
                    "text": text,
                }
            )
            return
        column = self.index.column(top[0])
        if duration:
            q = self._duration_values(q, duration, top)
            if q is None:  # the column's unit is not known: no guess
                res.unresolved.append(text)
                return
            q = per_period(q, rate_word(phrases, k + 2), column.tokens)
        elif clock_kind(column) in ("hour", "hhmm") and all(x.clock for x in q):
            q = [Quantity(float(clock_value(column, x.value)), x.text) for x in q]
        added = self.condition_for(column, p.op or "eq", q, negated)
        if added is None:
            res.unresolved.append(text)
        else:
            res.conditions.append(added)

    def _number_label(
        self, phrases: list[Phrase], consumed: list[bool], k: int, res: Resolved
    ) -> bool:
        """ "black 0", "worked is 1": a number that is a label of the label column named
        just before it (0/1 columns) becomes that label."""
        p = phrases[k]
        plain = p.kind == "number" or (p.kind == "comparison" and p.op == "eq")
        if not plain or len(p.quantities) != 1 or p.quantities[0].money:
            return False
        value = p.quantities[0].value
        j = k - 1
        while j >= 0 and phrases[j].kind == "word" and not consumed[j]:
            w = _word(phrases[j])
            names = self.index.score_columns([w])
            if names:
                best = max(names.values())
                top = [n for n, v in names.items() if v == best]
                column = self.index.column(top[0])
                if len(top) != 1 or not column.categorical:
                    return False
                hits = [
                    label
                    for label in column.labels
                    if isinstance(label, int | float)
                    and not isinstance(label, bool)
                    and float(label) == value
                ]
                if len(hits) != 1:
                    return False
                negated = j > 0 and phrases[j - 1].kind == "negation"
                res.conditions.append((column.name, "ne" if negated else "eq", hits[0]))
                for i in range(j, k + 1):
                    consumed[i] = True
                return True
            if w not in ("is", "are", "was", "of", "equal", "equals", "being", "=", "at"):
                return False
            j -= 1
        return False

    def _joined_name(
        self, phrases: list[Phrase], consumed: list[bool], k: int
    ) -> tuple[str, int] | None:
        """The one numeric column whose name the two words before ``k`` spell run together
        ("air quality above 40" -> airq), and the index of the first word."""
        if k < 2 or not all(phrases[j].kind == "word" and not consumed[j] for j in (k - 2, k - 1)):
            return None
        first = _word(phrases[k - 2])
        joined = first + _word(phrases[k - 1])
        found = [
            c.name
            for c in self.index.columns
            if c.numeric
            and len(name := "".join(c.tokens)) >= 4
            and joined.startswith(name)
            and len(name) > len(first)
        ]
        return (found[0], k - 2) if len(found) == 1 else None

    def _duration_values(
        self, q: list[Quantity], unit: str, columns: list[str]
    ) -> list[Quantity] | None:
        """``q`` written in ``unit`` converted to the unit all ``columns`` share, or None."""
        out = []
        for x in q:
            values = {convert_duration(x.value, unit, self.index.column(n)) for n in columns}
            if len(values) != 1 or None in values:
                return None
            out.append(Quantity(float(values.pop()), x.text))
        return out

    def _is_year(self, q: list[Quantity]) -> bool:
        return all(_year_like(x) for x in q)

    def _defaulted(self, p: Phrase, q: list[Quantity], top: list[str]) -> bool:
        """Whether ``top`` came from a default reading of the number (a person's age, a
        money or percentage column, an hour, a year) rather than from its range alone."""
        return bool(self._default_columns(p, q))

    def _columns_in_range(self, q: list[Quantity]) -> list[str]:
        """Numeric columns whose training range holds every number of ``q``."""
        out = []
        for column in self.index.columns:
            low, high = column.schema.minimum, column.schema.maximum
            if not column.numeric or low is None or high is None:
                continue
            if all(float(low) <= x.value <= float(high) for x in q):
                out.append(column.name)
        return out

    def _default_columns(self, p: Phrase, q: list[Quantity]) -> dict[str, float]:
        if any(x.clock for x in q):
            cols = [c for c in self.index.columns if clock_kind(c) in ("hour", "hhmm")]
            exact = [c for c in cols if c.tokens == ["hour"]]
            return {c.name: 1.0 for c in (exact or cols)}
        if any(x.date for x in q):
            return {c.name: 1.0 for c in self.index.columns if c.date}
        temporal = p.kind != "comparison" or p.text.lower().startswith(_TIME_WORDS)
        if self._is_year(q) and temporal:
            years = [
                c
                for c in self.index.columns_with_token(("year",))
                if c.schema.minimum is not None and float(c.schema.minimum) >= 1800
            ]
            if years:
                return {c.name: 1.0 for c in years}
            dates = [c for c in self.index.columns if c.date]
            if dates:
                return {c.name: 1.0 for c in dates}
        if any(x.money for x in q):
            return self.index.score_columns(_MONEY_WORDS, "numeric")
        if any(x.percent for x in q):
            cols = [
                c
                for c in self.index.columns
                if c.numeric
                and c.schema.maximum is not None
                and c.schema.minimum is not None
                and float(c.schema.minimum) >= 0
                and float(c.schema.maximum) in (1.0, 100.0)
            ]
            return {c.name: 1.0 for c in cols}
        return self.index.score_columns(_PERSON_AGE, "numeric")

    def condition_for(
        self, column: Column, op: str, q: list[Quantity], negated: bool = False
    ) -> tuple[str, str, Any] | None:
        """The condition ``column op q`` (negation flips the comparison)."""
        if column.date:
            return _date_condition(column.name, op, q, negated)
        if any(x.date for x in q):
            return None
        values: list[float] = []
        for x in q:
            v = x.number()
            if (
                x.percent
                and column.numeric
                and column.schema.maximum is not None
                and float(column.schema.maximum) <= 1.0
            ):
                v = x.value / 100.0
            values.append(v)
        if negated:
            flipped = {"gt": "lte", "gte": "lt", "lt": "gte", "lte": "gt", "eq": "ne"}
            if op not in flipped:
                return None
            op = flipped[op]
        if column.intervals is not None:
            keep = [
                label
                for label, interval in zip(column.labels, column.intervals, strict=True)
                if overlaps(interval, "eq" if op == "ne" else op, values)
            ]
            if op == "ne":
                keep = [label for label in column.labels if label not in keep]
            if not keep or len(keep) == len(column.labels):
                return None
            return (column.name, "eq", keep[0]) if len(keep) == 1 else (column.name, "in", keep)
        if not column.numeric and not _numeric_labels(column):
            return None
        if op == "between":  # "between 40 and 30" means the same as "between 30 and 40"
            return (column.name, "between", (min(values), max(values)))
        return (column.name, op, values[0])

    # --- values ---------------------------------------------------------------------------


def _date_condition(name: str, op: str, q: list[Quantity], negated: bool) -> tuple | None:
    """A comparison on a date column: ISO dates as written; a year stands for its whole
    span ("after 2020" -> from 2021-01-01, "in 2021" -> the year's first to last second)."""
    if negated:
        flipped = {"gt": "lte", "gte": "lt", "lt": "gte", "lte": "gt"}
        if op not in flipped:
            return None
        op = flipped[op]
    if any(x.date is None and not _year_like(x) for x in q):
        return None
    if all(x.date is not None for x in q):
        values = [x.date for x in q]
        if op == "between":
            return (name, "between", tuple(values))
        day = values[0]
        if "T" not in day and op in ("eq", "lte", "gt"):  # a day means all of its hours
            if op == "eq":
                return (name, "between", (day, f"{day}T23:59:59"))
            return (name, op, f"{day}T23:59:59")
        return (name, op, day)
    if not all(x.date is None for x in q):
        return None
    years = [int(x.value) for x in q]
    first = f"{years[0]}-01-01"
    after_last = f"{years[-1] + 1}-01-01"
    end = f"{years[-1]}-12-31T23:59:59"
    spans = {
        "gt": (name, "gte", after_last),
        "gte": (name, "gte", first),
        "lt": (name, "lt", first),
        "lte": (name, "lt", after_last),
        "eq": (name, "between", (first, end)),
        "between": (name, "between", (first, end)),
    }
    return spans.get(op)


def _year_like(x: Quantity) -> bool:
    return float(x.value).is_integer() and 1800 <= x.value <= 2100 and not (x.money or x.percent)


def _time_word(p: Phrase) -> bool:
    """A day, month, season or part of the day ("weekends", "mornings"), never the rows."""
    word = _word(p)
    single = stem(word)
    return any(
        w in table
        for w in (word, single)
        for table in (lx.DAY_GROUPS, lx.WEEKDAYS, lx.MONTHS, lx.SEASONS, lx.DAY_PARTS)
    )


def _next_content(phrases: list[Phrase], j: int) -> Phrase | None:
    """The next phrase from ``j`` that is not a filler word."""
    while j < len(phrases):
        p = phrases[j]
        if not (p.kind == "word" and _word(p) in ("of", "a", "the", "per", "is", "are")):
            return p
        j += 1
    return None


def _numeric_labels(column: Column) -> bool:
    return bool(column.labels) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in column.labels
    )


def _merge(conditions: list[tuple[str, str, Any]]) -> list[tuple[str, str, Any]]:
    """Equalities on one label column become one ``in`` (and ``ne`` one ``not_in``); exact
    duplicates go."""
    out: list[tuple[str, str, Any]] = []
    positive: dict[str, list[Any]] = {}
    negative: dict[str, list[Any]] = {}
    order: list[tuple[str, str]] = []
    for column, op, value in conditions:
        if op in ("eq", "in"):
            bucket = positive.setdefault(column, [])
            if not bucket:
                order.append(("pos", column))
            for v in value if op == "in" else [value]:
                if v not in bucket:
                    bucket.append(v)
        elif op in ("ne", "not_in"):
            bucket = negative.setdefault(column, [])
            if not bucket:
                order.append(("neg", column))
            for v in value if op == "not_in" else [value]:
                if v not in bucket:
                    bucket.append(v)
        elif (column, op, value) not in out:
            out.append((column, op, value))
    for sign, column in order:
        values = positive[column] if sign == "pos" else negative[column]
        if sign == "pos":
            out.append((column, "eq", values[0]) if len(values) == 1 else (column, "in", values))
        else:
            out.append(
                (column, "ne", values[0]) if len(values) == 1 else (column, "not_in", values)
            )
    return out
