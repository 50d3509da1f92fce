"""Marginal and pairwise fidelity, defined as SDMetrics' QualityReport defines them.

* Column shapes: ``1 - KS statistic`` for numeric and datetime columns (KSComplement),
  ``1 - total variation distance`` for categorical and boolean ones (TVComplement); missing
  values are dropped first, as SDMetrics does.
* Column-pair trends: for two numeric columns, ``1 - |rho_real - rho_synth| / 2`` with Pearson's
  rho on the rows where both are present (CorrelationSimilarity); for any other pair,
  ``1 - TVD`` of the normalised joint contingency tables, missing values counted as a level of
  their own and numeric columns cut into 10 equal-width bins of the real range
  (ContingencySimilarity).
* Like SDMetrics 0.32's QualityReport, only pairs with a trend in the real data count towards
  the column-pair score: two numeric columns whose real ``|rho|`` exceeds 0.5, other pairs whose
  real Cramér's V exceeds 0.3. The other pairs are still scored and listed, with
  ``meets_threshold`` False. Set both thresholds to 0 to average over every pair.

One difference from SDMetrics, on purpose: SDMetrics bins the synthetic column on edges computed
from the synthetic data itself, so the two contingency tables can disagree on what a bin means;
here both tables are binned on the edges of the real data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp

from genesis.quality._prepare import PreparedTables

#: SDMetrics' number of bins for a numeric column in a mixed pair
N_DISCRETE_BINS = 10
#: KSComplement rounds values to this many decimals, so float noise is no difference
KS_DECIMALS = 14
#: SDMetrics 0.32's defaults: a pair counts when its real |Pearson rho| / Cramér's V exceeds these
REAL_CORRELATION_THRESHOLD = 0.5
REAL_ASSOCIATION_THRESHOLD = 0.3
#: above this many cells a contingency table is counted with np.unique instead of np.bincount
_MAX_DENSE_CELLS = 1 << 22


def ks_complement(real: np.ndarray, synthetic: np.ndarray) -> float:
    """``1 - KS statistic`` of the non-missing values; NaN when a side has none."""
    real = np.round(real[~np.isnan(real)], KS_DECIMALS)
    synthetic = np.round(synthetic[~np.isnan(synthetic)], KS_DECIMALS)
    if real.size == 0 or synthetic.size == 0:
        return float("nan")
    # the statistic does not depend on the method; "asymp" only skips an exact p-value
    return float(1.0 - ks_2samp(real, synthetic, method="asymp").statistic)


def tv_complement(real: np.ndarray, synthetic: np.ndarray, n_levels: int) -> float:
    """``1 - ½ Σ|p - q|`` over the labels of two code arrays (-1 = missing, dropped)."""
    real = real[real >= 0]
    synthetic = synthetic[synthetic >= 0]
    if real.size == 0 or synthetic.size == 0:
        return float("nan")
    p = np.bincount(real, minlength=n_levels) / real.size
    q = np.bincount(synthetic, minlength=n_levels) / synthetic.size
    return float(1.0 - 0.5 * np.abs(p - q).sum())


def column_shapes(prepared: PreparedTables, kinds: dict[str, str]) -> pd.DataFrame:
    """One row per column: kind, metric, score and null shares of real and synthetic."""
    rows = []
    real, synth = prepared.values["real"], prepared.values["synthetic"]
    for name in prepared.order:
        if name in prepared.numeric:
            metric, score = "KSComplement", ks_complement(real[name], synth[name])
        elif name in prepared.categorical:
            metric = "TVComplement"
            score = tv_complement(real[name], synth[name], prepared.n_levels[name])
        elif name in prepared.format_scores:
            # replaced by fakes: compared by the shape of its values, not the values
            metric, score = "FormatTVComplement", prepared.format_scores[name]
        else:
            metric, score = None, float("nan")
        rows.append(
            {
                "column": name,
                "kind": kinds[name],
                "metric": metric,
                "score": score,
                "real_null_share": prepared.null_shares["real"][name],
                "synthetic_null_share": prepared.null_shares["synthetic"][name],
            }
        )
    return pd.DataFrame(
        rows,
        columns=["column", "kind", "metric", "score", "real_null_share", "synthetic_null_share"],
    )


def _discrete_codes(prepared: PreparedTables, name: str) -> tuple[np.ndarray, np.ndarray, int]:
    """Real and synthetic codes in ``[0, size)``, missing values as a level of their own."""
    real, synth = prepared.values["real"][name], prepared.values["synthetic"][name]
    if name in prepared.categorical:
        size = prepared.n_levels[name] + 1
        return np.where(real < 0, size - 1, real), np.where(synth < 0, size - 1, synth), size
    present = real[~np.isnan(real)]
    # binned relative to the minimum: near 2**63 a float's spacing (2048) exceeds what
    # numpy accepts for bins of the raw values
    offset = float(present.min()) if present.size else 0.0
    edges = np.histogram_bin_edges(
        present - offset if present.size else np.zeros(1), bins=N_DISCRETE_BINS
    )
    # as SDMetrics' report: values >= the real maximum get a bin of their own (and values below
    # the real minimum, synthetic only, too); missing values get the last level
    missing_level = len(edges) + 1

    def codes(values: np.ndarray) -> np.ndarray:
        return np.where(np.isnan(values), missing_level, np.digitize(values - offset, edges))

    return codes(real), codes(synth), missing_level + 1


def _cramers_v(cells: np.ndarray, counts: np.ndarray, size_b: int) -> float:
    """Cramér's V (no continuity correction) of the non-empty rows and columns of a table."""
    _, rows = np.unique(cells // size_b, return_inverse=True)
    _, cols = np.unique(cells % size_b, return_inverse=True)
    n_rows, n_cols = rows.max() + 1, cols.max() + 1
    if min(n_rows, n_cols) < 2:
        return float("nan")
    observed = np.zeros((n_rows, n_cols))
    observed[rows, cols] = counts
    total = observed.sum()
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / total
    chi2 = ((observed - expected) ** 2 / expected).sum()
    return float(np.sqrt(chi2 / (total * (min(n_rows, n_cols) - 1))))


def _contingency(
    real_a, real_b, synth_a, synth_b, size_b: int, n_cells: int
) -> tuple[float, float]:
    """TVD between the normalised joint tables of (a, b), and Cramér's V of the real table."""
    real = real_a.astype(np.int64) * size_b + real_b
    synth = synth_a.astype(np.int64) * size_b + synth_b
    if n_cells <= _MAX_DENSE_CELLS:
        counts_r = np.bincount(real, minlength=n_cells)
        p = counts_r / real.size
        q = np.bincount(synth, minlength=n_cells) / synth.size
        present = np.flatnonzero(counts_r)
        return float(0.5 * np.abs(p - q).sum()), _cramers_v(present, counts_r[present], size_b)
    cells_r, counts_r = np.unique(real, return_counts=True)
    cells_s, counts_s = np.unique(synth, return_counts=True)
    cells = np.union1d(cells_r, cells_s)
    p = np.zeros(cells.size)
    q = np.zeros(cells.size)
    p[np.searchsorted(cells, cells_r)] = counts_r / real.size
    q[np.searchsorted(cells, cells_s)] = counts_s / synth.size
    return float(0.5 * np.abs(p - q).sum()), _cramers_v(cells_r, counts_r, size_b)


def column_pair_trends(
    prepared: PreparedTables,
    real_correlation_threshold: float = REAL_CORRELATION_THRESHOLD,
    real_association_threshold: float = REAL_ASSOCIATION_THRESHOLD,
) -> pd.DataFrame:
    """One row per pair of modelled columns: metric, score, the real and synthetic correlation
    (numeric pairs), the real Cramér's V (other pairs) and whether the pair meets the threshold
    that makes it count towards the column-pair trends score."""
    columns = prepared.modelled
    numeric = [c for c in columns if c in prepared.numeric]
    corr_real = corr_synth = None
    if len(numeric) >= 2:
        with np.errstate(divide="ignore", invalid="ignore"):
            corr_real = prepared.frame("real", numeric).corr()
            corr_synth = prepared.frame("synthetic", numeric).corr()
    discrete = {}
    rows = []
    nan = float("nan")
    for i, first in enumerate(columns):
        for second in columns[i + 1 :]:
            if first in prepared.numeric and second in prepared.numeric:
                rho_r = float(corr_real.at[first, second])
                rho_s = float(corr_synth.at[first, second])
                score = 1.0 - abs(rho_r - rho_s) / 2.0
                meets = real_correlation_threshold <= 0 or bool(
                    abs(rho_r) > real_correlation_threshold
                )
                rows.append(
                    (first, second, "CorrelationSimilarity", score, rho_r, rho_s, nan, meets)
                )
                continue
            for name in (first, second):
                if name not in discrete:
                    discrete[name] = _discrete_codes(prepared, name)
            ra, sa, size_a = discrete[first]
            rb, sb, size_b = discrete[second]
            tvd, association = _contingency(ra, rb, sa, sb, size_b, size_a * size_b)
            meets = real_association_threshold <= 0 or bool(
                association > real_association_threshold
            )
            score = 1.0 - tvd
            rows.append(
                (first, second, "ContingencySimilarity", score, nan, nan, association, meets)
            )
    return pd.DataFrame(
        rows,
        columns=[
            "column_1",
            "column_2",
            "metric",
            "score",
            "real_correlation",
            "synthetic_correlation",
            "real_association",
            "meets_threshold",
        ],
    )


def pair_trends_score(pair_details: pd.DataFrame) -> float:
    """Mean score of the pairs that meet the threshold (NaN when none does)."""
    scores = pair_details.loc[pair_details["meets_threshold"], "score"].dropna()
    return float(scores.mean()) if len(scores) else float("nan")


def missing_similarity(prepared: PreparedTables) -> float:
    """Mean over all columns of ``1 - |null share real - null share synthetic|``."""
    real, synth = prepared.null_shares["real"], prepared.null_shares["synthetic"]
    return float(np.mean([1.0 - abs(real[c] - synth[c]) for c in prepared.order]))
