"""The dashboard's Scenarios section: one summary per named scenario (rows generated under
conditions, e.g. ``genesis.yaml``'s ``scenarios``), built by :func:`scenario_summary` and
passed as ``QualityDashboard(..., scenarios=[...])``.

A summary holds figures only, never rows: the rows asked and returned, the share of them
meeting the conditions, how many real rows meet them (below the dashboard's small-cell
size the count is not given), and the fidelity of the other columns: the column-shapes
score (:func:`genesis.quality.statistical.column_shapes`, SDMetrics' definition) of the
scenario's rows against the real rows that meet the same conditions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import InvalidParameterError
from genesis.jsonsafe import finite, json_safe
from genesis.schema.types import Schema
from genesis.validation import require_frame

#: fewest real rows meeting a scenario's conditions for the fidelity of its other columns to
#: be measured (fewer make the shapes score mostly noise)
MIN_MATCHING_ROWS = 50

#: keys every summary carries (see :func:`scenario_summary`)
SUMMARY_KEYS = (
    "name",
    "conditions",
    "rows_asked",
    "rows_returned",
    "satisfaction_share",
    "real_matching",
    "fidelity",
    "fidelity_columns",
    "fidelity_note",
)


def scenario_summary(
    name: str,
    conditions: Any,
    rows: pd.DataFrame,
    real_data: pd.DataFrame,
    *,
    rows_asked: int | None = None,
    schema: Schema | None = None,
    min_matching_rows: int = MIN_MATCHING_ROWS,
) -> dict[str, Any]:
    """The figures of one scenario for the dashboard (a JSON-safe dict, no rows).

    Args:
        name: the scenario's name.
        conditions: its conditions: a ``Condition``, a ``ConditionSet`` or the dict format
            of :mod:`genesis.generators.conditional`.
        rows: the rows generated for it.
        real_data: the real training rows (the fidelity reference).
        rows_asked: the rows requested (``len(rows)`` when not given).
        schema: column kinds; inferred from ``real_data`` when not given.
        min_matching_rows: fewest real rows meeting the conditions for the fidelity to be
            measured (default :data:`MIN_MATCHING_ROWS`).

    Returns:
        ``name``, ``conditions`` (text), ``rows_asked``, ``rows_returned``,
        ``satisfaction_share`` (share of ``rows`` meeting every condition), ``real_matching``
        (real rows meeting them; None when fewer than the dashboard's small-cell size),
        ``fidelity`` (mean shapes score of the columns without a condition, or None),
        ``fidelity_columns`` (how many columns it averages) and ``fidelity_note`` (why it is
        None, else empty).

    Raises:
        InvalidParameterError: a bad name, row count or threshold, or no condition.
        InvalidDataError: ``rows`` or ``real_data`` is not a DataFrame.
        InvalidConditionError: ``conditions`` is not a valid condition, or names a column
            the tables lack (raised by the condition's ``mask``).
    """
    from genesis.dashboard.figures import MIN_CELL_ROWS
    from genesis.generators.conditional import as_condition_set

    if not isinstance(name, str) or not name.strip():
        raise InvalidParameterError(f"a scenario's name must be a non-empty string, got {name!r}")
    rows = require_frame(rows, f"scenario {name!r} rows")
    real_data = require_frame(real_data, "real_data")
    condition_set = as_condition_set(conditions)
    if condition_set is None:
        raise InvalidParameterError(
            f"scenario {name!r} has no condition; give its conditions, e.g. {{'age': ('>=', 50)}}"
        )
    asked = len(rows) if rows_asked is None else rows_asked
    if isinstance(asked, bool) or not isinstance(asked, int | np.integer) or asked < 0:
        raise InvalidParameterError(
            f"rows_asked must be an integer >= 0, got {rows_asked!r} (scenario {name!r})"
        )
    if (
        isinstance(min_matching_rows, bool)
        or not isinstance(min_matching_rows, int)
        or min_matching_rows < 1
    ):
        raise InvalidParameterError(
            f"min_matching_rows must be an integer >= 1, got {min_matching_rows!r}"
        )
    share = float(np.mean(condition_set.mask(rows))) if len(rows) else 0.0
    matching = real_data[np.asarray(condition_set.mask(real_data), dtype=bool)]
    conditioned = set(condition_set.columns)
    others = [c for c in real_data.columns if c not in conditioned and c in rows.columns]
    fidelity, note = None, ""
    if len(matching) < min_matching_rows:
        note = (
            f"n/a: fewer than {min_matching_rows} real rows meet the conditions, too few to "
            "compare the other columns with"
        )
    elif not len(rows):
        note = "n/a: the scenario has no rows"
    elif not others:
        note = "n/a: every column has a condition"
    else:
        fidelity = shapes_score(matching[others], rows[others], schema, real_data)
        if fidelity is None:
            note = "n/a: none of the other columns can be compared (identifiers or empty)"
    return json_safe(
        {
            "name": name,
            "conditions": str(condition_set),
            "rows_asked": int(asked),
            "rows_returned": len(rows),
            "satisfaction_share": share,
            "real_matching": len(matching) if len(matching) >= MIN_CELL_ROWS else None,
            "fidelity": fidelity,
            "fidelity_columns": len(others) if fidelity is not None else 0,
            "fidelity_note": note,
        }
    )


def shapes_score(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    schema: Schema | None = None,
    reference: pd.DataFrame | None = None,
) -> float | None:
    """Mean column-shapes score of ``synthetic`` against ``real`` over ``real``'s columns
    (None when no column can be scored).

    ``schema`` gives the column kinds (only ``real``'s columns are used); without it they
    are inferred from ``reference`` (the whole real table) or else from ``real``.
    """
    from genesis.quality._prepare import prepare_tables
    from genesis.quality.statistical import column_shapes
    from genesis.schema import infer_schema

    if schema is None:
        schema = infer_schema(reference if reference is not None else real)
    kept = Schema([c for c in schema.columns if c.name in set(real.columns)])
    if not kept.columns:
        return None
    prepared = prepare_tables({"real": real, "synthetic": synthetic}, kept)
    table = column_shapes(prepared, {c.name: c.kind.value for c in kept})
    scores = pd.to_numeric(table["score"], errors="coerce").dropna()
    return finite(float(scores.mean())) if len(scores) else None


def check_summaries(scenarios: Any) -> list[dict[str, Any]] | None:
    """``scenarios`` as a list of summaries (None stays None).

    Raises:
        InvalidParameterError: not a list of dicts carrying :data:`SUMMARY_KEYS`.
    """
    if scenarios is None:
        return None
    if not isinstance(scenarios, list | tuple) or not all(isinstance(s, dict) for s in scenarios):
        raise InvalidParameterError(
            "scenarios must be a list of summaries, one per scenario, each built with "
            "genesis.dashboard.scenario_summary(name, conditions, rows, real_data)"
        )
    for summary in scenarios:
        missing = [k for k in SUMMARY_KEYS if k not in summary]
        if missing:
            raise InvalidParameterError(
                f"scenario summary {summary.get('name', '?')!r} lacks {missing}; build it with "
                "genesis.dashboard.scenario_summary(name, conditions, rows, real_data)"
            )
    return [dict(s) for s in scenarios]


def scenario_rows(scenarios: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The Scenarios table of the page: one row of display text per scenario."""
    from genesis.dashboard._sections import display
    from genesis.dashboard.figures import MIN_CELL_ROWS

    table = []
    for s in scenarios:
        matching = s.get("real_matching")
        fidelity = finite(s.get("fidelity"))
        table.append(
            {
                "name": str(s["name"]),
                "conditions": str(s["conditions"]),
                "asked": display(s.get("rows_asked")),
                "returned": display(s.get("rows_returned")),
                "share": display(s.get("satisfaction_share"), percent=True),
                "real": f"fewer than {MIN_CELL_ROWS}" if matching is None else display(matching),
                "fidelity": (
                    s.get("fidelity_note") or "n/a"
                    if fidelity is None
                    else f"{fidelity:.3f} ({s.get('fidelity_columns')} columns)"
                ),
            }
        )
    return table


__all__ = ["MIN_MATCHING_ROWS", "check_summaries", "scenario_rows", "scenario_summary"]
