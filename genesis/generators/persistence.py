"""The Genesis model file: a small JSON header, then the pickled model.

One home for writing and reading models, as bytes (for artifact stores and registries, no
temporary folder needed) or as files. Files are written atomically and owner-only (0600):
a model keeps per-column values of its training table (CART leaves hold real values), so it
is as sensitive as the data it learned.
"""

from __future__ import annotations

import io
import json
import os
import pickle
from pathlib import Path
from typing import Any

from genesis.errors import ModelLoadError

MAGIC = b"GENESIS-MODEL\n"
FILE_FORMAT = 1
#: permissions of a saved model file: read and write for its owner only
MODEL_FILE_MODE = 0o600


def genesis_version() -> str:
    """The installed Genesis version (``"unknown"`` when running from a bare checkout)."""
    import genesis

    version = getattr(genesis, "__version__", None)
    if version:
        return str(version)
    try:
        from importlib.metadata import version as dist_version

        return dist_version("genesis-synth")
    except Exception:
        return "unknown"


def model_to_bytes(model: Any, method: str) -> bytes:
    """The bytes of a model file: magic line, JSON header (format, version, method, class),
    pickled model."""
    header = {
        "format": FILE_FORMAT,
        "genesis_version": genesis_version(),
        "method": method,
        "class": f"{type(model).__module__}.{type(model).__qualname__}",
    }
    buffer = io.BytesIO()
    buffer.write(MAGIC)
    buffer.write(json.dumps(header).encode() + b"\n")
    pickle.dump(model, buffer, protocol=pickle.HIGHEST_PROTOCOL)
    return buffer.getvalue()


def write_model(path: str | os.PathLike[str], data: bytes) -> str:
    """Write model bytes to ``path`` atomically, owner-only; returns the path."""
    from genesis.io import write_bytes_atomic

    return write_bytes_atomic(path, data, what="model", mode=MODEL_FILE_MODE)


def read_model(
    source: str | os.PathLike[str] | bytes, *, payload: bool = True
) -> tuple[dict[str, Any], Any]:
    """The header and (with ``payload``) the model of a model file or of its bytes.

    Raises:
        ModelLoadError: missing, not a Genesis model, corrupt, or of another file format.
    """
    if isinstance(source, bytes | bytearray):
        where = "the model bytes"
        try:
            return _parse(io.BytesIO(source), where, payload)
        except OSError as exc:  # pragma: no cover - in-memory reads do not fail
            raise ModelLoadError(f"could not read {where}: {exc}") from exc
    path = Path(source)
    where = repr(str(path))
    if not path.is_file():
        raise ModelLoadError(
            f"no model file at {where}; check the path, or fit and save(path) a model first"
        )
    try:
        with path.open("rb") as fh:
            return _parse(fh, where, payload)
    except OSError as exc:
        raise ModelLoadError(
            f"could not read {where}: {exc}; check the file's permissions"
        ) from exc


def _parse(fh: Any, where: str, payload: bool) -> tuple[dict[str, Any], Any]:
    if fh.read(len(MAGIC)) != MAGIC:
        raise ModelLoadError(
            f"{where} is not a Genesis model file; pass a file written by save(path)"
        )
    try:
        header = json.loads(fh.readline())
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ModelLoadError(f"{where} has a corrupt header; save the model again") from None
    if not isinstance(header, dict) or header.get("format") != FILE_FORMAT:
        found = header.get("format") if isinstance(header, dict) else "?"
        raise ModelLoadError(
            f"{where} uses model file format {found}, this Genesis reads format {FILE_FORMAT}; "
            "save the model again with this version"
        )
    if not payload:
        return header, None
    try:
        model = pickle.load(fh)
    except Exception as exc:
        raise ModelLoadError(
            f"{where} is corrupt or was written by an incompatible version "
            f"(Genesis {header.get('genesis_version')}): {type(exc).__name__}: {exc}; "
            "refit the model and save it again"
        ) from None
    return header, model


__all__ = [
    "FILE_FORMAT",
    "MAGIC",
    "MODEL_FILE_MODE",
    "genesis_version",
    "model_to_bytes",
    "read_model",
    "write_model",
]
