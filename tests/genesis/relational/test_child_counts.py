"""Child counts and the assignment of a child's other parents: count calibration, parents
that determine others, families kept together."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from genesis.relational import RelationalSchema, RelationalSynthesizer, Relationship
from genesis.relational import synthesizer as synthesizer_module
from genesis.relational.child_counts import (
    assignment_order,
    calibrate_counts,
    count_quantiles,
    find_determiners,
    match_by_rank,
)
from genesis.relational.quality import RelationalQualityReport


def fleet(seed: int = 0, n_carriers: int = 12, n_planes: int = 300) -> dict[str, pd.DataFrame]:
    """Carriers (few, heavy-tailed sizes), planes each owned by one carrier, and trips whose
    carrier is always their plane's (the nycflights13 shape, built)."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, n_carriers + 1) ** 1.3
    carriers = pd.DataFrame(
        {
            "code": [f"C{i:02d}" for i in range(n_carriers)],
            "founded": rng.integers(1930, 2010, n_carriers),
        }
    )
    owner = rng.choice(n_carriers, n_planes, p=weights / weights.sum())
    planes = pd.DataFrame(
        {
            "tail": [f"N{i:04d}" for i in range(n_planes)],
            "seats": (80 + 15 * owner + rng.integers(0, 20, n_planes)).astype(int),
        }
    )
    plane = np.repeat(np.arange(n_planes), rng.poisson(8 + owner % 4 * 3, n_planes))
    trips = pd.DataFrame(
        {
            "tail": planes["tail"].to_numpy()[plane],
            "carrier": carriers["code"].to_numpy()[owner[plane]],
            "flight_no": owner[plane] * 1000 + rng.integers(0, 400, plane.size),
            "distance": rng.gamma(2.0, 400.0, plane.size).round(),
        }
    )
    return {"carriers": carriers, "planes": planes, "trips": trips}


RELS = [
    Relationship("carriers", "code", "trips", "carrier"),
    Relationship("planes", "tail", "trips", "tail"),
]


def _purity(trips: pd.DataFrame) -> float:
    """Share of trips flown for their plane's most frequent carrier."""
    top = trips.groupby(["tail", "carrier"]).size().groupby(level=0).max()
    return float(top.sum() / len(trips))


def _count_similarity(tables, out) -> dict[str, float]:
    schema = RelationalSchema({k: list(v.columns) for k, v in tables.items()}, RELS)
    report = RelationalQualityReport(tables, out, schema).evaluate()
    return {r["parent"]: r["child_count_similarity"] for r in report.relationships}


def _fit_generate(tables, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return RelationalSynthesizer(seed=0, **kwargs).fit(tables, RELS).generate()


# --- units ---------------------------------------------------------------------------------


def test_calibrate_counts_keeps_the_ranking_and_takes_the_real_distribution():
    rng = np.random.default_rng(0)
    real = np.array([0, 0, 1, 3, 7, 40, 400, 2500])
    generated = np.array([5.0, 900.0, 0.0, 12.0, 3.0, 3.0, 60.0, 1.0])
    out = calibrate_counts(generated, count_quantiles(real), rng)
    assert sorted(out) == sorted(real)  # as many parents as real ones: the real counts
    assert out[1] == 2500 and out[6] == 400 and out[2] == 0  # the model's order kept
    # more parents than real ones: the real quantiles, spread
    big = calibrate_counts(rng.random(80), count_quantiles(real), rng)
    assert big.min() == 0 and big.max() == 2500 and np.mean(big == 0) == pytest.approx(0.25)
    # a large parent table keeps quantiles only
    many = np.arange(50_000)
    assert count_quantiles(many).size == 1001 and count_quantiles(many)[-1] == 49_999
    assert calibrate_counts(np.array([]), count_quantiles(real), rng).size == 0
    nan = calibrate_counts(np.array([np.nan, 3.0]), count_quantiles(np.array([1, 9])), rng)
    assert list(nan) == [1.0, 9.0]  # a missing count ranks lowest


def test_find_determiners_finds_the_parent_that_fixes_another():
    tables = fleet()
    trips = tables["trips"]
    rows = {
        RELS[0]: pd.Index(tables["carriers"]["code"]).get_indexer(trips["carrier"]),
        RELS[1]: pd.Index(tables["planes"]["tail"]).get_indexer(trips["tail"]),
    }
    found = find_determiners([RELS[0], RELS[1]], [RELS[1], RELS[0]], rows, len(trips), 0)
    # planes fix carriers; carriers (fewer) never fix planes
    assert found == {RELS[0].name: RELS[1].name}
    # a carrier drawn at random per trip is fixed by nothing
    shuffled = dict(rows)
    shuffled[RELS[0]] = np.random.default_rng(0).permutation(rows[RELS[0]])
    assert find_determiners([RELS[0]], [RELS[1]], shuffled, len(trips), 0) == {}
    assert [r.name for r in assignment_order([RELS[0], RELS[1]], found)] == [
        RELS[1].name,
        RELS[0].name,
    ]


def test_match_by_rank_moves_a_block_as_one():
    rng = np.random.default_rng(0)
    block = np.repeat(np.arange(20), 5)  # 20 families of 5
    link = pd.Series(rng.normal(size=100))
    slots = np.repeat(np.arange(4), 25)  # 4 parents, 25 slots each
    slot_link = pd.Series(np.repeat(np.arange(4.0), 25))
    out = match_by_rank(link, slots, slot_link, rng, child_block=block)
    per_family = pd.Series(out).groupby(block).nunique()
    assert (per_family == 1).all()  # 25 = 5 whole families per parent
    assert np.bincount(out).tolist() == [25] * 4
    loose = match_by_rank(link, slots, slot_link, rng)
    assert (pd.Series(loose).groupby(block).nunique() > 1).any()


# --- end to end ----------------------------------------------------------------------------


def test_a_plane_keeps_one_carrier(monkeypatch):
    tables = fleet()
    out = _fit_generate(tables)
    assert _purity(tables["trips"]) == 1.0
    assert _purity(out["trips"]) >= 0.97
    # assigned one by one (the determiner switched off), planes get several carriers
    monkeypatch.setattr(synthesizer_module, "find_determiners", lambda *a, **k: {})
    assert _purity(_fit_generate(tables)["trips"]) < 0.9


def test_few_parents_with_heavy_tailed_counts_keep_their_distribution(monkeypatch):
    tables = fleet()
    similarity = _count_similarity(tables, _fit_generate(tables))
    assert similarity["carriers"] >= 0.95 and similarity["planes"] >= 0.95
    # drawn from the model alone, 12 counts are too few: the distribution moves
    monkeypatch.setattr(synthesizer_module, "calibrate_counts", lambda g, q, rng: g)
    assert _count_similarity(tables, _fit_generate(tables))["carriers"] < 0.9
