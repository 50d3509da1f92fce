"""Device resolution and host staging."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from genesis.errors import DeviceUnavailableError, InvalidParameterError
from genesis.gpu.devices import HostStaging, resolve_device


def test_cpu_is_the_cpu_without_a_reason():
    assert resolve_device("cpu") == (torch.device("cpu"), None)


def test_auto_without_cuda_says_why(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    device, reason = resolve_device("auto")
    assert device == torch.device("cpu")
    assert reason.startswith("no CUDA device") and "torch.cuda.is_available() is False" in reason


@pytest.mark.parametrize("name", ["cuda", "cuda:3"])
def test_named_gpu_without_cuda_raises(monkeypatch, name):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(DeviceUnavailableError, match="pass device='auto'"):
        resolve_device(name)


@pytest.mark.parametrize("name", ["CUDA", "cuda0", "mps", " cpu", "cpu:1"])
def test_unknown_strings_are_refused(name):
    with pytest.raises(InvalidParameterError, match="device"):
        resolve_device(name)


def test_staging_gathers_batches_in_place_on_the_cpu():
    staging = HostStaging(torch.device("cpu"), 10, 3, torch.float64)
    data = np.arange(30, dtype=np.float64).reshape(10, 3)
    for start in (0, 4, 8):  # batches of 4, 4 and 2 rows
        staging.submit(torch.as_tensor(data[start : start + 4]), start)
    result = staging.result()
    assert result.dtype == np.float64
    np.testing.assert_array_equal(result, data)
