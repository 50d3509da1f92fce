"""The resources every chain uses, built from the configuration."""

from __future__ import annotations

from genesis.io.urls import is_url
from genesis_assets.config import GenesisConfig
from genesis_resources import ComputeResource, GenesisIOManager, LocalArtifactStore, MLflowResource
from genesis_resources.dask import DaskResource
from genesis_resources.iceberg import IcebergIOManager, VersioningResource
from genesis_resources.kafka import KafkaResource
from genesis_resources.reports import ReportLinks
from genesis_resources.storage import ArtifactStore


def build_resources(config: GenesisConfig) -> dict[str, object]:
    """``compute``, ``artifact_store`` and the ``io_manager`` writing into it, MLflow, the
    Iceberg catalog and its IO manager, the links to the report server, ``kafka`` and
    ``dask``."""
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
        "kafka": kafka_resource(),
        "dask": dask_resource(),
    }


def _env_var(name: str) -> object:
    """``dg.EnvVar(name)`` when the variable is set, else None (for S3: boto3's default
    credential chain)."""
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
            aws_access_key_id=_env_var("AWS_ACCESS_KEY_ID"),
            aws_secret_access_key=_env_var("AWS_SECRET_ACCESS_KEY"),
        )
    return LocalArtifactStore(root=config.storage.root)


def versioning_resource(config: GenesisConfig) -> VersioningResource:
    """The Iceberg catalog of the synthetic versions, with each dataset's branch and pin."""
    remote = is_url(config.versioning.warehouse)
    return VersioningResource(
        warehouse=config.versioning.warehouse,
        catalog=dict(config.versioning.catalog),
        s3_access_key_id=_env_var("AWS_ACCESS_KEY_ID") if remote else None,
        s3_secret_access_key=_env_var("AWS_SECRET_ACCESS_KEY") if remote else None,
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


#: the Kafka resource's settings come from these environment variables (none is required)
KAFKA_ENV = {
    "bootstrap_servers": "GENESIS_KAFKA_BOOTSTRAP_SERVERS",
    "security_protocol": "GENESIS_KAFKA_SECURITY_PROTOCOL",
    "sasl_mechanism": "GENESIS_KAFKA_SASL_MECHANISM",
    "sasl_username": "GENESIS_KAFKA_SASL_USERNAME",
    "sasl_password": "GENESIS_KAFKA_SASL_PASSWORD",
}
DEFAULT_KAFKA_BOOTSTRAP_SERVERS = "127.0.0.1:9092"


def kafka_resource() -> KafkaResource:
    """The cluster ``synthetic_stream`` assets publish to and ``kafka://`` sources are read
    from: ``GENESIS_KAFKA_BOOTSTRAP_SERVERS`` (default ``127.0.0.1:9092``), the security
    protocol and SASL mechanism from their variables, user and password through
    ``dg.EnvVar`` (read at run time, never stored in the definitions). Nothing connects until
    an asset uses it, so the code location loads with no broker."""
    import os

    env = KAFKA_ENV
    return KafkaResource(
        bootstrap_servers=_env_var(env["bootstrap_servers"]) or DEFAULT_KAFKA_BOOTSTRAP_SERVERS,
        security_protocol=os.environ.get(env["security_protocol"]) or "PLAINTEXT",
        sasl_mechanism=os.environ.get(env["sasl_mechanism"]) or None,
        sasl_username=_env_var(env["sasl_username"]),
        sasl_password=_env_var(env["sasl_password"]),
    )


#: environment variable naming the Dask scheduler of the ``dask`` resource
DASK_ADDRESS_ENV = "GENESIS_DASK_ADDRESS"


def dask_resource() -> DaskResource:
    """The cluster of ``scale: {executor: dask}`` datasets: the scheduler named by
    ``GENESIS_DASK_ADDRESS`` (tcp://host:8786), else a local cluster of 2 worker processes
    started for the run. Nothing starts until an asset uses it."""
    import os

    return DaskResource(address=os.environ.get(DASK_ADDRESS_ENV) or None)
