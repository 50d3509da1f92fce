"""Checks of a pipeline's graph, and its topological order.

:func:`validate_nodes` raises the first problem found, in this order: a node that is no
:class:`~genesis.pipeline.PipelineNode`, a bad or repeated name, an unknown node type, a source
with inputs, a sink without exactly one input, an input naming no node, a cycle. Each is its
own :class:`~genesis.errors.PipelineValidationError` subclass whose message names the node
and the fix.
"""

from __future__ import annotations

from collections.abc import Sequence

from genesis.errors import (
    DuplicateNodeError,
    MissingInputError,
    PipelineCycleError,
    PipelineValidationError,
    SinkWithoutInputError,
    SourceWithInputsError,
    UnknownNodeTypeError,
)
from genesis.pipeline.nodes import NAME_PATTERN, PipelineNode, registered_types


def validate_nodes(nodes: Sequence[PipelineNode], pipeline: str = "pipeline") -> list[str]:
    """Check the graph of ``nodes``; return the names in a topological order (inputs first,
    ties in declaration order)."""
    if not nodes:
        raise PipelineValidationError(
            f"{pipeline} has no nodes; add at least a source (builder.source(...))"
        )
    seen: set[str] = set()
    for node in nodes:
        if not isinstance(node, PipelineNode):
            raise UnknownNodeTypeError(
                f"{pipeline}: {node!r} is a {type(node).__name__}, not a PipelineNode; "
                "subclass genesis.pipeline.PipelineNode and set node_type"
            )
        if not isinstance(node.name, str) or not NAME_PATTERN.match(node.name):
            raise PipelineValidationError(
                f"{pipeline}: node name {node.name!r} must start with a letter or '_' and hold "
                "only letters, digits and '_' (it becomes a Dagster asset name); rename it"
            )
        if node.name in seen:
            raise DuplicateNodeError(
                f"{pipeline}: two nodes are named {node.name!r}; give each node a unique name"
            )
        seen.add(node.name)
        if not isinstance(node.node_type, str) or node.node_type not in registered_types():
            raise UnknownNodeTypeError(
                f"{pipeline}: node {node.name!r} ({type(node).__name__}) has the unknown node "
                f"type {node.node_type!r}; use one of {registered_types()}, or set node_type = "
                "'my_type' in its class body (or call genesis.pipeline.register_node_type)"
            )
    for node in nodes:
        if node.node_type == "source" and node.inputs:
            raise SourceWithInputsError(
                f"{pipeline}: source node {node.name!r} has inputs {node.inputs}; a source reads "
                "its own table: remove its inputs, or make it a transform"
            )
        if node.node_type == "sink" and len(node.inputs) != 1:
            if not node.inputs:
                raise SinkWithoutInputError(
                    f"{pipeline}: sink node {node.name!r} has no input, so nothing to write; "
                    "give it inputs=['<node producing the table>'] (or add it after that node)"
                )
            raise PipelineValidationError(
                f"{pipeline}: sink node {node.name!r} writes one table and has inputs "
                f"{node.inputs}; add one sink per table"
            )
        for name in node.inputs:
            if name not in seen:
                raise MissingInputError(
                    f"{pipeline}: node {node.name!r} reads input {name!r}, which is no node of "
                    f"the pipeline (nodes: {[n.name for n in nodes]}); add it or fix the name"
                )
        if len(set(node.inputs)) != len(node.inputs):
            raise PipelineValidationError(
                f"{pipeline}: node {node.name!r} lists an input twice ({node.inputs}); list each once"
            )
    return topological_order(nodes, pipeline)


def topological_order(nodes: Sequence[PipelineNode], pipeline: str = "pipeline") -> list[str]:
    """Kahn's algorithm over ``nodes``; a cycle raises :class:`PipelineCycleError` naming it."""
    waiting = {n.name: len(n.inputs) for n in nodes}
    readers: dict[str, list[str]] = {n.name: [] for n in nodes}
    for node in nodes:
        for name in node.inputs:
            readers[name].append(node.name)
    ready = [n.name for n in nodes if not n.inputs]
    order: list[str] = []
    while ready:
        name = ready.pop(0)
        order.append(name)
        for reader in readers[name]:
            waiting[reader] -= 1
            if waiting[reader] == 0:
                ready.append(reader)
    if len(order) < len(nodes):
        cycle = find_cycle({n.name: n.inputs for n in nodes if n.name not in order})
        raise PipelineCycleError(
            f"{pipeline}: the nodes form a cycle {' -> '.join(cycle)}; each reads the one "
            f"before it, so none can start: remove one of these inputs"
        )
    return order


def find_cycle(inputs: dict[str, list[str]]) -> list[str]:
    """One cycle among nodes that all wait on another (each name's inputs given), as
    ``[a, b, ..., a]`` in data-flow order."""
    start = next(iter(inputs))
    path: list[str] = []
    position: dict[str, int] = {}
    name = start
    while name not in position:
        position[name] = len(path)
        path.append(name)
        name = next(up for up in inputs[name] if up in inputs)  # an input still waiting
    loop = path[position[name] :] + [name]
    return loop[::-1]  # we walked against the data flow
