"""Refuse a generation that cannot fit in memory before allocating it.

``generate(10**9)`` used to try a 56 GiB allocation and die with a bare ``MemoryError``.
:func:`check_generation_memory` estimates the bytes of a draw (output table, model frame and
the working copies of the largest step) and compares them with the memory available now.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from genesis.errors import MemoryBudgetError

#: bytes per value of an object column whose values are new strings (fakes, identifiers,
#: numbers or dates written as text): the pointer and a short Python string
NEW_STRING_BYTES = 64
#: bytes per value of an object column drawn from known labels (pointers to shared strings,
#: plus the codes on the way)
LABEL_VALUE_BYTES = 16
#: working copies of the model frame while one draw is made (normals, marginals, inverse)
WORKING_COPIES = 3
#: share of the available memory a draw may take
MEMORY_SHARE = 0.8


def available_memory() -> int | None:
    """Bytes of memory available now (psutil when installed, else ``os.sysconf``)."""
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except ImportError:
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def bytes_per_row(transformer: Any) -> int:
    """Estimated bytes one generated row takes at the peak of a draw from a fitted
    :class:`~genesis.generators.transformer.TableTransformer` (measured on Adult: 360 to 500
    bytes per row for the copula and CART; this estimate gives 550)."""
    from genesis.generators.column_handlers import _DiscreteHandler

    output = 0
    for handler in transformer.handlers_:
        dtype = handler.dtype
        if isinstance(dtype, np.dtype) and dtype.kind in "biufcmM":
            output += dtype.itemsize
        elif isinstance(handler, _DiscreteHandler):
            output += LABEL_VALUE_BYTES
        else:
            output += NEW_STRING_BYTES
    return output + len(transformer.model_columns_) * 8 * WORKING_COPIES


def check_generation_memory(n: int, transformer: Any, what: str = "") -> int:
    """Raise :class:`MemoryBudgetError` when ``n`` rows would not fit in memory.

    Returns the estimated bytes. Nothing is refused when the available memory is unknown.
    """
    needed = int(n) * bytes_per_row(transformer)
    available = available_memory()
    if available is not None and needed > available * MEMORY_SHARE:
        per_row = max(needed // max(int(n), 1), 1)
        chunk = max(int(available * MEMORY_SHARE / 4 / per_row), 1)
        raise MemoryBudgetError(
            f"generating {n:,} rows{what} needs about {needed / 2**30:.1f} GiB of memory, "
            f"{available / 2**30:.1f} GiB is available; generate in chunks instead, e.g. "
            f"model.generate_to(path, {n:_}, chunk_rows={chunk:_}) to write them to a Parquet "
            f"file, or iterate over model.generate_chunks({n:_}, chunk_rows={chunk:_})"
        )
    return needed


__all__ = ["available_memory", "bytes_per_row", "check_generation_memory"]
