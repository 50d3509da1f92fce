"""Fit MOSTLY AI's TabularARGN on one table and sample from it (run inside ``.venv-argn``).

``compare_fidelity.py`` calls it as a subprocess, because ``mostlyai-engine`` needs an
environment of its own (torch without torchvision/torchaudio, its own pins)::

    .venv-argn/bin/python benchmarks/argn_runner.py --train train.csv --rows 26048 --seed 0 \\
        --out synthetic.csv --timings timings.json

It runs the engine's workspace flow with the engine's defaults (``split`` -> ``analyze`` ->
``encode`` -> ``train`` -> ``generate``), on the CPU with one torch thread (date-time text
columns parsed first, see :func:`parse_datetimes`), and writes the
synthetic rows as CSV and a JSON of timings: ``fit_s`` (split, analyze, encode and train),
``sample_s`` (generate and read back), per-step seconds and the package versions.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", type=Path, required=True, help="training rows (CSV)")
    parser.add_argument("--rows", type=int, required=True, help="synthetic rows to generate")
    parser.add_argument("--seed", type=int, default=0, help="the engine's random state")
    parser.add_argument("--out", type=Path, required=True, help="synthetic rows (CSV) go here")
    parser.add_argument("--timings", type=Path, required=True, help="timings (JSON) go here")
    parser.add_argument(
        "--workspace", type=Path, default=None, help="engine workspace (default: a temp folder)"
    )
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    if not args.train.exists():
        parser.error(f"{args.train} does not exist")
    return args


#: date-time text formats handed to the engine as datetimes (and written back the same way)
DATETIME_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")


def parse_datetimes(df):
    """``df`` with its date-time text columns parsed, and each such column's format.

    The engine picks an encoding from the dtype and encodes text as categories, where every
    timestamp of an hourly series is a rare value (it came back as ``_RARE_``); a user of the
    engine would parse them, so the benchmark does. Only a format that parses every non-null
    value of a column counts.
    """
    import pandas as pd

    formats: dict[str, str] = {}
    out = df.copy()
    for column in df.columns:
        text = pd.api.types.is_object_dtype(df[column]) or pd.api.types.is_string_dtype(df[column])
        if not text or pd.api.types.is_numeric_dtype(df[column]):
            continue
        values = df[column].dropna()
        for fmt in DATETIME_FORMATS:
            parsed = pd.to_datetime(values, format=fmt, errors="coerce")
            if len(values) and parsed.notna().all():
                out[column] = pd.to_datetime(df[column], format=fmt, errors="coerce")
                formats[column] = fmt
                break
    return out, formats


def run(args: argparse.Namespace, workspace: Path) -> dict:
    import pandas as pd
    import torch
    from mostlyai import engine

    torch.set_num_threads(1)
    engine.set_random_state(args.seed)
    train, datetime_formats = parse_datetimes(pd.read_csv(args.train, low_memory=False))
    seconds: dict[str, float] = {}

    def step(name: str, fn) -> None:
        start = time.perf_counter()
        fn()
        seconds[name] = time.perf_counter() - start
        print(f"argn: {name} {seconds[name]:.1f} s", file=sys.stderr, flush=True)

    step(
        "split", lambda: engine.split(tgt_data=train, model_type="TABULAR", workspace_dir=workspace)
    )
    step("analyze", lambda: engine.analyze(workspace_dir=workspace))
    step("encode", lambda: engine.encode(workspace_dir=workspace))
    step("train", lambda: engine.train(workspace_dir=workspace, device="cpu"))
    start = time.perf_counter()
    engine.generate(sample_size=args.rows, device="cpu", workspace_dir=workspace)
    synthetic = pd.concat(
        [pd.read_parquet(p) for p in sorted((workspace / "SyntheticData").glob("*.parquet"))],
        ignore_index=True,
    )
    seconds["generate"] = time.perf_counter() - start
    synthetic = synthetic[[c for c in train.columns if c in synthetic.columns]]
    for column, fmt in datetime_formats.items():
        synthetic[column] = pd.to_datetime(synthetic[column]).dt.strftime(fmt)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    synthetic.to_csv(args.out, index=False)
    return {
        "fit_s": seconds["split"] + seconds["analyze"] + seconds["encode"] + seconds["train"],
        "sample_s": seconds["generate"],
        "steps_s": seconds,
        "n_synthetic": len(synthetic),
        "datetime_columns": datetime_formats,
        "torch_threads": torch.get_num_threads(),
        "versions": {
            p: importlib.metadata.version(p) for p in ("mostlyai-engine", "torch", "pandas")
        },
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.workspace is not None:
        timings = run(args, args.workspace)
    else:
        with tempfile.TemporaryDirectory(prefix="argn-ws-") as tmp:
            timings = run(args, Path(tmp))
    args.timings.write_text(json.dumps(timings, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
