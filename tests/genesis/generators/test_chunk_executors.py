"""The same chunk bytes wherever chunks run: this process, worker processes, a thread pool,
a local Dask cluster of worker processes (started and stopped by a fixture)."""

from __future__ import annotations

import concurrent.futures as cf

import pytest

from genesis.errors import DataWriteError, InvalidConditionError, InvalidParameterError
from genesis.generators import SyntheticGenerator
from genesis.generators.chunk_executors import check_executor, is_dask_client
from genesis.generators.chunked import MANIFEST_NAME, generate_to

ROWS, CHUNK = 24_000, 6_000


@pytest.fixture(scope="module")
def models(adult_small):
    return {
        "gaussian_copula": SyntheticGenerator("gaussian_copula", seed=0).fit(adult_small),
        "cart": SyntheticGenerator("cart", seed=0).fit(adult_small),
    }


@pytest.fixture(scope="module")
def reference(models, tmp_path_factory):
    """Each model's output written in this process: the bytes every executor must match."""
    out = {}
    for method, model in models.items():
        folder = tmp_path_factory.mktemp(f"here-{method}")
        generate_to(model, folder, ROWS, chunk_rows=CHUNK, seed=11)
        out[method] = folder
    return out


@pytest.fixture(scope="module")
def dask_client():
    """A local Dask cluster of two worker processes on loopback, closed after the module."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - installed with the project's scale extra
        pytest.fail("dask.distributed is missing: pip install 'genesis-synth[scale]'")
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None,
    )  # fmt: skip
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def _same_output(folder, expected) -> None:
    assert (folder / MANIFEST_NAME).read_bytes() == (expected / MANIFEST_NAME).read_bytes()
    for path in sorted(expected.glob("part-*.parquet")):
        assert (folder / path.name).read_bytes() == path.read_bytes(), path.name


@pytest.mark.parametrize("method", ["gaussian_copula", "cart"])
def test_two_worker_processes_write_the_same_bytes(models, reference, tmp_path, method):
    seen = []
    out = generate_to(
        models[method], tmp_path, ROWS, chunk_rows=CHUNK, seed=11, executor=2,
        progress=seen.append,
    )  # fmt: skip
    assert out.rows == ROWS and sorted(r.index for r in seen) == [0, 1, 2, 3]
    _same_output(tmp_path, reference[method])


@pytest.mark.parametrize("kind", ["threads", "processes"])
def test_any_executor_writes_the_same_bytes(models, reference, tmp_path, kind):
    """A caller's own pool: the model travels with each task and is loaded once per
    process."""
    import multiprocessing

    pool = (
        cf.ThreadPoolExecutor(max_workers=2)
        if kind == "threads"
        else cf.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))
    )
    with pool:
        generate_to(models["cart"], tmp_path, ROWS, chunk_rows=CHUNK, seed=11, executor=pool)
    _same_output(tmp_path, reference["cart"])


def test_dask_workers_write_the_same_bytes(models, reference, dask_client, tmp_path):
    assert is_dask_client(dask_client)
    for method in ("gaussian_copula", "cart"):
        folder = tmp_path / method
        seen = []
        generate_to(
            models[method], folder, ROWS, chunk_rows=CHUNK, seed=11, executor=dask_client,
            progress=seen.append,
        )  # fmt: skip
        assert sum(r.rows for r in seen) == ROWS
        _same_output(folder, reference[method])
    # the chunks ran on the workers: each holds the model it loaded from the bytes
    loaded = dask_client.run(
        lambda: sorted(__import__("genesis.generators.chunk_executors", fromlist=["x"])._MODELS)
    )
    assert len(loaded) == 2 and all(len(keys) == 1 for keys in loaded.values()), loaded


def test_a_chunk_failing_in_a_worker_surfaces_and_leaves_no_manifest(models, tmp_path):
    generate_to(models["cart"], tmp_path, 4_000, chunk_rows=1_000)
    (tmp_path / MANIFEST_NAME).unlink()
    (tmp_path / "part-00001.parquet").unlink()
    (tmp_path / "part-00001.parquet").mkdir()  # the worker's rename into place fails
    with pytest.raises(DataWriteError, match="part-00001.parquet"):
        generate_to(models["cart"], tmp_path, 4_000, chunk_rows=1_000, executor=2)
    assert not (tmp_path / MANIFEST_NAME).exists()


def test_a_bad_condition_is_refused_before_any_worker_starts(models, tmp_path):
    with pytest.raises(InvalidConditionError, match="unknown column 'no_such_column'"):
        generate_to(
            models["cart"], tmp_path / "out", 4_000, chunk_rows=1_000, executor=2,
            conditions={"no_such_column": 1},
        )  # fmt: skip
    assert not (tmp_path / "out").exists()


def test_executors_are_checked():
    assert check_executor(None) is None and check_executor(3) == 3
    for bad in (0, True, "dask", 2.0):
        with pytest.raises(InvalidParameterError, match="executor"):
            check_executor(bad)


_PEAK = """
import resource, sys
from genesis.generators import SyntheticGenerator
from genesis.generators.chunked import generate_to
model = SyntheticGenerator.load(sys.argv[1])
generate_to(model, sys.argv[2], int(sys.argv[3]), chunk_rows=25_000, executor=None)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def test_memory_is_bounded_by_the_chunk_not_the_total(models, tmp_path, repo_root):
    """Forty times the rows, same chunks: the peak RSS of the writing process stays put
    (holding the rows as generate_chunks yields them adds about 45 MB per million)."""
    import subprocess
    import sys

    path = models["gaussian_copula"].save(tmp_path / "copula.genesis")
    env = {**__import__("os").environ, "PYTHONPATH": str(repo_root)}
    peaks = {}
    for rows in (25_000, 1_000_000):
        done = subprocess.run(
            [sys.executable, "-c", _PEAK, path, str(tmp_path / str(rows)), str(rows)],
            env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        peaks[rows] = int(done.stdout.split()[-1])
    assert peaks[1_000_000] - peaks[25_000] < 15, peaks
