"""The node contract: :class:`PipelineNode`, the registry of node types, and running one node.

A node has a ``name``, a ``node_type``, ``inputs`` (the names of the nodes it reads) and
``params``; :meth:`PipelineNode.execute` receives ``{input_name: that node's result dict}``
and returns a dict whose ``"output"`` key, by convention, holds the table passed on.

Subclasses that set ``node_type`` in their class body are registered under it, so YAML can
name them (``type: custom``); :func:`register_node_type` registers a class explicitly.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from genesis.errors import NodeExecutionError, PipelineDefinitionError, UnknownNodeTypeError

#: node and pipeline names: they become Dagster asset key parts, so Dagster's name rule
NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: the types :mod:`genesis.pipeline.builtin` defines; a custom class may not take them over
BUILTIN_TYPES = ("source", "transform", "synthesize", "evaluate", "sink")

_REGISTRY: dict[str, type[PipelineNode]] = {}


def register_node_type(cls: type[PipelineNode], node_type: str | None = None) -> type[PipelineNode]:
    """Register ``cls`` under ``node_type`` (default ``cls.node_type``); returns ``cls``, so it
    also works as a class decorator. A later class of the same custom type replaces the earlier
    one (a notebook cell run twice); the built-in types cannot be replaced.

    Raises:
        PipelineDefinitionError: ``cls`` is no PipelineNode subclass, the type is empty, or it
            names a built-in type held by another class.
    """
    if not (isinstance(cls, type) and issubclass(cls, PipelineNode)):
        raise PipelineDefinitionError(
            f"register_node_type takes a PipelineNode subclass, got {cls!r}; "
            "subclass genesis.pipeline.PipelineNode"
        )
    kind = node_type if node_type is not None else cls.node_type
    if not isinstance(kind, str) or not kind:
        raise PipelineDefinitionError(
            f"{cls.__name__} has no node_type; set a class attribute node_type = 'my_type'"
        )
    held = _REGISTRY.get(kind)
    if kind in BUILTIN_TYPES and held is not None and held is not cls:
        raise PipelineDefinitionError(
            f"node_type {kind!r} of {cls.__name__} is a built-in type of "
            f"{held.__module__}.{held.__name__}; choose another name"
        )
    _REGISTRY[kind] = cls
    return cls


def node_class(node_type: str) -> type[PipelineNode]:
    """The class registered under ``node_type``.

    Raises:
        UnknownNodeTypeError: nothing is registered under it (the message lists the types).
    """
    try:
        return _REGISTRY[node_type]
    except (KeyError, TypeError):
        raise UnknownNodeTypeError(
            f"unknown node type {node_type!r}; use one of {sorted(_REGISTRY)}, subclass "
            "PipelineNode with node_type = ... (imported before the pipeline is built), or "
            "give a dotted import path such as 'mypackage.nodes.MyNode'"
        ) from None


def registered_types() -> list[str]:
    """The registered node types, sorted."""
    return sorted(_REGISTRY)


def node_seed(pipeline_seed: int, name: str) -> int:
    """The seed of node ``name`` in a pipeline seeded ``pipeline_seed``: it depends on these
    two only, so a node gets the same seed in-process, in Dagster, and in any run order."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    entropy = [int(pipeline_seed), *np.frombuffer(digest[:16], dtype=np.uint32).tolist()]
    return int(np.random.SeedSequence(entropy).generate_state(1, np.uint32)[0])


def as_names(inputs: str | Iterable[str] | None, owner: str) -> list[str]:
    """``inputs`` as a list of node names (one name may be given as a string)."""
    if inputs is None:
        return []
    if isinstance(inputs, str):
        return [inputs]
    names = list(inputs) if isinstance(inputs, Iterable) else None
    if names is None or not all(isinstance(n, str) for n in names):
        raise PipelineDefinitionError(
            f"node {owner!r}: inputs must be node names (strings), got {inputs!r}"
        )
    return names


class PipelineNode:
    """One step of a pipeline. Subclass it and set ``node_type`` to add a kind of step::

        class CustomNode(PipelineNode):
            node_type = "custom"

            def execute(self, inputs: dict) -> dict:
                frame = self.input_frame(inputs)
                return {"output": frame.dropna()}

    ``inputs`` hold the upstream nodes' own objects (branches share them in process):
    treat them as read-only and copy a table before changing it.

    Args:
        name: unique in the pipeline; letters, digits and ``_`` (a Dagster asset name).
        inputs: names of the nodes whose results this one reads (a string for one).
        seed: seed of this node's random steps; None: derived from the pipeline's seed and
            the node's name (:func:`node_seed`) when the pipeline is built.
        **params: anything else the node needs, kept in ``self.params``.
    """

    node_type: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("node_type"):
            register_node_type(cls)

    def __init__(
        self,
        name: str,
        inputs: str | Iterable[str] | None = None,
        *,
        seed: int | None = None,
        **params: Any,
    ) -> None:
        if not isinstance(name, str):
            raise PipelineDefinitionError(f"a node name must be a string, got {name!r}")
        self.name = name
        self.inputs = as_names(inputs, name)
        self.seed = seed
        self.params = params

    def execute(self, inputs: dict) -> dict:
        """Run the step: ``inputs`` maps each input node's name to its result dict; return
        this node's result dict (``{"output": table, ...}``)."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement execute(self, inputs: dict) -> dict"
        )

    def input_frame(self, inputs: Mapping[str, Any], key: str = "output") -> pd.DataFrame:
        """The table ``inputs[<the one input>][key]``, checked to be a DataFrame."""
        if len(inputs) != 1:
            raise NodeExecutionError(
                f"node {self.name!r} reads one input and got {sorted(inputs)}; give it "
                "exactly one input",
                self.name,
            )
        ((upstream, result),) = inputs.items()
        return frame_of(result, key, upstream, self.name)

    def describe(self) -> dict[str, Any]:
        """The node as plain data (name, type, inputs, seed, params) for logs and metadata."""
        return {
            "name": self.name,
            "node_type": self.node_type,
            "inputs": list(self.inputs),
            "seed": self.seed,
            "params": {k: _short(v) for k, v in self.params.items()},
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, inputs={self.inputs!r})"


def frame_of(result: Any, key: str, upstream: str, reader: str) -> pd.DataFrame:
    """``result[key]`` of node ``upstream`` as read by node ``reader``, checked to be a table."""
    value = result.get(key) if isinstance(result, Mapping) else None
    if not isinstance(value, pd.DataFrame):
        found = sorted(result) if isinstance(result, Mapping) else type(result).__name__
        raise NodeExecutionError(
            f"node {reader!r} needs a table under {key!r} in the result of {upstream!r}, "
            f"which holds {found}; make {upstream!r} return {{{key!r}: DataFrame}}",
            reader,
        )
    return value


def run_node(node: PipelineNode, inputs: dict[str, dict]) -> dict:
    """``node.execute(inputs)``, checked to return a dict: the one way both the in-process
    executor and the Dagster assets run a node."""
    result = node.execute(inputs)
    if not isinstance(result, Mapping):
        raise NodeExecutionError(
            f"node {node.name!r} ({type(node).__name__}.execute) returned "
            f"{type(result).__name__}; return a dict such as {{'output': table}}",
            node.name,
        )
    return dict(result)


def _short(value: Any) -> Any:
    if isinstance(value, pd.DataFrame):
        return f"<DataFrame {value.shape[0]}x{value.shape[1]}>"
    if callable(value):
        return getattr(value, "__qualname__", repr(value))
    return value
