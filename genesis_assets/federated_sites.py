"""The site side of a federated dataset, and the messages its assets store.

Everything here that reads rows runs inside one site's partition: :func:`site_rows` reads
that site's table and splits it into training and holdout rows; :func:`local_site` wraps the
training rows in a :class:`~genesis.federated.DataSite` that answers a round's plan with
statistics. Messages (statistics, plans, public keys) are stored as JSON in the artifact
store with numpy arrays and bytes kept exact (:func:`encode` / :func:`decode`): masked
vectors are integers modulo 2**64, which a float would round.
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import ConfigError
from genesis_assets.config import DatasetConfig
from genesis_assets.federated_config import FederatedSettings
from genesis_resources import ArtifactStore

#: the rounds of the protocol, in order: the site asset of each, and the plan it answers
ROUNDS = ("support", "marginals", "correlation")


def settings(ds: DatasetConfig) -> FederatedSettings:
    return ds.federated or FederatedSettings()


def site_source(ds: DatasetConfig, site: str) -> str:
    return next(s.source for s in ds.sites or [] if s.name == site)


def site_rows(ds: DatasetConfig, site: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The site's ``(training, holdout)`` rows: call it only inside that site's partition."""
    from genesis.io import read_table
    from genesis.splits import split_holdout

    df = read_table(site_source(ds, site), **ds.read_options)
    return split_holdout(df, ds.holdout_fraction, ds.seed)


def new_secret(store: ArtifactStore, ds: DatasetConfig, site: str) -> int:
    """A fresh private seed of the site's masking keys and noise share, for one session
    (owner-only: whoever reads it can remove the site's masks and noise)."""
    secret = int.from_bytes(os.urandom(8), "little") >> 1
    store.write_bytes(ds.name, f"federation/{site}.secret", str(secret).encode(), private=True)
    return secret


def ledger_path(store: ArtifactStore, ds: DatasetConfig, site: str) -> str:
    """The site's privacy ledger file (:class:`genesis.federated.ledger.PrivacyLedger`): a
    local file, since the ledger's atomic rename guards the budget against a torn write."""
    if store.storage_options() is not None:
        raise ConfigError(
            f"dataset {ds.name!r}: federated.privacy_budget keeps each site's privacy ledger "
            "in the artifact store, which is on S3 here; use local storage for a federated "
            "dataset with a privacy_budget, or remove privacy_budget"
        )
    return store.path_for(ds.name, f"federation/{site}.ledger.json")


def local_site(store: ArtifactStore, ds: DatasetConfig, site: str, training: pd.DataFrame, *,
               secret: int | None = None, keys: dict[str, bytes] | None = None):  # fmt: skip
    """The site's :class:`~genesis.federated.DataSite` on its training rows and its public
    masking key (None without ``secure``): the key pair is rebuilt from this session's secret,
    so every round of the session masks with the same pairs (agreed with ``keys`` when given)."""
    from genesis.federated import DataSite, SiteConfig

    if secret is None:
        secret = int(store.read_bytes(ds.name, f"federation/{site}.secret").decode())
    cfg = settings(ds)
    if cfg.privacy_budget is not None:
        budget, ledger = cfg.privacy_budget, ledger_path(store, ds, site)
    else:
        budget, ledger = (cfg.epsilon if cfg.epsilon is not None else 1.0), None
    node = DataSite(
        site,
        training,
        SiteConfig(site, 1.0, budget, cfg.min_samples, seed=secret, ledger_path=ledger),
    )
    node.initialize()
    public_key = node.masking_key(0) if cfg.secure else None
    if public_key is not None and keys is not None:
        node.agree_masks(keys)
    return node, public_key


def encode(value: Any) -> Any:
    """``value`` as JSON-ready data, arrays and bytes tagged so :func:`decode` restores them."""
    if isinstance(value, np.ndarray):
        return {"__ndarray__": value.dtype.str, "data": value.tolist()}
    if isinstance(value, bytes):
        return {"__bytes__": value.hex()}
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def decode(value: Any) -> Any:
    """Inverse of :func:`encode`."""
    if isinstance(value, dict):
        if "__ndarray__" in value:
            return np.asarray(value["data"], dtype=np.dtype(value["__ndarray__"]))
        if "__bytes__" in value:
            return bytes.fromhex(value["__bytes__"])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def write_message(store: ArtifactStore, ds: DatasetConfig, name: str, message: Any) -> int:
    """Store a message (statistics or a plan); return its size in bytes."""
    data = json.dumps(encode(message)).encode()
    store.write_bytes(ds.name, f"federation/{name}.json", data)
    return len(data)


def read_message(store: ArtifactStore, ds: DatasetConfig, name: str) -> Any:
    return decode(json.loads(store.read_bytes(ds.name, f"federation/{name}.json")))
