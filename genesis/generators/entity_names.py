"""Fakes for names of organisations and places ("Sterling Municipal Airport", "Endeavor Air
Inc.", "Mercy Hospital").

Such a column is regenerated like free text (each label names one entity, so no label can be
learned), but Faker sentences in its place read as nonsense and share none of its format. Here
each real name is split into a *template*: the generic words that say what kind of entity it
is (:data:`genesis.schema.semantic.ORG_PLACE_WORDS` and connectives such as "of", "de") stay,
and every other word becomes a slot of its shape — a capitalised word, an all-capital
abbreviation of its length, digits of their count. Fakes fill the templates' slots with Faker
surnames and place words, drawn in the real templates' proportions. The proper nouns that
identify an entity are never kept, and no fake equals a real name (checked by hash, as for
every :class:`~genesis.generators.fakes.ColumnFaker`).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from genesis.generators.fakes import ColumnFaker, _join, _pick, _pool
from genesis.schema.semantic import ORG_PLACE_WORDS

#: short words kept as they are: they carry no identity and give names their rhythm
CONNECTIVES = frozenset((
    "of", "the", "and", "for", "at", "on", "in", "by", "to", "a", "an", "de", "del", "della",
    "des", "du", "da", "do", "dos", "la", "las", "le", "les", "los", "el", "y", "et", "und",
    "der", "die", "das", "van", "von",
))  # fmt: skip
_GENERIC = ORG_PLACE_WORDS | CONNECTIVES
_TOKEN = re.compile(r"[^\W\d_]+|\d+|[\W_]+")
#: templates kept (the rarest share one slot-only template); bounds the model's size
MAX_TEMPLATES = 2000
_CAPITAL, _LOWER, _UPPER, _DIGITS = "\x00C", "\x00L", "\x00U", "\x00D"


def _slot(token: str) -> str:
    """A token as a literal (generic word, separator) or a slot of its shape."""
    if token.isdigit():
        return f"{_DIGITS}{len(token)}"
    if not token[0].isalpha():
        return token
    if token.lower() in _GENERIC:
        return token
    if token.isupper():
        return f"{_UPPER}{len(token)}"
    if token[0].isupper():
        return _CAPITAL
    return _LOWER


def name_templates(values: pd.Series) -> pd.Series:
    """Each name's template as a tuple of literals and slots, counted: the share of names
    with each template (the most common :data:`MAX_TEMPLATES`)."""
    text = values.dropna().astype(str)
    templates = text.map(lambda v: tuple(_slot(t) for t in _TOKEN.findall(v)))
    counts = templates.value_counts()
    return (counts.iloc[:MAX_TEMPLATES] / counts.iloc[:MAX_TEMPLATES].sum()).rename("share")


def _letters(n: int, width: int, rng: np.random.Generator) -> np.ndarray:
    codes = rng.integers(ord("A"), ord("Z") + 1, size=(n, width), dtype=np.uint32)
    return codes.view(f"<U{width}").ravel().astype(object)


def _digits(n: int, width: int, rng: np.random.Generator) -> np.ndarray:
    codes = rng.integers(ord("0"), ord("9") + 1, size=(n, width), dtype=np.uint32)
    return codes.view(f"<U{width}").ravel().astype(object)


class EntityNameFaker(ColumnFaker):
    """Organisation and place names in the real names' templates (see the module docstring)."""

    def __init__(self, unique: bool, real_hashes: np.ndarray, templates: pd.Series) -> None:
        super().__init__(unique, real_hashes)
        self.templates = list(templates.index)
        self.shares = templates.to_numpy(dtype=float)

    def _draw(self, n: int, rng: np.random.Generator, fake: Any) -> np.ndarray:
        size = int(min(max(n, 100), 800))
        words = np.unique(
            np.concatenate(
                [
                    _pool(fake.last_name, size),
                    _pool(fake.city_prefix, 20),
                    _pool(fake.street_name, size // 4),
                ]
            )  # fmt: skip
        )
        words = np.array([w for w in words if " " not in w], dtype=object)
        lower = np.char.lower(words.astype(str)).astype(object)
        chosen = rng.choice(len(self.templates), size=n, p=self.shares)
        out = np.empty(n, dtype=object)
        for index in np.unique(chosen):  # one pass per distinct template, not per row
            rows = np.flatnonzero(chosen == index)
            parts = []
            for token in self.templates[index]:
                if token == _CAPITAL:
                    parts.append(_pick(words, rows.size, rng))
                elif token == _LOWER:
                    parts.append(_pick(lower, rows.size, rng))
                elif token.startswith(_UPPER):
                    parts.append(_letters(rows.size, int(token[2:]), rng))
                elif token.startswith(_DIGITS):
                    parts.append(_digits(rows.size, int(token[2:]), rng))
                else:
                    parts.append(token)
            out[rows] = _join(*parts) if parts else ""
        return out


__all__ = ["CONNECTIVES", "EntityNameFaker", "name_templates"]
