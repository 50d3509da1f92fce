"""What a drift detection found: per column and for the whole table."""

from __future__ import annotations

import html
import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd


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
    """

    columns: list[ColumnDrift]
    drift_share: float
    missing_columns: list[str]
    new_columns: list[str]
    baseline_rows: int
    current_rows: int

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
        return _json_safe(
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
                "columns": [asdict(c) for c in self.columns],
            }
        )

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, default=str)

    def to_markdown(self) -> str:
        """The per-column table as markdown (column, kind, test, value, threshold, drift)."""
        lines = [
            "| column | kind | test | value | threshold | distribution drift | missing baseline "
            "-> current | drifted |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for c in self.columns:
            lines.append(
                f"| {c.column} | {c.kind} | {c.test} | {_fmt(c.value)} | {c.threshold:g} "
                f"| {'yes' if c.distribution_drift else ''} | {c.missing_share_baseline:.1%} -> "
                f"{c.missing_share_current:.1%} | {'**yes**' if c.drifted else ''} |"
            )
        for name in self.missing_columns:
            lines.append(f"| {name} | | missing from current | | | | | **yes** |")
        return "\n".join(lines)

    def to_html(self, title: str = "Genesis drift report") -> str:
        """A self-contained HTML page (no scripts, no external files) of the report."""
        verdict = "drift detected" if self.dataset_drift else "no dataset drift"
        rows = []
        for c in self.columns:
            extra = f" ({c.psi_level})" if c.psi_level else ""
            unseen = ", ".join(map(str, c.unseen_categories[:5]))
            rows.append(
                f"<tr class='{'drift' if c.drifted else ''}'><td>{_e(c.column)}</td>"
                f"<td>{c.kind}</td><td>{c.test}</td><td>{_fmt(c.value)}{extra}</td>"
                f"<td>{c.threshold:g}</td><td>{'yes' if c.distribution_drift else 'no'}</td>"
                f"<td>{c.missing_share_baseline:.1%} &rarr; {c.missing_share_current:.1%}"
                f"{' (drift)' if c.missing_drift else ''}</td><td>{_e(unseen)}</td>"
                f"<td>{'yes' if c.drifted else 'no'}</td></tr>"
            )
        for name in self.missing_columns:
            rows.append(
                f"<tr class='drift'><td>{_e(name)}</td><td colspan='7'>missing from the "
                "current table</td><td>yes</td></tr>"
            )
        return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: 4px 8px; }}
th {{ background: #f3f3f3; }} tr.drift td {{ background: #fde8e8; }}
.verdict {{ font-size: 1.3em; }}
</style></head><body>
<h1>{_e(title)}</h1>
<p class="verdict" id="verdict"><b>{verdict}</b>: {len(self.drifted_columns)} of
{self.number_of_columns} columns drifted (share {self.share:.2f}; dataset drift at
&ge; {self.drift_share:g}).</p>
<p>Baseline {self.baseline_rows:,} rows, current {self.current_rows:,} rows.
New columns not compared: {_e(", ".join(self.new_columns) or "none")}.</p>
<table id="columns"><thead><tr><th>column</th><th>kind</th><th>test</th><th>value</th>
<th>threshold</th><th>distribution drift</th><th>missing baseline &rarr; current</th>
<th>unseen categories</th><th>drifted</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
</body></html>
"""

    def summary(self) -> str:
        """One line: verdict, share and drifted columns."""
        verdict = "dataset drift" if self.dataset_drift else "no dataset drift"
        names = ", ".join(self.drifted_columns) or "none"
        return (
            f"{verdict}: drift share {self.share:.2f} (threshold {self.drift_share:g}), "
            f"drifted columns: {names}"
        )


def _e(text: Any) -> str:
    return html.escape(str(text))


def _fmt(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.4g}"


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if hasattr(value, "item") and not isinstance(value, (int, float)):
        value = value.item()  # numpy scalars
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, int):
        return value
    return str(value)
