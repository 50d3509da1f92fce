"""Evidently's own HTML drift report for the same columns and tests as a ``DriftReport``.

Optional: needs the ``evidently`` package (0.7). Importing Evidently takes seconds, so it
happens only when :func:`evidently_html` is called.
"""

from __future__ import annotations

import warnings

import pandas as pd

from genesis.drift.columns import PII_KIND, value_format
from genesis.drift.report import DriftReport
from genesis.errors import InvalidParameterError, missing_dependency


def evidently_html(baseline: pd.DataFrame, current: pd.DataFrame, report: DriftReport) -> str:
    """Evidently's interactive data-drift page for the columns and tests of ``report``.

    Args:
        baseline, current: the tables ``report`` was computed from.
        report: the :class:`DriftReport` whose columns, kinds and tests Evidently repeats
            (datetime columns are passed as epoch seconds and personal-data columns as the
            formats of their values, as Genesis compares them).

    Returns:
        the HTML text (self-contained; Evidently inlines its scripts).
    """
    if not isinstance(report, DriftReport):
        raise InvalidParameterError(
            f"report must be the DriftReport of these tables, got {type(report).__name__}; "
            "pass DriftDetector().detect(baseline, current)"
        )
    try:
        from evidently.legacy.metrics import DataDriftTable
        from evidently.legacy.pipeline.column_mapping import ColumnMapping
        from evidently.legacy.report import Report
    except ImportError:
        raise missing_dependency("evidently", "Evidently's HTML drift report") from None
    compared = [c for c in report.columns if c.test != "none"]
    names = [c.column for c in compared]
    base, cur = baseline[names].copy(), current[names].copy()
    for c in compared:
        if c.compared_by == "format":  # personal data: its formats, never its values
            for frame in (base, cur):
                frame[c.column] = value_format(frame[c.column])
        if c.kind == "datetime":
            for frame in (base, cur):
                times = pd.to_datetime(frame[c.column], errors="coerce", utc=True)
                frame[c.column] = times.astype("int64").where(times.notna()) / 1e9
    mapping = ColumnMapping(
        numerical_features=[c.column for c in compared if c.kind in ("numeric", "datetime")],
        categorical_features=[c.column for c in compared if c.kind in ("categorical", PII_KIND)],
        target=None,
        prediction=None,
    )
    table = DataDriftTable(
        per_column_stattest={c.column: c.test for c in compared},
        per_column_stattest_threshold={c.column: c.threshold for c in compared},
    )
    evidently_report = Report(metrics=[table])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        evidently_report.run(reference_data=base, current_data=cur, column_mapping=mapping)
        return evidently_report.get_html()
