"""The real thing: `make demo`'s `dagster job execute -j materialize_all`, `dagster dev` and
`make ui`'s wrapper against a temporary DAGSTER_HOME.

All run the project's own CLI in subprocesses, with the project's dagster.yaml and a small
genesis.yaml named through GENESIS_CONFIG; servers run in their own process group
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

from tests.signals import interruptible

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
    "release",
    "quality_dashboard",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def project_home(tmp_path_factory, adult_df, repo_root):
    """A DAGSTER_HOME holding the project's dagster.yaml, and the env for the CLI."""
    from tests.genesis_assets.project import adult_entry, write_project

    folder = tmp_path_factory.mktemp("instance")
    port = _free_port()
    write_project(
        folder,
        adult_df.sample(n=1000, random_state=1),
        adult_entry(quasi_identifiers=[], sensitive_columns=[]),
        reports={"base_url": f"http://127.0.0.1:{port}"},
        executor="in_process",  # as the project's genesis.yaml: one small chain, one process
    )
    home = folder / "dagster_home"
    home.mkdir()
    shutil.copy(repo_root / "dagster.yaml", home / "dagster.yaml")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "GENESIS_CONFIG": str(folder / "genesis.yaml"),
        "OMP_NUM_THREADS": "1",
        "PYTHONPATH": str(repo_root),
    }
    return folder, home, env


@pytest.fixture(scope="module")
def materialized(project_home, repo_root):
    """One `dagster job execute -j materialize_all` run (make demo) of the code location."""
    folder, home, env = project_home
    started = time.perf_counter()
    proc = subprocess.run(
        [DAGSTER, "job", "execute", "-m", "genesis_assets.definitions", "-j", "materialize_all"],
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
        assert record.dagster_run.job_name == "materialize_all"  # listed under Jobs
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
    runs = _graphql(
        webserver, "{ runsOrError { ... on Runs { results { runId status jobName } } } }"
    )
    results = runs["runsOrError"]["results"]
    assert [(r["status"], r["jobName"]) for r in results] == [("SUCCESS", "materialize_all")]


def _answers(url: str) -> bool:
    try:
        _get(url, timeout=2)
        return True
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


# SIGINT (Ctrl-C) in every run; SIGTERM as well in `make test-slow` (15 s each)
@pytest.mark.parametrize(
    "stop", [pytest.param(signal.SIGTERM, marks=pytest.mark.slow), signal.SIGINT]
)
def test_make_ui_serves_the_ui_and_the_reports_and_stops_on_a_signal(
    materialized, project_home, repo_root, stop, monkeypatch
):
    """`make ui`'s wrapper: the Dagster UI and the report server, whose links from the
    metadata open; SIGTERM to its process group or Ctrl-C (SIGINT) stops both."""
    folder, home, env = project_home
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    ui_port = _free_port()
    config = yaml.safe_load((folder / "genesis.yaml").read_text())
    reports = config["reports"]["base_url"]
    log = (folder / f"ui-{stop.name}.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "genesis_assets.ui", "--port", str(ui_port)],
        cwd=repo_root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        preexec_fn=interruptible,
    )  # fmt: skip
    ui = f"http://127.0.0.1:{ui_port}"
    try:
        deadline = time.monotonic() + 120
        while not (_answers(f"{ui}/server_info") and _answers(f"{reports}/")):
            assert proc.poll() is None, (folder / f"ui-{stop.name}.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "make ui did not start both servers"
            time.sleep(0.5)
        with dg.DagsterInstance.from_config(str(home)) as instance:
            event = instance.get_latest_materialization_event(
                dg.AssetKey(["adult", "privacy_audit"])
            )
            link = event.asset_materialization.metadata["report_html"].value
        assert link.startswith(reports)
        assert b"<!DOCTYPE html>" in _get(link)  # the UI's link opens over http
        os.killpg(proc.pid, stop)  # what a terminal's Ctrl-C or `kill -- -PGID` does
        assert proc.wait(timeout=40) == 0
        time.sleep(1)
        assert not _answers(f"{ui}/server_info") and not _answers(f"{reports}/")
    finally:
        if proc.poll() is None:  # a failed assertion: let the wrapper stop its servers first
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
