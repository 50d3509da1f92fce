"""Pipelines declared in YAML: :func:`load_pipeline`.

::

    name: adult_synthetic          # Dagster asset key prefix and group
    seed: 0
    nodes:
      - name: load
        type: source
        path: adult.csv            # relative paths: from this file's folder
      - name: adults
        type: transform            # inputs default to the node above
        op: filter
        conditions: {age: [">=", 18]}
      - name: synth
        type: synthesize
        method: cart
        n: 500
      - name: quality
        type: evaluate
        real: adults
      - name: save
        type: sink
        path: out/synthetic.csv
      - name: tidy
        type: mypackage.nodes.TidyNode  # a custom node: registered node_type or import path
        inputs: [synth]

Every other key of a node is a keyword of its class (``SourceNode``, ``TransformNode``...);
``fn:`` of a transform is an import path (``mypackage.cleaning.tidy``). Mistakes raise
:class:`~genesis.errors.PipelineDefinitionError` naming the file, the line and the key.
"""

from __future__ import annotations

import importlib
import inspect
import os
from pathlib import Path
from typing import Any

import yaml

from genesis.errors import PipelineDefinitionError, PipelineError, UnknownNodeTypeError
from genesis.io.urls import is_url
from genesis.pipeline.nodes import PipelineNode, node_class, registered_types
from genesis.pipeline.pipeline import Pipeline

TOP_KEYS = ("name", "seed", "nodes", "description")
#: keys of built-in nodes holding a local path, resolved against the YAML file's folder
PATH_KEYS = {"source": "path", "sink": "path"}


class _Mapping(dict):
    """A YAML mapping that remembers the (1-based) line of itself and of each key."""

    line: int = 0
    key_lines: dict[str, int]


class _LineLoader(yaml.SafeLoader):
    """PyYAML's safe loader whose mappings are :class:`_Mapping` (they know their lines)."""


def _construct_map(loader: _LineLoader, node: yaml.MappingNode):  # a generator, as PyYAML's
    data = _Mapping()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        if key.value in data.key_lines:  # PyYAML would keep the last value silently
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key.value!r} appears twice in one mapping", key.start_mark
            )
        data.key_lines[key.value] = key.start_mark.line + 1
    yield data
    data.update(loader.construct_mapping(node))


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)


def load_pipeline(path: str | os.PathLike[str]) -> Pipeline:
    """Read and validate the pipeline declared in the YAML file ``path``.

    Raises:
        PipelineDefinitionError: the file is missing or not YAML, a key is unknown or
            missing, a node's type or parameters are wrong (file, line and key named).
        PipelineValidationError: the graph is invalid (as :meth:`Pipeline.validate`).
    """
    file = Path(path).expanduser().resolve()
    if not file.is_file():
        raise PipelineDefinitionError(f"pipeline file {str(file)!r} does not exist; fix the path")
    try:
        document = yaml.load(file.read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.YAMLError as exc:
        raise PipelineDefinitionError(f"{file} is not valid YAML: {exc}") from None
    where = str(file)
    if not isinstance(document, dict):
        raise PipelineDefinitionError(
            f"{where}: the top level must be a mapping with 'name' and 'nodes'; "
            f"got {type(document).__name__}"
        )
    for key in document:
        if key not in TOP_KEYS:
            raise PipelineDefinitionError(
                f"{where}, line {_line(document, key)}: unknown key {key!r}; known keys are "
                f"{list(TOP_KEYS)}"
            )
    for key in ("name", "nodes"):
        if key not in document:
            raise PipelineDefinitionError(f"{where}: key {key!r} is required; add it")
    nodes_raw = document["nodes"]
    if not isinstance(nodes_raw, list) or not nodes_raw:
        raise PipelineDefinitionError(
            f"{where}, line {_line(document, 'nodes')}: 'nodes' must be a non-empty list of "
            "nodes (each a mapping with name and type)"
        )
    nodes: list[PipelineNode] = []
    previous: str | None = None
    for index, raw in enumerate(nodes_raw):
        node = _node(raw, index, previous, file)
        nodes.append(node)
        previous = node.name
    try:
        return Pipeline(nodes, name=document["name"], seed=document.get("seed", 0))
    except PipelineError as exc:
        raise type(exc)(f"{where}: {exc}") from None


def _line(mapping: Any, key: str | None = None) -> int | str:
    if key is not None and isinstance(mapping, _Mapping) and key in mapping.key_lines:
        return mapping.key_lines[key]
    return getattr(mapping, "line", "?")


def _node(raw: Any, index: int, previous: str | None, file: Path) -> PipelineNode:
    where = f"{file}, node #{index + 1}"
    if not isinstance(raw, dict):
        raise PipelineDefinitionError(
            f"{where}: each node must be a mapping with name and type, got {raw!r}"
        )
    where = f"{file}, line {_line(raw)}, node #{index + 1}"
    for key in ("name", "type"):
        if key not in raw:
            raise PipelineDefinitionError(f"{where}: key {key!r} is required; add it")
    name = raw["name"]
    where = f"{file}, line {_line(raw)}, node {name!r}"
    kind = raw["type"]
    cls = _node_type(kind, f"{file}, line {_line(raw, 'type')}, node {name!r}, key 'type'")
    options = {k: v for k, v in raw.items() if k not in ("name", "type")}
    if "inputs" not in options and previous is not None and cls.node_type != "source":
        options["inputs"] = [previous]
    path_key = PATH_KEYS.get(cls.node_type or "")
    if path_key and isinstance(options.get(path_key), str):
        options[path_key] = _local(options[path_key], file.parent)
    if cls.node_type == "transform" and isinstance(options.get("fn"), str):
        options["fn"] = _import(
            options["fn"], f"{file}, line {_line(raw, 'fn')}, node {name!r}, key 'fn'"
        )
    unknown = _unknown_keys(cls, options)
    if unknown:
        key = unknown[0]
        raise PipelineDefinitionError(
            f"{file}, line {_line(raw, key)}, node {name!r}: unknown key {key!r} for a "
            f"{cls.node_type} node; known keys are {_known_keys(cls)}"
        )
    try:
        return cls(name, **options)
    except PipelineError as exc:
        raise type(exc)(f"{where}: {exc}") from None
    except (TypeError, ValueError) as exc:
        raise PipelineDefinitionError(f"{where}: {exc}") from None


def _node_type(kind: Any, where: str) -> type[PipelineNode]:
    if not isinstance(kind, str) or not kind:
        raise PipelineDefinitionError(f"{where}: a node type name is required, got {kind!r}")
    if kind in registered_types() or "." not in kind:
        try:
            return node_class(kind)
        except UnknownNodeTypeError as exc:
            raise UnknownNodeTypeError(f"{where}: {exc}") from None
    cls = _import(kind, where)
    if not (isinstance(cls, type) and issubclass(cls, PipelineNode)):
        raise UnknownNodeTypeError(
            f"{where}: {kind!r} is {cls!r}, not a PipelineNode subclass; point at a class "
            "that subclasses genesis.pipeline.PipelineNode"
        )
    return cls


def _import(dotted: str, where: str) -> Any:
    """``pkg.module.attr`` or ``pkg.module:attr``."""
    module_name, sep, attribute = dotted.partition(":")
    if not sep:
        module_name, _, attribute = dotted.rpartition(".")
    if not module_name or not attribute:
        raise PipelineDefinitionError(
            f"{where}: {dotted!r} is no import path; write 'package.module.name'"
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise PipelineDefinitionError(
            f"{where}: cannot import module {module_name!r} ({exc}); install it or fix the path"
        ) from None
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise PipelineDefinitionError(
            f"{where}: module {module_name!r} has no {attribute!r}; fix the name"
        ) from None


def _local(value: str, base: Path) -> str:
    if is_url(value):
        return value
    local = Path(value).expanduser()
    return str(local if local.is_absolute() else (base / local).resolve())


def _known_keys(cls: type[PipelineNode]) -> list[str]:
    parameters = inspect.signature(cls.__init__).parameters
    return sorted(
        k
        for k in parameters
        if k not in ("self", "name") and parameters[k].kind != inspect.Parameter.VAR_KEYWORD
    )


def _unknown_keys(cls: type[PipelineNode], options: dict[str, Any]) -> list[str]:
    parameters = inspect.signature(cls.__init__).parameters
    if any(p.kind == inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return []  # **params: the class takes any key
    return [k for k in options if k not in parameters or k in ("self", "name")]
