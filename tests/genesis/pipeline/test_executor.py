"""PipelineExecutor: topological order, parallel branches, failures, reproducible seeds."""

from __future__ import annotations

import threading

import pandas as pd
import pytest

from genesis.errors import InvalidParameterError, NodeExecutionError
from genesis.pipeline import PipelineBuilder, PipelineExecutor, PipelineNode

FRAME = pd.DataFrame({"x": range(10)})


class RendezvousNode(PipelineNode):
    """Passes its input on, but only once every node sharing its barrier is running too."""

    node_type = "rendezvous_test"

    def execute(self, inputs: dict) -> dict:
        self.params["running"].append(self.name)
        # raises BrokenBarrierError when the other branch is not running at the same time
        self.params["barrier"].wait()
        return {"output": self.input_frame(inputs), "thread": threading.get_ident()}


def branches(barrier: threading.Barrier, running: list) -> PipelineBuilder:
    return (
        PipelineBuilder("branches")
        .source("load", frame=FRAME)
        .add_node(RendezvousNode("left", ["load"], barrier=barrier, running=running))
        .add_node(RendezvousNode("right", ["load"], barrier=barrier, running=running))
        .transform("join", op="concat", inputs=["left", "right"])
    )


def test_independent_branches_run_at_the_same_time():
    running: list[str] = []
    barrier = threading.Barrier(2, timeout=20)
    result = PipelineExecutor(max_workers=4).run(branches(barrier, running).build())
    # both were inside execute at once: each passed the barrier only when the other arrived
    assert sorted(running) == ["left", "right"]
    assert result["left"]["thread"] != result["right"]["thread"]
    assert len(result.output("join")) == 2 * len(FRAME)
    assert result.order[0] == "load" and result.order[-1] == "join"


def test_one_worker_runs_the_branches_one_after_the_other():
    # the same graph with one thread: the first branch waits alone and its barrier breaks,
    # which shows the test above can fail
    barrier = threading.Barrier(2, timeout=1)
    with pytest.raises(NodeExecutionError, match="BrokenBarrierError") as info:
        PipelineExecutor(max_workers=1).run(branches(barrier, []).build())
    assert info.value.node in ("left", "right")


def fail(frame):
    raise RuntimeError("boom")


def test_a_failure_names_the_node_and_stops_only_its_dependents():
    pipeline = (
        PipelineBuilder("failing")
        .source("load", frame=FRAME)
        .transform("bad", fail)
        .transform("after_bad", lambda f: f)
        .transform("good", lambda f: f.head(3), inputs=["load"])
        .build()
    )
    with pytest.raises(
        NodeExecutionError,
        match="node 'bad' \\(transform\\) failed: RuntimeError: boom; its dependents \\['after_bad'\\] did not run",
    ) as info:
        pipeline.run()
    assert info.value.node == "bad"
    assert isinstance(info.value.__cause__, RuntimeError)
    partial = info.value.result
    assert set(partial.outputs) == {"load", "good"}  # the independent branch finished
    assert partial.skipped == ["after_bad"]
    result = pipeline.run(raise_on_error=False)
    assert not result.succeeded and set(result.failed) == {"bad"}


def test_seeds_per_node_make_runs_reproducible(adult_small):
    def build(seed):
        return (
            PipelineBuilder("seeded", seed=seed)
            .source("load", frame=adult_small)
            .transform("sub", op="sample", n=200)
            .synthesize("synth", method="cart", n=100)
            .build()
        )

    first, again = build(0).run(), build(0).run(max_workers=1)
    assert first.output("sub").equals(again.output("sub"))
    assert first.output("synth").equals(again.output("synth"))
    other = build(1).run()
    assert not other.output("sub").equals(first.output("sub"))
    pipeline = build(0)
    assert pipeline.node("synth").seed == build(0).node("synth").seed != pipeline.node("sub").seed


def test_an_explicit_node_seed_wins():
    pipeline = (
        PipelineBuilder("p", seed=5)
        .source("load", frame=FRAME)
        .transform("s1", op="sample", n=5, seed=11)
        .build()
    )
    assert pipeline.node("s1").seed == 11


def test_max_workers_is_checked():
    with pytest.raises(InvalidParameterError, match="max_workers"):
        PipelineExecutor(max_workers=0)
