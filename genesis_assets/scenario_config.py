"""Scenarios of a dataset in ``genesis.yaml``: named conditional generations.

Each scenario asks for ``rows`` synthetic rows that all meet its conditions, written either
as text (``where``, the grammar of ``genesis generate --where``) or in the dict format of
:meth:`genesis.generators.conditional.ConditionSet.from_dict` (``conditions``), or both
(all must hold)::

    scenarios:
      seniors: {rows: 1000, where: ["age>=60"]}
      ca_ny_women:
        rows: 500
        where: ["sex = Female"]
        conditions: {state: [in, [CA, NY]], age: [between, [30, 50]]}

Each becomes the asset ``<dataset>/scenario_<name>`` downstream of ``synthesis_model``.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_SCENARIO_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ScenarioConfig(BaseModel):
    """One scenario: ``rows`` synthetic rows meeting every condition."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    rows: int = Field(gt=0, description="Rows the scenario asset generates.")
    where: list[str] = Field(
        default_factory=list,
        description="Conditions as text, e.g. ['age>=60', 'state in CA,NY', "
        "'age between 30 and 40'] (the grammar of genesis generate --where).",
    )
    conditions: dict[str, Any] = Field(
        default_factory=dict,
        description="Conditions in the dict format, e.g. {age: ['>=', 60], state: [in, [CA]]}.",
    )
    seed: int | None = Field(None, ge=0, description="Generation seed; empty: the dataset's.")

    def condition_set(self) -> Any:
        """The scenario's conditions (``where`` and ``conditions`` ANDed) as a ConditionSet."""
        from genesis.generators.conditional import ConditionSet

        out = ConditionSet.parse(self.where) if self.where else ConditionSet()
        for condition in ConditionSet.from_dict(self.conditions) if self.conditions else ():
            out.add(condition)
        return out


def scenario_problems(scenarios: dict[str, ScenarioConfig], label: str) -> list[str]:
    """What makes a dataset's scenarios unusable, checked when genesis.yaml loads: a name
    that cannot be part of an asset key, no condition, a condition that cannot be read."""
    from genesis.errors import GenesisError

    problems = []
    for name, scenario in scenarios.items():
        where = f"{label}, field 'scenarios.{name}'"
        if not _SCENARIO_NAME.match(name):
            problems.append(
                f"{where}: the name must start with a letter or '_' and hold only letters, "
                "digits and '_' (it becomes the asset scenario_<name>); rename it"
            )
        if not scenario.where and not scenario.conditions:
            problems.append(
                f"{where}: no condition; add where: ['age>=60'] or conditions: "
                "{age: ['>=', 60]} (a scenario without conditions is synthetic_dataset)"
            )
            continue
        try:
            scenario.condition_set()
        except GenesisError as exc:
            problems.append(f"{where}: {exc}")
    return problems
