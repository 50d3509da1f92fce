"""Privacy sanity checks: copied rows, and distance to the closest training record (DCR).

These are quick checks, not attacks (``genesis.privacy_attacks`` runs those): a synthetic table
that copies training rows, or whose rows sit much closer to the training rows than genuinely
unseen real rows do, leaks what it was trained on.
"""

from __future__ import annotations

import numpy as np

from genesis.quality._prepare import PreparedTables
from genesis.quality.detection import subsample_index

#: at most this many query rows (synthetic, holdout) and reference (training) rows for DCR
DCR_MAX_QUERIES = 5_000
DCR_MAX_REFERENCE = 20_000


def exact_copy_share(prepared: PreparedTables) -> float:
    """Share of synthetic rows equal to some real (training) row on every modelled column.

    Identifiers and free text are left out: generators regenerate them, so comparing them would
    hide copied rows. Rows are compared through a 64-bit hash of their prepared values (floats
    and shared category codes), so dtype differences such as int vs float do not matter.
    """
    columns = prepared.modelled
    if not columns:
        return float("nan")
    return float(np.isin(prepared.row_hashes("synthetic"), prepared.row_hashes("real")).mean())


def _dcr_features(prepared: PreparedTables, table: str) -> np.ndarray:
    """Numeric columns z-scored on the real data (missing values at the mean, plus a flag);
    categorical columns as the frequency of their label in the real data, z-scored too."""
    parts = []
    for name in prepared.modelled:
        real = prepared.values["real"][name]
        values = prepared.values[table][name]
        if name in prepared.categorical:
            counts = np.bincount(real + 1, minlength=prepared.n_levels[name] + 1)
            frequency = counts / max(real.size, 1)
            ref = frequency[real + 1]
            column = frequency[values + 1]
        else:
            ref = real
            column = values.copy()
            missing = np.isnan(column)
            if any(np.isnan(v[name]).any() for v in prepared.values.values()):
                parts.append(missing.astype(np.float64))
            mean = np.nanmean(real) if np.isfinite(real).any() else 0.0
            column[missing] = mean
            ref = np.where(np.isnan(ref), mean, ref)
        std = ref.std()
        parts.append((column - ref.mean()) / (std if std > 0 else 1.0))
    return np.column_stack(parts)


def distance_to_closest_record(
    prepared: PreparedTables, seed: int
) -> tuple[float, float | None, float | None]:
    """Median DCR of synthetic rows and of holdout rows to the real (training) rows.

    Returns ``(dcr_synthetic, dcr_holdout, dcr_ratio)``; the last two are ``None`` without a
    holdout. The ratio is ``dcr_synthetic / dcr_holdout``: near 1 means synthetic rows are no
    closer to the training rows than unseen real rows are; well below 1 means memorisation.
    """
    from sklearn.neighbors import NearestNeighbors

    if not prepared.modelled:
        return float("nan"), None, None
    rng = np.random.default_rng(seed)
    reference = _dcr_features(prepared, "real")
    reference = reference[subsample_index(len(reference), DCR_MAX_REFERENCE, rng)]
    index = NearestNeighbors(n_neighbors=1).fit(reference)

    def median_distance(table: str) -> float:
        queries = _dcr_features(prepared, table)
        queries = queries[subsample_index(len(queries), DCR_MAX_QUERIES, rng)]
        distances, _ = index.kneighbors(queries)
        return float(np.median(distances[:, 0]))

    dcr_synth = median_distance("synthetic")
    if "holdout" not in prepared.values:
        return dcr_synth, None, None
    dcr_holdout = median_distance("holdout")
    ratio = dcr_synth / dcr_holdout if dcr_holdout > 0 else float("nan")
    return dcr_synth, dcr_holdout, ratio
