"""Running a pipeline in this process: :class:`PipelineExecutor`.

Nodes start as soon as all their inputs have finished, on a thread pool, so independent
branches run at the same time (the heavy steps, pandas, numpy, scikit-learn and torch,
release the GIL for most of their work). A failed node stops the nodes that depend on it;
the other branches finish, and the error names the node that failed.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from genesis.errors import NodeExecutionError
from genesis.pipeline.nodes import run_node
from genesis.validation import require_int

if TYPE_CHECKING:
    from genesis.pipeline.pipeline import Pipeline


@dataclass
class PipelineResult:
    """What one run produced.

    Attributes:
        outputs: each finished node's result dict, by node name.
        failed: the exception of each node that raised, by node name.
        skipped: nodes not run because an input failed (or was skipped).
        seconds: wall seconds of each node that ran.
        order: the nodes in the order they finished.
    """

    pipeline: str
    outputs: dict[str, dict] = field(default_factory=dict)
    failed: dict[str, BaseException] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        """True when every node ran without error."""
        return not self.failed and not self.skipped

    def __getitem__(self, name: str) -> dict:
        return self.outputs[name]

    def output(self, name: str, key: str = "output") -> Any:
        """``outputs[name][key]``: e.g. the synthetic table of the node ``name``."""
        return self.outputs[name][key]


class PipelineExecutor:
    """Runs a pipeline's nodes in topological order, independent branches in parallel.

    Args:
        max_workers: threads running nodes at once; None: Python's default for a
            ``ThreadPoolExecutor`` (``min(32, cores + 4)``); 1 runs one node at a time.
    """

    def __init__(self, max_workers: int | None = None) -> None:
        self.max_workers = require_int(max_workers, "max_workers", 1, allow_none=True)

    def run(self, pipeline: Pipeline, raise_on_error: bool = True) -> PipelineResult:
        """Validate ``pipeline`` and run it.

        Returns:
            A :class:`PipelineResult` with every node's result dict.

        Raises:
            PipelineValidationError: the graph is invalid (nothing ran).
            NodeExecutionError: with ``raise_on_error``, after the other branches finished,
                for the first failed node in topological order; ``.node`` names it, ``.result``
                holds the partial :class:`PipelineResult`, and the node's own exception is
                the ``__cause__``.
        """
        order = pipeline.validate()
        nodes = {name: pipeline.node(name) for name in order}
        readers: dict[str, list[str]] = {name: [] for name in order}
        for name in order:
            for up in nodes[name].inputs:
                readers[up].append(name)
        waiting = {name: len(nodes[name].inputs) for name in order}
        result = PipelineResult(pipeline.name)
        lock = threading.Lock()

        def run_one(name: str) -> dict:
            node = nodes[name]
            inputs = {up: result.outputs[up] for up in node.inputs}
            started = time.perf_counter()
            try:
                return run_node(node, inputs)
            finally:
                with lock:
                    result.seconds[name] = time.perf_counter() - started

        with ThreadPoolExecutor(self.max_workers, thread_name_prefix="genesis-pipeline") as pool:
            running: dict[Future, str] = {
                pool.submit(run_one, name): name for name in order if waiting[name] == 0
            }
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=lambda f: order.index(running[f])):
                    name = running.pop(future)
                    error = future.exception()
                    if error is not None:
                        result.failed[name] = error
                        result.skipped.extend(
                            d for d in _descendants(name, readers, order) if d not in result.skipped
                        )
                        continue
                    result.outputs[name] = future.result()
                    result.order.append(name)
                    for reader in readers[name]:
                        waiting[reader] -= 1
                        if waiting[reader] == 0 and reader not in result.skipped:
                            running[pool.submit(run_one, reader)] = reader
        if result.failed and raise_on_error:
            name = next(n for n in order if n in result.failed)
            error = result.failed[name]
            stopped = [d for d in _descendants(name, readers, order)]
            raise _failure(pipeline.name, nodes[name], error, stopped, result) from error
        return result


def _descendants(name: str, readers: dict[str, list[str]], order: list[str]) -> list[str]:
    found: set[str] = set()
    stack = list(readers[name])
    while stack:
        reader = stack.pop()
        if reader not in found:
            found.add(reader)
            stack.extend(readers[reader])
    return [n for n in order if n in found]


def _failure(
    pipeline: str, node: Any, error: BaseException, stopped: list[str], result: PipelineResult
) -> NodeExecutionError:
    after = f"; its dependents {stopped} did not run" if stopped else ""
    exc = NodeExecutionError(
        f"pipeline {pipeline!r}: node {node.name!r} ({node.node_type}) failed: "
        f"{type(error).__name__}: {error}{after}",
        node.name,
    )
    exc.result = result  # type: ignore[attr-defined]
    return exc
