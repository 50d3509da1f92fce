"""Does a shared artifact (an HTML report, a JSON document, metadata, a saved model) carry
rows of a real table?

A saved model (its bytes, or the fitted object) is read by walking every container in it (an
object's attributes, a dict, a list, a DataFrame): 1-D arrays of equal length in one
container, aligned by position, are its records.

A text leaks a row when one *record* of it holds every value of that row, and leaks a
combination when one record holds k or more values of a row whose combination is unique in
the real table (a quasi-identifier that singles one person out). Records are read the way
reports store data:

- every JSON value embedded in the text (Plotly figures, metrics blocks, plain JSON): an
  array of scalars and the scalar fields of an object are records; the arrays of one object
  of the same length are also read side by side (Plotly stores a scatter plot's points as
  parallel ``x`` and ``y`` arrays: point i is a record), and so are arrays of at least
  :data:`MIN_POINTS` values anywhere in the text (traces sampled from the same rows); Plotly's
  binary typed arrays (``{"dtype": ..., "bdata": ...}``) are decoded first;
- every row of an HTML table and of a markdown table.

Values are compared as they are printed: numbers as numbers (39, 39.0 and "39" are equal,
thousands separators ignored), text as stripped text.

    leaked_rows(html, real_df)                  # row positions fully present in one record
    leaked_combinations(html, real_df, k=4)     # (row position, columns) of unique combos
"""

from __future__ import annotations

import base64
import html
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

#: arrays at least this long, anywhere in a text, are read side by side (point i of each):
#: several scatter plots drawn from the same sampled rows join their columns that way;
#: shorter arrays (bins, labels, ranges) are read side by side only within one object
MIN_POINTS = 100
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?([eE][+-]?\d+)?$|^[+-]?\.\d+$")
_BDATA_TYPES = {"f8": "<f8", "f4": "<f4", "i1": "<i1", "u1": "<u1", "i2": "<i2", "u2": "<u2",
                "i4": "<i4", "u4": "<u4", "i8": "<i8", "u8": "<u8"}  # fmt: skip


def _key(value: Any) -> str | None:
    """The canonical printed form of a value: ``n:<float>``, ``s:<text>``, or None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return f"s:{str(bool(value)).lower()}"
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        return f"n:{number!r}" if math.isfinite(number) else None
    text = str(value).strip()
    if not text:
        return None
    if _NUMBER.match(text):
        return f"n:{float(text.replace(',', ''))!r}"
    return f"s:{text}"


def _decode_bdata(value: dict) -> list | None:
    kind = _BDATA_TYPES.get(str(value.get("dtype")))
    if kind is None:
        return None
    try:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=kind).tolist()
    except (ValueError, TypeError):
        return None


class _Text(str):
    """``str`` whose line counting is free: a failed decode builds a ``JSONDecodeError``,
    which counts the lines up to the failure (quadratic over a 4 MB page of JavaScript)."""

    def count(self, *args: Any) -> int:
        return 0

    def rfind(self, *args: Any) -> int:
        return -1


def _json_documents(text: str) -> Iterator[Any]:
    """Every JSON array or object that decodes at some position of ``text`` (outermost)."""
    decoder = json.JSONDecoder()
    text = _Text(text)
    position = 0
    opener = re.compile(r"[\[{]")
    while True:
        match = opener.search(text, position)
        if match is None:
            return
        start = match.start()
        try:
            value, end = decoder.raw_decode(text, start)
        except ValueError:
            position = start + 1
            continue
        yield value
        position = end


def _walk(value: Any, records: list[list[Any]], columns: dict[int, list[list[Any]]]) -> None:
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            decoded = _decode_bdata(value)
            if decoded is not None:
                _walk(decoded, records, columns)
            return
        scalars = [v for v in value.values() if not isinstance(v, dict | list)]
        if scalars:
            records.append(scalars)
        siblings: dict[int, list[list[Any]]] = defaultdict(list)
        for v in value.values():
            if isinstance(v, dict) and "bdata" in v:
                v = _decode_bdata(v) or []
            if isinstance(v, list) and v and all(not isinstance(x, dict | list) for x in v):
                siblings[len(v)].append(v)
        for length, group in siblings.items():  # a trace's x[i], y[i], text[i] ...: point i
            if length >= 2 and len(group) >= 2:
                records.extend(zip(*group, strict=True))
        for v in value.values():
            if isinstance(v, dict | list):
                _walk(v, records, columns)
    elif isinstance(value, list):
        if value and all(not isinstance(v, dict | list) for v in value):
            records.append(value)
            columns[len(value)].append(value)
        else:
            for v in value:
                if isinstance(v, dict | list):
                    _walk(v, records, columns)


def _table_rows(text: str) -> Iterator[list[str]]:
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", text, flags=re.S | re.I):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S | re.I)
        yield [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in cells]
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("|") and line.endswith("|") and line.count("|") >= 3:
            yield [c.strip() for c in line.strip("|").split("|")]


def _without_known_code(text: str) -> str:
    """``text`` without Plotly's JavaScript bundle: library code, not data, whose lookup
    tables (runs of small integers) would otherwise match any row's small numbers."""
    try:
        import plotly.offline
    except ImportError:  # no Plotly: no Plotly bundle to remove
        return text
    return text.replace(plotly.offline.get_plotlyjs(), "")


def records(content: Any) -> list[set[str]]:
    """The records of ``content`` as sets of canonical values (see the module docstring):
    a text, the bytes of a saved Genesis model, or any Python object (a fitted model)."""
    if isinstance(content, bytes | bytearray):
        from genesis.generators.persistence import MAGIC, read_model

        if bytes(content[: len(MAGIC)]) == MAGIC:
            content = read_model(bytes(content))[1]
        else:
            content = bytes(content).decode("utf-8", errors="replace")
    if isinstance(content, str):
        found = _text_records(content)
    else:
        groups: list[list[list[Any]]] = []
        _columns_in(content, set(), groups)
        found = _records_from_columns(groups)
    out = []
    for record in found:
        keys = {k for k in map(_key, record) if k is not None}
        if keys:
            out.append(keys)
    return out


def _text_records(text: str) -> list[list[Any]]:
    text = _without_known_code(text)
    found: list[list[Any]] = []
    columns: dict[int, list[list[Any]]] = defaultdict(list)
    for document in _json_documents(text):
        _walk(document, found, columns)
    for length, group in columns.items():
        if length >= MIN_POINTS and len(group) >= 2:
            found.extend(zip(*group, strict=True))  # point i of every array of this length
    found.extend(_table_rows(text))
    return found


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


def _records_from_columns(groups: list[list[list[Any]]]) -> list[list[Any]]:
    records: list[list[Any]] = []
    for group in groups:
        by_length: dict[int, list[list[Any]]] = {}
        for column in group:
            by_length.setdefault(len(column), []).append(column)
        for length, columns in by_length.items():
            if length == 0:
                continue
            if len(columns) == 1:
                if len(group) == 1 and length <= 64:  # a short list is a record of its own
                    records.append(list(columns[0]))
                continue
            records.extend(list(row) for row in zip(*columns, strict=True))
    return records


class _Index:
    """The real table's values as integer codes of their canonical keys (-1: missing), with
    an inverted index per column."""

    def __init__(self, real: pd.DataFrame) -> None:
        self.columns = list(real.columns)
        self.vocabulary: dict[str, int] = {}
        codes = np.full((len(real), len(self.columns)), -1, dtype=np.int64)
        for j, c in enumerate(self.columns):
            keys = real[c].map(_key)
            present = keys.notna().to_numpy()
            codes[present, j] = [
                self.vocabulary.setdefault(k, len(self.vocabulary)) for k in keys[present]
            ]
        self.codes = codes
        self.present = (codes >= 0).sum(axis=1)
        self.where: list[dict[int, np.ndarray]] = []
        for j in range(len(self.columns)):
            column = pd.Series(codes[:, j])
            column = column[column >= 0]
            self.where.append(
                {
                    int(k): column.index.to_numpy()[v]
                    for k, v in column.groupby(column).indices.items()
                }
            )
        weights = np.random.default_rng(0).integers(
            1, 2**62, size=len(self.columns), dtype=np.int64
        )
        self._weights = weights.astype(np.uint64)
        self._counts: dict[bytes, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def ids(self, record: set[str]) -> np.ndarray:
        return np.array(
            [self.vocabulary[k] for k in record if k in self.vocabulary], dtype=np.int64
        )

    def matches(self, ids: np.ndarray, least: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows with at least ``least`` values among ``ids``, and which of their columns."""
        hits = [w[i] for w in self.where for i in ids.tolist() if i in w]
        if not hits:
            return np.zeros(0, dtype=np.int64), np.zeros((0, len(self.columns)), dtype=bool)
        counts = np.bincount(np.concatenate(hits), minlength=len(self.codes))
        rows = np.flatnonzero(counts >= least)
        lookup = np.zeros(len(self.vocabulary) + 1, dtype=bool)  # the last slot: missing
        lookup[ids] = True
        return rows, lookup[self.codes[rows]]

    def unique(self, rows: np.ndarray, matched: np.ndarray) -> np.ndarray:
        """For each row, whether its values on its matched columns occur in no other row."""
        out = np.zeros(len(rows), dtype=bool)
        packed = np.ascontiguousarray(np.packbits(matched, axis=1))
        as_bytes = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
        _, first, inverse = np.unique(as_bytes, return_index=True, return_inverse=True)
        for p, row in enumerate(first):
            mask = matched[row]
            key = mask.tobytes()
            if key not in self._counts:
                with np.errstate(over="ignore"):
                    hashed = (self.codes[:, mask].astype(np.uint64) * self._weights[mask]).sum(
                        axis=1
                    )
                values, counts = np.unique(hashed, return_counts=True)
                self._counts[key] = (hashed, values, counts)
            hashed, values, counts = self._counts[key]
            selected = inverse.ravel() == p
            out[selected] = counts[np.searchsorted(values, hashed[rows[selected]])] == 1
        return out


def leaked_rows(text: Any, real: pd.DataFrame) -> list[int]:
    """Positions of the real rows whose every non-missing value sits in one record of ``text``."""
    index = _Index(real.reset_index(drop=True))
    least = max(int(index.present.min()), 1) if len(index.codes) else 1
    leaked: set[int] = set()
    for record in records(text):
        ids = index.ids(record)  # distinct values: two columns may share one (0 and 0)
        if not len(ids):
            continue
        rows, matched = index.matches(ids, least)
        leaked.update(rows[matched.sum(axis=1) == index.present[rows]].tolist())
    return sorted(leaked)


def leaked_combinations(text: Any, real: pd.DataFrame, k: int = 4) -> list[tuple[int, tuple]]:
    """(row position, columns) of each real row of which one record of ``text`` holds k or
    more values whose combination is unique in ``real``."""
    index = _Index(real.reset_index(drop=True))
    leaked: dict[int, tuple] = {}
    for record in records(text):
        ids = index.ids(record)  # distinct values: two columns may share one (0 and 0)
        if not len(ids):
            continue
        rows, matched = index.matches(ids, k)
        if not len(rows):
            continue
        unique = index.unique(rows, matched)
        for row, mask in zip(rows[unique], matched[unique], strict=True):
            columns = tuple(c for c, m in zip(index.columns, mask, strict=True) if m)
            leaked.setdefault(int(row), columns)
    return sorted(leaked.items())
