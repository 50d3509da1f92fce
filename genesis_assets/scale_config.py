"""Chunked generation at scale in ``genesis.yaml``: a dataset's ``scale:`` section.

::

    datasets:
      - name: adult
        source: genesis_assets/data/adult_sample.csv
        scale: {rows: 100000000, chunk_rows: 1000000}

makes the asset ``<dataset>/large_synthetic``, partitioned by chunk (one partition per chunk of
``chunk_rows`` rows, the last one possibly shorter), and ``<dataset>/large_synthetic_manifest``,
written once every chunk exists (see :mod:`genesis_assets.scale_assets`). Chunk ``i`` is drawn
from a seed derived from ``(seed, i)`` only, so a backfill on any executor writes the same
bytes, and a failed chunk is re-run alone.

For a dataset of several tables, ``scale`` stays a number (every table's rows as a multiple of
the real ones, see :mod:`genesis_assets.relational_config`).
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

#: most chunks one dataset may be split into: each is a Dagster partition
MAX_CHUNKS = 100_000


class ScaleConfig(BaseModel):
    """``rows`` synthetic rows written as chunks of ``chunk_rows`` rows, one partition each."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    rows: int = Field(gt=0, description="Rows of the whole synthetic table (e.g. 100000000).")
    chunk_rows: int = Field(
        1_000_000,
        gt=0,
        description="Rows per chunk: one partition, one file; memory is bounded by a chunk.",
    )
    seed: int | None = Field(None, ge=0, description="Generation seed; empty: the dataset's.")
    executor: Literal["partitions", "dask"] = Field(
        "partitions",
        description="'partitions': one Dagster partition per chunk (backfill them); 'dask': one "
        "unpartitioned asset whose run hands every chunk to the 'dask' resource.",
    )

    @property
    def n_chunks(self) -> int:
        """Chunks of the plan: ``ceil(rows / chunk_rows)``."""
        return -(-self.rows // self.chunk_rows)


def scale_problems(
    scale: float | ScaleConfig, *, relational: bool, federated: bool, label: str
) -> list[str]:
    """What makes a dataset's ``scale`` unusable, checked when genesis.yaml loads."""
    where = f"{label}, field 'scale'"
    if federated:
        return [f"{where}: not available with 'sites' (a federated dataset); remove it"]
    if relational:
        if isinstance(scale, ScaleConfig):
            return [
                f"{where}: a dataset of several tables takes a number (the rows of every table "
                "as a multiple of its real rows), not {rows, chunk_rows}; write e.g. scale: 10"
            ]
        if not (math.isfinite(scale) and scale > 0):
            return [f"{where}: {scale!r}; use a positive number of times the real rows, e.g. 2"]
        return []
    if not isinstance(scale, ScaleConfig):
        return [
            f"{where}: a dataset with one 'source' takes {{rows, chunk_rows}} (chunked "
            f"generation, the asset large_synthetic), got {scale!r}; write e.g. "
            "scale: {rows: 100000000, chunk_rows: 1000000}"
        ]
    if scale.n_chunks > MAX_CHUNKS:
        return [
            f"{where}: {scale.rows:,} rows in chunks of {scale.chunk_rows:,} make "
            f"{scale.n_chunks:,} chunks, more than {MAX_CHUNKS:,} partitions; raise chunk_rows "
            f"to at least {-(-scale.rows // MAX_CHUNKS):,}"
        ]
    return []


__all__ = ["MAX_CHUNKS", "ScaleConfig", "scale_problems"]
