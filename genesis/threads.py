"""The one rule for CPU thread pools on small machines.

On machines with at most 4 cores, torch's and BLAS's default thread counts oversubscribe the
cores: CTGAN ran 17-35x slower on a 2-core machine, and the quality evaluator's classifiers
likewise. Every place that sizes a thread pool asks :func:`small_machine_threads`.
"""

from __future__ import annotations

import os

#: machines with at most this many cores run compute libraries on one thread
SMALL_MACHINE_CORES = 4


def small_machine_threads() -> int | None:
    """1 on machines with at most :data:`SMALL_MACHINE_CORES` cores, else None (the
    library's own default)."""
    return 1 if (os.cpu_count() or 1) <= SMALL_MACHINE_CORES else None


__all__ = ["SMALL_MACHINE_CORES", "small_machine_threads"]
