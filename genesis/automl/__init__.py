"""AutoML synthesis: measure candidate methods within a time budget and keep the best.

``AutoMLSynthesizer(time_budget=60).fit(df)`` (or ``SyntheticGenerator("auto")``) orders the
methods with an instant meta-feature prior (:class:`MethodSelector`), fits and scores each
candidate on held-out rows, and refits the winner on every row; ``leaderboard_`` shows every
trial. ``auto_synthesize(df, n)`` is the one-line form.
"""

from genesis.automl.meta_features import MetaFeatureExtractor, MetaFeatures
from genesis.automl.scoring import SCORINGS, score_candidate
from genesis.automl.selector import MethodRecommendation, MethodSelector, SelectionResult
from genesis.automl.synthesizer import AutoMLSynthesizer, auto_synthesize

__all__ = [
    "SCORINGS",
    "AutoMLSynthesizer",
    "MetaFeatureExtractor",
    "MetaFeatures",
    "MethodRecommendation",
    "MethodSelector",
    "SelectionResult",
    "auto_synthesize",
    "score_candidate",
]
