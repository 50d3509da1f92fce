"""``nightly_refresh``: 02:00 in the configured timezone, refreshing every dataset."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pytest
import yaml

from genesis_assets.config import ConfigError, load_config
from genesis_assets.factory import build_definitions
from genesis_assets.schedules import build_nightly_refresh


def _schedule(defs: dg.Definitions) -> dg.ScheduleDefinition:
    return next(s for s in defs.schedules if s.name == "nightly_refresh")


def test_schedule_defaults_to_two_in_the_morning_utc_and_stopped(make_config):
    config = load_config(make_config())
    schedule = build_nightly_refresh(config)
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "UTC"
    # deliberately off until turned on: a `make ui` left open must not refit every night
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED


def test_project_config_documents_the_default_states(repo_root):
    text = (repo_root / "genesis.yaml").read_text()
    config = load_config(repo_root / "genesis.yaml")
    assert config.schedule.running is False and "Off by default, deliberately" in text
    assert config.datasets[0].drift.sensor_running is True and "On by default, deliberately" in text


def test_schedule_evaluated_at_two_yields_the_refresh_of_every_dataset(make_config, adult_dataset):
    defs = build_definitions(
        load_config(make_config(adult_dataset("adult"), adult_dataset("census")))
    )
    schedule = _schedule(defs)
    context = dg.build_schedule_context(
        scheduled_execution_time=dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC)
    )
    (request,) = schedule.evaluate_tick(context).run_requests
    assert request.tags["genesis/trigger"] == "nightly_refresh"
    job = defs.resolve_job_def(schedule.job_name)
    refreshed = {tuple(k.path) for k in job.asset_layer.executable_asset_keys}
    everything = {tuple(k.path) for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert refreshed == everything
    assert {p[0] for p in refreshed} == {"adult", "census"}
    assert {("adult", "synthesis_model"), ("census", "synthetic_dataset")} <= refreshed


def test_timezone_and_cron_come_from_genesis_yaml(make_config):
    path = make_config()
    document = yaml.safe_load(path.read_text())
    document["schedule"] = {"cron": "30 3 * * 1-5", "timezone": "Europe/Paris", "running": True}
    path.write_text(yaml.safe_dump(document))
    schedule = _schedule(build_definitions(load_config(path)))
    assert schedule.cron_schedule == "30 3 * * 1-5"
    assert schedule.execution_timezone == "Europe/Paris"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    # the ticks fall at 03:30 Paris time, which is 02:30 UTC in winter
    from dagster._utils.schedules import cron_string_iterator

    start = dt.datetime(2026, 1, 5, tzinfo=dt.UTC).timestamp()
    first = next(cron_string_iterator(start, "30 3 * * 1-5", "Europe/Paris"))
    assert first.astimezone(dt.UTC).hour == 2 and first.astimezone(dt.UTC).minute == 30


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ({"cron": "every night"}, "not a cron expression"),
        ({"cron": "0 25 * * *"}, "not a cron expression"),
        ({"cron": "0 2 * *"}, "not a cron expression"),
        ({"cron": "*/0 2 * * *"}, "not a cron expression"),
        ({"cron": "0 2 5-1 * *"}, "not a cron expression"),
        ({"timezone": "Mars/Olympus"}, "not an IANA timezone"),
        ({"hour": 2}, "'schedule.hour' is not a known field"),
    ],
)
def test_bad_schedule_settings_name_the_field(make_config, schedule, message):
    path = make_config()
    document = yaml.safe_load(path.read_text())
    document["schedule"] = schedule
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(ConfigError, match=message):
        load_config(path)


@pytest.mark.parametrize(
    "cron",
    ["0 2 * * *", "*/15 * * * *", "30 3 * * 1-5", "0 0 1,15 * *", "0 6 * jan-mar mon", "0 0 * * 7"],
)
def test_valid_cron_expressions_are_accepted_and_dagster_agrees(make_config, cron):
    from genesis_assets.schedule_config import is_valid_cron

    assert is_valid_cron(cron)
    path = make_config()
    document = yaml.safe_load(path.read_text())
    document["schedule"] = {"cron": cron}
    path.write_text(yaml.safe_dump(document))
    assert _schedule(build_definitions(load_config(path))).cron_schedule == cron


def test_config_module_uses_no_private_dagster_api(repo_root):
    source = (repo_root / "genesis_assets" / "config.py").read_text()
    assert "dagster._" not in source
