"""What a drift detection found: per column and for the whole table."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from genesis.jsonsafe import json_safe


@dataclass(frozen=True)
class ColumnDrift:
    """The drift verdict of one column.

    Attributes:
        column: the column's name.
        kind: ``"numeric"``, ``"categorical"`` or ``"datetime"`` (compared as epoch seconds).
        test: the test applied (see :data:`genesis.drift.statistics.TESTS`), or ``"none"``
            when a table had no value to compare (an all-missing column).
        value: the test's p-value (``ks``, ``chisquare``, ``z``) or distance (the others).
        value_type: ``"p_value"`` or ``"distance"``.
        threshold: the level ``value`` is compared with.
        statistic: the test statistic behind a p-value (KS D, chi-squared, z); None for
            distances.
        distribution_drift: whether the test found drift (Evidently's per-column flag).
        missing_share_baseline, missing_share_current: shares of missing values.
        missing_p_value: two-proportion z-test p-value of the missing shares.
        missing_drift: whether the missing rate moved (see ``DriftDetector``).
        drifted: ``distribution_drift or missing_drift``.
        n_baseline, n_current: non-missing values compared.
        unseen_categories: up to 20 current values the baseline never had (categorical).
        psi_level: ``"none"``/``"moderate"``/``"significant"`` when the test is ``psi``.
        compared_by: ``"values"``, or ``"format"`` for a personal-data column (kind
            ``"pii"``), compared by the format of its values and its null rate only.
    """

    column: str
    kind: str
    test: str
    value: float
    value_type: str
    threshold: float
    statistic: float | None
    distribution_drift: bool
    missing_share_baseline: float
    missing_share_current: float
    missing_p_value: float
    missing_drift: bool
    drifted: bool
    n_baseline: int
    n_current: int
    unseen_categories: list[Any] = field(default_factory=list)
    psi_level: str | None = None
    compared_by: str = "values"


@dataclass(frozen=True)
class DriftReport:
    """Per-column drift and the dataset verdict of :meth:`DriftDetector.detect`.

    Attributes:
        columns: one :class:`ColumnDrift` per compared column, in the baseline's order.
        drift_share: the share of drifted columns at which the dataset drifts.
        missing_columns: baseline columns absent from the current table (each counts as a
            drifted column).
        new_columns: current columns absent from the baseline (not compared).
        baseline_rows, current_rows: table sizes.
        excluded_columns: columns left out on purpose (identifiers and free text when a
            schema is given), with the reason.
    """

    columns: list[ColumnDrift]
    drift_share: float
    missing_columns: list[str]
    new_columns: list[str]
    baseline_rows: int
    current_rows: int
    excluded_columns: dict[str, str] = field(default_factory=dict)

    @property
    def number_of_columns(self) -> int:
        """Columns judged: compared ones plus those missing from the current table."""
        return len(self.columns) + len(self.missing_columns)

    @property
    def drifted_columns(self) -> list[str]:
        """Names of the drifted columns (distribution or missing rate), then missing ones."""
        return [c.column for c in self.columns if c.drifted] + list(self.missing_columns)

    @property
    def share(self) -> float:
        """Share of judged columns that drifted."""
        total = self.number_of_columns
        return len(self.drifted_columns) / total if total else 0.0

    @property
    def dataset_drift(self) -> bool:
        """Whether ``share >= drift_share`` (Evidently's rule)."""
        return self.number_of_columns > 0 and self.share >= self.drift_share

    def __getitem__(self, column: str) -> ColumnDrift:
        for c in self.columns:
            if c.column == column:
                return c
        raise KeyError(f"no column {column!r} in this drift report; it has {self._names()}")

    def _names(self) -> list[str]:
        return [c.column for c in self.columns]

    def to_frame(self) -> pd.DataFrame:
        """One row per compared column (all :class:`ColumnDrift` fields)."""
        rows = [asdict(c) for c in self.columns]
        return pd.DataFrame(rows, columns=list(ColumnDrift.__dataclass_fields__))

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready values (non-finite numbers become None)."""
        return json_safe(
            {
                "dataset_drift": self.dataset_drift,
                "share": self.share,
                "drift_share": self.drift_share,
                "number_of_columns": self.number_of_columns,
                "drifted_columns": self.drifted_columns,
                "missing_columns": list(self.missing_columns),
                "new_columns": list(self.new_columns),
                "baseline_rows": self.baseline_rows,
                "current_rows": self.current_rows,
                "excluded_columns": dict(self.excluded_columns),
                "format_columns": self.format_columns,
                "columns": [asdict(c) for c in self.columns],
            }
        )

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, default=str)

    @property
    def format_columns(self) -> list[str]:
        """Personal-data columns compared by the format of their values, not their values."""
        return [c.column for c in self.columns if c.compared_by == "format"]

    def rows(self) -> list[dict[str, str]]:
        """The per-column table as display text, one dict per column, no cell left empty:
        what cannot be given says ``n/a`` and why."""
        rows = [_row(c) for c in self.columns]
        for name in self.missing_columns:
            absent = "n/a (column missing from the current table)"
            rows.append(
                {
                    "column": name,
                    "kind": "n/a (not in the current table)",
                    "test": "none",
                    "value": absent,
                    "threshold": "n/a (nothing compared)",
                    "distribution_drift": absent,
                    "missing": absent,
                    "unseen": "n/a (nothing compared)",
                    "drifted": "yes",
                }
            )
        return rows

    def to_markdown(self) -> str:
        """The per-column table as markdown (every cell filled; see :meth:`rows`)."""
        lines = [
            "| column | kind | test | value | threshold | distribution drift | missing baseline "
            "-> current | drifted |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in self.rows():
            drifted = "**yes**" if r["drifted"] == "yes" else r["drifted"]
            cells = [r[k] for k in _MARKDOWN_FIELDS] + [drifted]
            lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
        for note in self.notes():
            lines.append("")
            lines.append(note)
        return "\n".join(lines)

    def notes(self) -> list[str]:
        """Sentences that explain how some columns were compared, or why they were not."""
        notes = []
        if self.format_columns:
            notes.append(
                f"Personal-data columns ({', '.join(self.format_columns)}) are replaced by "
                "fakes in synthetic data: they are compared by the format of their values "
                "(runs of capitals, letters, digits, punctuation) and their null rate, not by "
                "their values."
            )
        if self.excluded_columns:
            notes.append(
                "Not compared: "
                + "; ".join(f"{name} ({why})" for name, why in self.excluded_columns.items())
                + "."
            )
        return notes

    def to_html(self, title: str = "Genesis drift report") -> str:
        """A self-contained HTML page (no scripts, no external files) of the report."""
        from genesis.templates import render

        return render(
            "genesis.drift", "drift_report.html.j2", report=self, title=title, rows=self.rows()
        )

    def summary(self) -> str:
        """One line: verdict, share and drifted columns."""
        verdict = "dataset drift" if self.dataset_drift else "no dataset drift"
        names = ", ".join(self.drifted_columns) or "none"
        return (
            f"{verdict}: drift share {self.share:.2f} (threshold {self.drift_share:g}), "
            f"drifted columns: {names}"
        )


_MARKDOWN_FIELDS = ("column", "kind", "test", "value", "threshold", "distribution_drift", "missing")


def _row(c: ColumnDrift) -> dict[str, str]:
    compared = c.test != "none"
    nothing = "n/a (no values to compare in one of the tables)"
    value = _fmt(c.value) if compared else nothing
    if compared and c.psi_level:
        value += f" ({c.psi_level})"
    missing = f"{c.missing_share_baseline:.1%} -> {c.missing_share_current:.1%}"
    if c.missing_drift:
        missing += " (drift)"
    listed = ", ".join(map(str, c.unseen_categories[:5]))
    if c.kind == "pii":
        unseen = f"new formats: {listed}" if listed else "none"
    elif listed or c.kind == "categorical":
        unseen = listed or "none"
    else:
        unseen = f"n/a ({c.kind} column)"
    return {
        "column": c.column,
        "kind": c.kind + (" (compared by format)" if c.compared_by == "format" else ""),
        "test": c.test,
        "value": value,
        "threshold": f"{c.threshold:g}" if compared else "n/a (no test run)",
        "distribution_drift": ("yes" if c.distribution_drift else "no") if compared else nothing,
        "missing": missing,
        "unseen": unseen,
        "drifted": "yes" if c.drifted else "no",
    }


def _fmt(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a (not computable)"
    return f"{value:.4g}"
