"""JSON-safe values and finite numbers: the one conversion every report and metadata uses.

Reports (quality, privacy, drift, lineage, expectations) and Dagster metadata all turn
numpy scalars, NaN/inf, pandas' missing markers and enums into plain JSON values here.
"""

from __future__ import annotations

import enum
import math
from typing import Any

import numpy as np
import pandas as pd


def finite(value: Any) -> float | None:
    """``value`` as a finite float; None for missing, NaN, ±inf, booleans and non-numbers."""
    if value is None or isinstance(value, bool | np.bool_):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def rounded(value: Any, digits: int = 4) -> float | int | None:
    """An int as it is, a finite number rounded to ``digits``, else None."""
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
        return int(value)
    number = finite(value)
    return None if number is None else round(number, digits)


def json_safe(value: Any) -> Any:
    """A copy of ``value`` that ``json.dumps`` writes as standard JSON.

    Dicts (keys as strings), lists and tuples are converted recursively; numpy scalars
    become Python numbers; NaN, ±inf, ``pd.NA`` and ``pd.NaT`` become None; enums their
    value; timestamps ISO text; anything else unknown its ``str``.
    """
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(v) for v in value]
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, enum.Enum):
        return json_safe(value.value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, int):
        return value
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)


__all__ = ["finite", "json_safe", "rounded"]
