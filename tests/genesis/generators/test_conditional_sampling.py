"""genesis.generators.conditional_sampling: ConditionalSampler and GuidedConditionalSampler.

Exact row counts, every row satisfying, a bounded search, same seed same rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.errors import (
    GenesisError,
    InfeasibleConditionError,
    InvalidParameterError,
    NotFittedError,
)
from genesis.generators.conditional import (
    Condition,
    ConditionalSampler,
    ConditionSet,
    GuidedConditionalSampler,
)

# --- ConditionalSampler -----------------------------------------------------------------


def test_conditional_sampler_exact_rows_all_satisfy(adult_df):
    cs = {"age": ("between", (30, 40)), "native-country": "Cuba"}
    sampler = ConditionalSampler(adult_df)
    out = sampler.sample(cs, 500, seed=4)
    assert len(out) == 500
    assert ConditionSet.from_dict(cs).mask(out).all()
    assert list(out.index) == list(range(500))
    pd.testing.assert_frame_equal(out, sampler.sample(cs, 500, seed=4))
    assert not out.equals(sampler.sample(cs, 500, seed=5))
    expected = ConditionSet.from_dict(cs).mask(adult_df).mean()
    assert sampler.estimate_feasibility(cs) == pytest.approx(expected)
    assert 0 < expected < 0.01


def test_conditional_sampler_feasibility_report(adult_df):
    report = ConditionalSampler(adult_df).feasibility_report({"sex": "Female", "age": (">", 80)})
    assert report["rows"] == len(adult_df)
    assert report["feasible"] is True
    assert report["matching_rows"] == int(((adult_df.sex == "Female") & (adult_df.age > 80)).sum())
    assert [p["matching_rows"] for p in report["per_condition"]] == [
        int((adult_df.sex == "Female").sum()),
        int((adult_df.age > 80).sum()),
    ]


def test_conditional_sampler_infeasible_names_tightest(adult_df):
    sampler = ConditionalSampler(adult_df)
    cs = {"sex": "Female", "relationship": "Husband", "marital-status": "Never-married"}
    assert not ConditionSet.from_dict(cs).mask(adult_df).any()  # precondition
    with pytest.raises(InfeasibleConditionError) as info:
        sampler.sample(cs, 10)
    message = str(info.value)
    # Female: 10,771 rows, Never-married 10,683, Husband 13,193: the tightest is named
    assert "most restrictive condition is marital-status == 'Never-married' (10683 rows" in message
    assert info.value.probability == 0.0
    assert (
        info.value.alternative
        == f"without marital-status == 'Never-married', 1 of {len(adult_df)} rows match"
    )
    assert sampler.estimate_feasibility(cs) == 0.0


def test_conditional_sampler_bad_inputs(adult_df):
    with pytest.raises(GenesisError, match="pandas DataFrame"):
        ConditionalSampler([1, 2])
    with pytest.raises(InvalidParameterError, match="n_samples"):
        ConditionalSampler(adult_df).sample({"age": 30}, -1)
    with pytest.raises(InvalidParameterError, match="seed"):
        ConditionalSampler(adult_df).sample({"age": 30}, 1, seed=1.5)
    assert len(ConditionalSampler(adult_df).sample(None, 3, seed=0)) == 3


# --- GuidedConditionalSampler -----------------------------------------------------------


class Uniform:
    """A black-box generator: independent uniform columns, counting its calls."""

    def __init__(self):
        self.calls = 0
        self.rows = 0

    def __call__(self, n, seed=None):
        self.calls += 1
        self.rows += n
        rng = np.random.default_rng(seed)
        return pd.DataFrame(
            {
                "x": rng.uniform(0, 100, n),
                "y": rng.uniform(0, 1, n),
                "cat": rng.choice(["a", "b", "c", "d"], n),
            }
        )


@pytest.mark.parametrize("strategy", ["iterative_refinement", "importance_sampling"])
def test_guided_sampler_exact_rows_all_satisfy(strategy):
    real = Uniform()(5000, 0)
    gen = Uniform()
    sampler = GuidedConditionalSampler(strategy=strategy, batch_multiplier=2.0).fit(real)
    cs = {"x": ("between", (10, 12)), "cat": ("in", ["a", "b"])}  # ~1% of rows
    out = sampler.sample(gen, 300, cs, seed=1)
    assert len(out) == 300
    assert ConditionSet.from_dict(cs).mask(out).all()
    assert out.index.equals(pd.RangeIndex(300))
    assert sampler.diagnostics_["accepted_rows"] >= 300
    assert 0.005 < sampler.diagnostics_["acceptance_rate"] < 0.02
    pd.testing.assert_frame_equal(out, sampler.sample(Uniform(), 300, cs, seed=1))
    assert not out.equals(sampler.sample(Uniform(), 300, cs, seed=2))


def test_iterative_refinement_adapts_batch_without_fit():
    gen = Uniform()
    sampler = GuidedConditionalSampler(batch_multiplier=2.0)
    out = sampler.sample(gen, 200, {"x": ("<", 1)}, seed=0)  # 1% acceptance
    assert len(out) == 200 and (out["x"] < 1).all()
    # first batch 400 rows; then batches sized from the observed rate: a handful of calls
    assert gen.calls <= 5


def test_generator_without_seed_parameter():
    rng = np.random.default_rng(0)

    def plain(n):
        return pd.DataFrame({"x": rng.integers(0, 10, n)})

    out = GuidedConditionalSampler().sample(plain, 50, Condition("x", "eq", 3))
    assert len(out) == 50 and (out["x"] == 3).all()

    def positional(n, s):
        return pd.DataFrame({"x": np.random.default_rng(s).integers(0, 10, n)})

    a = GuidedConditionalSampler().sample(positional, 20, {"x": 3}, seed=9)
    assert a.equals(GuidedConditionalSampler().sample(positional, 20, {"x": 3}, seed=9))


@pytest.mark.parametrize("strategy", ["iterative_refinement", "importance_sampling"])
def test_guided_sampler_infeasible_after_bound(strategy):
    gen = Uniform()
    sampler = GuidedConditionalSampler(strategy, max_iterations=3, batch_multiplier=1.5)
    sampler.fit(Uniform()(1000, 0))
    with pytest.raises(InfeasibleConditionError) as info:
        sampler.sample(gen, 10, {"x": (">", 100), "cat": "a"}, seed=0)
    assert gen.calls == 3
    message = str(info.value)
    assert "max_iterations=3" in message and "acceptance rate 0" in message
    assert "x > 100" in message
    assert info.value.probability == 0.0
    assert info.value.alternative is not None and "x > 100" in info.value.alternative


def test_importance_sampling_moves_towards_real_conditional():
    # the generator over-produces high y among accepted rows; the real data does not
    def skewed(n, seed=None):
        rng = np.random.default_rng(seed)
        x = rng.uniform(0, 100, n)
        y = np.where(x < 50, rng.uniform(0, 1, n) ** 0.4, rng.uniform(0, 1, n))
        return pd.DataFrame({"x": x, "y": y})

    rng = np.random.default_rng(0)
    real = pd.DataFrame({"x": rng.uniform(0, 100, 20000), "y": rng.uniform(0, 1, 20000)})
    cs = {"x": ("<", 50)}
    plain = GuidedConditionalSampler().fit(real).sample(skewed, 1000, cs, seed=3)
    weighted = (
        GuidedConditionalSampler("importance_sampling", batch_multiplier=5.0)
        .fit(real)
        .sample(skewed, 1000, cs, seed=3)
    )
    assert (weighted["x"] < 50).all() and len(weighted) == 1000
    # real conditional mean of y is 0.5; the raw generator gives 1 / 1.4 = 0.71
    assert plain["y"].mean() > 0.68
    assert abs(weighted["y"].mean() - 0.5) < abs(plain["y"].mean() - 0.5) - 0.08


def test_guided_sampler_bad_inputs():
    with pytest.raises(InvalidParameterError, match="strategy"):
        GuidedConditionalSampler("magic").sample(Uniform(), 5, {"x": 1})
    with pytest.raises(InvalidParameterError, match="max_iterations"):
        GuidedConditionalSampler(max_iterations=0).sample(Uniform(), 5, {"x": 1})
    with pytest.raises(InvalidParameterError, match="batch_multiplier"):
        GuidedConditionalSampler(batch_multiplier=0.5).sample(Uniform(), 5, {"x": 1})
    with pytest.raises(NotFittedError, match=r"fit\(real_df\)"):
        GuidedConditionalSampler("importance_sampling").sample(Uniform(), 5, {"x": (">", 1)})
    with pytest.raises(InvalidParameterError, match="callable"):
        GuidedConditionalSampler().sample("model", 5, {"x": 1})
    with pytest.raises(InvalidParameterError, match=r"lacks the conditioned column\(s\) \['z'\]"):
        GuidedConditionalSampler().sample(Uniform(), 5, {"z": 1})
    empty = GuidedConditionalSampler().sample(Uniform(), 0, {"x": (">", 1)}, seed=0)
    assert len(empty) == 0 and list(empty.columns) == ["x", "y", "cat"]
