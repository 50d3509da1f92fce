"""``drift_report``: the source against the model's baseline, the synthetic rows against the
real ones, with the figures in the metadata and the HTML in the artifact store."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pytest

from genesis_assets.config import load_config
from genesis_assets.factory import build_definitions

REPORT = dg.AssetKey(["adult", "drift_report"])


@pytest.fixture(scope="module")
def materialized(tmp_path_factory, small_adult, adult_dataset):
    """The chain up to drift_report, in-process, on 1,000 Adult rows."""
    import yaml

    folder = tmp_path_factory.mktemp("drift")
    small_adult.to_csv(folder / "small.csv", index=False)
    entry = adult_dataset("adult", drift={"thresholds": {"ks": 0.01}})
    document = {"storage": {"root": "artifacts"}, "datasets": [entry]}
    (folder / "genesis.yaml").write_text(yaml.safe_dump(document))
    defs = build_definitions(load_config(folder / "genesis.yaml"))
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [*defs.assets, *defs.asset_checks],
            resources=defs.resources,
            instance=instance,
            selection=dg.AssetSelection.assets(REPORT).upstream(),
        )
        assert result.success
        event = instance.get_latest_materialization_event(REPORT).asset_materialization
        yield folder, {k: v.value for k, v in event.metadata.items()}, list(small_adult.columns)


def test_drift_report_metadata_shows_share_verdict_and_columns(materialized):
    _, meta, _ = materialized
    assert 0 <= meta["drift_share"] < 0.5 and meta["dataset_drift"] is False
    assert isinstance(meta["drifted_columns"], str)
    assert "| age |" in meta["columns"] and "| income |" in meta["columns"]
    assert 0 <= meta["synthetic_vs_real/drift_share"] <= 1
    assert isinstance(meta["synthetic_vs_real/dataset_drift"], bool)


def test_drift_report_stores_both_comparisons_and_the_html(materialized):
    folder, meta, columns = materialized
    stored = json.loads(Path(meta["path"]).read_text())
    source = stored["source_vs_baseline"]
    assert source["share"] == pytest.approx(meta["drift_share"], abs=1e-4)
    assert source["baseline_rows"] == 800 and source["current_rows"] == 1000  # training vs. source
    assert [c["column"] for c in source["columns"]] == columns
    age = next(c for c in source["columns"] if c["column"] == "age")
    assert age["test"] == "ks" and age["threshold"] == 0.01  # drift.thresholds, genesis.yaml
    synthetic = stored["synthetic_vs_real"]
    assert synthetic["baseline_rows"] == 800 and synthetic["current_rows"] == 1000
    page = Path(meta["html"]).read_text()
    assert page.startswith("<!DOCTYPE html>") and "source vs. model baseline" in page
    assert Path(meta["synthetic_vs_real/html"]).read_text().count("<tr") == 16
    assert Path(meta["html"]).parent == folder / "artifacts" / "adult"


def test_detector_follows_the_model_schema(weather_df, adult_dataset):
    from genesis.schema import infer_schema
    from genesis_assets.config import DatasetConfig
    from genesis_assets.drift_assets import detector_for

    table = weather_df.iloc[:3000].assign(station_id=[f"id-{i}" for i in range(3000)])
    later = weather_df.iloc[3000:6000].assign(station_id=[f"id-{i}" for i in range(3000, 6000)])
    ds = DatasetConfig(**adult_dataset("weather", source="w.csv"))
    report = detector_for(ds, infer_schema(table)).detect(table, later)
    time_hour = report["time_hour"]
    assert time_hour.kind == "datetime" and time_hour.test == "wasserstein"  # text read as time
    assert "station_id" not in {c.column for c in report.columns}  # identifiers left out
    plain = detector_for(ds).detect(table, later)
    assert plain["time_hour"].kind == "categorical" and "station_id" in plain.drifted_columns
