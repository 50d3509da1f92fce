"""A served project for the API tests (imported as ``tests.genesis.api.project``).

:func:`build_project` writes a ``genesis.yaml`` with two Adult datasets into a folder,
``adult`` and ``pending``, and materializes ``adult``'s chain up to ``synthesis_model`` (CART
on 3,000 real rows, about 3 s) into a real Dagster instance whose home is in the folder;
``pending`` is never materialized. :func:`start_server` and :func:`stop_server` run
``genesis serve`` in a subprocess.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pandas as pd

from tests.genesis_assets.project import adult_entry, materialize, write_project
from tests.signals import interruptible

REPO_ROOT = Path(__file__).resolve().parents[3]
TRAINING_ROWS = 3_000


@dataclass
class ApiProject:
    """A project whose ``adult`` model is materialized in the instance at ``home``."""

    folder: Path
    config: Path
    home: Path
    data: pd.DataFrame  # the real rows the chain read (its training rows are 80% of them)


def build_project(folder: Path, adult_df: pd.DataFrame) -> ApiProject:
    """Write the project and materialize ``adult/synthesis_model`` (and what it needs)."""
    data = adult_df.sample(n=TRAINING_ROWS, random_state=11).reset_index(drop=True)
    home = folder / "dagster_home"
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    config = write_project(folder, data, adult_entry(), adult_entry("pending"))
    with dg.DagsterInstance.from_config(str(home)) as instance:
        result = materialize(config, "*adult/synthesis_model", instance=instance)
    assert result.success
    return ApiProject(folder, config, home, data)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(
    project: ApiProject, *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> tuple[subprocess.Popen, str]:
    """``genesis serve --config <project> --port <free> ARGS`` with ``DAGSTER_HOME`` set;
    returns the process and its base URL once it accepts connections."""
    port = free_port()
    environment = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "DAGSTER_HOME": str(project.home),
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    command = [sys.executable, "-m", "genesis.cli", "serve", "--config", str(project.config)]
    process = subprocess.Popen(
        [*command, "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
        cwd=project.folder,
        preexec_fn=interruptible,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"genesis serve exited early:\n{process.stderr.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    stop_server(process)
    raise AssertionError(f"genesis serve did not listen on port {port} in {timeout} s")


def stop_server(process: subprocess.Popen, timeout: float = 20) -> tuple[int, str]:
    """Ask the server to stop (SIGINT, as Ctrl-C) and wait; returns (exit status, stderr)."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)
    return process.returncode, process.stderr.read()


def lines_matching(text: str, pattern: str) -> list[str]:
    return [line for line in text.splitlines() if re.search(pattern, line)]
