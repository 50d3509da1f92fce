"""Domain generators: linked tables of one domain from calibrated defaults, or learned from a
user's own tables (``fit``) with the domain's validity rules kept.

``DomainGenerator`` is the base (``domain``, ``fit(data)``, ``generate(n_samples)``); a
custom domain subclasses it (see :mod:`genesis.domains.base`). :data:`DOMAINS` maps each
built-in domain's name to its generator class (``genesis generate-domain NAME`` looks it up
there).
"""

from __future__ import annotations

from genesis.domains.base import DomainGenerator
from genesis.domains.finance import FinanceGenerator
from genesis.domains.healthcare import HealthcareGenerator
from genesis.domains.retail import RetailGenerator

#: built-in domain name -> generator class
DOMAINS: dict[str, type[DomainGenerator]] = {
    "healthcare": HealthcareGenerator,
    "finance": FinanceGenerator,
    "retail": RetailGenerator,
}

__all__ = [
    "DOMAINS",
    "DomainGenerator",
    "FinanceGenerator",
    "HealthcareGenerator",
    "RetailGenerator",
]
