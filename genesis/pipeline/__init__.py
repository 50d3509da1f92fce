"""Pipelines of synthetic-data steps: build, validate, run in process, compile to Dagster.

``PipelineBuilder`` adds ``source``, ``transform``, ``synthesize``, ``evaluate`` and ``sink``
nodes (and custom :class:`PipelineNode` subclasses) and builds a validated
:class:`Pipeline`; :class:`PipelineExecutor` runs it in this process, independent branches
in parallel (for notebooks and tests); :meth:`Pipeline.to_dagster` compiles it into Dagster
assets, one per node, for the engine of record. :func:`load_pipeline` reads one from YAML.

Importing this package never imports dagster; only :meth:`Pipeline.to_dagster` does.
"""

from genesis.pipeline.builder import PipelineBuilder
from genesis.pipeline.builtin import (
    EvaluateNode,
    SinkNode,
    SourceNode,
    SynthesizeNode,
    TransformNode,
)
from genesis.pipeline.executor import PipelineExecutor, PipelineResult
from genesis.pipeline.loading import load_pipeline
from genesis.pipeline.nodes import PipelineNode, node_seed, register_node_type, registered_types
from genesis.pipeline.pipeline import Pipeline

__all__ = [
    "EvaluateNode",
    "Pipeline",
    "PipelineBuilder",
    "PipelineExecutor",
    "PipelineNode",
    "PipelineResult",
    "SinkNode",
    "SourceNode",
    "SynthesizeNode",
    "TransformNode",
    "load_pipeline",
    "node_seed",
    "register_node_type",
    "registered_types",
]
