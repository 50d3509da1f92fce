"""Splitting real rows into the ones a generator learns from and the ones kept out."""

from __future__ import annotations

import numpy as np
import pandas as pd

from genesis.errors import InvalidDataError, InvalidParameterError


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
    if not isinstance(df, pd.DataFrame):
        raise InvalidDataError(f"split_holdout needs a pandas DataFrame, got {type(df).__name__}")
    if isinstance(fraction, bool) or not isinstance(fraction, int | float) or not 0 <= fraction < 1:
        raise InvalidParameterError(
            f"holdout fraction must be a number in [0, 1), got {fraction!r}; pass e.g. 0.2"
        )
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InvalidParameterError(f"seed must be an integer >= 0, got {seed!r}; pass e.g. 0")
    n_holdout = round(len(df) * fraction)
    in_holdout = np.zeros(len(df), dtype=bool)
    in_holdout[np.random.default_rng(int(seed)).permutation(len(df))[:n_holdout]] = True
    return (
        df.loc[~in_holdout].reset_index(drop=True),
        df.loc[in_holdout].reset_index(drop=True),
    )
