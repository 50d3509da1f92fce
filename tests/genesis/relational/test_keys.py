"""Keys: fresh identifiers in format, parent look-ups, unique composite keys, self-references,
and the child-count helpers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from genesis.relational.child_counts import (
    choose_link,
    link_score,
    match_by_rank,
    scale_counts,
)
from genesis.relational.keys import (
    KeyFormat,
    assign_self_references,
    key_universe,
    make_unique,
    row_index,
)


def test_fresh_text_keys_keep_the_format_and_never_a_real_key():
    real = pd.Series([f"N{i:03d}AA" for i in range(300)])
    fresh = KeyFormat(real).draw(1000, np.random.default_rng(0))
    assert len(set(fresh)) == 1000
    assert not set(fresh) & set(real)
    assert pd.Series(fresh).str.fullmatch(r"N\d{3}[A-Z]{2}|N\d{3}AA|N[\dA-Z]{5}.*").all()
    assert pd.Series(fresh).str.startswith("N").all()


def test_fresh_integer_keys_are_distinct_and_avoid_given_values():
    fmt = KeyFormat(pd.Series(np.arange(1, 101)))
    keys = fmt.draw(50, np.random.default_rng(1))
    assert len(set(keys)) == 50 and keys.dtype == np.int64
    orphans = fmt.draw(20, np.random.default_rng(2), avoid=np.arange(1, 101))
    assert not set(orphans) & set(range(1, 101))


def test_row_index_single_and_composite():
    parent = pd.DataFrame({"a": ["x", "y", "z"], "b": [1, 2, 3]})
    child = pd.DataFrame({"a": ["y", "q", None, "x"], "b": [2, 2, 1, 9]})
    assert row_index(child, ["a"], parent, ["a"]).tolist() == [1, -1, -1, 0]
    assert row_index(child, ["a", "b"], parent, ["a", "b"]).tolist() == [1, -1, -1, -1]


def test_make_unique_moves_repeats_to_the_nearest_free_tuple():
    universe = key_universe(
        pd.DataFrame({"day": np.repeat([1, 2], 24), "hour": np.tile(np.arange(24), 2)}),
        ["day", "hour"],
    )
    table = pd.DataFrame(
        {
            "site": ["A"] * 5 + ["B"] * 2,
            "day": [1, 1, 1, 2, 2, 1, 1],
            "hour": [3, 3, 3, 23, 23, 3, 3],
            "v": range(7),
        }
    )
    out = make_unique(table, ["site"], ["day", "hour"], universe)
    assert not out.duplicated(["site", "day", "hour"]).any()
    assert len(out) == 7
    a = out[out.site == "A"].sort_values(["day", "hour"])
    assert a[["day", "hour"]].values.tolist() == [[1, 3], [1, 4], [1, 5], [2, 22], [2, 23]]
    # a group larger than the universe keeps as many rows as there are tuples
    big = pd.DataFrame({"site": ["A"] * 60, "day": 1, "hour": 0})
    assert len(make_unique(big, ["site"], ["day", "hour"], universe)) == 48


def test_self_references_form_a_forest():
    rng = np.random.default_rng(0)
    keys = np.arange(1000)
    weights = rng.poisson(1.0, 1000)
    refs = assign_self_references(keys, weights, 0.02, rng)
    assert sum(r is None for r in refs) == 20
    parent = {k: r for k, r in zip(keys, refs, strict=True)}
    for start in keys:  # following managers always ends at a root
        seen, k = set(), start
        while parent[k] is not None:
            assert k not in seen
            seen.add(k)
            k = parent[k]
    assert all(parent[k] != k for k in keys)


def test_scale_counts_keeps_shares_and_total():
    counts = scale_counts(np.array([0, 1, 2, 7.5]), 21, np.random.default_rng(0))
    assert counts.sum() == 21 and counts[0] == 0 and counts[3] > counts[2] > counts[1]
    assert scale_counts(np.zeros(4), 8, np.random.default_rng(0)).tolist() == [2, 2, 2, 2]
    capped = scale_counts(np.array([1.0, 1.0]), 10, np.random.default_rng(0), cap=3)
    assert capped.tolist() == [3, 3]
    # what a full parent cannot hold goes to the others, then to parents without children
    capped = scale_counts(np.array([10.0, 1.0, 0.0]), 12, np.random.default_rng(0), cap=5)
    assert capped.tolist() == [5, 5, 2]
    # ... to few of them, each a full family: zero counts stay the rule
    spread = scale_counts(np.r_[100.0, np.zeros(99)], 300, np.random.default_rng(0), cap=100)
    assert spread.sum() == 300 and (spread > 0).sum() == 3 and spread.max() == 100


def test_link_score_and_matching():
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(100), 10)
    strong = pd.Series(groups * 10.0 + rng.normal(size=1000))
    noise = pd.Series(rng.normal(size=1000))
    assert link_score(strong, groups) > 0.9 and link_score(noise, groups) < 0.05
    labels = pd.Series(np.where(groups % 2 == 0, "even", "odd"))
    assert link_score(labels, groups) > 0.9
    frame = pd.DataFrame({"strong": strong, "noise": noise})
    assert choose_link(frame, ["noise", "strong"], groups, 0) == "strong"
    # children ranked by value take slots ranked by their parents' link
    slots = np.repeat(np.arange(3), 2)
    parents = match_by_rank(
        pd.Series([5.0, 1.0, 9.0, 2.0, 8.0, 4.0]),
        slots,
        pd.Series([1.0, 1.0, 5.0, 5.0, 9.0, 9.0]),
        rng,
    )
    assert parents.tolist() == [1, 0, 2, 0, 2, 1]
