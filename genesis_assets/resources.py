"""The resources every chain uses, built from the configuration."""

from __future__ import annotations

from genesis.io.urls import is_url
from genesis_assets.config import GenesisConfig
from genesis_resources import ComputeResource, GenesisIOManager, LocalArtifactStore, MLflowResource
from genesis_resources.iceberg import IcebergIOManager, VersioningResource
from genesis_resources.reports import ReportLinks
from genesis_resources.storage import ArtifactStore


def build_resources(config: GenesisConfig) -> dict[str, object]:
    """``compute``, ``artifact_store`` and the ``io_manager`` writing into it, MLflow, the
    Iceberg catalog and its IO manager, and the links to the report server."""
    store = artifact_store(config)
    versioning = versioning_resource(config)
    return {
        "compute": ComputeResource(),
        "artifact_store": store,
        "io_manager": GenesisIOManager(artifact_store=store),
        "mlflow": mlflow_resource(config),
        "versioning": versioning,
        "iceberg_io_manager": IcebergIOManager(versioning=versioning, artifact_store=store),
        "report_links": ReportLinks(base_url=config.reports.base_url),
    }


def _aws_env(name: str) -> object:
    """``dg.EnvVar(name)`` when the variable is set (else boto3's default credential chain)."""
    import os

    import dagster as dg

    return dg.EnvVar(name) if os.environ.get(name) else None


def artifact_store(config: GenesisConfig) -> ArtifactStore:
    """The local folder, or S3 (``storage.kind: s3``) with credentials from the environment."""
    if config.storage.kind == "s3":
        from genesis_resources.s3 import S3ArtifactStore

        return S3ArtifactStore(
            bucket=config.storage.bucket,
            prefix=config.storage.prefix,
            endpoint_url=config.storage.endpoint_url,
            region_name=config.storage.region,
            aws_access_key_id=_aws_env("AWS_ACCESS_KEY_ID"),
            aws_secret_access_key=_aws_env("AWS_SECRET_ACCESS_KEY"),
        )
    return LocalArtifactStore(root=config.storage.root)


def versioning_resource(config: GenesisConfig) -> VersioningResource:
    """The Iceberg catalog of the synthetic versions, with each dataset's branch and pin."""
    remote = is_url(config.versioning.warehouse)
    return VersioningResource(
        warehouse=config.versioning.warehouse,
        catalog=dict(config.versioning.catalog),
        s3_access_key_id=_aws_env("AWS_ACCESS_KEY_ID") if remote else None,
        s3_secret_access_key=_aws_env("AWS_SECRET_ACCESS_KEY") if remote else None,
        branches={d.name: d.versioning.branch for d in config.datasets},
        pin_tags={d.name: d.versioning.pin_tag for d in config.datasets if d.versioning.pin_tag},
    )


def mlflow_resource(config: GenesisConfig) -> MLflowResource:
    """MLflow beside the artifacts (``<storage root>/../mlflow.db``, i.e. ``.genesis/`` by
    default), or the server named by ``MLFLOW_TRACKING_URI`` when that variable is set."""
    import os
    from pathlib import Path

    return MLflowResource(
        tracking_uri=os.environ.get("MLFLOW_TRACKING_URI") or None,
        local_dir=str(Path(config.storage.root).parent),
    )
