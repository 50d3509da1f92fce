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
    from tests.genesis_assets.project import materialize, write_project

    folder = tmp_path_factory.mktemp("drift")
    entry = adult_dataset("adult", drift={"thresholds": {"ks": 0.01}})
    path = write_project(folder, small_adult, entry)
    with dg.instance_for_test() as instance:
        result = materialize(path, dg.AssetSelection.assets(REPORT).upstream(), instance=instance)
        assert result.success
        event = instance.get_latest_materialization_event(REPORT).asset_materialization
        yield folder, {k: v.value for k, v in event.metadata.items()}, list(small_adult.columns)


def test_drift_report_metadata_shows_share_verdict_and_columns(materialized):
    _, meta, _ = materialized
    assert 0 <= meta["observed_drift_share"] < 0.5 and meta["dataset_drift"] is False
    assert meta["drift_share_threshold"] == 0.5  # two names: what was seen, what is allowed
    assert isinstance(meta["drifted_columns"], str)
    assert "| age |" in meta["columns"] and "| income |" in meta["columns"]
    cells = [c.strip() for row in meta["columns"].splitlines() for c in row.split("|")[1:-1]]
    assert cells and all(cells)  # no blank cell
    assert 0 <= meta["synthetic_vs_real/observed_drift_share"] <= 1
    assert isinstance(meta["synthetic_vs_real/dataset_drift"], bool)


def test_drift_report_stores_both_comparisons_and_the_html(materialized):
    folder, meta, columns = materialized
    stored = json.loads(Path(meta["path"]).read_text())
    source = stored["source_vs_baseline"]
    assert source["share"] == pytest.approx(meta["observed_drift_share"], abs=1e-4)
    # the baseline is the training_data artifact (saved models carry no real rows)
    assert source["baseline_rows"] == 800 and source["current_rows"] == 1000
    assert [c["column"] for c in source["columns"]] == columns
    age = next(c for c in source["columns"] if c["column"] == "age")
    assert age["test"] == "ks" and age["threshold"] == 0.01  # drift.thresholds, genesis.yaml
    synthetic = stored["synthetic_vs_real"]
    assert synthetic["baseline_rows"] == 800 and synthetic["current_rows"] == 1000
    page = Path(meta["html_path"]).read_text()
    assert page.startswith("<!DOCTYPE html>") and "source vs. training rows" in page
    synthetic_page = Path(meta["synthetic_vs_real/html_path"]).read_text()
    assert synthetic_page.count("<tr") == 16 and meta["snapshot_id"] in synthetic_page
    assert Path(meta["html_path"]).parent == folder / "artifacts" / "adult"
    assert meta["html"] == "http://127.0.0.1:8765/adult/drift_report.html"


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


def test_drift_check_warns_without_blocking_the_release(
    make_config, small_adult, adult_dataset, tmp_path
):
    """A drifted source fails the (non-blocking) check; the version is still released, with
    a "not shareable" verdict that says why."""
    from tests.genesis_assets.project import materialize, metadata_of

    path = make_config(adult_dataset("adult", drift={"drift_share": 0.3}))
    with dg.instance_for_test() as instance:
        assert materialize(path, instance=instance).success
        drifted = small_adult.assign(age=small_adult["age"] + 30, sex="Female", race="Other",
                                     income=">50K", **{"hours-per-week": 99})  # fmt: skip
        drifted.to_csv(tmp_path / "small.csv", index=False)
        stages = ("raw_source", "drift_report", "release")
        result = materialize(
            path, [dg.AssetKey(["adult", s]) for s in stages], instance=instance,
            raise_on_error=False,
        )  # fmt: skip
    (check,) = [
        e for e in result.get_asset_check_evaluations() if e.check_name == "source_not_drifted"
    ]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert check.metadata["observed_drift_share"].value >= 0.3
    assert check.metadata["drift_share_threshold"].value == 0.3
    assert result.success  # a warning does not fail the run
    release = metadata_of(result, "release")
    assert release["shareable"] is False and "drift" in release["headline"]
    defs = build_definitions(load_config(path))
    specs = {s.name: s for a in defs.resolve_asset_graph().assets_defs for s in a.check_specs}
    assert specs["source_not_drifted"].blocking is False
