"""Distance metrics: distance to the closest record (DCR) and nearest-neighbour distance ratio.

Both run on the shared encoding of :class:`~genesis.privacy_attacks.encoding.TableEncoder`
with scikit-learn's :class:`~sklearn.neighbors.NearestNeighbors` (vectorised, brute force
on float32). A synthetic table that memorised its training rows sits closer to them than
to real rows it never saw: the *DCR share* below compares the two directly.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from genesis.privacy_attacks.encoding import TableEncoder
from genesis.privacy_attacks.risk import risk_with_interval


def neighbour_distances(query: np.ndarray, reference: np.ndarray, k: int = 2) -> np.ndarray:
    """Distances of each query row to its ``k`` nearest reference rows, shape ``(n, k)``."""
    from sklearn.neighbors import NearestNeighbors

    k = min(k, len(reference))
    index = NearestNeighbors(n_neighbors=k, algorithm="brute").fit(reference)
    distances, _ = index.kneighbors(query)
    return distances


def _encoded(
    query: pd.DataFrame, reference: pd.DataFrame, encoder: TableEncoder | None
) -> tuple[np.ndarray, np.ndarray]:
    if encoder is None:
        columns = [c for c in query.columns if c in reference.columns]
        encoder = TableEncoder(columns).fit(query, reference)
    return encoder.transform(query), encoder.transform(reference)


def distance_to_closest_record(
    query: pd.DataFrame, reference: pd.DataFrame, *, encoder: TableEncoder | None = None
) -> np.ndarray:
    """Distance of each ``query`` row to its closest ``reference`` row (DCR).

    ``encoder`` (fitted on both tables) fixes the encoding; by default one is fitted on the
    two tables' shared columns.
    """
    q, r = _encoded(query, reference, encoder)
    return neighbour_distances(q, r, k=1)[:, 0]


def nearest_neighbor_distance_ratio(
    query: pd.DataFrame, reference: pd.DataFrame, *, encoder: TableEncoder | None = None
) -> np.ndarray:
    """Closest over second-closest distance for each ``query`` row (NNDR, in [0, 1]).

    Near 0: the row has one reference row right beside it and no other, the mark of a
    copied or barely perturbed record. Two reference rows at distance 0 give 1 (no single
    record stands out); so does a reference table of a single row.
    """
    q, r = _encoded(query, reference, encoder)
    d = neighbour_distances(q, r, k=2)
    if d.shape[1] < 2:
        return np.ones(len(q))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = d[:, 0] / d[:, 1]
    return np.where(d[:, 1] > 0, ratio, 1.0)


def distance_metrics(
    training: np.ndarray, holdout: np.ndarray, synthetic: np.ndarray, seed: int = 0
) -> dict[str, Any]:
    """DCR and NNDR summaries of encoded tables, and the DCR share with its interval.

    ``training`` and ``holdout`` should hold as many rows each (subsample the larger): the
    *DCR share* is the share of synthetic rows closer to the training rows than to the
    holdout rows (ties count half). A generator that learned the population and not its
    training rows gives 0.5; the excess over 0.5, as a risk, is reported too.
    """
    d_train = neighbour_distances(synthetic, training, k=2)
    d_hold = neighbour_distances(synthetic, holdout, k=1)[:, 0]
    # the holdout's own distances to the training rows: the yardstick of an unseen real row
    d_hold_train = neighbour_distances(holdout, training, k=1)[:, 0]
    closer = (d_train[:, 0] < d_hold).astype(np.float64) + 0.5 * (d_train[:, 0] == d_hold)
    successes = int(round(closer.sum()))
    figures = risk_with_interval(successes, len(closer), len(closer) // 2, len(closer))
    with np.errstate(invalid="ignore", divide="ignore"):
        nndr = np.where(d_train[:, 1] > 0, d_train[:, 0] / d_train[:, 1], 1.0)
    return {
        "dcr_synthetic_to_training_median": float(np.median(d_train[:, 0])),
        "dcr_holdout_to_training_median": float(np.median(d_hold_train)),
        "dcr_synthetic_to_training_p05": float(np.quantile(d_train[:, 0], 0.05)),
        "dcr_holdout_to_training_p05": float(np.quantile(d_hold_train, 0.05)),
        "synthetic_share_at_distance_zero": float(np.mean(d_train[:, 0] == 0)),
        "holdout_share_at_distance_zero": float(np.mean(d_hold_train == 0)),
        "nndr_synthetic_median": float(np.median(nndr)),
        "dcr_share": float(closer.mean()),
        "dcr_share_ci": figures["attack_ci"],
        "dcr_share_risk": figures["risk"],
        "dcr_share_risk_ci": figures["risk_ci"],
        "n_synthetic": int(len(synthetic)),
        "n_reference": int(len(training)),
    }
