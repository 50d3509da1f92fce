"""Asset keys of a dataset's chain: ``[dataset, stage]``."""

import dagster as dg


def stage_inputs(dataset: str, *stages: str) -> dict[str, dg.AssetIn]:
    """``ins`` for an asset that reads the named stages of ``dataset``'s chain, by stage name."""
    return {stage: dg.AssetIn(key=[dataset, stage]) for stage in stages}
