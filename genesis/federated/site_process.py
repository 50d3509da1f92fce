"""Entry point of a site's own process: ``python -m genesis.federated.site_process PATH CONFIG``.

Reads the site's table from ``PATH`` (CSV or Parquet) into a :class:`DataSite` and answers
JSON-lines requests on stdin (see :mod:`genesis.federated.transport`) until stdin closes.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pandas as pd

from genesis.errors import GenesisError
from genesis.federated.site import DataSite, SiteConfig
from genesis.federated.transport import decode, encode

_OPS = (
    "initialize",
    "authorize",
    "charge",
    "masking_key",
    "agree_masks",
    "reveal_mask_seed",
    "train_local",
)


def _load(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)


def serve(site: DataSite, stdin=sys.stdin, stdout=sys.stdout) -> None:
    """Answer requests until ``stdin`` closes."""
    for line in stdin:
        request = decode(line)
        op = request.pop("op")
        try:
            if op == "describe":
                result = {"pid": os.getpid(), "n_samples": site.n_samples}
            elif op == "charge":
                site.charge(request["epsilon"])
                result = site.privacy_spent
            elif op in _OPS:
                result = getattr(site, op)(**request)
            else:
                raise GenesisError(f"unknown request {op!r}")
            reply = {"result": result}
        except GenesisError as exc:
            reply = {"error": {"type": type(exc).__name__, "message": str(exc)}}
        stdout.write(encode(reply) + "\n")
        stdout.flush()


def main(argv: list[str] | None = None) -> None:
    path, config = (argv if argv is not None else sys.argv[1:])[:2]
    settings = json.loads(config)
    site = DataSite(settings["name"], _load(Path(path)), SiteConfig(**settings))
    serve(site)


if __name__ == "__main__":
    main()
