"""A validated graph of nodes: :class:`Pipeline`."""

from __future__ import annotations

import copy
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from genesis.errors import GenesisError, PipelineDefinitionError, PipelineValidationError
from genesis.pipeline.nodes import NAME_PATTERN, PipelineNode, node_seed
from genesis.pipeline.validation import validate_nodes
from genesis.validation import require_int

if TYPE_CHECKING:
    from genesis.pipeline.executor import PipelineResult


class Pipeline:
    """Nodes wired by their ``inputs``; checked when built (:meth:`validate`).

    Build one with :class:`~genesis.pipeline.PipelineBuilder`, from YAML with
    :meth:`from_yaml`, or directly from nodes. Run it in this process with :meth:`run`
    (notebooks, tests) or compile it for Dagster, the engine of record, with
    :meth:`to_dagster`.

    Args:
        nodes: the nodes, any order that declares each name once.
        name: the pipeline's name (the Dagster asset key prefix and group); letters, digits
            and ``_``.
        seed: every node without its own seed gets one derived from this and its name
            (:func:`~genesis.pipeline.nodes.node_seed`), so runs are reproducible.

    Raises:
        PipelineValidationError: (a subclass of it) the graph is invalid; see :meth:`validate`.
    """

    def __init__(
        self, nodes: Iterable[PipelineNode], name: str = "pipeline", seed: int = 0
    ) -> None:
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            raise PipelineValidationError(
                f"pipeline name {name!r} must start with a letter or '_' and hold only letters, "
                "digits and '_' (it becomes the Dagster asset key prefix); rename it"
            )
        try:
            self.seed = require_int(seed, "seed", 0)
        except GenesisError as exc:
            raise PipelineDefinitionError(f"pipeline {name!r}: {exc}") from None
        self.name = name
        self.nodes: list[PipelineNode] = list(nodes)
        self.order = self.validate()
        # copies: the caller's nodes keep seed=None, this pipeline's get their derived seeds
        self.nodes = [self._seeded(node) for node in self.nodes]

    def _seeded(self, node: PipelineNode) -> PipelineNode:
        clone = copy.copy(node)
        if clone.seed is None:
            clone.seed = node_seed(self.seed, node.name)
        return clone

    def validate(self) -> list[str]:
        """Check the graph and return the node names in topological order.

        Raises (all :class:`~genesis.errors.PipelineValidationError`):
            DuplicateNodeError, UnknownNodeTypeError, SourceWithInputsError,
            SinkWithoutInputError, MissingInputError, PipelineCycleError (naming the cycle).
        """
        return validate_nodes(self.nodes, f"pipeline {self.name!r}")

    def node(self, name: str) -> PipelineNode:
        """The node called ``name``."""
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(f"pipeline {self.name!r} has no node {name!r}; nodes: {self.order}")

    @property
    def edges(self) -> list[tuple[str, str]]:
        """``(input, reader)`` pairs, in topological order of the readers."""
        return [(up, name) for name in self.order for up in self.node(name).inputs]

    def run(self, max_workers: int | None = None, raise_on_error: bool = True) -> PipelineResult:
        """Run in this process: :meth:`PipelineExecutor.run <genesis.pipeline.executor.
        PipelineExecutor.run>` with ``max_workers`` threads."""
        from genesis.pipeline.executor import PipelineExecutor

        return PipelineExecutor(max_workers=max_workers).run(self, raise_on_error=raise_on_error)

    def to_dagster(self, io_manager_key: str = "pipeline_io_manager") -> list[Any]:
        """The same pipeline as Dagster assets: one per node, keyed ``[pipeline name, node
        name]``, grouped by the pipeline name, each depending on its inputs' assets.

        This is the library's one bridge to Dagster: it imports
        :mod:`genesis_assets.pipeline_assets` (and so dagster) only when called. The assets
        store their result dicts through the IO manager ``io_manager_key``; give them
        ``genesis_assets.pipeline_assets.PipelineIOManager`` (``pipeline_resources(folder)``)::

            import dagster as dg
            from genesis_assets.pipeline_assets import pipeline_resources

            dg.materialize(pipeline.to_dagster(), resources=pipeline_resources("/tmp/out"))
        """
        self.validate()
        from genesis_assets.pipeline_assets import build_pipeline_assets

        return build_pipeline_assets(self, io_manager_key=io_manager_key)

    @classmethod
    def from_yaml(cls, path: str | os.PathLike[str]) -> Pipeline:
        """Load a pipeline declared in YAML (see :mod:`genesis.pipeline.loading`)."""
        from genesis.pipeline.loading import load_pipeline

        return load_pipeline(path)

    def describe(self) -> dict[str, Any]:
        """The pipeline as plain data: name, seed, order and each node's description."""
        return {
            "name": self.name,
            "seed": self.seed,
            "order": list(self.order),
            "nodes": [self.node(n).describe() for n in self.order],
        }

    def __repr__(self) -> str:
        return f"Pipeline(name={self.name!r}, nodes={self.order!r})"
