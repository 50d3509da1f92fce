"""Batched and multi-device generation (the design's "GPU acceleration").

:class:`BatchedGenerator` samples a fitted Gaussian copula, CTGAN or TVAE on a torch device
in large batches with pinned host memory and overlapped copies; :class:`MultiGPUGenerator`
shards chunks across devices, one process per device, and gathers them in order. Both fall
back to the CPU with a logged reason (``fallback_reason``).
"""

from __future__ import annotations

from genesis.gpu.batched import BatchedGenerator
from genesis.gpu.devices import resolve_device
from genesis.gpu.multi import MultiGPUGenerator

__all__ = ["BatchedGenerator", "MultiGPUGenerator", "resolve_device"]
