"""Gaussian copula synthesizer: marginals plus a correlation matrix of normal scores.

Every model column is mapped to a standard-normal score: continuous columns through their
random-tie-broken ranks, discrete columns through frequency intervals (each code owns an
interval of [0, 1] as wide as its frequency; a row draws a uniform point inside its code's
interval). The correlation matrix of those scores, made positive definite, is the copula.
Sampling draws correlated normals through the Cholesky factor and maps them back through
each marginal directly in normal space: ``np.interp`` against the normal quantiles of the
sorted values, ``np.searchsorted`` against the normal thresholds of the code intervals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special, stats

from genesis.generators.base import BaseSynthesizer, check_choice, check_int
from genesis.generators.transformer import TableTransformer

MARGINALS = ("empirical", "parametric")
_PARAMETRIC_FAMILIES = ("norm", "lognorm", "gamma", "beta", "uniform")
_EPS = 1e-9


class GaussianCopulaSynthesizer(BaseSynthesizer):
    """A fast Gaussian copula, fully vectorised (numpy/scipy only).

    Args:
        marginals: ``"empirical"`` (default) inverts each continuous column through its own
            quantiles; ``"parametric"`` fits norm, lognorm, gamma, beta and uniform laws per
            column and keeps the one with the smallest Kolmogorov-Smirnov distance.
        max_quantiles: continuous marginals keep at most this many order statistics.
        max_categories: see :class:`~genesis.generators.base.BaseSynthesizer`.
        seed: seed of the tie-breaking and interval draws at fit, and of sampling.

    After fit: ``correlation_`` (the copula's correlation matrix, as a DataFrame over the
    model columns) and ``marginal_families_`` (the law of each continuous model column).
    """

    method = "gaussian_copula"

    def __init__(
        self,
        *,
        marginals: str = "empirical",
        max_quantiles: int = 5000,
        max_categories: int = 100,
        seed: int = 0,
    ) -> None:
        super().__init__(max_categories=max_categories, seed=seed)
        self.marginals = marginals
        self.max_quantiles = max_quantiles

    def _validate_params(self) -> None:
        super()._validate_params()
        check_choice("marginals", self.marginals, MARGINALS)
        check_int("max_quantiles", self.max_quantiles, 2)

    def _fit(self, frame: pd.DataFrame, transformer: TableTransformer) -> None:
        rng = np.random.default_rng([int(self.seed), 1])  # a stream apart from the transformer's
        n = len(frame)
        columns = list(frame.columns)
        scores = np.empty((n, len(columns)), dtype=np.float64)
        self._marginals: list[tuple] = []
        self.marginal_families_: dict[str, str] = {}
        for j, column in enumerate(columns):
            values = frame[column].to_numpy()
            if column in transformer.n_codes_:
                scores[:, j], marginal = _fit_discrete(
                    values.astype(np.int64), transformer.n_codes_[column], rng
                )
            else:
                scores[:, j], marginal = self._fit_continuous(values.astype(np.float64), rng)
                self.marginal_families_[column] = (
                    marginal[0] if marginal[0] != "parametric" else marginal[1]
                )
            self._marginals.append(marginal)
        self._columns = columns
        self._cholesky = _cholesky(_correlation(scores, rng)).astype(np.float32)
        corr = self._cholesky.astype(np.float64) @ self._cholesky.T.astype(np.float64)
        self.correlation_ = pd.DataFrame(corr, index=columns, columns=columns)

    def _fit_continuous(self, x: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, tuple]:
        n = x.size
        order = np.lexsort((rng.random(n), x))  # ties broken at random
        ranks = np.empty(n, dtype=np.float64)
        ranks[order] = np.arange(n)
        scores = special.ndtri((ranks + 0.5) / n)
        if self.marginals == "parametric" and np.unique(x[: min(n, 1000)]).size > 2:
            return scores, ("parametric", *_fit_parametric(x, rng))
        m = min(n, int(self.max_quantiles))
        probs = (np.arange(m) + 0.5) / m
        sorted_x = x[order]
        quantiles = sorted_x[np.minimum((probs * n).astype(np.int64), n - 1)]
        return scores, ("empirical", quantiles)

    def _generate(self, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        z = rng.standard_normal((n, len(self._columns)), dtype=np.float32) @ self._cholesky.T
        data = {}
        for j, (column, marginal) in enumerate(zip(self._columns, self._marginals, strict=True)):
            zj = z[:, j]
            if marginal[0] == "discrete":
                _, thresholds, code_of_interval = marginal
                data[column] = code_of_interval[np.searchsorted(thresholds, zj)]
            elif marginal[0] == "empirical":
                data[column] = _empirical_quantile(special.ndtr(zj), marginal[1])
            else:
                _, family, params, lo, hi = marginal
                u = np.clip(special.ndtr(zj.astype(np.float64)), _EPS, 1 - _EPS)
                data[column] = np.clip(getattr(stats, family).ppf(u, *params), lo, hi)
        return data


def _empirical_quantile(u: np.ndarray, quantiles: np.ndarray) -> np.ndarray:
    """Linear interpolation between the order statistics ``quantiles`` (at (i + 0.5) / m)."""
    m = quantiles.size
    position = np.clip(u.astype(np.float64) * m - 0.5, 0, m - 1)
    below = position.astype(np.int64)
    above = np.minimum(below + 1, m - 1)
    low = quantiles[below]
    return low + (position - below) * (quantiles[above] - low)


def _fit_discrete(
    codes: np.ndarray, n_codes: int, rng: np.random.Generator
) -> tuple[np.ndarray, tuple]:
    n = codes.size
    counts = np.bincount(codes, minlength=n_codes).astype(np.float64)
    order = np.argsort(-counts, kind="stable")  # the most frequent code owns the first interval
    order = order[counts[order] > 0]
    bounds = np.concatenate([[0.0], np.cumsum(counts[order]) / n])
    bounds[-1] = 1.0
    lower = np.zeros(n_codes)
    width = np.zeros(n_codes)
    lower[order] = bounds[:-1]
    width[order] = np.diff(bounds)
    u = lower[codes] + rng.random(n) * width[codes]
    scores = special.ndtri(np.clip(u, _EPS, 1 - _EPS))
    thresholds = special.ndtri(bounds[1:-1]).astype(np.float32)
    return scores, ("discrete", thresholds, order.astype(np.int64))


def _fit_parametric(x: np.ndarray, rng: np.random.Generator) -> tuple[str, tuple, float, float]:
    """The family among ``_PARAMETRIC_FAMILIES`` closest to ``x`` in KS distance."""
    sample = x if x.size <= 5000 else rng.choice(x, 5000, replace=False)
    lo, hi = float(x.min()), float(x.max())
    best: tuple[float, str, tuple] = (np.inf, "norm", (float(x.mean()), float(x.std()) or 1.0))
    for family in _PARAMETRIC_FAMILIES:
        dist = getattr(stats, family)
        try:
            if family in ("lognorm", "gamma"):
                params = dist.fit(sample, floc=lo - 1e-6 * (abs(lo) + 1))
            elif family in ("beta", "uniform"):
                span = (hi - lo) or 1.0
                params = (
                    dist.fit(sample, floc=lo - 1e-6 * span, fscale=span * (1 + 2e-6))
                    if family == "beta"
                    else (lo, span)
                )
            else:
                params = dist.fit(sample)
            statistic = stats.kstest(sample, family, args=params).statistic
        except Exception:  # a family that cannot fit this column is skipped
            continue
        if np.isfinite(statistic) and statistic < best[0]:
            best = (statistic, family, tuple(float(p) for p in params))
    return best[1], best[2], lo, hi


def _correlation(
    scores: np.ndarray, rng: np.random.Generator, max_rows: int = 200_000
) -> np.ndarray:
    if scores.shape[0] > max_rows:
        scores = scores[rng.choice(scores.shape[0], max_rows, replace=False)]
    k = scores.shape[1]
    if scores.shape[0] < 2:
        return np.eye(k)
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.atleast_2d(np.corrcoef(scores, rowvar=False))
    corr = np.nan_to_num(corr, nan=0.0)
    np.fill_diagonal(corr, 1.0)
    return corr


def _cholesky(corr: np.ndarray) -> np.ndarray:
    """Cholesky factor of the nearest positive-definite correlation matrix (with a ridge)."""
    corr = (corr + corr.T) / 2
    eigenvalues, eigenvectors = np.linalg.eigh(corr)
    corr = (eigenvectors * np.clip(eigenvalues, 1e-6, None)) @ eigenvectors.T
    d = np.sqrt(np.diag(corr))
    corr = corr / np.outer(d, d)
    ridge = 1e-6
    while True:
        try:
            return np.linalg.cholesky((corr + ridge * np.eye(len(corr))) / (1 + ridge))
        except np.linalg.LinAlgError:
            ridge *= 10
