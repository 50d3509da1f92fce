"""Machine-learning utility: train on synthetic, test on real (TSTR) vs train on real (TRTR).

Both models are histogram gradient-boosting models with native categorical support, scored on
the same real test rows: the holdout when one is given, else a seeded 20% split of the real
table (TRTR then trains on the other 80%). Classification (categorical or boolean target) is
scored by ROC AUC (binary; macro one-vs-rest for more classes) and accuracy, regression by R².
"""

from __future__ import annotations

from typing import Any

import numpy as np

from genesis.quality._prepare import PreparedTables
from genesis.quality.detection import feature_matrix

TEST_SHARE = 0.2


def _classification_scores(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    mask: np.ndarray,
    seed: int,
) -> dict[str, float]:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import accuracy_score, roc_auc_score

    classes = np.unique(y_test)
    known = np.unique(y_train)
    proba = np.zeros((len(y_test), classes.size))
    if known.size >= 2:
        model = HistGradientBoostingClassifier(
            max_iter=100, categorical_features=mask if mask.any() else None, random_state=seed
        )
        model.fit(x_train, y_train)
        model_proba = model.predict_proba(x_test)
        for j, label in enumerate(classes):
            hit = np.flatnonzero(model.classes_ == label)
            if hit.size:
                proba[:, j] = model_proba[:, hit[0]]
        predicted = model.predict(x_test)
    else:
        # a training set with a single label can only ever predict that label
        proba[:, np.flatnonzero(classes == known[0])] = 1.0 if known.size else 0.0
        predicted = np.full(len(y_test), known[0] if known.size else -1)
    accuracy = float(accuracy_score(y_test, predicted))
    if classes.size < 2:
        return {"roc_auc": float("nan"), "accuracy": accuracy}
    if classes.size == 2:
        auc = roc_auc_score(y_test == classes[1], proba[:, 1])
    else:
        totals = proba.sum(axis=1, keepdims=True)
        proba = np.where(totals > 0, proba / np.where(totals > 0, totals, 1), 1.0 / classes.size)
        auc = roc_auc_score(y_test, proba, multi_class="ovr", average="macro", labels=classes)
    return {"roc_auc": float(auc), "accuracy": accuracy}


def _regression_scores(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    mask: np.ndarray,
    seed: int,
) -> dict[str, float]:
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.metrics import r2_score

    model = HistGradientBoostingRegressor(
        max_iter=100, categorical_features=mask if mask.any() else None, random_state=seed
    )
    model.fit(x_train, y_train)
    return {"r2": float(r2_score(y_test, model.predict(x_test)))}


def ml_utility(prepared: PreparedTables, target: str, seed: int) -> dict[str, Any]:
    """TSTR and TRTR scores for predicting ``target`` from every other modelled column."""
    from sklearn.model_selection import train_test_split

    classification = target in prepared.categorical
    features = [c for c in prepared.modelled if c != target]

    def table(name: str) -> tuple[np.ndarray, np.ndarray]:
        x, _ = feature_matrix(prepared, name, features)
        y = prepared.values[name][target]
        keep = y >= 0 if classification else ~np.isnan(y)
        return x[keep], y[keep]

    _, mask = feature_matrix(prepared, "real", features)
    x_real, y_real = table("real")
    x_synth, y_synth = table("synthetic")
    if "holdout" in prepared.values:
        x_test, y_test = table("holdout")
        x_train, y_train = x_real, y_real
        test_set = "holdout"
    else:
        labels, counts = np.unique(y_real, return_counts=True)
        stratify = y_real if classification and labels.size > 1 and counts.min() >= 2 else None
        x_train, x_test, y_train, y_test = train_test_split(
            x_real, y_real, test_size=TEST_SHARE, random_state=seed, stratify=stratify
        )
        test_set = f"{TEST_SHARE:.0%} split of real"

    scorer = _classification_scores if classification else _regression_scores

    def score(x_train, y_train, x_test, y_test, mask, seed):
        if len(y_train) == 0 or len(y_test) == 0:
            names = ("roc_auc", "accuracy") if classification else ("r2",)
            return dict.fromkeys(names, float("nan"))
        # a feature with no value in the training rows cannot be learned (and breaks binning)
        keep = ~np.isnan(x_train).all(axis=0)
        if not keep.all():
            x_train, x_test, mask = x_train[:, keep], x_test[:, keep], mask[keep]
        return scorer(x_train, y_train, x_test, y_test, mask, seed)

    tstr = score(x_synth, y_synth, x_test, y_test, mask, seed)
    trtr = score(x_train, y_train, x_test, y_test, mask, seed)
    metric = "roc_auc" if classification else "r2"
    main_tstr, main_trtr = tstr[metric], trtr[metric]
    ratio = main_tstr / main_trtr if main_trtr > 0 else float("nan")
    return {
        "task": "classification" if classification else "regression",
        "target": target,
        "metric": metric,
        "metrics": sorted(tstr),
        "tstr": main_tstr,
        "trtr": main_trtr,
        "ratio": ratio,
        "difference": main_trtr - main_tstr,
        "scores": {name: {"tstr": tstr[name], "trtr": trtr[name]} for name in tstr},
        "test_set": test_set,
        "n_train_real": len(y_train),
        "n_train_synthetic": len(y_synth),
        "n_test": len(y_test),
    }
