"""Federated synthesis: sites keep their rows; the synthetic table still reflects all of them.

The Gaussian copula's sufficient statistics (marginal histograms on an agreed grid and the
normal-score correlation) add up across sites, so three exchanges (support, marginals,
correlation) give the central model, optionally through secure aggregation with a stated
differential-privacy budget.

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
