"""CTGAN and TVAE sampled in device batches (on the CPU here)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from genesis.gpu import BatchedGenerator
from tests.genesis.generators.conftest import assert_same_format


@pytest.mark.parametrize("method", ["ctgan", "tvae"])
def test_rows_have_the_source_format_and_repeat_per_seed(neural, adult_2k, method):
    model = neural(method)
    batched = BatchedGenerator(model, batch_size=700, device="cpu")
    out = batched.generate(1500, seed=3)
    assert len(out) == 1500
    assert_same_format(adult_2k, out, model.schema_)
    pd.testing.assert_frame_equal(out, batched.generate(1500, seed=3))
    assert not out.equals(batched.generate(1500, seed=4))


@pytest.mark.parametrize("method", ["ctgan", "tvae"])
def test_category_shares_follow_the_models_own_sampling(neural, method):
    """Same network, another generator: the label shares agree with model.generate's."""
    model = neural(method)
    ours = BatchedGenerator(model, batch_size=2000, device="cpu").generate(6000, seed=1)
    theirs = model.generate(6000, seed=1)
    for column in ["workclass", "relationship", "sex", "income"]:
        shares = pd.concat(
            [
                ours[column].value_counts(normalize=True),
                theirs[column].value_counts(normalize=True),
            ],
            axis=1,
        ).fillna(0)
        tvd = 0.5 * (shares.iloc[:, 0] - shares.iloc[:, 1]).abs().sum()
        assert tvd < 0.06, (method, column, tvd)
    for column in ["age", "hours-per-week"]:
        assert abs(ours[column].median() - theirs[column].median()) <= 3, column


def test_ctgan_model_is_left_untouched(neural):
    """The device copy's BatchNorm statistics move; the model's own do not."""
    model = neural("ctgan")
    network = model.synthesizer._model._generator
    before = {k: v.clone() for k, v in network.state_dict().items()}
    BatchedGenerator(model, batch_size=512, device="cpu").generate(2000, seed=0)
    after = network.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_ctgan_conditional_vector_is_drawn_as_ctgans_own(neural):
    """The conditional vector's categories are drawn with the shares of ctgan's own
    ``sample_original_condvec`` (one-hot over the same columns)."""
    model = neural("ctgan")
    sampler = BatchedGenerator(model, batch_size=1000, device="cpu")._sampler
    state = np.random.get_state()  # noqa: NPY002
    np.random.seed(0)  # noqa: NPY002 (ctgan draws it from numpy's global generator)
    try:
        theirs = model.synthesizer._model._data_sampler.sample_original_condvec(50_000)
    finally:
        np.random.set_state(state)  # noqa: NPY002
    theirs = theirs.mean(axis=0)
    index = torch.multinomial(
        sampler._condition, 50_000, True, generator=torch.Generator().manual_seed(0)
    ).numpy()
    ours = np.bincount(index, minlength=sampler._n_categories) / index.size
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, atol=0.01)


def test_ctgan_without_discrete_columns_has_no_conditional_vector():
    """ctgan draws no conditional vector when no column is discrete; neither does this path."""
    from genesis.generators import SyntheticGenerator

    rng = np.random.default_rng(0)
    numbers = pd.DataFrame(rng.normal(size=(500, 3)), columns=["a", "b", "c"])
    model = SyntheticGenerator("ctgan", epochs=1, batch_size=100).fit(numbers)
    batched = BatchedGenerator(model, batch_size=256, device="cpu")
    assert batched._sampler._condition is None
    out = batched.generate(600, seed=0)
    assert list(out.columns) == list(numbers.columns) and len(out) == 600
    assert out.notna().all().all()
