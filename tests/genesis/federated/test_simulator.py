"""FederatedTrainingSimulator: seeded IID and Dirichlet partitions, training, generation."""

from __future__ import annotations

import numpy as np
import pytest

from genesis.errors import InvalidParameterError, NotFittedError
from genesis.federated import FederatedTrainingSimulator, SecureAggregator
from genesis.federated.simulator import dirichlet_partition, iid_partition


def test_iid_partition_is_seeded_and_complete():
    parts = iid_partition(1_001, 4, seed=0)
    assert sorted(np.concatenate(parts).tolist()) == list(range(1_001))
    assert {len(p) for p in parts} == {250, 251}
    again = iid_partition(1_001, 4, seed=0)
    assert all(np.array_equal(a, b) for a, b in zip(parts, again, strict=True))


def _concentration(labels, parts):
    """Mean over classes of the largest share of a class held by one site."""
    shares = []
    for c in np.unique(labels):
        counts = [np.sum(labels[p] == c) for p in parts]
        shares.append(max(counts) / sum(counts))
    return float(np.mean(shares))


def test_dirichlet_alpha_controls_heterogeneity():
    labels = np.repeat(np.arange(10), 300)
    skewed = dirichlet_partition(labels, 5, alpha=0.05, seed=0)
    even = dirichlet_partition(labels, 5, alpha=100.0, seed=0)
    assert sorted(np.concatenate(skewed).tolist()) == list(range(labels.size))
    assert _concentration(labels, skewed) > 0.8
    assert _concentration(labels, even) < 0.35


def test_simulate_training_reports_rounds_bytes_and_budget(table):
    simulator = FederatedTrainingSimulator(n_sites=3)
    simulator.setup_non_iid(table, "city", alpha=0.5)
    report = simulator.simulate_training(
        1, aggregator=SecureAggregator(epsilon=2.0), privacy_budget=3.0
    )
    assert [r["phase"] for r in report["rounds"]] == ["support", "marginals", "correlation"]
    assert report["bytes_exchanged"] == sum(
        r["bytes_up"] + r["bytes_down"] for r in report["rounds"]
    )
    assert report["privacy"]["epsilon"] == pytest.approx(2.0, rel=0.02)
    assert sum(report["site_rows"].values()) + sum(
        len(simulator.site_data[s]) for s in report["skipped_sites"]
    ) == len(table)
    rows = simulator.generate_synthetic(200)
    assert list(rows.columns) == list(table.columns) and len(rows) == 200


def test_simulator_bad_inputs(table):
    with pytest.raises(InvalidParameterError):
        FederatedTrainingSimulator(n_sites=1)
    simulator = FederatedTrainingSimulator()
    with pytest.raises(NotFittedError, match="setup_from_data"):
        simulator.simulate_training(1)
    with pytest.raises(InvalidParameterError, match="partition_column 'nope'"):
        simulator.setup_non_iid(table, "nope")
    with pytest.raises(InvalidParameterError, match="alpha must be a positive"):
        simulator.setup_non_iid(table, "city", alpha=0)
    simulator.setup_from_data(table)
    with pytest.raises(InvalidParameterError, match="unknown simulate_training"):
        simulator.simulate_training(1, rounds=3)
    with pytest.raises(NotFittedError, match="simulate_training"):
        simulator.generate_synthetic(5)


def test_simulated_dp_runs_repeat_exactly(table):
    figures = []
    for _ in range(2):
        simulator = FederatedTrainingSimulator(n_sites=2, seed=3)
        simulator.setup_from_data(table)
        report = simulator.simulate_training(1, aggregator=SecureAggregator(epsilon=1.0))
        figures.append(report["correlation"].to_numpy())
    np.testing.assert_array_equal(figures[0], figures[1])
