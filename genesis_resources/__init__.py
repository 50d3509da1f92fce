"""Dagster resources around the Genesis library: compute settings, artifact storage, IO,
Kafka, a Dask cluster."""

from genesis_resources.compute import ComputeResource
from genesis_resources.dask import DaskResource
from genesis_resources.io_manager import GenesisIOManager
from genesis_resources.kafka import KafkaResource
from genesis_resources.mlflow import MLflowResource, MLflowTracker
from genesis_resources.storage import ArtifactStore, LocalArtifactStore

__all__ = [
    "ArtifactStore",
    "ComputeResource",
    "DaskResource",
    "GenesisIOManager",
    "KafkaResource",
    "LocalArtifactStore",
    "MLflowResource",
    "MLflowTracker",
]
