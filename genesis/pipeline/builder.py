"""Fluent construction of a :class:`~genesis.pipeline.Pipeline`."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

from genesis.errors import PipelineDefinitionError
from genesis.pipeline.builtin import (
    EvaluateNode,
    SinkNode,
    SourceNode,
    SynthesizeNode,
    TransformNode,
)
from genesis.pipeline.nodes import PipelineNode
from genesis.pipeline.pipeline import Pipeline


class PipelineBuilder:
    """Add nodes one call at a time; each call returns the builder, ``build()`` the pipeline.

    A node's ``inputs`` default to the node added just before it, so a chain needs no
    names; pass ``inputs=[...]`` for branches (two nodes reading one) and joins (one node
    reading two)::

        pipeline = (
            PipelineBuilder("adult", seed=0)
            .source("load", path="adult.csv")
            .transform("adults", op="filter", conditions={"age": (">=", 18)})
            .synthesize("synth", method="cart", n=500)
            .evaluate("quality", real="adults")
            .sink("save", path="out/synthetic.csv")
            .build()
        )

    Args:
        name: the pipeline's name (Dagster asset key prefix and group).
        seed: the pipeline's seed (see :class:`~genesis.pipeline.Pipeline`).
    """

    def __init__(self, name: str = "pipeline", seed: int = 0) -> None:
        self.name = name
        self.seed = seed
        self._nodes: list[PipelineNode] = []

    def _inputs(self, inputs: Iterable[str] | str | None) -> list[str] | str:
        if inputs is not None:
            return inputs  # type: ignore[return-value]
        return [self._nodes[-1].name] if self._nodes else []

    def source(self, name: str, path: Any = None, **options: Any) -> PipelineBuilder:
        """Add a :class:`~genesis.pipeline.builtin.SourceNode` (``path=`` or ``frame=``)."""
        return self._append(SourceNode(name, path, **options))

    def transform(
        self,
        name: str,
        fn: Callable[..., Any] | None = None,
        *,
        inputs: Iterable[str] | str | None = None,
        **options: Any,
    ) -> PipelineBuilder:
        """Add a :class:`~genesis.pipeline.builtin.TransformNode` (``fn`` or ``op=...``)."""
        return self._append(TransformNode(name, fn, inputs=self._inputs(inputs), **options))

    def synthesize(
        self,
        name: str,
        method: str = "cart",
        *,
        inputs: Iterable[str] | str | None = None,
        **options: Any,
    ) -> PipelineBuilder:
        """Add a :class:`~genesis.pipeline.builtin.SynthesizeNode` (``n=``, ``conditions=``,
        ``method_params=``, ``seed=``)."""
        return self._append(SynthesizeNode(name, method, inputs=self._inputs(inputs), **options))

    def evaluate(
        self,
        name: str,
        real: str | None = None,
        *,
        inputs: Iterable[str] | str | None = None,
        **options: Any,
    ) -> PipelineBuilder:
        """Add an :class:`~genesis.pipeline.builtin.EvaluateNode`: the synthetic table is the
        input (default the previous node), ``real=`` names the real table's node."""
        return self._append(EvaluateNode(name, real, inputs=self._inputs(inputs), **options))

    def sink(
        self,
        name: str,
        path: Any = None,
        *,
        inputs: Iterable[str] | str | None = None,
        **options: Any,
    ) -> PipelineBuilder:
        """Add a :class:`~genesis.pipeline.builtin.SinkNode` writing to ``path``."""
        return self._append(SinkNode(name, path, inputs=self._inputs(inputs), **options))

    def add_node(self, node: PipelineNode) -> PipelineBuilder:
        """Add any node, e.g. an instance of a custom :class:`PipelineNode` subclass. A node
        created without inputs reads the previous node, unless it is a source."""
        if not isinstance(node, PipelineNode):
            raise PipelineDefinitionError(
                f"add_node takes a PipelineNode, got {type(node).__name__}; subclass "
                "genesis.pipeline.PipelineNode and set node_type"
            )
        if not node.inputs and self._nodes and node.node_type != "source":
            node = copy.copy(node)  # the caller's node stays as it was
            node.inputs = [self._nodes[-1].name]
        return self._append(node)

    def _append(self, node: PipelineNode) -> PipelineBuilder:
        self._nodes.append(node)
        return self

    def build(self) -> Pipeline:
        """The pipeline, validated (:meth:`Pipeline.validate`)."""
        return Pipeline(self._nodes, name=self.name, seed=self.seed)
