"""Federated synthesis: sites keep their rows; the synthetic table still reflects all of them.

The Gaussian copula's sufficient statistics (marginal histograms on an agreed grid and the
normal-score correlation) add up across sites, so three exchanges (support, marginals,
correlation) give the central model, optionally through secure aggregation with a stated
differential-privacy budget. ``method="tvae"``/``"ctgan"`` average the networks' weights over
rounds instead (FedAvg). Sites may run in their own processes, reached over gRPC
(:class:`~genesis.federated.transport.RemoteSite`); only statistics cross. Each site keeps a
privacy ledger (:mod:`.ledger`) so its budget holds across runs; under a DP budget the
support round is differentially private too (:mod:`.dp_support`).

Modules: :mod:`.sketch` (mergeable marginals), :mod:`.support` (the agreed encoding),
:mod:`.dp_support` (the DP support round), :mod:`.site`, :mod:`.ledger`,
:mod:`.aggregator`, :mod:`.copula` (the fitted model from the sums),
:mod:`.masking` and :mod:`.secure` (secure aggregation), :mod:`.accounting` (OpenDP),
:mod:`.neural` and :mod:`.fedgan` (FedAvg), :mod:`.generator`, :mod:`.simulator`,
:mod:`.transport` and :mod:`.site_process` (sites as processes, gRPC).

Example:
    >>> from genesis.federated import create_federated_generator
    >>> generator = create_federated_generator({"north": north_df, "south": south_df})
    >>> model = generator.train()
    >>> synthetic = generator.generate(1000, strategy="equal")
"""

from genesis.federated.aggregator import AggregatedModel, ModelAggregator
from genesis.federated.generator import FederatedGenerator, create_federated_generator
from genesis.federated.secure import SecureAggregator
from genesis.federated.simulator import FederatedTrainingSimulator
from genesis.federated.site import DataSite, SiteConfig

__all__ = [
    "AggregatedModel",
    "DataSite",
    "FederatedGenerator",
    "FederatedTrainingSimulator",
    "ModelAggregator",
    "SecureAggregator",
    "SiteConfig",
    "create_federated_generator",
]
