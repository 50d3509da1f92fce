"""DaskResource: a local cluster of worker processes started and stopped by a fixture, chunked
output through it equal byte for byte to the output generated in this process, a scheduler
reached by address, and a clear error when none answers."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pandas as pd
import pytest

from genesis.errors import ClusterUnavailableError
from genesis.generators import SyntheticGenerator
from genesis.generators.chunked import generate_to
from genesis_resources.dask import DaskResource

ROWS, CHUNK_ROWS = 3_000, 1_000


@pytest.fixture(scope="module")
def model(adult_df: pd.DataFrame) -> SyntheticGenerator:
    sample = adult_df.sample(n=800, random_state=0).reset_index(drop=True)
    return SyntheticGenerator("gaussian_copula", seed=0).fit(sample)


@pytest.fixture(scope="module")
def cluster():
    """A local cluster of 2 worker processes on 127.0.0.1 for the module, stopped after."""
    resource = DaskResource(n_workers=2)
    with resource.client() as client:
        info = client.scheduler_info()
        address = client.scheduler.address
        yield client
    assert client.status == "closed"
    assert len(info["workers"]) == 2
    # the local cluster was stopped: its scheduler no longer answers
    stopped = DaskResource(address=address, connect_timeout=2)
    with (
        pytest.raises(ClusterUnavailableError, match="no Dask scheduler answered"),
        stopped.client(),
    ):
        pass


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_local_cluster_is_processes_on_loopback(cluster):
    workers = cluster.scheduler_info()["workers"]
    assert len(workers) == 2
    assert all(address.startswith("tcp://127.0.0.1:") for address in workers)
    assert cluster.scheduler.address.startswith("tcp://127.0.0.1:")
    assert cluster.dashboard_link.startswith("http://127.0.0.1:")  # its HTTP server too
    pids = set(cluster.run(os.getpid).values())
    assert len(pids) == 2 and os.getpid() not in pids


def test_chunks_through_the_resource_equal_the_in_process_output(cluster, model, tmp_path):
    local = generate_to(model, tmp_path / "local", ROWS, chunk_rows=CHUNK_ROWS, seed=7)
    # the resource connects to the fixture's scheduler by address (as to a remote cluster)
    resource = DaskResource(address=cluster.scheduler.address)
    seen = []
    remote = resource.generate_to(
        model, str(tmp_path / "dask"), ROWS, chunk_rows=CHUNK_ROWS, seed=7, progress=seen.append
    )
    assert remote.rows == local.rows == ROWS and len(remote.chunks) == 3
    assert sorted(r.index for r in seen) == [0, 1, 2]
    in_process, on_dask = _files(tmp_path / "local"), _files(tmp_path / "dask")
    assert sorted(in_process) == sorted(on_dask)
    assert any(name.startswith("part-") for name in on_dask) and "_manifest.json" in on_dask
    assert in_process == on_dask  # byte for byte, manifest included
    # and the rows are what one in-process generate() of each chunk gives
    first = pd.read_parquet(tmp_path / "dask" / "part-00000.parquet")
    assert len(first) == CHUNK_ROWS


def test_resource_starts_and_stops_its_own_local_cluster(model, tmp_path):
    resource = DaskResource(n_workers=1)
    out = resource.generate_to(model, str(tmp_path / "out"), 1_500, chunk_rows=1_000, seed=1)
    assert out.rows == 1_500 and [c.rows for c in out.chunks] == [1_000, 500]
    expected = generate_to(model, tmp_path / "ref", 1_500, chunk_rows=1_000, seed=1)
    assert _files(tmp_path / "out") == _files(tmp_path / "ref") and expected.rows == 1_500


def test_no_scheduler_at_the_address_is_a_clear_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    resource = DaskResource(address=f"tcp://127.0.0.1:{port}", connect_timeout=2)
    expected = f"127.0.0.1:{port}.*leave 'address' empty"
    with pytest.raises(ClusterUnavailableError, match=expected), resource.client():
        pass


def test_bad_settings_are_refused():
    with pytest.raises(Exception, match="n_workers"):
        DaskResource(n_workers=0)


def test_code_location_registers_the_resource(make_project_defs, monkeypatch):
    monkeypatch.delenv("GENESIS_DASK_ADDRESS", raising=False)
    assert make_project_defs().resources["dask"].address is None  # a local cluster per use
    monkeypatch.setenv("GENESIS_DASK_ADDRESS", "tcp://dask-scheduler:8786")
    assert make_project_defs().resources["dask"].address == "tcp://dask-scheduler:8786"


@pytest.fixture
def make_project_defs(tmp_path, adult_df):
    from genesis_assets.config import load_config
    from genesis_assets.factory import build_definitions
    from tests.genesis_assets.project import write_project

    path = write_project(tmp_path, adult_df.head(300))
    return lambda: build_definitions(load_config(path))
