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
        # ... nor one with no value in this fold's training rows (on small tables)
        seen = ~np.isnan(x[~test]).all(axis=0)
        if not seen.any():
            continue
        fold_mask = mask[seen]
        model = HistGradientBoostingClassifier(
            max_iter=100,
            categorical_features=fold_mask if fold_mask.any() else None,
            random_state=seed,
        )
        model.fit(x[~test][:, seen], y[~test])
        aucs.append(roc_auc_score(y[test], model.predict_proba(x[test][:, seen])[:, 1]))
    return float(np.mean(aucs)) if aucs else float("nan")


#: numeric columns are cut into at most this many quantile bins for per-column detection
COLUMN_BINS = 32


def _column_codes(values: np.ndarray, categorical: bool) -> tuple[np.ndarray, int]:
    """Integer codes in ``[0, size)`` of one column's pooled values; missing: a code of its own."""
    if categorical:
        return values + 1, int(values.max(initial=-1)) + 2
    present = ~np.isnan(values)
    edges = (
        np.unique(np.quantile(values[present], np.linspace(0, 1, COLUMN_BINS + 1)[1:-1]))
        if present.any()
        else np.zeros(0)
    )
    codes = np.where(present, np.searchsorted(edges, np.where(present, values, 0.0)) + 1, 0)
    return codes, edges.size + 2


def column_detection_aucs(prepared: PreparedTables, seed: int) -> dict[str, float]:
    """Per modelled column, the ROC AUC of telling real from synthetic rows by that column
    alone: which columns give the synthetic table away.

    The classifier is the column's likelihood ratio (synthetic over real share of each label,
    or of each of up to 32 quantile bins of a number, missing values a label of their own),
    estimated on one half of the rows and scored on the other (2-fold). For one feature the
    likelihood ratio is the best possible classifier, so this is the column's own detection
    AUC without fitting a model per column. 0.5: the column alone cannot tell them apart
    (cross-fitting reads pure noise slightly below 0.5, down to about 0.45 on a few thousand
    rows).
    """
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(seed)
    n_real, n_synth = len_of(prepared, "real"), len_of(prepared, "synthetic")
    pick_real = subsample_index(n_real, DETECTION_MAX_ROWS, rng)
    pick_synth = subsample_index(n_synth, DETECTION_MAX_ROWS, rng)
    labels = np.r_[
        np.zeros(pick_real.size, dtype=np.int64), np.ones(pick_synth.size, dtype=np.int64)
    ]
    # a stream of its own: folds drawn from the bare seed can coincide with data drawn from it
    fold = np.random.default_rng((seed, 2)).integers(0, 2, size=labels.size)
    out: dict[str, float] = {}
    for column in prepared.modelled:
        values = np.r_[
            prepared.values["real"][column][pick_real],
            prepared.values["synthetic"][column][pick_synth],
        ]
        codes, size = _column_codes(values, column in prepared.categorical)
        scores = np.empty(labels.size)
        for k in (0, 1):
            train, test = fold != k, fold == k
            synth = np.bincount(codes[train & (labels == 1)], minlength=size) + 0.5
            real = np.bincount(codes[train & (labels == 0)], minlength=size) + 0.5
            ratio = (synth / synth.sum()) / (real / real.sum())
            scores[test] = ratio[codes[test]]
        out[column] = (
            float(roc_auc_score(labels, scores)) if labels.min() < labels.max() else float("nan")
        )
    return out
