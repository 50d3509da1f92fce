"""Domain generators: linked tables of one domain from calibrated defaults, or learned from a
user's own tables (``fit``) with the domain's validity rules kept.

``DomainGenerator`` is the base (``domain``, ``fit(data)``, ``generate(n_samples)``); a
custom domain subclasses it (see :mod:`genesis.domains.base`).
"""

from __future__ import annotations

from genesis.domains.base import DomainGenerator

__all__ = ["DomainGenerator"]
