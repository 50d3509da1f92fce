"""Values in a prompt: words matched to category labels (longest run first, negated after
"not"/"except"/"non-"), months, seasons, quarters and parts of the day, yes/no columns, the
top or bottom of range labels ("high earners"), presence ("with rain", "no capital gains"),
and labels the schema did not record when a marker points to their column ("to LAX").

:class:`ValueReader` is the part of :class:`genesis.nl.resolve.Resolver` that reads them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from genesis.nl import lexicon as lx
from genesis.nl.columns import Column, SchemaIndex, canonical, normalize, stem
from genesis.nl.grammar import Phrase

if TYPE_CHECKING:
    from genesis.nl.resolve import Resolved

_PRESENCE = frozenset(["rainy", "raining", "wet", "windy", "gusty"])
_ABSENCE = frozenset(["no", "without", "non", "non-"])
_NONE_LABELS = frozenset(["none", "no", "nothing", "not any"])


def word_of(p: Phrase) -> str:
    """The phrase's text, lowercased."""
    return p.text.lower()


class ValueReader:
    """Reads the value words of a segment (see the module docstring)."""

    index: SchemaIndex

    def _values(
        self, phrases: list[Phrase], consumed: list[bool], connective: str, res: Resolved
    ) -> None:
        """Read the words of one segment the number phrases did not use: each run of words
        is matched to labels longest first; a negation applies to the next value (and to
        the values joined to it by "or"); words naming a column are remembered to choose
        between columns sharing a label; what matches nothing is unresolved."""
        negated = False
        k = 0
        mentioned: list[str] = []
        marker = ""
        tentative: list[tuple[tuple, int]] = []
        unresolved_before = len(res.unresolved)
        conditions_before = len(res.conditions)
        first_value = True
        soft: list[tuple[str, set[str]]] = []
        while k < len(phrases):
            p = phrases[k]
            if p.kind == "member" or (p.kind == "word" and word_of(p) in lx.MARKER_CONCEPTS):
                marker = word_of(p).split()[0]
            if consumed[k]:
                k += 1
                continue
            if p.kind == "negation" and _final_answer(phrases, k):
                p = phrases[k] = Phrase("word", p.text)  # "voted no": the label "no"
            if p.kind == "negation":
                joined = self._negation_label(phrases, consumed, k, mentioned, res)
                if joined:
                    k = joined
                    continue
                negated = True
                k += 1
                continue
            if p.kind in ("member", "or", "other") or (p.kind == "sep"):
                k += 1
                continue
            if p.kind == "number":
                res.unresolved.append(p.text)
                k += 1
                continue
            if p.kind not in ("word", "quoted"):
                k += 1
                continue
            named = self.index.score_columns([word_of(p)])
            if len(named) == 1 and self._label_follows(phrases, k, next(iter(named))):
                # "Remote not remote", "female Male": the column's name, then its label
                mentioned.extend(named)
                res.mentioned.extend(named)
                k += 1
                continue
            if word_of(p) in lx.AGE_GROUPS and not negated:
                group = self._age_group(word_of(p))
                if group is not None:  # "seniors": a default the prompt's numbers override
                    res.vague.append(group)
                    k += 1
                    continue
            # the longest run of words (at most 4) that names labels
            run_end = k
            while (
                run_end < len(phrases)
                and phrases[run_end].kind in ("word", "quoted")
                and not consumed[run_end]
                and run_end - k < 4
            ):
                run_end += 1
            matched = False
            for end in range(run_end, k, -1):
                text = " ".join(ph.text.strip("\"'") for ph in phrases[k:end])
                if end - k == 1 and (_skippable(text) or self._names_column(text)):
                    # "voted yes": a filler word may still be a label of a column just named
                    answer = self._label_of_mentioned(text, negated, mentioned)
                    if answer is not None:
                        res.conditions.append(answer)
                        negated = False
                        k = end
                        matched = True
                    break
                cond = self._value(text, negated, mentioned, res)
                inner = [ph.text for ph in phrases[k:end] if not _skippable(ph.text)]
                ends_are_content = not _skippable(phrases[k].text) and not _skippable(
                    phrases[end - 1].text
                )
                if cond is None and end - k > 2 and ends_are_content and len(inner) < end - k:
                    # "never been married" -> "never married"
                    cond = self._value(" ".join(inner), negated, mentioned, res)
                if cond and first_value and connective in (",", "and", "or", ";"):
                    cond = [_negated_like(c, res.negated_column) for c in cond]
                if cond is not None:
                    first_value = first_value and not cond
                    res.conditions.extend(cond)
                    negated = (
                        negated
                        and k + 1 < len(phrases)
                        and phrases[end : end + 1]
                        and phrases[end].kind == "or"
                    )
                    k = end
                    matched = True
                    break
            if matched:
                continue
            w = word_of(p)
            level = self._level(phrases, consumed, k)
            if level is not None:
                condition, end = level
                res.conditions.append(condition)
                k = end
                continue
            if w in lx.LEVEL_WORDS and k + 1 < len(phrases):
                named = self.index.score_columns([word_of(phrases[k + 1])])
                if named:  # "low visibility (under 3 miles)": read with the number
                    soft.append((p.text, set(named)))
                    k += 1
                    continue
            names = self.index.score_columns([w])
            if names and not _skippable(w):
                best = max(names.values())
                top = [n for n, s in names.items() if s == best]
                mentioned.extend(top)
                res.mentioned.extend(top)
                presence = self._presence(w, top, negated, connective)
                if presence and self._label_follows(phrases, k, presence[0]):
                    presence = None  # "with premium no": the label written after the name
                if presence and _true_label(self.index.column(presence[0])) is not None:
                    res.conditions.append(presence)  # "premium", "non-local": yes/no columns
                    negated = False
                elif presence:
                    tentative.append((presence, len(res.unresolved)))
                    negated = False
            elif not _skippable(w) and not w.startswith("non"):
                free = self._free_label(p.text, marker, negated) or self._un_word(w, negated)
                if free:
                    res.conditions.append(free)
                    negated = False
                else:
                    res.unresolved.append(p.text)
                    negated = False  # "not jazzercise women": the "not" went with the unread word
            elif w.startswith("non-"):
                negated = True
            k += 1
        # "with capital losses" / "no rain" stand for a condition only when nothing else in
        # the segment was left unread ("with clear visibility" is not "visibility > 0")
        conditioned = {c[0] for c in res.conditions}
        res.unresolved.extend(text for text, columns in soft if not columns & conditioned)
        if len(res.unresolved) == unresolved_before:
            # and only for a column the prompt did not bound otherwise
            res.conditions.extend(c for c, _ in tentative if c[0] not in conditioned)
        # "not in Mexico, Canada": a list after a negated value continues the negation
        added = res.conditions[conditions_before:]
        last = added[-1] if added else None
        res.negated_column = last[0] if last and last[1] in ("ne", "not_in") else None

    def _named(self, token: str) -> list[Column]:
        """Numeric columns named ``token`` (``month``), else those with it in their name."""
        cols = self.index.columns_with_token((token,))
        exact = [c for c in cols if c.tokens == [token]]
        return exact or cols

    def _age_group(self, word: str) -> tuple | None:
        cols = [c for c in self._named("age") if c.numeric]
        if len(cols) != 1:
            return None
        op, value = lx.AGE_GROUPS[word]
        return (cols[0].name, op, value)

    def _label_of_mentioned(self, text: str, negated: bool, mentioned: list[str]) -> tuple | None:
        if not mentioned:
            return None
        tier, found = self.index.match_labels(text)
        found = {c: v for c, v in found.items() if c in mentioned}
        if tier != 4 or len(found) != 1:
            return None
        ((name, labels),) = found.items()
        if len(labels) != 1:
            return None
        return (name, "ne" if negated else "eq", labels[0])

    def _level(
        self, phrases: list[Phrase], consumed: list[bool], k: int
    ) -> tuple[tuple, int] | None:
        """ "high earners", "low income", "wealthy": the top or bottom label of a column whose
        labels are ranges; returns the condition and the index after the words used."""
        word = word_of(phrases[k])
        if word not in lx.LEVEL_WORDS:
            return None
        end = k + 1
        words = [word]
        if end < len(phrases) and phrases[end].kind == "word" and not consumed[end]:
            words.append(word_of(phrases[end]))
            end += 1
        scores = {
            name: score
            for name, score in self.index.score_columns(words).items()
            if self.index.column(name).intervals
        }
        if not scores:
            return None
        best = max(scores.values())
        top = [name for name, score in scores.items() if score == best]
        if len(top) != 1:
            return None
        column = self.index.column(top[0])
        order = sorted(
            zip(column.labels, column.intervals, strict=True), key=lambda item: item[1][0]
        )
        label = order[-1][0] if lx.LEVEL_WORDS[word] == "top" else order[0][0]
        used_second = len(words) == 2 and self.index.score_columns(words[1:])
        return (column.name, "eq", label), (end if used_second else k + 1)

    def _label_follows(self, phrases: list[Phrase], k: int, column: str) -> bool:
        """Whether the words after ``k`` (up to three) spell a label of ``column``
        ("premium no", "Remote not remote")."""
        for end in range(k + 2, min(len(phrases), k + 4) + 1):
            chunk = phrases[k + 1 : end]
            if any(ph.kind not in ("word", "quoted", "negation") for ph in chunk):
                break
            text = " ".join(ph.text.strip("\"'") for ph in chunk)
            tier, found = self.index.match_labels(text)
            if tier == 4 and column in found:
                return True
        return False

    def _un_word(self, word: str, negated: bool) -> tuple | None:
        """ "unmarried", "non-smoker": the false label of the yes/no column the rest of the
        word names."""
        for prefix in ("un", "non"):
            rest = word.removeprefix(prefix).lstrip("-")
            if rest == word or len(rest) < 4:
                continue
            names = self.index.score_columns([rest])
            if len(names) != 1:
                continue
            presence = self._presence(rest, list(names), not negated, "")
            if presence is not None and _true_label(self.index.column(presence[0])) is not None:
                return presence
        return None

    def _free_label(self, text: str, marker: str, negated: bool) -> tuple | None:
        """A value for a label column whose labels the schema did not record, when the word
        before it points to one such column ("flights to LAX" -> dest == "LAX")."""
        concepts = lx.MARKER_CONCEPTS.get(marker)
        if not concepts:
            return None
        columns = self.index.unrecorded(concepts)
        if len(columns) != 1:
            return None
        value = lx.AIRPORTS.get(normalize(text), text)  # "Miami" -> "MIA"
        return (columns[0].name, "ne" if negated else "eq", value)

    def _names_column(self, word: str) -> bool:
        """Whether ``word`` names a column more strongly than it names a label ("plan"
        naming the column ``plan`` rather than the label ``Family Plan``)."""
        scores = self.index.score_columns([word])
        if not scores or max(scores.values()) < 2.0:
            return False
        tier, _ = self.index.match_labels(word)
        return tier < 4

    def _negation_label(
        self,
        phrases: list[Phrase],
        consumed: list[bool],
        k: int,
        mentioned: list[str],
        res: Resolved,
    ) -> int | None:
        """A label that starts with a negation word ("Without-pay", "Not-in-family"): the
        index after it when the words from ``k`` spell one exactly, else None."""
        for end in range(min(len(phrases), k + 4), k + 1, -1):
            chunk = phrases[k:end]
            if any(consumed[i] for i in range(k, end)) or not all(
                ph.kind in ("negation", "member", "word") for ph in chunk
            ):
                continue
            text = " ".join(ph.text for ph in chunk)
            tier, found = self.index.match_labels(text)
            if not (tier == 4 and len(found) == 1) and word_of(chunk[0]) in _ABSENCE:
                # "without aura" -> the label "No Aura"
                tier, found = self.index.match_labels(
                    " ".join(["no", *(ph.text for ph in chunk[1:])])
                )
            if tier == 4 and len(found) == 1:
                ((name, labels),) = found.items()
                res.conditions.append(
                    (name, "eq", labels[0]) if len(labels) == 1 else (name, "in", labels)
                )
                return end
        return self._none_label(phrases, consumed, k, res)

    def _none_label(
        self, phrases: list[Phrase], consumed: list[bool], k: int, res: Resolved
    ) -> int | None:
        """ "no medication" / "without medication": the label meaning none ("none") of the
        one label column the next word names."""
        nxt = k + 1
        if word_of(phrases[k]) not in _ABSENCE or nxt >= len(phrases) or consumed[nxt]:
            return None
        if phrases[nxt].kind != "word":
            return None
        names = self.index.score_columns([word_of(phrases[nxt])])
        if not names:
            return None
        best = max(names.values())
        top = [n for n, v in names.items() if v == best]
        if len(top) != 1 or not self.index.column(top[0]).categorical:
            return None
        column = self.index.column(top[0])
        empty = [label for label in column.labels if normalize(str(label)) in _NONE_LABELS]
        if len(empty) != 1:
            return None
        res.conditions.append((column.name, "eq", empty[0]))
        return nxt + 1

    def _presence(self, word: str, top: list[str], negated: bool, connective: str) -> tuple | None:
        """ "no rain" -> precip == 0; "rainy"/"with rain" -> precip > 0 (numeric columns whose
        smallest value is 0)."""
        if len(top) != 1:
            return None
        column = self.index.column(top[0])
        truth = _true_label(column)
        if truth is not None:  # "who churned" / "did not churn" on a yes/no column
            false = [label for label in column.labels if label != truth]
            if negated:
                return (column.name, "eq", false[0]) if len(false) == 1 else None
            return (column.name, "eq", truth)
        if (
            not column.numeric
            or column.schema.minimum is None
            or float(column.schema.minimum) != 0.0
        ):
            return None
        if negated:
            return (column.name, "eq", 0)
        if word in _PRESENCE or connective in ("with", "having"):
            return (column.name, "gt", 0)
        return None

    def _value(
        self, text: str, negated: bool, mentioned: list[str], res: Resolved
    ) -> list[tuple] | None:
        special = self._special_value(text, negated)
        if special:
            return special
        tier, found = self.index.match_labels(text)
        if not found:
            return None
        if tier < 3 and " " in text.strip():
            return None  # several words matching loosely: try them one by one
        if len(found) > 1:
            preferred = [c for c in found if c in mentioned or c in res.mentioned]
            aliased = [c for c in found if _all_aliases(self.index.column(c))]
            if len(preferred) == 1:
                found = {preferred[0]: found[preferred[0]]}
            elif not preferred and len(aliased) == 1 and tier == 4:
                # "men" -> sex "M" rather than region "M": sex's labels are all F/M aliases
                found = {aliased[0]: found[aliased[0]]}
            else:
                res.ambiguities.append(
                    {"term": text, "candidates": list(found), "labels": found, "negated": negated}
                )
                return []
        ((name, labels),) = found.items()
        if negated:
            return [(name, "ne", labels[0])] if len(labels) == 1 else [(name, "not_in", labels)]
        return [(name, "eq", labels[0])] if len(labels) == 1 else [(name, "in", labels)]

    def _special_value(self, text: str, negated: bool) -> list[tuple] | None:
        """Months, seasons and parts of the day, on columns named month / hour."""
        norm = " ".join(stem(t) for t in normalize(text).split())
        if normalize(text) in lx.DAY_GROUPS:
            found = self.index.day_labels(lx.DAY_GROUPS[normalize(text)])
            if found is None:
                return None
            name, labels = found
            return [(name, "not_in" if negated else "in", labels)]
        months = _month_span(norm)
        if months is not None or norm in lx.QUARTERS:
            cols = self._named("month")
            if len(cols) != 1:
                return None
            values = list(months if months is not None else lx.QUARTERS[norm])
            return [(cols[0].name, "not_in" if negated else "in", values)]
        if norm in ("night", "nighttime", "overnight") and not negated:
            cols = [c for c in self.index.columns_with_token(("hour",)) if c.tokens == ["hour"]]
            if len(cols) != 1:
                return None
            return [(cols[0].name, "in", list(lx.NIGHT_HOURS))]
        if norm in lx.MONTHS or norm in lx.SEASONS:
            cols = self._named("month")
            if len(cols) != 1:
                return None
            name = cols[0].name
            if norm in lx.MONTHS:
                return [(name, "ne" if negated else "eq", lx.MONTHS[norm])]
            return [(name, "not_in" if negated else "in", list(lx.SEASONS[norm]))]
        if norm in lx.DAY_PARTS and not negated:
            cols = [c for c in self.index.columns_with_token(("hour",)) if c.tokens == ["hour"]]
            if len(cols) != 1:
                return None
            return [(cols[0].name, "between", lx.DAY_PARTS[norm])]
        return None


def _final_answer(phrases: list[Phrase], k: int) -> bool:
    """Whether the negation word at ``k`` is a last "no" answering a yes/no question
    ("who voted no")."""
    if word_of(phrases[k]) != "no":
        return False
    rest = [p for p in phrases[k + 1 :] if p.kind not in ("sep",)]
    return not rest or rest[0].kind in ("and", "conj")


def _negated_like(condition: tuple, column: str | None) -> tuple:
    """``condition`` negated when it is a plain value of ``column`` (see ``_values``)."""
    name, op, value = condition
    if name != column or op not in ("eq", "in"):
        return condition
    return (name, "ne" if op == "eq" else "not_in", value)


def _month_span(norm: str) -> tuple[int, ...] | None:
    """``"january march"`` (from "January-March" or "January to March") -> 1, 2, 3; the
    span may wrap around the year ("november to february")."""
    words = [w for w in norm.split() if w not in ("to", "through", "thru", "until", "till")]
    if len(words) != 2 or not all(w in lx.MONTHS for w in words) or norm.count(" ") > 2:
        return None
    first, last = lx.MONTHS[words[0]], lx.MONTHS[words[1]]
    if first <= last:
        return tuple(range(first, last + 1))
    return tuple(range(first, 13)) + tuple(range(1, last + 1))


def _all_aliases(column: Column) -> bool:
    """Whether every label of ``column`` is a value alias (F/M, yes/no) of the lexicon."""
    return bool(column.labels) and all(
        any(f.startswith("alias:") for f in forms) for _, forms, _ in column.label_forms
    )


def _true_label(column: Column) -> Any:
    """The label meaning "yes" of a two-label yes/no column, else None."""
    if len(column.labels) != 2:
        return None
    for label in column.labels:
        if label is True or canonical(str(label)) & canonical("yes"):
            return label
    return None


def _skippable(word: str) -> bool:
    if len(word) >= 2 and word.isupper() and word.isalpha():
        return False  # an acronym ("US", "CA") is a value, not a stop word
    w = word.lower()
    return (
        w in lx.INTENSIFIERS
        or w in lx.STOP_WORDS
        or w in lx.COMMAND_WORDS
        or w in lx.ENTITY_WORDS
        or stem(w) in lx.ENTITY_WORDS
        or w in lx.UNIT_WORDS
    )
