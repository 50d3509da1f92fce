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
