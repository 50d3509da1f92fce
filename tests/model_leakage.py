"""Does a shared artifact (a saved model, above all) carry real rows?

(Named apart from ``tests/leakage.py``, the report helper's text checker, so both can
coexist; this one also reads model files.)

``leaked_rows(content, real_df)`` and ``leaked_combinations(content, real_df, k=4)`` look for
records inside ``content``: the columns a saved model or a report keeps side by side.

- ``content`` as bytes of a Genesis model file: the model is unpickled and every container
  in it (an object's attributes, a dict, a list, a DataFrame) is searched for 1-D arrays of
  equal length; those arrays, aligned by position, are candidate records.
- ``content`` as text (HTML, JSON, CSV): every JSON array of scalars is a column and arrays
  of equal length are aligned by position (Plotly traces keep x and y so); each text line
  and each HTML table row is a record too.

A real row *leaks* when one candidate record holds all its values; a unique combination of
``k`` real values (values of ``k`` columns that occur in exactly one real row) leaks when one
record holds all ``k`` of them. Values are compared as normalised text (``30`` == ``30.0``).
"""

from __future__ import annotations

import html
import itertools
import json
import re
from typing import Any

import numpy as np
import pandas as pd

_ARRAY = re.compile(r"\[[^\[\]{}]*\]")


def _token(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        value = float(value)
        return str(int(value)) if value.is_integer() and abs(value) < 2**63 else repr(value)
    if isinstance(value, pd.Timestamp | np.datetime64):
        return str(pd.Timestamp(value))
    text = str(value).strip()
    return _token(float(text)) if _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.lower() not in ("nan", "inf", "-inf", "infinity", "-infinity")


def _columns_in(obj: Any, seen: set[int], out: list[list[list[Any]]]) -> None:
    """Collect, per container, its 1-D sequences of scalars (recursively)."""
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, pd.DataFrame):
        out.append([obj[c].tolist() for c in obj.columns])
        return
    if isinstance(obj, pd.Series | pd.Index):
        out.append([obj.tolist()])
        return
    if isinstance(obj, np.ndarray):
        if obj.ndim == 1:
            out.append([obj.tolist()])
        elif obj.ndim == 2:
            out.append([list(col) for col in obj.T.tolist()])
            out.append([list(row) for row in obj.tolist()])
        return
    if isinstance(obj, dict):
        children = list(obj.values())
    elif isinstance(obj, list | tuple | set | frozenset):
        children = list(obj)
        if children and all(np.isscalar(c) or c is None for c in children):
            out.append([children])
            return
    elif hasattr(obj, "__dict__") or hasattr(obj, "__slots__"):
        children = list(getattr(obj, "__dict__", {}).values())
        children += [getattr(obj, s, None) for s in getattr(obj, "__slots__", ())]
    else:
        return
    sequences = [c for c in children if _is_sequence(c)]
    if len(sequences) > 1:
        out.append([list(np.asarray(c, dtype=object).ravel()) for c in sequences])
    for child in children:
        _columns_in(child, seen, out)


def _is_sequence(obj: Any) -> bool:
    if isinstance(obj, pd.Series | pd.Index):
        return True
    if isinstance(obj, np.ndarray):
        return obj.ndim == 1
    return (
        isinstance(obj, list | tuple)
        and bool(obj)
        and all(np.isscalar(c) or c is None for c in obj)
    )


def _records_from_columns(groups: list[list[list[Any]]]) -> list[frozenset[str]]:
    records: list[frozenset[str]] = []
    for group in groups:
        by_length: dict[int, list[list[Any]]] = {}
        for column in group:
            by_length.setdefault(len(column), []).append(column)
        for length, columns in by_length.items():
            if length == 0:
                continue
            if len(columns) == 1:
                if len(group) == 1 and length <= 64:  # a short list is a record of its own
                    records.append(frozenset(t for t in map(_token, columns[0]) if t))
                continue
            tokens = [[_token(v) for v in c] for c in columns]
            records.extend(frozenset(t for t in row if t) for row in zip(*tokens, strict=True))
    return records


def _records(content: Any) -> list[frozenset[str]]:
    if isinstance(content, bytes | bytearray):
        from genesis.generators.persistence import MAGIC, read_model

        if bytes(content[: len(MAGIC)]) == MAGIC:
            _, model = read_model(bytes(content))
            groups: list[list[list[Any]]] = []
            _columns_in(model, set(), groups)
            return _records_from_columns(groups)
        content = bytes(content).decode("utf-8", errors="replace")
    if not isinstance(content, str):
        groups = []
        _columns_in(content, set(), groups)
        return _records_from_columns(groups)
    text = html.unescape(content)
    groups = []
    for match in _ARRAY.finditer(text):
        try:
            values = json.loads(match.group(0))
        except ValueError:
            continue
        if values and all(np.isscalar(v) or v is None for v in values):
            groups.append(values)
    records = _records_from_columns([groups])
    rows = re.split(r"</tr>|\n", text)
    for row in rows:
        cells = re.split(r"<[^>]+>|,|;|\t", row)
        tokens = frozenset(t for t in map(_token, (c for c in cells if c.strip())) if t)
        if len(tokens) > 1:
            records.append(tokens)
    return records


def _row_tokens(real_df: pd.DataFrame) -> list[tuple[str | None, ...]]:
    return [tuple(map(_token, row)) for row in real_df.itertuples(index=False, name=None)]


def leaked_rows(content: Any, real_df: pd.DataFrame) -> list[int]:
    """Positions of the rows of ``real_df`` whose every value sits in one record of ``content``."""
    records = _records(content)
    holding: dict[str, list[int]] = {}
    for r, record in enumerate(records):
        for token in record:
            holding.setdefault(token, []).append(r)
    leaked = []
    for i, row in enumerate(_row_tokens(real_df)):
        values = frozenset(t for t in row if t)
        if len(values) < 2:
            continue
        rarest = min(values, key=lambda t: len(holding.get(t, ())))
        if any(values <= records[r] for r in holding.get(rarest, ())):
            leaked.append(i)
    return leaked


def leaked_combinations(
    content: Any, real_df: pd.DataFrame, k: int = 4
) -> list[tuple[int, tuple[str, ...]]]:
    """Unique combinations of ``k`` real values (row position, column names) found together
    in one record of ``content``."""
    rows = _row_tokens(real_df)
    columns = list(real_df.columns)
    unique: dict[frozenset[str], tuple[int, tuple[str, ...]]] = {}
    for combo in itertools.combinations(range(len(columns)), k):
        keys = [tuple(row[j] for j in combo) for row in rows]
        counts = pd.Series(keys).value_counts()
        for i, key in enumerate(keys):
            if None in key or counts[key] != 1 or len(set(key)) < k:
                continue
            unique[frozenset(key)] = (i, tuple(columns[j] for j in combo))
    found = []
    for record in _records(content):
        if len(record) < k:
            continue
        for subset in itertools.combinations(sorted(record), k):
            hit = unique.get(frozenset(subset))
            if hit is not None:
                found.append(hit)
    return sorted(set(found))


__all__ = ["leaked_combinations", "leaked_rows"]
