"""The resources every chain uses, built from the configuration."""

from __future__ import annotations

from genesis_assets.config import GenesisConfig
from genesis_resources import ComputeResource, GenesisIOManager, LocalArtifactStore


def build_resources(config: GenesisConfig) -> dict[str, object]:
    """``compute``, ``artifact_store`` and the ``io_manager`` writing into it."""
    store = LocalArtifactStore(root=config.storage.root)
    return {
        "compute": ComputeResource(),
        "artifact_store": store,
        "io_manager": GenesisIOManager(artifact_store=store),
    }
