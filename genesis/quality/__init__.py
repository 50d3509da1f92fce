"""How good is a synthetic table? Fidelity, detectability, privacy sanity and ML utility.

``QualityEvaluator(real, synthetic, target=..., holdout=...).evaluate()`` returns a
:class:`QualityReport`. Column shapes and column-pair trends follow SDMetrics' QualityReport
definitions, so ``quality_score`` is comparable to SDMetrics' score on the same tables.
"""

from genesis.quality.evaluator import QualityEvaluator
from genesis.quality.report import QualityReport

__all__ = ["QualityEvaluator", "QualityReport"]
