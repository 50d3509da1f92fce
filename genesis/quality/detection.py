"""Detection: how well a classifier tells real rows from synthetic ones.

A histogram gradient-boosting classifier (native missing values and categories) is trained on
real rows labelled 0 and synthetic rows labelled 1, with 3-fold cross-validation;
the score is the mean out-of-fold ROC AUC. 0.5 means the two tables cannot be told apart.
"""

from __future__ import annotations

import numpy as np

from genesis.quality._prepare import PreparedTables

#: at most this many rows of each side are used
DETECTION_MAX_ROWS = 20_000
N_FOLDS = 3


def feature_matrix(
    prepared: PreparedTables, table: str, columns: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Float features of ``table`` (categorical columns as capped codes) and the categorical mask."""
    if not columns:
        return np.empty((len_of(prepared, table), 0)), np.zeros(0, dtype=bool)
    parts = [
        prepared.capped_codes(table, c)
        if c in prepared.categorical
        else prepared.values[table][c].astype(np.float64)
        for c in columns
    ]
    mask = np.array([c in prepared.categorical for c in columns])
    return np.column_stack(parts), mask


def len_of(prepared: PreparedTables, table: str) -> int:
    """Number of rows of a prepared table."""
    first = next(iter(prepared.values[table].values()), None)
    return 0 if first is None else len(first)


def subsample_index(n: int, max_rows: int, rng: np.random.Generator) -> np.ndarray:
    """All row positions when ``n <= max_rows``, else a sorted random subset of ``max_rows``."""
    if n <= max_rows:
        return np.arange(n)
    return np.sort(rng.choice(n, size=max_rows, replace=False))


def detection_auc(prepared: PreparedTables, seed: int) -> float:
    """Mean cross-validated ROC AUC of a real-vs-synthetic classifier (NaN if not computable).

    Folds are drawn per distinct row, not per row: a synthetic row that copies a real one lands
    in the same fold as its twin, so the classifier is never scored on a row whose exact copy it
    was trained on with the opposite label (which would push the AUC below 0.5).
    """
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score

    columns = prepared.modelled
    rng = np.random.default_rng(seed)
    x_real, mask = feature_matrix(prepared, "real", columns)
    x_synth, _ = feature_matrix(prepared, "synthetic", columns)
    pick_real = subsample_index(len(x_real), DETECTION_MAX_ROWS, rng)
    pick_synth = subsample_index(len(x_synth), DETECTION_MAX_ROWS, rng)
    if not columns or min(pick_real.size, pick_synth.size) < N_FOLDS:
        return float("nan")
    x = np.vstack([x_real[pick_real], x_synth[pick_synth]])
    # a column with no value on either side tells the tables nothing (and breaks binning)
    informative = ~np.isnan(x).all(axis=0)
    if not informative.any():
        return float("nan")
    x, mask = x[:, informative], mask[informative]
    y = np.r_[np.zeros(pick_real.size), np.ones(pick_synth.size)]
    hashes = np.r_[
        prepared.row_hashes("real")[pick_real], prepared.row_hashes("synthetic")[pick_synth]
    ]
    _, group = np.unique(hashes, return_inverse=True)
    fold = rng.integers(0, N_FOLDS, size=group.max() + 1)[group]
    aucs = []
    for k in range(N_FOLDS):
        test = fold == k
        if np.unique(y[test]).size < 2 or np.unique(y[~test]).size < 2:
            continue
        model = HistGradientBoostingClassifier(
            max_iter=100,
            categorical_features=mask if mask.any() else None,
            random_state=seed,
        )
        model.fit(x[~test], y[~test])
        aucs.append(roc_auc_score(y[test], model.predict_proba(x[test])[:, 1]))
    return float(np.mean(aucs)) if aucs else float("nan")
