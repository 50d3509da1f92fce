"""Coordinate federated training across sites and generate from the aggregate."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import (
    FederatedError,
    InvalidParameterError,
    NotFittedError,
    SiteDroppedError,
)
from genesis.federated.aggregator import AggregatedModel, ModelAggregator
from genesis.federated.site import FEDERATED_METHODS, DataSite
from genesis.federated.support import SITE_COLUMN
from genesis.validation import check_int, check_seed

STRATEGIES = ("proportional", "equal")


def message_bytes(message: Any) -> int:
    """Size of a message as JSON (numpy arrays as lists): what a transport would carry."""

    def default(value: Any) -> Any:
        if isinstance(value, np.ndarray):
            return value.tolist()
        if isinstance(value, bytes):
            return value.hex()
        if isinstance(value, np.generic):
            return value.item()
        return str(value)

    return len(json.dumps(message, default=default).encode())


class FederatedGenerator:
    """Train one synthesizer from several sites' statistics, rows staying at each site.

    Args:
        aggregator: a :class:`ModelAggregator` (trusted, exact) or
            :class:`~genesis.federated.SecureAggregator` (masked sums, optional DP);
            ``ModelAggregator()`` when None.
        method: ``"gaussian_copula"`` (exact aggregation of sufficient statistics) or
            ``"tvae"``/``"ctgan"`` (federated averaging of the networks' weights over rounds,
            :mod:`genesis.federated.neural`, :mod:`genesis.federated.fedgan`).
        local_epochs: ``tvae`` only: epochs each site trains per round.
        batch_size: ``tvae`` only: rows per training step.

    Each site's rows carry a ``site`` column inside the model, so the copula learns how
    the sites differ and :meth:`generate` can mix them (``strategy``).
    """

    def __init__(
        self,
        aggregator: ModelAggregator | None = None,
        method: str = "gaussian_copula",
        *,
        local_epochs: int = 1,
        batch_size: int = 500,
    ) -> None:
        if method not in FEDERATED_METHODS:
            raise InvalidParameterError(
                f"method must be one of {FEDERATED_METHODS}, got {method!r}"
            )
        check_int("local_epochs", local_epochs, 1)
        check_int("batch_size", batch_size, 2)
        if method == "ctgan" and batch_size % 10:
            raise InvalidParameterError(
                f"ctgan's batch_size must be a multiple of 10 (its critic packs 10 rows), got "
                f"{batch_size}"
            )
        self.local_epochs = int(local_epochs)
        self.batch_size = int(batch_size)
        if aggregator is not None and not isinstance(aggregator, ModelAggregator):
            raise InvalidParameterError(
                f"aggregator must be a ModelAggregator or SecureAggregator, got "
                f"{type(aggregator).__name__}"
            )
        self.aggregator = aggregator if aggregator is not None else ModelAggregator()
        self._method = method
        self._sites: list[DataSite] = []
        self.model_ = None
        self.history_: list[dict[str, Any]] = []
        self._dropped: set[str] = set()

    @property
    def sites(self) -> list[DataSite]:
        """The registered sites."""
        return list(self._sites)

    @property
    def method(self) -> str:
        """The generation method."""
        return self._method

    @property
    def is_trained(self) -> bool:
        """Whether :meth:`train` has built a model."""
        return self.model_ is not None

    def add_site(self, site: DataSite) -> None:
        """Register a site (names must be unique)."""
        from genesis.federated.transport import RemoteSite

        if not isinstance(site, DataSite | RemoteSite):
            raise InvalidParameterError(
                f"add_site takes a DataSite or RemoteSite, got {type(site).__name__}"
            )
        if any(s.name == site.name for s in self._sites):
            raise InvalidParameterError(f"a site named {site.name!r} is already registered")
        self._sites.append(site)

    def train(self, rounds: int = 1) -> AggregatedModel:
        """Run the protocol: support, marginals, correlation (three exchanges) for the copula.

        The copula's statistics are exact after one pass, so for ``gaussian_copula``
        ``rounds`` > 1 repeats nothing (more passes would only spend more privacy budget);
        it is recorded in the metadata. For ``tvae``: the support round, then ``rounds``
        rounds of federated averaging.

        Returns:
            The final :class:`AggregatedModel`; ``metadata`` holds per-round bytes and seconds
            and, with a DP aggregator, the (epsilon, delta) spent.
        """
        check_int("rounds", rounds, 1)
        sites = self._sites
        minimum = getattr(self.aggregator, "min_sites", 1)
        if len(sites) < max(minimum, 1):
            raise FederatedError(
                f"{len(sites)} site(s) registered, the aggregator needs at least {minimum}; "
                "add sites with add_site() (or lower SecureAggregator.min_sites)"
            )
        for site in sites:
            site.initialize(self._method)
        cost = self.aggregator.epsilon_cost()
        for site in sites:  # every site checks its budget before any statistic leaves
            site.authorize(cost)
        if self.aggregator.secure:
            keys = self.aggregator.open_session(
                {s.name: s.masking_key() for s in sites},
                max_weight=max(s.config.weight for s in sites),
            )
            for site in sites:
                site.agree_masks(keys)
        self.history_ = []
        self._dropped: set[str] = set()
        plan = self.aggregator.support_plan()
        result = self._round(plan)
        if self._method in ("tvae", "ctgan"):
            result = self._train_neural(int(rounds))
        else:
            for phase in ("marginals", "correlation"):
                result = self._round(self.aggregator.round_plan(phase))
        run_id = uuid.uuid4().hex
        dp = result.metadata.get("differential_privacy") or {}
        if cost > 0 and dp.get("target_epsilon") is not None:
            # what the accountant says the run spent (at most the authorized cost)
            cost, delta = min(float(dp["epsilon"]), cost), float(dp["delta"])
        else:
            delta = float(getattr(self.aggregator, "delta", 0.0)) if cost > 0 else 0.0
        for site in self._active():  # each site records the run in its privacy ledger
            site.charge(cost, delta=delta, run_id=run_id)
        self.model_ = result.parameters["model"]
        result.metadata.update(
            {
                "run_id": run_id,
                "epsilon_charged": cost,
                "rounds": self.history_,
                "rounds_requested": int(rounds),
                "dropped_sites": sorted(self._dropped),
                "bytes_exchanged": sum(r["bytes_up"] + r["bytes_down"] for r in self.history_),
            }
        )
        return result

    def _train_neural(self, rounds: int) -> AggregatedModel:
        """``rounds`` rounds of federated averaging, then the network from the average."""
        from genesis.federated.neural import build_neural

        start = time.perf_counter()
        self.aggregator.set_neural(self._method, self.batch_size)
        for _ in range(rounds):
            plan = self.aggregator.round_plan("fedavg")
            plan.update(local_epochs=self.local_epochs)
            result = self._round(plan)
        model = build_neural(
            self._method,
            self.aggregator._support,
            np.asarray(result.parameters["global"], float),
            result.total_samples,
            self.aggregator.seed,
            self.batch_size,
            start,
        )
        result.parameters["model"] = model
        return result

    def _active(self) -> list:
        return [s for s in self._sites if s.name not in self._dropped]

    def _round(self, plan: dict[str, Any]) -> AggregatedModel:
        start = time.perf_counter()
        messages, dropped = [], []
        for site in self._active():
            try:
                messages.append(site.train_local(plan))
            except SiteDroppedError:
                if plan["phase"] == "support":
                    raise
                dropped.append(site.name)
        self._dropped.update(dropped)
        if self.aggregator.secure and self._dropped:
            survivors = self._active()
            reveals = {
                (s.name, d): s.reveal_mask_seed(d) for s in survivors for d in sorted(self._dropped)
            }
            result = self.aggregator.aggregate(messages, reveals=reveals)
        else:
            result = self.aggregator.aggregate(messages)
        self.history_.append(
            {
                "phase": plan["phase"],
                "bytes_down": message_bytes(plan) * len(messages),
                "bytes_up": sum(message_bytes(m) for m in messages),
                "seconds": time.perf_counter() - start,
            }
        )
        return result

    def generate(
        self,
        n_samples: int,
        strategy: str = "proportional",
        *,
        include_site: bool = False,
        seed: int | None = None,
    ) -> pd.DataFrame:
        """``n_samples`` synthetic rows.

        Args:
            n_samples: number of rows.
            strategy: ``"proportional"``: sites mixed in proportion to their (weighted) rows;
                ``"equal"``: the same number of rows from each site's conditional model.
            include_site: keep the ``site`` column saying which site each row imitates.
            seed: seed of the draw; None uses the aggregator's seed.
        """
        if self.model_ is None:
            raise NotFittedError("this FederatedGenerator is not trained yet; call train() first")
        check_int("n_samples", n_samples, 0)
        n = int(n_samples)
        if strategy not in STRATEGIES:
            raise InvalidParameterError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
        seed = check_seed(self.aggregator.seed if seed is None else seed)
        if strategy == "proportional":
            rows = self.model_.generate(n, seed=seed)
        else:
            names = [s.name for s in self._active()]
            sizes = np.full(len(names), n // len(names))
            sizes[: n % len(names)] += 1
            parts = [
                self.model_.generate(int(size), seed=seed + i, conditions={SITE_COLUMN: name})
                for i, (name, size) in enumerate(zip(names, sizes, strict=True))
                if size
            ]
            rows = pd.concat(parts, ignore_index=True) if parts else self.model_.generate(0)
            order = np.random.default_rng(seed).permutation(len(rows))
            rows = rows.iloc[order].reset_index(drop=True)
        return rows if include_site else rows.drop(columns=[SITE_COLUMN])


def create_federated_generator(
    site_datasets: dict[str, pd.DataFrame],
    method: str = "gaussian_copula",
    aggregator: ModelAggregator | None = None,
) -> FederatedGenerator:
    """A :class:`FederatedGenerator` with one :class:`DataSite` per ``{name: rows}`` entry."""
    if not isinstance(site_datasets, dict) or not site_datasets:
        raise InvalidParameterError("site_datasets must be a non-empty dict {site name: DataFrame}")
    generator = FederatedGenerator(aggregator=aggregator, method=method)
    for name, data in site_datasets.items():
        generator.add_site(DataSite(name, data))
    return generator
