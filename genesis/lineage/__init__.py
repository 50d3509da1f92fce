"""Tamper-evident lineage: a hash chain of blocks from the source data to each synthetic version.

Each :class:`LineageBlock` hashes its type, content, metadata, timestamp and the previous
block's hash (SHA-256 over canonical JSON); changing any block breaks its own hash and the
link from the next one, so :meth:`LineageChain.verify` fails and names the block.

Example::

    chain = LineageChain()
    chain.add_source_block(real_df, "adult.csv")
    chain.add_generation_block("cart", {"seed": 0}, 5_000)
    chain.add_quality_check({"overall_score": 0.91}, passed=True, threshold=0.8)
    chain.export("lineage.json"); assert LineageChain.load("lineage.json").verify()
"""

from genesis.lineage.chain import (
    DataLineage,
    LineageBlock,
    LineageChain,
    LineageManifest,
    LineageVerificationError,
    synthesis_chain,
)

__all__ = [
    "DataLineage",
    "LineageBlock",
    "LineageChain",
    "LineageManifest",
    "LineageVerificationError",
    "synthesis_chain",
]
