"""What the schema offers the prompt parser: each column's name tokens, its labels in matchable
form, and the numeric ranges written as labels (``"<=50K"``, ``">50K"``, ``"18-25"``).

:class:`SchemaIndex` scores prompt words against column names (tokens split on ``-``/``_``/
camel case, the generic synonyms of :mod:`genesis.nl.lexicon`, prefixes such as
``visibility`` -> ``visib``) and matches value phrases against category labels (case, plural,
prefix and token overlap, value aliases, US state names and codes, airport names and codes).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from genesis.nl import lexicon as lx
from genesis.schema.types import ColumnKind, ColumnSchema, Schema

NUMERIC = (ColumnKind.INTEGER, ColumnKind.CONTINUOUS)
LABELS = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)
_SKIP = (ColumnKind.IDENTIFIER, ColumnKind.TEXT)
_STATE_CODES = {code.lower(): name for name, code in lx.US_STATES.items()}
_AIRPORT_CODES = frozenset(lx.AIRPORTS.values())
_AIRLINE_CODES = frozenset(lx.AIRLINES.values())
_ALIAS_GROUP = {word: i for i, group in enumerate(lx.VALUE_ALIASES) for word in group}
_INTERVAL = re.compile(
    r"^\s*(?P<op><=|>=|<|>|=<|=>)\s*[$€£]?(?P<a>[\d.,]+)\s*(?P<ua>[kmb]?)\s*$"
    r"|^\s*[$€£]?(?P<b>[\d.,]+)\s*(?P<ub>[kmb]?)\s*(?:-|–|to)\s*[$€£]?(?P<c>[\d.,]+)\s*(?P<uc>[kmb]?)\s*$"
    r"|^\s*[$€£]?(?P<d>[\d.,]+)\s*(?P<ud>[kmb]?)\s*\+\s*$",
    re.IGNORECASE,
)


def split_name(name: str) -> list[str]:
    """``"hours-per-week"``, ``"wind_speed"``, ``"nativeCountry"`` -> lowercase tokens."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(name))
    return [t for t in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if t]


def stem(word: str) -> str:
    """A crude singular: ``wives`` -> ``wife``, ``salaries`` -> ``salary``, ``hours`` -> ``hour``."""
    w = word.lower()
    if len(w) > 4 and w.endswith("ives"):
        return w[:-3] + "fe"
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("ches", "shes", "sses", "xes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def normalize(text: str) -> str:
    """Lowercase words separated by single spaces (``-``, ``_``, ``/`` and ``.`` dropped)."""
    text = str(text).lower().replace("’", "'").replace("'s", "s").replace("'", "")
    text = re.sub(r"(?<=\w)\.(?=\w)", "", text).replace(".", "")
    return " ".join(t for t in re.split(r"[\s\-_/,()]+", text) if t)


def canonical(text: str) -> frozenset[str]:
    """The forms two spellings of one value share: state names and codes, airport and
    airline names and codes, value aliases, singular words. Two spellings mean the same
    value when their forms intersect."""
    norm = normalize(text)
    forms = {" ".join(stem(t) for t in norm.split())}
    upper = norm.upper()
    if norm in lx.US_STATES:
        forms.add("state:" + lx.US_STATES[norm].lower())
    if norm in _STATE_CODES:
        forms.add("state:" + norm)
    if norm in lx.AIRPORTS:
        forms.add("airport:" + lx.AIRPORTS[norm].lower())
    if upper in _AIRPORT_CODES:
        forms.add("airport:" + norm)
    if norm in lx.AIRLINES:
        forms.add("airline:" + lx.AIRLINES[norm].lower())
    if upper in _AIRLINE_CODES:
        forms.add("airline:" + norm)
    if norm in _ALIAS_GROUP:
        forms.add(f"alias:{_ALIAS_GROUP[norm]}")
    day = lx.WEEKDAYS.get(norm) or lx.WEEKDAYS.get(norm.removesuffix("s"))
    if day:  # "Friday", "Fri", "fridays"
        forms.add(f"weekday:{day}")
    return frozenset(forms)


def _number(text: str, unit: str) -> float:
    value = float(text.replace(",", ""))
    return value * lx.SUFFIX_MULTIPLIERS.get(unit.lower(), 1)


def label_interval(label: Any) -> tuple[float, float, bool, bool] | None:
    """``(low, high, low_closed, high_closed)`` of a label written as a range, else None."""
    if not isinstance(label, str):
        return None
    m = _INTERVAL.match(label)
    if m is None:
        return None
    if m.group("op"):
        v = _number(m.group("a"), m.group("ua"))
        op = m.group("op").replace("=<", "<=").replace("=>", ">=")
        if op.startswith("<"):
            return (-math.inf, v, False, op == "<=")
        return (v, math.inf, op == ">=", False)
    if m.group("b"):
        return (
            _number(m.group("b"), m.group("ub")),
            _number(m.group("c"), m.group("uc")),
            True,
            True,
        )
    return (_number(m.group("d"), m.group("ud")), math.inf, True, False)


def overlaps(interval: tuple[float, float, bool, bool], op: str, values: list[float]) -> bool:
    """Whether the condition ``op values`` keeps a part of positive length of ``interval``
    (or, for equality, contains the value)."""
    lo, hi, lo_closed, hi_closed = interval
    if op == "eq":
        v = values[0]
        return (lo < v or (lo_closed and lo == v)) and (v < hi or (hi_closed and hi == v))
    if op in ("gt", "gte"):
        c_lo, c_hi = values[0], math.inf
    elif op in ("lt", "lte"):
        c_lo, c_hi = -math.inf, values[0]
    else:
        c_lo, c_hi = values
    return max(lo, c_lo) < min(hi, c_hi)


@dataclass
class Column:
    schema: ColumnSchema
    tokens: list[str]
    labels: list[Any]
    label_forms: list[tuple[str, frozenset[str], list[str]]]  # (normalized, forms, stems)
    intervals: list[tuple[float, float, bool, bool]] | None

    @property
    def name(self) -> str:
        return self.schema.name

    @property
    def numeric(self) -> bool:
        return self.schema.kind in NUMERIC

    @property
    def date(self) -> bool:
        return self.schema.kind is ColumnKind.DATETIME

    @property
    def categorical(self) -> bool:
        return self.schema.kind in LABELS


class SchemaIndex:
    """A schema's columns in the forms the parser matches prompt words against."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.columns: list[Column] = []
        for col in schema.columns:
            if col.kind in _SKIP:
                continue
            labels = list(col.categories or []) if col.kind in LABELS else []
            forms = [
                (
                    normalize(str(label)),
                    canonical(str(label)),
                    [stem(t) for t in normalize(str(label)).split()],
                )
                for label in labels
            ]
            intervals = [label_interval(label) for label in labels]
            ranged = intervals if labels and all(i is not None for i in intervals) else None
            self.columns.append(Column(col, split_name(col.name), labels, forms, ranged))

    # --- columns ----------------------------------------------------------------------------

    def word_score(self, column: Column, word: str) -> float:
        """How strongly one prompt word names ``column`` (0 when it does not)."""
        w = normalize(word).replace(" ", "")
        if not w or w in ("per", "of", "the", "a", "num", "number"):
            return 0.0
        tokens = column.tokens
        joined = "".join(tokens)
        single = len(tokens) == 1
        if w == joined:
            return 3.0
        s = stem(w)
        if s in tokens or w in tokens:
            return 3.0 if single else 2.0
        for target in lx.COLUMN_SYNONYMS.get(w, ()) + lx.COLUMN_SYNONYMS.get(s, ()):
            if target in tokens or target == joined:
                return 2.0
        root = _root(w)
        if len(root) >= 4 and any(_root(t) == root for t in tokens):
            return 1.5  # "coding" -> YearsCodedJob, "voted" -> vote
        if single and len(root) == 3 and len(tokens[0]) == 4 and _root(tokens[0]) == root:
            return 1.5  # "voting" -> vote
        if len(w) >= 4 and any(len(t) >= 3 and _skeleton(w) == t for t in tokens):
            return 1.5  # "weeks" -> wks: a name written without its vowels
        if single and len(tokens[0]) == 2 and len(w) >= 6 and w.startswith(tokens[0]):
            return 1.0  # "education" -> ed: a two-letter name is a weak abbreviation
        for t in tokens:
            # "visibility" -> visib, "departure" -> dep, "temp" -> temperature
            if len(t) >= 3 and len(w) >= max(5, len(t) + 2) and w.startswith(t):
                return 1.5
            if len(t) >= 4 and len(w) >= 4 and (w.startswith(t) or t.startswith(w)):
                return 1.5
        return 0.0

    def score_columns(self, words: list[str], want: str = "any") -> dict[str, float]:
        """Column name -> summed score of ``words``; ``want`` ``"numeric"`` keeps the columns
        a number can be compared with (numeric, or labels written as ranges)."""
        out: dict[str, float] = {}
        for column in self.columns:
            is_date = column.schema.kind is ColumnKind.DATETIME
            if want == "date" and not is_date:
                continue
            if want == "numeric" and not (column.numeric or column.intervals or is_date):
                continue
            if want == "any" and is_date:
                continue
            total = sum(self.word_score(column, w) for w in words)
            if total > 0:
                out[column.name] = total
        return out

    def is_column_word(self, word: str, want: str = "any") -> bool:
        return bool(self.score_columns([word], want))

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def columns_with_token(self, tokens: tuple[str, ...], kinds: tuple = NUMERIC) -> list[Column]:
        return [
            c
            for c in self.columns
            if c.schema.kind in kinds
            and any(t in c.tokens or t == "".join(c.tokens) for t in tokens)
        ]

    # --- values -----------------------------------------------------------------------------

    def match_labels(self, phrase: str) -> tuple[int, dict[str, list[Any]]]:
        """The best tier of label matches of ``phrase`` and, per column, the labels matched
        at that tier. Tiers: 4 same value (case, plural, alias, state/airport code), 3 the
        phrase's words start the label (``married`` -> ``Married-civ-spouse``), 2 the
        phrase's words all occur in the label (``government`` -> ``State-gov``)."""
        norm = normalize(phrase)
        if not norm:
            return 0, {}
        canon = canonical(phrase)
        words = [stem(t) for t in norm.split()]
        best, found = 0, {}
        for column in self.columns:
            if not column.categorical:
                continue
            for label, (lnorm, lcanon, lstems) in zip(
                column.labels, column.label_forms, strict=True
            ):
                tier = 0
                if norm == lnorm or canon & lcanon:
                    tier = 4
                elif all(len(w) >= 3 for w in words) and len(words) <= len(lstems):
                    if all(_token_match(w, t) for w, t in zip(words, lstems, strict=False)):
                        tier = 3
                    elif all(len(w) >= 5 for w in words) and all(
                        any(_token_match(w, t) for t in lstems) for w in words
                    ):
                        tier = 2
                if tier == 0 or tier < best:
                    continue
                if tier > best:
                    best, found = tier, {}
                found.setdefault(column.name, []).append(label)
        if best == 2 and sum(len(v) for v in found.values()) > 3:
            return 0, {}  # a word found inside many labels names none of them
        return best, found

    def unrecorded(self, concepts: tuple[str, ...]) -> list[Column]:
        """Label columns whose labels the schema did not record (too many to keep) and
        whose name carries one of ``concepts``."""
        return [
            c
            for c in self.columns
            if c.categorical
            and not c.labels
            and any(t in c.tokens or t == "".join(c.tokens) for t in concepts)
        ]

    def day_labels(self, days: tuple[int, ...]) -> tuple[str, list[Any]] | None:
        """The one column whose labels are day names, and its labels for ``days``."""
        found = []
        for column in self.columns:
            if not column.categorical:
                continue
            by_day = {
                int(form.split(":")[1]): label
                for label, (_, forms, _) in zip(column.labels, column.label_forms, strict=True)
                for form in forms
                if form.startswith("weekday:")
            }
            if len(by_day) >= 3 and len(by_day) == len(column.labels):
                found.append((column.name, [by_day[d] for d in days if d in by_day]))
        return found[0] if len(found) == 1 and found[0][1] else None

    def all_labels(self) -> list[tuple[str, Any]]:
        return [(c.name, label) for c in self.columns if c.categorical for label in c.labels]


def _root(word: str) -> str:
    """``coding``/``coded``/``coder`` -> ``cod``: the word without a verb ending."""
    for ending in ("ing", "ed", "er", "es", "s", "e"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def _skeleton(word: str) -> str:
    """``weeks`` -> ``wks``: the word's first letter and its consonants, once each in a row."""
    out = word[0]
    for ch in word[1:]:
        if ch not in "aeiou" and ch != out[-1]:
            out += ch
    return out


def _token_match(word: str, token: str) -> bool:
    if word == token:
        return True
    root = _root(_root(word))
    if len(word) >= 5 and len(root) >= 4 and root == _root(_root(token)):
        return True  # "farmers" ~ "farming"
    if len(token) >= 3 and len(word) >= 4 and word.startswith(token):
        return True
    return len(word) >= 4 and token.startswith(word)


__all__ = [
    "SchemaIndex",
    "canonical",
    "label_interval",
    "normalize",
    "overlaps",
    "split_name",
    "stem",
]
