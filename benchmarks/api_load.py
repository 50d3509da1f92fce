"""Latency and load of the REST API: ``POST /v1/generate/natural-language`` on Adult.

Fits CART on the whole Adult table, stores it where the chain's IO manager puts a model
(``<storage root>/adult/synthesis_model.model``), starts ``genesis serve`` on a free loopback
port in a subprocess, then measures with httpx:

1. one client, sequential: each prompt of :data:`PROMPTS` (1,000 rows under conditions)
   several times after a warm-up request (the model loaded) -- target <= 1 s;
2. ``--clients`` concurrent clients (threads, one bearer token each, so the per-token rate
   limit is not what is measured) sending the same prompts for ``--seconds`` -- target: no
   error; requests, throughput and p50/p95/p99 latency reported.

Writes a markdown report (``--out``) with the date and the machine. ``make bench-api`` runs it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's genesis, the one the server runs
DATASETS = Path(os.environ.get("GENESIS_DATASETS_DIR", ROOT.parent / "shared" / "datasets"))
#: prompts of 1,000 Adult rows each, every one read completely by the rule parser
PROMPTS = (
    "Generate 1000 people over 50",
    "1000 women aged 30-40 working in Private",
    "1000 married men earning >50K",
    "Generate 1000 people from Mexico or Canada",
    "1000 people with a Bachelors degree working more than 45 hours per week",
    "1000 divorced women under 40",
)
NL = "/v1/generate/natural-language"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} logical CPUs, Python {platform.python_version()}, {platform.system()}"


def prepare(folder: Path, seed: int) -> tuple[Path, float, int]:
    """Fit CART on Adult, store it in the artifact layout; returns config, fit s, rows."""
    from genesis.generators import SyntheticGenerator

    adult = pd.read_csv(DATASETS / "adult.csv", skipinitialspace=True)
    started = time.perf_counter()
    model = SyntheticGenerator("cart", seed=seed).fit(adult)
    fit_seconds = time.perf_counter() - started
    model.save(folder / "artifacts" / "adult" / "synthesis_model.model")
    config = folder / "genesis.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "storage": {"root": "artifacts"},
                "datasets": [{"name": "adult", "source": str(DATASETS / "adult.csv")}],
            }
        )
    )
    return config, fit_seconds, len(adult)


def start(config: Path, tokens: list[str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GENESIS_API_TOKENS": ",".join(tokens)}
    env.pop("DAGSTER_HOME", None)  # the model file above, not an instance
    process = subprocess.Popen(
        [sys.executable, "-m", "genesis.cli", "serve", "--config", str(config)]
        + ["--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"genesis serve exited:\n{process.stderr.read()}")
        try:
            httpx.get(f"{url}/v1/health", timeout=1)
            return process, url
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("genesis serve did not start in 120 s")


def ask(client: httpx.Client, prompt: str, seed: int) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.post(NL, json={"prompt": prompt, "dataset": "adult", "seed": seed})
    elapsed = time.perf_counter() - started
    if response.status_code == 200 and len(response.json()["data"]) != 1_000:
        return elapsed, -1
    return elapsed, response.status_code


def sequential(url: str, token: str, repeats: int) -> tuple[float, pd.DataFrame]:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
        first, status = ask(client, PROMPTS[0], 0)  # loads the model
        assert status == 200, status
        rows = []
        for prompt in PROMPTS:
            times = []
            for seed in range(repeats):
                elapsed, status = ask(client, prompt, seed + 1)
                assert status == 200, (prompt, status)
                times.append(elapsed)
            rows.append(
                {
                    "prompt": prompt,
                    "median s": statistics.median(times),
                    "max s": max(times),
                }
            )
    return first, pd.DataFrame(rows)


def load(url: str, tokens: list[str], seconds: float) -> dict:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client_loop(index: int, token: str) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
            i = 0
            while time.monotonic() < stop:
                prompt = PROMPTS[(index + i) % len(PROMPTS)]
                try:
                    elapsed, status = ask(client, prompt, 1_000 * index + i)
                except httpx.HTTPError as exc:
                    elapsed, status = 0.0, type(exc).__name__
                with lock:
                    if status == 200:
                        latencies.append(elapsed)
                    else:
                        errors[str(status)] = errors.get(str(status), 0) + 1
                i += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client_loop, args=(i, t)) for i, t in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    values = np.array(latencies)
    return {
        "clients": len(tokens),
        "seconds": wall,
        "requests": len(values) + sum(errors.values()),
        "ok": len(values),
        "errors": errors,
        "throughput": len(values) / wall,
        "p50": float(np.percentile(values, 50)) if len(values) else float("nan"),
        "p95": float(np.percentile(values, 95)) if len(values) else float("nan"),
        "p99": float(np.percentile(values, 99)) if len(values) else float("nan"),
        "max": float(values.max()) if len(values) else float("nan"),
    }


def report(args, fit_seconds, rows, first, single, loaded) -> str:
    from genesis.api import ApiSettings

    rate = ApiSettings().rate_per_second
    worst = single["median s"].max()
    table = single.assign(
        **{c: single[c].map(lambda v: f"{v:.3f}") for c in ("median s", "max s")}
    ).to_markdown(index=False)
    errors = ", ".join(f"{k}: {v}" for k, v in loaded["errors"].items()) or "none"
    return f"""# REST API load: natural-language generation on Adult

Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC. Machine: {machine()}.
Command: `{" ".join(["python", "benchmarks/api_load.py", *sys.argv[1:]])}` (`make bench-api`;
run under `nice` on a machine shared with other work, so the figures are upper bounds).

Model: CART fitted on all {rows:,} Adult rows in {fit_seconds:.1f} s, served by
`genesis serve` (uvicorn, one process) on 127.0.0.1 from its model file. Every request is
`POST /v1/generate/natural-language` for 1,000 rows under the prompt's conditions: the
prompt is read by the rule parser (`genesis.nl.interpret`), the rows drawn by the model's
exact conditional sampler, and the JSON answer (rows + interpretation) parsed by the client.

## One client (target: <= 1 s per 1,000-row prompt once the model is loaded)

First request (loads the model and the parser): {first:.3f} s.
Then each prompt {args.repeats} times with different seeds:

{table}

Slowest median: **{worst:.3f} s** ({"meets" if worst <= 1.0 else "misses"} the 1 s target).

## {loaded["clients"]} concurrent clients for {args.seconds:g} s (target: no error)

Each client is a thread with its own httpx connection and bearer token (the per-token rate
limit, {rate:g} requests/s, is not what is measured), cycling through the prompts.

| requests | succeeded | errors | throughput | p50 | p95 | p99 | max |
|---:|---:|---|---:|---:|---:|---:|---:|
| {loaded["requests"]} | {loaded["ok"]} | {errors} | {loaded["throughput"]:.1f} req/s | {loaded["p50"]:.3f} s | {loaded["p95"]:.3f} s | {loaded["p99"]:.3f} s | {loaded["max"]:.3f} s |

With {os.cpu_count()} CPUs, concurrent requests queue for the cores: latency under load is
about (clients / throughput), and the throughput is what the machine gives for this work.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/api_load.md")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    tokens = [f"bench-{i}-{os.urandom(6).hex()}" for i in range(args.clients)]
    with tempfile.TemporaryDirectory(prefix="genesis-api-bench-") as folder:
        config, fit_seconds, rows = prepare(Path(folder), args.seed)
        process, url = start(config, tokens)
        try:
            first, single = sequential(url, tokens[0], args.repeats)
            print(single.to_string(index=False), file=sys.stderr)
            loaded = load(url, tokens, args.seconds)
            print(loaded, file=sys.stderr)
        finally:
            process.terminate()
            process.wait(timeout=30)
    text = report(args, fit_seconds, rows, first, single, loaded)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)
    return 0 if not loaded["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
