"""GenesisIOManager: DataFrames, schemas, models and reports round-trip through the store."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from genesis.errors import GenesisError
from genesis.schema.types import Schema
from genesis_resources import GenesisIOManager, LocalArtifactStore


@pytest.fixture
def io_manager(tmp_path) -> GenesisIOManager:
    return GenesisIOManager(artifact_store=LocalArtifactStore(root=str(tmp_path)))


def _round_trip(io_manager, value, key=("adult", "thing")):
    output = dg.build_output_context(asset_key=dg.AssetKey(list(key)))
    io_manager.handle_output(output, value)
    return io_manager.load_input(dg.build_input_context(asset_key=dg.AssetKey(list(key))))


def test_dataframe_as_parquet(io_manager, tmp_path, adult_df):
    df = adult_df.head(300)
    loaded = _round_trip(io_manager, df)
    pd.testing.assert_frame_equal(loaded, df)
    assert (tmp_path / "adult" / "thing.parquet").is_file()


def test_schema_as_json(io_manager, tmp_path, adult_df):
    from genesis.schema import infer_schema

    schema = infer_schema(adult_df.head(300))
    loaded = _round_trip(io_manager, schema)
    assert isinstance(loaded, Schema)
    assert loaded.to_dict() == schema.to_dict()
    assert (tmp_path / "adult" / "thing.schema.json").is_file()


def test_model_through_save_and_load(io_manager, tmp_path, adult_df):
    from genesis.generators import SyntheticGenerator

    train = adult_df.head(300)
    model = SyntheticGenerator("cart", seed=0).fit(train)
    loaded = _round_trip(io_manager, model)
    assert (tmp_path / "adult" / "thing.model").is_file()
    pd.testing.assert_frame_equal(loaded.generate(50, seed=1), model.generate(50, seed=1))


def test_report_dict_as_json(io_manager, tmp_path):
    report = {"overall_score": 0.87, "ml_utility": {"f1": 0.8}}
    assert _round_trip(io_manager, report) == report
    assert (tmp_path / "adult" / "thing.json").is_file()


def test_partitioned_assets_get_one_file_per_partition(io_manager, tmp_path):
    partitions = dg.StaticPartitionsDefinition(["a", "b"])
    key = dg.AssetKey(["adult", "daily"])
    for partition in ("a", "b"):
        context = dg.build_output_context(
            asset_key=key, partition_key=partition, asset_partitions_def=partitions
        )
        io_manager.handle_output(context, {"partition": partition})
    assert sorted(p.name for p in (tmp_path / "adult" / "daily").iterdir()) == ["a.json", "b.json"]


def test_unstorable_value_is_refused(io_manager):
    with pytest.raises(GenesisError, match="cannot store"):
        _round_trip(io_manager, object())


def test_loading_what_was_never_written(io_manager):
    with pytest.raises(GenesisError, match="materialize it first"):
        io_manager.load_input(dg.build_input_context(asset_key=dg.AssetKey(["adult", "nothing"])))


def test_path_is_added_to_output_metadata(tmp_path):
    @dg.asset(key_prefix=["adult"])
    def table() -> pd.DataFrame:
        return pd.DataFrame({"x": [1, 2, 3]})

    store = LocalArtifactStore(root=str(tmp_path))
    result = dg.materialize(
        [table], resources={"io_manager": GenesisIOManager(artifact_store=store)}
    )
    (event,) = result.get_asset_materialization_events()
    assert event.materialization.metadata["path"].value == str(tmp_path / "adult" / "table.parquet")
    assert Path(event.materialization.metadata["path"].value).is_file()


def test_real_data_is_stored_owner_only(tmp_path, adult_df):
    """Assets marked genesis/real_data (source, training/holdout rows, models) get 0600;
    the others keep 0644."""
    import stat

    from genesis.generators import SyntheticGenerator
    from genesis_resources.io_manager import REAL_DATA

    @dg.asset(key=["adult", "raw"], metadata={REAL_DATA: True})
    def raw() -> pd.DataFrame:
        return adult_df.head(200)

    @dg.asset(key=["adult", "model"], metadata={REAL_DATA: True})
    def model(raw: pd.DataFrame):
        return SyntheticGenerator("cart", seed=0).fit(raw)

    @dg.asset(key=["adult", "report"], deps=[raw])
    def report() -> dict:
        return {"score": 0.9}

    store = LocalArtifactStore(root=str(tmp_path))
    dg.materialize(
        [raw, model, report], resources={"io_manager": GenesisIOManager(artifact_store=store)}
    )
    mode = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "adult").iterdir()}
    assert mode == {"raw.parquet": 0o600, "model.model": 0o600, "report.json": 0o644}


def test_load_stage_reads_what_load_input_reads(io_manager, adult_df):
    _round_trip(io_manager, adult_df.head(20), key=("adult", "training_data"))
    pd.testing.assert_frame_equal(
        io_manager.load_stage("adult", "training_data"), adult_df.head(20)
    )
    with pytest.raises(GenesisError, match="adult/missing.*materialize it first"):
        io_manager.load_stage("adult", "missing")


def test_reports_with_numpy_values_and_nan_are_stored_as_json(io_manager, tmp_path):
    import numpy as np

    loaded = _round_trip(io_manager, {"share": np.float64(0.25), "auc": float("nan")})
    assert loaded == {"share": 0.25, "auc": None}
