"""ComputeResource: the neural synthesizers' device, threads and batch size."""

from __future__ import annotations

import dagster as dg
import pytest

from genesis_resources import ComputeResource


def test_statistical_methods_get_no_compute_params():
    compute = ComputeResource(device="cuda", torch_threads=8, batch_size=500)
    assert compute.synthesizer_params("cart") == {}
    assert compute.synthesizer_params("gaussian_copula") == {}


@pytest.mark.parametrize("method", ["ctgan", "tvae"])
def test_neural_methods_get_the_configured_settings(method):
    compute = ComputeResource(device="cpu", torch_threads=3, batch_size=500)
    assert compute.synthesizer_params(method) == {
        "device": "cpu",
        "torch_threads": 3,
        "batch_size": 500,
    }


def test_default_threads_follow_the_core_count(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    params = ComputeResource().synthesizer_params("ctgan")
    assert params == {"device": "auto", "torch_threads": 1}
    monkeypatch.setattr("os.cpu_count", lambda: 32)
    assert ComputeResource().synthesizer_params("ctgan") == {"device": "auto"}
    assert ComputeResource(torch_threads=4).effective_torch_threads() == 4


@pytest.mark.parametrize("kwargs", [{"device": "tpu"}, {"torch_threads": 0}, {"batch_size": 1}])
def test_bad_settings_are_refused(kwargs):
    with pytest.raises(Exception, match="device|torch_threads|batch_size"):
        ComputeResource(**kwargs)


def test_configurable_from_run_config():
    @dg.asset
    def uses_compute(compute: ComputeResource) -> dict:
        return compute.synthesizer_params("tvae")

    result = dg.materialize(
        [uses_compute],
        resources={"compute": ComputeResource()},
        run_config={"resources": {"compute": {"config": {"device": "cpu", "batch_size": 100}}}},
    )
    params = result.output_for_node("uses_compute")
    assert params["device"] == "cpu"
    assert params["batch_size"] == 100


# --- generator_for: how a fitted model generates --------------------------------------------


@pytest.fixture(scope="module")
def fitted(adult_df):
    from genesis.generators import SyntheticGenerator

    small = adult_df.sample(600, random_state=0).reset_index(drop=True)
    return {
        "gaussian_copula": SyntheticGenerator("gaussian_copula").fit(small),
        "cart": SyntheticGenerator("cart").fit(small),
    }


def test_generator_for_picks_by_device_and_method(fitted, monkeypatch):
    import torch

    from genesis.errors import DeviceUnavailableError
    from genesis.gpu import BatchedGenerator, MultiGPUGenerator

    copula, cart = fitted["gaussian_copula"], fitted["cart"]
    assert ComputeResource(device="cpu").generator_for(copula) is copula
    assert ComputeResource(device="cuda").generator_for(cart) is cart  # no torch path
    multi = ComputeResource(devices=["cpu", "cpu"], generation_chunk_rows=500).generator_for(cart)
    assert isinstance(multi, MultiGPUGenerator)
    assert multi.devices == ["cpu", "cpu"] and multi.chunk_rows == 500
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert ComputeResource(device="auto").generator_for(copula) is copula
    with pytest.raises(DeviceUnavailableError):
        ComputeResource(device="cuda").generator_for(copula)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 0)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setattr(
        "genesis.gpu.batched._make_sampler", lambda synthesizer, device: ("sampler", device)
    )
    batched = ComputeResource(device="auto", generation_batch_size=4096).generator_for(copula)
    assert isinstance(batched, BatchedGenerator)
    assert batched.device == "cuda:0" and batched.batch_size == 4096
    assert batched.normals == "device"
    resource = ComputeResource(device="cuda", generation_normals="numpy")
    assert resource.generator_for(copula).normals == "numpy"


@pytest.mark.slow
def test_generator_for_generates_through_worker_processes(fitted):
    """Sharded over CPU processes, each method gives the CPU model's own chunks (the copula
    with ``generation_normals: numpy``, CART through its own code in each worker)."""
    import pandas as pd

    resource = ComputeResource(
        devices=["cpu", "cpu"], generation_chunk_rows=300, generation_normals="numpy"
    )
    for model in fitted.values():
        with resource.generator_for(model) as generator:
            assert generator.normals == ("numpy" if model.method == "gaussian_copula" else "device")
            rows = generator.generate(700, seed=5)
        expected = pd.concat(list(model.generate_chunks(700, 300, seed=5)), ignore_index=True)
        pd.testing.assert_frame_equal(rows, expected, check_exact=False, rtol=1e-5)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"devices": []},
        {"devices": ["gpu0"]},
        {"generation_batch_size": 0},
        {"generation_chunk_rows": 0},
        {"generation_normals": "torch"},
    ],
)
def test_bad_generation_settings_are_refused(kwargs):
    field = next(iter(kwargs))
    with pytest.raises(Exception, match=field):  # pydantic names the field
        ComputeResource(**kwargs)
