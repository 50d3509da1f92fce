"""Drift detection: has the real data moved away from what a model learned?

``DriftDetector().detect(baseline, current)`` tests every column with Evidently 0.7's
statistics and automatic test choice (KS, chi-squared, z-test, normed Wasserstein,
Jensen-Shannon, PSI on request) and returns a :class:`DriftReport`;
``DriftAwareGenerator`` refits a synthesizer when its data drifts; ``evidently_html``
renders Evidently's own page for the same columns and tests.
"""

from genesis.drift.aware import STRATEGIES, DriftAwareGenerator, DriftUpdate
from genesis.drift.detector import KINDS, SMALL_BASELINE_ROWS, DriftDetector
from genesis.drift.evidently import evidently_html
from genesis.drift.report import ColumnDrift, DriftReport
from genesis.drift.statistics import DEFAULT_THRESHOLDS, TESTS, psi_level

__all__ = [
    "DEFAULT_THRESHOLDS",
    "KINDS",
    "SMALL_BASELINE_ROWS",
    "STRATEGIES",
    "TESTS",
    "ColumnDrift",
    "DriftAwareGenerator",
    "DriftDetector",
    "DriftReport",
    "DriftUpdate",
    "evidently_html",
    "psi_level",
]
