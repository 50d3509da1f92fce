"""Domain generators: linked tables of one domain from calibrated defaults, or learned from a
user's own tables (``fit``) with the domain's validity rules kept.

``DomainGenerator`` is the base (``domain``, ``fit(data)``, ``generate(n_samples)``); a
custom domain subclasses it (see :mod:`genesis.domains.base`). ``DOMAINS`` maps each
built-in domain's name to its generator class (``genesis generate-domain`` reads it).
"""

from __future__ import annotations

from genesis.domains.base import DomainGenerator
from genesis.domains.finance import FinanceGenerator
from genesis.domains.retail import RetailGenerator

DOMAINS: dict[str, type[DomainGenerator]] = {
    "finance": FinanceGenerator,
    "retail": RetailGenerator,
}

__all__ = ["DOMAINS", "DomainGenerator", "FinanceGenerator", "RetailGenerator"]
