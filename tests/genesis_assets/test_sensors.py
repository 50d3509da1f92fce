"""The drift sensor on a real (temporary) Dagster instance: skips with reasons, one run per
change, and an end-to-end regeneration after the source file is rewritten with drifted rows."""

from __future__ import annotations

import json
import re

import dagster as dg
import pandas as pd
import pytest

from genesis_assets.config import load_config
from genesis_assets.factory import build_definitions

MODEL = dg.AssetKey(["adult", "synthesis_model"])
SYNTHETIC = dg.AssetKey(["adult", "synthetic_dataset"])


def _drifted(df: pd.DataFrame) -> pd.DataFrame:
    """9 of 15 Adult columns moved: well past the 0.5 drift share."""
    return df.assign(
        age=df["age"] + 20,
        fnlwgt=df["fnlwgt"] * 3,
        **{
            "education-num": df["education-num"] + 5,
            "capital-gain": df["capital-gain"] + 5000,
            "capital-loss": df["capital-loss"] + 1000,
            "hours-per-week": df["hours-per-week"] + 25,
        },
        sex="Female",
        race="Other",
        income=">50K",
    )


@pytest.fixture
def location(make_config, small_adult, adult_dataset, tmp_path):
    """A code location on small.csv with its model materialized into a real instance."""
    config = load_config(make_config(adult_dataset("adult", drift={"sensor_interval_seconds": 60})))
    defs = build_definitions(config)
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [*defs.assets, *defs.asset_checks],
            resources=defs.resources,
            instance=instance,
            selection=dg.AssetSelection.assets(MODEL).upstream(),
        )
        assert result.success
        yield {
            "defs": defs,
            "instance": instance,
            "csv": tmp_path / "small.csv",
            "data": small_adult,
            "sensor": _sensor(defs),
        }


def _sensor(defs: dg.Definitions) -> dg.SensorDefinition:
    return next(s for s in defs.sensors if s.name == "adult_drift_sensor")


def _tick(loc, cursor=None) -> dg.SensorResult:
    with dg.build_sensor_context(
        instance=loc["instance"],
        cursor=cursor,
        resources={"io_manager": loc["defs"].resources["io_manager"]},
    ) as context:
        result = loc["sensor"](context)
    assert isinstance(result, dg.SensorResult)
    return result


def _reason(result: dg.SensorResult) -> str:
    assert not result.run_requests
    return result.skip_reason.skip_message


def test_sensor_is_configured_from_genesis_yaml(location):
    sensor = location["sensor"]
    assert sensor.minimum_interval_seconds == 60
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    # the model's materialization carries no fingerprint stamp any more
    model_meta = location["instance"].get_latest_materialization_event(MODEL).asset_materialization
    assert not {"source_fingerprint", "training_fingerprint"} & set(model_meta.metadata)


def test_the_baseline_is_the_protected_training_data_not_the_model(location, monkeypatch):
    """The sensor compares the source with the training_data artifact, loaded through the IO
    manager; the model file is never opened (saved models hold no real rows)."""
    from genesis.generators import SyntheticGenerator

    def refuse(*args, **kwargs):
        raise AssertionError("the sensor must not load the model")

    monkeypatch.setattr(SyntheticGenerator, "load", refuse)
    _drifted(location["data"]).to_csv(location["csv"], index=False)
    (request,) = _tick(location).run_requests
    assert float(request.tags["genesis/drift_share"]) >= 0.5
    store = location["defs"].resources["artifact_store"]
    (store_root,) = {store.root}
    training = pd.read_parquet(f"{store_root}/adult/training_data.parquet")
    # the drift figures are those of the training rows against the new source
    from genesis_assets.drift_assets import detector_for

    config = load_config(location["csv"].parent / "genesis.yaml")
    from genesis.schema import infer_schema

    report = detector_for(config.datasets[0], infer_schema(location["data"])).detect(
        training, pd.read_csv(location["csv"])
    )
    assert request.tags["genesis/drift_share"] == f"{report.share:.2f}"


def test_unchanged_source_skips(location):
    first = _tick(location)
    assert _reason(first).startswith("source unchanged since the model was trained")
    again = _tick(location, first.cursor)
    assert _reason(again).startswith("source unchanged since the last check")


def test_changed_source_without_drift_skips_with_the_share(location):
    data = location["data"]
    data.sample(frac=1.0, random_state=3).to_csv(
        location["csv"], index=False
    )  # same rows, shuffled
    result = _tick(location)
    reason = _reason(result)
    # the training rows are 800 of these 1,000; a rare category may look new (chi-squared)
    assert re.match(r"source changed, drift share 0\.[0-3]\d < 0\.5 \(drifted: ", reason), reason
    assert json.loads(result.cursor)["fingerprint"]
    assert _reason(_tick(location, result.cursor)).startswith(
        "source unchanged since the last check"
    )


def test_drift_requests_exactly_one_run_then_none(location):
    _drifted(location["data"]).to_csv(location["csv"], index=False)
    result = _tick(location)
    (request,) = result.run_requests
    every_adult_asset = location["defs"].resolve_asset_graph().get_all_asset_keys()
    assert set(request.asset_selection) == set(every_adult_asset)  # the dataset's whole chain
    keys = {k.path[-1] for k in request.asset_selection}
    assert {"raw_source", "synthesis_model", "synthetic_dataset", "drift_report"} <= keys
    assert request.run_key.startswith("adult-drift-")
    assert float(request.tags["genesis/drift_share"]) >= 0.5
    assert "age" in request.tags["genesis/drifted_columns"].split(",")
    assert _reason(_tick(location, result.cursor)).startswith(
        "source unchanged since the last check"
    )


def test_no_model_yet_skips_without_advancing(make_config):
    defs = build_definitions(load_config(make_config()))
    with (
        dg.instance_for_test() as instance,
        dg.build_sensor_context(
            instance=instance, resources={"io_manager": defs.resources["io_manager"]}
        ) as context,
    ):
        result = _sensor(defs)(context)
    assert "no adult/synthesis_model materialized yet" in result.skip_reason.skip_message
    assert result.cursor is None


def test_end_to_end_drift_regenerates_the_synthetic_dataset(location):
    instance, defs = location["instance"], location["defs"]
    dg.materialize(  # the rest of the chain, so the synthetic data has a first version
        [*defs.assets, *defs.asset_checks],
        resources=defs.resources,
        instance=instance,
        selection=dg.AssetSelection.assets(SYNTHETIC),
    )
    before = instance.get_latest_materialization_event(SYNTHETIC)
    old_version = before.asset_materialization.tags["dagster/data_version"]

    _drifted(location["data"]).to_csv(location["csv"], index=False)
    tick = _tick(location)
    (request,) = tick.run_requests
    run = dg.materialize(
        [*defs.assets, *defs.asset_checks],
        resources=defs.resources,
        instance=instance,
        selection=list(request.asset_selection),
        tags=request.tags,
    )
    assert run.success

    after = instance.get_latest_materialization_event(SYNTHETIC)
    assert after.run_id == run.run_id != before.run_id
    assert after.asset_materialization.tags["dagster/data_version"] != old_version
    synthetic = pd.read_parquet(after.asset_materialization.metadata["path"].value)
    assert synthetic["age"].mean() > location["data"]["age"].mean() + 10  # learned the new data
    # the new model's fingerprint is the new source's: a fresh sensor finds nothing to do
    assert _reason(_tick(location)).startswith("source unchanged since the model was trained")
    assert _reason(_tick(location, tick.cursor)).startswith("source unchanged since the last check")


@pytest.mark.parametrize(
    ("drift", "message"),
    [
        ({"tests": {"age": "anova"}}, "'anova' .*is not a drift test"),
        ({"sensor_interval_seconds": 5}, "sensor_interval_seconds"),
        ({"drift_share": 0}, "drift_share"),
        ({"thresholds": {"psi": -0.1}}, "use a number >= 0"),
        ({"interval": 60}, "is not a known field"),
    ],
)
def test_bad_drift_settings_name_the_field(make_config, adult_dataset, drift, message):
    from genesis_assets.config import ConfigError

    with pytest.raises(ConfigError, match=message):
        load_config(make_config(adult_dataset("adult", drift=drift)))
