"""Input checks shared by every public entry point: one message per mistake, one place.

Each function raises :class:`genesis.errors.InvalidDataError` (or
:class:`~genesis.errors.InvalidParameterError`) with a message that names the problem and
the fix, and returns its input so callers can write ``df = require_frame(df)``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from genesis.errors import InvalidDataError, InvalidParameterError


def require_frame(df: Any, name: str = "data", *, min_rows: int = 0) -> pd.DataFrame:
    """``df`` if it is a DataFrame with at least ``min_rows`` rows, else a clear error.

    ``name`` says which argument is meant (``"synthetic"``, ``"holdout"``...).
    """
    if not isinstance(df, pd.DataFrame):
        raise InvalidDataError(
            f"{name} must be a pandas DataFrame, got {type(df).__name__}; read your data with "
            "genesis.read_table(...) or wrap it with pd.DataFrame(...)"
        )
    if len(df) < min_rows:
        rows = "row" if min_rows == 1 else "rows"
        raise InvalidDataError(
            f"{name} has {len(df)} rows; pass a table with at least {min_rows} {rows}"
        )
    return df


def validate_frame(df: Any, name: str = "data") -> pd.DataFrame:
    """Check that ``df`` is a table Genesis can learn from (rows, columns, distinct string
    names, none of them empty) and return it."""
    require_frame(df, name)
    if df.shape[1] == 0:
        raise InvalidDataError(f"{name} has no columns; pass a table with at least one column")
    if df.shape[0] == 0:
        raise InvalidDataError(
            f"{name} has no rows; pass a table with at least one row to learn from"
        )
    validate_column_names(df.columns, name)
    return df


def validate_column_names(columns: Any, name: str = "data") -> None:
    """Column names must be distinct, non-empty strings: every writer (Parquet, Iceberg,
    CSV) and every report relies on it."""
    names = list(columns)
    bad = [c for c in names if not isinstance(c, str)]
    if bad:
        raise InvalidDataError(
            f"column names of {name} must be strings, got {bad[:5]}; rename them, e.g. "
            "df.columns = [str(c) for c in df.columns]"
        )
    blank = [i for i, c in enumerate(names) if not c.strip()]
    if blank:
        raise InvalidDataError(
            f"column(s) at position {blank[:5]} of {name} have an empty name; give every "
            "column a name, e.g. df = df.rename(columns={'': 'notes'})"
        )
    seen: set[str] = set()
    dupes = sorted({c for c in names if c in seen or seen.add(c)})
    if dupes:
        raise InvalidDataError(
            f"duplicate column names {dupes} in {name}; give every column a distinct name"
        )


def require_seed(seed: Any, name: str = "seed") -> int | None:
    """A seed as a non-negative ``int`` (any size), or None; booleans and floats refused."""
    if seed is None:
        return None
    if isinstance(seed, bool) or not hasattr(seed, "__index__"):
        raise InvalidParameterError(f"{name} must be a non-negative integer or None, got {seed!r}")
    value = int(seed)
    if value < 0:
        raise InvalidParameterError(f"{name} must be a non-negative integer, got {value}")
    return value


def require_int(
    value: Any, name: str, minimum: int | None = None, *, allow_none: bool = False
) -> int | None:
    """``value`` as an ``int`` if it is an integer >= ``minimum`` (booleans refused)."""
    if value is None and allow_none:
        return None
    # numpy's booleans (np.bool_, named "bool" in numpy 2) have __index__ too
    if type(value).__name__ in ("bool", "bool_") or not hasattr(value, "__index__"):
        hint = " or None" if allow_none else ""
        raise InvalidParameterError(
            f"{name} must be an integer{hint}, got {value!r}; pass e.g. {name}={max(minimum or 0, 1)}"
        )
    if minimum is not None and value < minimum:
        raise InvalidParameterError(
            f"{name} must be >= {minimum}, got {value}; pass a value of at least {minimum}"
        )
    return int(value)


def require_choice(value: Any, name: str, choices: tuple[Any, ...]) -> Any:
    """``value`` if it is one of ``choices``."""
    try:
        ok = value in choices
    except TypeError:  # an unhashable or incomparable value
        ok = False
    if not ok:
        raise InvalidParameterError(f"{name} must be one of {list(choices)}, got {value!r}")
    return value


# --- the (name, value) forms the estimators' _validate_params use ------------------------


def check_int(
    name: str, value: Any, minimum: int | None = None, *, allow_none: bool = False
) -> None:
    """Raise :class:`InvalidParameterError` unless ``value`` is an integer >= ``minimum``
    (:func:`genesis.validation.require_int`)."""
    require_int(value, name, minimum, allow_none=allow_none)


def check_choice(name: str, value: Any, choices: tuple[Any, ...]) -> None:
    """Raise :class:`InvalidParameterError` unless ``value`` is one of ``choices``
    (:func:`genesis.validation.require_choice`)."""
    require_choice(value, name, choices)


def check_seed(seed: Any, name: str = "seed") -> int:
    """A valid seed as an ``int``: any non-negative integer (see :func:`genesis.validation.require_seed`)."""
    value = require_seed(seed, name)
    if value is None:
        raise InvalidParameterError(f"{name} must be a non-negative integer, got None")
    return value


__all__ = [
    "check_choice",
    "check_int",
    "check_seed",
    "require_choice",
    "require_frame",
    "require_int",
    "require_seed",
    "validate_column_names",
    "validate_frame",
]
