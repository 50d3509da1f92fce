"""BatchedGenerator on the CPU: fallbacks and their reasons, seeds, chunks, bad inputs."""

from __future__ import annotations

import logging

import pandas as pd
import pytest
import torch

from genesis.errors import DeviceUnavailableError, InvalidParameterError, NotFittedError
from genesis.generators import SyntheticGenerator
from genesis.generators.seeding import chunk_seed
from genesis.gpu import BatchedGenerator
from tests.genesis.generators.conftest import assert_same_format


@pytest.fixture
def no_cuda(monkeypatch):
    """torch sees no GPU (whatever the machine has)."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)


def test_auto_without_cuda_runs_the_torch_path_on_the_cpu_and_logs_why(copula, no_cuda, caplog):
    with caplog.at_level(logging.WARNING, logger="genesis.gpu"):
        batched = BatchedGenerator(copula, batch_size=512)
    assert batched.device == "cpu"
    assert batched.fallback_reason.startswith("no CUDA device")
    warnings = [r for r in caplog.records if r.name == "genesis.gpu"]
    assert len(warnings) == 1 and batched.fallback_reason in warnings[0].getMessage()
    assert batched._sampler is not None  # the device path, on the CPU


def test_explicit_cpu_is_no_fallback(copula, caplog):
    with caplog.at_level(logging.WARNING, logger="genesis.gpu"):
        batched = BatchedGenerator(copula, batch_size=512, device="cpu")
    assert batched.fallback_reason is None
    assert not [r for r in caplog.records if r.name == "genesis.gpu"]


def test_output_has_the_source_format(copula, adult_2k):
    out = BatchedGenerator(copula, batch_size=700, device="cpu").generate(2500, seed=1)
    assert len(out) == 2500
    assert_same_format(adult_2k, out, copula.schema_)


def test_same_seed_same_rows_and_default_seed_is_the_models(copula):
    batched = BatchedGenerator(copula, batch_size=300, device="cpu")
    pd.testing.assert_frame_equal(batched.generate(1000), batched.generate(1000, seed=0))
    pd.testing.assert_frame_equal(batched.generate(1000, seed=4), batched.generate(1000, seed=4))
    assert not batched.generate(1000, seed=4).equals(batched.generate(1000, seed=5))


def test_chunks_use_the_chunk_seeds(copula):
    batched = BatchedGenerator(copula, batch_size=256, device="cpu")
    chunks = list(batched.generate_chunks(2500, 1000, seed=9))
    assert [len(c) for c in chunks] == [1000, 1000, 500]
    for index, chunk in enumerate(chunks):
        alone = batched.generate(len(chunk), seed=chunk_seed(9, index))
        pd.testing.assert_frame_equal(chunk, alone)


def test_cart_falls_back_to_the_models_own_generate(cart, caplog):
    with caplog.at_level(logging.WARNING, logger="genesis.gpu"):
        batched = BatchedGenerator(cart, batch_size=100, device="auto")
    assert "'cart' has no torch sampling path" in batched.fallback_reason
    assert batched.fallback_reason in caplog.text
    assert batched.device == "cpu"
    pd.testing.assert_frame_equal(batched.generate(800, seed=3), cart.generate(800, seed=3))
    chunks = pd.concat(list(batched.generate_chunks(800, 300, seed=3)), ignore_index=True)
    expected = pd.concat(list(cart.generate_chunks(800, 300, seed=3)), ignore_index=True)
    pd.testing.assert_frame_equal(chunks, expected)


def test_conditions_go_through_the_models_conditioning(copula, caplog):
    batched = BatchedGenerator(copula, batch_size=256, device="cpu")
    with caplog.at_level(logging.WARNING, logger="genesis.gpu"):
        out = batched.generate(300, seed=2, conditions={"sex": "Female"})
        batched.generate(10, seed=2, conditions={"sex": "Female"})
    assert (out["sex"] == "Female").all()
    pd.testing.assert_frame_equal(out, copula.generate(300, seed=2, conditions={"sex": "Female"}))
    assert caplog.text.count("conditions are met by") == 1


def test_zero_rows_keep_the_columns(copula):
    out = BatchedGenerator(copula, batch_size=10, device="cpu").generate(0)
    assert len(out) == 0 and list(out.columns) == list(copula.schema_.names)


def test_one_row_batches_work(copula):
    assert len(BatchedGenerator(copula, batch_size=1, device="cpu").generate(7, seed=1)) == 7


@pytest.mark.parametrize("batch_size", [0, -5, 2.5, "100", True])
def test_bad_batch_size_is_refused(copula, batch_size):
    with pytest.raises(InvalidParameterError, match="batch_size"):
        BatchedGenerator(copula, batch_size=batch_size)


@pytest.mark.parametrize("device", ["gpu", "tpu", "cuda:x", "cpu:0", "auto:1", "", None, 0])
def test_unknown_device_is_refused(copula, device):
    with pytest.raises(InvalidParameterError, match="device"):
        BatchedGenerator(copula, batch_size=10, device=device)


@pytest.mark.parametrize("device", ["cuda", "cuda:0"])
def test_cuda_asked_for_without_cuda_is_a_clear_error(copula, no_cuda, device):
    with pytest.raises(DeviceUnavailableError, match="sees no CUDA GPU.*device='auto'"):
        BatchedGenerator(copula, batch_size=10, device=device)


def test_bad_rows_and_seed_are_refused(copula):
    batched = BatchedGenerator(copula, batch_size=10, device="cpu")
    with pytest.raises(InvalidParameterError, match="n must"):
        batched.generate(-1)
    with pytest.raises(InvalidParameterError, match="seed"):
        batched.generate(5, seed=-3)
    with pytest.raises(InvalidParameterError, match="chunk_rows"):
        next(batched.generate_chunks(5, 0))


def test_unfitted_model_is_refused():
    with pytest.raises(NotFittedError):
        BatchedGenerator(SyntheticGenerator("gaussian_copula"), batch_size=10)


@pytest.mark.parametrize("normals", ["gpu", None, "NUMPY"])
def test_unknown_normals_are_refused(copula, normals):
    with pytest.raises(InvalidParameterError, match="normals"):
        BatchedGenerator(copula, batch_size=10, device="cpu", normals=normals)


def test_numpy_normals_are_for_the_copula_only(cart, neural):
    for model in (cart, neural("tvae")):
        with pytest.raises(InvalidParameterError, match="gaussian_copula method only"):
            BatchedGenerator(model, batch_size=10, device="cpu", normals="numpy")
