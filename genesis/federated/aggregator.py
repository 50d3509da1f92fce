"""Aggregation of the sites' statistics: the plain (trusted) aggregator and its model."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from genesis.errors import FederatedError, InvalidParameterError
from genesis.federated.copula import build_copula
from genesis.federated.sketch import GRID_POINTS, SKETCH_POINTS
from genesis.federated.support import agree_support, agreed_encoding
from genesis.validation import check_int, check_seed


@dataclass
class AggregatedModel:
    """Result of one aggregation round.

    Attributes:
        parameters: what the round agreed: the support plan (round 1), the marginal counts
            (round 2) or the fitted model (round 3, ``parameters["model"]``).
        n_sites: sites that contributed.
        total_samples: rows behind the aggregate (None where sites withhold their counts).
        round_number: the communication round (1 support, 2 marginals, 3 correlation).
        metadata: bytes exchanged, seconds, and for DP the budget spent and its accounting.
    """

    parameters: dict
    n_sites: int
    total_samples: int
    round_number: int
    metadata: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.metadata is None:
            self.metadata = {}


_ROUNDS = {"support": 1, "marginals": 2, "correlation": 3, "fedavg": 2}


class ModelAggregator:
    """Exact aggregation of the Gaussian copula's sufficient statistics (a trusted aggregator
    that sees each site's statistics, never rows).

    Args:
        seed: seed of the agreed encoding and of the model it builds.
        max_categories: as for :class:`~genesis.generators.GaussianCopulaSynthesizer`.

    Round 1 agrees the support (union of label sets, merged range sketches); round 2 sums
    the marginal histograms on the agreed grid; round 3 sums the normal-score outer products
    computed under the agreed marginals, and builds the copula. IID sites give the central
    fit up to the sketch error (see :mod:`genesis.federated.sketch`).
    """

    secure = False
    #: points of each continuous column's grid (histogram cells: twice as many)
    grid_points = GRID_POINTS

    def __init__(self, *, seed: int = 0, max_categories: int = 100) -> None:
        self.seed = check_seed(seed)
        check_int("max_categories", max_categories, 2)
        self.max_categories = int(max_categories)
        self._support: dict[str, Any] | None = None
        self._marginals: dict[str, list[float]] | None = None
        self._started: float | None = None
        self._global: list[float] | None = None
        self._fedavg_rounds = 0
        self._neural_method, self._neural_batch = "tvae", 500

    def set_neural(self, method: str, batch_size: int) -> None:
        """The network (``"tvae"`` or ``"ctgan"``) and batch size of federated averaging."""
        self._neural_method, self._neural_batch = method, int(batch_size)

    # -- plans -----------------------------------------------------------------------------
    def support_plan(self) -> dict[str, Any]:
        """What round 1 asks of the sites."""
        self._started = time.perf_counter()
        return {"phase": "support", "counts": True, "sketch_points": SKETCH_POINTS}

    def round_plan(self, phase: str) -> dict[str, Any]:
        """What round 2 (``"marginals"``) or 3 (``"correlation"``) asks of the sites."""
        if self._support is None:
            raise FederatedError("aggregate the support round before asking for statistics")
        plan: dict[str, Any] = {"phase": phase, "seed": self.seed, "support": self._support}
        if phase == "fedavg":
            plan.update(
                round=self._fedavg_rounds,
                **{"global": self._global},
                method=self._neural_method,
                batch_size=self._neural_batch,
            )
        if phase == "correlation":
            if self._marginals is None:
                raise FederatedError("aggregate the marginals before the correlation round")
            plan["marginals"] = self._marginals
        return plan

    def epsilon_cost(self) -> float:
        """Epsilon a run charges each site's ``privacy_budget`` (0: no DP guarantee)."""
        return 0.0

    # -- aggregation -----------------------------------------------------------------------
    def aggregate(self, site_params: list[dict]) -> AggregatedModel:
        """Aggregate one round's site messages (all of one phase)."""
        if not isinstance(site_params, list | tuple) or not site_params:
            raise InvalidParameterError(
                "site_params must be a non-empty list of the dicts DataSite.train_local() returned"
            )
        phases = {p.get("phase") for p in site_params if isinstance(p, dict)}
        if len(phases) != 1 or not all(isinstance(p, dict) for p in site_params):
            raise InvalidParameterError(
                f"site_params mixes rounds or holds non-dicts (phases {sorted(map(str, phases))}); "
                "pass the messages of one round"
            )
        phase = phases.pop()
        if phase not in _ROUNDS:
            raise InvalidParameterError(f"unknown round phase {phase!r}")
        self._check_sites(site_params)
        if phase == "support":
            self._support = agree_support(
                list(site_params), self.seed, self.max_categories, self.grid_points
            )
            self._marginals = None
            self._global, self._fedavg_rounds = None, 0
            total = self._support["n_rows"]
            return AggregatedModel(
                {"phase": "marginals", "support": self._support},
                len(site_params),
                total if total is not None else 0,
                1,
                {"sites": [p["site"] for p in site_params]},
            )
        if phase == "fedavg":
            return self._average(site_params)
        encoding = agreed_encoding(self._support)
        if phase == "marginals":
            total = self._sum(site_params, phase, sum(encoding.sizes))
            split = np.split(total, np.cumsum(encoding.sizes)[:-1])
            self._marginals = self._clean_marginals(
                encoding,
                {c: part.tolist() for c, part in zip(encoding.columns, split, strict=True)},
            )
            n = float(np.clip(split[0], 0, None).sum())
            return AggregatedModel(
                {"phase": "correlation", "support": self._support, "marginals": self._marginals},
                len(site_params),
                int(round(n)),
                2,
                self._metadata(),
            )
        k = len(encoding.columns)
        sums = self._sum(site_params, phase, k * (k + 1) // 2 + k + 1)
        n = self._support["n_rows"] or int(round(max(sums[-1], 1.0)))
        model = build_copula(
            encoding,
            self._marginals,
            sums,
            n,
            self.seed,
            self.max_categories,
            started=self._started,
        )
        return AggregatedModel(
            {"phase": "done", "model": model, "correlation": model.correlation_},
            len(site_params),
            int(n),
            3,
            self._metadata(),
        )

    def _average(self, site_params: list[dict]) -> AggregatedModel:
        """One FedAvg round: the row-weighted mean of the sites' network weights."""
        from genesis.federated.neural import update_size

        size = update_size(self._support, self._neural_method, self.seed, self._neural_batch)
        sums = self._sum(site_params, "fedavg", size)
        n = max(float(sums[-1]), 1.0)
        self._global = (sums[:-1] / n).tolist()
        self._fedavg_rounds += 1
        return AggregatedModel(
            {"phase": "fedavg", "global": self._global, "round": self._fedavg_rounds},
            len(site_params),
            int(round(n)),
            1 + self._fedavg_rounds,
            {"secure": self.secure, "differential_privacy": None},
        )

    def _clean_marginals(self, encoding, marginals: dict[str, list[float]]) -> dict:
        """Post-processing of the summed marginals (none for exact sums)."""
        return marginals

    def _check_sites(self, site_params: list[dict]) -> None:
        names = [p.get("site") for p in site_params]
        if len(set(names)) != len(names):
            raise InvalidParameterError(f"site names must be unique, got {names}")

    def _sum(self, site_params: list[dict], phase: str, size: int) -> np.ndarray:
        vectors = [np.asarray(p["vector"], float) for p in site_params]
        if any(v.size != size for v in vectors):
            raise FederatedError(
                f"a {phase} vector has the wrong length (expected {size}); every site must "
                "answer the same plan"
            )
        return np.sum(vectors, axis=0)

    def _metadata(self) -> dict[str, Any]:
        return {"secure": False, "differential_privacy": None}
