"""Scenario stages: ``scenario_<name>``, rows that all meet a scenario's conditions.

Each scenario of ``genesis.yaml`` (see :mod:`genesis_assets.scenario_config`) asks the fitted
``synthesis_model`` for exactly ``rows`` rows under its conditions (the condition is pushed
into the model: no rejection loop). The asset checks what it returns (row count, share of
rows meeting every condition = 1.0) before storing it, and records the figures; the
dashboard shows them (:func:`scenario_summaries`, :func:`scenarios_markdown`).
"""

from __future__ import annotations

import time
from typing import Any

import dagster as dg
import pandas as pd

from genesis_assets.config import DatasetConfig
from genesis_assets.keys import stage_inputs
from genesis_assets.metadata import preview, table_shape

#: asset name of a scenario: ``scenario_<name>``
PREFIX = "scenario_"


def scenario_stage(name: str) -> str:
    """The stage (last asset key part) of scenario ``name``."""
    return PREFIX + name


def build_scenario_assets(ds: DatasetConfig) -> list[dg.AssetsDefinition]:
    """One asset per scenario of ``ds``, downstream of ``synthesis_model``."""
    return [_scenario_asset(ds, name) for name in ds.scenarios]


def _scenario_asset(ds: DatasetConfig, name: str) -> dg.AssetsDefinition:
    scenario = ds.scenarios[name]
    conditions = scenario.condition_set()
    seed = ds.seed if scenario.seed is None else scenario.seed

    @dg.asset(
        key_prefix=[ds.name],
        name=scenario_stage(name),
        group_name=ds.name,
        ins=stage_inputs(ds.name, "synthesis_model"),
        kinds={"pandas"},
        code_version=_version(scenario.model_dump_json(), seed),
        description=f"Scenario '{name}': {scenario.rows:,} synthetic rows where {conditions}.",
    )
    def scenario_asset(synthesis_model) -> dg.Output[pd.DataFrame]:
        start = time.perf_counter()
        df = synthesis_model.generate(scenario.rows, seed=seed, conditions=conditions)
        seconds = time.perf_counter() - start
        share = satisfaction_share(df, conditions)
        if len(df) != scenario.rows or share != 1.0:
            raise dg.Failure(
                f"scenario {name!r}: the model returned {len(df):,} rows (asked "
                f"{scenario.rows:,}), {share:.2%} meeting {conditions}; the model's "
                "conditional generation is wrong: report it with this message"
            )
        return dg.Output(
            df,
            metadata={
                **table_shape(df),
                "rows": len(df),
                "conditions": str(conditions),
                "conditions_json": dg.MetadataValue.json(conditions.to_dict()),
                "satisfaction_share": share,
                "seconds": round(seconds, 3),
                "seed": seed,
                "method": str(getattr(synthesis_model, "method", ds.method)),
                "preview": preview(df),
            },
        )

    return scenario_asset


def satisfaction_share(df: pd.DataFrame, conditions: Any) -> float:
    """Share of ``df``'s rows meeting every condition (0.0 for no rows)."""
    return float(conditions.mask(df).mean()) if len(df) else 0.0


def scenarios_markdown(ds: DatasetConfig, frames: dict[str, pd.DataFrame]) -> str:
    """One line per scenario (rows, conditions, share meeting them) for the dashboard."""
    lines = ["| scenario | rows | conditions | share meeting them |", "|---|---|---|---|"]
    for name, scenario in ds.scenarios.items():
        df = frames[scenario_stage(name)]
        conditions = scenario.condition_set()
        share = satisfaction_share(df, conditions)
        lines.append(f"| {name} | {len(df):,} | {conditions} | {share:.1%} |")
    return "\n".join(lines)


def scenario_summaries(
    ds: DatasetConfig, frames: dict[str, pd.DataFrame], real: pd.DataFrame
) -> list[dict[str, Any]]:
    """The dashboard's Scenarios section: one :func:`genesis.dashboard.scenario_summary` per
    scenario whose rows are in ``frames`` (by stage), its fidelity against ``real`` (the
    training rows)."""
    from genesis.dashboard import scenario_summary
    from genesis.schema import infer_schema

    schema = infer_schema(real)
    return [
        scenario_summary(
            name,
            scenario.condition_set(),
            frames[scenario_stage(name)],
            real,
            rows_asked=scenario.rows,
            schema=schema,
        )
        for name, scenario in ds.scenarios.items()
        if scenario_stage(name) in frames
    ]


def _version(*parts: Any) -> str:
    import hashlib

    return hashlib.sha256(repr(parts).encode()).hexdigest()[:12]
