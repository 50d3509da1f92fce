"""Realistic stand-ins for what must never be learned: identifiers, PII, free text, rare values.

Values are built from small pools drawn from a seeded :class:`faker.Faker` and combined with
numpy, so generating a million fakes costs a few thousand Faker calls, not a million.
Pattern-based fakes (phone numbers, postal codes, national ids, card numbers, string
identifiers) keep the source's shape: digits stay digits, letters stay letters of the same
case, separators and characters shared by every value stay put.

A :class:`ColumnFaker` keeps only hashes of the real values, used to guarantee that no real
value comes out. :func:`rare_value_faker` builds the one that stands in for the rare values of
a learned column (labels held by so few rows that they identify them): Faker values where the
column's semantic type is known, new codes in the values' pattern where they are codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from genesis.schema.checksums import luhn_valid  # noqa: F401  (the one Luhn rule, re-exported)
from genesis.schema.types import ColumnKind, ColumnSchema, SemanticType

_KEEP, _DIGIT, _UPPER, _LOWER = 0, 1, 2, 3
_MAX_PATTERNS = 1000
_ROUNDS = 12


# ----------------------------------------------------------------------------------------------
# character patterns
# ----------------------------------------------------------------------------------------------


@dataclass
class Pattern:
    """Masked shapes of a column's values: which characters are kept, which are redrawn."""

    chars: np.ndarray  # (m, width) uint32 code points of the kept characters
    kinds: np.ndarray  # (m, width) uint8: keep / random digit / random upper / random lower
    weights: np.ndarray  # (m,) share of the source values with each shape

    @property
    def width(self) -> int:
        return self.chars.shape[1]


def _code_points(values: np.ndarray) -> np.ndarray:
    text = np.asarray(values, dtype=str)
    width = max(text.dtype.itemsize // 4, 1)
    return np.ascontiguousarray(text.astype(f"<U{width}")).view(np.uint32).reshape(len(text), width)


def pattern_templates(values: np.ndarray) -> Pattern:
    """Learn the shapes of string values without keeping any of the values themselves.

    Positions where every value of the same length has the same character (a prefix such as
    ``"CUST-"``) are kept; every other letter or digit is redrawn at generation.
    """
    values = np.asarray(values, dtype=object)
    if values.size == 0:
        values = np.array(["0"], dtype=object)
    codes = _code_points(values)
    lengths = (codes != 0).sum(axis=1)
    kinds = np.zeros(codes.shape, dtype=np.uint8)
    kinds[(codes >= 48) & (codes <= 57)] = _DIGIT
    kinds[(codes >= 65) & (codes <= 90)] = _UPPER
    kinds[(codes >= 97) & (codes <= 122)] = _LOWER
    for length in np.unique(lengths):
        rows = lengths == length
        if rows.sum() < 2:
            continue
        constant = (codes[rows] == codes[rows][0]).all(axis=0)
        kinds[np.ix_(rows, constant)] = _KEEP
    chars = np.where(kinds == _KEEP, codes, 0).astype(np.uint32)
    shapes = np.concatenate([chars, kinds.astype(np.uint32)], axis=1)
    unique, counts = np.unique(shapes, axis=0, return_counts=True)
    top = np.argsort(-counts, kind="stable")[:_MAX_PATTERNS]
    width = codes.shape[1]
    return Pattern(
        chars=unique[top, :width].astype(np.uint32),
        kinds=unique[top, width:].astype(np.uint8),
        weights=counts[top] / counts[top].sum(),
    )


def _draw_codes(pattern: Pattern, n: int, rng: np.random.Generator) -> np.ndarray:
    which = rng.choice(pattern.weights.size, size=n, p=pattern.weights)
    chars, kinds = pattern.chars[which], pattern.kinds[which]
    draws = rng.integers(0, 26, size=chars.shape, dtype=np.uint32)
    out = chars.copy()
    digit, upper, lower = kinds == _DIGIT, kinds == _UPPER, kinds == _LOWER
    out[digit] = 48 + draws[digit] % 10
    out[upper] = 65 + draws[upper]
    out[lower] = 97 + draws[lower]
    return out


def _codes_to_strings(codes: np.ndarray) -> np.ndarray:
    width = codes.shape[1]
    return np.ascontiguousarray(codes).view(f"<U{width}").ravel().astype(object)


def from_pattern(pattern: Pattern, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` strings of the learned shapes (not necessarily unique)."""
    return _codes_to_strings(_draw_codes(pattern, n, rng))


def luhn_complete(codes: np.ndarray) -> np.ndarray:
    """Set the last digit of each row of code points so the digits pass the Luhn check.

    Vectorised over all rows, because it runs on every generated card number; the numbers
    it completes pass :func:`genesis.schema.checksums.luhn_valid` (python-stdnum)."""
    codes = codes.copy()
    is_digit = (codes >= 48) & (codes <= 57)
    from_right = np.cumsum(is_digit[:, ::-1], axis=1)[:, ::-1] * is_digit  # 1 = check digit
    digits = np.where(is_digit, codes.astype(np.int64) - 48, 0)
    doubled = np.where(from_right % 2 == 0, digits * 2, digits)
    doubled = np.where(doubled > 9, doubled - 9, doubled)
    body = np.where(from_right >= 2, doubled, 0).sum(axis=1)
    check = (10 - body % 10) % 10
    rows, cols = np.nonzero(from_right == 1)
    codes[rows, cols] = (48 + check[rows]).astype(np.uint32)
    return codes


def unique_integers(n: int, low: int, high: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` distinct integers from ``[low, high]``, widened upwards when the range is too small."""
    span = max(high - low + 1, n, 1)
    return low + rng.choice(span, size=n, replace=False).astype(np.int64)


def _log10_capacity(pattern: Pattern) -> float:
    """log10 of how many distinct strings the shapes can make."""
    digits = (pattern.kinds == _DIGIT).sum(axis=1)
    letters = np.isin(pattern.kinds, [_UPPER, _LOWER]).sum(axis=1)
    per_shape = digits + letters * np.log10(26)
    return float(np.log10(np.sum(10.0 ** np.minimum(per_shape, 300))))


def widen(pattern: Pattern, n: int, *, letters: bool = True) -> Pattern:
    """Free kept digits, then kept letters (unless ``letters`` is False), until the shapes can
    make ``4 n`` distinct strings.

    ``"CUST-00" + 3 digits`` learned from 500 ids cannot name 2,000 rows; freeing the kept
    zeros gives ``"CUST-" + 5 digits``.
    """
    needed = np.log10(max(4 * n, 1))
    kinds = pattern.kinds.copy()
    chars = pattern.chars
    steps = ((48, 57, _DIGIT), (65, 90, _UPPER), (97, 122, _LOWER))
    for lo, hi, kind in steps if letters else steps[:1]:
        if _log10_capacity(Pattern(chars, kinds, pattern.weights)) >= needed:
            break
        kept = (kinds == _KEEP) & (chars >= lo) & (chars <= hi)
        # free from the right: the tail of a key varies first
        for column in range(kinds.shape[1] - 1, -1, -1):
            if not kept[:, column].any():
                continue
            kinds[kept[:, column], column] = kind
            if _log10_capacity(Pattern(chars, kinds, pattern.weights)) >= needed:
                break
    return Pattern(chars, kinds, pattern.weights)


def unique_from_pattern(pattern: Pattern, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` distinct strings of the learned shapes (a counter suffix when shapes run out)."""
    pattern = widen(pattern, n)
    values = from_pattern(pattern, n, rng)
    return _dedupe(values, lambda k: from_pattern(pattern, k, rng), _append_counter)


def _append_counter(values: np.ndarray, positions: np.ndarray) -> np.ndarray:
    values = values.copy()
    values[positions] = (
        pd.Series(values[positions]).astype(str)
        + "-"
        + pd.Series(np.arange(1, positions.size + 1)).astype(str)
    ).to_numpy(dtype=object)
    return values


def _dedupe(
    values: np.ndarray,
    redraw,
    suffix,
    *,
    unique: bool = True,
    forbidden: np.ndarray | None = None,
) -> np.ndarray:
    """Redraw duplicates (when ``unique``) and values whose hash is ``forbidden``, a few
    rounds, then let ``suffix`` fix what is left. Values are compared by 64-bit hash and only
    redrawn values are hashed again."""
    values = np.asarray(values, dtype=object).copy()
    hashes = _hash(values)

    def bad_rows() -> np.ndarray:
        bad = pd.Series(hashes).duplicated().to_numpy() if unique else np.zeros(len(values), bool)
        if forbidden is not None and forbidden.size:
            bad |= np.isin(hashes, forbidden)
        return bad

    for _ in range(_ROUNDS):
        bad = bad_rows()
        if not bad.any():
            return values
        values[bad] = redraw(int(bad.sum()))
        hashes[bad] = _hash(values[bad])
    bad = bad_rows()
    return suffix(values, np.flatnonzero(bad)) if bad.any() else values


def _hash(values: np.ndarray) -> np.ndarray:
    """64-bit hashes of values (as strings)."""
    # pandas hashes non-string objects through their str() itself
    return pd.util.hash_array(np.asarray(values, dtype=object), categorize=False)


# ----------------------------------------------------------------------------------------------
# per-column fakers
# ----------------------------------------------------------------------------------------------


def make_faker(rng: np.random.Generator, locale: str = "en_US") -> Any:
    """A :class:`faker.Faker` seeded from ``rng``."""
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(int(rng.integers(2**31)))
    return fake


def _pool(fake_method, size: int) -> np.ndarray:
    return np.unique(np.array([fake_method() for _ in range(size)], dtype=object))


class ColumnFaker:
    """Generates fakes for one text or PII column; built by :meth:`fit`."""

    def __init__(self, unique: bool, real_hashes: np.ndarray) -> None:
        self.unique = unique
        self.real_hashes = real_hashes

    @staticmethod
    def fit(
        column: ColumnSchema, source: pd.Series, present: pd.Series, rng: np.random.Generator
    ) -> ColumnFaker:
        """Pick the faker for ``column`` (by semantic type) and learn its shapes from ``present``."""
        text = present.astype(str).to_numpy(dtype=object)
        unique = bool(column.unique or (len(present) > 1 and present.is_unique))
        hashes = (
            np.unique(_hash(text))
            if column.kind is not ColumnKind.TEXT or column.pii
            else np.empty(0, np.uint64)
        )
        semantic = column.semantic_type
        if semantic is SemanticType.EMAIL:
            return _EmailFaker(unique, hashes)
        if semantic is SemanticType.PERSON_NAME:
            full = bool(len(text)) and np.mean([" " in v.strip() for v in text[:1000]]) >= 0.5
            return _NameFaker(unique, hashes, full)
        if semantic is SemanticType.IP_ADDRESS:
            return _IPFaker(unique, hashes, any(":" in v for v in text[:1000]))
        if semantic is SemanticType.URL:
            return _URLFaker(unique, hashes)
        if semantic is SemanticType.CREDIT_CARD:
            return _PatternFaker(unique, hashes, pattern_templates(text), luhn=True)
        if column.kind is ColumnKind.TEXT and not column.pii and semantic is None:
            from genesis.schema.semantic import names_organisations

            if names_organisations(pd.Series(pd.unique(text)[:1000], dtype=object)):
                from genesis.generators.entity_names import EntityNameFaker, name_templates

                # names are shown to people; none may equal a real one (free text may)
                return EntityNameFaker(unique, np.unique(_hash(text)), name_templates(present))
            lengths = present.astype(str).str.len().to_numpy()
            return _TextFaker(
                unique,
                hashes,
                np.quantile(lengths, np.linspace(0, 1, 101))
                if lengths.size
                else np.full(101, 20.0),
            )
        # phone, postal code, national id and any other PII: redraw in the source's shape
        return _PatternFaker(unique, hashes, pattern_templates(text))

    def _draw(self, n: int, rng: np.random.Generator, fake: Any) -> np.ndarray:
        raise NotImplementedError

    def _suffix(
        self, values: np.ndarray, positions: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        """Make the values at ``positions`` distinct and new once redrawing gave up."""
        return _append_counter(values, positions)

    def _needs_faker(self) -> bool:
        return True

    def generate(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` fakes as an object array of strings; none equals a real value."""
        if n == 0:
            return np.empty(0, dtype=object)
        fake = make_faker(rng) if self._needs_faker() else None
        values = self._draw(n, rng, fake)
        if not self.unique and not self.real_hashes.size:
            return values
        return _dedupe(
            values,
            lambda k: self._draw(k, rng, fake),
            lambda v, p: self._suffix(v, p, rng),
            unique=self.unique,
            forbidden=self.real_hashes,
        )


class _PatternFaker(ColumnFaker):
    def __init__(self, unique, hashes, pattern: Pattern, luhn: bool = False) -> None:
        super().__init__(unique, hashes)
        self.pattern = pattern
        self.luhn = luhn

    def _needs_faker(self) -> bool:
        return False

    def _draw(self, n, rng, fake):
        pattern = widen(self.pattern, n) if self.unique else self.pattern
        codes = _draw_codes(pattern, n, rng)
        if self.luhn:
            codes = luhn_complete(codes)
        return _codes_to_strings(codes)


def _pick(pool: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    return pool[rng.integers(0, pool.size, size=n)]


def _join(*parts: np.ndarray | str) -> np.ndarray:
    out = None
    for part in parts:
        piece = pd.Series(part, dtype=object) if not isinstance(part, str) else part
        out = piece if out is None else out + piece
    return np.asarray(out, dtype=object)


class _EmailFaker(ColumnFaker):
    def _draw(self, n, rng, fake):
        size = int(min(max(n, 50), 600))
        first = np.char.lower(_pool(fake.first_name, size).astype(str)).astype(object)
        last = np.char.lower(_pool(fake.last_name, size).astype(str)).astype(object)
        domains = _pool(fake.free_email_domain, 40)
        separators = np.array([".", "_", ""], dtype=object)
        number = rng.integers(0, 1000, size=n)
        digits = np.where(rng.random(n) < 0.4, number.astype(str).astype(object), "")
        return _join(
            _pick(first, n, rng),
            _pick(separators, n, rng),
            _pick(last, n, rng),
            digits,
            "@",
            _pick(domains, n, rng),
        )

    def _suffix(self, values, positions, rng):
        values = values.copy()
        user, _, domain = pd.Series(values[positions]).str.rpartition("@").T.to_numpy()
        counter = pd.Series(np.arange(1, positions.size + 1)).astype(str).to_numpy(dtype=object)
        values[positions] = _join(user, ".", counter, "@", domain)
        return values


class _NameFaker(ColumnFaker):
    def __init__(self, unique, hashes, full: bool) -> None:
        super().__init__(unique, hashes)
        self.full = full

    def _draw(self, n, rng, fake):
        size = int(min(max(n, 50), 1000))
        first = _pool(fake.first_name, size)
        if not self.full:
            return _pick(first, n, rng)
        return _join(_pick(first, n, rng), " ", _pick(_pool(fake.last_name, size), n, rng))

    def _suffix(self, values, positions, rng):
        # a middle initial ("Ada K. Lovelace") before falling back to a counter
        values = values.copy()
        letters = np.array(list("ABCDEFGHJKLMNPRSTW"), dtype=object)
        first, _, last = pd.Series(values[positions]).str.partition(" ").T.to_numpy()
        base = dict(zip(positions.tolist(), zip(first, last, strict=True), strict=True))
        for _round in range(_ROUNDS):
            if positions.size == 0:
                return values
            initials = letters[rng.integers(0, letters.size, positions.size)]
            first = np.array([base[p][0] for p in positions], dtype=object)
            last = np.array([base[p][1] for p in positions], dtype=object)
            if self.full:
                values[positions] = _join(first, " ", initials, ". ", last)
            else:
                values[positions] = _join(first, " ", initials, ".")
            bad = pd.Series(values).duplicated().to_numpy() | np.isin(
                _hash(values), self.real_hashes
            )
            positions = np.flatnonzero(bad)
            positions = positions[np.isin(positions, list(base))]
        return _append_counter(values, positions) if positions.size else values


class _IPFaker(ColumnFaker):
    def __init__(self, unique, hashes, v6: bool) -> None:
        super().__init__(unique, hashes)
        self.v6 = v6

    def _needs_faker(self) -> bool:
        return False

    def _draw(self, n, rng, fake):
        if self.v6:
            groups = rng.integers(0, 65536, size=(n, 8))
            parts = [
                pd.Series(groups[:, i]).map("{:x}".format).to_numpy(dtype=object) for i in range(8)
            ]
            pieces: list[Any] = []
            for i, part in enumerate(parts):
                pieces += [part] if i == 0 else [":", part]
            return _join(*pieces)
        octets = rng.integers(1, 255, size=(n, 4)).astype(str).astype(object)
        return _join(octets[:, 0], ".", octets[:, 1], ".", octets[:, 2], ".", octets[:, 3])


class _URLFaker(ColumnFaker):
    def _draw(self, n, rng, fake):
        size = int(min(max(n, 50), 500))
        sites = _pool(fake.url, size)
        paths = _pool(fake.uri_path, size)
        with_path = rng.random(n) < 0.7
        return np.where(
            with_path, _join(_pick(sites, n, rng), _pick(paths, n, rng)), _pick(sites, n, rng)
        ).astype(object)


class _TextFaker(ColumnFaker):
    """Faker sentences whose lengths follow the source's length distribution."""

    def __init__(self, unique, hashes, length_quantiles: np.ndarray) -> None:
        super().__init__(unique, hashes)
        self.length_quantiles = length_quantiles

    def _draw(self, n, rng, fake):
        grid = np.linspace(0, 1, self.length_quantiles.size)
        size = int(min(max(n, 20), 400))
        targets = np.interp(rng.random(size), grid, self.length_quantiles)
        pool = np.array(
            [
                fake.text(max_nb_chars=max(5, int(t))) if t >= 5 else fake.word()[: max(int(t), 1)]
                for t in targets
            ],
            dtype=object,
        )
        pool_lengths = np.array([len(v) for v in pool])
        order = np.argsort(pool_lengths, kind="stable")
        pool, pool_lengths = pool[order], pool_lengths[order]
        wanted = np.interp(rng.random(n), grid, self.length_quantiles)
        pos = np.clip(np.searchsorted(pool_lengths, wanted), 0, pool.size - 1)
        # pick at random among the pool entries closest in length, so repeats stay rare
        jitter = rng.integers(-3, 4, size=n)
        return pool[np.clip(pos + jitter, 0, pool.size - 1)]


# ----------------------------------------------------------------------------------------------
# stand-ins for the rare values of learned columns
# ----------------------------------------------------------------------------------------------

#: rare values are redrawn in their pattern when at least this share of them look like codes
CODE_SHARE = 0.95
# a code: short, no white space, and a digit or no lower-case letter ("N3DUAA", "SKU-0042",
# "LEX"); words ("Engineer") are not, a random string in their shape would not read as one
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/#:+-]{0,23}")


def hash_each(values: np.ndarray | pd.Series) -> np.ndarray:
    """The 64-bit hash of each value as text (1234 and "1234" hash alike)."""
    text = pd.Series(np.asarray(values, dtype=object), dtype=object).astype(str)
    return _hash(text.to_numpy(dtype=object))


def hash_values(values: np.ndarray | pd.Series) -> np.ndarray:
    """Sorted distinct hashes of ``values`` (:func:`hash_each`), for ``np.isin`` look-ups."""
    return np.unique(hash_each(values))


def looks_like_codes(values: np.ndarray | pd.Series) -> bool:
    """Whether string values are codes (see :data:`CODE_SHARE`): tail numbers, SKUs, airports."""
    text = pd.Series(np.asarray(values, dtype=object), dtype=object).astype(str)
    if text.empty:
        return False
    code = text.str.fullmatch(_CODE) & (
        text.str.contains(r"\d", regex=True) | ~text.str.contains(r"[a-z]", regex=True)
    )
    return bool(code.mean() >= CODE_SHARE)


def text_faker(values: np.ndarray | pd.Series, real_hashes: np.ndarray) -> ColumnFaker:
    """Faker text whose lengths follow those of ``values``; never one of ``real_hashes``."""
    lengths = pd.Series(np.asarray(values, dtype=object), dtype=object).astype(str).str.len()
    quantiles = (
        np.quantile(lengths.to_numpy(), np.linspace(0, 1, 101))
        if len(lengths)
        else np.full(101, 20.0)
    )
    return _TextFaker(False, real_hashes, quantiles)


def rare_value_faker(
    column: ColumnSchema,
    rare: pd.Series,
    real_hashes: np.ndarray,
    n_labels: int,
    rng: np.random.Generator,
) -> tuple[str, ColumnFaker] | None:
    """How the rare values ``rare`` (distinct labels) of a learned column are replaced.

    ``("faker", ...)`` when the column's semantic type is known (free text included) and
    Faker makes it; ``("pattern", ...)`` when the rare values are codes whose character
    pattern has room for ``4 n_labels`` strings (kept digits freed if needed); None when
    neither applies (the caller falls back on the column's frequent values). The faker never
    returns a value whose hash is in ``real_hashes`` (redrawn, then suffixed) and keeps no
    real value; codes of a numeric column come out as numbers ("0042" is 42).
    """
    text = pd.Series(np.asarray(rare, dtype=object), dtype=object).astype(str)
    if column.kind is ColumnKind.TEXT or column.semantic_type is not None:
        faker = ColumnFaker.fit(column, text, text, rng)
        faker.unique, faker.real_hashes = False, real_hashes
        return ("faker" if faker._needs_faker() else "pattern"), faker
    if looks_like_codes(text):
        # kept letters (the "N" of tail numbers) stay: a code with another prefix is implausible
        pattern = widen(pattern_templates(text.to_numpy(dtype=object)), n_labels, letters=False)
        # too few shapes to make new codes beside the real ones ("k" + 4 digits, all taken)
        if _log10_capacity(pattern) >= np.log10(4 * max(n_labels, 1)):
            numbers = pd.api.types.is_numeric_dtype(rare.dtype)
            return "pattern", (_NumberFaker if numbers else _PatternFaker)(
                False, real_hashes, pattern
            )
    return None


class _NumberFaker(_PatternFaker):
    """Digit patterns of a numeric column, written as the numbers they are ("0042" -> "42"),
    so that the check against the real values' hashes sees the value that comes out."""

    def _draw(self, n, rng, fake):
        return pd.to_numeric(pd.Series(super()._draw(n, rng, fake))).astype(str).to_numpy(object)
