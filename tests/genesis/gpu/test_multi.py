"""MultiGPUGenerator: chunks sharded over worker processes equal one process's chunks."""

from __future__ import annotations

import logging

import pandas as pd
import pytest
import torch

from genesis.errors import DeviceUnavailableError, InvalidParameterError
from genesis.gpu import BatchedGenerator, MultiGPUGenerator


def _one_device(model, n, chunk_rows, seed, batch_size):
    chunks = BatchedGenerator(model, batch_size, "cpu").generate_chunks(n, chunk_rows, seed)
    return pd.concat(list(chunks), ignore_index=True)


@pytest.mark.slow  # 2 spawned torch processes; the numpy-normals sharding test keeps the path in make test
def test_two_cpu_workers_equal_one_process(copula, cart):
    """Copula (torch path) and CART (the model's own path) over two spawned processes."""
    for model in (copula, cart):
        with MultiGPUGenerator(model, ["cpu", "cpu"], batch_size=400, chunk_rows=700) as multi:
            sharded = multi.generate(2500, seed=13)
            chunks = list(multi.generate_chunks(1500, 500, seed=2))
        assert len(multi._pools) == 0  # closed by the with block
        pd.testing.assert_frame_equal(sharded, _one_device(model, 2500, 700, 13, 400))
        assert [len(c) for c in chunks] == [500, 500, 500]
        pd.testing.assert_frame_equal(
            pd.concat(chunks, ignore_index=True), _one_device(model, 1500, 500, 2, 400)
        )


def test_without_cuda_devices_none_generates_in_process(copula, monkeypatch, caplog):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with caplog.at_level(logging.WARNING, logger="genesis.gpu"):
        multi = MultiGPUGenerator(copula, batch_size=300, chunk_rows=400)
    assert multi.devices == [] and multi.fallback_reason.startswith("no CUDA device")
    assert multi.fallback_reason in caplog.text
    pd.testing.assert_frame_equal(
        multi.generate(1000, seed=1), _one_device(copula, 1000, 400, 1, 300)
    )
    assert not multi._pools  # no worker process was started


def test_zero_rows(copula):
    out = MultiGPUGenerator(copula, ["cpu"], chunk_rows=10).generate(0)
    assert len(out) == 0 and list(out.columns) == copula.schema_.names


@pytest.mark.parametrize("devices", [[], "cpu", ["cpu", "gpu"], [None], {"cpu": 1}])
def test_bad_devices_are_refused(copula, devices):
    with pytest.raises(InvalidParameterError, match="device"):
        MultiGPUGenerator(copula, devices)


def test_missing_gpu_is_refused_up_front(copula, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(DeviceUnavailableError, match="cuda:0.*sees no CUDA GPU"):
        MultiGPUGenerator(copula, ["cuda:0", "cuda:1"])


@pytest.mark.parametrize("kwargs", [{"batch_size": 0}, {"chunk_rows": 0}])
def test_bad_sizes_are_refused(copula, kwargs):
    with pytest.raises(InvalidParameterError):
        MultiGPUGenerator(copula, ["cpu"], **kwargs)


def test_numpy_normals_shard_the_cpu_models_own_chunks(copula, same_model_rows):
    """With normals="numpy" the sharded chunks are the CPU model's generate_chunks."""
    with MultiGPUGenerator(
        copula, ["cpu", "cpu"], batch_size=256, chunk_rows=700, normals="numpy"
    ) as multi:
        sharded = multi.generate(2500, seed=13)
    expected = pd.concat(list(copula.generate_chunks(2500, 700, seed=13)), ignore_index=True)
    same_model_rows(sharded, expected)


def test_numpy_normals_are_for_the_copula_only(cart):
    with pytest.raises(InvalidParameterError, match="gaussian_copula method only"):
        MultiGPUGenerator(cart, ["cpu"], normals="numpy")
