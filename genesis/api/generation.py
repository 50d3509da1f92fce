"""Rows of a fitted model, chunk by chunk, in the API's output formats.

Every generation of ``/v1/generate`` and ``/v1/jobs`` draws chunk ``i`` (``chunk_rows``
rows) with the seed :func:`genesis.generators.seeding.chunk_seed` ``(seed, i)``, through
:meth:`~genesis.generators.SyntheticGenerator.generate_chunks`: the same request gives the
same rows in every format, and memory holds one chunk at a time.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pandas as pd

from genesis.errors import GenesisError, InvalidConditionError, RequestTooLargeError
from genesis.generators.conditional import ConditionSet, as_condition_set
from genesis.io.write import csv_ready, json_ready, parquet_ready

#: media type of each output format
MEDIA_TYPES = {
    "json": "application/json",
    "jsonl": "application/x-ndjson",
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
}


def read_conditions(raw: Any, model: Any, max_conditions: int) -> ConditionSet | None:
    """The conditions of a request as a validated :class:`ConditionSet` (None: none).

    Raises:
        InvalidConditionError: they do not parse, or do not fit the model's schema.
        RequestTooLargeError: there are more than ``max_conditions``.
    """
    try:
        conditions = as_condition_set(raw)
    except GenesisError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise InvalidConditionError(
            f"the conditions could not be read ({type(exc).__name__}); write them as "
            '{"column": value}, {"column": [">=", 50]} or {"column": ["a", "b"]}'
        ) from None
    if conditions is None:
        return None
    check_condition_count(conditions, max_conditions)
    conditions.validate(model.schema_)
    return conditions


def check_condition_count(conditions: ConditionSet | None, max_conditions: int) -> None:
    """Refuse more than ``max_conditions`` conditions with 413."""
    if conditions is not None and len(conditions) > max_conditions:
        raise RequestTooLargeError(
            f"the request holds {len(conditions)} conditions; this server accepts at most "
            f"{max_conditions}",
            f"send at most {max_conditions} conditions (combine ranges with 'between', "
            "lists with 'in')",
        )


def check_rows(n: int, limit: int, what: str, fix: str) -> None:
    """Refuse ``n`` rows above ``limit`` with 413."""
    if n > limit:
        raise RequestTooLargeError(
            f"{what} asks for {n:,} rows; this server returns at most {limit:,}", fix
        )


def chunks(
    model: Any, n: int, seed: int, conditions: ConditionSet | None, chunk_rows: int
) -> Iterator[pd.DataFrame]:
    """``n`` rows as tables of at most ``chunk_rows``; the first is drawn before this
    returns, so an impossible condition raises here, not halfway through a response."""
    iterator = model.generate_chunks(n, chunk_rows=chunk_rows, seed=seed, conditions=conditions)
    first = next(iterator, None)
    if first is None:  # n == 0: no chunk, but the columns are still known
        return iter([model.generate(0)])

    def all_chunks() -> Iterator[pd.DataFrame]:
        yield first
        yield from iterator

    return all_chunks()


def records_json(df: pd.DataFrame) -> str:
    """``df`` as a JSON array of row objects (missing values as null, dates as ISO text)."""
    return json_ready(df).to_json(orient="records", date_format="iso", force_ascii=False)


def csv_text(df: pd.DataFrame, header: bool) -> str:
    """``df`` as CSV text, with the header line when ``header``."""
    return csv_ready(df).to_csv(index=False, header=header)


def jsonl_text(df: pd.DataFrame) -> str:
    """``df`` as JSON Lines, one row object per line."""
    if df.empty:
        return ""
    text = json_ready(df).to_json(
        orient="records", lines=True, date_format="iso", force_ascii=False
    )
    return text if text.endswith("\n") else text + "\n"


def encode_stream(frames: Iterator[pd.DataFrame], fmt: str) -> Iterator[bytes]:
    """CSV or JSON Lines bytes, one piece per chunk."""
    for index, frame in enumerate(frames):
        text = csv_text(frame, header=index == 0) if fmt == "csv" else jsonl_text(frame)
        if text:
            yield text.encode("utf-8")


def json_document(frames: Iterator[pd.DataFrame], head: dict[str, Any]) -> Iterator[bytes]:
    """``{**head, "data": [rows...]}`` as bytes, one piece per chunk."""
    opening = json.dumps(head)[:-1] + (', "data": [' if head else '{"data": [')
    yield opening.encode("utf-8")
    first = True
    for frame in frames:
        if frame.empty:
            continue
        body = records_json(frame)[1:-1]  # the rows without the array's brackets
        yield ((" " if first else ", ") + body).encode("utf-8")
        first = False
    yield b"]}"


def write_parquet(frames: Iterator[pd.DataFrame], schema: Any, sink: Any) -> None:
    """Write the chunks as one Parquet file to ``sink`` (a path or a binary file object),
    columns typed as the source was (as ``generate_to`` does)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from genesis.schema.logical import restore_types

    writer = None
    try:
        for frame in frames:
            table = pa.Table.from_pandas(
                parquet_ready(restore_types(frame, schema)), preserve_index=False
            )
            if writer is None:
                writer = pq.ParquetWriter(sink, table.schema)
            writer.write_table(table.cast(writer.schema))
    finally:
        if writer is not None:
            writer.close()


def parquet_bytes(frames: Iterator[pd.DataFrame], schema: Any) -> bytes:
    """The chunks as the bytes of one Parquet file."""
    buffer = io.BytesIO()
    write_parquet(frames, schema, buffer)
    return buffer.getvalue()


__all__ = [
    "MEDIA_TYPES",
    "check_condition_count",
    "check_rows",
    "chunks",
    "csv_text",
    "encode_stream",
    "json_document",
    "jsonl_text",
    "parquet_bytes",
    "read_conditions",
    "records_json",
    "write_parquet",
]
