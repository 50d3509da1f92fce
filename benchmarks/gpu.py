"""Sampling speed of genesis.gpu: the copula's torch path and CTGAN in device batches, against
the models' own CPU sampling.

A ``gaussian_copula`` is fitted on the whole UCI Adult table and a CTGAN (1 epoch: sampling
speed does not depend on training quality) on 2,000 of its rows. For each model, rows/s of:

* ``model.generate`` — the model's own sampling (numpy for the copula, ctgan's loop for
  CTGAN), on the CPU;
* ``BatchedGenerator(device="cpu")`` — the torch path on the CPU;
* ``BatchedGenerator(device="cuda")`` — the torch path on the GPU, where torch sees one
  (warmed up once first); on a CPU-only machine the table says so and has no CUDA rows;
* for the copula, both ``normals="device"`` (drawn by a torch generator on the device) and
  ``normals="numpy"`` (the CPU model's own normals, copied to the device: the CPU model's
  rows).

Each figure is the median of ``--repeats`` runs, end to end (the table in the source's
format), and, for the batched rows, the model-frame stage alone (normals and marginal
inversion, or the network, with the copies to host memory) so it shows where the time goes.

Run::

    PYTHONPATH=. nice -n 10 .venv/bin/python benchmarks/gpu.py \
        --out benchmarks/results/gpu.md                    # make bench-gpu
    PYTHONPATH=. .venv/bin/python benchmarks/gpu.py --rows 200000 --ctgan-rows 50000  # quick
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shlex
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402

from genesis.generators import SyntheticGenerator  # noqa: E402
from genesis.generators.seeding import SAMPLING, library_seed  # noqa: E402
from genesis.gpu import BatchedGenerator  # noqa: E402

DEFAULT_DATA = REPO_ROOT.parent / "shared" / "datasets" / "adult.csv"


def _median_seconds(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _model_frame(batched: BatchedGenerator, n: int, seed: int) -> Callable[[], object]:
    """The model-frame stage of ``batched.generate(n, seed)`` alone."""
    device = torch.device(batched.device)

    def run() -> object:
        generator = torch.Generator(device=device).manual_seed(library_seed(seed, SAMPLING))
        host = np.random.default_rng(seed) if batched.normals == "numpy" else None
        with batched._threads(torch, device):
            if host is None:
                return batched._sampler.sample(n, batched.batch_size, generator)
            return batched._sampler.sample(n, batched.batch_size, generator, host)

    return run


def measure(model, name: str, n: int, batch_size: int, repeats: int) -> list[dict]:
    rows = []
    seconds = _median_seconds(lambda: model.generate(n, seed=1), repeats)
    rows.append({"model": name, "path": "model.generate (CPU)", "rows": n, "end_to_end": seconds})
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    normals = ["device", "numpy"] if model.method == "gaussian_copula" else ["device"]
    for device, source in [(d, s) for d in devices for s in normals]:
        batched = BatchedGenerator(model, batch_size, device, normals=source)
        batched.generate(min(n, batch_size), seed=0)  # warm-up (CUDA context, kernels)
        end_to_end = _median_seconds(lambda b=batched: b.generate(n, seed=1), repeats)
        frame = _median_seconds(_model_frame(batched, n, 1), repeats)
        label = f"BatchedGenerator({device!r}, batch {batch_size:,}, normals={source!r})"
        rows.append(
            {"model": name, "path": label, "rows": n, "end_to_end": end_to_end, "frame": frame}
        )
    return rows


def render(rows: list[dict], args: argparse.Namespace, adult_rows: int) -> str:
    gpu = (
        f"{torch.cuda.get_device_name(0)} (CUDA {torch.version.cuda})"
        if torch.cuda.is_available()
        else "none: torch sees no CUDA device, so only the CPU torch path is measured against "
        "the models' own sampling; rerun `make bench-gpu` on a GPU host for the CUDA rows"
    )
    lines = [
        "# genesis.gpu sampling speed",
        "",
        f"- date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {platform.platform()}, {os.cpu_count()} CPU cores, "
        f"torch {torch.__version__} ({torch.get_num_threads()} thread(s))",
        f"- GPU: {gpu}",
        f"- command: `{shlex.join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]])}`",
        f"- models: gaussian_copula fitted on Adult ({adult_rows:,} rows); ctgan, 1 epoch on "
        f"2,000 rows; median of {args.repeats} runs",
        "",
        "| model | path | rows | end to end s | rows/s | model frame s | model frame rows/s |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        frame = row.get("frame")
        frame_cells = f"{frame:.3f} | {row['rows'] / frame:,.0f}" if frame is not None else "– | –"
        lines.append(
            f"| {row['model']} | {row['path']} | {row['rows']:,} | {row['end_to_end']:.3f} | "
            f"{row['rows'] / row['end_to_end']:,.0f} | {frame_cells} |"
        )
    lines += [
        "",
        "End to end: the table in the source's format (the model frame, then the shared "
        "`inverse_transform` on the host). Model frame: the sampling stage alone (copula: "
        "correlated normals and marginal inversion; CTGAN: the generator network and its "
        "activations), including the copies to host memory.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="copula rows per run")
    parser.add_argument("--ctgan-rows", type=int, default=200_000, help="CTGAN rows per run")
    parser.add_argument("--batch-size", type=int, default=65_536)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the Adult CSV")
    parser.add_argument("--out", type=Path, help="write the Markdown table here too")
    args = parser.parse_args()
    adult = pd.read_csv(args.data, skipinitialspace=True)
    copula = SyntheticGenerator("gaussian_copula", seed=0).fit(adult)
    ctgan = SyntheticGenerator("ctgan", seed=0, epochs=1, batch_size=500).fit(
        adult.sample(2000, random_state=0).reset_index(drop=True)
    )
    rows = measure(copula, "gaussian_copula", args.rows, args.batch_size, args.repeats)
    rows += measure(ctgan, "ctgan", args.ctgan_rows, args.batch_size, args.repeats)
    report = render(rows, args, len(adult))
    print(report)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(report)


if __name__ == "__main__":
    main()
