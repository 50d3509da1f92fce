"""Sites as separate processes: JSON-lines messages over each site's stdin and stdout.

Each site runs ``python -m genesis.federated.site_process`` with the path of its own table;
the table is read inside that process and only the protocol's messages (label sets,
sketches, histogram and outer-product vectors, masked vectors, public keys) cross the pipe.
:class:`RemoteSite` is the aggregator-side proxy: it has the interface of
:class:`~genesis.federated.DataSite` that :class:`~genesis.federated.FederatedGenerator`
uses, so the same training code drives in-process and out-of-process sites.

Transport choice: Flower (``flwr``) is the planned transport (a ``ClientApp`` per site whose
fit answers with :meth:`DataSite.train_local`'s message, a ``ServerApp`` strategy calling
:class:`ModelAggregator`); it is not used yet because flwr 1.42 downgrades ``typer`` and
``rich`` below the project's pins (``/work/shared/ENVIRONMENT.md``). The messages here are
exactly those a Flower transport would carry, so swapping the pipe for Flower changes only
this module.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

from genesis.errors import FederatedError, SiteDroppedError
from genesis.federated.site import SiteConfig

#: seconds a site may take to answer one message
REPLY_TIMEOUT = 120.0


def encode(message: Any) -> str:
    """One JSON line (numpy arrays as lists, bytes as hex, uint64 as exact integers)."""

    def default(value: Any) -> Any:
        if isinstance(value, np.ndarray):
            return {"__array__": value.dtype.str, "data": value.tolist()}
        if isinstance(value, bytes):
            return {"__bytes__": value.hex()}
        if isinstance(value, np.generic):
            return value.item()
        raise TypeError(f"cannot send a {type(value).__name__}")

    return json.dumps(message, default=default)


def decode(line: str) -> Any:
    """Inverse of :func:`encode`."""

    def hook(obj: dict) -> Any:
        if "__array__" in obj:
            return np.asarray(obj["data"], dtype=np.dtype(obj["__array__"]))
        if "__bytes__" in obj:
            return bytes.fromhex(obj["__bytes__"])
        return obj

    return json.loads(line, object_hook=hook)


class RemoteSite:
    """A site running in its own process; speaks the :class:`DataSite` protocol over pipes.

    Args:
        name: the site's name.
        data_path: its table (CSV or Parquet), read only by the site's process.
        config: its :class:`SiteConfig` (sent to the process).
        timeout: seconds to wait for each answer; a silent or dead process raises
            :class:`~genesis.errors.SiteDroppedError`.
    """

    def __init__(
        self,
        name: str,
        data_path: str | os.PathLike[str],
        config: SiteConfig | None = None,
        *,
        timeout: float = REPLY_TIMEOUT,
    ) -> None:
        self.config = config if config is not None else SiteConfig(name)
        self._name = name
        self.timeout = timeout
        self.transcript: list[str] = []  # every line exchanged, for audits and tests
        command = [
            sys.executable,
            "-m",
            "genesis.federated.site_process",
            str(Path(data_path)),
            json.dumps(
                {
                    "name": name,
                    "weight": self.config.weight,
                    "privacy_budget": self.config.privacy_budget,
                    "min_samples": self.config.min_samples,
                    "seed": self.config.seed,
                }
            ),
        ]
        # the child imports this same copy of genesis, wherever it was imported from
        root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1, env=env
        )
        hello = self._call({"op": "describe"})
        self.pid = int(hello["pid"])
        self._n_samples = int(hello["n_samples"])
        self.method: str | None = None
        self.privacy_spent = 0.0

    @property
    def name(self) -> str:
        return self._name

    @property
    def n_samples(self) -> int:
        return self._n_samples

    def _call(self, request: dict[str, Any]) -> Any:
        line = encode(request)
        self.transcript.append(line)
        try:
            self._process.stdin.write(line + "\n")
            self._process.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise SiteDroppedError(f"site {self._name!r} is not running ({exc})") from exc
        with selectors.DefaultSelector() as selector:
            selector.register(self._process.stdout, selectors.EVENT_READ)
            if not selector.select(self.timeout):
                raise SiteDroppedError(
                    f"site {self._name!r} did not answer within {self.timeout:g} s"
                )
        answer = self._process.stdout.readline()
        if not answer:
            raise SiteDroppedError(f"site {self._name!r} exited (code {self._process.poll()})")
        self.transcript.append(answer.rstrip("\n"))
        reply = decode(answer)
        if "error" in reply:
            from genesis import errors

            cls = getattr(errors, reply["error"]["type"], FederatedError)
            raise cls(reply["error"]["message"])
        return reply["result"]

    def initialize(self, method: str = "gaussian_copula") -> None:
        self._call({"op": "initialize", "method": method})
        self.method = method

    def authorize(self, epsilon: float) -> None:
        self._call({"op": "authorize", "epsilon": epsilon})

    def charge(self, epsilon: float) -> None:
        self.privacy_spent = float(self._call({"op": "charge", "epsilon": epsilon}))

    def masking_key(self, session: int = 0) -> bytes:
        return self._call({"op": "masking_key", "session": session})

    def agree_masks(self, public_keys: dict[str, bytes]) -> None:
        self._call({"op": "agree_masks", "public_keys": public_keys})

    def reveal_mask_seed(self, peer: str) -> bytes:
        return self._call({"op": "reveal_mask_seed", "peer": peer})

    def train_local(self, plan: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._call({"op": "train_local", "plan": plan})

    def close(self) -> None:
        """Stop the site's process."""
        if self._process.poll() is None:
            with contextlib.suppress(OSError):
                self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def kill(self) -> None:
        """Stop the process at once (simulates a site dropping out)."""
        self._process.kill()
        self._process.wait()

    def __enter__(self) -> RemoteSite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"RemoteSite(name={self._name!r}, pid={self.pid})"
