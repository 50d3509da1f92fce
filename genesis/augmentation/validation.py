"""Does augmentation help? A gradient-boosting classifier trained on the real rows alone, on
the real rows plus SMOTE-NC rows, and on the real rows plus Genesis rows, each scored on the
same held-out real rows."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import InvalidDataError, missing_dependency

#: each class needs this many labelled rows for a stratified split to leave some to test on
MIN_VALIDATION_ROWS = 10
#: categorical features keep their most frequent labels up to this many (the classifier's limit)
MAX_CATEGORIES = 250
#: ROC AUC must rise by this much for augmentation to count as helping (binary targets)
AUC_GAIN = 0.005
#: balanced accuracy must rise by this much (targets with more than two classes)
BALANCED_ACCURACY_GAIN = 0.01

#: with fewer held-out minority rows the verdict says its differences may be noise
FEW_TEST_ROWS = 50

METRICS = ("balanced accuracy", "minority recall", "minority F1", "ROC AUC")


@dataclass
class AugmentationValidation:
    """Scores on held-out real rows, one row per training set (see module docstring).

    Attributes:
        table: rows ``real only``, ``+ SMOTE-NC`` and ``+ Genesis (<method>)``; columns
            ``training rows`` and :data:`METRICS` (ROC AUC is NaN for more than two classes).
        verdict: plain-language reading of the table.
        helps: whether the Genesis rows improved the classifier (see :data:`AUC_GAIN`).
        minority_class: the class the minority scores are about.
        train_rows, test_rows: real rows in each split.
        test_minority_rows: held-out rows of the minority class.
    """

    table: pd.DataFrame
    verdict: str
    helps: bool
    minority_class: Any
    train_rows: int
    test_rows: int
    test_minority_rows: int = 0

    def to_markdown(self) -> str:
        """The table as Markdown, followed by the verdict."""
        shown = self.table.copy()
        for metric in METRICS:
            shown[metric] = [f"{v:.4f}" if np.isfinite(v) else "n/a" for v in shown[metric]]
        shown["training rows"] = [f"{int(v):,}" for v in shown["training rows"]]
        head = (
            f"Held-out real rows: {self.test_rows:,} ({self.test_minority_rows:,} of the "
            f"minority class {self.minority_class!r}); "
            f"real training rows: {self.train_rows:,}\n\n"
        )
        return head + shown.to_markdown() + "\n\n" + self.verdict

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures."""
        from genesis.jsonsafe import json_safe

        return json_safe(
            {
                "table": self.table.reset_index(names="training set").to_dict("records"),
                "verdict": self.verdict,
                "helps": self.helps,
                "minority_class": self.minority_class,
                "train_rows": self.train_rows,
                "test_rows": self.test_rows,
                "test_minority_rows": self.test_minority_rows,
            }
        )


def features(df: pd.DataFrame, target: str, like: pd.DataFrame | None = None) -> pd.DataFrame:
    """``df``'s columns other than ``target`` as the classifier takes them: numbers as floats,
    datetimes as nanoseconds, everything else categorical with ``like``'s categories (the
    training frame's; its own when None)."""
    out = {}
    reference = df if like is None else like
    for name in df.columns.drop(target):
        column = df[name]
        if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
            out[name] = pd.to_numeric(column, errors="coerce").astype("float64")
        elif pd.api.types.is_datetime64_any_dtype(column) or pd.api.types.is_timedelta64_dtype(
            column
        ):
            values = column.astype("int64").astype("float64")
            out[name] = values.where(column.notna())
        else:
            if like is None:
                labels = column.astype(str).where(column.notna())
                categories = labels.value_counts().index[:MAX_CATEGORIES]
            else:
                categories = reference[name].cat.categories
            text = column.astype(str).where(column.notna())
            out[name] = pd.Categorical(text, categories=categories)
    return pd.DataFrame(out, index=df.index)


def _smote_rows(x: pd.DataFrame, y: pd.Series, goal: dict[Any, int], seed: int) -> pd.DataFrame:
    """New SMOTE-NC rows (SMOTE with no categorical features, SMOTEN with only those)
    bringing each class of ``y`` to ``goal`` rows; returns features plus ``y`` as ``_y``."""
    try:
        from imblearn.over_sampling import SMOTE, SMOTEN, SMOTENC
    except ImportError:
        raise missing_dependency("imblearn", "augmentation's SMOTE-NC comparison") from None
    categorical = [
        i for i, c in enumerate(x.columns) if isinstance(x[c].dtype, pd.CategoricalDtype)
    ]
    filled = x.copy()
    for i, name in enumerate(x.columns):
        if i in categorical:
            filled[name] = x[name].astype(object).where(x[name].notna(), "__missing__")
        else:
            median = x[name].median()
            filled[name] = x[name].fillna(0.0 if pd.isna(median) else median)
    k = int(min(5, y.value_counts().min() - 1))
    if not categorical:
        sampler = SMOTE(sampling_strategy=goal, k_neighbors=k, random_state=seed)
    elif len(categorical) == x.shape[1]:
        sampler = SMOTEN(sampling_strategy=goal, k_neighbors=k, random_state=seed)
    else:
        sampler = SMOTENC(
            categorical_features=categorical,
            sampling_strategy=goal,
            k_neighbors=k,
            random_state=seed,
        )
    x_new, y_new = sampler.fit_resample(filled, y)
    # imblearn returns the original rows first, then the new ones
    x_new = x_new.iloc[len(x) :].reset_index(drop=True)
    for i in categorical:
        name = x.columns[i]
        values = x_new[name].astype(object).where(x_new[name] != "__missing__")
        x_new[name] = pd.Categorical(values, categories=x[name].cat.categories)
    x_new = x_new.astype({c: "float64" for j, c in enumerate(x.columns) if j not in categorical})
    x_new["_y"] = np.asarray(y_new)[len(x) :]
    return x_new


def _scores(
    x_train: pd.DataFrame,
    y_train: pd.Series,
    x_test: pd.DataFrame,
    y_test: pd.Series,
    minority: Any,
    seed: int,
    params: dict[str, Any],
) -> list[float]:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import balanced_accuracy_score, f1_score, recall_score, roc_auc_score

    model = HistGradientBoostingClassifier(
        **{"categorical_features": "from_dtype", "early_stopping": False, "random_state": seed}
        | params
    ).fit(x_train, y_train)
    predicted = model.predict(x_test)
    options = {"labels": [minority], "average": "macro", "zero_division": 0}
    auc = math.nan
    if len(model.classes_) == 2:
        column = list(model.classes_).index(minority)
        auc = roc_auc_score(y_test == minority, model.predict_proba(x_test)[:, column])
    return [
        float(balanced_accuracy_score(y_test, predicted)),
        float(recall_score(y_test, predicted, **options)),
        float(f1_score(y_test, predicted, **options)),
        float(auc),
    ]


def validate(
    df: pd.DataFrame,
    target: str,
    synthesize: Callable[[pd.DataFrame, dict[Any, int]], pd.DataFrame],
    *,
    label: str,
    target_ratio: float,
    seed: int,
    test_size: float = 0.25,
    classifier_params: dict[str, Any] | None = None,
) -> AugmentationValidation:
    """Score the three training sets (see module docstring) on a seeded stratified split.

    ``synthesize(train, needed)`` fits on ``train`` only and returns ``needed[c]`` new rows of
    each class ``c``; ``label`` names it in the table. ``classifier_params`` go to
    scikit-learn's ``HistGradientBoostingClassifier``.
    """
    from sklearn.model_selection import train_test_split

    labelled = df[df[target].notna()]
    counts = labelled[target].value_counts()
    if counts.min() < MIN_VALIDATION_ROWS:
        raise InvalidDataError(
            f"class {counts.idxmin()!r} of {target!r} has {counts.min()} rows; validating needs "
            f"at least {MIN_VALIDATION_ROWS} per class to hold some out; pass validate=False"
        )
    train, test = train_test_split(
        labelled, test_size=test_size, stratify=labelled[target], random_state=seed
    )
    train_counts = train[target].value_counts().sort_values(ascending=False, kind="stable")
    minority = train_counts.index[-1]
    goal = math.ceil(target_ratio * train_counts.iloc[0])
    needed = {c: max(0, goal - int(n)) for c, n in train_counts.items()}
    x_train, x_test = features(train, target), None
    x_test = features(test, target, like=x_train)
    y_train, y_test = train[target].reset_index(drop=True), test[target]
    x_train = x_train.reset_index(drop=True)

    synthetic = synthesize(train, needed)
    x_genesis = pd.concat([x_train, features(synthetic, target, like=x_train)], ignore_index=True)
    y_genesis = pd.concat([y_train, synthetic[target].reset_index(drop=True)], ignore_index=True)
    x_smote, y_smote = x_train, y_train
    if any(needed.values()):
        smote = _smote_rows(x_train, y_train, {c: goal for c, n in needed.items() if n}, seed)
        x_smote = pd.concat([x_train, smote.drop(columns="_y")], ignore_index=True)
        y_smote = pd.concat([y_train, smote["_y"].astype(y_train.dtype)], ignore_index=True)

    rows = {
        "real only": (x_train, y_train),
        "+ SMOTE-NC": (x_smote, y_smote),
        f"+ Genesis ({label})": (x_genesis, y_genesis),
    }
    table = pd.DataFrame(
        [
            [len(y)] + _scores(x, y, x_test, y_test, minority, seed, dict(classifier_params or {}))
            for x, y in rows.values()
        ],
        index=list(rows),
        columns=["training rows", *METRICS],
    )
    verdict, helps = _verdict(table, binary=len(train_counts) == 2)
    held_out = int((y_test == minority).sum())
    if held_out < FEW_TEST_ROWS:
        verdict += (
            f" With only {held_out} minority rows held out, differences of a few points are "
            "within noise; try other seeds before concluding."
        )
    return AugmentationValidation(table, verdict, helps, minority, len(train), len(test), held_out)


def _verdict(table: pd.DataFrame, binary: bool) -> tuple[str, bool]:
    """Plain words for the table, and whether the Genesis rows helped."""
    base, smote, genesis = (table.iloc[i] for i in range(3))
    name = table.index[2].removeprefix("+ ")

    def change(metric: str, row: pd.Series) -> str:
        return (
            f"{metric} {base[metric]:.3f} -> {row[metric]:.3f} ({row[metric] - base[metric]:+.3f})"
        )

    gain_ba = genesis["balanced accuracy"] - base["balanced accuracy"]
    if binary:
        helps = bool(genesis["ROC AUC"] - base["ROC AUC"] >= AUC_GAIN and gain_ba > 0)
        lines = [f"{name}: {change('ROC AUC', genesis)}, {change('balanced accuracy', genesis)}."]
        if not helps and gain_ba > 0:
            lines.append(
                "The gain in balanced accuracy and minority recall without a better ROC AUC "
                "comes from moving the decision threshold toward the minority class, which "
                "class weights or a lower threshold give without any synthetic rows."
            )
        lines.append(f"SMOTE-NC: {change('ROC AUC', smote)}, {change('balanced accuracy', smote)}.")
        best_other = max(base["ROC AUC"], smote["ROC AUC"])
    else:
        helps = bool(
            gain_ba >= BALANCED_ACCURACY_GAIN and genesis["minority F1"] >= base["minority F1"]
        )
        lines = [
            f"{name}: {change('balanced accuracy', genesis)}, {change('minority F1', genesis)}.",
            f"SMOTE-NC: {change('balanced accuracy', smote)}, {change('minority F1', smote)}.",
        ]
    if helps:
        verdict = "Verdict: the Genesis rows helped this classifier on held-out real rows"
        if binary and genesis["ROC AUC"] < best_other:
            verdict += ", though SMOTE-NC helped more"
        lines.append(verdict + ".")
    else:
        key = "ROC AUC" if binary else "balanced accuracy"
        gain = AUC_GAIN if binary else BALANCED_ACCURACY_GAIN
        smote_helps = smote[key] - base[key] >= gain
        lines.append(
            "Verdict: Genesis augmentation did NOT help this classifier on held-out real rows "
            "(published benchmarks find this common for gradient boosting); "
            + (
                f"SMOTE-NC did here ({key} {smote[key] - base[key]:+.3f})."
                if smote_helps
                else "neither did SMOTE-NC: train on the real rows, with class weights or a "
                "tuned threshold, instead."
            )
        )
    return " ".join(lines), helps
