"""LocalArtifactStore: layout, atomic writes, clear errors."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from genesis.errors import DataWriteError, GenesisError, InvalidParameterError, SourceNotFoundError
from genesis_resources import ArtifactStore, LocalArtifactStore


def test_layout_and_round_trips(tmp_path):
    store = LocalArtifactStore(root=str(tmp_path / "root"))
    path = store.write_text("adult", "report.json", '{"a": 1}')
    assert path == str(tmp_path / "root" / "adult" / "report.json")
    assert store.path_for("adult", "report.json") == path
    assert store.read_text("adult", "report.json") == '{"a": 1}'
    assert store.exists("adult", "report.json")
    assert not store.exists("adult", "other.json")
    store.write_bytes("adult", "sub/blob.bin", b"\x00\x01")
    assert store.read_bytes("adult", "sub/blob.bin") == b"\x00\x01"


def test_parquet_round_trip(tmp_path, adult_df):
    store = LocalArtifactStore(root=str(tmp_path))
    df = adult_df.head(200)
    path = store.write_parquet("adult", "table.parquet", df)
    assert Path(path).is_file()
    pd.testing.assert_frame_equal(store.read_parquet("adult", "table.parquet"), df)


def test_write_is_atomic_and_leaves_no_temp_files(tmp_path, monkeypatch):
    store = LocalArtifactStore(root=str(tmp_path))
    store.write_text("d", "x.txt", "old")

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(DataWriteError, match="disk full"):
        store.write_text("d", "x.txt", "new")
    monkeypatch.undo()
    assert store.read_text("d", "x.txt") == "old"  # the reader never sees a half-written file
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == ["x.txt"]


def test_missing_artifact_says_what_to_do(tmp_path):
    store = LocalArtifactStore(root=str(tmp_path))
    with pytest.raises(SourceNotFoundError, match="materialize"):
        store.read_bytes("adult", "nothing.bin")
    with pytest.raises(SourceNotFoundError, match="materialize"):
        store.read_parquet("adult", "nothing.parquet")


@pytest.mark.parametrize(("dataset", "name"), [("adult", "../escape"), ("", "x"), ("a", "/abs")])
def test_names_cannot_escape_the_root(tmp_path, dataset, name):
    store = LocalArtifactStore(root=str(tmp_path))
    with pytest.raises(InvalidParameterError):
        store.path_for(dataset, name)


def test_unwritable_root_raises_a_genesis_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    store = LocalArtifactStore(root=str(blocker))
    with pytest.raises(GenesisError, match="cannot create folder"):
        store.write_text("adult", "x.txt", "y")


def test_base_class_is_abstract():
    with pytest.raises(TypeError):
        ArtifactStore()
