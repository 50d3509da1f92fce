"""QualityEvaluator: fidelity, detectability, privacy sanity and ML utility in one pass."""

from __future__ import annotations

import time
from numbers import Integral

import numpy as np
import pandas as pd

from genesis.errors import InvalidDataError, InvalidParameterError, SchemaError
from genesis.quality._prepare import EXCLUDED_KINDS, prepare_tables
from genesis.quality.detection import column_detection_aucs, detection_auc, subsample_index
from genesis.quality.pii import is_replaced
from genesis.quality.privacy import distance_to_closest_record, exact_copy_share
from genesis.quality.report import QualityReport
from genesis.quality.statistical import (
    REAL_ASSOCIATION_THRESHOLD,
    REAL_CORRELATION_THRESHOLD,
    column_pair_trends,
    column_shapes,
    missing_similarity,
    pair_trends_score,
)
from genesis.quality.utility import ml_utility
from genesis.schema.types import ColumnKind, Schema
from genesis.validation import validate_frame


class QualityEvaluator:
    """Score a synthetic table against the real table its generator was trained on.

    Args:
        real: the real rows the generator was trained on.
        synthetic: the generated rows, with the same columns as ``real``.
        target: a column to predict for the ML-utility test (train on synthetic, test on real);
            categorical or boolean means classification, numeric means regression.
        holdout: real rows the generator never saw, same columns. When given, it is the test
            set for ML utility and the baseline of the distance-to-closest-record check; without
            it ML utility tests on a seeded 20% split of ``real`` (which the generator did see,
            so a holdout gives the more honest figure).
        schema: the column kinds to use; inferred from ``real`` with
            :func:`genesis.schema.infer_schema` when not given.
        seed: seed of every random step (subsampling, cross-validation folds, models).
        max_rows: when set, ``real``, ``synthetic`` and ``holdout`` are each subsampled to at
            most this many rows (seeded) before anything is computed.
        real_correlation_threshold, real_association_threshold: a column pair counts towards
            ``column_pair_trends`` only when the real data shows a trend: ``|Pearson rho|``
            above the first (two numeric columns) or Cramér's V above the second (any other
            pair). The defaults, 0.5 and 0.3, are SDMetrics 0.32's QualityReport defaults; 0
            and 0 average over every pair, as SDMetrics versions before 0.32 did.

    ``evaluate()`` computes, following SDMetrics' definitions so the figures compare with its
    QualityReport:

    * ``column_shapes``: mean KS complement (numeric, datetime) / TV complement (categorical,
      boolean) per column; ``column_pair_trends``: mean correlation similarity (two numeric
      columns) / contingency similarity (any other pair); ``quality_score``: their mean;
    * ``missing_similarity``; ``detection_auc`` and ``detection_score``; ``exact_copy_share``
      and the distances to closest record; ``ml_utility`` when a ``target`` is given.

    ``overall_score`` is the unweighted mean of ``quality_score``, ``detection_score`` and,
    when a target is given, the ML-utility ratio (TSTR / TRTR of the main metric) clipped to
    [0, 1]. Fidelity, indistinguishability and usefulness count equally because each catches
    failures the others miss: good marginals with broken joints fool the first but not the
    second, and a table can look realistic yet lose the signal a model needs. Privacy figures
    are reported beside it, not folded in: they are verdicts, not quality.

    Identifier columns are left out of every metric except the null shares. Columns the
    generator replaces with fakes (flagged ``pii`` in the schema, free text, URLs, postal
    codes) are scored by their format and null rate, not their values
    (:mod:`genesis.quality.pii`), and left out of every value-based metric; the report lists
    them in ``format_scored_columns``. Infinite values are point masses beyond the finite
    range (see :mod:`genesis.quality._prepare`); a column with no value at all is scored by its
    null rate.

    Example:
        >>> report = QualityEvaluator(train, synthetic, target="income", holdout=test).evaluate()
        >>> report.quality_score, report.detection_auc, report.ml_utility["tstr"]
    """

    def __init__(
        self,
        real: pd.DataFrame,
        synthetic: pd.DataFrame,
        *,
        target: str | None = None,
        holdout: pd.DataFrame | None = None,
        schema: Schema | None = None,
        seed: int = 0,
        max_rows: int | None = None,
        real_correlation_threshold: float = REAL_CORRELATION_THRESHOLD,
        real_association_threshold: float = REAL_ASSOCIATION_THRESHOLD,
    ) -> None:
        self.real = real
        self.synthetic = synthetic
        self.target = target
        self.holdout = holdout
        self.schema = schema
        self.seed = seed
        self.max_rows = max_rows
        self.real_correlation_threshold = real_correlation_threshold
        self.real_association_threshold = real_association_threshold

    def evaluate(self) -> QualityReport:
        """Compute every figure and return them as a :class:`QualityReport`.

        On machines with at most 4 cores, OpenMP and BLAS run single-threaded meanwhile:
        gradient boosting's threads spin-wait, and on a small shared machine two of them ran
        several times slower than one.
        """
        from threadpoolctl import threadpool_limits

        from genesis.threads import small_machine_threads

        with threadpool_limits(limits=small_machine_threads()):
            return self._evaluate()

    def _evaluate(self) -> QualityReport:
        seconds: dict[str, float] = {}
        started = time.perf_counter()
        real, synthetic, holdout, schema = self._validated()
        rng = np.random.default_rng(self.seed)
        tables = {"real": real, "synthetic": synthetic}
        if holdout is not None:
            tables["holdout"] = holdout
        if self.max_rows is not None:
            tables = {
                name: df.iloc[subsample_index(len(df), self.max_rows, rng)]
                for name, df in tables.items()
            }
        prepared = prepare_tables(tables, schema)
        seconds["prepare"] = time.perf_counter() - started

        tick = time.perf_counter()
        kinds = {c.name: c.kind.value for c in schema}
        column_details = column_shapes(prepared, kinds)
        pair_details = column_pair_trends(
            prepared, self.real_correlation_threshold, self.real_association_threshold
        )
        shapes = _nanmean(column_details["score"])
        trends = pair_trends_score(pair_details)
        quality = _nanmean(pd.Series([shapes, trends]))
        missing = missing_similarity(prepared)
        seconds["statistical"] = time.perf_counter() - tick

        tick = time.perf_counter()
        auc = detection_auc(prepared, self.seed)
        column_details["detection_auc"] = column_details["column"].map(
            column_detection_aucs(prepared, self.seed)
        )
        detection_score = 1.0 - 2.0 * max(auc - 0.5, 0.0) if not np.isnan(auc) else float("nan")
        seconds["detection"] = time.perf_counter() - tick

        tick = time.perf_counter()
        copies = exact_copy_share(prepared)
        dcr_synth, dcr_holdout, dcr_ratio = distance_to_closest_record(prepared, self.seed)
        seconds["privacy"] = time.perf_counter() - tick

        utility: dict = {}
        if self.target is not None:
            tick = time.perf_counter()
            utility = ml_utility(prepared, self.target, self.seed)
            seconds["ml_utility"] = time.perf_counter() - tick

        parts = [quality, detection_score]
        if utility:
            parts.append(float(np.clip(utility["ratio"], 0.0, 1.0)))
        overall = _nanmean(pd.Series(parts))
        seconds["total"] = time.perf_counter() - started
        return QualityReport(
            overall_score=overall,
            quality_score=quality,
            column_shapes=shapes,
            column_pair_trends=trends,
            missing_similarity=missing,
            detection_auc=auc,
            detection_score=detection_score,
            exact_copy_share=copies,
            dcr_synthetic=dcr_synth,
            dcr_holdout=dcr_holdout,
            dcr_ratio=dcr_ratio,
            ml_utility=utility,
            column_details=column_details,
            pair_details=pair_details,
            n_real=len(tables["real"]),
            n_synthetic=len(tables["synthetic"]),
            n_holdout=len(tables["holdout"]) if "holdout" in tables else None,
            target=self.target,
            format_scored_columns=list(prepared.formatted),
            notes=_notes(prepared),
            seconds={k: round(v, 4) for k, v in seconds.items()},
        )

    # -- validation -----------------------------------------------------------------------
    def _validated(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None, Schema]:
        if not isinstance(self.seed, Integral) or isinstance(self.seed, bool):
            raise InvalidParameterError(f"seed must be an integer, got {self.seed!r}")
        if self.max_rows is not None and (
            not isinstance(self.max_rows, Integral)
            or isinstance(self.max_rows, bool)
            or self.max_rows < 10
        ):
            raise InvalidParameterError(
                f"max_rows must be an integer of at least 10, or None for all rows; "
                f"got {self.max_rows!r}"
            )
        for name in ("real_correlation_threshold", "real_association_threshold"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
                raise InvalidParameterError(
                    f"{name} must be a number in [0, 1), got {value!r}; "
                    "0 makes every column pair count"
                )
        real = _check_frame(self.real, "real")
        synthetic = _check_same_columns(
            _check_frame(self.synthetic, "synthetic"), real, "synthetic"
        )
        holdout = None
        if self.holdout is not None:
            holdout = _check_same_columns(_check_frame(self.holdout, "holdout"), real, "holdout")
        schema = self._schema(real)
        if self.target is not None:
            if self.target not in real.columns:
                raise InvalidParameterError(
                    f"target {self.target!r} is not a column of the data; "
                    f"choose one of {list(real.columns)} or pass target=None"
                )
            kind = schema[self.target].kind
            if is_replaced(schema[self.target]):
                raise InvalidParameterError(
                    f"target {self.target!r} is replaced by fakes in the synthetic data (PII or "
                    "free text), so it cannot be predicted; choose another column"
                )
            if kind in EXCLUDED_KINDS or kind is ColumnKind.DATETIME:
                raise InvalidParameterError(
                    f"target {self.target!r} is a {kind.value} column, which cannot be predicted; "
                    "choose a categorical, boolean or numeric column"
                )
        return real, synthetic, holdout, schema

    def _schema(self, real: pd.DataFrame) -> Schema:
        if self.schema is None:
            from genesis.schema import infer_schema

            return infer_schema(real, seed=self.seed)
        if not isinstance(self.schema, Schema):
            raise InvalidParameterError(
                f"schema must be a genesis.schema.Schema, got {type(self.schema).__name__}; "
                "build one with genesis.schema.infer_schema(real) or pass schema=None"
            )
        missing = [c for c in real.columns if c not in self.schema]
        extra = [c for c in self.schema.names if c not in real.columns]
        if missing or extra:
            raise SchemaError(
                f"the schema does not match the data: columns missing from the schema {missing}, "
                f"schema columns absent from the data {extra}; infer it from this data with "
                "genesis.schema.infer_schema(real)"
            )
        return Schema([self.schema[c] for c in real.columns], n_rows=self.schema.n_rows)


def _nanmean(values: pd.Series) -> float:
    values = pd.to_numeric(values, errors="coerce").dropna()
    return float(values.mean()) if len(values) else float("nan")


def _check_frame(df: object, name: str) -> pd.DataFrame:
    return validate_frame(df, name).reset_index(drop=True)


def _notes(prepared) -> list[str]:
    """Plain sentences on columns scored differently from their kind."""
    notes = [
        f"{name}: replaced by fakes in the synthetic data, scored by format and null rate"
        for name in prepared.formatted
    ]
    for table, shares in prepared.infinite_shares.items():
        notes += [
            f"{name}: {share:.2%} infinite values in {table}, scored as point masses"
            for name, share in shares.items()
        ]
    return notes


def _check_same_columns(df: pd.DataFrame, real: pd.DataFrame, name: str) -> pd.DataFrame:
    missing = [c for c in real.columns if c not in df.columns]
    extra = [c for c in df.columns if c not in real.columns]
    if missing or extra:
        raise InvalidDataError(
            f"{name} does not have the columns of real: missing {missing}, extra {extra}; "
            f"select the real table's columns, e.g. {name}[real.columns]"
        )
    return df[list(real.columns)]
