"""The built-in nodes on Adult: source, synthesize, evaluate (quality and privacy), sink."""

from __future__ import annotations

import stat

import pandas as pd
import pytest

from genesis.errors import (
    DataWriteError,
    NodeExecutionError,
    PipelineDefinitionError,
    SourceNotFoundError,
)
from genesis.pipeline import PipelineBuilder
from genesis.pipeline.builtin import EvaluateNode, SinkNode, SourceNode, SynthesizeNode


def test_source_reads_a_file_with_genesis_io(tmp_path, adult_small):
    path = tmp_path / "adult.parquet"
    adult_small.to_parquet(path, index=False)
    result = PipelineBuilder("p").source("load", path=path).build().run()
    pd.testing.assert_frame_equal(result.output("load"), adult_small)


def test_source_errors_come_from_the_reader_and_name_the_node(tmp_path):
    pipeline = PipelineBuilder("p").source("load", path=tmp_path / "missing.csv").build()
    with pytest.raises(NodeExecutionError, match="node 'load' \\(source\\) failed") as info:
        pipeline.run()
    assert isinstance(info.value.__cause__, SourceNotFoundError)


def test_source_takes_a_path_or_a_frame():
    with pytest.raises(PipelineDefinitionError, match="exactly one of path="):
        SourceNode("load")
    with pytest.raises(PipelineDefinitionError, match="exactly one of path="):
        SourceNode("load", "a.csv", frame=pd.DataFrame({"x": [1]}))
    with pytest.raises(PipelineDefinitionError, match="must be a DataFrame"):
        SourceNode("load", frame=[1, 2])  # type: ignore[arg-type]


def test_synthesize_evaluate_sink_chain(tmp_path, adult_small):
    real, holdout = adult_small.iloc[:220], adult_small.iloc[220:].reset_index(drop=True)
    pipeline = (
        PipelineBuilder("adult", seed=0)
        .source("load", frame=real)
        .source("unseen", frame=holdout)
        .synthesize("synth", method="gaussian_copula", n=150, inputs=["load"])
        .evaluate(
            "quality",
            real="load",
            holdout="unseen",
            target="income",
            privacy=True,
            sensitive_columns=["income"],
            quasi_identifiers=["age", "sex"],
            threshold=0.5,
        )
        .sink("save", path=tmp_path / "out" / "synthetic.parquet")
        .build()
    )
    assert pipeline.node("quality").inputs == ["synth", "load", "unseen"]
    result = pipeline.run()
    synthetic = result.output("synth")
    assert len(synthetic) == 150 and list(synthetic.columns) == list(real.columns)
    assert type(result["synth"]["model"]).__name__ == "SyntheticGenerator"
    quality = result["quality"]
    assert 0 < quality["quality"]["overall_score"] <= 1
    assert quality["quality"]["n_real"] == 220 and quality["quality"]["n_synthetic"] == 150
    assert "ml_utility" in quality["quality"]
    assert quality["privacy"]["overall_risk"] in ("LOW", "MEDIUM", "HIGH", "CRITICAL")
    assert quality["verdict"].startswith(("Shareable", "Not shareable", "Not decided"))
    assert quality["output"] is synthetic  # the table passes on to the sink
    written = result["save"]
    assert written["rows"] == 150
    pd.testing.assert_frame_equal(pd.read_parquet(written["output"]), synthetic)
    assert stat.S_IMODE((tmp_path / "out" / "synthetic.parquet").stat().st_mode) == 0o644


def test_synthesize_with_conditions(adult_small):
    result = (
        PipelineBuilder("p")
        .source("load", frame=adult_small)
        .synthesize("synth", method="cart", n=50, conditions={"sex": "Female"})
        .build()
        .run()
    )
    assert (result.output("synth")["sex"] == "Female").all()


def test_synthesize_checks_method_and_rows_when_declared():
    with pytest.raises(PipelineDefinitionError, match="synthesize node 's'.*carts"):
        SynthesizeNode("s", "carts")
    with pytest.raises(PipelineDefinitionError, match="synthesize node 's'"):
        SynthesizeNode("s", "cart", method_params={"no_such_param": 1})
    with pytest.raises(PipelineDefinitionError, match="n must be an integer"):
        SynthesizeNode("s", "cart", n=-5)


def test_evaluate_needs_the_real_table_and_a_holdout_for_privacy():
    with pytest.raises(PipelineDefinitionError, match="needs real="):
        EvaluateNode("q", inputs=["synth"])
    with pytest.raises(PipelineDefinitionError, match="give holdout="):
        EvaluateNode("q", "load", inputs=["synth"], privacy=True)
    with pytest.raises(PipelineDefinitionError, match="one input"):
        EvaluateNode("q", "load", inputs=["a", "b"])


def test_sink_needs_a_path_and_writes_atomically(tmp_path, adult_small):
    with pytest.raises(PipelineDefinitionError, match="needs path="):
        SinkNode("save")
    target = tmp_path / "t.csv"
    target.write_text("previous\n")
    pipeline = (
        PipelineBuilder("p")
        .source("load", frame=adult_small)
        .sink("save", path=target, format="nope")
        .build()
    )
    with pytest.raises(NodeExecutionError, match="'save'"):
        pipeline.run()
    assert target.read_text() == "previous\n"  # a failed write leaves the old file
    folder_as_file = tmp_path / "file"
    folder_as_file.write_text("x")
    bad = PipelineBuilder("p").source("load", frame=adult_small)
    bad = bad.sink("save", path=folder_as_file / "t.csv").build()
    with pytest.raises(NodeExecutionError) as info:
        bad.run()
    assert isinstance(info.value.__cause__, DataWriteError)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "t.csv"]  # no temp files


def test_sink_writes_another_key_only_when_it_is_a_table(tmp_path, adult_small):
    pipeline = (
        PipelineBuilder("p")
        .source("load", frame=adult_small)
        .synthesize("synth", n=20)
        .sink("save", path=tmp_path / "m.csv", key="model")
        .build()
    )
    with pytest.raises(NodeExecutionError, match="needs a table under 'model'"):
        pipeline.run()
