"""The real thing: `dagster asset materialize` and `dagster dev` against a temporary DAGSTER_HOME.

Both run the project's own CLI in subprocesses, with the project's dagster.yaml and a small
genesis.yaml named through GENESIS_CONFIG; the web server runs in its own process group
(`dagster dev` ignores SIGTERM from a non-interactive parent) and the whole group is stopped.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import dagster as dg
import pytest
import yaml

DAGSTER = str(Path(sys.executable).parent / "dagster")
STAGES = {
    "raw_source",
    "training_data",
    "holdout_data",
    "inferred_schema",
    "synthesis_model",
    "synthetic_dataset",
    "quality_report",
    "privacy_audit",
    "drift_report",
    "quality_dashboard",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def project_home(tmp_path_factory, adult_df, repo_root):
    """A DAGSTER_HOME holding the project's dagster.yaml, and the env for the CLI."""
    folder = tmp_path_factory.mktemp("instance")
    adult_df.sample(n=1000, random_state=1).to_csv(folder / "small.csv", index=False)
    config = {
        "storage": {"root": "artifacts"},
        "datasets": [
            {
                "name": "adult",
                "source": "small.csv",
                "target": "income",
                "method": "cart",
                "quality_threshold": 0.5,
            }
        ],
    }
    (folder / "genesis.yaml").write_text(yaml.safe_dump(config))
    home = folder / "dagster_home"
    home.mkdir()
    shutil.copy(repo_root / "dagster.yaml", home / "dagster.yaml")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "GENESIS_CONFIG": str(folder / "genesis.yaml"),
        "OMP_NUM_THREADS": "1",
    }
    return folder, home, env


@pytest.fixture(scope="module")
def materialized(project_home, repo_root):
    """One `dagster asset materialize --select '*'` run of the project's code location."""
    folder, home, env = project_home
    started = time.perf_counter()
    proc = subprocess.run(
        [DAGSTER, "asset", "materialize", "-m", "genesis_assets.definitions", "--select", "*"],
        cwd=repo_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return folder, home, time.perf_counter() - started


def test_cli_materializes_the_chain_into_the_instance(materialized, monkeypatch):
    folder, home, seconds = materialized
    monkeypatch.setenv("DAGSTER_HOME", str(home))  # dagster.yaml reads its storage folder from it
    assert (home / "history" / "runs.db").is_file()  # SQLite storage under DAGSTER_HOME
    with dg.DagsterInstance.from_config(str(home)) as instance:
        (record,) = instance.get_run_records()
        assert record.dagster_run.status == dg.DagsterRunStatus.SUCCESS
        for stage in STAGES:
            event = instance.get_latest_materialization_event(dg.AssetKey(["adult", stage]))
            assert event is not None, stage
            assert event.run_id == record.dagster_run.run_id
    assert (folder / "artifacts" / "adult" / "synthetic_dataset.parquet").is_file()
    assert seconds < 120


def test_summary_prints_the_headline_figures(materialized, project_home, repo_root, tmp_path):
    _, _, env = project_home
    command = [sys.executable, "-m", "genesis_assets.summary"]
    proc = subprocess.run(command, cwd=repo_root, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "adult: 1,000 synthetic rows x 15 columns, method cart" in proc.stdout
    assert "quality score 0." in proc.stdout and "passed" in proc.stdout
    assert "make ui" in proc.stdout

    empty_home = tmp_path / "empty_home"
    empty_home.mkdir()
    shutil.copy(repo_root / "dagster.yaml", empty_home / "dagster.yaml")
    proc = subprocess.run(
        command,
        cwd=repo_root,
        env={**env, "DAGSTER_HOME": str(empty_home)},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "adult: not materialized yet" in proc.stdout


def _get(url: str, timeout: float = 5) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


def _graphql(base: str, query: str) -> dict:
    request = urllib.request.Request(
        f"{base}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["data"]


@pytest.fixture(scope="module")
def webserver(materialized, project_home, repo_root):
    """`dagster dev` on a free loopback port with the same instance; stopped with its group."""
    folder, home, env = project_home
    port = _free_port()
    log = (folder / "dagster_dev.log").open("wb")
    proc = subprocess.Popen(
        [DAGSTER, "dev", "-h", "127.0.0.1", "-p", str(port), "-w", "workspace.yaml"],
        cwd=repo_root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                _get(f"{base}/server_info")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    tail = (folder / "dagster_dev.log").read_text(errors="replace")[-3000:]
                    pytest.fail(f"dagster dev did not answer /server_info:\n{tail}")
                time.sleep(0.5)
        yield base
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)
        except ProcessLookupError:
            pass
        log.close()


def test_webserver_lists_the_assets_and_the_cli_run(webserver):
    info = json.loads(_get(f"{webserver}/server_info"))
    assert "dagster_webserver_version" in info
    data = _graphql(webserver, "{ assetNodes { assetKey { path } groupName } }")
    nodes = {tuple(n["assetKey"]["path"]): n["groupName"] for n in data["assetNodes"]}
    assert nodes == {("adult", stage): "adult" for stage in STAGES}
    runs = _graphql(webserver, "{ runsOrError { ... on Runs { results { runId status } } } }")
    statuses = [r["status"] for r in runs["runsOrError"]["results"]]
    assert statuses == ["SUCCESS"]  # the run made by the CLI is visible in the UI
