"""The result of a quality evaluation: plain figures, two detail tables, JSON export."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from numbers import Real
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import DataWriteError, InvalidParameterError
from genesis.jsonsafe import finite, json_safe

#: the figures a person reads first (the UI's metadata, the dashboard), in display order
HEADLINE_SCORES = (
    "overall_score",
    "quality_score",
    "column_shapes",
    "column_pair_trends",
    "missing_similarity",
    "detection_auc",
    "detection_score",
    "exact_copy_share",
    "dcr_ratio",
)

_SCALARS = (*HEADLINE_SCORES[:-1], "dcr_synthetic", "dcr_holdout", "dcr_ratio")

#: a column whose own detection AUC is above this gives the synthetic table away: alone it
#: tells synthetic rows from real ones (0.5: it cannot; cross-fitting reads noise up to ~0.53)
GIVEAWAY_AUC = 0.6


@dataclass(repr=False)
class QualityReport:
    """Figures comparing a synthetic table with the real one it imitates.

    Scores lie in [0, 1], higher is better, unless said otherwise; NaN means "not computable"
    (e.g. no column of the needed kind).

    Attributes:
        overall_score: mean of ``quality_score``, ``detection_score`` and, when a target was
            given, the ML-utility ratio clipped to [0, 1] (see :class:`QualityEvaluator`).
        quality_score: mean of ``column_shapes`` and ``column_pair_trends``, as SDMetrics'
            QualityReport scores.
        column_shapes: mean per-column KS / TV complement.
        column_pair_trends: mean correlation / contingency similarity of the column pairs
            whose real data shows a trend (``pair_details.meets_threshold``), as SDMetrics 0.32.
        missing_similarity: mean over columns of ``1 - |null share difference|``.
        detection_auc: cross-validated ROC AUC of a real-vs-synthetic classifier (0.5 = cannot
            tell them apart; lower is better).
        detection_score: ``1 - 2 * max(detection_auc - 0.5, 0)``.
        exact_copy_share: share of synthetic rows equal to a training row (lower is better).
        dcr_synthetic: median distance from a synthetic row to its closest training row.
        dcr_holdout: the same for holdout rows (``None`` without a holdout).
        dcr_ratio: ``dcr_synthetic / dcr_holdout``; well below 1 flags memorisation.
        ml_utility: TSTR vs TRTR scores (empty without a target): ``task``, ``target``,
            ``metric``, ``metrics``, ``tstr``, ``trtr``, ``ratio``, ``difference``, ``scores``
            (every metric's tstr/trtr), ``test_set``, ``n_train_real``, ``n_train_synthetic``,
            ``n_test``.
        column_details: one row per column: ``column``, ``kind``, ``metric``, ``score``,
            ``real_null_share``, ``synthetic_null_share``, ``detection_auc`` (how well that
            column alone tells real from synthetic rows: which columns give the table away;
            NaN for columns no value-based metric looks at).
        pair_details: one row per column pair: ``column_1``, ``column_2``, ``metric``,
            ``score``, ``real_correlation``, ``synthetic_correlation``, ``real_association``
            (Cramér's V), ``meets_threshold`` (whether it counts in ``column_pair_trends``).
        n_real, n_synthetic, n_holdout: rows evaluated (after ``max_rows`` subsampling).
        target: the ML-utility target column, if any.
        seconds: wall-clock seconds spent per part of the evaluation.
        format_scored_columns: columns replaced by fakes (PII, free text), scored by format
            and null rate instead of their values.
        notes: plain sentences on columns scored differently (fakes, infinite values).
    """

    overall_score: float
    quality_score: float
    column_shapes: float
    column_pair_trends: float
    missing_similarity: float
    detection_auc: float
    detection_score: float
    exact_copy_share: float
    dcr_synthetic: float
    dcr_holdout: float | None
    dcr_ratio: float | None
    ml_utility: dict[str, Any]
    column_details: pd.DataFrame
    pair_details: pd.DataFrame
    n_real: int
    n_synthetic: int
    n_holdout: int | None = None
    target: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    format_scored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Every figure, both detail tables and ``giveaway_columns`` (the columns whose own
        detection AUC is above :data:`GIVEAWAY_AUC`) as plain JSON-safe values (NaN becomes
        None)."""
        out: dict[str, Any] = {name: getattr(self, name) for name in _SCALARS}
        out.update(
            n_real=self.n_real,
            n_synthetic=self.n_synthetic,
            n_holdout=self.n_holdout,
            target=self.target,
            ml_utility=self.ml_utility,
            column_details=self.column_details.to_dict(orient="records"),
            giveaway_columns=self.giveaway_columns(),
            pair_details=self.pair_details.to_dict(orient="records"),
            seconds=self.seconds,
            format_scored_columns=self.format_scored_columns,
            notes=self.notes,
        )
        return json_safe(out)

    def to_json(self, path: str | Path | None = None, indent: int | None = 2) -> str:
        """The report as a JSON document; also written to ``path`` when one is given."""
        text = json.dumps(self.to_dict(), indent=indent, allow_nan=False)
        if path is not None:
            try:
                Path(path).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise DataWriteError(
                    f"could not write the quality report to {str(path)!r}: {exc}; "
                    "check that the folder exists and is writable"
                ) from exc
        return text

    def giveaway_columns(self, threshold: float = GIVEAWAY_AUC) -> list[str]:
        """Columns whose own detection AUC exceeds ``threshold``, most revealing first."""
        return giveaway_table(self.column_details, threshold)["column"].tolist()

    def giveaways(self, threshold: float = GIVEAWAY_AUC) -> pd.DataFrame:
        """The giveaway columns with their detection AUC and shape score (see
        :func:`giveaway_table`)."""
        return giveaway_table(self.column_details, threshold)

    def giveaway_text(self, threshold: float = GIVEAWAY_AUC) -> str:
        """One sentence naming the columns that give the synthetic table away, or saying that
        none does (see :func:`giveaway_sentence`)."""
        return giveaway_sentence(self.column_details, threshold)

    def __repr__(self) -> str:
        return (
            f"QualityReport(overall_score={_fmt(self.overall_score)}, "
            f"quality_score={_fmt(self.quality_score)}, "
            f"column_shapes={_fmt(self.column_shapes)}, "
            f"column_pair_trends={_fmt(self.column_pair_trends)}, "
            f"detection_auc={_fmt(self.detection_auc)}, "
            f"exact_copy_share={_fmt(self.exact_copy_share)}, "
            f"ml_utility_ratio={_fmt(self.ml_utility.get('ratio'))}, "
            f"giveaway_columns={self.giveaway_columns()!r})"
        )


def _details_frame(column_details: Any) -> pd.DataFrame:
    if column_details is None:
        return pd.DataFrame()
    if isinstance(column_details, pd.DataFrame):
        return column_details
    if isinstance(column_details, list | tuple) and all(
        isinstance(r, dict) for r in column_details
    ):
        return pd.DataFrame(list(column_details))
    raise InvalidParameterError(
        "column_details must be the quality report's column_details (a DataFrame, or its "
        f"to_dict() records), got {type(column_details).__name__}"
    )


def _check_threshold(threshold: Any) -> float:
    value = finite(threshold) if isinstance(threshold, Real) else None
    if value is None or isinstance(threshold, bool) or not 0.5 <= value < 1.0:
        raise InvalidParameterError(
            f"the giveaway threshold must be a detection AUC in [0.5, 1), got {threshold!r}; "
            f"e.g. {GIVEAWAY_AUC}"
        )
    return value


def detection_measured(column_details: Any) -> bool:
    """Whether ``column_details`` holds at least one per-column detection AUC (reports
    stored before per-column detection existed hold none)."""
    details = _details_frame(column_details)
    return "detection_auc" in details and bool(details["detection_auc"].notna().any())


def giveaway_table(column_details: Any, threshold: float = GIVEAWAY_AUC) -> pd.DataFrame:
    """The columns whose own detection AUC exceeds ``threshold``, most revealing first.

    Args:
        column_details: :attr:`QualityReport.column_details`, or its records as in
            ``QualityReport.to_dict()["column_details"]`` (a stored report).
        threshold: the detection AUC above which a column gives the table away, in [0.5, 1).

    Returns:
        ``column``, ``detection_auc`` (that column alone), ``score`` (its real-vs-synthetic
        shape score, NaN when not scored) and ``metric`` (how the shape was scored).
    """
    threshold = _check_threshold(threshold)
    details = _details_frame(column_details)
    out = pd.DataFrame(
        {
            "column": details.get("column", pd.Series(dtype=object)),
            "detection_auc": pd.to_numeric(
                details.get("detection_auc", pd.Series(np.nan, index=details.index)),
                errors="coerce",
            ),
            "score": pd.to_numeric(
                details.get("score", pd.Series(np.nan, index=details.index)), errors="coerce"
            ),
            "metric": details.get("metric", pd.Series(None, index=details.index, dtype=object)),
        }
    )
    out = out[out["detection_auc"] > threshold]
    return out.sort_values("detection_auc", ascending=False, kind="stable").reset_index(drop=True)


def giveaway_sentence(column_details: Any, threshold: float = GIVEAWAY_AUC) -> str:
    """A plain sentence naming the columns that give the synthetic table away, each with its
    detection AUC and shape score; or that none does; or that it was not measured."""
    table = giveaway_table(column_details, threshold)
    bound = f"{_check_threshold(threshold):g}"
    if not detection_measured(column_details):
        return (
            "Per-column detection was not measured in this report; evaluate the tables again "
            "to see which columns give the synthetic table away."
        )
    if table.empty:
        return (
            "No column gives the synthetic table away on its own: every column's detection "
            f"AUC is at most {bound} (0.5 = indistinguishable)."
        )
    parts = []
    for column, auc, score in zip(
        table["column"], table["detection_auc"], table["score"], strict=True
    ):
        shape = "n/a" if np.isnan(score) else f"{score:.2f}"
        parts.append(f"{column} (detection AUC {auc:.2f}, shape score {shape})")
    subject = (
        "1 column gives the synthetic table away on its own"
        if len(parts) == 1
        else f"{len(parts)} columns give the synthetic table away on their own"
    )
    return f"{subject} (detection AUC above {bound}; 0.5 = indistinguishable): {', '.join(parts)}."


def _fmt(value: float | None) -> str:
    return "None" if value is None else f"{value:.4f}"
