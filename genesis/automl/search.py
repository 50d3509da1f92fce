"""AutoML synthesis (former home, kept for its import path).

The code now lives in modules with one job each: :mod:`genesis.automl.synthesizer` (the
:class:`AutoMLSynthesizer` estimator), :mod:`genesis.automl.trials` (one search within a
budget), :mod:`genesis.automl.candidates` (the grid and time priors) and
:mod:`genesis.automl.scoring` (how a candidate is scored).
"""

from __future__ import annotations

from genesis.automl.candidates import GRID, MAX_EPOCHS, MIN_EPOCHS, MIN_ROWS, NEURAL
from genesis.automl.meta_features import MetaFeatures
from genesis.automl.scoring import SCORINGS, candidate_score, score_candidate
from genesis.automl.synthesizer import AutoMLSynthesizer, auto_synthesize

__all__ = [
    "GRID",
    "MAX_EPOCHS",
    "MIN_EPOCHS",
    "MIN_ROWS",
    "NEURAL",
    "SCORINGS",
    "AutoMLSynthesizer",
    "MetaFeatures",
    "auto_synthesize",
    "candidate_score",
    "score_candidate",
]
