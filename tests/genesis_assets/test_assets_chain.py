"""The whole chain materializes in-process on 1,000 Adult rows: one version id (the Iceberg
snapshot id) from the IO manager through every report, checks without side effects, the
release's lineage and verdict, owner-only real data, nothing written into the cwd."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from genesis_assets.config import load_config
from genesis_assets.resources import versioning_resource
from genesis_resources import ComputeResource
from genesis_resources.iceberg import read_lineage
from tests.genesis_assets.project import materialize, metadata_of, write_project

SYNTHETIC = dg.AssetKey(["adult", "synthetic_dataset"])


def test_chain_succeeds_and_writes_its_files(chain):
    assert chain.result.success
    written = sorted(p.name for p in (chain.folder / "artifacts" / "adult").iterdir())
    assert written == [
        "drift_report.html",
        "drift_report.json",
        "drift_synthetic_vs_real.html",
        "holdout_data.parquet",
        "inferred_schema.schema.json",
        "privacy_audit.html",
        "privacy_audit.json",
        "quality_dashboard",
        "quality_report.json",
        "raw_source.parquet",
        "release.json",
        "synthesis_model.model",
        "synthetic_dataset.parquet",
        "training_data.parquet",
    ]


def test_artifacts_holding_real_data_are_owner_only(chain):
    folder = chain.folder / "artifacts" / "adult"
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir() if p.is_file()}
    for name in ("raw_source.parquet", "training_data.parquet", "holdout_data.parquet",
                 "synthesis_model.model"):  # fmt: skip
        assert modes[name] == 0o600, (name, oct(modes[name]))
    assert modes["synthetic_dataset.parquet"] == 0o644  # the shareable twin
    assert modes["privacy_audit.html"] == 0o644


def test_one_version_id_from_the_io_manager_through_every_report(chain):
    """The snapshot id committed by the IO manager is the data version and the id every
    downstream stage stamps and shows; no fingerprint stamp is left."""
    repo = versioning_resource(load_config(chain.config)).repository("adult")
    (commit,) = repo.log()  # one writer: one snapshot per materialization
    snapshot = commit.hash
    record = chain.instance.get_latest_materialization_event(SYNTHETIC)
    assert record.asset_materialization.tags["dagster/data_version"] == snapshot
    assert chain.metadata("synthetic_dataset")["snapshot_id"] == snapshot
    assert commit.metadata["seed"] == 0 and commit.metadata["rows"] == 1000
    for stage in ("quality_report", "privacy_audit", "drift_report", "release"):
        assert chain.metadata(stage)["snapshot_id"] == snapshot, stage
    dashboard = chain.metadata("quality_dashboard")
    assert dashboard["snapshot_id"] == snapshot
    assert dashboard["url"].endswith(f"/adult/quality_dashboard/{snapshot}.html")
    stored = chain.folder / "artifacts" / "adult"
    for name in ("privacy_audit.json", "drift_report.json", "quality_report.json"):
        report = json.loads((stored / name).read_text())
        assert report["snapshot_id"] == snapshot and "synthetic_version" not in report
    # downstream stages consumed the synthetic version through its data version
    release = chain.instance.get_latest_materialization_event(dg.AssetKey(["adult", "release"]))
    tags = release.asset_materialization.tags
    assert tags["dagster/input_data_version/adult/synthetic_dataset"] == snapshot
    assert tags["dagster/data_version"] == snapshot


def test_release_writes_the_lineage_once_after_the_checks(chain):
    lineage = read_lineage(versioning_resource(load_config(chain.config)), "adult")
    assert lineage.verify()
    types = [block.block_type for block in lineage.blocks]
    assert types == ["source", "transform", "transform", "generation", *["quality_check"] * 3]
    checks = {b.content["check"]: b.content for b in lineage.blocks[4:]}
    assert set(checks) == {"quality", "privacy", "drift"}
    assert checks["quality"]["passed"] and checks["quality"]["threshold"] == 0.5
    assert 0 < checks["quality"]["metrics"]["overall_score"] <= 1
    assert chain.metadata("release")["lineage_hash"] == lineage.latest_hash
    raw = chain.instance.get_latest_materialization_event(dg.AssetKey(["adult", "raw_source"]))
    assert (
        lineage.blocks[0].content["data_hash"]
        == raw.asset_materialization.tags["dagster/data_version"]
    )


def test_the_verdict_is_shown_on_the_release_and_the_synthetic_dataset(chain):
    from genesis.verdict import share_verdict

    meta = chain.metadata("release")
    stored = chain.folder / "artifacts" / "adult"
    quality, privacy, drift = (
        json.loads((stored / f"{n}.json").read_text())
        for n in ("quality_report", "privacy_audit", "drift_report")
    )
    expected = share_verdict(
        quality, privacy, drift, quality_threshold=0.5, snapshot_id=meta["snapshot_id"],
        model_uri=None, lineage_hash=meta["lineage_hash"],
    )  # fmt: skip
    assert meta["verdict"] == expected.to_markdown()
    assert meta["verdict_json"] == expected.to_dict()
    assert meta["shareable"] is expected.shareable
    assert "Can this be shared?" in meta["verdict"] and meta["snapshot_id"] in meta["verdict"]
    privacy_text = expected.privacy.text
    if expected.privacy.inconclusive:  # the flags travel with the level everywhere
        assert "inconclusive: up to" in privacy_text
    assert privacy_text in meta["verdict"]
    assert chain.metadata("privacy_audit")["privacy_verdict"] == privacy_text
    (observation,) = [
        e
        for e in chain.result.all_events
        if e.event_type_value == "ASSET_OBSERVATION" and e.asset_key == SYNTHETIC
    ]
    observed = observation.event_specific_data.asset_observation.metadata
    assert observed["verdict"].value == expected.to_markdown()
    dashboard = chain.metadata("quality_dashboard")
    assert dashboard["share_verdict"] == expected.to_markdown()


def test_every_check_passes_and_none_writes(chain):
    evaluations = {e.check_name: e for e in chain.result.get_asset_check_evaluations()}
    assert set(evaluations) == {
        "conforms_to_schema",
        "quality_above_threshold",
        "privacy_audit_passed",
        "source_not_drifted",
    }
    assert all(e.passed for e in evaluations.values())
    quality = evaluations["quality_above_threshold"].metadata
    assert quality["threshold"].value == 0.5
    drift = evaluations["source_not_drifted"].metadata
    assert drift["drift_share_threshold"].value == 0.5
    assert 0 <= drift["observed_drift_share"].value < 0.5
    privacy = evaluations["privacy_audit_passed"]
    assert privacy.metadata["privacy_verdict"].value in privacy.description


def test_checks_have_no_side_effects(chain, tmp_path):
    """Re-running the checks alone leaves the warehouse and the artifacts untouched."""
    repo = versioning_resource(load_config(chain.config)).repository("adult")
    before_notes = repo.notes()
    files = {p: p.stat().st_mtime_ns for p in chain.folder.rglob("*") if p.is_file()}
    defs = chain.defs
    result = dg.materialize(
        [*defs.assets, *defs.asset_checks],
        resources=defs.resources,
        instance=chain.instance,
        selection=dg.AssetSelection.checks(*defs.resolve_asset_graph().asset_check_keys),
    )
    assert len(result.get_asset_check_evaluations()) == 4
    assert repo.notes() == before_notes
    after = {p: p.stat().st_mtime_ns for p in chain.folder.rglob("*") if p.is_file()}
    assert after == files


def test_reports_in_the_metadata_are_readable(chain):
    audit = chain.metadata("privacy_audit")
    table = audit["attacks"]
    header = table.splitlines()[0]
    assert header == "| attack | risk | 95% CI | level |"  # short columns, no prose column
    assert "-0." not in table and "interval ends below 0" in table.lower()
    assert audit["report_html"] == "http://127.0.0.1:8765/adult/privacy_audit.html"
    drift = chain.metadata("drift_report")
    rows = [line for line in drift["columns"].splitlines()[2:]]
    assert rows and all("|  |" not in row and "| |" not in row for row in rows)
    assert drift["html"] == "http://127.0.0.1:8765/adult/drift_report.html"


def test_raw_source_metadata_and_data_version(chain):
    meta = chain.metadata("raw_source")
    assert meta["dagster/row_count"] == 1000
    assert meta["columns"] == 15
    record = chain.instance.get_latest_materialization_event(dg.AssetKey(["adult", "raw_source"]))
    assert record.asset_materialization.tags["dagster/data_version"] == meta["content_hash"]


def test_split_keeps_the_holdout_out_of_training(chain):
    train = pd.read_parquet(chain.folder / "artifacts" / "adult" / "training_data.parquet")
    holdout = pd.read_parquet(chain.folder / "artifacts" / "adult" / "holdout_data.parquet")
    assert (len(train), len(holdout)) == (800, 200)
    assert chain.metadata("synthesis_model")["training_rows"] == 800


def test_schema_model_and_synthetic_metadata(chain):
    schema_meta = chain.metadata("inferred_schema")
    assert [c.name for c in schema_meta["dagster/column_schema"].columns][0] == "age"
    assert chain.metadata("synthesis_model")["method"] == "cart"
    meta = chain.metadata("synthetic_dataset")
    assert meta["dagster/row_count"] == 1000  # default: as many rows as the source
    assert meta["preview"].count("\n") == 11  # header, rule, ten rows
    synthetic = pd.read_parquet(meta["path"])
    assert list(synthetic.columns) == list(pd.read_csv(chain.folder / "small.csv").columns)


def test_quality_report_metadata_and_file(chain):
    meta = chain.metadata("quality_report")
    for name in ("overall_score", "column_shapes", "column_pair_trends", "detection_auc"):
        assert 0.0 <= meta[name] <= 1.0, name
    report = json.loads(Path(meta["path"]).read_text())
    assert report["overall_score"] == pytest.approx(meta["overall_score"], abs=1e-4)
    assert meta["headline"].startswith("overall_score")


def test_artifacts_follow_the_configuration_not_the_working_directory(
    tmp_path, small_adult, monkeypatch
):
    config = write_project(tmp_path / "project", small_adult)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = materialize(config, "*adult/synthetic_dataset")
    assert result.success
    assert list(elsewhere.iterdir()) == []  # nothing landed in the working directory
    assert (tmp_path / "project" / "artifacts" / "adult" / "raw_source.parquet").is_file()
    assert (tmp_path / "project" / ".genesis" / "warehouse" / "catalog.db").is_file()


def test_storage_paths_may_name_the_instance(tmp_path, small_adult, monkeypatch):
    home = tmp_path / "dagster_home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    config = write_project(
        tmp_path / "project",
        small_adult,
        storage={"root": "${DAGSTER_HOME}/artifacts"},
        versioning={"warehouse": "$DAGSTER_HOME/warehouse"},
    )
    loaded = load_config(config)
    assert loaded.storage.root == str(home / "artifacts")
    assert loaded.versioning.warehouse == str(home / "warehouse")
    monkeypatch.delenv("DAGSTER_HOME")
    from genesis.errors import ConfigError

    with pytest.raises(ConfigError, match="DAGSTER_HOME.*is not set"):
        load_config(config)


def test_run_time_rows_and_seed_override(make_config):
    path = make_config()
    with dg.instance_for_test() as instance:
        assert materialize(path, "*adult/synthetic_dataset", instance=instance).success
        rerun = materialize(
            path,
            "adult/synthetic_dataset",
            instance=instance,
            run_config={"ops": {"adult__synthetic_dataset": {"config": {"rows": 123, "seed": 7}}}},
        )
    meta = metadata_of(rerun, "synthetic_dataset")
    assert meta["dagster/row_count"] == 123
    assert meta["seed"] == 7


def test_quality_below_threshold_fails_the_blocking_check_and_stops_the_release(
    make_config, adult_dataset
):
    path = make_config(adult_dataset("adult", quality_threshold=1.0))
    result = materialize(path, raise_on_error=False)
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    quality = evaluations["quality_above_threshold"]
    assert quality.metadata["overall_score"].value < 1.0
    assert not quality.passed and "< threshold 1" in quality.description
    assert not result.success  # a failed blocking check fails its step, so the run fails
    materialized = {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}
    assert "quality_report" in materialized
    assert "release" not in materialized and "quality_dashboard" not in materialized


def test_missing_column_in_config_fails_raw_source_with_a_clear_error(make_config, adult_dataset):
    path = make_config(adult_dataset("adult", target="salary"))
    result = materialize(path, "adult/raw_source", raise_on_error=False)
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    message = failure.step_failure_data.error.cause.message
    assert "dataset 'adult'" in message and "field 'target'" in message


def test_neural_method_gets_the_compute_settings(make_config, adult_dataset):
    path = make_config(adult_dataset("adult", method="tvae", method_params={"epochs": 1}))
    result = materialize(
        path,
        "*adult/synthesis_model",
        resources={"compute": ComputeResource(device="cpu", batch_size=100)},
    )
    materialized = {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}
    # the split is subsettable: selecting the model's upstream skips the holdout
    assert materialized == {"raw_source", "training_data", "inferred_schema", "synthesis_model"}
    meta = metadata_of(result, "synthesis_model")
    assert meta["method"] == "tvae"
    assert meta["params"]["device"] == "cpu" and meta["params"]["batch_size"] == 100


def test_release_refuses_reports_of_another_version(make_config):
    """A version regenerated without re-scoring is not released with the old reports."""
    path = make_config()
    with dg.instance_for_test() as instance:
        assert materialize(path, instance=instance).success
        stages = [dg.AssetKey(["adult", s]) for s in ("synthetic_dataset", "release")]
        result = materialize(
            path,
            stages,
            instance=instance,
            raise_on_error=False,
            run_config={"ops": {"adult__synthetic_dataset": {"config": {"seed": 5}}}},
        )
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    message = failure.step_failure_data.error.cause.message
    assert "describe another synthetic version" in message and "materialize them" in message
