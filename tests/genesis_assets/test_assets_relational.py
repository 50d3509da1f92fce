"""The commented ``flights`` example of genesis.yaml (three nycflights13 tables: airlines, a
sample of planes, their flights and some orphan flights, packaged in
genesis_assets/data/nycflights13/) materialized on a real Dagster instance: one synthetic
asset per table, every table committed to Iceberg under one set id, the relational quality
report and the privacy audit on the root table joined with its children's aggregates."""

from __future__ import annotations

import stat
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
import yaml

from genesis.versioning import load_table_set, read_table_set
from genesis_assets.config import DEFAULT_CONFIG_PATH, load_config
from genesis_assets.resources import versioning_resource
from tests.genesis_assets.project import materialize, metadata_of

TABLES = ("airlines", "planes", "flights")


def example_entry() -> dict:
    """The commented ``flights`` dataset of the project's genesis.yaml, uncommented, its
    paths made absolute."""
    lines = DEFAULT_CONFIG_PATH.read_text().splitlines()
    start = lines.index("  # - name: flights")
    block = []
    for line in lines[start:]:
        if not line.startswith("  #"):
            break
        block.append("  " + line[len("  # ") :])
    (entry,) = yaml.safe_load("\n".join(block))
    root = DEFAULT_CONFIG_PATH.parent
    entry["tables"] = {t: str(root / p) for t, p in entry["tables"].items()}
    return entry


def write_config(folder: Path, file: str = "genesis.yaml", **overrides) -> Path:
    dataset = {**example_entry(), "name": "air", "seed": 0, **overrides}
    dataset = {k: v for k, v in dataset.items() if v is not None}
    document = {"storage": {"root": "artifacts"}, "executor": "in_process", "datasets": [dataset]}
    path = folder / file
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("relational")
    config = write_config(folder)
    real = {t: pd.read_csv(p) for t, p in example_entry()["tables"].items()}
    with dg.instance_for_test() as instance:
        result = materialize(config, instance=instance)
        yield folder, config, result, instance, real


def failure_text(result) -> str:
    """Every failed step's error with its causes (the user's exception is a cause)."""
    texts = []
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            while error is not None:
                texts.append(error.message)
                error = error.cause
    return "\n".join(texts)


def synthetic_events(instance) -> dict[str, dg.AssetMaterialization]:
    return {
        t: instance.get_latest_materialization_event(
            dg.AssetKey(["air", f"synthetic_{t}"])
        ).asset_materialization
        for t in TABLES
    }


def repositories(config: Path) -> dict:
    versioning = versioning_resource(load_config(config))
    return {t: versioning.repository(f"air__{t}") for t in TABLES}


def test_the_example_is_the_packaged_nycflights13_sample(tmp_path):
    entry = example_entry()
    assert entry["name"] == "flights" and entry["root"] == "planes"
    path = tmp_path / "genesis.yaml"
    path.write_text(yaml.safe_dump({"datasets": [entry]}, sort_keys=False))
    (ds,) = load_config(path).datasets
    assert ds.is_relational and set(ds.tables) == set(TABLES)
    flights = pd.read_csv(ds.tables["flights"])
    planes = pd.read_csv(ds.tables["planes"])
    assert len(planes) == 100 and (~flights["tailnum"].isin(planes["tailnum"])).sum() == 20


def test_chain_materializes_one_asset_per_table(project):
    folder, _, result, _, real = project
    assert result.success
    stored = {p.name for p in (folder / "artifacts" / "air").iterdir()}
    for table in TABLES:
        assert {f"raw_{table}.parquet", f"synthetic_{table}.parquet"} <= stored
    assert {"relational_model.model", "relational_schema.json", "privacy_audit.html",
            "privacy_audit.json", "relational_quality_report.json"} <= stored  # fmt: skip
    modes = {
        p.name: stat.S_IMODE(p.stat().st_mode)
        for p in (folder / "artifacts" / "air").iterdir()
        if p.is_file()
    }
    for name in ("raw_planes.parquet", "raw_flights.parquet", "relational_model.model"):
        assert modes[name] == 0o600, name  # real values: owner-only
    assert modes["synthetic_flights.parquet"] == 0o644
    for table in TABLES:
        shape = metadata_of(result, f"synthetic_{table}", "air")
        assert shape["columns"] == real[table].shape[1]
        assert shape["dagster/row_count"] > 0


def test_every_table_committed_to_iceberg_under_one_set_id(project):
    _, config, result, instance, _ = project
    repos = repositories(config)
    manifest = read_table_set(repos["planes"], "air")
    events = synthetic_events(instance)
    for table in TABLES:
        (commit,) = repos[table].log()  # one materialization, one snapshot per table
        assert manifest.snapshots[table] == commit.hash
        assert events[table].tags["dagster/data_version"] == commit.hash
        metadata = metadata_of(result, f"synthetic_{table}", "air")
        assert metadata["set_id"] == manifest.set_id
        assert metadata["snapshot_id"] == commit.hash
        assert commit.metadata["table_set"] == "air" and commit.metadata["method"] == "cart"
        assert repos[table].notes(commit.hash)["table_set"] == manifest.set_id
    # the versioned tables are the ones downstream stages read
    loaded = load_table_set(repos, "air")
    stored = Path(metadata_of(result, "synthetic_flights", "air")["path"])
    pd.testing.assert_frame_equal(
        loaded["flights"], pd.read_parquet(stored), check_dtype=False, check_like=True
    )
    for stage in ("privacy_audit", "relational_quality_report"):
        assert metadata_of(result, stage, "air")["set_id"] == manifest.set_id


def test_synthetic_foreign_keys_are_all_valid(project):
    _, _, result, _, _ = project
    flights = metadata_of(result, "synthetic_flights", "air")["foreign_keys_valid"]
    assert flights == {"flights.carrier->airlines": 1.0, "flights.tailnum->planes": 1.0}
    schema = metadata_of(result, "relational_schema", "air")
    assert schema["inferred"] is False and schema["audited_root"] == "planes"
    assert "| planes | tailnum | flights | tailnum |" in schema["relationships"]


def test_privacy_audit_runs_on_the_root_joined_with_child_aggregates(project):
    folder, _, result, instance, real = project
    audit = metadata_of(result, "privacy_audit", "air")
    assert audit["audited_table"] == "planes"
    rows = audit["audited_rows"]
    assert rows["training"] + rows["holdout"] == len(real["planes"])  # 20% families held out
    assert rows["holdout"] == round(0.2 * len(real["planes"]))
    assert audit["privacy_verdict"] and "membership_inference/risk" in audit
    import json

    stored = json.loads((folder / "artifacts" / "air" / "privacy_audit.json").read_text())
    assert "flights__tailnum__count" in stored["audited_columns"]
    assert "tailnum" not in stored["audited_columns"]  # keys are not compared
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    assert set(checks) == {"privacy_audit_passed", "relational_quality_above_threshold"}
    assert checks["privacy_audit_passed"].metadata["snapshot_id"].value == str(audit["snapshot_id"])


def test_relational_quality_report_metadata(project):
    folder, _, result, _, _ = project
    quality = metadata_of(result, "relational_quality_report", "air")
    assert 0.5 <= quality["score"] <= 1.0
    assert quality["integrity/flights.tailnum->planes"] == 1.0
    assert 0.0 <= quality["child_count_similarity/flights.tailnum->planes"] <= 1.0
    assert 0.0 <= quality["detection_auc/planes"] <= 1.0
    assert "Relational quality score" in quality["report"]  # the report's Markdown
    stored = folder / "artifacts" / "air" / "relational_quality_report.md"
    assert stored.read_text() == quality["report"]
    (check,) = [
        c
        for c in result.get_asset_check_evaluations()
        if c.check_name == "relational_quality_above_threshold"
    ]
    assert check.passed and check.metadata["score"].value == pytest.approx(
        quality["score"], abs=1e-3
    )


def test_rematerializing_commits_a_new_set_and_keeps_the_old(project):
    _, config, _, instance, _ = project
    repos = repositories(config)
    first = read_table_set(repos["planes"], "air")
    run_config = {"ops": {"air__synthetic_tables": {"config": {"seed": 7}}}}
    selection = [dg.AssetKey(["air", f"synthetic_{t}"]) for t in TABLES]
    result = materialize(config, selection, instance=instance, run_config=run_config)
    assert result.success
    second = read_table_set(repos["planes"], "air")
    assert second.set_id != first.set_id and second.metadata["seed"] == 7
    assert all(len(repos[t].log()) == 2 for t in ("planes", "flights"))
    older = load_table_set(repos, "air", first.set_id)
    assert older["planes"].attrs["snapshot_id"] == first.snapshots["planes"]


def test_relationships_are_inferred_when_omitted(tmp_path):
    config = write_config(tmp_path, relationships=None)
    result = materialize(config, [dg.AssetKey(["air", "relational_schema"])] + [
        dg.AssetKey(["air", f"raw_{t}"]) for t in TABLES])  # fmt: skip
    schema = metadata_of(result, "relational_schema", "air")
    assert schema["inferred"] is True
    assert "| planes | tailnum | flights | tailnum |" in schema["relationships"]
    assert "| airlines | carrier | flights | carrier |" in schema["relationships"]


def test_relationship_naming_a_missing_column_fails_the_schema_stage(tmp_path):
    bad = [{**example_entry()["relationships"][1], "child_key": "plane_id"}]
    config = write_config(tmp_path, relationships=bad)
    selection = [dg.AssetKey(["air", "relational_schema"]), dg.AssetKey(["air", "raw_flights"]),
                 dg.AssetKey(["air", "raw_planes"]), dg.AssetKey(["air", "raw_airlines"])]  # fmt: skip
    result = materialize(config, selection, raise_on_error=False)
    assert not result.success
    message = failure_text(result)
    assert "RelationalSchemaError" in message and "['plane_id']" in message
    assert "fix the child_key" in message


def test_audit_columns_are_checked_against_the_joined_root(project):
    folder, _, _, instance, _ = project
    config = write_config(folder, "bad.yaml", sensitive_columns=["no_such_column"])
    # the stored tables of the chain above, audited under the bad setting
    result = materialize(
        config, [dg.AssetKey(["air", "privacy_audit"])], instance=instance, raise_on_error=False
    )
    failures = [e for e in result.all_events if e.is_step_failure]
    assert [e.step_key for e in failures] == ["air__privacy_audit"]
    message = failure_text(result)
    assert "no_such_column" in message and "correct genesis.yaml" in message
    assert "root table 'planes' joined with its children's aggregates" in message


def test_quality_check_fails_below_the_threshold(project):
    folder, _, _, instance, _ = project
    config = write_config(folder, "strict.yaml", quality_threshold=0.999)
    key = dg.AssetKey(["air", "relational_quality_report"])
    result = materialize(config, [key], instance=instance, raise_on_error=False)
    (check,) = result.get_asset_check_evaluations()
    assert check.check_name == "relational_quality_above_threshold" and not check.passed
    assert "against the threshold 0.999; weakest part:" in check.description
