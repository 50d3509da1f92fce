"""A federated dataset (``sites:`` in genesis.yaml) materialized on a real Dagster instance:
every site partition of every round, the plans between them, the model from the aggregate,
the synthetic table, each site's quality and privacy audit and the dashboard; the site
assets' metadata and stored messages carry no rows; bad configurations are refused."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd
import pytest
import yaml

from genesis.errors import ConfigError
from genesis_assets.config import load_config
from genesis_assets.factory import build_definitions
from tests.leakage import leaked_rows

SITES = ("north", "south")
ORDER = ("site_support", "marginals_plan", "site_marginals", "correlation_plan",
         "site_statistics", "synthesis_model", "synthetic_dataset", "site_quality",
         "site_privacy", "federated_dashboard")  # fmt: skip
PARTITIONED = {"site_support", "site_marginals", "site_statistics", "site_quality", "site_privacy"}


def write_config(folder: Path, sites: dict[str, pd.DataFrame] | None, **dataset) -> Path:
    entries = []
    for name, rows in (sites or {}).items():
        rows.to_csv(folder / f"{name}.csv", index=False)
        entries.append({"name": name, "source": f"{name}.csv"})
    entry = {"name": "clinics", "sites": entries, "target": "income",
             "sensitive_columns": ["income"], "quasi_identifiers": ["age", "sex", "race"],
             "federated": {"epsilon": 4.0, "delta": 1e-5, "secure": True}, **dataset}  # fmt: skip
    document = {"storage": {"root": "artifacts"}, "executor": "in_process", "datasets": [entry]}
    path = folder / "genesis.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def site_frames(adult_df) -> dict[str, pd.DataFrame]:
    sample = adult_df.sample(n=1200, random_state=0).reset_index(drop=True)
    # non-IID: the sites differ in their mix of sexes
    north = pd.concat([sample[sample["sex"] == "Male"].iloc[:450],
                       sample[sample["sex"] == "Female"].iloc[:150]])  # fmt: skip
    south = sample.drop(north.index)
    return {"north": north.reset_index(drop=True), "south": south.reset_index(drop=True)}


@pytest.fixture(scope="module")
def project(tmp_path_factory, site_frames):
    folder = tmp_path_factory.mktemp("federated")
    config = write_config(folder, site_frames)
    defs = build_definitions(load_config(config))
    events = {}
    with dg.instance_for_test() as instance:
        for stage in ORDER:
            keys = [None] if stage not in PARTITIONED else list(SITES)
            for partition in keys:
                result = dg.materialize(
                    list(defs.assets), resources=defs.resources, instance=instance,
                    selection=[dg.AssetKey(["clinics", stage])], partition_key=partition,
                )  # fmt: skip
                assert result.success
                (event,) = result.get_asset_materialization_events()
                events[(stage, partition)] = {
                    k: v.value for k, v in event.materialization.metadata.items()
                }
        yield folder, events, instance


def test_every_partition_and_the_chain_are_materialized(project):
    folder, events, instance = project
    for stage in PARTITIONED:
        partitions = instance.get_materialized_partitions(dg.AssetKey(["clinics", stage]))
        assert partitions == set(SITES), stage
    model = events[("synthesis_model", None)]
    assert model["sites"] == 2 and model["secure"] is True and model["epsilon"] == 4.0
    synthetic = pd.read_parquet(folder / "artifacts/clinics/synthetic_dataset.parquet")
    assert len(synthetic) == events[("synthetic_dataset", None)]["dagster/row_count"] > 800
    assert set(synthetic["site"]) == set(SITES)
    for site in SITES:
        quality = events[("site_quality", site)]
        assert 0.5 < quality["quality_score"] <= 1 and quality["holdout_rows"] == 120
        assert events[("site_privacy", site)]["overall_risk"] in {
            "LOW", "MEDIUM", "HIGH", "CRITICAL"}  # fmt: skip
    dashboard = events[("federated_dashboard", None)]["dashboard"]
    assert "## Site north" in dashboard and "## Site south" in dashboard


def test_the_sites_share_statistics_never_rows(project, site_frames):
    folder, events, _ = project
    for (stage, site), metadata in events.items():
        if site is not None:
            assert leaked_rows(str(metadata), site_frames[site]) == [], (stage, site)
    for site, rows in site_frames.items():
        for phase in ("support", "marginals", "correlation"):
            text = (folder / f"artifacts/clinics/federation/{phase}/{site}.json").read_text()
            assert leaked_rows(text, rows) == [], (phase, site)
    # secure: the aggregator's files hold masked vectors, not the site's counts
    marginals = (folder / "artifacts/clinics/federation/marginals/north.json").read_text()
    assert '"masked"' in marginals and '"vector"' not in marginals


@pytest.mark.parametrize(
    ("sites", "federated", "expected"),
    [
        (("north",), None, "a federation needs at least 2"),
        (("north", "south"), {"epsilon": 0.0}, "epsilon must be a positive number"),
        (("north", "south"), {"epsilon": -1.0}, "epsilon must be a positive number"),
        (("north", "north"), None, "used by another site"),
    ],
)
def test_bad_configurations_are_refused(tmp_path, site_frames, sites, federated, expected):
    frames = {name: site_frames["north"] for name in set(sites)}
    path = write_config(tmp_path, frames, **({"federated": federated} if federated else {}))
    document = yaml.safe_load(path.read_text())
    document["datasets"][0]["sites"] = [{"name": s, "source": f"{s}.csv"} for s in sites]
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(ConfigError, match=expected):
        load_config(path)


def test_a_missing_site_source_is_refused(tmp_path, site_frames):
    path = write_config(tmp_path, site_frames)
    (tmp_path / "south.csv").unlink()
    with pytest.raises(ConfigError, match=r"site 'south': file .*south.csv' does not exist"):
        load_config(path)


def test_two_federations_and_a_single_table_load_together(tmp_path, site_frames, small_adult):
    """Different site lists are different partitions definitions: the code location still
    loads, and ``materialize_all`` leaves the federated assets to a backfill of their group."""
    path = write_config(tmp_path, site_frames)
    small_adult.to_csv(tmp_path / "small.csv", index=False)
    document = yaml.safe_load(path.read_text())
    other = {**document["datasets"][0], "name": "banks"}
    other["sites"] = [
        {"name": "east", "source": "north.csv"},
        {"name": "west", "source": "south.csv"},
    ]
    document["datasets"] += [other, {"name": "adult", "source": "small.csv", "method": "cart"}]
    path.write_text(yaml.safe_dump(document))
    defs = build_definitions(load_config(path))
    dg.Definitions.validate_loadable(defs)
    job = defs.resolve_job_def("materialize_all")
    keys = {k.to_user_string() for k in job.asset_layer.executable_asset_keys}
    assert "adult/synthetic_dataset" in keys
    assert not {k for k in keys if k.startswith(("clinics/", "banks/"))}
    partitions = {
        a.key.to_user_string(): a.partitions_def.get_partition_keys()
        for a in defs.assets
        if a.partitions_def is not None
    }
    assert partitions["clinics/site_statistics"] == ["north", "south"]
    assert partitions["banks/site_statistics"] == ["east", "west"]


def test_the_commented_example_of_genesis_yaml_loads(tmp_path):
    """The commented ``branches`` entry of the project's genesis.yaml, uncommented: two sites
    of the packaged Adult sample, one partition each."""
    from genesis_assets.config import DEFAULT_CONFIG_PATH

    lines = DEFAULT_CONFIG_PATH.read_text().splitlines()
    start = lines.index("  # - name: branches")
    block = []
    for line in lines[start:]:
        if not line.startswith("  #"):
            break
        block.append("  " + line[len("  # ") :].split(" # ")[0])
    (entry,) = yaml.safe_load("\n".join(block))
    root = DEFAULT_CONFIG_PATH.parent
    entry["sites"] = [{**s, "source": str(root / s["source"])} for s in entry["sites"]]
    path = tmp_path / "genesis.yaml"
    path.write_text(yaml.safe_dump({"storage": {"root": "artifacts"}, "datasets": [entry]}))
    (dataset,) = load_config(path).datasets
    assert dataset.is_federated and [s.name for s in dataset.sites] == ["north", "south"]
    assert dataset.federated.epsilon == 4.0 and dataset.federated.secure
    defs = build_definitions(load_config(path))
    statistics = next(
        a for a in defs.assets if a.key == dg.AssetKey(["branches", "site_statistics"])
    )
    assert statistics.partitions_def.get_partition_keys() == ["north", "south"]


def test_the_assets_run_the_library_protocol(tmp_path, site_frames):
    """Without secure aggregation the rounds are exact: the model the assets build from the
    stored messages is the one FederatedGenerator builds from the same sites' rows."""
    from genesis.federated import DataSite, FederatedGenerator, ModelAggregator, SiteConfig
    from genesis.splits import split_holdout
    from genesis_resources import GenesisIOManager, LocalArtifactStore

    config = write_config(tmp_path, site_frames, federated={"secure": False})
    defs = build_definitions(load_config(config))
    with dg.instance_for_test() as instance:
        for stage in ORDER[: ORDER.index("synthesis_model") + 1]:
            for partition in list(SITES) if stage in PARTITIONED else [None]:
                assert dg.materialize(
                    list(defs.assets), resources=defs.resources, instance=instance,
                    selection=[dg.AssetKey(["clinics", stage])], partition_key=partition,
                ).success  # fmt: skip
    store = LocalArtifactStore(root=str(tmp_path / "artifacts"))
    model = GenesisIOManager(artifact_store=store).load_stage("clinics", "synthesis_model")
    generator = FederatedGenerator(ModelAggregator(seed=0))
    for site in SITES:
        training, _ = split_holdout(pd.read_csv(tmp_path / f"{site}.csv"), 0.2, 0)
        generator.add_site(DataSite(site, training, SiteConfig(site, seed=1)))
    generator.train()
    ours, library = np.asarray(model.correlation_), np.asarray(generator.model_.correlation_)
    assert ours.shape == library.shape and ours.shape[0] > 10
    assert np.abs(ours - library).max() < 1e-9


def test_a_site_that_has_not_answered_stops_the_plan(tmp_path, site_frames):
    config = write_config(tmp_path, site_frames)
    defs = build_definitions(load_config(config))
    with dg.instance_for_test() as instance:
        run = dict(assets=list(defs.assets), resources=defs.resources, instance=instance)
        assert dg.materialize(
            **run, selection=[dg.AssetKey(["clinics", "site_support"])], partition_key="north"
        ).success
        result = dg.materialize(
            **run, selection=[dg.AssetKey(["clinics", "marginals_plan"])], raise_on_error=False
        )
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    error = failure.step_failure_data.error
    text = "\n".join(e.message for e in (error, error.cause) if e is not None)
    assert "site(s) ['south'] have not answered the support round" in text


def test_a_sites_privacy_budget_holds_across_runs(tmp_path, site_frames):
    """privacy_budget: each run's epsilon goes into the site's ledger when its statistics
    leave; a run that would take a site past its budget fails before any statistic leaves."""
    federated = {"epsilon": 4.0, "privacy_budget": 6.0, "secure": True}
    config = write_config(tmp_path, site_frames, federated=federated)
    defs = build_definitions(load_config(config))
    with dg.instance_for_test() as instance:
        run = dict(assets=list(defs.assets), resources=defs.resources, instance=instance)
        select = [dg.AssetKey(["clinics", "site_support"])]
        assert dg.materialize(**run, selection=select, partition_key="north").success
        ledger = tmp_path / "artifacts" / "clinics" / "federation" / "north.ledger.json"
        (entry,) = json.loads(ledger.read_text())["entries"]
        assert entry["epsilon"] == 4.0 and entry["run_id"]
        again = dg.materialize(**run, selection=select, partition_key="north", raise_on_error=False)
        assert not again.success
        (failure,) = [e for e in again.all_events if e.is_step_failure]
        cause = failure.step_failure_data.error.cause
        assert cause.cls_name == "PrivacyBudgetExceededError" and "2 remaining" in cause.message
        # the other site keeps its own budget
        assert dg.materialize(**run, selection=select, partition_key="south").success
    assert len(json.loads(ledger.read_text())["entries"]) == 1


@pytest.mark.parametrize("budget", [0.0, -1.0])
def test_a_bad_privacy_budget_is_refused(tmp_path, site_frames, budget):
    config = write_config(
        tmp_path, site_frames, federated={"epsilon": 1.0, "privacy_budget": budget}
    )
    with pytest.raises(ConfigError, match="privacy_budget"):
        load_config(config)
