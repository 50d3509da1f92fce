"""Compiling a :class:`genesis.pipeline.Pipeline` into Dagster assets.

One asset per node, keyed ``[pipeline name, node name]`` and grouped by the pipeline's name;
each asset depends on its inputs' assets and runs the node with
:func:`genesis.pipeline.nodes.run_node`, the function the in-process executor runs, with the
node's seed, so both give the same results. The result dicts (tables, fitted models,
reports) are stored by :class:`PipelineIOManager`, pickled into the artifact store as files
readable by their owner only (they may hold real rows).

``Pipeline.to_dagster()`` calls :func:`build_pipeline_assets`; the code location compiles the
YAML pipelines listed under ``pipelines:`` in ``genesis.yaml`` with
:func:`build_pipelines_definitions`.
"""

import pickle
import time
from typing import TYPE_CHECKING, Any

import dagster as dg
import pandas as pd
from dagster import AssetExecutionContext
from pydantic import Field

from genesis_resources.storage import ArtifactStore, LocalArtifactStore

if TYPE_CHECKING:
    from genesis.pipeline import Pipeline, PipelineNode
    from genesis_assets.config import GenesisConfig

#: the IO manager key of pipeline assets
PIPELINE_IO_MANAGER = "pipeline_io_manager"
#: tag on every pipeline asset: the pipeline's name
PIPELINE_TAG = "genesis/pipeline"
_INPUT_PREFIX = "in__"  # keeps a node named e.g. "context" from clashing with the argument


class PipelineIOManager(dg.ConfigurableIOManager):
    """Stores each pipeline node's result dict as ``pipelines/<pipeline>/<node>.pkl`` in the
    artifact store, owner-only."""

    artifact_store: ArtifactStore = Field(description="Where the results go.")

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        pipeline, node = _location(context.asset_key)
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        path = self.artifact_store.write_bytes(pipeline, node, data, private=True)
        context.add_output_metadata({"path": dg.MetadataValue.path(path)})

    def load_input(self, context: dg.InputContext) -> Any:
        pipeline, node = _location(context.asset_key)
        # only files this IO manager wrote into the deployment's own artifact store
        return pickle.loads(self.artifact_store.read_bytes(pipeline, node))


def _location(key: dg.AssetKey) -> tuple[str, str]:
    *prefix, node = key.path
    return "pipelines/" + "/".join(prefix), node + ".pkl"


def pipeline_resources(root: str) -> dict[str, Any]:
    """The resources pipeline assets need, storing under the local folder ``root``."""
    return {PIPELINE_IO_MANAGER: PipelineIOManager(artifact_store=LocalArtifactStore(root=root))}


def build_pipeline_assets(
    pipeline: "Pipeline", io_manager_key: str = PIPELINE_IO_MANAGER
) -> list[dg.AssetsDefinition]:
    """One asset per node of ``pipeline`` (validated first), in topological order."""
    pipeline.validate()
    return [_node_asset(pipeline, pipeline.node(name), io_manager_key) for name in pipeline.order]


def _node_asset(
    pipeline: "Pipeline", node: "PipelineNode", io_manager_key: str
) -> dg.AssetsDefinition:
    from genesis.pipeline.nodes import run_node

    ins = {
        _INPUT_PREFIX + up: dg.AssetIn(key=dg.AssetKey([pipeline.name, up])) for up in node.inputs
    }

    @dg.asset(
        name=node.name,
        key_prefix=[pipeline.name],
        group_name=pipeline.name,
        ins=ins,
        io_manager_key=io_manager_key,
        description=f"{node.node_type} node {node.name!r} of pipeline {pipeline.name!r} "
        f"({type(node).__name__}, seed {node.seed})",
        tags={PIPELINE_TAG: pipeline.name},
        kinds={"python"},
    )
    def _asset(context: AssetExecutionContext, **inputs: Any) -> dict:
        started = time.perf_counter()
        upstream = {name.removeprefix(_INPUT_PREFIX): value for name, value in inputs.items()}
        result = run_node(node, upstream)
        context.add_output_metadata(node_metadata(node, result, time.perf_counter() - started))
        return result

    return _asset


def node_metadata(node: "PipelineNode", result: dict, seconds: float) -> dict[str, Any]:
    """The figures shown in the UI for one node's materialization."""
    metadata: dict[str, Any] = {
        "node_type": node.node_type,
        "seed": node.seed,
        "seconds": round(seconds, 3),
        "result_keys": sorted(result),
    }
    output = result.get("output")
    if isinstance(output, pd.DataFrame):
        metadata["rows"] = len(output)
        metadata["columns"] = len(output.columns)
    elif isinstance(output, str):
        metadata["output"] = output
    quality = result.get("quality")
    if isinstance(quality, dict):
        for key in ("overall_score", "quality_score"):
            if isinstance(quality.get(key), int | float):
                metadata[key] = float(quality[key])
    if isinstance(result.get("verdict"), str):
        metadata["verdict"] = result["verdict"]
    return metadata


def build_pipelines_definitions(
    pipelines: list["Pipeline"], store: ArtifactStore
) -> dg.Definitions:
    """The assets of every pipeline and the IO manager storing their results in ``store``."""
    assets = [a for p in pipelines for a in build_pipeline_assets(p)]
    if not assets:
        return dg.Definitions()
    return dg.Definitions(
        assets=assets, resources={PIPELINE_IO_MANAGER: PipelineIOManager(artifact_store=store)}
    )


def load_pipelines_definitions(config: "GenesisConfig") -> dg.Definitions:
    """The pipelines listed under ``pipelines:`` in ``genesis.yaml``, compiled, their results
    stored in the configured artifact store."""
    from genesis.pipeline import load_pipeline
    from genesis_assets.resources import artifact_store

    pipelines = [load_pipeline(path) for path in config.pipelines]
    return build_pipelines_definitions(pipelines, artifact_store(config))
