"""The peers of ``compare_fidelity.py``: SDV 2.0 and MOSTLY AI's TabularARGN, fitted once, cached.

A peer's synthetic rows and timings are kept under ``benchmarks/.cache/fidelity/<table>/
<method>-seed<seed>-<key>/`` (``synthetic.csv``, then ``timings.json``, whose presence marks a
complete entry), where ``<key>`` hashes the training rows and every setting that changes the
fit (method, seed, rows sampled, time budget, the peer's version). A re-run after Genesis
changes finds them and only re-scores them; ``--refit-peers`` fits them again.

SDV's CTGAN and TVAE get a fixed time budget rather than a fixed epoch count: after a warm-up
fit on 200 rows, fits of one and of two epochs give the CPU seconds per epoch (their
difference, at least a tenth of the one-epoch fit) and the per-fit overhead (preprocessing);
the synthesizer is then fitted afresh with ``max(1, (budget - overhead) // epoch_seconds)``
epochs.

TabularARGN (``mostlyai-engine``) needs torch without torchvision/torchaudio and pins of its
own, so it runs in ``.venv-argn`` as a subprocess (``benchmarks/argn_runner.py``), with its
defaults and one torch thread.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _judges import REPO_ROOT, log, package_version, timed

CACHE_ROOT = REPO_ROOT / "benchmarks" / ".cache" / "fidelity"
ARGN_PYTHON = REPO_ROOT / ".venv-argn" / "bin" / "python"
ARGN_RUNNER = REPO_ROOT / "benchmarks" / "argn_runner.py"
ARGN_REQUIREMENTS = REPO_ROOT / "benchmarks" / "requirements-argn.txt"
SDV_METHODS = ("sdv_gaussian_copula", "sdv_ctgan", "sdv_tvae")
PEER_METHODS = (*SDV_METHODS, "argn")
BATCH_SIZE = 500  # SDV's default for CTGAN and TVAE
#: part of every cache key: bump it when the way a peer is fitted or sampled changes
PEER_PROTOCOL = 2
#: the peer's own timeout: ARGN stops itself (early stopping), this only catches a hang
ARGN_TIMEOUT_S = 3 * 3600


def argn_version() -> str:
    """The ``mostlyai-engine`` pin of ``requirements-argn.txt`` (part of the cache key)."""
    match = re.search(r"^mostlyai-engine==(\S+)", ARGN_REQUIREMENTS.read_text(), re.MULTILINE)
    return match.group(1) if match else "unpinned"


def _settings(method: str, n_rows: int, seed: int, budget: float) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "method": method,
        "seed": seed,
        "n_rows": n_rows,
        "protocol": PEER_PROTOCOL,
    }
    if method in ("sdv_ctgan", "sdv_tvae"):
        settings["time_budget_s"] = budget
    settings["version"] = argn_version() if method == "argn" else package_version("sdv")
    return settings


def cache_dir(table: str, method: str, train: pd.DataFrame, settings: dict[str, Any]) -> Path:
    """Where a peer's output for these training rows and settings lives."""
    digest = hashlib.sha256(pd.util.hash_pandas_object(train, index=False).to_numpy().tobytes())
    digest.update(json.dumps(settings, sort_keys=True).encode())
    return CACHE_ROOT / table / f"{method}-seed{settings['seed']}-{digest.hexdigest()[:12]}"


def _write_atomic(path: Path, text: str) -> None:
    from genesis.io import write_bytes_atomic

    write_bytes_atomic(path, text, what=path.name)


class NotCachedError(LookupError):
    """A peer has no cached fit and the run was told to use the cache only."""


def run_peer(
    method: str,
    table: str,
    train: pd.DataFrame,
    *,
    seed: int,
    budget: float,
    refit: bool,
    cache_only: bool = False,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A peer's synthetic rows (as many as ``train``) and timings, from the cache when there.

    The timings dict has ``fit_s``, ``sample_s``, ``fitted_at`` (UTC ISO time), ``cached``
    (whether this call read it from the cache), ``cache_dir`` and method details (``epochs``,
    ``epoch_s``, ``overhead_s`` for CTGAN/TVAE). The rows are always read back from the cached
    CSV, so a fresh fit and a cached one are scored on identical frames. With ``cache_only``
    a peer without a cached fit raises :class:`NotCachedError` instead of being fitted.
    """
    settings = _settings(method, len(train), seed, budget)
    folder = cache_dir(table, method, train, settings)
    timings_path, synthetic_path = folder / "timings.json", folder / "synthetic.csv"
    if timings_path.exists() and synthetic_path.exists() and not refit:
        timings = json.loads(timings_path.read_text())
        timings.update(cached=True, cache_dir=str(folder))
        log(f"{table}/{method}: from the cache {folder.name} (fitted {timings['fitted_at']})")
        return pd.read_csv(synthetic_path, low_memory=False), timings
    if cache_only:
        raise NotCachedError(f"no cached fit in {folder}")
    folder.mkdir(parents=True, exist_ok=True)
    if method == "argn":
        timings = _run_argn(train, folder, seed)
    else:
        synthetic, timings = _run_sdv(method, table, train, seed, budget)
        _write_atomic(synthetic_path, synthetic.to_csv(index=False))
    timings.update(
        settings=settings, fitted_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    )
    _write_atomic(timings_path, json.dumps(timings, indent=2))
    timings.update(cached=False, cache_dir=str(folder))
    return pd.read_csv(synthetic_path, low_memory=False), timings


def cpu_timed(fn) -> tuple[Any, float]:
    """``fn()``'s result and the CPU seconds this process spent on it."""
    start = time.process_time()
    result = fn()
    return result, time.process_time() - start


def _sdv_synthesizer(method: str, metadata, epochs: int):
    from sdv.single_table import CTGANSynthesizer, GaussianCopulaSynthesizer, TVAESynthesizer

    if method == "sdv_gaussian_copula":
        return GaussianCopulaSynthesizer(metadata)
    cls = CTGANSynthesizer if method == "sdv_ctgan" else TVAESynthesizer
    return cls(metadata, epochs=epochs, batch_size=BATCH_SIZE, enable_gpu=False)


def _run_sdv(
    method: str, table: str, train: pd.DataFrame, seed: int, budget: float
) -> tuple[pd.DataFrame, dict[str, Any]]:
    import torch
    from sdv.metadata import Metadata

    torch.set_num_threads(1)
    metadata = Metadata.detect_from_dataframes({table: train})

    def seeded(epochs: int):
        # SDV's synthesizers draw from numpy's and torch's global generators; seed both
        np.random.seed(seed)  # noqa: NPY002
        torch.manual_seed(seed)
        return _sdv_synthesizer(method, metadata, epochs)

    details: dict[str, Any] = {}
    epochs = 1
    if method != "sdv_gaussian_copula":
        # a throw-away fit on a few rows first: torch's and the model's first-use costs (~10 s)
        # would otherwise count as epoch time; then 1 and 2 epochs give the seconds per epoch
        # and the per-fit overhead (preprocessing), which the budget pays once
        # (CPU seconds of this process: torch runs one thread, and wall-clock differences
        # drowned in the load of other jobs on a small machine)
        seeded(1).fit({table: train.head(200)})
        _, one_s = cpu_timed(lambda: seeded(1).fit({table: train}))
        _, two_s = cpu_timed(lambda: seeded(2).fit({table: train}))
        # when the overhead dwarfs an epoch, their difference is mostly noise (weather's TVAE
        # read 0.17 s and fitted 609 epochs in 480 s): an epoch costs at least a tenth of a fit
        epoch_s = max(two_s - one_s, one_s / 10)
        overhead_s = max(one_s - epoch_s, 0.0)
        epochs = max(1, int((budget - overhead_s) // epoch_s))
        details = {"epoch_s": epoch_s, "overhead_s": overhead_s, "epochs": epochs}
        log(
            f"{table}/{method}: {epoch_s:.1f} s per epoch + {overhead_s:.1f} s per fit "
            f"-> {epochs} epochs in {budget:g} s"
        )
    synthesizer = seeded(epochs)
    _, fit_s = timed(lambda: synthesizer.fit({table: train}))
    sampled, sample_s = timed(lambda: synthesizer.sample(num_rows=len(train)))
    synthetic = sampled[table] if isinstance(sampled, dict) else sampled
    return synthetic, {"fit_s": fit_s, "sample_s": sample_s, **details}


def _run_argn(train: pd.DataFrame, folder: Path, seed: int) -> dict[str, Any]:
    if not ARGN_PYTHON.exists():
        raise RuntimeError(
            f"{ARGN_PYTHON} is missing; build it with `make .venv-argn/.genesis-installed`"
        )
    with tempfile.TemporaryDirectory(prefix="argn-") as tmp:
        train_path = Path(tmp) / "train.csv"
        train.to_csv(train_path, index=False)
        timings_path = Path(tmp) / "timings.json"
        command = [
            str(ARGN_PYTHON),
            str(ARGN_RUNNER),
            "--train",
            str(train_path),
            "--rows",
            str(len(train)),
            "--seed",
            str(seed),
            "--out",
            str(folder / "synthetic.csv"),
            "--timings",
            str(timings_path),
            "--workspace",
            str(Path(tmp) / "workspace"),
        ]
        env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": ""}
        log(f"ARGN: {' '.join(command[1:3])} ... ({len(train):,} rows)")
        done = subprocess.run(command, env=env, timeout=ARGN_TIMEOUT_S, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"argn_runner.py exited with status {done.returncode}")
        return json.loads(timings_path.read_text())


if __name__ == "__main__":  # pragma: no cover - a module, not a script
    sys.exit("run benchmarks/compare_fidelity.py")
