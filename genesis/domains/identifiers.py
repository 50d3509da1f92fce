"""Identifiers valid by construction, drawn vectorised: payment card numbers (Luhn), IBANs
(ISO 13616 mod-97 check digits), US ABA routing numbers, GTIN-13/EAN barcodes, and the
ISO 4217 currency list.

Check digits are computed in numpy over whole digit matrices (one column at a time, never
one row at a time), so a million card numbers take milliseconds; the tests validate every
value with python-stdnum (``stdnum.luhn``, ``stdnum.iban``, ``stdnum.us.rtn``,
``stdnum.ean``), the maintained implementation of each rule. The ``fix_*`` functions
recompute the check digit of values that have the right shape (the repair step after a
fitted generator).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from faker.providers.currency import Provider as _CurrencyProvider

#: ISO 4217 alphabetic currency codes, from Faker's maintained currency provider.
ISO_4217: frozenset[str] = frozenset(code for code, _ in _CurrencyProvider.currencies)

#: Card networks: (issuer identification prefixes, number length). Visa "4", Mastercard
#: 51-55, American Express 34/37 (ISO/IEC 7812 issuer identification numbers).
CARD_NETWORKS: dict[str, tuple[tuple[str, ...], int]] = {
    "visa": (("4",), 16),
    "mastercard": (("51", "52", "53", "54", "55"), 16),
    "amex": (("34", "37"), 15),
}

#: IBAN layout per country (SWIFT IBAN registry): bank codes (letters) or None, then the
#: number of digits after them. Countries whose national check digits python-stdnum
#: verifies (Spain...) are left out on purpose: their BBAN has a second checksum.
IBAN_LAYOUTS: dict[str, tuple[tuple[str, ...] | None, int]] = {
    "DE": (None, 18),  # 8-digit bank code (BLZ) + 10-digit account number
    "GB": (("NWBK", "BARC", "LOYD", "HBUK", "MIDL"), 14),  # bank + sort code + account
    "NL": (("ABNA", "INGB", "RABO", "TRIO", "SNSB"), 10),  # bank + account number
}


# -- digit matrices <-> strings -------------------------------------------------------------
def digits_to_strings(digits: np.ndarray) -> np.ndarray:
    """An (n, k) matrix of digits 0-9 -> n strings of k characters (object array)."""
    codes = (np.asarray(digits, dtype=np.uint32) + 48).astype("<u4")
    width = codes.shape[1]
    return np.ascontiguousarray(codes).view(f"<U{width}").ravel().astype(object)


def _code_points(values: np.ndarray, width: int) -> np.ndarray:
    """Strings all of ``width`` characters -> an (n, width) matrix of code points."""
    fixed = np.asarray(values, dtype=f"<U{width}")
    return fixed.view("<u4").reshape(len(fixed), width).astype(np.int64)


def _from_code_points(codes: np.ndarray) -> np.ndarray:
    width = codes.shape[1]
    return np.ascontiguousarray(codes.astype("<u4")).view(f"<U{width}").ravel().astype(object)


def unique_draws(draw: Callable[[int], np.ndarray], n: int, max_rounds: int = 50) -> np.ndarray:
    """``n`` distinct values from ``draw(k)`` (k fresh values), redrawing only the duplicates."""
    values = np.asarray(draw(n), dtype=object)
    for _ in range(max_rounds):
        duplicated = pd.Series(values).duplicated().to_numpy()
        if not duplicated.any():
            return values
        values[duplicated] = draw(int(duplicated.sum()))
    raise RuntimeError(
        f"could not draw {n} distinct identifiers; the identifier space is too small"
    )


# -- Luhn (payment cards) -------------------------------------------------------------------
def luhn_check_digit(body: np.ndarray) -> np.ndarray:
    """The Luhn check digit to append to each row of ``body`` (an (n, k) digit matrix)."""
    body = np.asarray(body, dtype=np.int64)
    doubled = body[:, ::-1].copy()  # rightmost body digit is doubled
    doubled[:, 0::2] *= 2
    doubled = np.where(doubled > 9, doubled - 9, doubled)
    return (10 - doubled.sum(axis=1) % 10) % 10


def card_numbers(networks: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One distinct Luhn-valid card number per network name in ``networks``."""
    networks = np.asarray(networks, dtype=object)
    out = np.empty(len(networks), dtype=object)
    for name, (prefixes, length) in CARD_NETWORKS.items():
        rows = np.flatnonzero(networks == name)
        if rows.size == 0:
            continue

        def draw(k: int, prefixes=prefixes, length=length) -> np.ndarray:
            prefix = np.array(prefixes, dtype=object)[rng.integers(0, len(prefixes), k)]
            width = len(prefixes[0])
            head = np.array([[int(c) for c in p] for p in prefix]).reshape(k, width)
            body = np.hstack([head, rng.integers(0, 10, size=(k, length - 1 - width))])
            return digits_to_strings(np.hstack([body, luhn_check_digit(body)[:, None]]))

        out[rows] = unique_draws(draw, rows.size)
    unknown = sorted(set(networks[pd.isna(out)]))
    if unknown:
        raise ValueError(f"unknown card networks {unknown}; use one of {sorted(CARD_NETWORKS)}")
    return out


def fix_luhn(values: pd.Series) -> pd.Series:
    """Card numbers (13-19 digits) with their last digit recomputed; other values None."""
    text = values.astype("string").str.replace(r"[ -]", "", regex=True)
    out = pd.Series(None, index=values.index, dtype=object)
    lengths = text.str.len()
    digits_only = text.str.fullmatch(r"\d+").fillna(False).astype(bool)
    for length in range(13, 20):
        rows = np.flatnonzero(digits_only.to_numpy() & (lengths == length).to_numpy())
        if rows.size:
            digits = _code_points(text.iloc[rows].to_numpy(dtype=str), length) - 48
            digits[:, -1] = luhn_check_digit(digits[:, :-1])
            out.iloc[rows] = digits_to_strings(digits)
    return out


# -- IBAN (ISO 13616) -----------------------------------------------------------------------
def _char_values(codes: np.ndarray) -> np.ndarray:
    """Code points of 0-9 / A-Z -> 0..35 (ISO 13616 letter values)."""
    return np.where(codes >= 65, codes - 55, codes - 48)


def iban_check_digits(country: str, bban: np.ndarray) -> np.ndarray:
    """The two IBAN check digits (98 - mod 97 of BBAN + country + "00"), vectorised over an
    (n, k) matrix of BBAN code points (digits and capital letters)."""
    values = np.hstack(
        [
            _char_values(np.asarray(bban, dtype=np.int64)),
            np.tile(_char_values(np.array([ord(c) for c in country])), (len(bban), 1)),
            np.zeros((len(bban), 2), dtype=np.int64),
        ]
    )
    remainder = np.zeros(len(values), dtype=np.int64)
    for column in values.T:  # over the <= 34 columns, not the rows
        remainder = (remainder * np.where(column > 9, 100, 10) + column) % 97
    return 98 - remainder


def _assemble_iban(country: str, bban: np.ndarray) -> np.ndarray:
    check = iban_check_digits(country, bban)
    head = np.tile(np.array([ord(c) for c in country]), (len(bban), 1))
    digits = np.stack([48 + check // 10, 48 + check % 10], axis=1)
    return _from_code_points(np.hstack([head, digits, bban]))


def ibans(countries: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One distinct valid IBAN per country code in ``countries`` (see :data:`IBAN_LAYOUTS`);
    countries without IBANs (e.g. ``"US"``) get None."""
    countries = np.asarray(countries, dtype=object)
    out = np.full(len(countries), None, dtype=object)
    for country, (banks, n_digits) in IBAN_LAYOUTS.items():
        rows = np.flatnonzero(countries == country)
        if rows.size == 0:
            continue

        def draw(k: int, country=country, banks=banks, n_digits=n_digits) -> np.ndarray:
            parts = [48 + rng.integers(0, 10, size=(k, n_digits))]
            if banks:
                codes = np.array([[ord(c) for c in b] for b in banks])
                parts.insert(0, codes[rng.integers(0, len(banks), k)])
            return _assemble_iban(country, np.hstack(parts))

        out[rows] = unique_draws(draw, rows.size)
    return out


def fix_iban(values: pd.Series) -> pd.Series:
    """IBANs of a known layout with their check digits recomputed; other values None."""
    text = values.astype("string").str.replace(" ", "", regex=False).str.upper()
    out = pd.Series(None, index=values.index, dtype=object)
    for country, (banks, n_digits) in IBAN_LAYOUTS.items():
        letters = len(banks[0]) if banks else 0
        pattern = rf"{country}\d\d[A-Z]{{{letters}}}\d{{{n_digits}}}"
        rows = np.flatnonzero(text.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool))
        if rows.size:
            bban = _code_points(text.iloc[rows].to_numpy(dtype=str), 4 + letters + n_digits)
            out.iloc[rows] = _assemble_iban(country, bban[:, 4:])
    return out


# -- ABA routing numbers (US) ---------------------------------------------------------------
def _aba_check(body: np.ndarray) -> np.ndarray:
    weights = np.array([3, 7, 1, 3, 7, 1, 3, 7])
    return (10 - (body * weights).sum(axis=1) % 10) % 10


def routing_numbers(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` ABA routing numbers (9 digits, the first two a Federal Reserve district 01-12,
    the last the 3-7-1 weighted check digit that ``stdnum.us.rtn`` validates)."""
    district = rng.integers(1, 13, size=n)
    body = np.hstack(
        [np.stack([district // 10, district % 10], axis=1), rng.integers(0, 10, size=(n, 6))]
    )
    return digits_to_strings(np.hstack([body, _aba_check(body)[:, None]]))


def fix_routing(values: pd.Series) -> pd.Series:
    """9-digit routing numbers with the check digit recomputed; other values None."""
    text = values.astype("string")
    out = pd.Series(None, index=values.index, dtype=object)
    rows = np.flatnonzero(text.str.fullmatch(r"\d{9}").fillna(False).to_numpy(dtype=bool))
    if rows.size:
        digits = _code_points(text.iloc[rows].to_numpy(dtype=str), 9) - 48
        digits[:, -1] = _aba_check(digits[:, :-1])
        out.iloc[rows] = digits_to_strings(digits)
    return out


# -- GTIN-13 / EAN-13 -----------------------------------------------------------------------
def gtin_check_digit(body: np.ndarray) -> np.ndarray:
    """The GS1 check digit of each row of a (n, 12) digit matrix (weights 1,3,1,3...)."""
    weights = np.tile([1, 3], 6)
    return (10 - (np.asarray(body, dtype=np.int64) * weights).sum(axis=1) % 10) % 10


def gtin13(
    n: int, rng: np.random.Generator, prefixes: tuple[str, ...] = ("00", "01")
) -> np.ndarray:
    """``n`` distinct GTIN-13 (EAN-13) codes starting with one of the GS1 ``prefixes``
    (``"00"``-``"13"`` US and Canada, ``"400"``-``"440"`` Germany, ``"50"`` UK...)."""

    def draw(k: int) -> np.ndarray:
        prefix = np.array(prefixes, dtype=object)[rng.integers(0, len(prefixes), k)]
        out = np.empty(k, dtype=object)
        for p in set(prefix):  # a handful of prefixes, not rows
            rows = np.flatnonzero(prefix == p)
            head = np.tile([int(c) for c in p], (rows.size, 1))
            body = np.hstack([head, rng.integers(0, 10, size=(rows.size, 12 - len(p)))])
            out[rows] = digits_to_strings(np.hstack([body, gtin_check_digit(body)[:, None]]))
        return out

    return unique_draws(draw, n)


def fix_gtin13(values: pd.Series) -> pd.Series:
    """13-digit codes with the GS1 check digit recomputed; other values None."""
    text = values.astype("string")
    out = pd.Series(None, index=values.index, dtype=object)
    rows = np.flatnonzero(text.str.fullmatch(r"\d{13}").fillna(False).to_numpy(dtype=bool))
    if rows.size:
        digits = _code_points(text.iloc[rows].to_numpy(dtype=str), 13) - 48
        digits[:, -1] = gtin_check_digit(digits[:, :-1])
        out.iloc[rows] = digits_to_strings(digits)
    return out


__all__ = [
    "CARD_NETWORKS",
    "IBAN_LAYOUTS",
    "ISO_4217",
    "card_numbers",
    "digits_to_strings",
    "fix_gtin13",
    "fix_iban",
    "fix_luhn",
    "fix_routing",
    "gtin13",
    "gtin_check_digit",
    "ibans",
    "iban_check_digits",
    "luhn_check_digit",
    "routing_numbers",
    "unique_draws",
]
