"""The ``schedule:`` section of ``genesis.yaml`` (when ``nightly_refresh`` runs) and its
checks: a five-field cron expression and an IANA timezone."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field


class ScheduleConfig(BaseModel):
    """When ``nightly_refresh`` re-materializes every dataset."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    cron: str = Field("0 2 * * *", description="Cron expression of the refresh (default 02:00).")
    timezone: str = Field("UTC", description="IANA timezone the cron expression is read in.")
    running: bool = Field(
        False,
        description="Whether the schedule runs as soon as the code location loads. Off by "
        "default: a `make ui` left open would otherwise refit every dataset each night; turn it "
        "on (here or in the UI) on the machine that owns the refreshes.",
    )


def schedule_problems(schedule: ScheduleConfig) -> list[str]:
    """The cron expression and the timezone must be valid."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    problems = []
    if not is_valid_cron(schedule.cron):
        problems.append(
            f"schedule, field 'cron': {schedule.cron!r} is not a cron expression; use five "
            "fields, e.g. '0 2 * * *' for 02:00 every day"
        )
    try:
        ZoneInfo(schedule.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            f"schedule, field 'timezone': {schedule.timezone!r} is not an IANA timezone; use "
            "e.g. 'UTC' or 'Europe/Paris'"
        )
    return problems


#: (lowest, highest) value and names of each of the five cron fields
_CRON_FIELDS = (
    (0, 59, {}),
    (0, 23, {}),
    (1, 31, {}),
    (
        1,
        12,
        {
            m: i + 1
            for i, m in enumerate(
                ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
            )
        },
    ),
    (0, 7, {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}),
)
_CRON_ITEM = re.compile(r"^(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:/([0-9]+))?$")


def is_valid_cron(expression: str) -> bool:
    """Whether ``expression`` is a five-field cron expression (minute hour day month weekday).

    Each field is ``*`` or a comma list of values, ``a-b`` ranges, either with a ``/step``;
    months and weekdays may be named (``jan``, ``mon``). Values must lie in the field's range.
    """
    fields = expression.lower().split()
    if len(fields) != len(_CRON_FIELDS):
        return False
    for text, (low, high, names) in zip(fields, _CRON_FIELDS, strict=True):
        for item in text.split(","):
            match = _CRON_ITEM.match(item)
            if match is None or match.group(2) == "0":
                return False
            if match.group(1) == "*":
                continue
            bounds = []
            for value in match.group(1).split("-"):
                number = names.get(value, int(value) if value.isdigit() else None)
                if number is None or not low <= number <= high:
                    return False
                bounds.append(number)
            if len(bounds) == 2 and bounds[0] > bounds[1]:
                return False
    return True


__all__ = ["ScheduleConfig", "is_valid_cron", "schedule_problems"]
