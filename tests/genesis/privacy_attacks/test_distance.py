"""DCR and NNDR."""

from __future__ import annotations

import pandas as pd

from genesis.privacy_attacks import (
    TableEncoder,
    distance_to_closest_record,
    nearest_neighbor_distance_ratio,
)


def test_dcr_and_nndr():
    reference = pd.DataFrame({"x": [0.0, 1.0, 10.0], "c": ["a", "a", "b"]})
    query = pd.DataFrame({"x": [0.0, 10.0], "c": ["a", "b"]})
    encoder = TableEncoder(["x", "c"]).fit(reference, query)
    assert distance_to_closest_record(query, reference, encoder=encoder).tolist() == [0.0, 0.0]
    ratio = nearest_neighbor_distance_ratio(query, reference, encoder=encoder)
    assert ratio.tolist() == [0.0, 0.0]
    far = pd.DataFrame({"x": [5.5], "c": ["a"]})
    assert 0.5 < nearest_neighbor_distance_ratio(far, reference)[0] <= 1.0
