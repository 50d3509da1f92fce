"""Lineage blocks, the hash chain and the recorder that builds one per synthetic dataset."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from genesis.errors import (
    InvalidParameterError,
    LineageVerificationError,
    SourceNotFoundError,
    UnparseableSourceError,
)

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _plain(obj: Any, what: str) -> dict[str, Any]:
    """A JSON-native copy, so the hash is the same before and after a round trip."""
    if obj is None:
        return {}
    if not isinstance(obj, dict):
        raise InvalidParameterError(f"{what} must be a dict, got {type(obj).__name__}")
    return json.loads(_canonical(obj))


_HEX_DIGEST = re.compile(r"[0-9a-f]{16,128}")


def _require_name(value: Any, call: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidParameterError(
            f"{call}: {what} must be a non-empty string, got {type(value).__name__}"
            + (
                " (a DataFrame: are the arguments in the documented order?)"
                if isinstance(value, pd.DataFrame)
                else ""
            )
        )
    return value


def _data_hash(data: Any) -> str:
    """Content hash of a DataFrame (:func:`genesis.io.fingerprint`), or a given hash string."""
    if isinstance(data, pd.DataFrame):
        from genesis.io import fingerprint

        return fingerprint(data)
    if isinstance(data, str) and data:
        return data
    raise InvalidParameterError(
        f"expected a pandas DataFrame or its content hash (a non-empty string); got "
        f"{type(data).__name__}"
    )


class LineageBlock:
    """One link of the chain: what happened (``block_type``, ``content``) and when.

    ``data_hash`` is the SHA-256 of the block's type, content, metadata, timestamp, id and
    ``previous_hash``, computed when the block is created; :meth:`verify` recomputes it.
    """

    def __init__(
        self,
        block_type: str,
        content: dict[str, Any],
        previous_hash: str | None = None,
        metadata: dict[str, Any] | None = None,
        *,
        block_id: str | None = None,
        timestamp: datetime | str | None = None,
        data_hash: str | None = None,
    ) -> None:
        if not isinstance(block_type, str) or not block_type:
            raise InvalidParameterError("block_type must be a non-empty string such as 'source'")
        self.block_type = block_type
        self.content = _plain(content, "content")
        self.previous_hash = previous_hash
        self.metadata = _plain(metadata, "metadata")
        self.block_id = block_id or uuid.uuid4().hex
        if timestamp is None:
            timestamp = datetime.now(UTC)
        elif isinstance(timestamp, str):
            timestamp = datetime.fromisoformat(timestamp)
        self.timestamp: datetime = timestamp
        self.data_hash = data_hash or self.compute_hash()

    def _payload(self) -> dict[str, Any]:
        return {
            "block_id": self.block_id,
            "block_type": self.block_type,
            "content": self.content,
            "metadata": self.metadata,
            "previous_hash": self.previous_hash,
            "timestamp": self.timestamp.isoformat(),
        }

    def compute_hash(self) -> str:
        """SHA-256 hex digest of everything in the block except ``data_hash`` itself."""
        return hashlib.sha256(_canonical(self._payload()).encode("utf-8")).hexdigest()

    def verify(self) -> bool:
        """Whether the stored ``data_hash`` still matches the block's content."""
        return self.data_hash == self.compute_hash()

    def to_dict(self) -> dict[str, Any]:
        return {**self._payload(), "data_hash": self.data_hash}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LineageBlock:
        """Rebuild a block exactly as stored (its hash is not recomputed: verify() checks it)."""
        try:
            return cls(
                d["block_type"],
                d["content"],
                d.get("previous_hash"),
                d.get("metadata"),
                block_id=d["block_id"],
                timestamp=d["timestamp"],
                data_hash=d["data_hash"],
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise UnparseableSourceError(
                f"not a lineage block ({exc!r} missing or malformed); expected the keys of "
                "LineageBlock.to_dict()"
            ) from None

    def __repr__(self) -> str:
        return f"LineageBlock({self.block_type!r}, hash={self.data_hash[:12]})"


class LineageChain:
    """An append-only list of blocks, each linked to the previous one by its hash."""

    def __init__(self) -> None:
        self._blocks: list[LineageBlock] = []

    @property
    def blocks(self) -> list[LineageBlock]:
        """The blocks, oldest first (a copy: append through the ``add_*`` methods)."""
        return list(self._blocks)

    @property
    def latest_hash(self) -> str | None:
        """Hash of the newest block; None for an empty chain."""
        return self._blocks[-1].data_hash if self._blocks else None

    def __len__(self) -> int:
        return len(self._blocks)

    def add_block(
        self, block_type: str, content: dict[str, Any], metadata: dict[str, Any] | None = None
    ) -> LineageBlock:
        """Append a block of any type, linked to the newest one."""
        block = LineageBlock(block_type, content, self.latest_hash, metadata)
        self._blocks.append(block)
        return block

    def add_source_block(
        self, data: pd.DataFrame | str, name: str, metadata: dict[str, Any] | None = None
    ) -> LineageBlock:
        """Record a data source: its name and content hash (and shape, for a DataFrame)."""
        _require_name(name, "add_source_block(data, name)", "the source's name")
        content: dict[str, Any] = {"name": name, "data_hash": _data_hash(data)}
        if isinstance(data, pd.DataFrame):
            content.update(rows=len(data), columns=[str(c) for c in data.columns])
        return self.add_block("source", content, metadata)

    def add_transform_block(
        self,
        operation: str,
        input_hash: str | None = None,
        parameters: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> LineageBlock:
        """Record a transformation of the data identified by ``input_hash``."""
        content = {
            "operation": str(operation),
            "input_hash": input_hash,
            "parameters": parameters or {},
        }
        return self.add_block("transform", content, metadata)

    def add_generation_block(
        self,
        method: str,
        parameters: dict[str, Any] | None,
        n_samples: int,
        quality_metrics: dict[str, Any] | None = None,
        *,
        output: pd.DataFrame | str | None = None,
        metadata: dict[str, Any] | None = None,
        name: str | None = None,
    ) -> LineageBlock:
        """Record a generation: method, parameters, rows, and the output's hash when given
        (``name`` names the generated dataset)."""
        _require_name(method, "add_generation_block(method, parameters, n_samples)", "method")
        if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 0:
            raise InvalidParameterError(f"n_samples must be an integer >= 0, got {n_samples!r}")
        if parameters is not None and not isinstance(parameters, dict):
            raise InvalidParameterError(
                f"parameters must be a dict or None, got {type(parameters).__name__}"
            )
        content: dict[str, Any] = {
            "method": method,
            "parameters": parameters or {},
            "n_samples": n_samples,
            "quality_metrics": quality_metrics or {},
        }
        if output is not None:
            content["output_hash"] = _data_hash(output)
        if name is not None:
            content["name"] = _require_name(name, "record_generation(name, ...)", "name")
        return self.add_block("generation", content, metadata)

    def add_quality_check(
        self,
        metrics: dict[str, Any],
        passed: bool,
        threshold: float | None = None,
        *,
        check: str = "quality",
        metadata: dict[str, Any] | None = None,
    ) -> LineageBlock:
        """Record a check's figures and verdict (``check`` names it: quality, privacy...)."""
        content = {"check": check, "metrics": metrics or {}, "passed": bool(passed)}
        if threshold is not None:
            content["threshold"] = threshold
        return self.add_block("quality_check", content, metadata)

    def problems(self) -> list[str]:
        """Every broken block and link, naming the block (index, type, id)."""
        out = []
        previous = None
        for index, block in enumerate(self._blocks):
            label = f"block {index} ({block.block_type}, id {block.block_id})"
            if not block.verify():
                out.append(f"{label} was modified: its content no longer matches its hash")
            if block.previous_hash != previous:
                out.append(
                    f"{label} does not link to the block before it: the chain was reordered, "
                    "or a block was inserted or removed"
                )
            previous = block.data_hash
        return out

    def verify(self, *, raise_on_error: bool = False) -> bool:
        """Whether every block is intact and linked; a warning (or, with ``raise_on_error``,
        :class:`LineageVerificationError`) names each tampered block."""
        found = self.problems()
        if found:
            text = "lineage chain failed verification: " + "; ".join(found)
            if raise_on_error:
                raise LineageVerificationError(text)
            logger.warning(text)
        return not found

    def get_audit_trail(self) -> list[dict[str, Any]]:
        """One readable entry per block, oldest first."""
        return [
            {
                "step": index,
                "type": block.block_type,
                "timestamp": block.timestamp.isoformat(),
                "block_id": block.block_id,
                "hash": block.data_hash,
                "previous_hash": block.previous_hash,
                "valid": block.verify(),
                **block.content,
            }
            for index, block in enumerate(self._blocks)
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "genesis-lineage",
            "version": FORMAT_VERSION,
            "latest_hash": self.latest_hash,
            "blocks": [b.to_dict() for b in self._blocks],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, default=str)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LineageChain:
        if not isinstance(d, dict) or not isinstance(d.get("blocks"), list):
            raise UnparseableSourceError(
                "not a lineage chain: expected a JSON object with a 'blocks' list, as written "
                "by LineageChain.export"
            )
        chain = cls()
        chain._blocks = [LineageBlock.from_dict(b) for b in d["blocks"]]
        return chain

    @classmethod
    def from_json(cls, text: str) -> LineageChain:
        try:
            return cls.from_dict(json.loads(text))
        except json.JSONDecodeError as exc:
            raise UnparseableSourceError(f"lineage chain is not valid JSON: {exc}") from None

    def export(self, path: str | os.PathLike[str]) -> str:
        """Write the chain as JSON atomically (temp file + rename); return the path."""
        from genesis.io import write_bytes_atomic

        return write_bytes_atomic(path, self.to_json(), what="lineage chain")

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> LineageChain:
        """Read a chain written by :meth:`export` (call :meth:`verify` to check it)."""
        source = Path(path)
        if not source.is_file():
            raise SourceNotFoundError(
                f"lineage file {str(source)!r} does not exist; export a chain there first"
            )
        return cls.from_json(source.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class LineageManifest:
    """A summary of a dataset's lineage: what it came from, how it was made, its chain hash."""

    name: str
    created_at: datetime
    chain_hash: str | None
    n_blocks: int
    verified: bool
    sources: list[dict[str, Any]] = field(default_factory=list)
    transformations: list[dict[str, Any]] = field(default_factory=list)
    generations: list[dict[str, Any]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "created_at": self.created_at.isoformat(),
            "chain_hash": self.chain_hash,
            "n_blocks": self.n_blocks,
            "verified": self.verified,
            "sources": self.sources,
            "transformations": self.transformations,
            "generations": self.generations,
            "checks": self.checks,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, default=str)


class DataLineage:
    """Records how a synthetic dataset was made, into a :class:`LineageChain`.

    The calls follow the reference API: ``record_source(name, data)``,
    ``record_transformation(name, input_name)``, ``record_generation(name, method,
    n_samples)``. Each ``record_*`` returns the new block's hash; datasets are referred to
    by the names they were recorded under.
    """

    def __init__(self, name: str = "dataset", chain: LineageChain | None = None) -> None:
        self.name = name
        self.chain = chain if chain is not None else LineageChain()
        self._hashes: dict[str, str] = {}

    def record_source(
        self,
        name: str,
        data: pd.DataFrame | str,
        description: str | None = None,
        tags: list[str] | None = None,
    ) -> str:
        """Record the source dataset ``name``: ``data`` is the table or its content hash
        (a hex digest such as :func:`genesis.io.fingerprint` gives)."""
        _require_name(name, "record_source(name, data)", "name")
        if isinstance(data, str) and not _HEX_DIGEST.fullmatch(data):
            raise InvalidParameterError(
                f"record_source(name, data): data must be a DataFrame or its content hash (hex "
                f"digest from genesis.io.fingerprint(df)), got the text {data[:40]!r}; call "
                "record_source('customers', df)"
            )
        if tags is not None and (
            not isinstance(tags, list | tuple) or not all(isinstance(t, str) for t in tags)
        ):
            raise InvalidParameterError(f"tags must be a list of strings, got {tags!r}")
        metadata = _described(description, tags=list(tags) if tags else None)
        block = self.chain.add_source_block(data, name, metadata)
        self._hashes[name] = block.data_hash
        return block.data_hash

    def record_transformation(
        self, name: str, input_name: str, description: str | None = None
    ) -> str:
        """Record dataset ``name`` made from the recorded dataset ``input_name``."""
        _require_name(name, "record_transformation(name, input_name)", "name")
        _require_name(input_name, "record_transformation(name, input_name)", "input_name")
        if input_name not in self._hashes:
            raise InvalidParameterError(
                f"record_transformation: no dataset named {input_name!r} was recorded; record it "
                f"first with record_source (recorded: {sorted(self._hashes)})"
            )
        block = self.chain.add_transform_block(
            name, self._hashes[input_name], {"input_name": input_name}, _described(description)
        )
        self._hashes[name] = block.data_hash
        return block.data_hash

    def record_generation(
        self,
        name: str,
        method: str,
        n_samples: int,
        parameters: dict[str, Any] | None = None,
        *,
        quality_metrics: dict[str, Any] | None = None,
        output: pd.DataFrame | str | None = None,
    ) -> str:
        """Record synthetic dataset ``name``: ``n_samples`` rows made by ``method``."""
        _require_name(name, "record_generation(name, method, n_samples)", "name")
        _require_name(method, "record_generation(name, method, n_samples)", "method")
        block = self.chain.add_generation_block(
            method, parameters, n_samples, quality_metrics, output=output, name=name
        )
        self._hashes[name] = block.data_hash
        return block.data_hash

    def record_check(
        self,
        metrics: dict[str, Any],
        passed: bool,
        threshold: float | None = None,
        *,
        check: str = "quality",
    ) -> str:
        """Record a quality or privacy check of the newest dataset."""
        return self.chain.add_quality_check(metrics, passed, threshold, check=check).data_hash

    def create_manifest(self) -> LineageManifest:
        """The manifest of everything recorded so far (``verified``: the chain is intact)."""
        by_type: dict[str, list[dict[str, Any]]] = {}
        for block in self.chain.blocks:
            entry = {
                **block.content,
                "hash": block.data_hash,
                "timestamp": block.timestamp.isoformat(),
            }
            by_type.setdefault(block.block_type, []).append(entry)
        return LineageManifest(
            name=self.name,
            created_at=datetime.now(UTC),
            chain_hash=self.chain.latest_hash,
            n_blocks=len(self.chain),
            verified=self.chain.verify(),
            sources=by_type.get("source", []),
            transformations=by_type.get("transform", []),
            generations=by_type.get("generation", []),
            checks=by_type.get("quality_check", []),
        )


def _described(description: str | None, **extra: Any) -> dict[str, Any] | None:
    if description is not None and not isinstance(description, str):
        raise InvalidParameterError(
            f"description must be a string, got {type(description).__name__}"
        )
    found = {"description": description, **extra}
    found = {k: v for k, v in found.items() if v is not None}
    return found or None


def synthesis_chain(
    *,
    source: pd.DataFrame | str,
    source_name: str,
    schema: Any = None,
    model: Any = None,
    synthetic: pd.DataFrame | None = None,
    generation_params: dict[str, Any] | None = None,
    mlflow_run_id: str | None = None,
    checks: list[dict[str, Any]] | None = None,
) -> LineageChain:
    """The chain of one synthetic version: source -> schema -> model -> generation -> checks.

    Args:
        source: the real table, or its content hash.
        source_name: where it came from (path, URI, asset key).
        schema: a :class:`genesis.schema.Schema` (its JSON is hashed).
        model: a fitted synthesizer (``method``, ``training_fingerprint_`` are recorded).
        synthetic: the generated rows (hashed).
        generation_params: seed and the like.
        mlflow_run_id: the MLflow run that logged the model, when there is one.
        checks: ``{"check": name, "metrics": {...}, "passed": bool, "threshold": x}`` each.
    """
    chain = LineageChain()
    chain.add_source_block(source, source_name)
    if schema is not None:
        text = schema.to_json() if hasattr(schema, "to_json") else json.dumps(schema, default=str)
        chain.add_transform_block(
            "infer_schema",
            chain.latest_hash,
            {
                "schema_hash": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                "columns": len(getattr(schema, "columns", []) or []),
            },
        )
    if model is not None:
        params: dict[str, Any] = {"method": str(getattr(model, "method", type(model).__name__))}
        training = getattr(model, "training_fingerprint_", None)
        if training:
            params["training_fingerprint"] = training
        if mlflow_run_id:
            params["mlflow_run_id"] = mlflow_run_id
        chain.add_transform_block("fit_model", chain.latest_hash, params)
    if synthetic is not None:
        chain.add_generation_block(
            str(getattr(model, "method", "unknown")),
            generation_params or {},
            len(synthetic),
            output=synthetic,
        )
    for check in checks or []:
        chain.add_quality_check(
            check.get("metrics", {}),
            bool(check.get("passed")),
            check.get("threshold"),
            check=str(check.get("check", "quality")),
        )
    return chain
