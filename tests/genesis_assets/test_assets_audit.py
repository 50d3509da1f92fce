"""The privacy_audit asset and its blocking check, materialized in-process on small Adult tables."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from genesis_assets.config import ConfigError, load_config
from genesis_assets.factory import build_definitions

#: the audit and everything upstream of it (the rest of the chain is other tests' business)
AUDIT_STAGES = dg.AssetSelection.assets(["adult", "privacy_audit"]).upstream()


def _materialize(config_path: Path, extra: list | None = None, replace: dict | None = None):
    defs = build_definitions(load_config(config_path))
    assets = [*defs.assets, *defs.asset_checks]
    if replace:
        assets = [
            a
            for a in assets
            if not (isinstance(a, dg.AssetsDefinition) and set(a.keys) & set(replace))
        ]
        assets += list(replace.values())
    return dg.materialize(
        [*assets, *(extra or [])],
        resources=defs.resources,
        instance=dg.DagsterInstance.ephemeral(),
        selection=AUDIT_STAGES | dg.AssetSelection.assets(*(e.key for e in extra or [])),
        raise_on_error=False,
    )


def _audit_metadata(result) -> dict:
    (event,) = [
        e.materialization
        for e in result.get_asset_materialization_events()
        if e.materialization.asset_key == dg.AssetKey(["adult", "privacy_audit"])
    ]
    return {k: v.value for k, v in event.metadata.items()}


def test_clean_model_passes_the_audit_and_writes_the_report(make_config, adult_dataset):
    path = make_config(adult_dataset("adult", quasi_identifiers=["age", "sex", "race"]))
    result = _materialize(path)
    assert result.success
    meta = _audit_metadata(result)
    assert meta["passed"] is True
    assert meta["overall_risk"] in ("LOW", "MEDIUM")
    assert meta["privacy_verdict"].startswith(meta["overall_risk"])
    for name in ("membership_inference", "attribute_inference/income", "reidentification"):
        assert f"{name}/risk" in meta and f"{name}/level" in meta
    assert meta["report_html"] == "http://127.0.0.1:8765/adult/privacy_audit.html"
    page = Path(meta["report_html_path"]).read_text()
    assert page.startswith("<!DOCTYPE html>") and "PASSED" in page
    report = json.loads((Path(meta["report_html_path"]).parent / "privacy_audit.json").read_text())
    assert report["passed"] is True
    (check,) = [
        e for e in result.get_asset_check_evaluations() if e.check_name == "privacy_audit_passed"
    ]
    assert check.passed


def test_failed_audit_fails_the_blocking_check_and_stops_downstream(make_config, adult_dataset):
    path = make_config(adult_dataset("adult", quasi_identifiers=["age", "sex", "race"]))
    published = []

    # a leaky generator: half of its rows are verbatim training rows, the rest from the model
    @dg.asset(
        key=["adult", "synthetic_dataset"],
        ins={
            "synthesis_model": dg.AssetIn(key=["adult", "synthesis_model"]),
            "training_data": dg.AssetIn(key=["adult", "training_data"]),
        },
        group_name="adult",
        io_manager_key="iceberg_io_manager",
    )
    # stored by the project's Iceberg IO manager, as the real stage is
    def synthetic_dataset(synthesis_model, training_data: pd.DataFrame) -> pd.DataFrame:
        half = len(training_data) // 2
        copied = training_data.sample(n=half, random_state=0)
        return pd.concat(
            [copied, synthesis_model.generate(len(training_data) - half)], ignore_index=True
        )

    @dg.asset(key=["adult", "published"], deps=[dg.AssetKey(["adult", "privacy_audit"])])
    def publish() -> None:
        published.append(True)

    result = _materialize(
        path,
        extra=[publish],
        replace={dg.AssetKey(["adult", "synthetic_dataset"]): synthetic_dataset},
    )
    meta = _audit_metadata(result)
    assert meta["passed"] is False
    assert meta["overall_risk"] in ("HIGH", "CRITICAL")
    (check,) = [
        e for e in result.get_asset_check_evaluations() if e.check_name == "privacy_audit_passed"
    ]
    assert not check.passed
    assert check.metadata["overall_risk"].value == meta["overall_risk"]
    assert not result.success
    materialized = {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}
    assert "privacy_audit" in materialized
    assert "published" not in materialized and not published
    assert "FAILED" in Path(meta["report_html_path"]).read_text()


def test_privacy_max_risk_is_validated(make_config, adult_dataset):
    with pytest.raises(ConfigError, match="privacy_max_risk"):
        load_config(make_config(adult_dataset("adult", privacy_max_risk="SEVERE")))
    config = load_config(make_config(adult_dataset("adult", privacy_max_risk="HIGH")))
    assert config.datasets[0].privacy_max_risk == "HIGH"


def test_attack_table_is_short_rounded_and_clipped_at_zero():
    from genesis_assets.audit_assets import attack_table, audit_metadata

    attack = {
        "name": "attribute_inference:income",
        "risk": -0.0213456,
        "risk_ci": [-0.3, 0.5271],
        "risk_level": "LOW",
        "upper_level": "CRITICAL",
        "inconclusive": True,
        "interpretation": "a long sentence that used to wrap letter by letter",
    }
    report = {"overall_risk": "LOW", "passed": True, "max_risk_level": "MEDIUM",
              "membership_result": {**attack, "name": "membership_inference"},
              "attribute_results": {"income": attack}, "reidentification_result": None}  # fmt: skip
    table = attack_table(report)
    assert table.splitlines()[:2] == ["| attack | risk | 95% CI | level |", "|---|---|---|---|"]
    assert "| attribute income | 0.000 | 0.000 – 0.527 | LOW, up to CRITICAL |" in table
    assert "-0." not in table and "letter by letter" not in table
    assert "shown as 0" in table
    meta = audit_metadata(report)
    assert meta["privacy_verdict"].startswith("LOW — inconclusive: up to CRITICAL")
    assert meta["inconclusive_attacks"] == "membership_inference, attribute_inference:income"
