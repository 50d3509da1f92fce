"""Semantic types: what a column means, found from its name and a sample of its values.

Detection is vectorised: regular expressions run through ``Series.str.fullmatch``; card
numbers (Luhn) and IBANs (mod 97) are checked through python-stdnum
(:mod:`genesis.schema.checksums`), once per distinct value, on a sample of at most a few thousand non-missing values. A
value-pattern rule needs :data:`MATCH_SHARE` of the sample to match; a name hint alone is
only trusted where the kind agrees (money needs a numeric column, a date of birth a datetime
column), so Adult's categorical ``income`` ("<=50K"/">50K") is never money.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from genesis.schema.checksums import card_number_valid, iban_valid
from genesis.schema.types import ColumnKind, SemanticType

#: share of the sampled non-missing values that must match a value pattern
MATCH_SHARE = 0.9

_NUMERIC_KINDS = (ColumnKind.INTEGER, ColumnKind.CONTINUOUS)

IBAN_RE = r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}"
EMAIL_RE = r"[A-Za-z0-9._%+\-']+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"
URL_RE = r"(?:https?|ftp)://[^\s/$.?#][^\s]*|www\.[^\s/$.?#][^\s]*\.[^\s]+"
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
IPV4_RE = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
_H = r"[0-9A-Fa-f]{1,4}"
IPV6_RE = (
    rf"(?:(?:{_H}:){{7}}{_H}"
    rf"|(?:{_H}:){{1,7}}:"
    rf"|(?:{_H}:){{1,6}}:{_H}"
    rf"|(?:{_H}:){{1,5}}(?::{_H}){{1,2}}"
    rf"|(?:{_H}:){{1,4}}(?::{_H}){{1,3}}"
    rf"|(?:{_H}:){{1,3}}(?::{_H}){{1,4}}"
    rf"|(?:{_H}:){{1,2}}(?::{_H}){{1,5}}"
    rf"|{_H}:(?::{_H}){{1,6}}"
    rf"|:(?::{_H}){{1,7}}|::)"
)
SSN_RE = r"(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}"
#: phone numbers recognisable without a name hint: international or with separators
PHONE_STRICT_RE = (
    r"\+\d{1,3}[\s.\-]?(?:\(\d{1,4}\)[\s.\-]?)?\d{1,4}(?:[\s.\-]?\d{2,4}){1,4}"
    r"|\(\d{3}\)\s?\d{3}[\s.\-]\d{4}"
    r"|\d{3}[.\-\s]\d{3}[.\-\s]\d{4}"
)
#: phone numbers accepted when the column's name says "phone"
PHONE_LOOSE_RE = r"\+?[\d\s().\-]{7,20}(?:\s?(?:x|ext\.?)\s?\d{1,5})?"
POSTAL_RE = (
    r"\d{5}(?:-\d{4})?"  # US ZIP / ZIP+4, also DE, FR, ES, IT
    r"|\d{3,4}"  # AT, BE, CH, DK, NL prefix, AU, NO
    r"|\d{4}\s?[A-Za-z]{2}"  # NL
    r"|[A-Za-z]{1,2}\d[A-Za-z\d]?\s?\d[A-Za-z]{2}"  # UK
    r"|[A-Za-z]\d[A-Za-z]\s?\d[A-Za-z]\d"  # CA
    r"|\d{3}-\d{4}"  # JP
    r"|\d{2}-\d{3}"  # PL
    r"|\d{6}"  # IN, CN, RU, SG
)
#: capitalised words of letters of any script ("José", "Łukasz", "O'Neil"), with lower-case
#: particles between them ("Linde van Boven", "Ana de la Cruz"): five words at most
_NAME_WORD = r"[^\W\d_a-zß-öø-ÿ](?:[^\W\d_]|['\-\.])"
PERSON_NAME_RE = rf"{_NAME_WORD}+(?:\s(?:{_NAME_WORD}*|[a-z]{{1,3}})){{0,4}}"
#: words that name an organisation or a place, not a person: legal forms, trades and
#: institutions, places and facilities. Surname-like words (Park, Hill, Banks, Church, Field
#: alone) are fine here because a column needs :data:`ORG_PLACE_SHARE` of its values to
#: carry one before it stops being a person-name column.
_ORG_PLACE_TEXT = """
    inc incorporated corp corporation co company companies ltd limited llc llp lp plc gmbh
    ag sa sarl bv nv oy ab spa srl pty pvt kk holdings holding group partners associates
    enterprises ventures industries international intl global national natl federal
    air airlines airline airways lines aviation aero aeronautics airport airports airpark
    airfield aerodrome heliport seaplane spaceport terminal station port harbor harbour
    regional municipal county muni metropolitan metro city town village district state
    central memorial field base afb intercontinental
    bank bancorp banking financial finance capital insurance assurance credit trust fund
    funds securities investments
    hospital clinic medical health healthcare pharmacy pharmaceuticals labs laboratories
    university college school academy institute institution foundation society association
    council committee agency authority department ministry office bureau commission
    church cathedral temple mosque synagogue
    hotel resort motel inn restaurant cafe bar pub store stores shop market supermarket
    mall center centre plaza
    services service systems solutions technologies technology tech software networks
    communications telecom media entertainment studios energy power electric utilities
    motors automotive logistics transport transportation express freight shipping railways
    railroad railway rail manufacturing products foods beverages brewing
    street st road rd avenue ave boulevard blvd lane highway
"""
ORG_PLACE_WORDS = frozenset(_ORG_PLACE_TEXT.split())
#: share of a name column's values with an organisation or place word above which the
#: column names organisations or places, not people
ORG_PLACE_SHARE = 0.5
MONEY_RE = (
    r"[-+]?(?:[$€£¥₹]|USD|EUR|GBP)\s?-?\d{1,3}(?:[,\s]?\d{3})*(?:\.\d{1,2})?"
    r"|[-+]?\d{1,3}(?:[,\s]?\d{3})*(?:\.\d{1,2})?\s?(?:[$€£¥₹]|USD|EUR|GBP)"
)

_NAME_HINTS: dict[SemanticType, set[str]] = {
    SemanticType.EMAIL: {"email", "e-mail", "mail", "emailaddress"},
    SemanticType.PHONE: {"phone", "telephone", "tel", "mobile", "cell", "fax", "phonenumber"},
    SemanticType.POSTAL_CODE: {"zip", "zipcode", "postal", "postcode", "postalcode", "plz"},
    SemanticType.NATIONAL_ID: {
        "ssn",
        "nationalid",
        "national",
        "passport",
        "nin",
        "nino",
        "taxid",
        "tin",
        "sin",
        "socialsecurity",
        "socialsecuritynumber",
        "idcard",
    },
    SemanticType.CREDIT_CARD: {"creditcard", "card", "cc", "ccnumber", "cardnumber", "pan"},
    SemanticType.IP_ADDRESS: {"ip", "ipaddress", "ipv4", "ipv6"},
    SemanticType.URL: {"url", "uri", "website", "homepage", "link", "href"},
    SemanticType.LATITUDE: {"lat", "latitude"},
    SemanticType.LONGITUDE: {"lon", "lng", "long", "longitude"},
    SemanticType.DATE_OF_BIRTH: {"dob", "birth", "birthday", "birthdate", "dateofbirth", "born"},
    SemanticType.MONEY: {
        "price",
        "amount",
        "salary",
        "cost",
        "income",
        "revenue",
        "fee",
        "fees",
        "wage",
        "wages",
        "balance",
        "payment",
        "spend",
        "spending",
        "charge",
        "charges",
        "usd",
        "eur",
        "gbp",
        "dollars",
        "pay",
        "earnings",
        "profit",
        "sales",
    },
}
_PERSON_NAME_WHOLE = {"name", "surname", "firstname", "lastname", "fullname", "forename"}
_PERSON_NAME_QUALIFIERS = {
    "first",
    "last",
    "full",
    "given",
    "family",
    "middle",
    "maiden",
    "person",
    "customer",
    "patient",
    "employee",
    "client",
    "contact",
    "member",
    "owner",
    "holder",
    "cardholder",
    "account",
    "user",
    "sur",
    "fore",
    "display",
    "legal",
}


def name_words(name: str) -> list[str]:
    """Split a column name into lower-case words: ``"customerEmail_2"`` -> ``["customer", "email", "2"]``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", str(name))
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def _hinted(words: list[str], semantic: SemanticType) -> bool:
    hints = _NAME_HINTS[semantic]
    joined = "".join(words)
    if joined in hints:
        return True
    pairs = {a + b for a, b in zip(words, words[1:], strict=False)}
    return bool(hints.intersection(words) or hints.intersection(pairs))


def _person_name_hinted(words: list[str]) -> bool:
    if not words:
        return False
    if "".join(words) in _PERSON_NAME_WHOLE or words[-1] in _PERSON_NAME_WHOLE - {"name"}:
        return True
    if "name" in words:
        i = len(words) - 1 - words[::-1].index("name")
        return i == 0 or words[i - 1] in _PERSON_NAME_QUALIFIERS
    return False


def organisation_share(strings: pd.Series) -> float:
    """Share of ``strings`` holding a word of :data:`ORG_PLACE_WORDS` ("United Air Lines
    Inc.", "La Guardia Airport", "Mercy Hospital"): a ``name`` column mostly made of them
    names organisations or places, which are not personal data.

    The test is by the values' own words, not by a lexicon of first names: a lexicon
    misses the personal names of every culture it was not drawn from, and a missed person
    name is a leak, while a missed organisation name only costs fidelity (it is replaced by
    fakes)."""
    if strings.empty:
        return 0.0
    counts = strings.value_counts()  # each distinct value once, weighted by its count
    words = pd.Series(counts.index, dtype=object).str.lower().str.findall(r"[a-z]+").explode()
    flagged = words.isin(ORG_PLACE_WORDS).groupby(level=0).any().to_numpy()
    return float(counts.to_numpy()[flagged].sum() / len(strings))


def names_organisations(strings: pd.Series) -> bool:
    """Whether ``strings`` are mostly names of organisations or places: at least
    :data:`ORG_PLACE_SHARE` of them carry an organisation or place word, and as many are
    names of two words or more without digits ("Lansdowne Airport", not the code
    "city-17")."""
    if strings.empty:
        return False
    named = strings.str.fullmatch(r"[^\W\d_][^\d]*\s[^\d]*[^\W\d_]\.?").mean()
    return named >= ORG_PLACE_SHARE and organisation_share(strings) >= ORG_PLACE_SHARE


def _share(strings: pd.Series, pattern: str) -> float:
    if strings.empty:
        return 0.0
    return float(strings.str.fullmatch(pattern).mean())


def detect_semantic_type(name: str, values: pd.Series, kind: ColumnKind) -> SemanticType | None:
    """The semantic type of a column, or ``None`` when none is recognised.

    Args:
        name: the column's name; its words are matched against name hints.
        values: a sample of the column's non-missing values (strings or numbers), missing-value
            tokens already removed.
        kind: the column's inferred kind; some semantic types need a particular kind.
    """
    words = name_words(name)
    values = values.dropna()
    is_numeric = kind in _NUMERIC_KINDS or pd.api.types.is_numeric_dtype(values.dtype)

    if kind is ColumnKind.DATETIME:
        return SemanticType.DATE_OF_BIRTH if _hinted(words, SemanticType.DATE_OF_BIRTH) else None

    if is_numeric and not pd.api.types.is_bool_dtype(values.dtype):
        numbers = pd.to_numeric(values, errors="coerce").dropna()
        if numbers.empty:
            return None
        low, high = float(numbers.min()), float(numbers.max())
        if _hinted(words, SemanticType.LATITUDE) and low >= -90 and high <= 90:
            return SemanticType.LATITUDE
        if _hinted(words, SemanticType.LONGITUDE) and low >= -180 and high <= 180:
            return SemanticType.LONGITUDE
        integral = bool(np.all(np.mod(numbers.to_numpy(float), 1) == 0))
        if integral and high < 1e19 and low >= 0:
            as_text = numbers.astype("int64").astype(str) if high < 2**63 else numbers.astype(str)
            lengths = as_text.str.len()
            if lengths.between(13, 19).all() and card_number_valid(as_text).mean() >= MATCH_SHARE:
                return SemanticType.CREDIT_CARD
            if _hinted(words, SemanticType.POSTAL_CODE) and lengths.between(3, 6).all():
                return SemanticType.POSTAL_CODE
            if _hinted(words, SemanticType.PHONE) and lengths.between(7, 15).all():
                return SemanticType.PHONE
            if _hinted(words, SemanticType.NATIONAL_ID) and kind is not ColumnKind.CONTINUOUS:
                return SemanticType.NATIONAL_ID
        if kind in _NUMERIC_KINDS and _hinted(words, SemanticType.MONEY):
            return SemanticType.MONEY
        return None

    if kind is ColumnKind.BOOLEAN:
        return None
    strings = values.astype(str).str.strip()
    strings = strings[strings != ""]
    if strings.empty:
        return None
    if _share(strings, EMAIL_RE) >= MATCH_SHARE:
        return SemanticType.EMAIL
    if _share(strings, URL_RE) >= MATCH_SHARE:
        return SemanticType.URL
    if _share(strings, f"{IPV4_RE}|{IPV6_RE}") >= MATCH_SHARE:
        return SemanticType.IP_ADDRESS
    if _share(strings, SSN_RE) >= MATCH_SHARE:
        return SemanticType.NATIONAL_ID
    compact = strings.str.replace(r"[\s\-]", "", regex=True)
    if (
        compact.str.fullmatch(r"\d{13,19}").mean() >= MATCH_SHARE
        and card_number_valid(compact).mean() >= MATCH_SHARE
    ):
        return SemanticType.CREDIT_CARD
    if (
        compact.str.fullmatch(IBAN_RE).mean() >= MATCH_SHARE
        and iban_valid(compact).mean() >= MATCH_SHARE
    ):
        return SemanticType.IBAN
    if _hinted(words, SemanticType.POSTAL_CODE) and _share(strings, POSTAL_RE) >= MATCH_SHARE:
        return SemanticType.POSTAL_CODE
    phone_hint = _hinted(words, SemanticType.PHONE)
    if _share(strings, PHONE_STRICT_RE) >= MATCH_SHARE or (
        phone_hint
        and _share(strings, PHONE_LOOSE_RE) >= MATCH_SHARE
        and strings.str.count(r"\d").between(7, 15).mean() >= MATCH_SHARE
    ):
        return SemanticType.PHONE
    if _hinted(words, SemanticType.NATIONAL_ID) and kind in (
        ColumnKind.IDENTIFIER,
        ColumnKind.CATEGORICAL,
    ):
        return SemanticType.NATIONAL_ID
    if (
        _person_name_hinted(words)
        and _share(strings, PERSON_NAME_RE) >= 0.8
        and organisation_share(strings) < ORG_PLACE_SHARE
    ):
        return SemanticType.PERSON_NAME
    if _share(strings, MONEY_RE) >= MATCH_SHARE:
        return SemanticType.MONEY
    return None
