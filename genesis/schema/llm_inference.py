"""Schema inference with an optional language model: :class:`RuleBasedInferrer` and
:class:`LLMSchemaInferrer`.

The rules (:func:`genesis.schema.infer_schema`) always run first and decide every column's
kind. A language model, when one is configured, is only asked about the columns the rules
left without a semantic type, and only by name and kind (plus sampled values when
``allow_samples=True``, never for PII; :func:`genesis.llm.schema_payload` builds what is
sent). Each suggestion is checked against the real values locally, with the same patterns
and checksums the rules use (:mod:`genesis.schema.semantic`), before it is applied; every
suggestion, applied or rejected, is recorded in :attr:`Schema.notes`.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd

from genesis.errors import InvalidParameterError, LLMError, LLMFallbackWarning
from genesis.llm.config import LLMConfig
from genesis.schema.checksums import card_number_valid, iban_valid
from genesis.schema.inference import infer_schema
from genesis.schema.semantic import (
    EMAIL_RE,
    IBAN_RE,
    IPV4_RE,
    IPV6_RE,
    MATCH_SHARE,
    MONEY_RE,
    PERSON_NAME_RE,
    PHONE_LOOSE_RE,
    POSTAL_RE,
    URL_RE,
)
from genesis.schema.types import PII_SEMANTIC_TYPES, ColumnKind, ColumnSchema, Schema, SemanticType

#: national identifiers differ by country: a short code of letters, digits and separators
#: with at least one digit
NATIONAL_ID_RE = r"(?=.*\d)[A-Za-z0-9][A-Za-z0-9 \-./]{3,24}"
#: names are looser than patterns: the rules accept 80 % matching values too
PERSON_NAME_SHARE = 0.8
#: longest column name or label of the model's answer quoted in a note
_QUOTED = 60

_NUMERIC_KINDS = (ColumnKind.INTEGER, ColumnKind.CONTINUOUS)
_TEXT_ONLY = {
    SemanticType.EMAIL,
    SemanticType.URL,
    SemanticType.IP_ADDRESS,
    SemanticType.PERSON_NAME,
    SemanticType.IBAN,
}
_STRING_PATTERNS = {
    SemanticType.EMAIL: EMAIL_RE,
    SemanticType.URL: URL_RE,
    SemanticType.IP_ADDRESS: f"{IPV4_RE}|{IPV6_RE}",
    SemanticType.POSTAL_CODE: POSTAL_RE,
    SemanticType.NATIONAL_ID: NATIONAL_ID_RE,
    SemanticType.MONEY: MONEY_RE,
}

SYSTEM_PROMPT = (
    "You label the columns of a table with semantic types. You receive JSON describing "
    "columns (name, kind, and sometimes example values). For each column say what it holds, "
    "using exactly one of these types: {types}; or null when none fits or you are unsure. "
    'Answer with one JSON object only: {{"semantic_types": {{"<column name>": "<type or '
    'null>", ...}}}}, one entry per column you received.'
)


class RuleBasedInferrer:
    """The rule-based schema inference, as an object with ``infer(df)``.

    Args:
        sample_size: distinct values per column that go through the expensive checks.
        seed: seed of that sample.
    """

    def __init__(self, sample_size: int = 10_000, seed: int = 0) -> None:
        self.sample_size = sample_size
        self.seed = seed

    def infer(self, df: pd.DataFrame) -> Schema:
        """The schema of ``df`` (see :func:`genesis.schema.infer_schema`)."""
        return infer_schema(df, sample_size=self.sample_size, seed=self.seed)


class LLMSchemaInferrer:
    """The rules, then a language model for the semantic types the rules could not name.

    Args:
        provider: ``None`` (the rules only; no request is ever sent), a provider name
            (``"openai"``, ``"anthropic"``, ``"openai-compatible"``) built into an
            :class:`~genesis.llm.LLMConfig` with ``model``, ``base_url``, ``api_key_env`` and
            ``timeout``, or an :class:`~genesis.llm.LLMConfig`. Use
            ``LLMConfig.from_env()`` to take it from ``GENESIS_LLM_*`` variables.
        allow_samples: also send up to five sampled values and the range of each column
            asked about (never of PII, free-text or identifier columns). Off by default:
            the model sees column names and kinds only.
        sample_size, seed: as :class:`RuleBasedInferrer`; the seed also draws the examples.

    Example:
        >>> config = LLMConfig("openai-compatible", base_url="http://127.0.0.1:8080")
        >>> schema = LLMSchemaInferrer(config).infer(df)
        >>> schema.notes
        ["llm openai-compatible/local: column 'contact' -> email: applied"]
    """

    def __init__(
        self,
        provider: str | LLMConfig | None = None,
        allow_samples: bool = False,
        *,
        model: str | None = None,
        base_url: str | None = None,
        api_key_env: str | None = None,
        timeout: float = 30.0,
        sample_size: int = 10_000,
        seed: int = 0,
    ) -> None:
        if not isinstance(allow_samples, bool):
            raise InvalidParameterError(
                f"allow_samples must be True or False, got {allow_samples!r}"
            )
        if provider is None or isinstance(provider, LLMConfig):
            self.config = provider
        else:
            self.config = LLMConfig(provider, model, base_url, api_key_env, timeout)
        self.allow_samples = allow_samples
        self.rules = RuleBasedInferrer(sample_size, seed)
        self.seed = seed

    def infer(self, df: pd.DataFrame) -> Schema:
        """The rule-based schema of ``df``, with the model's validated semantic types.

        Without a provider this is exactly :meth:`RuleBasedInferrer.infer`. When the
        provider fails or answers with something unusable, the rules' schema is returned
        and a :class:`~genesis.errors.LLMFallbackWarning` says why.
        """
        schema = self.rules.infer(df)
        if self.config is None:
            return schema
        generic = [
            c.name for c in schema if c.semantic_type is None and c.kind is not ColumnKind.BOOLEAN
        ]
        if not generic:
            return schema
        from genesis.llm.client import complete_json
        from genesis.llm.payload import schema_payload

        payload = schema_payload(
            schema,
            self.allow_samples,
            data=df if self.allow_samples else None,
            columns=generic,
            labels=self.allow_samples,
            seed=self.seed,
        )
        system = SYSTEM_PROMPT.format(types=", ".join(t.value for t in SemanticType))
        try:
            answer = complete_json(self.config, system, json.dumps(payload, ensure_ascii=False))
        except LLMError as exc:
            warnings.warn(
                f"LLM schema inference fell back to the rules: {exc}",
                LLMFallbackWarning,
                stacklevel=2,
            )
            return schema
        suggestions = answer.get("semantic_types")
        if not isinstance(suggestions, dict):
            warnings.warn(
                "LLM schema inference fell back to the rules: the answer has no "
                f"'semantic_types' object (keys {_quote(sorted(answer))})",
                LLMFallbackWarning,
                stacklevel=2,
            )
            return schema
        self._apply(schema, df, generic, suggestions)
        return schema

    def _apply(self, schema: Schema, df: pd.DataFrame, asked: list[str], suggestions: dict) -> None:
        source = f"llm {self.config.provider}/{self.config.model}"
        for name, value in suggestions.items():
            if value is None or (
                isinstance(value, str) and value.strip().lower() in ("", "null", "none")
            ):
                continue
            if name not in asked:
                schema.notes.append(
                    f"{source}: column {_quote(name)} -> {_quote(value)}: rejected, not a column "
                    "that was asked about"
                )
                continue
            try:
                semantic = SemanticType(str(value).strip().lower())
            except ValueError:
                schema.notes.append(
                    f"{source}: column {name!r} -> {_quote(value)}: rejected, not a semantic "
                    f"type (known: {', '.join(t.value for t in SemanticType)})"
                )
                continue
            column = schema[name]
            reason = contradiction(semantic, column, _values(df[name], column, self.seed))
            if reason is not None:
                schema.notes.append(
                    f"{source}: column {name!r} -> {semantic.value}: rejected, {reason}"
                )
                continue
            column.semantic_type = semantic
            column.pii = semantic in PII_SEMANTIC_TYPES
            if column.pii:
                column.support = None  # PII columns are replaced by fakes, not sampled on a support
            schema.notes.append(
                f"{source}: column {name!r} -> {semantic.value}: applied"
                + (" (flagged PII)" if column.pii else "")
            )


def contradiction(semantic: SemanticType, column: ColumnSchema, values: pd.Series) -> str | None:
    """Why the values of ``column`` cannot be of type ``semantic``, or ``None`` when they can.

    ``values`` are the column's non-missing values (numbers for numeric kinds). The message
    gives shares and bounds of the check, never a value.
    """
    kind = column.kind
    if kind is ColumnKind.BOOLEAN:
        return "a boolean column has no semantic type"
    if semantic is SemanticType.DATE_OF_BIRTH:
        return (
            None
            if kind is ColumnKind.DATETIME and _past_dates(column)
            else ("a date of birth needs a datetime column with dates before today")
        )
    if kind is ColumnKind.DATETIME:
        return f"a datetime column cannot hold {semantic.value} values"
    if values.empty:
        return "the column has no values to check"
    if kind in _NUMERIC_KINDS:
        return _numeric_contradiction(semantic, column, pd.to_numeric(values, errors="coerce"))
    strings = values.astype(str).str.strip()
    if semantic in (SemanticType.LATITUDE, SemanticType.LONGITUDE):
        return f"{semantic.value} needs a numeric column, this one is {kind.value}"
    compact = strings.str.replace(r"[\s\-]", "", regex=True)
    if semantic is SemanticType.CREDIT_CARD:
        share = float((compact.str.fullmatch(r"\d{13,19}") & card_number_valid(compact)).mean())
        return _short(share, "card numbers passing the Luhn check")
    if semantic is SemanticType.IBAN:
        share = float((compact.str.fullmatch(IBAN_RE) & iban_valid(compact)).mean())
        return _short(share, "IBANs with a valid checksum")
    if semantic is SemanticType.PHONE:
        digits = strings.str.count(r"\d").between(7, 15)
        share = float((strings.str.fullmatch(PHONE_LOOSE_RE) & digits).mean())
        return _short(share, "phone numbers")
    if semantic is SemanticType.PERSON_NAME:
        share = float(strings.str.fullmatch(PERSON_NAME_RE).mean())
        return _short(share, "person names", PERSON_NAME_SHARE)
    share = float(strings.str.fullmatch(_STRING_PATTERNS[semantic]).mean())
    return _short(share, f"{semantic.value} values")


def _numeric_contradiction(
    semantic: SemanticType, column: ColumnSchema, numbers: pd.Series
) -> str | None:
    numbers = numbers.dropna()
    if numbers.empty:
        return "the column has no numbers to check"
    if semantic in _TEXT_ONLY:
        return f"a numeric column cannot hold {semantic.value} values"
    low, high = float(numbers.min()), float(numbers.max())
    if semantic is SemanticType.LATITUDE:
        return (
            None if low >= -90 and high <= 90 else "latitudes lie in [-90, 90]; the values do not"
        )
    if semantic is SemanticType.LONGITUDE:
        return (
            None
            if low >= -180 and high <= 180
            else ("longitudes lie in [-180, 180]; the values do not")
        )
    if semantic is SemanticType.MONEY:
        return None
    integral = bool(np.all(np.mod(numbers.to_numpy(float), 1) == 0))
    if not integral or low < 0 or high >= 1e19:
        return f"{semantic.value} values are non-negative whole numbers; these are not"
    text = numbers.astype("int64").astype(str) if high < 2**63 else numbers.astype(str)
    lengths = text.str.len()
    if semantic is SemanticType.CREDIT_CARD:
        share = float((lengths.between(13, 19) & card_number_valid(text)).mean())
        return _short(share, "card numbers passing the Luhn check")
    if semantic is SemanticType.POSTAL_CODE:
        return _short(float(lengths.between(3, 6).mean()), "postal codes of 3 to 6 digits")
    if semantic is SemanticType.PHONE:
        return _short(float(lengths.between(7, 15).mean()), "phone numbers of 7 to 15 digits")
    if column.kind is ColumnKind.CONTINUOUS:  # NATIONAL_ID
        return "a national identifier is not a continuous quantity"
    return None


def _short(share: float, what: str, needed: float = MATCH_SHARE) -> str | None:
    if share >= needed:
        return None
    return f"only {share:.0%} of the checked values are {what} (at least {needed:.0%} needed)"


def _past_dates(column: ColumnSchema) -> bool:
    try:
        low, high = pd.Timestamp(column.minimum), pd.Timestamp(column.maximum)
    except (TypeError, ValueError):
        return False
    if pd.isna(low) or pd.isna(high):
        return False
    now = pd.Timestamp.now(tz=high.tz) if high.tz is not None else pd.Timestamp.now()
    return low.year >= 1850 and high <= now


def _values(series: pd.Series, column: ColumnSchema, seed: int, size: int = 10_000) -> pd.Series:
    """A seeded sample of the column's non-missing values, missing-value tokens removed."""
    values = series.dropna()
    if column.missing_tokens and values.dtype == object:
        values = values[~values.isin(column.missing_tokens)]
    if len(values) > size:
        rng = np.random.default_rng(seed)
        values = values.iloc[np.sort(rng.choice(len(values), size, replace=False))]
    if column.kind in _NUMERIC_KINDS:
        values = pd.to_numeric(values, errors="coerce")
    return values.reset_index(drop=True)


def _quote(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _QUOTED else text[: _QUOTED - 3] + "..."
