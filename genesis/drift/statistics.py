"""The drift statistics, defined exactly as Evidently 0.7 defines them.

Each function takes clean inputs (NaN and infinities already removed) and returns numbers;
:class:`~genesis.drift.detector.DriftDetector` prepares the columns and decides. The
definitions follow ``evidently/legacy/calculations/stattests`` of Evidently 0.7.23:

| test | value | drift when | Evidently source |
|---|---|---|---|
| ``ks`` | two-sample Kolmogorov-Smirnov p-value (scipy ``ks_2samp``) | p <= threshold | ``ks_stattest.py`` |
| ``chisquare`` | chi-squared p-value, expected = baseline counts scaled to the current size | p < threshold | ``chisquare_stattest.py`` |
| ``z`` | two-proportion z-test p-value, first sorted value vs. the rest | p < threshold | ``z_stattest.py`` |
| ``wasserstein`` | Wasserstein-1 distance / max(std(baseline), 0.001) | value >= threshold | ``wasserstein_distance_norm.py`` |
| ``jensenshannon`` | Jensen-Shannon distance (natural log) of value shares or Sturges bins | value >= threshold | ``jensenshannon.py`` |
| ``psi`` | population stability index of value shares or Sturges bins, zeros filled | value >= threshold | ``psi.py`` |

Binning (``jensenshannon``, ``psi``, from ``get_binned_data``): a numeric column with more
than 20 distinct baseline values is cut into ``numpy.histogram_bin_edges(both, "sturges")``
bins; anything else is compared value by value over the union of both tables' values, so a
category the baseline never had simply gets a baseline share of 0 (PSI fills zero shares
with min(nonzero share)/10**6 when that minimum is <= 0.0001, else with 0.0001).

The Wasserstein distance is computed on the two sorted samples through their quantile
functions (exact, the same value as ``scipy.stats.wasserstein_distance``) without sorting
the merged sample, which makes it several times faster on a million rows.
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats

#: default threshold of each test (p-value level, or distance level)
DEFAULT_THRESHOLDS: dict[str, float] = {
    "ks": 0.05,
    "chisquare": 0.05,
    "z": 0.05,
    "wasserstein": 0.1,
    "jensenshannon": 0.1,
    "psi": 0.1,
}
#: tests whose value is a p-value (drift when small); the others return distances
P_VALUE_TESTS = frozenset({"ks", "chisquare", "z"})
#: tests that only make sense on numbers
NUMERIC_ONLY_TESTS = frozenset({"ks", "wasserstein"})
TESTS = tuple(DEFAULT_THRESHOLDS)

#: PSI reading: below 0.1 no shift, 0.1 to 0.2 moderate, 0.2 and above significant
PSI_LEVELS = ((0.1, "none"), (0.2, "moderate"), (float("inf"), "significant"))

_MIN_STD = 0.001
_BINNING_MIN_DISTINCT = 20  # more distinct baseline values than this: Sturges bins


def psi_level(value: float) -> str:
    """``"none"`` (< 0.1), ``"moderate"`` (0.1 to 0.2) or ``"significant"`` (>= 0.2)."""
    for bound, name in PSI_LEVELS:
        if value < bound:
            return name
    return "significant"  # NaN


def is_drift(test: str, value: float, threshold: float) -> bool:
    """Whether ``value`` of ``test`` means drift, with Evidently's comparison for that test."""
    if np.isnan(value):
        return False
    if test == "ks":
        return bool(value <= threshold)
    if test in P_VALUE_TESTS:
        return bool(value < threshold)
    return bool(value >= threshold)


# --- numeric samples (sorted float arrays) ---------------------------------------------------


def ks_test(baseline: np.ndarray, current: np.ndarray) -> tuple[float, float]:
    """Two-sided two-sample Kolmogorov-Smirnov test: ``(statistic, p_value)`` (scipy's)."""
    result = stats.ks_2samp(baseline, current)
    return float(result.statistic), float(result.pvalue)


def wasserstein_sorted(u: np.ndarray, v: np.ndarray) -> float:
    """Wasserstein-1 distance of two sorted samples (equal weights), in O(n + m).

    W1 is the integral over q in (0, 1] of |Fu^-1(q) - Fv^-1(q)|. Both quantile functions are
    steps that change only at q = i/n and q = j/m; on the common grid of numerators i*m and
    j*n (over n*m) their merged order is known in closed form, so no sort is needed.
    """
    n, m = len(u), len(v)
    if n == m:
        return float(np.mean(np.abs(u - v)))
    i = np.arange(1, n + 1, dtype=np.int64)
    j = np.arange(1, m + 1, dtype=np.int64)
    a = i * m
    b = j * n
    grid = np.empty(n + m, dtype=np.int64)
    grid[(i - 1) + (a - 1) // n] = a  # after the j*n strictly below i*m
    grid[(j - 1) + b // m] = b  # after the i*m at or below j*n
    widths = np.diff(grid, prepend=0).astype(np.float64)
    u_at = u[(grid + m - 1) // m - 1]
    v_at = v[(grid + n - 1) // n - 1]
    return float(np.dot(widths, np.abs(u_at - v_at)) / (float(n) * float(m)))


def wasserstein_norm(baseline_sorted: np.ndarray, current_sorted: np.ndarray) -> float:
    """Wasserstein distance divided by max(std(baseline), 0.001), Evidently's normed form."""
    norm = max(float(np.std(baseline_sorted)), _MIN_STD)
    return wasserstein_sorted(baseline_sorted, current_sorted) / norm


def distinct_count_sorted(values: np.ndarray) -> int:
    """Number of distinct values of a sorted array."""
    if len(values) == 0:
        return 0
    return int(np.count_nonzero(values[1:] != values[:-1])) + 1


def value_counts_sorted(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(distinct values, counts)`` of a sorted array, without another sort."""
    if len(values) == 0:
        return values[:0], np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    counts = np.diff(np.r_[starts, len(values)])
    return values[starts], counts


def numeric_shares(
    baseline_sorted: np.ndarray, current_sorted: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Evidently's binned shares of two numeric samples (``get_binned_data``, no zero fill)."""
    if distinct_count_sorted(baseline_sorted) > _BINNING_MIN_DISTINCT:
        both = np.concatenate([baseline_sorted, current_sorted])
        edges = np.histogram_bin_edges(both, bins="sturges")
        ref = np.histogram(baseline_sorted, edges)[0] / len(baseline_sorted)
        cur = np.histogram(current_sorted, edges)[0] / len(current_sorted)
        return ref, cur
    ref_values, ref_counts = value_counts_sorted(baseline_sorted)
    cur_values, cur_counts = value_counts_sorted(current_sorted)
    keys = np.union1d(ref_values, cur_values)
    return (
        _align(keys, ref_values, ref_counts) / len(baseline_sorted),
        _align(keys, cur_values, cur_counts) / len(current_sorted),
    )


def _align(keys: np.ndarray, values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    out = np.zeros(len(keys), dtype=np.float64)
    out[np.searchsorted(keys, values)] = counts
    return out


# --- counts over a common set of values --------------------------------------------------------


def chisquare_test(baseline_counts: np.ndarray, current_counts: np.ndarray) -> tuple[float, float]:
    """Chi-squared goodness of fit of current counts to baseline counts scaled to its size.

    A value the baseline never had has an expected count of 0: the statistic is infinite
    and the p-value 0 (a new category is drift), as in Evidently.
    """
    baseline_counts = np.asarray(baseline_counts, dtype=np.float64)
    current_counts = np.asarray(current_counts, dtype=np.float64)
    if len(baseline_counts) < 2:
        return 0.0, 1.0
    expected = baseline_counts * (current_counts.sum() / baseline_counts.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = (current_counts - expected) ** 2 / expected
    statistic = float(terms.sum())
    p_value = float(special.chdtrc(len(baseline_counts) - 1, statistic))
    return statistic, p_value


def z_test(
    baseline_first: int, baseline_n: int, current_first: int, current_n: int
) -> tuple[float, float]:
    """Two-proportion z-test on the share of rows that are NOT the first (sorted) value.

    Returns ``(z, p_value)``; one single shared value gives ``(0, 1)``.
    """
    p1 = (baseline_n - baseline_first) / baseline_n
    p2 = (current_n - current_first) / current_n
    pooled = (p1 * baseline_n + p2 * current_n) / (baseline_n + current_n)
    if pooled in (0.0, 1.0):
        return 0.0, 1.0
    z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1.0 / baseline_n + 1.0 / current_n))
    return float(z), float(2 * (1 - stats.norm.cdf(np.abs(z))))


def jensenshannon(baseline_shares: np.ndarray, current_shares: np.ndarray) -> float:
    """Jensen-Shannon distance (natural log) of two share vectors (scipy's definition)."""
    p = np.asarray(baseline_shares, dtype=np.float64)
    q = np.asarray(current_shares, dtype=np.float64)
    p = p / p.sum()
    q = q / q.sum()
    m = (p + q) / 2.0
    js = special.rel_entr(p, m).sum() + special.rel_entr(q, m).sum()
    return float(np.sqrt(js / 2.0))


def fill_zeros(shares: np.ndarray) -> np.ndarray:
    """Evidently's zero fill for PSI: min(nonzero)/10**6 if that is <= 0.0001, else 0.0001."""
    shares = np.array(shares, dtype=np.float64)
    nonzero = shares[shares != 0]
    if len(nonzero) == 0:
        return shares
    smallest = nonzero.min()
    shares[shares == 0] = smallest / 10**6 if smallest <= 0.0001 else 0.0001
    return shares


def psi(baseline_shares: np.ndarray, current_shares: np.ndarray) -> float:
    """Population stability index: sum((b - c) * ln(b / c)) over zero-filled shares."""
    b = fill_zeros(baseline_shares)
    c = fill_zeros(current_shares)
    return float(np.sum((b - c) * np.log(b / c)))


def missing_rate_test(
    baseline_missing: int, baseline_n: int, current_missing: int, current_n: int
) -> float:
    """Two-sided two-proportion z-test p-value of the missing shares (1.0 when undefined)."""
    if baseline_n == 0 or current_n == 0:
        return 1.0
    p1 = baseline_missing / baseline_n
    p2 = current_missing / current_n
    pooled = (baseline_missing + current_missing) / (baseline_n + current_n)
    if pooled in (0.0, 1.0):
        return 1.0
    z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1.0 / baseline_n + 1.0 / current_n))
    return float(2 * stats.norm.sf(abs(z)))
