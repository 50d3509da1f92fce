"""Domain generators at scale: 100,000 patients (customers) with every linked table, timed,
and every validity rule checked over all rows.

For each of ``HealthcareGenerator``, ``FinanceGenerator`` and ``RetailGenerator``, in a fresh
process of its own (so peak memory is the domain's alone): ``generate(n)`` from the
calibrated defaults, wall seconds and the process's peak RSS; the rows of every table; then
``violations(tables)``, which checks each code and check digit (ICD-10-CM and LOINC shapes,
LOINC mod-10, Luhn card numbers, IBAN mod-97, GTIN-13, ISO 4217) and each temporal rule
(events after birth and before death, orders after signup, transactions within their
account's lifetime) on every row, not a sample. Target (issue 16): 100,000 patients with
their events, labs and medications in <= 30 s, with no violation.

Run::

    PYTHONPATH=. nice -n 10 .venv/bin/python benchmarks/domains.py \
        --out benchmarks/results/domains.md               # make bench-domains
    PYTHONPATH=. .venv/bin/python benchmarks/domains.py --rows 2000   # quick
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("OMP_NUM_THREADS", "1")

from benchmarks._common import header_lines, package_versions  # noqa: E402

DOMAIN_NAMES = ("healthcare", "finance", "retail")
TARGET_PATIENTS, TARGET_SECONDS = 100_000, 30.0


def run_domain(domain: str, rows: int, seed: int) -> dict:
    """Generate ``rows`` root rows of ``domain`` and check them (run in a child process)."""
    from genesis.domains import DOMAINS

    generator = DOMAINS[domain](seed=seed)
    start = time.perf_counter()
    tables = generator.generate(rows)
    generate_seconds = time.perf_counter() - start
    start = time.perf_counter()
    violations = generator.violations(tables)
    check_seconds = time.perf_counter() - start
    return {
        "domain": domain,
        "generator": type(generator).__name__,
        "root": generator.root or next(iter(generator.tables)),
        "rows": {name: len(frame) for name, frame in tables.items()},
        "generate_s": generate_seconds,
        "check_s": check_seconds,
        "violations": violations,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def measure(domains: list[str], rows: int, seed: int) -> list[dict]:
    """One fresh process per domain, one after another (the machine's cores are shared)."""
    results = []
    context = multiprocessing.get_context("spawn")
    for domain in domains:
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            results.append(pool.submit(run_domain, domain, rows, seed).result())
    return results


def report(results: list[dict], args: argparse.Namespace, argv, load_before, load_after) -> str:
    versions = package_versions("pandas", "numpy", "python-stdnum", "faker")
    lines = [
        "# Domain generators: linked tables from calibrated defaults, every rule checked",
        "",
        *header_lines("benchmarks/domains.py", argv, load_before, load_after, versions),
        f"- each domain in a fresh process (spawn), one after another; seed {args.seed}; "
        f"`generate({args.rows:,})` from the defaults, then `violations(tables)` over every "
        "row; peak memory is the child process's peak RSS (imports included).",
        "",
        "## Target (issue 16)",
        "",
    ]
    health = next((r for r in results if r["domain"] == "healthcare"), None)
    if health is not None:
        met = (
            args.rows >= TARGET_PATIENTS
            and health["generate_s"] <= TARGET_SECONDS
            and not health["violations"]
        )
        verdict = "met" if met else "**not met**"
        if args.rows < TARGET_PATIENTS:
            verdict = f"not measured at this size (run with --rows {TARGET_PATIENTS})"
        lines.append(
            f"- {TARGET_PATIENTS:,} patients with their events, labs and medications in <= "
            f"{TARGET_SECONDS:.0f} s, every code and temporal rule valid: "
            f"**{health['generate_s']:.1f} s** for {args.rows:,} patients, "
            f"{len(health['violations'])} violations — {verdict}."
        )
    lines += [
        "",
        "## Per domain",
        "",
        "| domain | root rows | generate s | rows/s (all tables) | check s | violations | "
        "peak MB | tables (rows) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        total = sum(r["rows"].values())
        tables = ", ".join(f"{name} {count:,}" for name, count in r["rows"].items())
        lines.append(
            f"| {r['generator']} | {r['rows'][r['root']]:,} {r['root']} | {r['generate_s']:.1f} "
            f"| {total / r['generate_s']:,.0f} | {r['check_s']:.1f} | {len(r['violations'])} | "
            f"{r['peak_mb']:,.0f} | {tables} |"
        )
    broken = [f"- {r['domain']}: {v}" for r in results for v in r["violations"]]
    if broken:
        lines += ["", "## Violations", "", *broken]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=TARGET_PATIENTS, help="root rows per domain")
    parser.add_argument("--domains", nargs="+", choices=DOMAIN_NAMES, default=list(DOMAIN_NAMES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="also write the report here")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error(f"--rows must be at least 1, got {args.rows}")
    load_before = os.getloadavg()
    results = measure(args.domains, args.rows, args.seed)
    text = report(results, args, argv, load_before, os.getloadavg())
    print(text)
    if args.out is not None:
        tmp = args.out.with_suffix(args.out.suffix + ".tmp")
        tmp.write_text(text)
        tmp.replace(args.out)
    return 1 if any(r["violations"] for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
