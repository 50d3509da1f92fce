"""The header every benchmark report starts with: date, commit, machine, versions, command.

One place for it, so every committed result names the same facts the same way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.metadata as md
import os
import platform
import shlex
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def git_commit() -> str:
    """The short commit the benchmark ran on ("unknown" outside a git checkout)."""
    with contextlib.suppress(Exception):
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    return "unknown"


def package_versions(*packages: str) -> list[str]:
    """``"name version"`` for each installed package among ``packages``."""
    versions = []
    for package in packages:
        with contextlib.suppress(md.PackageNotFoundError):
            versions.append(f"{package} {md.version(package)}")
    return versions


def header_lines(
    script: str,
    argv: list[str] | None,
    load_before: tuple[float, ...],
    load_after: tuple[float, ...],
    versions: list[str],
) -> list[str]:
    """The report's ``- date``, ``- machine`` and ``- command`` lines for ``script``
    (``benchmarks/<name>.py``) run with ``argv`` (``sys.argv[1:]`` when None)."""
    command = f"PYTHONPATH=. python {script} " + shlex.join(
        argv if argv is not None else sys.argv[1:]
    )
    return [
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}; commit {git_commit()}",
        f"- machine: {platform.platform()}, {os.cpu_count()} CPUs (load average "
        f"{load_before[0]:.1f} at start, {load_after[0]:.1f} at end), Python "
        f"{platform.python_version()}; {', '.join(versions)}",
        f"- command: `{command.rstrip()}`",
    ]
