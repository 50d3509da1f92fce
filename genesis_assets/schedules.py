"""``nightly_refresh``: re-materialize every dataset's chain once a night."""

from __future__ import annotations

import dagster as dg

from genesis_assets.config import GenesisConfig
from genesis_assets.stream_assets import REFRESH_SELECTION


def build_nightly_refresh(config: GenesisConfig) -> dg.ScheduleDefinition:
    """Every asset of every dataset (but the ``synthetic_stream`` publishers) at
    ``schedule.cron`` (default 02:00) in ``schedule.timezone``."""
    schedule = config.schedule
    return dg.ScheduleDefinition(
        name="nightly_refresh",
        cron_schedule=schedule.cron,
        execution_timezone=schedule.timezone,
        target=REFRESH_SELECTION,
        default_status=(
            dg.DefaultScheduleStatus.RUNNING
            if schedule.running
            else dg.DefaultScheduleStatus.STOPPED
        ),
        tags={"genesis/trigger": "nightly_refresh"},
        description=(
            f"Refresh every dataset ({', '.join(d.name for d in config.datasets)}): re-read the "
            f"sources, refit the models, regenerate and re-score, at '{schedule.cron}' "
            f"({schedule.timezone})."
        ),
    )
