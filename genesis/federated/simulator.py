"""Simulate a federation from one table: IID or Dirichlet non-IID partitions, then train."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import InvalidParameterError, NotFittedError
from genesis.federated.aggregator import ModelAggregator
from genesis.federated.generator import FederatedGenerator
from genesis.federated.site import DataSite, SiteConfig
from genesis.validation import check_int, check_seed, validate_frame


def iid_partition(n_rows: int, n_sites: int, seed: int) -> list[np.ndarray]:
    """Row positions of ``n_sites`` equal random shares of ``n_rows`` rows."""
    order = np.random.default_rng(seed).permutation(n_rows)
    return [np.sort(part) for part in np.array_split(order, n_sites)]


def dirichlet_partition(
    labels: np.ndarray, n_sites: int, alpha: float, seed: int
) -> list[np.ndarray]:
    """Row positions per site: each class's rows split by a Dirichlet(alpha) draw over sites
    (small alpha: each class concentrates on few sites; large alpha: close to IID)."""
    rng = np.random.default_rng(seed)
    codes, _ = pd.factorize(pd.Series(labels).astype(str), use_na_sentinel=False)
    parts: list[list[np.ndarray]] = [[] for _ in range(n_sites)]
    for c in range(codes.max() + 1):
        rows = rng.permutation(np.flatnonzero(codes == c))
        shares = rng.dirichlet(np.full(n_sites, float(alpha)))
        cuts = (np.cumsum(shares)[:-1] * rows.size).astype(np.int64)
        for site, chunk in enumerate(np.split(rows, cuts)):
            parts[site].append(chunk)
    return [np.sort(np.concatenate(p)) for p in parts]


class FederatedTrainingSimulator:
    """Split one table into sites and run federated training on them.

    Args:
        n_sites: number of simulated sites (>= 2).
        seed: seed of the partitions and of the aggregator's default.
        min_samples: ``SiteConfig.min_samples`` of each simulated site.
    """

    def __init__(self, n_sites: int = 3, *, seed: int = 0, min_samples: int = 100) -> None:
        check_int("n_sites", n_sites, 2)
        self.n_sites = int(n_sites)
        self.seed = check_seed(seed)
        self.min_samples = int(min_samples)
        self.site_data: dict[str, pd.DataFrame] = {}
        self.generator: FederatedGenerator | None = None

    def _set_sites(self, data: pd.DataFrame, parts: list[np.ndarray]) -> None:
        self.site_data = {
            f"site_{i}": data.iloc[rows].reset_index(drop=True) for i, rows in enumerate(parts)
        }
        self.generator = None

    def setup_from_data(self, data: pd.DataFrame) -> None:
        """Partition ``data`` IID (a seeded random split into equal shares)."""
        data = validate_frame(data)
        self._set_sites(data, iid_partition(len(data), self.n_sites, self.seed))

    def setup_non_iid(self, data: pd.DataFrame, partition_column: str, alpha: float = 0.5) -> None:
        """Partition ``data`` non-IID: each class of ``partition_column`` is split across the
        sites by a Dirichlet(``alpha``) draw."""
        data = validate_frame(data)
        if partition_column not in data.columns:
            raise InvalidParameterError(
                f"partition_column {partition_column!r} is not a column; pick one of "
                f"{list(data.columns)}"
            )
        if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not alpha > 0:
            raise InvalidParameterError(f"alpha must be a positive number, got {alpha!r}")
        labels = data[partition_column].to_numpy()
        self._set_sites(data, dirichlet_partition(labels, self.n_sites, alpha, self.seed))

    def simulate_training(self, n_rounds: int = 1, **kwargs: Any) -> dict[str, Any]:
        """Train on the simulated sites.

        Args:
            n_rounds: passed to :meth:`FederatedGenerator.train`.
            **kwargs: ``aggregator`` (a ModelAggregator/SecureAggregator), ``method``,
                ``weights`` ({site: weight}), ``privacy_budget`` (per site).

        Returns:
            ``{"rounds": [{phase, bytes_up, bytes_down, seconds}, ...], "bytes_exchanged",
            "seconds", "n_sites", "site_rows", "privacy": {epsilon, delta} or None,
            "correlation": the aggregated correlation matrix}``. Sites below
            ``min_samples`` are left out and listed under ``"skipped_sites"``.
        """
        if not self.site_data:
            raise NotFittedError("call setup_from_data() or setup_non_iid() first")
        unknown = set(kwargs) - {"aggregator", "method", "weights", "privacy_budget"}
        if unknown:
            raise InvalidParameterError(f"unknown simulate_training arguments {sorted(unknown)}")
        aggregator = kwargs.get("aggregator") or ModelAggregator(seed=self.seed)
        weights = kwargs.get("weights") or {}
        budget = kwargs.get("privacy_budget", 1.0)
        generator = FederatedGenerator(aggregator, kwargs.get("method", "gaussian_copula"))
        skipped = []
        for i, (name, rows) in enumerate(self.site_data.items()):
            if len(rows) < self.min_samples:
                skipped.append(name)
                continue
            # simulated sites get seeds derived from the simulator's, so runs repeat exactly
            # (real sites keep theirs private: see SiteConfig.seed)
            site_seed = int(np.random.SeedSequence([self.seed, i]).generate_state(1)[0])
            config = SiteConfig(
                name, weights.get(name, 1.0), budget, self.min_samples, seed=site_seed
            )
            generator.add_site(DataSite(name, rows, config))
        start = time.perf_counter()
        result = generator.train(n_rounds)
        self.generator = generator
        dp = result.metadata.get("differential_privacy")
        return {
            "rounds": result.metadata["rounds"],
            "bytes_exchanged": result.metadata["bytes_exchanged"],
            "seconds": time.perf_counter() - start,
            "n_sites": result.n_sites,
            "site_rows": {s.name: s.n_samples for s in generator.sites},
            "skipped_sites": skipped,
            "privacy": None if dp is None else _privacy(dp),
            "correlation": result.parameters["correlation"],
        }

    def generate_synthetic(self, n_samples: int, **kwargs: Any) -> pd.DataFrame:
        """Rows from the trained federated model (keywords as :meth:`FederatedGenerator.generate`)."""
        if self.generator is None:
            raise NotFittedError("call simulate_training() before generate_synthetic()")
        return self.generator.generate(n_samples, **kwargs)


def _privacy(dp: dict) -> dict:
    """The run's (epsilon, delta) and, under a budget, the support round's share of it."""
    out = {"epsilon": dp["epsilon"], "delta": dp["delta"]}
    if dp.get("support_share") is not None:
        out["support_share"] = dp["support_share"]
    return out
