"""The CUDA path: pinned staging, copula and CTGAN on the GPU, sharding over GPUs.

Skipped with "no CUDA device: run on a GPU host" where torch sees no GPU (the issue allows
it: the CPU path is tested in the other modules); run on a GPU host with
``pytest -m cuda tests/genesis/gpu``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from scipy import stats

from genesis.gpu import BatchedGenerator, MultiGPUGenerator
from genesis.gpu.devices import HostStaging

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device: run on a GPU host"),
]


def test_staging_through_pinned_buffers_keeps_every_batch():
    device = torch.device("cuda")
    data = torch.arange(10_000 * 4, dtype=torch.float64, device=device).reshape(10_000, 4)
    staging = HostStaging(device, 10_000, 4, torch.float64)
    for start in range(0, 10_000, 999):
        staging.submit(data[start : start + 999].clone(), start)
    assert staging._buffers and all(b.is_pinned() for b in staging._buffers)
    np.testing.assert_array_equal(staging.result(), data.cpu().numpy())


def test_copula_on_the_gpu_repeats_and_agrees_with_the_cpu(copula):
    batched = BatchedGenerator(copula, batch_size=8192, device="cuda")
    assert batched.device.startswith("cuda") and batched.fallback_reason is None
    out = batched.generate(30_000, seed=1)
    pd.testing.assert_frame_equal(out, batched.generate(30_000, seed=1))
    theirs = copula.generate(30_000, seed=1)
    for column in ["age", "fnlwgt", "hours-per-week"]:
        assert stats.ks_2samp(out[column], theirs[column]).statistic < 0.03, column
    assert list(out.columns) == list(theirs.columns)
    pd.testing.assert_series_equal(out.dtypes, theirs.dtypes)


def test_ctgan_on_the_gpu_repeats(neural):
    model = neural("ctgan")
    network = model.synthesizer._model._generator
    before = next(network.parameters()).device
    batched = BatchedGenerator(model, batch_size=4096, device="cuda")
    out = batched.generate(5000, seed=2)
    pd.testing.assert_frame_equal(out, batched.generate(5000, seed=2))
    assert next(network.parameters()).device == before  # the model's own network stays put


def test_sharding_over_the_gpus_equals_one_gpu(copula):
    devices = [f"cuda:{i}" for i in range(torch.cuda.device_count())] * (
        2 if torch.cuda.device_count() == 1 else 1
    )
    with MultiGPUGenerator(copula, devices, batch_size=4096, chunk_rows=5000) as multi:
        sharded = multi.generate(20_000, seed=3)
    one = BatchedGenerator(copula, 4096, "cuda:0").generate_chunks(20_000, 5000, seed=3)
    pd.testing.assert_frame_equal(sharded, pd.concat(list(one), ignore_index=True))


def test_numpy_normals_on_the_gpu_give_the_cpu_models_rows(copula):
    """The matrix product and ndtr run in CUDA's float32 kernels: values may move in their
    last float32 bits, so a label flips only for a score within rounding of a threshold."""
    ours = BatchedGenerator(copula, 4096, "cuda", normals="numpy").generate(20_000, seed=4)
    theirs = copula.generate(20_000, seed=4)
    for column in theirs.columns:
        a, b = ours[column], theirs[column]
        if pd.api.types.is_numeric_dtype(b):
            same = np.isclose(a, b, rtol=1e-5, equal_nan=True)
        else:
            same = (a == b) | (a.isna() & b.isna())
        assert same.mean() >= 0.999, column
