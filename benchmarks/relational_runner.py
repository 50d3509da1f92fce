"""Fit one relational synthesizer on nycflights13 and sample from it, in a process of its own.

``compare_relational.py`` runs each method through this script as a subprocess, so each one's
peak memory is its own (the parent reads the child's peak RSS from ``os.wait4``) and a
method that hangs or blows up can be stopped without losing the others::

    PYTHONPATH=. .venv-bench/bin/python benchmarks/relational_runner.py \\
        --method genesis_cart --tables DIR --out DIR2 --seed 0

``--tables`` holds the five training tables as ``<table>.csv``; the synthetic tables are
written to ``--out`` as ``<table>.csv`` with ``timings.json`` (``fit_s``, ``sample_s``, rows
per table, notes on what the method was given). ``timings.json`` is written last: its
presence marks a complete run.

Methods:

* ``genesis_cart``, ``genesis_gaussian_copula``: ``genesis.relational.RelationalSynthesizer``
  with the declared relationships (composite weather key included), ``generate(scale=1.0)``.
* ``genesis_cart_lookups``: the same with ``reference_tables="auto"``: the root tables that
  look like public lookups of named organisations or places are copied whole (an opt-in;
  which tables were copied is noted).
* ``sdv_hma``: SDV 2.0's ``HMASynthesizer`` with the same keys. SDV refuses data whose keys
  are not clean, so it is given what it accepts: the 3 duplicate weather keys dropped (a
  primary key must be unique) and the child rows whose foreign key is missing or unknown
  dropped with ``sdv.utils.drop_unknown_references(drop_missing_values=True)``; a composite
  key SDV cannot declare is replaced by a single text key built from its columns
  (``weather_id``, kept in SDV's synthetic weather and flights: it is the link SDV made).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

os.environ.setdefault("OMP_NUM_THREADS", "1")

import pandas as pd  # noqa: E402

TABLE_NAMES = ("airlines", "airports", "planes", "weather", "flights")
WEATHER_KEY = ("origin", "year", "month", "day", "hour")
#: (parent, parent key, child, child key): the keys of shared/datasets/README.md
RELATIONSHIPS = (
    ("airlines", ("carrier",), "flights", ("carrier",)),
    ("planes", ("tailnum",), "flights", ("tailnum",)),
    ("airports", ("faa",), "flights", ("origin",)),
    ("airports", ("faa",), "flights", ("dest",)),
    ("airports", ("faa",), "weather", ("origin",)),
    ("weather", WEATHER_KEY, "flights", WEATHER_KEY),
)
PRIMARY_KEYS = {
    "airlines": ("carrier",),
    "airports": ("faa",),
    "planes": ("tailnum",),
    "weather": WEATHER_KEY,
    "flights": None,
}
#: Genesis methods: (single-table method, reference_tables)
GENESIS = {
    "genesis_cart": ("cart", ()),
    "genesis_gaussian_copula": ("gaussian_copula", ()),
    "genesis_cart_lookups": ("cart", "auto"),
}
METHODS = (*GENESIS, "sdv_hma")
#: the single text key that stands for the weather key in SDV (it declares no composite key)
SDV_WEATHER_ID = "weather_id"


def read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """The five tables of ``folder`` (``<table>.csv``)."""
    return {name: pd.read_csv(folder / f"{name}.csv", low_memory=False) for name in TABLE_NAMES}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--method", choices=METHODS, required=True)
    parser.add_argument("--tables", type=Path, required=True, help="folder of training CSVs")
    parser.add_argument("--out", type=Path, required=True, help="folder for the synthetic CSVs")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def run_genesis(method: str, tables: dict[str, pd.DataFrame], seed: int):
    from genesis.relational import RelationalSynthesizer, Relationship

    relationships = [
        Relationship(
            parent, list(pk) if len(pk) > 1 else pk[0], child, list(fk) if len(fk) > 1 else fk[0]
        )
        for parent, pk, child, fk in RELATIONSHIPS
    ]
    base, references = GENESIS[method]
    synthesizer = RelationalSynthesizer(method=base, seed=seed, reference_tables=references)
    start = time.perf_counter()
    synthesizer.fit(tables, relationships)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    synthetic = synthesizer.generate(scale=1.0)
    sample_s = time.perf_counter() - start
    notes = []
    if references == "auto":
        copied = ", ".join(synthesizer.reference_tables_) or "none"
        notes.append(f"reference_tables='auto' copied: {copied}")
    return synthetic, {
        "fit_s": fit_s,
        "sample_s": sample_s,
        "notes": notes,
        "reference_tables": list(synthesizer.reference_tables_),
    }


def _weather_id(df: pd.DataFrame) -> pd.Series:
    parts = [
        df[c].astype("Int64").astype("string") if c != "origin" else df[c] for c in WEATHER_KEY
    ]
    out = parts[0].astype("string")
    for part in parts[1:]:
        out = out + "|" + part
    return out


def sdv_inputs(tables: dict[str, pd.DataFrame], relationships=RELATIONSHIPS):
    """The tables and metadata SDV accepts, and sentences on what had to change."""
    from sdv.metadata import Metadata
    from sdv.utils import drop_unknown_references

    data = {name: df.copy() for name, df in tables.items()}
    weather = data["weather"]
    duplicated = weather.duplicated(list(WEATHER_KEY))
    data["weather"] = weather[~duplicated].reset_index(drop=True)
    data["weather"][SDV_WEATHER_ID] = _weather_id(data["weather"])
    data["flights"][SDV_WEATHER_ID] = _weather_id(data["flights"])
    metadata = Metadata.detect_from_dataframes(data, infer_keys=None)
    for table, key in PRIMARY_KEYS.items():
        if key is None:
            continue
        column = SDV_WEATHER_ID if table == "weather" else key[0]
        metadata.update_column(column_name=column, table_name=table, sdtype="id")
        metadata.set_primary_key(column_name=column, table_name=table)
    for parent, pk, child, fk in relationships:
        child_column = SDV_WEATHER_ID if parent == "weather" else fk[0]
        parent_column = SDV_WEATHER_ID if parent == "weather" else pk[0]
        metadata.update_column(column_name=child_column, table_name=child, sdtype="id")
        metadata.add_relationship(
            parent_table_name=parent,
            child_table_name=child,
            parent_primary_key=parent_column,
            child_foreign_key=child_column,
        )
    before = {name: len(df) for name, df in data.items()}
    data = drop_unknown_references(data, metadata, drop_missing_values=True, verbose=False)
    notes = [f"weather: {int(duplicated.sum())} rows with a duplicate key dropped"]
    notes += [
        f"{name}: {before[name] - len(df):,} of {before[name]:,} rows dropped "
        "(missing or unknown foreign key)"
        for name, df in data.items()
        if len(df) != before[name]
    ]
    notes.append(
        f"the weather key {list(WEATHER_KEY)} is given to SDV as one text key `{SDV_WEATHER_ID}`"
    )
    return data, metadata, notes


def sdv_hma_setup(tables: dict[str, pd.DataFrame]):
    """The data, an unfitted ``HMASynthesizer`` and sentences on what SDV was given."""
    from sdv.errors import SynthesizerInputError
    from sdv.multi_table import HMASynthesizer

    data, metadata, notes = sdv_inputs(tables)
    try:
        synthesizer = HMASynthesizer(metadata)
    except SynthesizerInputError as exc:
        # HMA refuses schemas deeper than 2 (airports -> weather -> flights is 3): keep every
        # relationship but airports -> weather, which makes weather a root table
        kept = tuple(r for r in RELATIONSHIPS if (r[0], r[2]) != ("airports", "weather"))
        data, metadata, notes = sdv_inputs(tables, kept)
        notes.insert(0, f"the full schema was refused: {str(exc).splitlines()[0]}")
        notes.insert(
            1,
            "fitted without the relationship airports.faa -> weather.origin (depth 2); "
            "weather.origin is then an ordinary category",
        )
        synthesizer = HMASynthesizer(metadata)
    return data, synthesizer, notes


def run_sdv_hma(tables: dict[str, pd.DataFrame], seed: int):
    import numpy as np

    data, synthesizer, notes = sdv_hma_setup(tables)
    np.random.seed(seed)  # noqa: NPY002  (SDV draws from numpy's global generator)
    start = time.perf_counter()
    synthesizer.fit(data)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    synthetic = synthesizer.sample_scale(scale=1.0)
    sample_s = time.perf_counter() - start
    rows_in = {name: len(df) for name, df in data.items()}
    return synthetic, {"fit_s": fit_s, "sample_s": sample_s, "notes": notes, "rows_in": rows_in}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tables = read_tables(args.tables)
    if args.method == "sdv_hma":
        synthetic, timings = run_sdv_hma(tables, args.seed)
    else:
        synthetic, timings = run_genesis(args.method, tables, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    for name in TABLE_NAMES:
        synthetic[name].to_csv(args.out / f"{name}.csv", index=False)
    timings["rows"] = {name: len(synthetic[name]) for name in TABLE_NAMES}
    (args.out / "timings.json").write_text(json.dumps(timings, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
