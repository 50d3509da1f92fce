"""Build a fitted :class:`~genesis.generators.GaussianCopulaSynthesizer` from aggregated
statistics, so generation, conditions, save and load work exactly as for a central fit."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from genesis.federated.sketch import cells_to_step, step_quantiles
from genesis.federated.support import AgreedEncoding
from genesis.generators.base import DP_PROFILE_ROWS
from genesis.generators.gaussian_copula import (
    GaussianCopulaSynthesizer,
    _cholesky,
    discrete_marginal,
)


def correlation_from_sums(vector: np.ndarray, k: int) -> tuple[np.ndarray, float]:
    """The correlation of normal scores from ``[upper(sum z z^T), sum z, n]``, and ``n``."""
    upper = np.triu_indices(k)
    m = len(upper[0])
    outer = np.zeros((k, k))
    outer[upper] = vector[:m]
    outer = outer + np.triu(outer, 1).T
    n = max(float(vector[m + k]), 1.0)
    mean = vector[m : m + k] / n
    cov = outer / n - np.outer(mean, mean)
    d = np.sqrt(np.clip(np.diag(cov), 1e-12, None))
    corr = np.clip(cov / np.outer(d, d), -1.0, 1.0)
    np.fill_diagonal(corr, 1.0)
    return corr, n


def build_copula(
    encoding: AgreedEncoding,
    marginal_counts: dict[str, np.ndarray],
    correlation_sums: np.ndarray,
    n_rows: int,
    seed: int,
    max_categories: int,
    started: float | None = None,
) -> GaussianCopulaSynthesizer:
    """A fitted copula whose state (marginals, Cholesky factor, transformer) comes from the
    aggregated statistics; ``n_rows`` is the default number of rows to generate."""
    from genesis.drift.profile import BaselineProfile

    model = GaussianCopulaSynthesizer(seed=seed, max_categories=max_categories)
    marginals: list[tuple] = []
    families: dict[str, str] = {}
    for column in encoding.columns:
        counts = np.asarray(marginal_counts[column], float)
        if column in encoding.n_codes:
            marginals.append(discrete_marginal(counts)[2])
            continue
        left, right = cells_to_step(counts)
        m = int(min(max(np.clip(counts, 0, None).sum(), 2), model.max_quantiles))
        probs = (np.arange(m) + 0.5) / m
        marginals.append(("empirical", step_quantiles(encoding.grids[column], left, right, probs)))
        families[column] = "empirical"
    k = len(encoding.columns)
    corr, _ = correlation_from_sums(np.asarray(correlation_sums, float), k)
    model._marginals = marginals
    model._columns = list(encoding.columns)
    model.marginal_families_ = families
    model._cholesky = _cholesky(corr).astype(np.float32)
    chol = model._cholesky.astype(np.float64)
    model.correlation_ = pd.DataFrame(chol @ chol.T, index=model._columns, columns=model._columns)
    model.schema_ = encoding.schema
    model.transformer_ = encoding.transformer
    model.n_rows_ = int(max(n_rows, 1))
    model.fit_seconds_ = time.perf_counter() - started if started is not None else 0.0
    # no site's table exists here to fingerprint; the drift baseline summarises the model's
    # own rows (post-processing of the aggregate, as for a DP copula)
    model.training_fingerprint_ = None
    rows = model.generate(int(min(DP_PROFILE_ROWS, model.n_rows_)))
    model.baseline_profile_ = BaselineProfile.fit(rows)
    model.baseline_profile_.n_rows = model.n_rows_
    return model
