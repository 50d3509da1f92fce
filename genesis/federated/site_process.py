"""Entry point of a site's own process; it dials the aggregator's gRPC server.

``python -m genesis.federated.site_process --aggregator HOST:PORT --data PATH --config JSON``
(the site's token in the ``GENESIS_SITE_TOKEN`` environment variable;
``--root-certificates PEM`` for TLS). Reads the site's table from ``PATH`` (CSV or Parquet)
into a :class:`DataSite`, then pulls requests from the aggregator and pushes the answers
(see :mod:`genesis.federated.transport`) until the aggregator says stop. The site only
makes outbound connections.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from genesis.errors import GenesisError, SiteConnectionError
from genesis.federated.site import DataSite, SiteConfig
from genesis.federated.transport import (
    CHANNEL_OPTIONS,
    POLL_SECONDS,
    PULL,
    PUSH,
    TOKEN_ENV,
    from_bytes,
    grpc_module,
    to_bytes,
)

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


def answer(site: DataSite, request: dict[str, Any]) -> dict[str, Any]:
    """The site's reply to one request: ``{"result": ...}`` or ``{"error": {type, message}}``."""
    request = dict(request)
    op = request.pop("op")
    try:
        if op == "describe":
            result = {
                "pid": os.getpid(),
                "n_samples": site.n_samples,
                "privacy_spent": site.privacy_spent,
            }
        elif op == "charge":
            site.charge(**request)
            result = site.privacy_spent
        elif op in _OPS:
            result = getattr(site, op)(**request)
        else:
            raise GenesisError(f"unknown request {op!r}")
        return {"result": result}
    except GenesisError as exc:
        return {"error": {"type": type(exc).__name__, "message": str(exc)}}


def connect(address: str, *, root_certificates: bytes | None = None, timeout: float = 30.0):
    """A channel to the aggregator at ``address``, once it is ready.

    Raises:
        SiteConnectionError: nothing answers at ``address`` within ``timeout`` seconds.
    """
    grpc = grpc_module()
    if root_certificates is not None:
        credentials = grpc.ssl_channel_credentials(root_certificates=root_certificates)
        channel = grpc.secure_channel(address, credentials, options=CHANNEL_OPTIONS)
    else:
        channel = grpc.insecure_channel(address, options=CHANNEL_OPTIONS)
    try:
        grpc.channel_ready_future(channel).result(timeout=timeout)
    except grpc.FutureTimeoutError as exc:
        channel.close()
        raise SiteConnectionError(
            f"cannot reach the aggregator at {address!r} within {timeout:g} s; check the "
            "address (host:port of the aggregator's FederationServer), that it is running, and "
            "for TLS that --root-certificates holds the certificate it serves"
        ) from exc
    return channel


def serve(site: DataSite, channel, token: str) -> None:
    """Pull requests over ``channel`` and push the answers until the aggregator says stop."""
    grpc = grpc_module()
    pull = channel.unary_unary(PULL, request_serializer=to_bytes, response_deserializer=from_bytes)
    push = channel.unary_unary(PUSH, request_serializer=to_bytes, response_deserializer=from_bytes)
    who = {"site": site.name, "token": token}
    while True:
        try:
            request = pull(who, timeout=POLL_SECONDS + 30)
            op = request.get("op")
            if op == "stop":
                return
            if op == "idle":
                continue
            push({**who, "reply": answer(site, request)}, timeout=POLL_SECONDS + 30)
        except grpc.RpcError as exc:
            if exc.code() == grpc.StatusCode.PERMISSION_DENIED:
                raise SiteConnectionError(
                    f"the aggregator refused site {site.name!r} ({exc.details()}): wrong token, "
                    "or the aggregator closed this site's session"
                ) from exc
            raise SiteConnectionError(
                f"lost the aggregator ({exc.code().name}: {exc.details()})"
            ) from exc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genesis.federated.site_process")
    parser.add_argument("--aggregator", required=True, help="host:port of the aggregator")
    parser.add_argument("--data", required=True, help="the site's table (CSV or Parquet)")
    parser.add_argument("--config", required=True, help="the site's SiteConfig as JSON")
    parser.add_argument("--root-certificates", help="PEM file: dial the aggregator over TLS")
    parser.add_argument("--connect-timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    token = os.environ.get(TOKEN_ENV, "")
    try:
        settings = json.loads(args.config)
        site = DataSite(settings["name"], _load(Path(args.data)), SiteConfig(**settings))
        roots = Path(args.root_certificates).read_bytes() if args.root_certificates else None
        channel = connect(args.aggregator, root_certificates=roots, timeout=args.connect_timeout)
        with channel:
            serve(site, channel, token)
    except (GenesisError, OSError, ValueError) as exc:  # the proxy shows this last line
        print(f"site process: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
