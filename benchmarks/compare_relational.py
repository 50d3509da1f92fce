"""Genesis's RelationalSynthesizer vs SDV 2.0's HMASynthesizer on nycflights13 (five tables).

The five tables of ``shared/datasets/nycflights13/`` (airlines, airports, planes, weather and a
50,000-flight sample, real dirty keys) with their six declared relationships (the weather key
is composite). Flights are split 80/20 (``train_test_split(test_size=0.2, random_state=0)``):
every method is fitted on the other four tables whole and the 80% of flights, and samples as
many rows as it was fitted on; the real 20% is kept for TSTR. Each method runs in a process of
its own (``relational_runner.py``), which gives:

* fit s, sample s (wall clock) and peak memory (the child's peak RSS, from ``os.wait4``);
* ``genesis.relational.RelationalQualityReport`` against the training tables: per-table
  column shapes and column-pair trends (SDMetrics' definitions), child-count similarity,
  parent-child correlation similarity and referential integrity per relationship, detection
  AUC of parent rows joined with their children's aggregates, and its overall score;
* TSTR: a gradient-boosting classifier (scikit-learn's ``HistGradientBoostingClassifier``)
  for ``arr_delay > 15`` trained on the synthetic flights joined to the synthetic planes (on
  ``tailnum``) and weather (on the weather key), tested on the real 20% joined to the real
  planes and weather; ROC AUC. The first row trains on the real 80% (the ceiling).

SDV's HMA is cached under ``benchmarks/.cache/relational/`` (keyed by the training tables
and settings), so a re-run fits only Genesis; it gets a time limit (``--peer-timeout``), and
a failure or a refusal is reported as such. Runs in ``.venv-bench`` with Genesis from the
source tree (``make bench-relational``)::

    PYTHONPATH=. .venv-bench/bin/python benchmarks/compare_relational.py \\
        --out benchmarks/results/compare_relational.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
for path in (REPO_ROOT, REPO_ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from _judges import log, package_version  # noqa: E402
from relational_runner import (  # noqa: E402
    METHODS,
    PRIMARY_KEYS,
    RELATIONSHIPS,
    SDV_WEATHER_ID,
    TABLE_NAMES,
    WEATHER_KEY,
    read_tables,
)

DATASET = REPO_ROOT.parent / "shared" / "datasets" / "nycflights13"
CACHE_ROOT = REPO_ROOT / "benchmarks" / ".cache" / "relational"
RUNNER = REPO_ROOT / "benchmarks" / "relational_runner.py"
PEERS = ("sdv_hma",)
#: part of the peers' cache key: bump it when the way a peer is fitted or sampled changes
PEER_PROTOCOL = 1
TARGET_DELAY = 15
#: flight columns known only on arrival, or identifiers: not TSTR features
NOT_FEATURES = ("arr_delay", "arr_time", "air_time", "tailnum", "flight", "time_hour")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--methods",
        default="genesis_cart,genesis_gaussian_copula,genesis_cart_lookups,sdv_hma",
        help=f"comma-separated subset of {', '.join(METHODS)}",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--flights", type=int, default=None, help="subsample flights to this many rows first"
    )
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="seconds each Genesis run may take"
    )
    parser.add_argument(
        "--peer-timeout", type=float, default=2400.0, help="seconds SDV HMA may take (fit+sample)"
    )
    parser.add_argument("--refit-peers", action="store_true")
    parser.add_argument("--cached-peers-only", action="store_true")
    parser.add_argument("--fit-only", action="store_true", help="fit and cache, no scoring")
    parser.add_argument("--out", type=Path, default=None, help="also write the report here")
    args = parser.parse_args(argv)
    args.methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = sorted(set(args.methods) - set(METHODS))
    if unknown or not args.methods:
        parser.error(f"unknown or no methods {unknown}; choose from {', '.join(METHODS)}")
    if args.flights is not None and args.flights < 1000:
        parser.error("--flights must be at least 1000")
    if not DATASET.exists():
        parser.error(f"{DATASET} does not exist (the shared datasets folder)")
    return args


# -- data ------------------------------------------------------------------------------------


def load_split(flights: int | None, seed: int) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The training tables (flights: 80%) and the real flights held out for TSTR."""
    from sklearn.model_selection import train_test_split

    tables = read_tables(DATASET)
    data = tables["flights"]
    if flights is not None and flights < len(data):
        data = data.sample(n=flights, random_state=seed).reset_index(drop=True)
    train, test = train_test_split(data, test_size=0.2, random_state=0)
    tables["flights"] = train.reset_index(drop=True)
    return tables, test.reset_index(drop=True)


def relational_schema(tables: dict[str, pd.DataFrame]):
    """The declared keys as a ``genesis.relational.RelationalSchema``."""
    from genesis.relational import RelationalSchema, Relationship

    relationships = [
        Relationship(
            parent, list(pk) if len(pk) > 1 else pk[0], child, list(fk) if len(fk) > 1 else fk[0]
        )
        for parent, pk, child, fk in RELATIONSHIPS
    ]
    return RelationalSchema(
        {name: list(df.columns) for name, df in tables.items()},
        relationships,
        primary_keys=dict(PRIMARY_KEYS),
    )


def tables_digest(tables: dict[str, pd.DataFrame], settings: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    names = [n for n in TABLE_NAMES if n in tables] + sorted(set(tables) - set(TABLE_NAMES))
    for name in names:
        digest.update(name.encode())
        digest.update(pd.util.hash_pandas_object(tables[name], index=False).to_numpy().tobytes())
    digest.update(json.dumps(settings, sort_keys=True).encode())
    return digest.hexdigest()[:12]


# -- running one method ----------------------------------------------------------------------


def run_method(
    method: str, train_dir: Path, out_dir: Path, seed: int, timeout: float
) -> dict[str, Any]:
    """Run ``relational_runner.py`` for ``method`` in a child process; its timings and peak RSS.

    Returns the runner's ``timings.json`` plus ``peak_rss_mb``, ``wall_s`` and, when it failed,
    ``failed`` (a sentence: the time limit or the end of its error output).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    log_path = out_dir / "stderr.log"
    command = [
        sys.executable, str(RUNNER), "--method", method, "--tables", str(train_dir),
        "--out", str(out_dir), "--seed", str(seed),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    started = time.perf_counter()
    with open(log_path, "w") as errors:
        process = subprocess.Popen(
            command, stdout=errors, stderr=errors, env=env, start_new_session=True
        )
        timed_out = False
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > timeout:
                os.killpg(process.pid, signal.SIGKILL)
                _, status, usage = os.wait4(process.pid, 0)
                timed_out = True
                break
            time.sleep(0.5)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall_s = time.perf_counter() - started
    result: dict[str, Any] = {"peak_rss_mb": usage.ru_maxrss / 1024, "wall_s": wall_s}
    timings_path = out_dir / "timings.json"
    if timed_out:
        result["failed"] = f"stopped after the {timeout / 60:g}-minute time limit"
    elif process.returncode != 0 or not timings_path.exists():
        lines = log_path.read_text().replace("\r", "\n").splitlines()
        tail = [line for line in lines if line.strip() and "it/s]" not in line][-3:]
        result["failed"] = f"exit status {process.returncode}: " + " / ".join(tail)
    else:
        result.update(json.loads(timings_path.read_text()))
    return result


def score(
    real: dict[str, pd.DataFrame],
    synthetic: dict[str, pd.DataFrame],
    test: pd.DataFrame,
    schema,
    seed: int,
) -> dict[str, Any]:
    """The relational quality report and TSTR of one method's synthetic tables."""
    from genesis.relational.quality import RelationalQualityReport

    start = time.perf_counter()
    # only the real tables' columns are scored (SDV's flights and weather also hold the key
    # it linked them by, which TSTR's join uses)
    same = {name: df[list(real[name].columns)] for name, df in synthetic.items()}
    report = RelationalQualityReport(real, same, schema, seed=seed).evaluate()
    scored_s = time.perf_counter() - start
    tstr = tstr_auc(
        joined_flights(synthetic, synthetic["flights"]), joined_flights(real, test), seed
    )
    return {"report": report.to_dict(), "tstr_auc": tstr, "score_s": scored_s}


def fitted(method: str, tables, args, train_dir: Path, work: Path) -> dict[str, Any]:
    """One method's synthetic tables and figures: a peer from the cache when there."""
    is_peer = method in PEERS
    if is_peer:
        settings = {
            "method": method,
            "seed": args.seed,
            "protocol": PEER_PROTOCOL,
            "sdv": package_version("sdv"),
            "timeout_s": args.peer_timeout,
        }
        folder = CACHE_ROOT / f"{method}-seed{args.seed}-{tables_digest(tables, settings)}"
        result_path = folder / "result.json"
        if result_path.exists() and not args.refit_peers:
            result = json.loads(result_path.read_text())
            log(f"{method}: from the cache {folder.name} (run {result['ran_at']})")
            return {**result, "cached": True, "folder": folder}
        if args.cached_peers_only:
            return {"failed": "not in the cache (run without --cached-peers-only)", "cached": False}
        if folder.exists():
            shutil.rmtree(folder)
    else:
        folder = work / method
    log(f"{method}: fitting (time limit {args.peer_timeout if is_peer else args.timeout:g} s)")
    timeout = args.peer_timeout if is_peer else args.timeout
    result = run_method(method, train_dir, folder, args.seed, timeout)
    result["ran_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    log(
        f"{method}: "
        + (
            result.get("failed")
            or f"fit {result['fit_s']:.1f} s, sample {result['sample_s']:.1f} s, peak {result['peak_rss_mb']:.0f} MB"
        )
    )
    if is_peer:
        (folder / "result.json").write_text(json.dumps(result, indent=2))
    return {**result, "cached": False, "folder": folder}


#: how nycflights13 writes ``time_hour``; SDV writes its own (``...+0000``), read back as this
TIME_HOUR_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def read_synthetic(folder: Path, real: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The synthetic CSVs of ``folder``, each column cast to its real table's dtype when it
    can, and ``time_hour`` written as the real tables write it (the judges parse it with the
    real format, so another spelling of the same instant would read as missing)."""
    out = {}
    for name in TABLE_NAMES:
        df = pd.read_csv(folder / f"{name}.csv", low_memory=False)
        for column, dtype in real[name].dtypes.items():
            if column in df and df[column].dtype != dtype and pd.api.types.is_numeric_dtype(dtype):
                df[column] = pd.to_numeric(df[column], errors="coerce")
        if "time_hour" in df:
            parsed = pd.to_datetime(df["time_hour"], format="mixed", utc=True, errors="coerce")
            df["time_hour"] = parsed.dt.strftime(TIME_HOUR_FORMAT).where(parsed.notna())
        out[name] = df
    return out


# -- TSTR ------------------------------------------------------------------------------------


def joined_flights(tables: dict[str, pd.DataFrame], flights: pd.DataFrame) -> pd.DataFrame:
    """``flights`` with their plane's and weather hour's attributes (left joins)."""
    planes = tables["planes"].drop_duplicates("tailnum")
    planes = planes.rename(columns={c: f"plane_{c}" for c in planes.columns if c != "tailnum"})
    weather = tables["weather"].drop(columns=["time_hour"])
    # SDV links flights to weather through the single key it was given, others by the five
    key = [SDV_WEATHER_ID] if SDV_WEATHER_ID in flights and SDV_WEATHER_ID in weather else None
    if key:
        weather = weather.drop(columns=list(WEATHER_KEY))
    key = key or list(WEATHER_KEY)
    weather = weather.drop_duplicates(key)
    weather = weather.rename(columns={c: f"weather_{c}" for c in weather.columns if c not in key})
    out = flights.merge(planes, on="tailnum", how="left").merge(weather, on=key, how="left")
    return out.drop(columns=[SDV_WEATHER_ID], errors="ignore")


def _features(df: pd.DataFrame, columns: list[str], categories: dict[str, pd.Index]):
    """Float features: numbers as they are, text as its code among ``categories`` (NaN when
    missing or unknown)."""
    x = pd.DataFrame(index=df.index)
    for column in columns:
        if column in categories:
            codes = categories[column].get_indexer(df[column].astype(str).where(df[column].notna()))
            x[column] = np.where(codes >= 0, codes, np.nan)
        else:
            x[column] = pd.to_numeric(df[column], errors="coerce")
    return x


def tstr_auc(train: pd.DataFrame, test: pd.DataFrame, seed: int) -> float:
    """ROC AUC on ``test`` of a gradient-boosting classifier of ``arr_delay > 15`` fit on
    ``train`` (rows without ``arr_delay`` dropped; text columns as categories: the test's
    250 most frequent labels, any other label missing)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score

    train = train[pd.to_numeric(train["arr_delay"], errors="coerce").notna()]
    test = test[test["arr_delay"].notna()]
    y_train = pd.to_numeric(train["arr_delay"]) > TARGET_DELAY
    y_test = test["arr_delay"] > TARGET_DELAY
    if y_train.nunique() < 2:
        return 0.5
    columns = [c for c in test.columns if c not in NOT_FEATURES]
    categories = {
        c: pd.Index(test[c].dropna().astype(str).value_counts().index[:250])
        for c in columns
        if not pd.api.types.is_numeric_dtype(test[c])
    }
    model = HistGradientBoostingClassifier(
        max_iter=200,
        categorical_features=[c in categories for c in columns],
        random_state=seed,
    )
    model.fit(_features(train, columns, categories), y_train)
    scores = model.predict_proba(_features(test, columns, categories))[:, 1]
    return float(roc_auc_score(y_test, scores))


# -- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    load_start = os.getloadavg()
    tables, test = load_split(args.flights, args.seed)
    log(", ".join(f"{n}: {len(df):,} rows" for n, df in tables.items()) + f"; test {len(test):,}")
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="relational-") as tmp:
        work = Path(tmp)
        train_dir = work / "train"
        train_dir.mkdir()
        for name, df in tables.items():
            df.to_csv(train_dir / f"{name}.csv", index=False)
        for method in args.methods:
            results[method] = fitted(method, tables, args, train_dir, work)
            if method == "sdv_hma" and not results[method].get("notes"):
                # a run that failed wrote no notes: what HMA was given, set up again (cheap)
                from relational_runner import sdv_hma_setup

                results[method]["notes"] = sdv_hma_setup(tables)[2]
        if args.fit_only:
            return 0
        schema = relational_schema(tables)
        baseline = tstr_auc(
            joined_flights(tables, tables["flights"]), joined_flights(tables, test), args.seed
        )
        for result in results.values():
            if "failed" in result:
                continue
            synthetic = read_synthetic(result["folder"], tables)
            result.update(score(tables, synthetic, test, schema, args.seed))
    from _relational_report import report_text

    text = report_text(
        results,
        tables,
        test,
        baseline,
        args=args,
        argv=sys.argv if argv is None else ["benchmarks/compare_relational.py", *argv],
        load=(load_start, os.getloadavg()),
        wall_s=time.perf_counter() - started,
    )
    print(text)
    if args.out is not None:
        from genesis.io import write_bytes_atomic

        write_bytes_atomic(args.out, text, what="the benchmark report")
    return 0


if __name__ == "__main__":
    sys.exit(main())
