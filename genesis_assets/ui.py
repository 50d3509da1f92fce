"""``make ui``: ``dagster dev`` and the report server side by side, stopped together.

``python -m genesis_assets.ui [--port 3000]`` starts both in a process group of their own
(``dagster dev`` ignores SIGINT and SIGTERM when its parent is not an interactive shell), and
stops both groups when it receives Ctrl-C (SIGINT) or SIGTERM, or when either server exits:
SIGTERM first, SIGKILL after a grace period. The report server serves the artifact root of
``genesis.yaml`` on the port of ``reports.base_url``, so the links in the metadata open.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from genesis_assets.config import load_config

#: seconds a server gets to stop after SIGTERM before SIGKILL
GRACE_SECONDS = 10.0
PROJECT = Path(__file__).resolve().parents[1]


def commands(ui_port: int) -> dict[str, list[str]]:
    """The servers' command lines: the report server serves genesis.yaml's local artifact
    root (created when missing) on the port of ``reports.base_url``; none for S3 storage."""
    config = load_config()
    url = urlsplit(config.reports.base_url)
    bin_dir = Path(sys.executable).parent
    if config.storage.kind != "local":
        return {"dagster dev": [str(bin_dir / "dagster"), "dev", "-h", "127.0.0.1",
                                "-p", str(ui_port), "-w", str(PROJECT / "workspace.yaml")]}  # fmt: skip
    Path(config.storage.root).mkdir(parents=True, exist_ok=True)
    return {
        "dagster dev": [
            str(bin_dir / "dagster"), "dev", "-h", "127.0.0.1", "-p", str(ui_port),
            "-w", str(PROJECT / "workspace.yaml"),
        ],
        "report server": [
            sys.executable, "-m", "genesis.cli", "serve-reports", "--root", config.storage.root,
            "--host", url.hostname or "127.0.0.1", "--port", str(url.port or 8765),
        ],
    }  # fmt: skip


def _stop(processes: dict[str, subprocess.Popen]) -> None:
    """SIGTERM every process group, then SIGKILL what is left after the grace period."""
    for proc in processes.values():
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    for proc in processes.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
        # the group may outlive its leader (dagster dev's webserver and daemon)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


class _Stop(Exception):
    pass


def _raise_stop(signum: int, frame: object) -> None:
    raise _Stop(signal.Signals(signum).name)


def run(ui_port: int = 3000) -> int:
    """Start both servers, wait, stop both; the exit status of the first to exit (0 when
    stopped by a signal)."""
    processes: dict[str, subprocess.Popen] = {}
    previous = {s: signal.signal(s, _raise_stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        for name, command in commands(ui_port).items():
            processes[name] = subprocess.Popen(command, cwd=PROJECT, start_new_session=True)
        print(
            f"Dagster UI on http://127.0.0.1:{ui_port}, reports on "
            f"{load_config().reports.base_url}; Ctrl-C stops both",
            file=sys.stderr,
        )
        while True:
            for name, proc in processes.items():
                if proc.poll() is not None:
                    print(f"{name} exited with status {proc.returncode}", file=sys.stderr)
                    return proc.returncode or 0
            time.sleep(0.5)
    except _Stop as stop:
        print(f"{stop}: stopping the Dagster UI and the report server", file=sys.stderr)
        return 0
    finally:
        for sig in previous:  # a second Ctrl-C must not cut the shutdown short
            signal.signal(sig, signal.SIG_IGN)
        _stop(processes)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=3000, help="port of the Dagster UI")
    return run(parser.parse_args(argv).port)


if __name__ == "__main__":
    sys.exit(main())
