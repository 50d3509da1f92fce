"""Schema inference: one vectorised pass over each column of a DataFrame.

The rules, in the order they are tried for each column:

* pandas ``bool``/``boolean`` columns, and two-valued columns drawn from a boolean vocabulary
  (true/false, yes/no, y/n, t/f, 0/1) are BOOLEAN;
* native ``datetime64`` columns are DATETIME stored NATIVE;
* numeric columns: unique, complete integers under an id-like name are IDENTIFIER; 8-digit
  integers that all read as ``%Y%m%d`` dates are DATETIME stored INTEGER; whole numbers are
  INTEGER (however few distinct values they take: Adult's ``education-num`` stays numeric);
  anything else is CONTINUOUS;
* string columns first lose their missing-value tokens (``"?"`` in Adult); what is left is
  numeric (INTEGER/CONTINUOUS, dtype kept ``object``), dates in a detected ``strftime`` format
  (DATETIME stored STRING), unique keys (IDENTIFIER), long free text (TEXT), or CATEGORICAL;
* an object column mixing numbers and strings is CATEGORICAL with its values kept as they are.

Expensive checks (date parsing, semantic regexes, text statistics) run on a seeded sample of
at most ``sample_size`` distinct values, so a million-row table takes seconds.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from genesis.errors import InvalidDataError, InvalidParameterError
from genesis.schema.datetimes import (
    fill_native_datetime,
    fill_string_datetime,
    sample_index,
)
from genesis.schema.logical import logical_types
from genesis.schema.semantic import detect_semantic_type, names_organisations
from genesis.schema.support import detect_support
from genesis.schema.types import (
    PII_SEMANTIC_TYPES,
    ColumnKind,
    ColumnSchema,
    DatetimeStorage,
    Schema,
)
from genesis.validation import require_frame, validate_frame

#: strings that stand for a missing value when they are not a column's main content
MISSING_TOKENS = frozenset(
    {
        "?",
        "",
        "NA",
        "N/A",
        "n/a",
        "na",
        "N.A.",
        "null",
        "NULL",
        "Null",
        "None",
        "none",
        "-",
        "--",
        "nan",
        "NaN",
        "NAN",
        "#N/A",
        "missing",
        "MISSING",
    }
)

#: pairs of (lower-cased) labels that make a two-valued column boolean
BOOLEAN_VOCABULARY = (
    frozenset({"true", "false"}),
    frozenset({"yes", "no"}),
    frozenset({"y", "n"}),
    frozenset({"t", "f"}),
    frozenset({"0", "1"}),
)

#: a decimal column with more places than this gets ``decimals=None``
MAX_DECIMALS = 6

_ID_NAME = re.compile(
    r"^(?i:id|uuid|guid|key|pk|index)$"  # the whole name
    r"|(?i:[_\-\s.](?:id|uuid|guid|key|pk))$"  # customer_id, order-key
    r"|^(?i:(?:id|uuid|guid)[_\-\s.])"  # id_customer
    r"|[a-z0-9](?:Id|ID|Uuid|UUID|Key)$"  # customerId, orderID
)
_UUID_RE = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
_NUMBER_RE = r"[-+]?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|[-+]?\.\d+(?:[eE][-+]?\d+)?"


def infer_schema(df: pd.DataFrame, *, sample_size: int = 10_000, seed: int = 0) -> Schema:
    """Infer the :class:`~genesis.schema.types.Schema` of a table.

    Args:
        df: the table; it needs at least one row, unique string column names.
        sample_size: at most this many distinct values of a column go through the expensive
            checks (date formats, semantic patterns, text statistics).
        seed: seed of that sample; the same table and seed give the same schema.

    Returns:
        A schema with one fully filled :class:`~genesis.schema.types.ColumnSchema` per column,
        in source order.

    Raises:
        InvalidDataError: ``df`` is not a DataFrame, has no rows or columns, duplicate, empty
            or non-string column names, or datetimes outside 1677-09-22..2262-04-11.
        InvalidParameterError: ``sample_size`` is not a positive integer.
    """
    _validate(df)
    if (
        not isinstance(sample_size, int | np.integer)
        or isinstance(sample_size, bool)
        or sample_size < 1
    ):
        raise InvalidParameterError(
            f"sample_size must be a positive integer, got {sample_size!r}; pass e.g. 10_000"
        )
    source_types = logical_types(df)
    columns = []
    for position, name in enumerate(df.columns):
        rng = np.random.default_rng([seed, position])
        column = _infer_column(name, df.iloc[:, position], rng, int(sample_size))
        column.logical_type = source_types.get(name)
        columns.append(column)
    return Schema(columns=columns, n_rows=len(df))


def _validate(df: object) -> None:
    require_frame(df, "the table to infer a schema from")
    if isinstance(df.columns, pd.MultiIndex):
        raise InvalidDataError(
            "the DataFrame has MultiIndex columns; flatten them first, e.g. "
            "df.columns = ['_'.join(map(str, c)) for c in df.columns]"
        )
    validate_frame(df, "the table to infer a schema from")


# --- one column ---------------------------------------------------------------------------


def _infer_column(
    name: str, series: pd.Series, rng: np.random.Generator, sample_size: int
) -> ColumnSchema:
    dtype = series.dtype
    n = len(series)
    column = ColumnSchema(name=name, kind=ColumnKind.CATEGORICAL, dtype=str(dtype))
    nonnull = series.dropna()
    column.null_share = float(1 - len(nonnull) / n)

    if len(nonnull) == 0:
        # nothing to learn from; keep a bool/numeric/datetime dtype's natural kind
        if pd.api.types.is_bool_dtype(dtype):
            column.kind = ColumnKind.BOOLEAN
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            column.kind, column.datetime_storage = ColumnKind.DATETIME, DatetimeStorage.NATIVE
        elif pd.api.types.is_numeric_dtype(dtype):
            column.kind = ColumnKind.CONTINUOUS
        return column

    if pd.api.types.is_bool_dtype(dtype):
        _fill_categorical(column, nonnull, ColumnKind.BOOLEAN)
    elif pd.api.types.is_datetime64_any_dtype(dtype):
        fill_native_datetime(column, nonnull)
    elif pd.api.types.is_timedelta64_dtype(dtype):
        seconds = nonnull.dt.total_seconds()
        column.kind = ColumnKind.CONTINUOUS
        _fill_numeric_stats(column, seconds.to_numpy(float))
        column.decimals = _decimals(seconds.to_numpy(float))
    elif pd.api.types.is_numeric_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
        _fill_numeric(column, nonnull, n)
    else:
        try:
            _fill_object(column, nonnull, n, rng, sample_size)
        except TypeError as exc:
            if "unhashable" not in str(exc):
                raise
            raise InvalidDataError(
                f"column {name!r} holds unhashable values such as lists or dicts; flatten it "
                "(pd.json_normalize) or turn the values into strings before inferring a schema"
            ) from None

    if column.kind in (ColumnKind.CATEGORICAL, ColumnKind.TEXT, ColumnKind.IDENTIFIER):
        sample = _sample_values(nonnull, column.missing_tokens, rng, sample_size)
    else:
        sample = _sample_values(
            _as_numeric_if_object(nonnull, column), column.missing_tokens, rng, sample_size
        )
    column.semantic_type = detect_semantic_type(name, sample, column.kind)
    column.pii = column.semantic_type in PII_SEMANTIC_TYPES
    if column.kind in (ColumnKind.INTEGER, ColumnKind.CONTINUOUS) and not (
        column.pii or pd.api.types.is_timedelta64_dtype(dtype)
    ):
        numbers = pd.to_numeric(_as_numeric_if_object(nonnull, column), errors="coerce")
        column.support = detect_support(
            numbers.to_numpy(dtype=np.float64, na_value=np.nan),
            decimals=0 if column.kind is ColumnKind.INTEGER else column.decimals,
        )
    return column


def _as_numeric_if_object(values: pd.Series, column: ColumnSchema) -> pd.Series:
    if values.dtype == object and column.kind in (ColumnKind.INTEGER, ColumnKind.CONTINUOUS):
        kept = values[~values.isin(column.missing_tokens)] if column.missing_tokens else values
        return pd.to_numeric(kept, errors="coerce")
    return values


def _sample_values(
    values: pd.Series, tokens: list, rng: np.random.Generator, sample_size: int
) -> pd.Series:
    if tokens and values.dtype == object:
        values = values[~values.isin(tokens)]
    if len(values) > sample_size:
        positions = np.sort(rng.choice(len(values), size=sample_size, replace=False))
        values = values.iloc[positions]
    return values.reset_index(drop=True)


def _native(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def _fill_categorical(column: ColumnSchema, values: pd.Series, kind: ColumnKind) -> None:
    """Set kind, cardinality, unique and (when few) categories from non-missing values."""
    column.kind = kind
    uniques = pd.unique(
        values.to_numpy(dtype=object) if values.dtype == object else values.to_numpy()
    )
    column.cardinality = len(uniques)
    column.unique = column.cardinality == len(values)
    if column.cardinality <= Schema.MAX_RECORDED_CATEGORIES:
        column.categories = [_native(v) for v in uniques]


def _fill_numeric_stats(column: ColumnSchema, numbers: np.ndarray) -> None:
    column.minimum = float(numbers.min())
    column.maximum = float(numbers.max())


def _decimals(numbers: np.ndarray) -> int | None:
    """Fewest decimal places that write every value exactly, or ``None`` beyond MAX_DECIMALS."""
    values = np.unique(numbers[np.isfinite(numbers)])
    for places in range(MAX_DECIMALS + 1):
        scaled = values * 10.0**places
        tolerance = 1e-6 * np.maximum(1.0, np.abs(scaled) * 1e-9)
        if np.all(np.abs(scaled - np.round(scaled)) <= tolerance):
            return places
    return None


def _fill_numeric(column: ColumnSchema, values: pd.Series, n_rows: int) -> None:
    numbers = values.to_numpy(dtype=float)
    finite = numbers[np.isfinite(numbers)]
    column.cardinality = int(values.nunique())
    column.unique = column.cardinality == len(values)
    integral = finite.size == numbers.size and bool(np.all(np.mod(finite, 1) == 0))
    if integral and column.cardinality == 2 and set(np.unique(finite).tolist()) == {0.0, 1.0}:
        _fill_categorical(column, values, ColumnKind.BOOLEAN)
        return
    _fill_numeric_stats(column, numbers)
    complete = len(values) == n_rows
    if integral and column.unique and complete and _ID_NAME.search(column.name):
        column.kind = ColumnKind.IDENTIFIER
        return
    if integral and _all_yyyymmdd(finite):
        column.kind = ColumnKind.DATETIME
        column.datetime_storage = DatetimeStorage.INTEGER
        column.datetime_format = "%Y%m%d"
        parsed = pd.to_datetime(pd.Series(finite.astype(np.int64)).astype(str), format="%Y%m%d")
        column.minimum = parsed.min().isoformat()
        column.maximum = parsed.max().isoformat()
        return
    if integral:
        column.kind = ColumnKind.INTEGER
        return
    column.kind = ColumnKind.CONTINUOUS
    column.decimals = _decimals(finite) if finite.size else None


def _all_yyyymmdd(numbers: np.ndarray) -> bool:
    if numbers.size == 0 or numbers.min() < 18000101 or numbers.max() > 22001231:
        return False
    distinct = pd.Series(np.unique(numbers).astype(np.int64)).astype(str)
    parsed = pd.to_datetime(distinct, format="%Y%m%d", errors="coerce")
    return bool(parsed.notna().all())


# --- object / string columns ----------------------------------------------------------------


def _fill_object(
    column: ColumnSchema, values: pd.Series, n_rows: int, rng: np.random.Generator, sample_size: int
) -> None:
    declared = isinstance(values.dtype, pd.CategoricalDtype)
    if declared:
        values = values.astype(values.dtype.categories.dtype)
        if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_datetime64_any_dtype(
            values.dtype
        ):
            _fill_categorical(column, values, ColumnKind.CATEGORICAL)
            return
    values = values.astype(object)
    inferred = pd.api.types.infer_dtype(values, skipna=True)

    if inferred == "boolean":
        _fill_categorical(column, values, ColumnKind.BOOLEAN)
        return
    if inferred in ("integer", "floating", "mixed-integer-float", "decimal"):
        _fill_numeric_object(column, values, pd.to_numeric(values), n_rows, None)
        return
    if inferred in ("datetime", "datetime64", "date"):
        parsed = pd.to_datetime(values, errors="coerce")
        if parsed.notna().all():
            fill_native_datetime(column, parsed)
            column.datetime_storage = DatetimeStorage.NATIVE
            return

    counts = values.value_counts(sort=False)
    uniques = counts.index.to_numpy(dtype=object)
    if inferred == "string":
        is_str = np.ones(len(uniques), dtype=bool)
        is_number = np.zeros(len(uniques), dtype=bool)
    else:
        is_str = np.fromiter((isinstance(v, str) for v in uniques), dtype=bool, count=len(uniques))
        is_number = np.fromiter(
            (
                isinstance(v, int | float | np.number) and not isinstance(v, bool | np.bool_)
                for v in uniques
            ),
            dtype=bool,
            count=len(uniques),
        )
    strings = pd.Series(uniques[is_str], dtype=object)
    str_counts = counts.to_numpy()[is_str]
    stripped = strings.str.strip()

    token_mask = stripped.isin(MISSING_TOKENS).to_numpy()
    rest_numeric = np.zeros(len(strings), dtype=bool)
    probe = sample_index(len(strings), rng, 1_000)
    probe = probe[~token_mask[probe]]
    if probe.size and stripped.iloc[probe].str.fullmatch(_NUMBER_RE).mean() >= 0.5:
        rest_numeric = stripped.str.fullmatch(_NUMBER_RE).fillna(False).to_numpy(bool) & ~token_mask
    n_values = int(counts.sum())
    token_rows = int(str_counts[token_mask].sum())
    other_rows = n_values - token_rows
    non_str_rows = int(counts.to_numpy()[~is_str].sum())
    # the non-token values are numbers (numeric strings or numbers proper) in >= 99% of rows
    numeric_rows = int(str_counts[rest_numeric].sum()) + int(counts.to_numpy()[is_number].sum())
    mostly_numeric = other_rows > 0 and numeric_rows >= 0.99 * other_rows

    tokens_are_missing = other_rows > 0 and (token_rows <= 0.5 * n_values or mostly_numeric)
    extra_tokens = np.zeros(len(strings), dtype=bool)
    if mostly_numeric and numeric_rows < other_rows:
        # a few rare non-numeric labels ("unknown", "n.a.") in a numeric column act as missing
        odd = ~token_mask & ~rest_numeric
        if odd.sum() <= 3 and (stripped[odd].str.len() <= 12).all():
            extra_tokens = odd
        else:
            mostly_numeric = False
    missing_mask = (
        token_mask if tokens_are_missing else np.zeros(len(strings), dtype=bool)
    ) | extra_tokens
    tokens = strings[missing_mask].tolist()
    if tokens:
        order = values[values.isin(tokens)].drop_duplicates().tolist()
        column.missing_tokens = [str(t) for t in order]
        column.null_share = float(column.null_share + str_counts[missing_mask].sum() / n_rows)
        kept = values[~values.isin(tokens)]
    else:
        kept = values
    if kept.empty:
        column.kind = ColumnKind.CATEGORICAL
        return

    if non_str_rows and not mostly_numeric:
        # numbers and labels side by side: model the values as they are
        _fill_categorical(column, kept, ColumnKind.CATEGORICAL)
        return

    if not non_str_rows:
        lowered = set(stripped[~missing_mask].str.lower().unique().tolist())
        if len(lowered) == 2 and frozenset(lowered) in BOOLEAN_VOCABULARY:
            _fill_categorical(column, kept, ColumnKind.BOOLEAN)
            return

    if declared:
        # a pandas Categorical of number-like labels (RxNorm "311995", ZIP codes) is a set
        # of labels, not numbers: modelled as numbers, its draws would fall between the
        # codes and come back empty once cast to the column's categories
        mostly_numeric = False
    if mostly_numeric:
        if non_str_rows:
            _fill_numeric_object(column, kept, pd.to_numeric(kept, errors="coerce"), n_rows, None)
        else:
            texts = kept.astype(str).str.strip()
            _fill_numeric_object(column, kept, pd.to_numeric(texts, errors="coerce"), n_rows, texts)
        return

    kept_uniques = strings[~missing_mask].reset_index(drop=True)
    if not declared and fill_string_datetime(
        column, stripped[~missing_mask].reset_index(drop=True), rng, sample_size
    ):
        column.cardinality = int(len(kept_uniques))
        column.unique = column.cardinality == len(kept)
        return

    _fill_categorical(column, kept, ColumnKind.CATEGORICAL)
    complete = len(kept) == n_rows
    if (
        column.unique
        and complete
        and _looks_like_identifier(column.name, kept_uniques, rng, sample_size)
    ):
        column.kind = ColumnKind.IDENTIFIER
        column.categories = None
        return
    if _looks_like_text(kept_uniques, len(kept), rng, sample_size) or _names_entities(
        kept_uniques, len(kept), rng, sample_size
    ):
        column.kind = ColumnKind.TEXT
        column.categories = None


def _fill_numeric_object(
    column: ColumnSchema,
    values: pd.Series,
    numbers: pd.Series,
    n_rows: int,
    texts: pd.Series | None,
) -> None:
    """Numbers held in an object column: kind from the parsed values, dtype left ``object``."""
    array = numbers.to_numpy(dtype=float)
    finite = array[np.isfinite(array)]
    column.cardinality = int(values.nunique())
    column.unique = column.cardinality == len(values)
    integral = finite.size == array.size and bool(np.all(np.mod(finite, 1) == 0))
    if texts is not None and integral:
        # "20240131" strings are dates before they are numbers
        distinct = texts.drop_duplicates()
        if distinct.str.fullmatch(r"\d{8}").all() and _all_yyyymmdd(finite):
            column.kind = ColumnKind.DATETIME
            column.datetime_storage = DatetimeStorage.STRING
            column.datetime_format = "%Y%m%d"
            parsed = pd.to_datetime(distinct, format="%Y%m%d")
            column.minimum, column.maximum = parsed.min().isoformat(), parsed.max().isoformat()
            return
        integral = not texts.str.contains(".", regex=False).any()
    if integral and column.cardinality == 2 and set(np.unique(finite).tolist()) == {0.0, 1.0}:
        _fill_categorical(column, values, ColumnKind.BOOLEAN)
        return
    _fill_numeric_stats(column, array)
    if integral and column.unique and len(values) == n_rows and _ID_NAME.search(column.name):
        column.kind = ColumnKind.IDENTIFIER
        return
    if integral:
        column.kind = ColumnKind.INTEGER
        return
    column.kind = ColumnKind.CONTINUOUS
    if texts is not None:
        if texts.str.contains(r"[eE]").any():
            column.decimals = _decimals(finite)
        else:
            places = texts.str.extract(r"\.(\d+)$", expand=False).str.len().max()
            places = 0 if pd.isna(places) else int(places)
            column.decimals = places if places <= MAX_DECIMALS else None
    else:
        column.decimals = _decimals(finite)


def _looks_like_identifier(
    name: str, uniques: pd.Series, rng: np.random.Generator, sample_size: int
) -> bool:
    if _ID_NAME.search(name):
        return True
    if len(uniques) < 2:
        return False
    sample = uniques.iloc[sample_index(len(uniques), rng, sample_size)].astype(str)
    if sample.str.fullmatch(_UUID_RE).all():
        return True
    shapes = sample.str.replace(r"[A-Za-z]", "A", regex=True).str.replace(r"\d", "9", regex=True)
    return shapes.nunique() == 1 and "9" in shapes.iloc[0] and " " not in shapes.iloc[0]


def _names_entities(
    uniques: pd.Series, n_values: int, rng: np.random.Generator, sample_size: int
) -> bool:
    """Names of organisations or places, nearly one per row ("Moton Field Municipal
    Airport", "Mercy Hospital"): each label names one entity, so no label can be learned
    (most are held by one row); like free text they are regenerated, not modelled as a
    category whose few repeated labels would stand in for all the others."""
    if len(uniques) <= 50 or len(uniques) < 0.9 * n_values:
        return False
    sample = uniques.iloc[sample_index(len(uniques), rng, sample_size)].astype(str)
    return names_organisations(sample)


def _looks_like_text(
    uniques: pd.Series, n_values: int, rng: np.random.Generator, sample_size: int
) -> bool:
    if len(uniques) <= 50 or len(uniques) <= 0.5 * n_values:
        return False
    sample = uniques.iloc[sample_index(len(uniques), rng, sample_size)].astype(str)
    words = sample.str.count(r"\S+").mean()
    chars = sample.str.len().mean()
    return bool(words >= 4 or chars >= 40)
