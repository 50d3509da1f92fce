"""Dagster resources around the Genesis library: compute settings, artifact storage, IO,
Kafka."""

from genesis_resources.compute import ComputeResource
from genesis_resources.io_manager import GenesisIOManager
from genesis_resources.kafka import KafkaResource
from genesis_resources.mlflow import MLflowResource, MLflowTracker
from genesis_resources.storage import ArtifactStore, LocalArtifactStore

__all__ = [
    "ArtifactStore",
    "ComputeResource",
    "GenesisIOManager",
    "KafkaResource",
    "LocalArtifactStore",
    "MLflowResource",
    "MLflowTracker",
]
