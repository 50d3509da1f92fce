"""Genesis: synthetic twins of sensitive tables.

The library stands on its own (it never imports Dagster)::

    import genesis

    df = genesis.read_table("customers.csv")
    generator = genesis.SyntheticGenerator(method="cart", seed=0).fit(df)
    synthetic = generator.generate(10_000)
    report = genesis.QualityEvaluator(df, synthetic, target="churned").evaluate()

Public names are loaded lazily so that ``import genesis`` (and the CLI's ``--help``) stays
instant; the heavy libraries (scikit-learn, and torch, PyIceberg, Plotly... from the
optional extras ``genesis-synth[neural]``, ``[iceberg]``, ``[dashboard]``...) load on first
use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY_EXPORTS = {
    "read_table": "genesis.io",
    "write_parquet": "genesis.io",
    "fingerprint": "genesis.io",
    "infer_schema": "genesis.schema",
    "discover": "genesis.schema",
    "Schema": "genesis.schema",
    "ColumnSchema": "genesis.schema",
    "SyntheticGenerator": "genesis.generators",
    "GenerationMethod": "genesis.generators",
    "AutoMLSynthesizer": "genesis.automl",
    "QualityEvaluator": "genesis.quality",
    "QualityReport": "genesis.quality",
    "PrivacyAttackTester": "genesis.privacy_attacks",
    "PrivacyEngine": "genesis.privacy_attacks",
    "DriftDetector": "genesis.drift",
    "DatasetRepository": "genesis.versioning",
    "QualityDashboard": "genesis.dashboard",
    "GenesisError": "genesis.errors",
    "NotFittedError": "genesis.errors",
}

__all__ = [
    "AutoMLSynthesizer",
    "ColumnSchema",
    "DatasetRepository",
    "DriftDetector",
    "GenerationMethod",
    "GenesisError",
    "NotFittedError",
    "PrivacyAttackTester",
    "PrivacyEngine",
    "QualityDashboard",
    "QualityEvaluator",
    "QualityReport",
    "Schema",
    "SyntheticGenerator",
    "__version__",
    "discover",
    "fingerprint",
    "infer_schema",
    "read_table",
    "write_parquet",
]

if TYPE_CHECKING:  # pragma: no cover
    from genesis.automl import AutoMLSynthesizer
    from genesis.dashboard import QualityDashboard
    from genesis.drift import DriftDetector
    from genesis.errors import GenesisError, NotFittedError
    from genesis.generators import GenerationMethod, SyntheticGenerator
    from genesis.io import fingerprint, read_table, write_parquet
    from genesis.privacy_attacks import PrivacyAttackTester, PrivacyEngine
    from genesis.quality import QualityEvaluator, QualityReport
    from genesis.schema import ColumnSchema, Schema, discover, infer_schema
    from genesis.versioning import DatasetRepository


def __getattr__(name: str) -> Any:
    module = _LAZY_EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'genesis' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
