"""Chunked generation to a local folder: plan, seeds per chunk, atomic chunk files, manifest
written last, resume after a killed run, refusals that protect a finished output."""

from __future__ import annotations

import hashlib
import json
import os

import pandas as pd
import pyarrow.parquet as pq
import pytest

from genesis.errors import (
    DestinationConflictError,
    GenesisError,
    IncompleteOutputError,
    InvalidParameterError,
    UnsupportedFormatError,
)
from genesis.generators import SyntheticGenerator
from genesis.generators.chunked import (
    MANIFEST_NAME,
    PLAN_NAME,
    ChunkedOutput,
    ChunkPlan,
    ChunkResult,
    generate_to,
    model_fingerprint,
    read_manifest,
    write_chunk,
    write_manifest,
)
from genesis.generators.seeding import chunk_seed


@pytest.fixture(scope="module")
def copula(adult_small):
    return SyntheticGenerator("gaussian_copula", seed=0).fit(adult_small)


def _files(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix == ".parquet"}


def test_plan_cuts_rows_into_chunks_with_seeds_of_seed_and_index_only():
    plan = ChunkPlan(n_rows=25_001, chunk_rows=10_000, seed=7)
    assert plan.n_chunks == 3
    assert [plan.rows_of(i) for i in range(3)] == [10_000, 10_000, 5_001]
    assert [plan.seed_of(i) for i in range(3)] == [chunk_seed(7, i) for i in range(3)]
    assert len({plan.seed_of(i) for i in range(3)}) == 3
    assert plan.file_name(2) == "part-00002.parquet"
    wide = ChunkPlan(n_rows=1_000_000, chunk_rows=1, seed=0)
    assert wide.file_name(7) == "part-000007.parquet"  # one width: names sort in chunk order
    assert plan.to_dict() == {"n_rows": 25_001, "chunk_rows": 10_000, "seed": 7, "n_chunks": 3}
    with pytest.raises(InvalidParameterError, match="outside this plan's chunks 0..2"):
        plan.rows_of(3)
    with pytest.raises(InvalidParameterError, match="n_rows must be >= 1"):
        ChunkPlan(n_rows=0, chunk_rows=10, seed=0)
    with pytest.raises(InvalidParameterError, match="chunk_rows must be >= 1"):
        ChunkPlan(n_rows=10, chunk_rows=0, seed=0)
    with pytest.raises(InvalidParameterError, match="seed"):
        ChunkPlan(n_rows=10, chunk_rows=1, seed=-1)


def test_folder_holds_the_rows_of_generate_chunks_and_a_manifest_written_last(copula, tmp_path):
    seen: list[ChunkResult] = []
    out = generate_to(
        copula, tmp_path / "out", 25_000, chunk_rows=10_000, seed=3, progress=seen.append
    )
    assert isinstance(out, ChunkedOutput) and out.rows == 25_000 and len(out.chunks) == 3
    assert sorted(r.index for r in seen) == [0, 1, 2] and sum(r.rows for r in seen) == 25_000
    names = sorted(os.listdir(tmp_path / "out"))
    assert names == [MANIFEST_NAME, PLAN_NAME, *(f"part-0000{i}.parquet" for i in range(3))]
    whole = pd.read_parquet(tmp_path / "out")  # readers skip _manifest.json and _plan.json
    single = pd.read_parquet(copula.generate_to(tmp_path / "one.parquet", 25_000, 10_000, seed=3))
    pd.testing.assert_frame_equal(whole, single)
    reference = pd.concat(list(copula.generate_chunks(25_000, 10_000, seed=3)), ignore_index=True)
    assert whole.shape == reference.shape
    pd.testing.assert_frame_equal(
        whole[["age", "sex"]], reference[["age", "sex"]], check_dtype=False
    )
    manifest = read_manifest(tmp_path / "out")
    files = _files(tmp_path / "out")
    assert [c["sha256"] for c in manifest["chunks"]] == [
        hashlib.sha256(files[c["file"]]).hexdigest() for c in manifest["chunks"]
    ]
    assert [c["rows"] for c in manifest["chunks"]] == [10_000, 10_000, 5_000]
    assert manifest["bytes"] == sum(len(b) for b in files.values()) == out.bytes
    assert manifest["plan"] == {"n_rows": 25_000, "chunk_rows": 10_000, "seed": 3, "n_chunks": 3}
    assert manifest["model"] == {"method": "gaussian_copula", "sha256": model_fingerprint(copula)}


def test_a_chunk_regenerated_alone_has_the_bytes_of_its_part_of_the_whole(copula, tmp_path):
    plan = ChunkPlan(n_rows=25_000, chunk_rows=10_000, seed=3)
    generate_to(copula, tmp_path / "whole", 25_000, chunk_rows=10_000, seed=3)
    result = write_chunk(copula, tmp_path / "alone", plan, 2)
    assert result.rows == 5_000 and result.path == str(tmp_path / "alone" / "part-00002.parquet")
    alone = (tmp_path / "alone" / "part-00002.parquet").read_bytes()
    assert alone == (tmp_path / "whole" / "part-00002.parquet").read_bytes()
    assert result.bytes == len(alone) and result.sha256 == hashlib.sha256(alone).hexdigest()
    # the same model loaded from its bytes in another object writes the same bytes again
    reloaded = SyntheticGenerator.from_bytes(copula.to_bytes())
    again = write_chunk(reloaded, tmp_path / "alone", plan, 2)
    assert again.sha256 == result.sha256
    # Parquet metadata carries no time: only the writer's name and the schema
    metadata = pq.read_metadata(tmp_path / "alone" / "part-00002.parquet")
    assert set(metadata.metadata) == {b"pandas", b"ARROW:schema"}
    assert "parquet-cpp-arrow" in metadata.created_by


def test_manifest_names_missing_and_short_chunks(copula, tmp_path):
    plan = ChunkPlan(n_rows=3_000, chunk_rows=1_000, seed=0)
    results = [write_chunk(copula, tmp_path, plan, i) for i in (0, 2)]
    with pytest.raises(IncompleteOutputError, match=r"1 of 3 chunks .*: 1;.*write_chunk"):
        write_manifest(tmp_path, plan, results, copula)
    assert not (tmp_path / MANIFEST_NAME).exists()
    # a chunk file that holds other rows (another plan's) counts as missing too
    other = ChunkPlan(n_rows=3_000, chunk_rows=500, seed=0)
    write_chunk(copula, tmp_path / "other", other, 1)
    (tmp_path / "other" / "part-00001.parquet").rename(tmp_path / "part-00001.parquet")
    with pytest.raises(IncompleteOutputError, match=": 1;"):
        write_manifest(tmp_path, plan, results, copula)
    results.append(write_chunk(copula, tmp_path, plan, 1))
    # the manifest may be written by a process that holds no result: chunks are looked up
    path = write_manifest(tmp_path, plan, [], copula)
    assert json.loads((tmp_path / MANIFEST_NAME).read_text())["rows"] == 3_000
    assert write_manifest(tmp_path, plan, results, copula) == path


def test_a_killed_run_resumes_with_only_the_missing_chunks(copula, tmp_path):
    out = tmp_path / "out"
    generate_to(copula, out, 40_000, chunk_rows=10_000, seed=1)
    before = _files(out)
    manifest_before = (out / MANIFEST_NAME).read_bytes()
    kept = (out / "part-00000.parquet").stat().st_mtime_ns
    # a run killed mid-way: no manifest, chunk 1 never written, chunk 2 left as a temp file,
    # chunk 3 truncated by a crashed copy
    (out / MANIFEST_NAME).unlink()
    (out / "part-00001.parquet").unlink()
    (out / "part-00002.parquet").rename(out / ".part-00002.parquet.k1ll3d.tmp")
    (out / "part-00003.parquet").write_bytes(before["part-00003.parquet"][:100])
    seen = []
    again = generate_to(copula, out, 40_000, chunk_rows=10_000, seed=1, progress=seen.append)
    assert sorted(r.index for r in seen) == [1, 2, 3] and again.reused == 1
    assert again.generated == 30_000
    assert (out / "part-00000.parquet").stat().st_mtime_ns == kept
    assert _files(out) == before and (out / MANIFEST_NAME).read_bytes() == manifest_before
    assert not [n for n in os.listdir(out) if n.endswith(".tmp")]


def test_rerun_is_idempotent_and_another_plan_is_refused_unless_overwrite(
    copula, adult_small, tmp_path
):
    out = tmp_path / "out"
    first = generate_to(copula, out, 20_000, chunk_rows=10_000, seed=1)
    stamps = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    same = generate_to(copula, out, 20_000, chunk_rows=10_000, seed=1, progress=pytest.fail)
    assert (
        same.reused == 2
        and same.generated == 0
        and same.chunks
        == tuple(ChunkResult(c.index, c.rows, c.bytes, 0.0, c.path, c.sha256) for c in first.chunks)
    )
    other = SyntheticGenerator("gaussian_copula", seed=0).fit(adult_small.head(1_000))
    assert model_fingerprint(other) != model_fingerprint(copula)  # another table
    for kwargs in ({"seed": 2}, {"chunk_rows": 5_000}, {"conditions": {"sex": "Female"}}):
        args = {"chunk_rows": 10_000, "seed": 1, **kwargs}
        with pytest.raises(DestinationConflictError, match="another plan.*overwrite=True"):
            generate_to(copula, out, 20_000, **args)
    with pytest.raises(DestinationConflictError, match="another plan"):
        generate_to(other, out, 20_000, chunk_rows=10_000, seed=1)
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == stamps  # untouched
    replaced = generate_to(copula, out, 15_000, chunk_rows=5_000, seed=2, overwrite=True)
    assert replaced.rows == 15_000 and len(pd.read_parquet(out)) == 15_000
    assert sorted(n for n in os.listdir(out) if n.startswith("part-")) == [
        f"part-0000{i}.parquet" for i in range(3)
    ]


def test_same_model_refit_in_another_object_resumes_the_output(adult_small, tmp_path):
    one = SyntheticGenerator("gaussian_copula", seed=0).fit(adult_small)
    two = SyntheticGenerator("gaussian_copula", seed=0).fit(adult_small)
    # the pickles differ (they hold the fit's duration); what the models generate does not
    assert one.fit_seconds_ != two.fit_seconds_ or one.to_bytes() == two.to_bytes()
    assert model_fingerprint(one) == model_fingerprint(two)
    generate_to(one, tmp_path, 5_000, chunk_rows=2_500)
    assert generate_to(two, tmp_path, 5_000, chunk_rows=2_500).reused == 2


def test_destinations_holding_other_files_are_refused(copula, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(DestinationConflictError, match=r"notes\.txt.*empty folder"):
        generate_to(copula, tmp_path, 1_000, chunk_rows=500)
    (tmp_path / "notes.txt").unlink()
    plan = ChunkPlan(n_rows=1_000, chunk_rows=500, seed=0)
    write_chunk(copula, tmp_path, plan, 0)  # chunk files with no plan: cannot be trusted
    with pytest.raises(DestinationConflictError, match="no plan or manifest"):
        generate_to(copula, tmp_path, 1_000, chunk_rows=500)
    assert generate_to(copula, tmp_path, 1_000, chunk_rows=500, overwrite=True).rows == 1_000


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n_rows": 0}, InvalidParameterError, "n_rows must be >= 1"),
        ({"n_rows": 10.5}, InvalidParameterError, "n_rows must be an integer"),
        ({"chunk_rows": 0}, InvalidParameterError, "chunk_rows must be >= 1"),
        ({"seed": -3}, InvalidParameterError, "seed"),
        ({"format": "csv"}, UnsupportedFormatError, r"one of \['parquet', 'iceberg'\]"),
        ({"executor": "dask"}, InvalidParameterError, "concurrent.futures.Executor"),
        ({"executor": 0}, InvalidParameterError, ">= 1 worker processes"),
        ({"table": "t"}, InvalidParameterError, "format='iceberg'"),
    ],
)
def test_bad_arguments_name_the_fix(copula, tmp_path, kwargs, error, message):
    args = {"n_rows": 1_000, "chunk_rows": 500, **kwargs}
    with pytest.raises(error, match=message) as info:
        generate_to(copula, tmp_path / "out", **args)
    assert isinstance(info.value, GenesisError)
    assert not (tmp_path / "out").exists()  # refused before touching the destination


def test_generate_to_method_keeps_one_parquet_file_and_delegates_folders(copula, tmp_path):
    path = copula.generate_to(tmp_path / "rows.parquet", 3_000, chunk_rows=1_000, seed=4)
    assert path == str(tmp_path / "rows.parquet")
    out = copula.generate_to(tmp_path / "rows", 3_000, chunk_rows=1_000, seed=4)
    assert isinstance(out, ChunkedOutput) and out.rows == 3_000
    pd.testing.assert_frame_equal(pd.read_parquet(path), pd.read_parquet(tmp_path / "rows"))
    # seed None is the model's seed, as in generate()
    default = copula.synthesizer.generate_to(tmp_path / "default", 1_000)
    assert read_manifest(default.destination)["plan"]["seed"] == copula.seed
    with pytest.raises(InvalidParameterError, match="apply to a folder of chunk files"):
        copula.generate_to(tmp_path / "x.parquet", 100, executor=2)


def test_conditions_hold_in_every_chunk_and_are_recorded(copula, tmp_path):
    out = generate_to(
        copula, tmp_path, 4_000, chunk_rows=1_500, seed=2, conditions={"sex": "Female"}
    )
    rows = pd.read_parquet(tmp_path)
    assert len(rows) == out.rows == 4_000 and (rows["sex"] == "Female").all()
    assert "sex" in read_manifest(tmp_path)["conditions"]
