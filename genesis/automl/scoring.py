"""How AutoML scores a candidate: fidelity and detectability on unseen rows, and privacy.

A candidate's score weighs a fidelity part and a privacy part by the ``scoring`` mode.
Fidelity is the mean of the SDMetrics-style quality score and the detection score
``1 - 2 * max(detection_auc - 0.5, 0)``, so of two equally faithful methods the one a
classifier tells apart from real rows less easily wins.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from genesis.schema.types import Schema

#: how a candidate's score is made of fidelity (quality + detectability) and privacy (DCR)
SCORINGS = ("quality", "privacy", "balanced")
_WEIGHTS = {"quality": (1.0, 0.0), "privacy": (0.3, 0.7), "balanced": (0.5, 0.5)}


def detection_score(auc: float) -> float:
    """1 when a classifier cannot tell synthetic from real rows (AUC 0.5), 0 when it always can."""
    return 1.0 - 2.0 * max(float(auc) - 0.5, 0.0)


def fidelity(scores: dict[str, float]) -> float:
    """Mean of ``quality_score`` and the detection score of ``detection_auc`` (the
    ``overall_score`` when either is unknown)."""
    quality, auc = scores.get("quality_score"), scores.get("detection_auc")
    if quality is None or auc is None or not (np.isfinite(quality) and np.isfinite(auc)):
        return float(scores.get("overall_score", 0.0))
    return 0.5 * float(quality) + 0.5 * detection_score(auc)


def candidate_score(scores: dict[str, float], scoring: str) -> float:
    """A candidate's score in [0, 1] under ``scoring`` (one of :data:`SCORINGS`)."""
    quality_weight, privacy_weight = _WEIGHTS[scoring]
    privacy = scores.get("privacy_score", 0.0)
    privacy = float(privacy) if privacy is not None and np.isfinite(privacy) else 0.0
    return round(quality_weight * fidelity(scores) + privacy_weight * privacy, 4)


def score_candidate(
    reference: pd.DataFrame,
    validation: pd.DataFrame,
    synthetic: pd.DataFrame,
    schema: Schema,
    seed: int,
) -> dict[str, float]:
    """Quality of ``synthetic`` against unseen ``validation`` rows, privacy against the
    ``reference`` training rows.

    Returns ``overall_score`` and ``quality_score`` / ``detection_auc`` from
    :class:`~genesis.quality.QualityEvaluator`; ``dcr_ratio`` (median distance of synthetic
    rows to their closest training row over the same for validation rows),
    ``exact_copy_share`` and ``privacy_score`` = min(1, dcr_ratio) x (1 - copies beyond the
    share of validation rows that equal a training row).
    """
    from genesis.quality import QualityEvaluator
    from genesis.quality._prepare import prepare_tables
    from genesis.quality.privacy import distance_to_closest_record

    report = QualityEvaluator(validation, synthetic, schema=schema, seed=seed).evaluate()
    prepared = prepare_tables(
        {"real": reference, "synthetic": synthetic, "holdout": validation}, schema
    )
    if prepared.modelled:
        real_hashes = prepared.row_hashes("real")
        copies = float(np.isin(prepared.row_hashes("synthetic"), real_hashes).mean())
        baseline = float(np.isin(prepared.row_hashes("holdout"), real_hashes).mean())
        _, _, ratio = distance_to_closest_record(prepared, seed)
    else:
        copies, baseline, ratio = 0.0, 0.0, float("nan")
    ratio_part = 1.0 if ratio is None or not np.isfinite(ratio) else min(float(ratio), 1.0)
    privacy = ratio_part * (1.0 - max(copies - baseline, 0.0))

    def number(value: float) -> float:
        return round(float(value), 4) if value is not None and np.isfinite(value) else float("nan")

    overall = report.overall_score if np.isfinite(report.overall_score) else 0.0
    return {
        "overall_score": number(overall),
        "quality_score": number(report.quality_score),
        "detection_auc": number(report.detection_auc),
        "privacy_score": number(privacy),
        "dcr_ratio": number(ratio) if ratio is not None else float("nan"),
        "exact_copy_share": number(copies),
    }
