"""genesis.io.hashing: fingerprints and row hashes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.errors import (
    InvalidDataError,
)
from genesis.io import fingerprint

# --- fingerprint --------------------------------------------------------------------------


def test_fingerprint_is_stable_and_sensitive(adult_small: pd.DataFrame) -> None:
    first = fingerprint(adult_small)
    assert first == fingerprint(adult_small.copy())
    assert len(first) == 64 and int(first, 16) >= 0
    assert fingerprint(adult_small.set_axis(range(100, 600))) == first  # index ignored
    changed = adult_small.copy()
    changed.loc[3, "age"] += 1
    assert fingerprint(changed) != first
    assert fingerprint(adult_small.rename(columns={"age": "Age"})) != first
    assert fingerprint(adult_small.astype({"age": "float64"})) != first
    assert fingerprint(adult_small.iloc[::-1]) != first


def test_fingerprint_unhashable_cells_and_bad_input() -> None:
    df = pd.DataFrame({"a": [[1, 2], [3]]})
    assert fingerprint(df) == fingerprint(pd.DataFrame({"a": [[1, 2], [3]]}))
    assert fingerprint(df) != fingerprint(pd.DataFrame({"a": [[1, 2], [4]]}))
    with pytest.raises(InvalidDataError):
        fingerprint("not a frame")  # type: ignore[arg-type]


def test_one_row_hash_behind_fingerprints_and_diffs(adult_small: pd.DataFrame) -> None:
    import hashlib
    import json

    from genesis.io import row_hashes
    from genesis.versioning import diff

    assert diff.row_hashes is row_hashes
    hashes = row_hashes(adult_small)
    assert hashes.dtype == np.uint64 and len(hashes) == len(adult_small)
    assert row_hashes(adult_small.iloc[::-1])[0] == hashes[-1]  # a row's hash is its content's
    header = [[str(c), str(t)] for c, t in adult_small.dtypes.items()]
    expected = hashlib.sha256(json.dumps([header, len(adult_small)]).encode())
    expected.update(hashes.tobytes())
    assert fingerprint(adult_small) == expected.hexdigest()
    with pytest.raises(InvalidDataError, match="must be a pandas DataFrame"):
        row_hashes([1, 2])
