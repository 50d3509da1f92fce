"""Chunked generation at scale: rows/s and peak memory writing Adult-shaped rows to Parquet.

For each method (``gaussian_copula``, ``cart``; fitted once on all of UCI Adult) and each
row count (10M and 100M by default), ``genesis.generators.chunked.generate_to`` writes the
rows as one Parquet file per chunk (``--chunk-rows``, 500,000 by default: a worker's peak is
about 500 MB at 500,000 copula rows and 760 MB at 1,000,000, and two workers plus the
parent must stay under 1.5 GB; smaller chunks are no slower) with three executors:

* **1 process**: every chunk in the calling process (``executor=None``);
* **2 processes**: ``executor=2``, two spawned worker processes (their start-up included);
* **Dask, 2 workers**: a ``distributed.LocalCluster`` of two worker processes with one
  thread each on 127.0.0.1 (``executor=client``; the cluster's start-up is timed apart).

Each run is a fresh subprocess that loads the fitted model, so its memory is its own: the
peak RSS quoted is the largest sum over the run's process tree (the process, the pool's
workers, Dask's nannies and workers), sampled every 50 ms. The three runs of a (method,
rows) pair must write the same bytes: their manifests (every chunk's SHA-256) are compared.
The scaling ratio is rows/s with 2 processes over rows/s with 1; the CPU seconds of
the whole process tree (start-up, Dask's scheduler and the cluster included) show the cost
of the parallelism on a machine that other work shares. The chunk files are
deleted after each run (100M rows are about 1.3 GB); the manifests are kept in the work
folder.

Targets (issue 19, on 2 cores): 100,000,000 copula rows in <= 10 minutes, peak RSS <= 1.5 GB,
the same bytes from every executor, scaling 1 -> 2 processes >= 1.7x.

Run::

    PYTHONPATH=. nice -n 10 .venv/bin/python benchmarks/scale.py \
        --out benchmarks/results/scale.md                       # make bench-scale (~30 min)
    PYTHONPATH=. .venv/bin/python benchmarks/scale.py --rows 2000000 \
        --methods gaussian_copula                                 # quick
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
# one BLAS/OpenMP thread per process: the executors, not the libraries, use the cores
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

from benchmarks._common import header_lines, package_versions  # noqa: E402

EXECUTORS = ("1 process", "2 processes", "Dask, 2 workers")
METHODS = ("gaussian_copula", "cart")
DEFAULT_ROWS = (10_000_000, 100_000_000)
TARGET_ROWS, TARGET_SECONDS, TARGET_RSS_MB, TARGET_SCALING = 100_000_000, 600.0, 1_500.0, 1.7


def find_adult(override: Path | None) -> Path:
    """Adult: ``--data``, ``$GENESIS_DATASETS_DIR``, the shared datasets folder beside the
    checkout (as the tests find it), else the sample embedded in the code location."""
    candidates = [override] if override else []
    if os.environ.get("GENESIS_DATASETS_DIR"):
        candidates.append(Path(os.environ["GENESIS_DATASETS_DIR"]) / "adult.csv")
    candidates += [p / "shared" / "datasets" / "adult.csv" for p in REPO_ROOT.parents[:2]]
    candidates.append(REPO_ROOT / "genesis_assets" / "data" / "adult_sample.csv")
    for candidate in candidates:
        if candidate.exists():
            return candidate
    raise SystemExit(f"Adult not found in {[str(c) for c in candidates]}; pass --data")


# --- one run, in its own process ------------------------------------------------------------


class PeakRSS:
    """Samples the RSS of this process and all its descendants; keeps the largest sum."""

    def __init__(self, interval: float = 0.05) -> None:
        import psutil

        self._root = psutil.Process()
        self._interval = interval
        self._stop = threading.Event()
        self.peak_total = 0
        self.peak_processes = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        import psutil

        total, count = 0, 0
        for process in [self._root, *self._root.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += process.memory_info().rss
                count += 1
        self.peak_total = max(self.peak_total, total)
        self.peak_processes = max(self.peak_processes, count)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._sample()

    def __enter__(self) -> PeakRSS:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def child(args: argparse.Namespace) -> int:
    """One (model, executor, rows) run; prints a JSON line with the measures."""
    from genesis.generators import SyntheticGenerator
    from genesis.generators.chunked import generate_to

    model = SyntheticGenerator.load(args.model)
    result: dict[str, Any] = {"cluster_seconds": 0.0}
    with contextlib.ExitStack() as stack:
        executor: Any = None
        if args.executor == "2 processes":
            executor = 2
        elif args.executor == "Dask, 2 workers":
            from distributed import Client, LocalCluster

            started = time.perf_counter()
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=2,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                )  # fmt: skip
            )
            executor = stack.enter_context(Client(cluster))
            result["cluster_seconds"] = time.perf_counter() - started
        with PeakRSS() as rss:
            started = time.perf_counter()
            out = generate_to(
                model, args.dest, args.rows, chunk_rows=args.chunk_rows, seed=0,
                executor=executor,
            )  # fmt: skip
            seconds = time.perf_counter() - started
    manifest = Path(out.manifest).read_bytes()
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    result.update(
        cpu_seconds=sum(u.ru_utime + u.ru_stime for u in usage),
        seconds=seconds,
        rows=out.rows,
        bytes=out.bytes,
        rows_per_second=out.rows / seconds,
        peak_rss_mb=rss.peak_total / 1e6,
        processes=rss.peak_processes,
        manifest_sha256=hashlib.sha256(manifest).hexdigest(),
    )
    print("RESULT " + json.dumps(result), flush=True)
    return 0


def run_one(model_path: Path, executor: str, rows: int, chunk_rows: int, work: Path) -> dict:
    """Run :func:`child` in a fresh interpreter; keep the manifest, delete the chunk files."""
    dest = work / f"{model_path.stem}-{rows}-{executor.split()[0].lower().strip(',')}"
    shutil.rmtree(dest, ignore_errors=True)
    command = [
        sys.executable, __file__, "--child", "--model", str(model_path), "--executor", executor,
        "--rows", str(rows), "--chunk-rows", str(chunk_rows), "--dest", str(dest),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    lines = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"{executor} run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    for part in dest.glob("part-*.parquet"):
        part.unlink()
    return json.loads(lines[-1].removeprefix("RESULT "))


# --- the grid and the report ---------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=list(DEFAULT_ROWS))
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--chunk-rows", type=int, default=500_000)
    parser.add_argument("--data", type=Path, default=None, help="Adult CSV (found by default)")
    parser.add_argument("--workdir", type=Path, default=None, help="default: a temp folder")
    parser.add_argument("--out", type=Path, default=None, help="the Markdown report")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--model", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--executor", choices=EXECUTORS, help=argparse.SUPPRESS)
    parser.add_argument("--dest", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        args.rows = args.rows[0]
        return child(args)

    import pandas as pd

    from genesis.generators import SyntheticGenerator

    data = find_adult(args.data)
    adult = pd.read_csv(data, skipinitialspace=True)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="genesis-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    fits, runs = {}, []
    for method in args.methods:
        started = time.perf_counter()
        model = SyntheticGenerator(method, seed=0).fit(adult)
        fits[method] = time.perf_counter() - started
        path = Path(model.save(work / f"{method}.genesis"))
        for rows in args.rows:
            for executor in EXECUTORS:
                result = run_one(path, executor, rows, args.chunk_rows, work)
                result.update(method=method, executor=executor)
                runs.append(result)
                print(
                    f"{method} {rows:,} rows, {executor}: {result['seconds']:.1f} s, "
                    f"{result['rows_per_second']:,.0f} rows/s, peak RSS "
                    f"{result['peak_rss_mb']:,.0f} MB",
                    flush=True,
                )
    load_after = os.getloadavg()
    text = report(args, argv, data, len(adult), fits, runs, load_before, load_after)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _pairs(runs: list[dict]) -> dict[tuple[str, int], dict[str, dict]]:
    pairs: dict[tuple[str, int], dict[str, dict]] = {}
    for run in runs:
        pairs.setdefault((run["method"], run["rows"]), {})[run["executor"]] = run
    return pairs


def report(args, argv, data, adult_rows, fits, runs, load_before, load_after) -> str:
    versions = package_versions("pyarrow", "pandas", "numpy", "distributed", "psutil")
    pairs = _pairs(runs)
    lines = [
        "# Chunked generation at scale: Adult-shaped rows to Parquet",
        "",
        *header_lines("benchmarks/scale.py", argv, load_before, load_after, versions),
        f"- models: fitted once on {adult_rows:,} rows of {data.name} ("
        + ", ".join(f"{m} {s:.1f} s" for m, s in fits.items())
        + f"); chunks of {args.chunk_rows:,} rows, seed 0, one BLAS thread per process; each "
        "run a fresh process loading the saved model; peak RSS = largest sum over the run's "
        "process tree (workers included), sampled every 50 ms.",
        "",
        "## Targets (2 cores)",
        "",
    ]
    lines += _targets(pairs)
    lines += [
        "",
        "## Runs",
        "",
        "| method | rows | executor | seconds | rows/s | CPU s, all processes | peak RSS, all "
        "processes (MB) | output (MB) | manifest SHA-256 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        extra = (
            f" (+{run['cluster_seconds']:.1f} s cluster start)" if run["cluster_seconds"] else ""
        )
        lines.append(
            f"| {run['method']} | {run['rows']:,} | {run['executor']} | {run['seconds']:,.1f}"
            f"{extra} | {run['rows_per_second']:,.0f} | {run['cpu_seconds']:,.1f} | "
            f"{run['peak_rss_mb']:,.0f} | "
            f"{run['bytes'] / 1e6:,.1f} | `{run['manifest_sha256'][:16]}` |"
        )
    lines += ["", "## Same bytes and scaling", ""]
    lines += [
        "| method | rows | same bytes from the three executors | 1 -> 2 processes | "
        "1 process -> Dask, 2 workers |",
        "|---|---|---|---|---|",
    ]
    for (method, rows), by in pairs.items():
        same = len({r["manifest_sha256"] for r in by.values()}) == 1
        one = by["1 process"]["rows_per_second"]
        two = by["2 processes"]["rows_per_second"] / one
        dask = by["Dask, 2 workers"]["rows_per_second"] / one
        lines.append(
            f"| {method} | {rows:,} | {'yes' if same else '**no**'} | {two:.2f}x | {dask:.2f}x |"
        )
    lines.append("")
    return "\n".join(lines)


def _targets(pairs: dict[tuple[str, int], dict[str, dict]]) -> list[str]:
    lines = []
    big = pairs.get(("gaussian_copula", TARGET_ROWS))
    if big:
        best = min(big["2 processes"]["seconds"], big["Dask, 2 workers"]["seconds"])
        lines.append(
            f"- {TARGET_ROWS:,} copula rows in <= {TARGET_SECONDS / 60:.0f} min: **{best / 60:.1f} "
            f"min** (best 2-worker executor) — {_met(best <= TARGET_SECONDS)}."
        )
    else:
        lines.append(f"- {TARGET_ROWS:,} copula rows in <= 10 min: not run (see --rows).")

    def peak_of(method: str) -> float | None:
        peaks = [
            r["peak_rss_mb"] for (m, _), by in pairs.items() if m == method for r in by.values()
        ]
        return max(peaks) if peaks else None

    copula, cart = peak_of("gaussian_copula"), peak_of("cart")
    if copula is not None:
        lines.append(
            f"- copula peak RSS <= {TARGET_RSS_MB:,.0f} MB (every run, all processes): "
            f"**{copula:,.0f} MB** — {_met(copula <= TARGET_RSS_MB)}."
            + (f" (CART, not a target: {cart:,.0f} MB.)" if cart is not None else "")
        )
    same = all(len({r["manifest_sha256"] for r in by.values()}) == 1 for by in pairs.values())
    lines.append(
        f"- the same bytes from every executor: {'yes' if same else '**no**'} — {_met(same)}."
    )
    ratios = {
        key: by["2 processes"]["rows_per_second"] / by["1 process"]["rows_per_second"]
        for key, by in pairs.items()
    }
    worst_key = min(ratios, key=ratios.get)
    lines.append(
        f"- scaling 1 -> 2 processes >= {TARGET_SCALING}x: lowest **{ratios[worst_key]:.2f}x** "
        f"({worst_key[0]}, {worst_key[1]:,} rows) — {_met(ratios[worst_key] >= TARGET_SCALING)}."
    )
    return lines


if __name__ == "__main__":
    sys.exit(main())
