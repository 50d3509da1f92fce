"""The prompt grammar (lark, LALR): a prompt is a sequence of phrases — counts and
quantities with units, comparisons ("over 50", "at least $50k", "65 or older"), ranges
("between 30 and 40", "18-25", "from 1 to 5"), decades ("in their 30s"), negations, membership
markers ("in", "from", "at"), "or" lists, conjunctions, quoted literals and plain words.

Column words and category values are *not* keywords: they stay plain words, which
:mod:`genesis.nl.resolve` maps to the dataset's columns and labels. :func:`parse_prompt`
returns the phrases as :class:`Phrase` objects, in prompt order; any text parses (a character
the grammar has no use for becomes an ``other`` phrase).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import LarkError

from genesis.nl import lexicon as lx


@dataclass
class Quantity:
    """A number as written: its value and the unit marks around it."""

    value: float
    text: str
    money: bool = False
    percent: bool = False
    clock: bool = False
    date: str | None = None  # an ISO date or date-time as written ("2013-06-01")

    def number(self) -> int | float:
        """The value as an int when whole."""
        return int(self.value) if float(self.value).is_integer() else self.value


@dataclass
class Phrase:
    """One phrase of the prompt.

    ``kind`` is one of ``number comparison range decade negation member or and sep conj word
    quoted other``; ``op`` the comparison's operator; ``quantities`` its numbers; ``hint`` a
    column concept the comparison word implies ("older" -> age); ``text`` the source text.
    """

    kind: str
    text: str
    op: str | None = None
    quantities: list[Quantity] = field(default_factory=list)
    hint: str | None = None


def _alternation(words: Any) -> str:
    """A regex alternation of ``words``, longest first, each ending on a word boundary."""
    parts = []
    for word in sorted(set(words), key=len, reverse=True):
        escaped = re.escape(word).replace(r"\ ", r"\s+")
        parts.append(escaped + (r"\b" if word[-1].isalnum() else ""))
    return "|".join(parts)


def _number_word_pattern() -> str:
    words = list(lx.SMALL_NUMBERS) + list(lx.MULTIPLIER_WORDS) + list(lx.DOZEN)
    w = "(?:" + "|".join(sorted(words, key=len, reverse=True)) + ")"
    return rf"\b(?:an?\s+)?{w}(?:(?:\s+and\s+|[\s-]+){w})*\b"


def _grammar() -> str:
    decade_words = "|".join(lx.DECADE_WORDS)
    multipliers = "|".join(lx.MULTIPLIER_WORDS)
    cmp_words = _alternation(lx.COMPARATORS)
    suffix_words = [s for s in lx.SUFFIX_COMPARATORS if s not in ("+", "plus")]
    suffix = "(?:" + _alternation(suffix_words) + r")(?!\s*(?:than\b|[$€£]?\d))|\+|plus\b"
    negations = _alternation(lx.NEGATIONS)
    return rf"""
start: _item*
_item: comparison | range | decade | number | negation | member | orr | conj | sep | word
     | quoted | other | their | to | dash | between_kw | and_kw | stray
comparison: CMP quantity | quantity SUFFIX
range: BETWEEN quantity AND quantity | quantity DASH quantity | quantity TO quantity
     | FROM quantity TO quantity
decade: THEIR DECADE | DECADE
number: quantity | quantity DASH | quantity TO
quantity: NUMBER | NUMWORDS | CLOCK | DATE
negation: NEG
member: IN | FROM | AT
orr: OR
conj: CONJ
and_kw: AND
sep: SEP
word: WORD
quoted: QUOTED
other: OTHER
their: THEIR
to: TO
dash: DASH
between_kw: BETWEEN
stray: CMP | SUFFIX

DATE.9: /\d{{4}}-\d{{1,2}}-\d{{1,2}}(?:[T ]\d{{1,2}}:\d{{2}}(?::\d{{2}})?)?(?!\d)/
CLOCK.8: /(?:\d{{1,2}}(?::\d{{2}})?\s?(?:am|pm|a\.m\.|p\.m\.)(?!\w)|noon\b|midnight\b)/i
DECADE.7: /(?:(?:early|mid|late)[\s-]+)?(?:'?\d0'?s\b|(?:{decade_words})\b)/i
CMP.6: /(?:{cmp_words})/i
SUFFIX.6: /(?:{suffix})/i
NUMBER.5: /−?[$€£]?\d+(?:,\d{{3}})*(?:\.\d+)?(?:(?:bn|mm|[kmb])\b|\s*(?:{multipliers})\b)?\s?%?/i
NUMWORDS.5: /{_number_word_pattern()}/i
NEG.4: /non-(?=\w)|(?:{negations})/i
BETWEEN.3: /between\b/i
AND.3: /(?:and|&)(?=\W|$)/i
OR.3: /(?:or|nor)\b|\//i
TO.3: /(?:to|through|thru|until|till)\b/i
IN.3: /(?:in|within|inside)\b/i
FROM.3: /from\b/i
AT.3: /at\b/i
THEIR.3: /(?:their|his|her|the)\s+(?=(?:early|mid|late|'?\d0'?s|{decade_words}))/i
CONJ.3: /(?:with|who|whose|that|which|where|having|but|whom|while)\b/i
DASH.3: /[-–—]/
SEP.3: /[,;:!?]|\.(?=\s|$)/
QUOTED.3: /"[^"]*"|'[^'\s][^']*'(?=\W|$)/
WORD.1: /[A-Za-z][A-Za-z0-9_'’&.()\-]*[A-Za-z0-9)]|[A-Za-z]/
OTHER.0: /\S/
%ignore /\s+/
"""


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(_grammar(), parser="lalr", lexer="contextual", maybe_placeholders=False)


def parse_number_words(text: str) -> int:
    """``"a thousand"`` -> 1000, ``"twenty five"`` -> 25, ``"two hundred and fifty"`` -> 250."""
    total, current = 0, 0
    for word in re.split(r"[\s-]+", text.lower()):
        if word in ("a", "an", "and", ""):
            current = current or (1 if word in ("a", "an") else current)
            continue
        if word in lx.SMALL_NUMBERS:
            current += lx.SMALL_NUMBERS[word]
        elif word in lx.DOZEN:
            current = (current or 1) * 12
        elif word == "hundred":
            current = (current or 1) * 100
        elif word in lx.MULTIPLIER_WORDS:
            total += (current or 1) * lx.MULTIPLIER_WORDS[word]
            current = 0
    return total + current


def parse_number(text: str) -> Quantity:
    """``"$50,000"``, ``"10k"``, ``"1.5M"``, ``"50%"``, ``"3 thousand"`` as a :class:`Quantity`."""
    raw = text.strip()
    sign = -1.0 if raw.startswith("−") else 1.0
    raw = raw.lstrip("−")
    money = raw[:1] in "$€£"
    percent = raw.endswith("%")
    body = raw.lstrip("$€£").rstrip("%").strip().lower()
    match = re.match(r"([\d,]*\.?\d+)\s*([a-z]*)", body)
    if match is None:  # cannot happen for NUMBER tokens
        return Quantity(float("nan"), raw, money, percent)
    value = sign * float(match.group(1).replace(",", ""))
    suffix = match.group(2)
    if suffix in lx.SUFFIX_MULTIPLIERS:
        value *= lx.SUFFIX_MULTIPLIERS[suffix]
    elif suffix in lx.MULTIPLIER_WORDS:
        value *= lx.MULTIPLIER_WORDS[suffix]
    return Quantity(value, raw, money, percent)


def parse_clock(text: str) -> Quantity:
    """``"8pm"`` -> 20, ``"7:30 am"`` -> 7.5, ``"noon"`` -> 12, ``"midnight"`` -> 0."""
    lowered = text.lower().replace(".", "")
    if lowered == "noon":
        return Quantity(12.0, text, clock=True)
    if lowered == "midnight":
        return Quantity(0.0, text, clock=True)
    match = re.match(r"(\d{1,2})(?::(\d{2}))?\s?(am|pm)", lowered)
    hour = int(match.group(1)) % 12 + (12 if match.group(3) == "pm" else 0)
    minutes = int(match.group(2) or 0)
    return Quantity(hour + minutes / 60.0, text, clock=True)


def _decade_bounds(text: str) -> tuple[int, int]:
    lowered = text.lower()
    digits = re.search(r"(\d)0", lowered)
    if digits:
        base = int(digits.group(1)) * 10
    else:
        base = next(v for k, v in lx.DECADE_WORDS.items() if k in lowered)
    if base == 10:  # "teens"
        return 13, 19
    if lowered.startswith("early"):
        return base, base + 3
    if lowered.startswith("mid"):
        return base + 3, base + 6
    if lowered.startswith("late"):
        return base + 6, base + 9
    return base, base + 9


class _ToPhrases(Transformer):
    def start(self, items: list[Any]) -> list[Phrase]:
        out: list[Phrase] = []
        for item in items:
            out.extend(item if isinstance(item, list) else [item])
        return out

    def stray(self, items: list[Token]) -> list[Phrase]:
        """A comparison word with no number after it ("and younger", "older than Bob"):
        its words, a leading and/or kept as connectives."""
        text = str(items[0])
        if text in ("=", "=="):  # "education = Bachelors": the equality is implied
            return []
        if text in ("!=", "<>"):  # "country != Peru"
            return [Phrase("negation", text)]
        kinds = {"and": "and", "or": "or"}
        return [Phrase(kinds.get(w.lower(), "word"), w) for w in text.split()]

    def quantity(self, items: list[Token]) -> Quantity:
        token = items[0]
        if token.type == "CLOCK":
            return parse_clock(str(token))
        if token.type == "DATE":
            return Quantity(0.0, str(token), date=str(token).replace(" ", "T"))
        if token.type == "NUMWORDS":
            return Quantity(float(parse_number_words(str(token))), str(token))
        return parse_number(str(token))

    def comparison(self, items: list[Any]) -> Phrase:
        if isinstance(items[0], Token) and items[0].type == "CMP":
            key = " ".join(str(items[0]).lower().split())
            op, hint = lx.COMPARATORS.get(key, ("gt", None))
            q = items[1]
            return Phrase("comparison", f"{items[0]} {q.text}", op, [q], hint)
        q, suffix = items
        key = " ".join(str(suffix).lower().split())
        op = lx.SUFFIX_COMPARATORS.get(key, "gte")
        hint = key.split()[-1] if key.split()[-1] in ("older", "younger") else None
        return Phrase("comparison", f"{q.text} {suffix}", op, [q], hint)

    def range(self, items: list[Any]) -> Phrase:
        qs = [i for i in items if isinstance(i, Quantity)]
        low, high = qs
        if high.clock and not low.clock and float(low.value).is_integer() and 1 <= low.value <= 12:
            # "between 6 and 9 am": the am/pm written once applies to both ends
            low = parse_clock(f"{int(low.value)}{high.text.lower().replace('.', '')[-2:]}")
        # "$30-50k": the unit written once applies to both ends
        elif high.text.lower().endswith(("k", "m")) and not low.text.lower().endswith(("k", "m")):
            low = parse_number(low.text + high.text.lower()[-1])
        money = low.money or high.money
        low.money = high.money = money
        return Phrase(
            "range",
            " ".join(str(i.text if isinstance(i, Quantity) else i) for i in items),
            "between",
            [low, high],
        )

    def decade(self, items: list[Token]) -> Phrase:
        token = items[-1]
        low, high = _decade_bounds(str(token))
        text = " ".join(str(t) for t in items)
        return Phrase(
            "decade", text, "between", [Quantity(low, str(low)), Quantity(high, str(high))], "age"
        )

    def number(self, items: list[Any]) -> Any:
        phrase = Phrase("number", items[0].text, quantities=[items[0]])
        if len(items) == 1:
            return phrase
        # a dash or "to" after a number that starts no range ("give 50 to me")
        kind = "sep" if items[1].type == "DASH" else "word"
        return [phrase, Phrase(kind, str(items[1]))]

    def _simple(kind: str):
        def method(self: Any, items: list[Token]) -> Phrase:
            return Phrase(kind, " ".join(str(t) for t in items))

        return method

    negation = _simple("negation")
    member = _simple("member")
    orr = _simple("or")
    conj = _simple("conj")
    and_kw = _simple("and")
    sep = _simple("sep")
    word = _simple("word")
    quoted = _simple("quoted")
    other = _simple("other")
    their = _simple("word")
    to = _simple("word")
    dash = _simple("sep")
    between_kw = _simple("word")


_SPELLED_UNITS = re.compile(
    r"(\d)\s*-\s*(years?|yrs?|hours?|hrs?|days?|weeks?|months?|minutes?|mins?|miles?|inch(?:es)?|"
    r"feet|foot|degrees?|percent)\b",
    re.IGNORECASE,
)
_SIGNED = re.compile(
    r"((?:\b(?:over|above|under|below|than|least|most|between|from|to|and|is|of|equals?)|"
    r"[=<>]=?|≤|≥)\s+)-(?=\d|\.\d)",
    re.IGNORECASE,
)
_TOKEN_KINDS = {
    "NEG": "negation", "IN": "member", "FROM": "member", "AT": "member", "OR": "or",
    "AND": "and", "SEP": "sep", "DASH": "sep", "CONJ": "conj", "QUOTED": "quoted",
    "OTHER": "other",
}  # fmt: skip


def _normalize(prompt: str) -> str:
    """``"30-year-old"`` -> ``"30 year-old"``: a number joined to its unit by a dash is not a
    range."""
    prompt = _SPELLED_UNITS.sub(r"\1 \2", prompt)
    # "over -0.5": a minus after a comparison word is a sign ("18-25" stays a range)
    prompt = _SIGNED.sub(lambda m: m.group(1) + "−", prompt)
    # "more than an hour" -> "more than 1 hour" (not "$20 an hour", a rate)
    prompt = re.sub(r"\bhalf\s+an\s+hour\b", "30 minutes", prompt, flags=re.IGNORECASE)
    prompt = re.sub(
        r"(?<![\d\s])(\s+)(?:an|one)\s+(hour|minute|day|week)\b",
        r"\1 1 \2",
        prompt,
        flags=re.IGNORECASE,
    )
    return re.sub(r"\byears?-olds?\b", "years old", prompt, flags=re.IGNORECASE)


def _token_phrases(prompt: str) -> list[Phrase]:
    """The phrases of the tokens one by one, without the grammar's structure (used only if
    the grammar could not read a token sequence)."""
    out: list[Phrase] = []
    transformer = _ToPhrases()
    comparison: Token | None = None
    for token in _parser().lex(prompt):
        if token.type in ("NUMBER", "NUMWORDS", "CLOCK", "DATE"):
            quantity = transformer.quantity([token])
            if comparison is not None:
                out.append(transformer.comparison([comparison, quantity]))
                comparison = None
                continue
            out.append(Phrase("number", quantity.text, quantities=[quantity]))
            continue
        if comparison is not None:
            out.extend(transformer.stray([comparison]))
            comparison = None
        if token.type == "CMP":
            comparison = token
        elif token.type == "SUFFIX":
            out.extend(transformer.stray([token]))
        else:
            out.append(Phrase(_TOKEN_KINDS.get(token.type, "word"), str(token)))
    if comparison is not None:
        out.extend(transformer.stray([comparison]))
    return out


def parse_prompt(prompt: str) -> list[Phrase]:
    """The phrases of ``prompt`` in order (see the module docstring)."""
    prompt = _normalize(prompt)
    try:
        tree = _parser().parse(prompt)
    except LarkError:  # the grammar accepts any token sequence; this is a safety net
        try:
            return _token_phrases(prompt)
        except LarkError:
            return [Phrase("word", w) for w in prompt.split()]
    return _ToPhrases().transform(tree)


__all__ = ["Phrase", "Quantity", "parse_number", "parse_number_words", "parse_prompt"]
