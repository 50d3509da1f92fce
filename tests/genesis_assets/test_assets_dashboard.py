"""``quality_dashboard``: one HTML report per synthetic version; the privacy audit, drift report
and release it shows are real inputs, shown only when they describe the same version."""

from __future__ import annotations

import json
import re
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from genesis_assets.config import load_config
from genesis_assets.dashboard_assets import build_dashboard_assets
from genesis_assets.factory import build_definitions
from tests.genesis_assets.project import materialize, metadata_of


def test_dashboard_takes_what_it_shows_as_inputs(chain):
    node = chain.defs.resolve_asset_graph().get(dg.AssetKey(["adult", "quality_dashboard"]))
    assert node.group_name == "adult"
    parents = {k.path[-1] for k in node.parent_keys}
    assert parents == {
        "training_data", "holdout_data", "synthetic_dataset", "quality_report",
        "privacy_audit", "drift_report", "release",
    }  # fmt: skip
    assert not node.child_keys
    (dashboard,) = [
        a for a in chain.defs.assets if dg.AssetKey(["adult", "quality_dashboard"]) in a.keys
    ]
    assert {"privacy_audit", "drift_report", "release"} <= set(dashboard.keys_by_input_name)


def test_dashboard_writes_the_html_and_links_it_over_http(chain):
    meta = chain.metadata("quality_dashboard")
    path = Path(meta["url_path"])
    assert path.parent == chain.folder / "artifacts" / "adult" / "quality_dashboard"
    assert path.name == f"{meta['snapshot_id']}.html"
    assert meta["url"] == f"http://127.0.0.1:8765/adult/quality_dashboard/{path.name}"
    page = path.read_text()
    assert page.startswith("<!DOCTYPE html>") and "Can this be shared?" in page
    assert page.count("plotly-graph-div") == meta["figures"]
    quality = json.loads((chain.folder / "artifacts" / "adult" / "quality_report.json").read_text())
    assert meta["overall_score"] == pytest.approx(quality["overall_score"], abs=1e-4)
    # the stored report carries per-column detection through to the page (issue 13.4)
    assert all(d["detection_auc"] is not None for d in quality["column_details"])
    assert 'data-key="column_detection"' in page and 'id="giveaways"' in page
    listed = re.findall(r"<li><b>(.*?)</b>: detection AUC", page)
    assert listed == quality["giveaway_columns"]
    audit = json.loads((chain.folder / "artifacts" / "adult" / "privacy_audit.json").read_text())
    assert meta["privacy_section"] == "audit" and meta["privacy_passed"] is audit["passed"]
    assert 'id="attacks"' in page and "membership_inference" in page
    assert meta["drift_section"] == "shown" and 0.0 <= meta["observed_drift_share"] <= 1.0
    assert "<h2>Drift</h2>" in page


def test_without_privacy_drift_and_release_the_report_still_builds(make_config):
    from genesis_assets.quality_assets import build_quality_assets
    from genesis_assets.source_assets import build_source_assets
    from genesis_assets.synthesis_assets import build_synthesis_assets

    config = load_config(make_config())
    ds = config.datasets[0]
    core = [*build_source_assets(ds), *build_synthesis_assets(ds), *build_quality_assets(ds)]
    (dashboard,) = build_dashboard_assets(ds, core)
    assert {k.path[-1] for k in dashboard.asset_deps[dashboard.key]} == {
        "training_data", "holdout_data", "synthetic_dataset", "quality_report",
    }  # fmt: skip
    result = dg.materialize(
        [a for a in core if isinstance(a, dg.AssetsDefinition)] + [dashboard],
        resources=build_definitions(config).resources,
        instance=dg.DagsterInstance.ephemeral(),
    )
    meta = metadata_of(result, "quality_dashboard")
    assert meta["privacy_section"] == "quality figures only"
    assert meta["drift_section"] == "absent" and "share_verdict" not in meta
    assert "Can this be shared?" in Path(meta["url_path"]).read_text()


def test_a_new_synthetic_version_gets_its_own_report_without_the_old_audit(make_config):
    path = make_config()
    with dg.instance_for_test() as instance:
        first = materialize(path, instance=instance)
        # the new version's own audit may fail its blocking check (seed-dependent), so this
        # rerun regenerates and reports only: the stored audit describes the first version
        rerun = materialize(
            path,
            [
                dg.AssetKey(["adult", s])
                for s in ("synthetic_dataset", "quality_report", "quality_dashboard")
            ],
            instance=instance,
            run_config={"ops": {"adult__synthetic_dataset": {"config": {"seed": 11}}}},
        )
    old, new = metadata_of(first, "quality_dashboard"), metadata_of(rerun, "quality_dashboard")
    assert old["snapshot_id"] != new["snapshot_id"]
    assert new["privacy_section"] == "quality figures only"
    assert new["drift_section"] == "absent" and "share_verdict" not in new
    written = {p.stem for p in Path(new["url_path"]).parent.iterdir()}
    assert {old["snapshot_id"], new["snapshot_id"]} <= written


def test_stand_in_reports_for_the_same_version_are_shown(make_config):
    """Stand-ins stamped with the synthetic version's snapshot id are shown by the dashboard."""
    from genesis_resources.iceberg import snapshot_of

    path = make_config()
    ds = load_config(path).datasets[0]
    synthetic = dg.AssetIn(key=["adult", "synthetic_dataset"])

    @dg.asset(key=["adult", "privacy_audit"], group_name="adult", ins={"synthetic": synthetic})
    def privacy_audit(synthetic: pd.DataFrame) -> dict:
        return {
            "overall_risk": "low",
            "passed": True,
            "attacks": [{"name": "membership_inference", "risk": 0.01}],
            "snapshot_id": snapshot_of(synthetic),
        }

    @dg.asset(key=["adult", "drift_report"], group_name="adult", ins={"synthetic": synthetic})
    def drift_report(synthetic: pd.DataFrame) -> dict:
        return {
            "share": 0.2,
            "dataset_drift": False,
            "columns": [{"column": "age", "drifted": True}],
            "snapshot_id": snapshot_of(synthetic),
        }

    (dashboard,) = build_dashboard_assets(ds, [privacy_audit, drift_report])
    defs = build_definitions(load_config(path))
    upstream = {"raw_source", "training_data", "inferred_schema", "synthesis_model",
                "synthetic_dataset", "quality_report"}  # fmt: skip
    keep = [a for a in defs.assets if {k.path[-1] for k in a.keys} & upstream]
    result = dg.materialize(
        [*keep, privacy_audit, drift_report, dashboard],
        resources=defs.resources,
        instance=dg.DagsterInstance.ephemeral(),
    )
    meta = metadata_of(result, "quality_dashboard")
    assert meta["privacy_section"] == "audit" and meta["privacy_passed"] is True
    assert meta["drift_section"] == "shown" and meta["observed_drift_share"] == 0.2
    page = Path(meta["url_path"]).read_text()
    assert "Privacy audit passed." in page and "<h2>Drift</h2>" in page
