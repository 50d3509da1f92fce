"""Content hashes of tables: one row hash, and a fingerprint of a whole table built on it.

:func:`row_hashes` is the one place Genesis hashes rows (version diffs, copy detection);
:func:`fingerprint` hashes those row hashes together with column names, dtypes and the row
count, so two tables share a fingerprint only when they hold the same values in the same
order with the same types.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd

from genesis.validation import require_frame


def row_hashes(df: pd.DataFrame) -> np.ndarray:
    """One uint64 per row, from the row's values (index ignored), vectorised.

    Cells pandas cannot hash (lists, dicts) are hashed through their text form.
    """
    require_frame(df, "row_hashes input")
    if df.shape[1] == 0:
        return np.zeros(len(df), dtype=np.uint64)
    try:
        return pd.util.hash_pandas_object(df, index=False).to_numpy()
    except TypeError:
        return pd.util.hash_pandas_object(df.astype(str), index=False).to_numpy()


def fingerprint(df: pd.DataFrame) -> str:
    """A stable SHA-256 hex digest of a DataFrame's content, column names and dtypes.

    The index is ignored; row order, column order, values and dtypes all count.
    """
    require_frame(df, "fingerprint input")
    digest = hashlib.sha256()
    header = [[str(name), str(dtype)] for name, dtype in zip(df.columns, df.dtypes, strict=True)]
    digest.update(json.dumps([header, len(df)], ensure_ascii=False).encode("utf-8"))
    if df.shape[1] and len(df):
        digest.update(row_hashes(df).tobytes())
    return digest.hexdigest()


__all__ = ["fingerprint", "row_hashes"]
