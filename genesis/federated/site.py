"""A data site: holds its rows and answers each round with statistics, never rows."""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import (
    InvalidParameterError,
    PrivacyBudgetExceededError,
    SiteTooSmallError,
)
from genesis.federated.ledger import PrivacyLedger
from genesis.federated.masking import MaskingParty
from genesis.federated.sketch import (
    SKETCH_POINTS,
    cell_counts,
    cells_to_step,
    continuous_scores,
    discrete_scores,
)
from genesis.federated.support import SITE_COLUMN, agreed_encoding, site_support
from genesis.generators.gaussian_copula import discrete_marginal
from genesis.validation import check_seed, validate_frame

#: the methods a site can train for
FEDERATED_METHODS = ("gaussian_copula", "ctgan", "tvae")


@dataclass
class SiteConfig:
    """Configuration of a data site.

    Attributes:
        name: the site's name (unique among the sites of a federation).
        weight: multiplies the site's contribution (its rows count ``weight`` times).
        privacy_budget: the total epsilon this site lets differentially private training
            spend on its rows; a run that would exceed it is refused. Runs without a DP
            guarantee (a plain :class:`ModelAggregator`, or ``SecureAggregator(epsilon=None)``)
            spend none.
        min_samples: the site refuses to train with fewer rows.
        seed: the site's *private* seed of its masking key pair and of its share of the
            differential-privacy noise; None (default) draws a fresh secret from the operating
            system. Whoever knows it can remove this site's masks and noise, so set it only
            for reproducible tests; the aggregate does not depend on the key (masks cancel).
        ledger_path: the site's privacy ledger file (:mod:`genesis.federated.ledger`): the
            epsilon of every run is recorded there, so ``privacy_budget`` holds across runs and
            processes. None (default) keeps the ledger in memory (one object's runs only).
    """

    name: str
    weight: float = 1.0
    privacy_budget: float = 1.0
    min_samples: int = 100
    seed: int | None = None
    ledger_path: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InvalidParameterError(f"a site needs a non-empty name, got {self.name!r}")
        for field, value, low in (
            ("weight", self.weight, 0.0),
            ("privacy_budget", self.privacy_budget, 0.0),
        ):
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > low:
                raise InvalidParameterError(
                    f"SiteConfig.{field} must be a positive number, got {value!r}; e.g. 1.0"
                )
        if isinstance(self.min_samples, bool) or not isinstance(self.min_samples, int):
            raise InvalidParameterError(
                f"SiteConfig.min_samples must be an integer, got {self.min_samples!r}"
            )
        if self.seed is not None:
            check_seed(self.seed)
        if self.ledger_path is not None:
            if not isinstance(self.ledger_path, str | os.PathLike) or not str(self.ledger_path):
                raise InvalidParameterError(
                    f"SiteConfig.ledger_path must be a file path or None, got {self.ledger_path!r}"
                )
            self.ledger_path = str(self.ledger_path)


class DataSite:
    """One site of a federation: its rows stay here; :meth:`train_local` answers a round.

    Args:
        name: the site's name.
        data: the site's rows (they never leave this object).
        config: its :class:`SiteConfig`; ``SiteConfig(name)`` when None.

    The protocol (driven by :class:`~genesis.federated.FederatedGenerator`): ``train_local()``
    with no plan answers the support round (label sets and coarse quantile sketches); with
    the agreed support it answers the statistics round (marginal histograms on the agreed
    grid); with the agreed marginals, the correlation round (sum of the outer products of
    the rows' normal scores). Every answer is a dict of numbers and labels.
    """

    def __init__(self, name: str, data: pd.DataFrame, config: SiteConfig | None = None) -> None:
        self.config = config if config is not None else SiteConfig(name)
        if not isinstance(self.config, SiteConfig):
            raise InvalidParameterError(
                f"config must be a SiteConfig, got {type(self.config).__name__}"
            )
        if self.config.name != name:
            raise InvalidParameterError(
                f"site name {name!r} differs from its config's name {self.config.name!r}; "
                "use one name"
            )
        data = validate_frame(data)
        if SITE_COLUMN in data.columns:
            raise InvalidParameterError(
                f"site {name!r} has a column named {SITE_COLUMN!r}, which federation adds to "
                "record each row's site; rename that column"
            )
        self._name = name
        self._data = data.assign(**{SITE_COLUMN: name})
        self.method: str | None = None
        self.ledger = PrivacyLedger(name, self.config.ledger_path)
        self._authorized: float | None = None  # epsilon of the run authorized, until charged
        self._party: MaskingParty | None = None
        self._sessions = 0
        # never seeded from the plan: the aggregator knows the plan's seed
        self._secret = (
            self.config.seed
            if self.config.seed is not None
            else int.from_bytes(os.urandom(8), "little")
        )

    @property
    def name(self) -> str:
        """The site's identifier."""
        return self._name

    @property
    def n_samples(self) -> int:
        """Number of local rows."""
        return len(self._data)

    @property
    def columns(self) -> list[str]:
        """The site's column names (public: every site must have the same)."""
        return [c for c in self._data.columns if c != SITE_COLUMN]

    def __repr__(self) -> str:
        return f"DataSite(name={self._name!r}, n_samples={self.n_samples})"

    def initialize(self, method: str = "gaussian_copula") -> None:
        """Prepare the local model; refuses a site below ``min_samples`` rows."""
        if method not in FEDERATED_METHODS:
            raise InvalidParameterError(
                f"method must be one of {FEDERATED_METHODS}, got {method!r}"
            )
        if self.n_samples < self.config.min_samples:
            raise SiteTooSmallError(
                f"site {self._name!r} has {self.n_samples} rows, fewer than its min_samples="
                f"{self.config.min_samples}; add rows at that site, lower SiteConfig.min_samples "
                "only if its rows are not sensitive, or leave the site out"
            )
        self.method = method

    def _rng(self, plan: dict[str, Any], stream: int) -> np.random.Generator:
        return np.random.default_rng([int(plan["seed"]), stream, zlib.crc32(self._name.encode())])

    # -- privacy budget --------------------------------------------------------------------
    @property
    def privacy_spent(self) -> float:
        """Epsilon spent on this site's rows, over every run its ledger records."""
        return self.ledger.spent

    def authorize(self, epsilon: float) -> None:
        """Refuse a run that would take the site's spent epsilon past its budget (the ledger
        file is re-read first: another process of this site may have charged it)."""
        self.ledger.refresh()
        spent, budget = self.privacy_spent, self.config.privacy_budget
        if spent + epsilon > budget + 1e-12:
            where = f" (ledger {self.config.ledger_path})" if self.config.ledger_path else ""
            raise PrivacyBudgetExceededError(
                f"site {self._name!r} has spent epsilon={spent:.4g} of its privacy_budget="
                f"{budget:.4g} over {len(self.ledger.entries)} run(s){where}, "
                f"{max(budget - spent, 0.0):.4g} remaining; a run at epsilon={epsilon:.4g} would "
                "exceed it: lower the aggregator's epsilon or raise the site's budget"
            )
        self._authorized = float(epsilon)

    def charge(self, epsilon: float, *, delta: float = 0.0, run_id: str | None = None) -> None:
        """Record epsilon (and delta) spent on this site's rows by run ``run_id``; runs without
        a DP guarantee (epsilon 0) are not recorded."""
        if float(epsilon) > 0:
            self.ledger.record(float(epsilon), float(delta), run_id)
        self._authorized = None

    # -- secure aggregation ----------------------------------------------------------------
    def masking_key(self, session: int = 0) -> bytes:
        """This site's public key for pairwise masking: a key pair from the site's private
        seed and the ``session`` number (a fresh pair per session)."""
        self._sessions += 1
        self._party = MaskingParty(self._name, f"{self._secret}:{session}:{self._sessions}")
        return self._party.public_key

    def agree_masks(self, public_keys: dict[str, bytes]) -> None:
        """Derive pairwise mask seeds with the other sites of the roster."""
        self._require_party().agree(public_keys)

    def reveal_mask_seed(self, peer: str) -> bytes:
        """The seed shared with a dropped ``peer`` (unmask protocol)."""
        return self._require_party().reveal(peer)

    def _require_party(self) -> MaskingParty:
        if self._party is None:
            raise RuntimeError("call masking_key() before the masking protocol")
        return self._party

    # -- the rounds ------------------------------------------------------------------------
    def train_local(self, plan: dict[str, Any] | None = None) -> dict[str, Any]:
        """This site's statistics for the round ``plan`` describes (never rows).

        ``plan`` None or ``{"phase": "support", ...}``: the support message; the agreed
        support (``phase == "marginals"``): marginal cell counts; the agreed marginals
        (``phase == "correlation"``): score outer-product sums; ``phase == "fedavg"``: the
        network weights after local training, times the row count. Secure plans also name a
        ``round_id``, a per-site ``noise_std`` and a ``clip_norm``: the vector is clipped,
        noised and masked here, so only the masked vector leaves the site.
        """
        if self.method is None:
            self.initialize()
        plan = plan or {"phase": "support"}
        phase = plan.get("phase")
        if phase == "support":
            if plan.get("dp") is not None:  # labels and ranges under differential privacy
                from genesis.federated.dp_support import dp_site_support

                # the site itself checks its budget: a DP run starts only once authorized
                run_epsilon = float(plan["dp"].get("run_epsilon", 0.0))
                if self._authorized is None or self._authorized + 1e-12 < run_epsilon:
                    raise PrivacyBudgetExceededError(
                        f"site {self._name!r} was asked for a differentially private support "
                        f"round of a run at epsilon={run_epsilon:.4g} that it has not authorized "
                        "against its privacy_budget; call authorize(epsilon) first"
                    )

                rng = np.random.default_rng([self._secret, 6, self._sessions])
                return dp_site_support(self._data, self._name, plan, SITE_COLUMN, rng)
            return site_support(
                self._data,
                self._name,
                counts=bool(plan.get("counts", True)),
                sketch_points=int(plan.get("sketch_points", SKETCH_POINTS)),
            )
        if phase == "marginals":
            vector = self._marginal_vector(plan)
        elif phase == "correlation":
            vector = self._correlation_vector(plan)
        elif phase == "fedavg":
            from genesis.federated.neural import local_update

            seed = [int(plan["seed"]), int(plan["round"]), zlib.crc32(self._name.encode())]
            torch_seed = int(np.random.SeedSequence(seed).generate_state(1)[0] % 2**31)
            vector = local_update(self._data, plan, torch_seed)
        else:
            raise InvalidParameterError(f"unknown round phase {phase!r}")
        vector = vector * float(self.config.weight)
        message: dict[str, Any] = {"phase": phase, "site": self._name}
        secure = plan.get("secure")
        if secure is None:
            message["vector"] = vector
            return message
        # the noise share comes from the site's private seed, so no one can subtract it
        stream = {"marginals": 3, "correlation": 4}.get(phase, 5)
        noise = np.random.default_rng(
            [self._secret, stream, self._sessions, int(plan.get("round", 0))]
        ).normal(0.0, float(secure["noise_std"]), vector.size)
        message["masked"] = self._require_party().mask(vector + noise, secure["round_id"])
        return message

    def _marginal_vector(self, plan: dict[str, Any]) -> np.ndarray:
        encoding = agreed_encoding(plan["support"])
        frame = encoding.model_frame(self._data)
        parts = []
        for column in encoding.columns:
            values = frame[column].to_numpy()
            if column in encoding.n_codes:
                codes = np.clip(values.astype(np.int64), 0, encoding.n_codes[column] - 1)
                parts.append(np.bincount(codes, minlength=encoding.n_codes[column]).astype(float))
            else:
                parts.append(cell_counts(values.astype(np.float64), encoding.grids[column]))
        return np.concatenate(parts)

    def scores(self, plan: dict[str, Any]) -> np.ndarray:
        """The normal scores of this site's rows under the agreed marginals (stays local)."""
        encoding = agreed_encoding(plan["support"])
        frame = encoding.model_frame(self._data)
        rng = self._rng(plan, 2)
        scores = np.empty((len(frame), len(encoding.columns)))
        for j, column in enumerate(encoding.columns):
            counts = np.asarray(plan["marginals"][column], float)
            values = frame[column].to_numpy()
            if column in encoding.n_codes:
                lower, width, _ = discrete_marginal(counts)
                scores[:, j] = discrete_scores(values, lower, width, rng)
            else:
                left, right = cells_to_step(counts)
                grid = encoding.grids[column]
                scores[:, j] = continuous_scores(values.astype(float), grid, left, right, rng)
        return scores

    def _correlation_vector(self, plan: dict[str, Any]) -> np.ndarray:
        z = self.scores(plan)
        clip = plan.get("clip_norm")
        if clip is not None:
            norms = np.linalg.norm(z, axis=1)
            z = z * np.minimum(1.0, float(clip) / np.maximum(norms, 1e-12))[:, None]
        upper = np.triu_indices(z.shape[1])
        return np.concatenate([(z.T @ z)[upper], z.sum(axis=0), [float(len(z))]])
