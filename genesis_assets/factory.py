"""Builds the code location from the configuration: one asset chain per dataset."""

from __future__ import annotations

import dagster as dg

from genesis_assets.audit_assets import build_audit_assets
from genesis_assets.config import DatasetConfig, GenesisConfig
from genesis_assets.dashboard_assets import build_dashboard_assets
from genesis_assets.deployment import executor_def
from genesis_assets.drift_assets import build_drift_assets
from genesis_assets.federated_assets import build_federated_assets
from genesis_assets.federated_review_assets import build_federated_review_assets
from genesis_assets.quality_assets import build_quality_assets
from genesis_assets.relational_assets import build_relational_assets
from genesis_assets.relational_review_assets import build_relational_review_assets
from genesis_assets.release_assets import build_release_assets
from genesis_assets.resources import build_resources
from genesis_assets.scale_assets import (
    build_scale_assets,
    build_scale_jobs,
    build_scale_sensors,
    scale_keys,
)
from genesis_assets.scenario_assets import build_scenario_assets
from genesis_assets.schedules import build_nightly_refresh
from genesis_assets.sensors import build_drift_sensor, dataset_asset_keys
from genesis_assets.source_assets import build_source_assets
from genesis_assets.stream_assets import (
    REFRESH_SELECTION,
    build_stream_assets,
    build_stream_jobs,
    stream_keys,
)
from genesis_assets.synthesis_assets import build_synthesis_assets


def build_dataset_assets(ds: DatasetConfig) -> dg.Definitions:
    """The assets and asset checks of one dataset, keyed ``[ds.name, stage]``, grouped ``ds.name``."""
    if ds.is_federated:  # sites keeping their rows (genesis_assets/federated_assets.py)
        return _definitions([*build_federated_assets(ds), *build_federated_review_assets(ds)])
    if ds.is_relational:  # several tables: their own chain (genesis_assets/relational_assets.py)
        return _definitions([*build_relational_assets(ds), *build_relational_review_assets(ds)])
    built = [*build_source_assets(ds), *build_synthesis_assets(ds), *build_quality_assets(ds)]
    built += build_audit_assets(ds)
    built += build_drift_assets(ds)
    built += build_release_assets(ds)
    built += build_scenario_assets(ds)
    # last: the dashboard shows the privacy, drift and release stages built before it
    built += build_dashboard_assets(ds, built)
    built += build_stream_assets(ds)
    built += build_scale_assets(ds)
    return _definitions(built)


def _definitions(built: list) -> dg.Definitions:
    return dg.Definitions(
        assets=[d for d in built if not isinstance(d, dg.AssetChecksDefinition)],
        asset_checks=[d for d in built if isinstance(d, dg.AssetChecksDefinition)],
    )


def build_definitions(config: GenesisConfig) -> dg.Definitions:
    """Every dataset's chain, the shared resources, the executor, the ``materialize_all`` job
    (every asset but the ``synthetic_stream`` publishers) and ``publish_streams``."""
    executor = executor_def(config.executor, config.k8s)
    chains = {ds.name: build_dataset_assets(ds) for ds in config.datasets}
    # a drift run refits; it neither publishes nor regenerates the chunked outputs
    publishers = stream_keys(config) | scale_keys(config)
    return dg.Definitions.merge(
        *chains.values(),
        dg.Definitions(  # drift sensor per dataset, nightly refresh of all
            sensors=[
                build_drift_sensor(
                    ds, [k for k in dataset_asset_keys(chains[ds.name]) if k not in publishers]
                )
                for ds in config.datasets
                if not (ds.is_relational or ds.is_federated)  # watches one source
            ]
            + build_scale_sensors(config),
            schedules=[build_nightly_refresh(config)],
        ),
        dg.Definitions(
            resources=build_resources(config),
            jobs=[
                dg.define_asset_job("materialize_all", selection=REFRESH_SELECTION),
                *build_stream_jobs(config),
                *build_scale_jobs(config),
            ],
            executor=executor,
        ),
    )
