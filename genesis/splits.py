"""Splitting real rows into the ones a generator learns from and the ones kept out."""

from __future__ import annotations

import numpy as np
import pandas as pd

from genesis.errors import InvalidParameterError
from genesis.validation import require_frame, require_seed


def split_holdout(
    df: pd.DataFrame, fraction: float = 0.2, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split rows at random into ``(training, holdout)``; same seed, same split.

    The holdout rows never reach the synthesizer, so quality and privacy figures computed
    against them are honest. Row order is kept in both parts, and both get a fresh index.

    Raises:
        InvalidDataError: ``df`` is not a DataFrame.
        InvalidParameterError: ``fraction`` is outside [0, 1) or ``seed`` is not an int >= 0.
    """
    require_frame(df, "the table to split")
    if isinstance(fraction, bool) or not isinstance(fraction, int | float) or not 0 <= fraction < 1:
        raise InvalidParameterError(
            f"holdout fraction must be a number in [0, 1), got {fraction!r}; pass e.g. 0.2"
        )
    seed = require_seed(seed)
    if seed is None:
        raise InvalidParameterError("split_holdout needs a seed, so the split repeats; pass e.g. 0")
    n_holdout = round(len(df) * fraction)
    in_holdout = np.zeros(len(df), dtype=bool)
    in_holdout[np.random.default_rng(seed).permutation(len(df))[:n_holdout]] = True
    return (
        df.loc[~in_holdout].reset_index(drop=True),
        df.loc[in_holdout].reset_index(drop=True),
    )
