"""The shared table encoding of the attacks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.privacy_attacks import TableEncoder


def test_encoder_shares_categories_and_scales():
    real = pd.DataFrame({"x": [0.0, 2.0, np.nan], "c": ["a", "b", "a"]})
    synthetic = pd.DataFrame({"x": [1.0, 1.0, 1.0], "c": ["b", "z", None]})
    encoder = TableEncoder(["x", "c"]).fit(real, synthetic)
    assert encoder.numeric_ == ["x"] and encoder.categorical_ == ["c"]
    matrix = encoder.transform(real)
    assert matrix.shape == (3, 1 + 1 + encoder.n_codes("c"))  # value, missing flag, one-hot
    # rows differing in one category are one unit apart
    pair = encoder.transform(pd.DataFrame({"x": [1.0, 1.0], "c": ["a", "b"]}))
    assert np.linalg.norm(pair[0] - pair[1]) == pytest.approx(1.0)
    assert encoder.codes(synthetic, "c")[0] == encoder.codes(real, "c")[1]  # "b" everywhere
    keys = encoder.row_keys(pd.DataFrame({"x": [1, 1.0], "c": ["a", "a"]}))
    assert keys[0] == keys[1]
