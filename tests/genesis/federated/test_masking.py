"""Pairwise additive masking: exact sums, uniform views, dropped sites."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from genesis.federated.masking import (
    MaskingParty,
    decode_fixed,
    encode_fixed,
    remove_dropped_masks,
)


def _parties(names, seed=0):
    parties = {name: MaskingParty(name, seed) for name in names}
    keys = {name: party.public_key for name, party in parties.items()}
    for party in parties.values():
        party.agree(keys)
    return parties


def test_masks_cancel_in_the_sum():
    rng = np.random.default_rng(0)
    parties = _parties(["a", "b", "c", "d"])
    vectors = {name: rng.normal(0, 1_000, 500) for name in parties}
    total = np.sum([p.mask(vectors[n], "r1") for n, p in parties.items()], axis=0, dtype=np.uint64)
    np.testing.assert_allclose(decode_fixed(total), sum(vectors.values()), atol=1e-5)


def test_fixed_point_round_trips_negatives():
    x = np.array([-3.5, 0.0, 2.25, -1e6])
    np.testing.assert_allclose(decode_fixed(encode_fixed(x)), x)


def _uniformity_p(values: np.ndarray) -> float:
    """Kolmogorov-Smirnov p-value of values / 2**64 against U(0, 1)."""
    return stats.kstest(values.astype(np.float64) / 2.0**64, "uniform").pvalue


def test_the_aggregators_view_of_one_site_is_uniform_noise():
    parties = _parties(["a", "b", "c"])
    n = 20_000
    zeros = parties["a"].mask(np.zeros(n), "r")
    large = parties["a"].mask(np.full(n, 123_456.0), "r2")
    assert _uniformity_p(zeros) > 1e-3 and _uniformity_p(large) > 1e-3
    # the same data, two rounds: independent pads; different data: indistinguishable
    assert stats.ks_2samp(zeros.astype(float), large.astype(float)).pvalue > 1e-3
    assert abs(np.corrcoef(zeros.astype(float), large.astype(float))[0, 1]) < 0.03
    # unmasked, the encoding is far from uniform: the test above can fail
    assert _uniformity_p(encode_fixed(np.full(n, 123_456.0))) < 1e-6


def test_a_dropped_sites_masks_are_removed_with_the_survivors_seeds():
    rng = np.random.default_rng(1)
    parties = _parties(["a", "b", "c"])
    vectors = {name: rng.normal(0, 10, 50) for name in parties}
    masked = {n: p.mask(vectors[n], "r") for n, p in parties.items()}
    survivors = ["a", "c"]
    total = np.sum([masked[n] for n in survivors], axis=0, dtype=np.uint64)
    # without the unmask step the survivors' sum is garbage
    assert np.abs(decode_fixed(total) - vectors["a"] - vectors["c"]).max() > 1e3
    reveals = {(s, "b"): parties[s].reveal("b") for s in survivors}
    cleaned = remove_dropped_masks(total, reveals, "r")
    np.testing.assert_allclose(decode_fixed(cleaned), vectors["a"] + vectors["c"], atol=1e-5)


def test_masking_before_key_agreement_is_refused():
    with pytest.raises(RuntimeError, match="agree"):
        MaskingParty("a", 0).mask(np.zeros(3), "r")
