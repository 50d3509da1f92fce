"""Check digits of identifiers, through python-stdnum: one rule for every part of Genesis.

Schema inference uses them on a sample of distinct values (at most a few thousand), so the
per-value calls stay cheap; each distinct value is checked once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
from stdnum import iban, luhn


def _each_distinct(values: Iterable[object], check: Callable[[str], bool]) -> np.ndarray:
    series = pd.Series(list(values) if not isinstance(values, pd.Series) else values, dtype=object)
    if series.empty:
        return np.zeros(0, dtype=bool)
    codes, uniques = pd.factorize(series.astype(str), use_na_sentinel=False)
    verdicts = np.fromiter((check(u) for u in uniques), dtype=bool, count=len(uniques))
    return verdicts[codes]


def _compact(text: str) -> str:
    return text.replace(" ", "").replace("-", "")


def _luhn(text: str) -> bool:
    compact = _compact(text)
    return compact.isdigit() and luhn.is_valid(compact)


def luhn_valid(values: Iterable[object]) -> np.ndarray:
    """Whether each value's digits (spaces and dashes between groups allowed) end in their
    Luhn check digit."""
    return _each_distinct(values, _luhn)


def _card(text: str) -> bool:
    return 13 <= len(_compact(text)) <= 19 and _luhn(text)


def card_number_valid(values: Iterable[object]) -> np.ndarray:
    """Whether each value is a payment card number: 13 to 19 digits (spaces and dashes
    allowed between groups) passing the Luhn check."""
    return _each_distinct(values, _card)


def iban_valid(values: Iterable[object]) -> np.ndarray:
    """Whether each value is an IBAN with a valid country format and mod-97 check digits."""
    return _each_distinct(values, iban.is_valid)


__all__ = ["card_number_valid", "iban_valid", "luhn_valid"]
