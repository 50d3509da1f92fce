"""Relational synthesis: several tables linked by keys.

``RelationalSynthesizer(method="cart", seed=0).fit(tables).generate(scale=1.0)`` learns a dict
of DataFrames (relationships inferred or declared as :class:`Relationship` /
:class:`RelationalSchema`) and returns linked synthetic tables, every foreign key valid (see
:mod:`genesis.relational.synthesizer` for the design).
"""

from genesis.relational.quality import RelationalQualityReport
from genesis.relational.relationship import Relationship
from genesis.relational.schema import RelationalSchema
from genesis.relational.synthesizer import RelationalSynthesizer

__all__ = [
    "RelationalQualityReport",
    "RelationalSchema",
    "RelationalSynthesizer",
    "Relationship",
]
