"""``quality_dashboard``: one HTML report per synthetic version, optional privacy and drift."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from genesis_assets.config import load_config
from genesis_assets.dashboard_assets import build_dashboard_assets
from genesis_assets.factory import build_definitions


def _materialize(defs: dg.Definitions, selection: str = "*", extra=(), run_config=None):
    return dg.materialize(
        [*defs.assets, *defs.asset_checks, *extra],
        resources=defs.resources,
        instance=dg.DagsterInstance.ephemeral(),
        selection=selection,
        run_config=run_config,
    )


def _metadata(result, dataset: str = "adult") -> dict:
    (event,) = result.asset_materializations_for_node(f"{dataset}__quality_dashboard")
    return {k: v.value for k, v in event.metadata.items()}


@pytest.fixture(scope="module")
def chain(tmp_path_factory, small_adult, adult_dataset):
    import yaml

    folder = tmp_path_factory.mktemp("dashboard_chain")
    small_adult.to_csv(folder / "small.csv", index=False)
    document = {"storage": {"root": "artifacts"}, "datasets": [adult_dataset("adult")]}
    (folder / "genesis.yaml").write_text(yaml.safe_dump(document))
    defs = build_definitions(load_config(folder / "genesis.yaml"))
    return folder, defs, _materialize(defs)


def test_dashboard_is_the_last_stage_of_each_chain(chain):
    _, defs, _ = chain
    graph = defs.resolve_asset_graph()
    node = graph.get(dg.AssetKey(["adult", "quality_dashboard"]))
    assert node.group_name == "adult"
    parents = {k.path[-1] for k in node.parent_keys}
    assert {"training_data", "holdout_data", "synthetic_dataset", "quality_report"} <= parents
    assert not node.child_keys


def test_dashboard_writes_the_html_and_links_it(chain):
    folder, defs, result = chain
    assert result.success
    meta = _metadata(result)
    path = Path(meta["path"])
    assert path.parent == folder / "artifacts" / "adult" / "quality_dashboard"
    assert path.name == f"{meta['synthetic_version']}.html"
    assert meta["url"] == path.resolve().as_uri()
    page = path.read_text()
    assert page.startswith("<!DOCTYPE html>") and "Can this be shared?" in page
    assert page.count("plotly-graph-div") == meta["figures"]
    quality = json.loads((folder / "artifacts" / "adult" / "quality_report.json").read_text())
    assert meta["overall_score"] == pytest.approx(quality["overall_score"], abs=1e-4)
    assert "ml_utility_ratio" in meta and meta["verdict"].split(":")[0] in {"good", "fair", "poor"}
    stages = {k.path[-1] for a in defs_assets(chain) for k in a.keys}
    if "privacy_audit" in stages:  # the chain's own audit, stored as JSON by the IO manager
        audit = json.loads((folder / "artifacts" / "adult" / "privacy_audit.json").read_text())
        assert meta["privacy_section"] == "audit"
        assert meta["privacy_passed"] is audit["passed"]
        assert 'id="attacks"' in page and "membership_inference" in page
    if "drift_report" in stages:
        assert meta["drift_section"] == "shown" and 0.0 <= meta["drift_share"] <= 1.0
        assert "<h2>Drift</h2>" in page


def defs_assets(chain) -> list:
    return list(chain[1].assets)


def test_without_privacy_and_drift_stages_the_report_still_builds(make_config):
    from genesis_assets.quality_assets import build_quality_assets
    from genesis_assets.source_assets import build_source_assets
    from genesis_assets.synthesis_assets import build_synthesis_assets

    config = load_config(make_config())
    ds = config.datasets[0]
    core = [*build_source_assets(ds), *build_synthesis_assets(ds), *build_quality_assets(ds)]
    (dashboard,) = build_dashboard_assets(ds, core)
    assert {k.path[-1] for k in dashboard.asset_deps[dashboard.key]} == {
        "training_data",
        "holdout_data",
        "synthetic_dataset",
        "quality_report",
    }
    resources = build_definitions(config).resources
    result = dg.materialize(
        [a for a in core if isinstance(a, dg.AssetsDefinition)] + [dashboard],
        resources=resources,
        instance=dg.DagsterInstance.ephemeral(),
    )
    meta = _metadata(result)
    assert meta["privacy_section"] == "quality figures only"
    assert meta["drift_section"] == "absent"
    assert "privacy_passed" not in meta and "drift_share" not in meta
    assert "Can this be shared?" in Path(meta["path"]).read_text()


def test_a_new_synthetic_version_gets_its_own_report(chain):
    folder, defs, first = chain
    # the new version's own privacy audit may fail its blocking check (seed-dependent), so
    # this rerun regenerates and reports only
    rerun = _materialize(
        defs,
        selection=[
            dg.AssetKey(["adult", stage])
            for stage in ("synthetic_dataset", "quality_report", "quality_dashboard")
        ],
        run_config={"ops": {"adult__synthetic_dataset": {"config": {"seed": 11}}}},
    )
    versions = {_metadata(first)["synthetic_version"], _metadata(rerun)["synthetic_version"]}
    assert len(versions) == 2
    # the stored audit and drift report describe the first version: not shown for the new one
    assert _metadata(rerun)["privacy_section"] == "quality figures only"
    assert _metadata(rerun)["drift_section"] == "absent"
    written = {p.stem for p in (folder / "artifacts" / "adult" / "quality_dashboard").iterdir()}
    assert versions <= written


def test_privacy_and_drift_stages_are_shown_when_the_chain_has_them(make_config):
    defs = build_definitions(load_config(make_config()))
    ds = load_config(make_config()).datasets[0]

    from genesis.io import fingerprint

    # stand-ins with the stage names of the privacy and drift stages; they store dicts like
    # theirs, stamped with the synthetic version they describe
    synthetic = dg.AssetIn(key=["adult", "synthetic_dataset"])

    @dg.asset(key=["adult", "privacy_audit"], group_name="adult", ins={"synthetic": synthetic})
    def privacy_audit(synthetic: pd.DataFrame) -> dict:
        return {
            "overall_risk": "low",
            "passed": True,
            "attacks": [{"name": "membership_inference", "risk": 0.01}],
            "synthetic_version": fingerprint(synthetic)[:16],
        }

    @dg.asset(key=["adult", "drift_report"], group_name="adult", ins={"synthetic": synthetic})
    def drift_report(synthetic: pd.DataFrame) -> dict:
        return {
            "share": 0.2,
            "dataset_drift": False,
            "columns": [{"column": "age", "drifted": True}],
            "synthetic_version": fingerprint(synthetic)[:16],
        }

    (dashboard,) = build_dashboard_assets(ds, [privacy_audit, drift_report])
    replaced = {dashboard.key, privacy_audit.key, drift_report.key}
    assets = [a for a in defs.assets if not set(a.keys) & replaced]
    result = dg.materialize(
        [*assets, privacy_audit, drift_report, dashboard],
        resources=defs.resources,
        instance=dg.DagsterInstance.ephemeral(),
    )
    meta = _metadata(result)
    assert meta["privacy_section"] == "audit" and meta["privacy_passed"] is True
    assert meta["drift_section"] == "shown" and meta["drift_share"] == 0.2
    page = Path(meta["path"]).read_text()
    assert "Privacy audit passed." in page and "<h2>Drift</h2>" in page
    parents = {k.path[-1] for k in dashboard.asset_deps[dashboard.key]}
    assert {"privacy_audit", "drift_report"} <= parents
