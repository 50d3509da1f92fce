"""genesis.lineage: hash-chained blocks, tamper detection, export/load, manifests."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genesis.errors import InvalidParameterError, SourceNotFoundError, UnparseableSourceError
from genesis.io import fingerprint
from genesis.lineage import (
    DataLineage,
    LineageBlock,
    LineageChain,
    LineageManifest,
    LineageVerificationError,
)


@pytest.fixture
def real(adult_df: pd.DataFrame) -> pd.DataFrame:
    return adult_df.head(500)


@pytest.fixture
def chain(real: pd.DataFrame) -> LineageChain:
    chain = LineageChain()
    chain.add_source_block(real, "adult.csv", {"owner": "census"})
    chain.add_transform_block("holdout_split", chain.latest_hash, {"fraction": 0.2, "seed": 0})
    chain.add_generation_block(
        "cart", {"seed": np.int64(0)}, 400, {"overall": np.float64(0.91)}, output=real.head(400)
    )
    chain.add_quality_check({"overall_score": 0.91}, passed=True, threshold=0.8)
    chain.add_quality_check({"risk": "LOW"}, passed=True, check="privacy")
    return chain


def test_blocks_link_by_hash(chain, real):
    blocks = chain.blocks
    assert [b.block_type for b in blocks] == [
        "source",
        "transform",
        "generation",
        "quality_check",
        "quality_check",
    ]
    assert blocks[0].previous_hash is None
    for before, after in zip(blocks, blocks[1:], strict=False):
        assert after.previous_hash == before.data_hash
    assert chain.latest_hash == blocks[-1].data_hash
    assert blocks[0].content["data_hash"] == fingerprint(real)
    assert blocks[2].content["output_hash"] == fingerprint(real.head(400))
    assert len({b.block_id for b in blocks}) == 5
    assert chain.verify() and all(b.verify() for b in blocks)


def test_block_round_trip_keeps_its_hash():
    block = LineageBlock("custom", {"n": np.int64(3), "x": 0.5}, "abc", {"who": "me"})
    again = LineageBlock.from_dict(json.loads(json.dumps(block.to_dict())))
    assert again.data_hash == block.data_hash == again.compute_hash()
    assert again.timestamp == block.timestamp and again.verify()


@pytest.mark.parametrize(
    ("index", "edit"),
    [
        (0, lambda b: b.content.update(data_hash="0" * 64)),
        (2, lambda b: b.content.update(n_samples=10)),
        (3, lambda b: b.content.update(passed=False)),
        (1, lambda b: b.metadata.update(note="added later")),
    ],
)
def test_tampering_with_any_block_is_detected_and_named(chain, index, edit, caplog):
    block = chain.blocks[index]
    edit(block)
    assert not block.verify()
    assert chain.verify() is False
    problems = chain.problems()
    assert problems and f"block {index} ({block.block_type}, id {block.block_id})" in problems[0]
    assert "was modified" in problems[0]
    assert block.block_id in caplog.text
    with pytest.raises(LineageVerificationError, match=f"block {index}"):
        chain.verify(raise_on_error=True)


def test_rehashing_a_modified_block_breaks_the_next_link(chain):
    block = chain.blocks[1]
    block.content["parameters"]["seed"] = 99
    block.data_hash = block.compute_hash()  # a forger recomputes the block's own hash...
    assert block.verify()
    problems = chain.problems()
    assert len(problems) == 1 and "block 2 (generation" in problems[0]  # ...the link breaks
    assert "does not link" in problems[0]


def test_export_load_and_tamper_on_disk(chain, tmp_path: Path):
    path = chain.export(tmp_path / "sub" / "lineage.json")
    assert not list((tmp_path / "sub").glob("*.tmp"))
    loaded = LineageChain.load(path)
    assert loaded.verify() and loaded.latest_hash == chain.latest_hash
    assert [b.to_dict() for b in loaded.blocks] == [b.to_dict() for b in chain.blocks]
    document = json.loads(Path(path).read_text())
    document["blocks"][2]["content"]["method"] = "ctgan"
    Path(path).write_text(json.dumps(document))
    tampered = LineageChain.load(path)
    assert not tampered.verify()
    assert "block 2 (generation" in tampered.problems()[0]
    # removing a block is detected too
    document = json.loads(json.dumps(chain.to_dict()))
    del document["blocks"][1]
    assert "block 1 (generation" in LineageChain.from_dict(document).problems()[0]


def test_audit_trail_reads_like_a_story(chain):
    trail = chain.get_audit_trail()
    assert [t["step"] for t in trail] == [0, 1, 2, 3, 4]
    assert trail[0]["name"] == "adult.csv" and trail[0]["rows"] == 500
    assert trail[2]["method"] == "cart" and trail[2]["n_samples"] == 400
    assert trail[4]["check"] == "privacy" and all(t["valid"] for t in trail)


def test_data_lineage_manifest(real):
    lineage = DataLineage("adult")
    source = lineage.record_source("adult.csv", real)
    step = lineage.record_transformation("adult_clean", "adult.csv", "rows with ? dropped")
    assert lineage.chain.blocks[1].content["input_hash"] == source
    lineage.record_generation("adult_synthetic", "cart", 100, {"seed": 0}, output=real.head(100))
    lineage.record_check({"overall_score": 0.9}, passed=True, threshold=0.8)
    manifest = lineage.create_manifest()
    assert isinstance(manifest, LineageManifest)
    assert manifest.verified and manifest.n_blocks == 4 and manifest.chain_hash != step
    assert manifest.sources[0]["data_hash"] == fingerprint(real)
    assert manifest.generations[0]["n_samples"] == 100
    assert manifest.generations[0]["name"] == "adult_synthetic"
    assert manifest.checks[0]["passed"] is True
    assert json.loads(manifest.to_json())["name"] == "adult"
    lineage.chain.blocks[0].content["name"] = "other.csv"
    assert lineage.create_manifest().verified is False


def test_bad_inputs():
    chain = LineageChain()
    assert chain.latest_hash is None and chain.verify()
    with pytest.raises(InvalidParameterError, match="block_type"):
        LineageBlock("", {})
    with pytest.raises(InvalidParameterError, match="content must be a dict"):
        LineageBlock("x", ["not", "a", "dict"])
    with pytest.raises(InvalidParameterError, match="DataFrame or its content hash"):
        chain.add_source_block(42, "numbers")
    with pytest.raises(InvalidParameterError, match="n_samples"):
        chain.add_generation_block("cart", {}, -1)
    with pytest.raises(UnparseableSourceError, match="'blocks' list"):
        LineageChain.from_dict({"nope": 1})
    with pytest.raises(UnparseableSourceError, match="not valid JSON"):
        LineageChain.from_json("{")
    with pytest.raises(UnparseableSourceError, match="block"):
        LineageChain.from_dict({"blocks": [{"block_type": "x"}]})
    with pytest.raises(SourceNotFoundError, match="does not exist"):
        LineageChain.load("/nonexistent/lineage.json")


def test_reference_data_lineage_calls_as_documented(real):
    """genesis-v1.3-api.md, "Data Lineage": the call orders of DataLineage as written."""
    lineage = DataLineage()
    lineage.record_source("customers", real, description="CRM export", tags=["pii"])
    lineage.record_transformation("customers_clean", "customers", description="deduplicated")
    lineage.record_generation(
        "customers_synthetic", "gaussian_copula", 1000, parameters={"seed": 1}
    )
    manifest = lineage.create_manifest()
    source = manifest.sources[0]
    assert source["name"] == "customers"  # was the DataFrame's text
    assert source["data_hash"] == fingerprint(real)  # was "customers"
    assert source["rows"] == len(real)
    transform = manifest.transformations[0]
    assert transform["operation"] == "customers_clean"
    assert transform["input_hash"] == lineage.chain.blocks[0].data_hash
    generation = manifest.generations[0]
    assert (generation["method"], generation["n_samples"]) == ("gaussian_copula", 1000)
    assert generation["parameters"] == {"seed": 1} and manifest.verified


def test_reference_lineage_chain_calls_as_documented(real, tmp_path):
    """genesis-v1.3-api.md, "LineageChain" and "LineageBlock", as written."""
    chain = LineageChain()
    chain.add_source_block(real, "customers", metadata={"owner": "crm"})
    chain.add_transform_block("dedupe", chain.latest_hash, {"subset": ["age"]})
    chain.add_generation_block("gaussian_copula", {"seed": 1}, 1000, quality_metrics=None)
    chain.add_quality_check({"overall_score": 0.9}, True, threshold=0.8)
    assert chain.verify() and len(chain.get_audit_trail()) == 4
    chain.export(tmp_path / "lineage.json")
    loaded = LineageChain.load(tmp_path / "lineage.json")
    assert loaded.latest_hash == chain.latest_hash and loaded.blocks[0].verify()
    block = LineageBlock("source", {"name": "x"}, previous_hash=None, metadata=None)
    assert block.compute_hash() == block.data_hash
    assert LineageBlock.from_dict(block.to_dict()).verify()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda lin, df: lin.record_source(df, "customers"), "DataFrame: are the arguments"),
        (lambda lin, df: lin.record_source("customers", "customers"), "content hash"),
        (lambda lin, df: lin.record_source("customers", 42), "DataFrame or its content hash"),
        (lambda lin, df: lin.record_source("c", df, tags="pii"), "tags must be a list"),
        (lambda lin, df: lin.record_transformation("clean", "nothing"), "no dataset named"),
        (lambda lin, df: lin.record_transformation("clean", {"a": 1}), "input_name must be"),
        (lambda lin, df: lin.record_generation("cart", {"seed": 0}, 100), "method must be"),
        (lambda lin, df: lin.record_generation("s", "cart", "100"), "n_samples must be"),
        (lambda lin, df: lin.record_generation("s", "cart", True), "n_samples must be"),
        (lambda lin, df: lin.record_generation("s", "cart", 5, [1]), "parameters must be"),
    ],
)
def test_data_lineage_refuses_misfiled_arguments(real, call, message):
    with pytest.raises(InvalidParameterError, match=message):
        call(DataLineage(), real)


def test_lineage_errors_live_in_genesis_errors():
    from genesis import errors
    from genesis.lineage import LineageVerificationError as from_lineage

    assert from_lineage is errors.LineageVerificationError
    assert issubclass(errors.LineageVerificationError, errors.GenesisError)
