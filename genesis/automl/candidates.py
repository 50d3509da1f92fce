"""The AutoML candidates: the hyperparameter grid, time priors and how a candidate is built."""

from __future__ import annotations

from typing import Any

from genesis.generators.base import RARE_ROWS, BaseSynthesizer
from genesis.generators.methods import get_synthesizer_class

#: the hyperparameter grid of the statistical methods; neural methods get epochs from the budget
GRID: dict[str, list[dict[str, Any]]] = {
    "cart": [{"min_samples_leaf": 10}, {"min_samples_leaf": 20}],
    "gaussian_copula": [{"marginals": "empirical"}, {"marginals": "parametric"}],
    "tvae": [{}],
    "ctgan": [{}],
}
NEURAL = ("tvae", "ctgan")
#: neural candidates train at least / at most this many epochs
MIN_EPOCHS, MAX_EPOCHS = 5, 300
#: at most this many validation rows (and as many synthetic rows) are scored per candidate
SCORE_ROWS = 3_000
#: rows of the training split used to time a neural method's epochs
PROBE_ROWS = 4_000
#: estimates are multiplied by this before being compared with the time left
SAFETY = 1.25
#: AutoML needs at least this many rows to hold some out for validation
MIN_ROWS = 20
#: parameters of neural candidates that may be passed through ``neural_params``
NEURAL_PARAMS = ("batch_size", "device", "torch_threads", "verbose")
# seconds per (row x column) of a first fit, before anything was measured on this table
_PRIOR_SECONDS_PER_CELL = {"cart": 6e-6, "gaussian_copula": 1.5e-6}
_TORCH_IMPORT_SECONDS = 4.0
# seconds per (row x column) of one epoch on one CPU thread (Adult, 2-core machine)
_PRIOR_EPOCH_SECONDS_PER_CELL = {"tvae": 1.6e-6, "ctgan": 8e-6}


def _prior_epoch(method: str, rows: int, columns: int) -> float:
    return _PRIOR_EPOCH_SECONDS_PER_CELL[method] * rows * columns


def make_candidate(
    method: str,
    params: dict[str, Any],
    *,
    max_categories: int,
    seed: int,
    rare_rows: int = RARE_ROWS,
) -> BaseSynthesizer:
    """An unfitted synthesizer of ``method`` with ``params`` and the search's shared settings."""
    cls = get_synthesizer_class(method)
    model = cls(max_categories=max_categories, seed=seed, **params)
    model.rare_rows = rare_rows
    return model
