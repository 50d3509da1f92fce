"""Great Expectations suites built from a Genesis schema, and validation of tables against them.

:func:`build_expectation_suite` turns a :class:`~genesis.schema.Schema` into a Great
Expectations 1.x ``ExpectationSuite``: the column set and order, each column's type family,
its null share within a tolerance, the labels of categorical columns, the range of numeric
and datetime columns, uniqueness of identifiers, and the format of semantic types (email,
URL, IP address ...). :func:`validate_table` runs the suite on a DataFrame in an ephemeral
context (nothing is written to disk) and returns a :class:`ValidationSummary` whose failures
carry examples of the offending values.

Great Expectations takes seconds to import, so it is imported only when a suite is built.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from genesis.errors import InvalidParameterError, missing_dependency
from genesis.jsonsafe import finite, json_safe
from genesis.schema.types import ColumnKind, DatetimeStorage, Schema, SemanticType
from genesis.validation import require_frame

if TYPE_CHECKING:
    import great_expectations as gx

#: dtype names Great Expectations reports, by the family a schema dtype belongs to
TYPE_FAMILIES: dict[str, list[str]] = {
    "numeric": [
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "Int8",
        "Int16",
        "Int32",
        "Int64",
        "UInt8",
        "UInt16",
        "UInt32",
        "UInt64",
        "float16",
        "float32",
        "float64",
        "Float32",
        "Float64",
    ],  # fmt: skip
    "boolean": ["bool", "boolean"],
    "datetime": ["datetime64[ns]", "datetime64[us]", "datetime64[ms]", "datetime64[s]"],
    "text": ["object", "str", "string", "category"],
}

#: regular expressions a value of a semantic type must match (deliberately permissive)
SEMANTIC_PATTERNS: dict[SemanticType, str] = {
    SemanticType.EMAIL: r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
    SemanticType.URL: r"^(https?|ftp)://[^\s/$.?#][^\s]*$",
    SemanticType.IP_ADDRESS: r"^(\d{1,3}(\.\d{1,3}){3}|[0-9A-Fa-f:]+:[0-9A-Fa-f:]*)$",
    SemanticType.PHONE: r"^[+(]?[0-9][0-9 ().\-x]{5,}$",
    SemanticType.CREDIT_CARD: r"^[0-9][0-9 \-]{11,22}[0-9]$",
    SemanticType.POSTAL_CODE: r"^[A-Za-z0-9][A-Za-z0-9 \-]{1,9}$",
}

#: examples of offending values kept per failed expectation
EXAMPLES = 5
_NUMERIC = (ColumnKind.CONTINUOUS, ColumnKind.INTEGER)
_LABELLED = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)


def _import_gx():
    try:
        import great_expectations as gx
    except ImportError:
        raise missing_dependency("great_expectations", "the schema expectation suites") from None
    return gx


def _type_family(dtype: str) -> str:
    try:
        resolved = pd.api.types.pandas_dtype(dtype)
    except TypeError:
        return "text"
    if pd.api.types.is_bool_dtype(resolved):
        return "boolean"
    if pd.api.types.is_numeric_dtype(resolved):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(resolved):
        return "datetime"
    return "text"


def build_expectation_suite(
    schema: Schema,
    *,
    name: str = "genesis",
    null_tolerance: float = 0.05,
    pattern_mostly: float = 0.95,
) -> gx.ExpectationSuite:
    """A Great Expectations suite every faithful synthetic twin of the table should pass.

    Args:
        schema: the source table's schema (from :func:`genesis.schema.infer_schema`).
        name: the suite's name.
        null_tolerance: how far (absolute share) a column's null share may stray from the
            source's. Columns with missing-value tokens (``?`` in Adult) count tokens as missing
            in the schema but not in pandas, so only the upper bound applies to them.
        pattern_mostly: share of non-null values that must match a semantic type's pattern.

    Expectations, per column: type family (numeric, boolean, datetime, text); null share;
    categorical labels within the source's (plus its missing tokens); numeric values within
    the source's [minimum, maximum]; native datetimes within the source's range, string
    datetimes in the source's ``strftime`` format; identifiers unique; semantic-type format
    patterns. PII columns, which Genesis replaces by fakes, keep type, null and format
    expectations but no label set or range.
    """
    if not isinstance(schema, Schema):
        raise InvalidParameterError(
            f"schema must be a genesis.schema.Schema, got {type(schema).__name__}; build one with "
            "genesis.schema.infer_schema(df)"
        )
    for label, value in (("null_tolerance", null_tolerance), ("pattern_mostly", pattern_mostly)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise InvalidParameterError(f"{label} must be a number in [0, 1], got {value!r}")
    gx = _import_gx()
    gxe = gx.expectations
    expectations: list[Any] = [gxe.ExpectTableColumnsToMatchOrderedList(column_list=schema.names)]
    for column in schema.columns:
        name_ = column.name
        family = _type_family(column.dtype)
        if column.kind is ColumnKind.DATETIME and column.datetime_storage is DatetimeStorage.NATIVE:
            family = "datetime"
        types = list(TYPE_FAMILIES[family])
        if family == "datetime":
            types += [f"{t[:-1]}, UTC]" for t in TYPE_FAMILIES["datetime"]]
        if family == "boolean":  # a boolean with missing values comes back as object
            types += ["object"]
        expectations.append(gxe.ExpectColumnValuesToBeInTypeList(column=name_, type_list=types))
        non_null = 1.0 - float(column.null_share)
        low = max(0.0, non_null - null_tolerance)
        high = min(1.0, non_null + null_tolerance) if not column.missing_tokens else 1.0
        expectations.append(
            gxe.ExpectColumnProportionOfNonNullValuesToBeBetween(
                column=name_, min_value=round(low, 6), max_value=round(high, 6)
            )
        )
        if column.kind in _LABELLED and column.categories and not column.pii:
            labels = [*column.categories, *column.missing_tokens]
            expectations.append(gxe.ExpectColumnValuesToBeInSet(column=name_, value_set=labels))
        if column.kind in _NUMERIC and not column.pii and family == "numeric":
            low_v, high_v = finite(column.minimum), finite(column.maximum)
            if low_v is not None or high_v is not None:
                expectations.append(
                    gxe.ExpectColumnValuesToBeBetween(
                        column=name_, min_value=low_v, max_value=high_v
                    )
                )
        if column.kind is ColumnKind.DATETIME and not column.pii:
            if column.datetime_storage is DatetimeStorage.STRING and column.datetime_format:
                expectations.append(
                    gxe.ExpectColumnValuesToMatchStrftimeFormat(
                        column=name_, strftime_format=column.datetime_format
                    )
                )
            elif family == "datetime" and column.minimum and column.maximum:
                expectations.append(
                    gxe.ExpectColumnValuesToBeBetween(
                        column=name_,
                        min_value=pd.Timestamp(column.minimum).to_pydatetime(),
                        max_value=pd.Timestamp(column.maximum).to_pydatetime(),
                    )
                )
        if column.unique or column.kind is ColumnKind.IDENTIFIER:
            expectations.append(gxe.ExpectColumnValuesToBeUnique(column=name_))
        pattern = SEMANTIC_PATTERNS.get(column.semantic_type) if column.semantic_type else None
        if pattern and family == "text":
            expectations.append(
                gxe.ExpectColumnValuesToMatchRegex(
                    column=name_, regex=pattern, mostly=pattern_mostly
                )
            )
    return gx.ExpectationSuite(name=name, expectations=expectations)


@dataclass
class ExpectationFailure:
    """One failed expectation: what was expected, where, and examples of offending values."""

    expectation: str
    column: str | None
    expected: dict[str, Any]
    observed: Any = None
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    examples: list[Any] = field(default_factory=list)
    error: str | None = None

    def describe(self) -> str:
        """One readable line."""
        where = f"column {self.column!r}: " if self.column else ""
        if self.error:
            return f"{where}{self.expectation} could not run: {self.error}"
        parts = [f"{where}{self.expectation}"]
        if self.unexpected_count is not None:
            share = (
                f" ({self.unexpected_percent:.2f}%)" if self.unexpected_percent is not None else ""
            )
            parts.append(f"{self.unexpected_count} unexpected value(s){share}")
        if self.examples:
            parts.append(f"e.g. {self.examples}")
        if self.observed is not None and self.unexpected_count is None:
            parts.append(f"observed {_short(self.observed)}")
        return ", ".join(parts)


@dataclass
class ValidationSummary:
    """Outcome of validating a table against a suite."""

    success: bool
    evaluated: int
    successful: int
    failures: list[ExpectationFailure]
    suite_name: str = "genesis"

    @property
    def failed(self) -> int:
        """Number of failed expectations."""
        return len(self.failures)

    def to_markdown(self) -> str:
        """The failures as a markdown table (``"all N expectations passed"`` when none)."""
        if not self.failures:
            return f"all {self.evaluated} expectations passed"
        lines = ["| expectation | column | unexpected | examples / observed |", "|---|---|---|---|"]
        for f in self.failures:
            unexpected = (
                f"{f.unexpected_count} ({f.unexpected_percent:.2f}%)"
                if f.unexpected_count is not None and f.unexpected_percent is not None
                else ""
            )
            detail = f.error or (str(f.examples) if f.examples else _short(f.observed))
            detail = detail.replace("|", "\\|")
            lines.append(f"| {f.expectation} | {f.column or ''} | {unexpected} | {detail} |")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-safe dict."""
        out = asdict(self)
        out["failed"] = self.failed
        for failure in out["failures"]:
            failure["examples"] = [json_safe(v) for v in failure["examples"]]
            failure["observed"] = json_safe(failure["observed"])
            failure["expected"] = {k: json_safe(v) for k, v in failure["expected"].items()}
        return out


def _short(value: Any, limit: int = 200) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def validate_table(
    df: pd.DataFrame,
    suite_or_schema: gx.ExpectationSuite | Schema,
    **suite_options: Any,
) -> ValidationSummary:
    """Validate ``df`` against a suite (or the suite built from a schema) in memory.

    Args:
        df: the table to validate (e.g. a synthetic table).
        suite_or_schema: an ``ExpectationSuite``, or a :class:`Schema` to build one from with
            :func:`build_expectation_suite` (``**suite_options`` are passed to it).

    Returns:
        a :class:`ValidationSummary`; each failure lists up to ``EXAMPLES`` offending values.
    """
    require_frame(df, "the table to validate")
    gx = _import_gx()
    if isinstance(suite_or_schema, Schema):
        suite = build_expectation_suite(suite_or_schema, **suite_options)
    elif isinstance(suite_or_schema, gx.ExpectationSuite):
        if suite_options:
            raise InvalidParameterError(
                f"options {sorted(suite_options)} only apply when a Schema is passed; build the "
                "suite with build_expectation_suite(schema, ...) instead"
            )
        suite = suite_or_schema
    else:
        raise InvalidParameterError(
            f"expected a great_expectations ExpectationSuite or a genesis Schema, got "
            f"{type(suite_or_schema).__name__}"
        )
    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_pandas(name="genesis")
    asset = source.add_dataframe_asset(name="table")
    batch = asset.add_batch_definition_whole_dataframe("whole table").get_batch(
        batch_parameters={"dataframe": df.reset_index(drop=True)}
    )
    result = batch.validate(
        suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": 20}
    )
    failures = [_failure(r) for r in result.results if not r.success]
    for failure in failures:
        if failure.column is not None and failure.column not in df.columns:
            failure.error = f"column {failure.column!r} is missing from the table"
    stats = result.statistics
    return ValidationSummary(
        success=bool(result.success),
        evaluated=int(stats.get("evaluated_expectations", len(result.results))),
        successful=int(stats.get("successful_expectations", 0)),
        failures=failures,
        suite_name=suite.name,
    )


def _failure(result: Any) -> ExpectationFailure:
    config = result.expectation_config
    kwargs = {k: v for k, v in dict(config.kwargs).items() if k not in ("batch_id", "column")}
    details = result.result or {}
    info = result.exception_info or {}
    error = None
    if info.get("raised_exception"):
        error = str(info.get("exception_message") or "raised an exception").splitlines()[0]
    examples: list[Any] = []
    for value in details.get("partial_unexpected_list") or []:
        if value not in examples:
            examples.append(value)
        if len(examples) == EXAMPLES:
            break
    percent = details.get("unexpected_percent")
    return ExpectationFailure(
        expectation=config.type,
        column=config.kwargs.get("column"),
        expected={
            k: v if not isinstance(v, list) or len(v) <= 20 else [*v[:20], "..."]
            for k, v in kwargs.items()
        },
        observed=details.get("observed_value"),
        unexpected_count=details.get("unexpected_count"),
        unexpected_percent=float(percent) if percent is not None else None,
        examples=examples,
        error=error,
    )


__all__ = [
    "EXAMPLES",
    "ExpectationFailure",
    "ValidationSummary",
    "build_expectation_suite",
    "validate_table",
]
