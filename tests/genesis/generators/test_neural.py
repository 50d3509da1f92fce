"""CTGAN and TVAE wrappers: parameters, devices, threads, seeds, timings."""

from __future__ import annotations

import pandas as pd
import pytest
import torch

from genesis.errors import InvalidParameterError
from genesis.generators import CTGANSynthesizer, TVAESynthesizer
from genesis.generators.neural import default_torch_threads

FAST = {"epochs": 2, "batch_size": 50}


@pytest.mark.parametrize("cls", [CTGANSynthesizer, TVAESynthesizer])
def test_fit_records_timings_and_losses(cls, adult_tiny):
    model = cls(**FAST, torch_threads=1).fit(adult_tiny)
    assert model.epoch_seconds_ > 0
    assert len(model.loss_history_) >= 2
    assert model.device_ in ("cpu", "cuda")
    synthetic = model.generate(120)
    pd.testing.assert_series_equal(synthetic.dtypes, adult_tiny.dtypes)


@pytest.mark.parametrize("cls", [CTGANSynthesizer, TVAESynthesizer])
def test_torch_thread_setting_is_restored(cls, adult_tiny):
    before = torch.get_num_threads()
    cls(epochs=1, batch_size=100, torch_threads=1).fit(adult_tiny).generate(10)
    assert torch.get_num_threads() == before


def test_default_threads_follow_the_core_count(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert default_torch_threads() == 1
    monkeypatch.setattr("os.cpu_count", lambda: 32)
    assert default_torch_threads() is None


@pytest.mark.parametrize("batch_size", [55, 101])
def test_ctgan_batch_size_must_be_a_multiple_of_ten(batch_size, adult_tiny):
    with pytest.raises(InvalidParameterError, match="multiple of 10"):
        CTGANSynthesizer(batch_size=batch_size).fit(adult_tiny)
    TVAESynthesizer(epochs=1, batch_size=batch_size).fit(adult_tiny)  # TVAE has no such rule


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without a GPU")
@pytest.mark.parametrize("cls", [CTGANSynthesizer, TVAESynthesizer])
def test_cuda_without_a_gpu_is_refused_with_the_fix(cls, adult_tiny):
    with pytest.raises(InvalidParameterError, match="device='cpu'"):
        cls(device="cuda").fit(adult_tiny)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"epochs": 0}, "epochs"),
        ({"device": "tpu"}, "device"),
        ({"torch_threads": 0}, "torch_threads"),
        ({"verbose": "yes"}, "verbose"),
        ({"batch_size": 1}, "batch_size"),
    ],
)
def test_bad_parameters(params, match, adult_tiny):
    with pytest.raises(InvalidParameterError, match=match):
        TVAESynthesizer(**params).fit(adult_tiny)


def test_high_cardinality_reaches_the_network_capped():
    import numpy as np

    rng = np.random.default_rng(0)
    real = pd.DataFrame(
        {"code": [f"k{i}" for i in rng.integers(0, 3000, 400)], "x": rng.normal(size=400)}
    )
    model = CTGANSynthesizer(epochs=1, batch_size=100, max_categories=30)
    model.rare_rows = 1  # every label is rare here: keep them all, this test is about the cap
    model.fit(real)
    assert model.transformer_.n_codes_["code"] == 30
    assert set(model.generate(200)["code"]) <= set(real["code"])


@pytest.mark.parametrize(("cls", "epochs"), [(TVAESynthesizer, 100), (CTGANSynthesizer, 25)])
def test_a_few_epochs_learn_the_marginals(cls, epochs, adult_df):
    real = adult_df.sample(1000, random_state=2).reset_index(drop=True)
    synthetic = cls(epochs=epochs, batch_size=100, seed=0).fit(real).generate(2000)
    for column in ("sex", "income"):
        p = real[column].value_counts(normalize=True)
        q = synthetic[column].value_counts(normalize=True)
        assert 0.5 * p.subtract(q, fill_value=0).abs().sum() < 0.15, column
    if cls is TVAESynthesizer:  # a GAN needs more than 25 short epochs for its numbers
        assert abs(synthetic["age"].median() - real["age"].median()) < 10
