"""Seeds for libraries with narrower seed types than Genesis's.

Genesis accepts any non-negative integer as a seed. scikit-learn, ctgan and numpy's legacy
``RandomState`` take only seeds below 2**32, torch below 2**64. Each gets a seed derived from
the user's with numpy's ``SeedSequence``: deterministic (same seed, same model), distinct
per purpose, and valid for every library.
"""

from __future__ import annotations

import numpy as np

from genesis.validation import require_seed

#: purposes of derived seeds (so two libraries never share a stream)
TORCH, CTGAN_STATE, SKLEARN, SAMPLING = 1, 2, 3, 4


def library_seed(seed: int, purpose: int) -> int:
    """A seed in [0, 2**32) for a library, derived from ``seed`` and ``purpose``."""
    value = require_seed(seed)
    entropy = [0 if value is None else value, int(purpose)]
    return int(np.random.SeedSequence(entropy).generate_state(1, np.uint32)[0])


def chunk_seed(seed: int, index: int) -> int:
    """The seed of chunk (or stream batch) ``index`` of a draw seeded ``seed``.

    It depends on ``(seed, index)`` only, so any chunk can be regenerated on its own, in any
    process, and equals the seed of the ``index``-th child of ``SeedSequence(seed).spawn``.
    """
    value = require_seed(seed)
    child = np.random.SeedSequence(0 if value is None else value, spawn_key=(int(index),))
    return int(child.generate_state(1, np.uint64)[0])


__all__ = ["CTGAN_STATE", "SAMPLING", "SKLEARN", "TORCH", "chunk_seed", "library_seed"]
