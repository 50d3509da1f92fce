"""The base of every domain generator: realistic tables out of the box, or a user's own
tables learned through :class:`~genesis.relational.RelationalSynthesizer`, with the domain's
validity rules holding either way.

A subclass sets ``domain``, documents its tables in ``tables`` (name -> description, keys
included), and usually implements:

- :meth:`generate_default` — the linked tables from calibrated defaults (no data needed);
- :meth:`violations` — every broken validity rule (invalid codes, check digits, events
  before birth...) as readable lines, checked over all rows;
- :meth:`repair` — make learned tables obey the rules (recompute a check digit, move an
  event after its patient's birth), used after :meth:`generate` on a fitted generator.

A subclass that only adds its own ``generate_*`` methods (the ``InsuranceGenerator`` of the
architecture reference) works too: :meth:`fit` and :meth:`generate` come from this class.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pandas as pd

from genesis.errors import InvalidParameterError, NotFittedError
from genesis.validation import check_seed, require_int


class DomainGenerator:
    """Linked synthetic tables of one domain (healthcare, finance, retail, ...).

    Args:
        seed: seed of every random operation (same seed, same tables).
        method: the single-table method the relational synthesizer uses after :meth:`fit`
            (``"cart"`` by default; any :class:`~genesis.generators.SyntheticGenerator`
            method).
        **method_params: that method's parameters.

    Attributes:
        domain: the domain's name (a class attribute).
        tables: the tables this generator produces, name -> description (keys included).
        root: the table whose rows ``n_samples`` counts in :meth:`generate_default`.
        synthesizer_: after :meth:`fit`, the fitted ``RelationalSynthesizer``.
    """

    domain: ClassVar[str] = "generic"
    tables: ClassVar[dict[str, str]] = {}
    #: the domain's foreign keys ``(child, child_key, parent, parent_key)``: declared to the
    #: relational synthesizer by :meth:`fit` for the user's tables that carry them, instead
    #: of inferred (inference cannot tell a 1:1 link's direction)
    links: ClassVar[tuple[tuple[str, str, str, str], ...]] = ()
    #: the table whose rows ``generate(n_samples)`` counts (None: the first of ``tables``)
    root: ClassVar[str | None] = None

    def __init__(self, seed: int = 0, method: str = "cart", **method_params: Any) -> None:
        self.seed = check_seed(seed)
        self.method = method
        self.method_params = dict(method_params)

    # -- learning a user's tables -----------------------------------------------------------
    def fit(
        self, data: dict[str, pd.DataFrame] | pd.DataFrame, relationships: Any = None
    ) -> DomainGenerator:
        """Learn the user's own tables (a dict of DataFrames, or one DataFrame for a
        one-table domain) and their ``relationships`` (when None: the domain's own
        :attr:`links` present in the tables, else inferred; see
        :class:`~genesis.relational.RelationalSchema`); returns self."""
        tables = self._as_tables(data)  # bad input fails before the relational import
        from genesis.relational import RelationalSynthesizer

        if relationships is None and self.links:
            from genesis.domains.rules import declared_links

            relationships = declared_links(tables, list(self.links)) or None

        self.synthesizer_ = RelationalSynthesizer(
            method=self.method, seed=self.seed, **self.method_params
        ).fit(tables, relationships)
        return self

    @property
    def is_fitted(self) -> bool:
        """Whether :meth:`fit` has learned tables."""
        return hasattr(self, "synthesizer_")

    def generate(self, n_samples: int) -> dict[str, pd.DataFrame]:
        """``n_samples`` rows of the root table (patients, accounts, customers...) with their
        linked tables.

        A fitted generator draws them from the learned tables (the root tables scaled to
        ``n_samples`` rows, children following) and applies :meth:`repair`; an unfitted one
        uses the domain's calibrated defaults (:meth:`generate_default`).
        """
        n_samples = require_int(n_samples, "n_samples", 1)
        if not self.is_fitted:
            return self.generate_default(n_samples)
        synthesizer = self.synthesizer_
        roots = synthesizer.schema_.roots()
        real_rows = {root: synthesizer.table_rows_[root] for root in roots}
        largest = max(roots, key=lambda root: real_rows[root])
        scale = n_samples / max(real_rows[largest], 1)
        sizes = {
            root: n_samples if root == largest else max(1, round(real_rows[root] * scale))
            for root in roots
        }
        return self.repair(synthesizer.generate(scale=sizes))

    # -- what a domain provides -------------------------------------------------------------
    def generate_default(self, n_samples: int) -> dict[str, pd.DataFrame]:
        """The domain's linked tables from calibrated defaults (no data needed)."""
        raise NotFittedError(
            f"{type(self).__name__} has no built-in defaults; call fit(tables) with your own "
            "tables first, or use its generate_* methods"
        )

    def violations(self, tables: dict[str, pd.DataFrame]) -> list[str]:
        """Every broken validity rule of the domain in ``tables``, one readable line each
        (empty when all rows are valid). The base class has no rules."""
        return []

    def repair(self, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        """``tables`` made to obey the domain's validity rules (the base class has none)."""
        return tables

    # -- helpers ----------------------------------------------------------------------------
    def _as_tables(self, data: Any) -> dict[str, pd.DataFrame]:
        if isinstance(data, pd.DataFrame):
            return {self.domain: data}
        if (
            isinstance(data, dict)
            and data
            and all(isinstance(k, str) and isinstance(v, pd.DataFrame) for k, v in data.items())
        ):
            return dict(data)
        raise InvalidParameterError(
            "data must be a DataFrame or a non-empty dict of table name -> DataFrame, got "
            f"{type(data).__name__}"
        )

    def __repr__(self) -> str:
        state = "fitted" if self.is_fitted else "defaults"
        return f"{type(self).__name__}(domain={self.domain!r}, seed={self.seed}, {state})"


__all__ = ["DomainGenerator"]
