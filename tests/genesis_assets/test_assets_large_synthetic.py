"""large_synthetic: a dataset's chunked output partitioned by chunk, on a real instance.

Each partition runs as its own run with the multiprocess executor (what a backfill launches),
the manifest is written last and only once every chunk's latest materialization is there, a
chunk deleted and re-run alone comes back byte for byte, and the whole folder equals the
library's in-process ``generate_to`` output."""

from __future__ import annotations

import uuid
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from genesis.generators import SyntheticGenerator
from genesis.generators.chunked import generate_to, read_manifest
from genesis_assets.config import ConfigError, load_config
from genesis_assets.factory import build_definitions
from tests.genesis_assets.project import materialize, metadata_of, write_project

ROOT = Path(__file__).resolve().parents[2]
ROWS, CHUNK_ROWS = 2_500, 1_000  # 3 chunks: 1,000, 1,000 and 500 rows
SCALE = {"rows": ROWS, "chunk_rows": CHUNK_ROWS}
CHUNKS = dg.AssetKey(["adult", "large_synthetic"])
MANIFEST = dg.AssetKey(["adult", "large_synthetic_manifest"])
MODEL = dg.AssetKey(["adult", "synthesis_model"])


def large_job() -> dg.JobDefinition:
    """The job a backfill of adult/large_synthetic runs, rebuilt in each step process from
    ``GENESIS_CONFIG`` (so the multiprocess executor can reconstruct it)."""
    return build_definitions(load_config()).resolve_job_def("adult_large_synthetic")


@pytest.fixture
def project(make_config, adult_dataset, monkeypatch) -> Path:
    config = make_config(
        adult_dataset(method="gaussian_copula", scale=SCALE), executor="multiprocess"
    )
    monkeypatch.setenv("GENESIS_CONFIG", str(config))
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the step processes import this module
    return config


def _run_chunk(instance: dg.DagsterInstance, key: str) -> dg.ExecuteJobResult:
    with dg.execute_job(
        dg.reconstructable(large_job), instance=instance, tags={"dagster/partition": key}
    ) as result:
        assert result.success, [e.message for e in result.all_events if e.is_failure]
        assert instance.get_run_by_id(result.run_id).tags["dagster/partition"] == key
        return result


def _instance(tmp_path: Path):
    """A real instance (SQLite storage) in ``tmp_path/dagster_home``, set as DAGSTER_HOME."""
    home = tmp_path / "dagster_home"
    home.mkdir(exist_ok=True)
    return dg.instance_for_test(temp_dir=str(home))


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_chunks_backfilled_then_manifest_equal_the_library_output(
    project, tmp_path, adult_dataset, small_adult
):
    defs = build_definitions(load_config(project))
    graph = defs.resolve_asset_graph()
    assert graph.get(CHUNKS).partitions_def.get_partition_keys() == ["0", "1", "2"]
    assert graph.get(CHUNKS).parent_keys == {MODEL}
    assert graph.get(MANIFEST).parent_keys == {CHUNKS, MODEL}
    # generating 100M rows is asked for, never part of a refresh
    everything = defs.resolve_job_def("materialize_all").asset_layer.executable_asset_keys
    assert CHUNKS not in everything and MANIFEST not in everything
    assert MODEL in everything

    out = tmp_path / "artifacts" / "adult" / "large_synthetic"
    with _instance(tmp_path) as instance:
        upstream = dg.AssetSelection.assets(MODEL).upstream()
        assert materialize(project, upstream, instance=instance).success

        # two of the three chunks: the manifest refuses, naming the missing one
        for key in ("0", "2"):
            _run_chunk(instance, key)
        failed = materialize(project, [MANIFEST], instance=instance, raise_on_error=False)
        assert not failed.success
        message = _failure(failed)
        assert "1 of 3 chunks were never materialized (1)" in message
        assert "backfill those partitions" in message
        assert not (out / "_manifest.json").exists()

        _run_chunk(instance, "1")
        # a chunk file of an earlier, larger plan would be read as part of the table
        (out / "part-00003.parquet").write_bytes((out / "part-00000.parquet").read_bytes())
        done = materialize(project, [MANIFEST], instance=instance)
        assert not (out / "part-00003.parquet").exists()
        totals = metadata_of(done, "large_synthetic_manifest")
        complete = _files(out)
        # the library, in this process, from the same (seed-0) model: the reference bytes
        model_path = tmp_path / "artifacts" / "adult" / "synthesis_model.model"
        model = SyntheticGenerator.from_bytes(model_path.read_bytes())
        generate_to(model, tmp_path / "reference", ROWS, chunk_rows=CHUNK_ROWS, seed=0)

        # a chunk file lost: the instance still lists it, the manifest checks the file itself
        (out / "part-00001.parquet").unlink()
        failed = materialize(project, [MANIFEST], instance=instance, raise_on_error=False)
        assert not failed.success
        assert "1 of 3 chunks are missing or incomplete" in _failure(failed)
        # re-run alone: the same bytes come back, and the manifest is written again
        _run_chunk(instance, "1")
        assert len(instance.get_runs(dg.RunsFilter(tags={"dagster/partition": "1"}))) == 2
        assert len(instance.get_runs(dg.RunsFilter(tags={"dagster/partition": "0"}))) == 1
        assert materialize(project, [MANIFEST], instance=instance).success
        assert _files(out) == complete

        # the model refitted (another seed): every chunk now comes from an older model
        refit = write_project(
            tmp_path, small_adult, adult_dataset(method="gaussian_copula", scale=SCALE, seed=5),
            executor="multiprocess",
        )  # fmt: skip
        assert materialize(refit, [MODEL], instance=instance).success
        failed = materialize(refit, [MANIFEST], instance=instance, raise_on_error=False)
        assert not failed.success
        assert "3 chunks were generated by another synthesis_model (0, 1, 2)" in _failure(failed)

        chunk_meta = {}
        for key in ("0", "1", "2"):
            event = instance.fetch_materializations(
                dg.AssetRecordsFilter(asset_key=CHUNKS, asset_partitions=[key]), limit=1
            ).records[0]
            chunk_meta[key] = {k: v.value for k, v in event.asset_materialization.metadata.items()}

    assert [chunk_meta[k]["rows"] for k in ("0", "1", "2")] == [1_000, 1_000, 500]
    for key, meta in chunk_meta.items():
        path = Path(meta["path"])
        assert path.parent == out and path.name == f"part-0000{key}.parquet"
        assert meta["bytes"] == path.stat().st_size > 0
        assert meta["rows_per_second"] > 0 and meta["seconds"] > 0
        assert meta["dagster/row_count"] == meta["rows"]
    assert totals["rows"] == ROWS and totals["chunks"] == 3
    assert totals["bytes"] == sum(m["bytes"] for m in chunk_meta.values())
    assert totals["rows_per_second"] > 0
    assert Path(totals["manifest"]) == out / "_manifest.json"

    table = pd.read_parquet(out)  # pyarrow skips _manifest.json
    assert len(table) == ROWS
    manifest = read_manifest(str(out))
    assert [c["rows"] for c in manifest["chunks"]] == [1_000, 1_000, 500]

    # the same rows, byte for byte, as the library writes in one process from the same model
    reference = _files(tmp_path / "reference")
    parts = {n for n in complete if n.startswith("part-")}
    assert parts == {n for n in reference if n.startswith("part-")} and len(parts) == 3
    for name, data in complete.items():
        assert reference[name] == data, name  # chunks and manifest alike


def test_dask_executor_writes_the_whole_set_in_one_run(make_config, adult_dataset, tmp_path):
    config = make_config(
        adult_dataset(method="gaussian_copula", scale={**SCALE, "executor": "dask"})
    )
    defs = build_definitions(load_config(config))
    assert defs.resolve_asset_graph().get(CHUNKS).partitions_def is None
    assert MANIFEST not in defs.resolve_asset_graph().get_all_asset_keys()
    from genesis_resources.dask import DaskResource

    with dg.instance_for_test() as instance:
        result = materialize(
            config,
            dg.AssetSelection.assets(CHUNKS).upstream(),
            instance=instance,
            resources={"dask": DaskResource(n_workers=1)},
        )
        meta = metadata_of(result, "large_synthetic")
    assert meta["rows"] == ROWS and meta["chunks"] == 3 and meta["rows_per_second"] > 0
    out = tmp_path / "artifacts" / "adult" / "large_synthetic"
    model = SyntheticGenerator.from_bytes(
        (tmp_path / "artifacts" / "adult" / "synthesis_model.model").read_bytes()
    )
    generate_to(model, tmp_path / "reference", ROWS, chunk_rows=CHUNK_ROWS, seed=0)
    assert _files(out) == _files(tmp_path / "reference")


def test_chunks_and_manifest_go_to_the_projects_s3_storage(
    make_config, adult_dataset, s3_server, s3_client, monkeypatch, tmp_path
):
    bucket = f"large-{uuid.uuid4().hex[:10]}"
    s3_client.create_bucket(Bucket=bucket)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    storage = {"kind": "s3", "bucket": bucket, "prefix": "p", "endpoint_url": s3_server}
    storage["region"] = "us-east-1"
    config = make_config(
        adult_dataset(method="gaussian_copula", scale=SCALE),
        storage={"root": "artifacts", **storage},
        executor="in_process",
    )
    with _instance(tmp_path) as instance:
        upstream = dg.AssetSelection.assets(MODEL).upstream()
        assert materialize(config, upstream, instance=instance).success
        for key in ("0", "1", "2"):
            result = materialize(config, [CHUNKS], instance=instance, partition_key=key)
            path = metadata_of(result, "large_synthetic")["path"]
            assert path == f"s3://{bucket}/p/adult/large_synthetic/part-0000{key}.parquet"
        totals = metadata_of(materialize(config, [MANIFEST], instance=instance), MANIFEST.path[1])
    assert totals["manifest"] == f"s3://{bucket}/p/adult/large_synthetic/_manifest.json"
    listed = s3_client.list_objects_v2(Bucket=bucket, Prefix="p/adult/large_synthetic/")
    objects = {o["Key"].rsplit("/", 1)[1] for o in listed["Contents"]}
    assert objects == {
        "part-00000.parquet",
        "part-00001.parquet",
        "part-00002.parquet",
        "_manifest.json",
    }
    model_bytes = s3_client.get_object(Bucket=bucket, Key="p/adult/synthesis_model.model")
    model = SyntheticGenerator.from_bytes(model_bytes["Body"].read())
    generate_to(model, tmp_path / "reference", ROWS, chunk_rows=CHUNK_ROWS, seed=0)
    for name, data in _files(tmp_path / "reference").items():
        if name in objects:
            got = s3_client.get_object(Bucket=bucket, Key=f"p/adult/large_synthetic/{name}")
            assert got["Body"].read() == data, name


def test_automation_requests_the_manifest_once_every_chunk_exists(
    make_config, adult_dataset, tmp_path
):
    config = make_config(
        adult_dataset(method="gaussian_copula", scale=SCALE), executor="in_process"
    )
    defs = build_definitions(load_config(config))
    sensor = defs.resolve_sensor_def("large_synthetic_manifests")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert sensor.asset_selection.resolve(defs.resolve_asset_graph()) == {MANIFEST}
    with _instance(tmp_path) as instance:
        upstream = dg.AssetSelection.assets(MODEL).upstream()
        assert materialize(config, upstream, instance=instance).success
        first = dg.evaluate_automation_conditions(defs=defs, instance=instance)
        assert first.get_num_requested(MANIFEST) == 0  # no chunk yet
        cursor = first.cursor
        for key in ("0", "1"):
            materialize(config, [CHUNKS], instance=instance, partition_key=key)
            step = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=cursor)
            assert step.get_num_requested(MANIFEST) == 0  # chunk 2 still missing
            cursor = step.cursor
        materialize(config, [CHUNKS], instance=instance, partition_key="2")
        last = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=cursor)
        assert last.get_num_requested(MANIFEST) == 1
        assert last.get_num_requested(CHUNKS) == 0  # chunks are only ever asked for


@pytest.mark.parametrize(
    ("scale", "message"),
    [
        ({"rows": 10, "chunk_rows": 0}, "chunk_rows"),
        ({"rows": 0}, "rows"),
        ({"rows": 10, "chunk": 5}, "chunk"),
        ({"rows": 10, "format": "iceberg"}, "format"),
        (2.0, "takes {rows, chunk_rows}"),
        ({"rows": 10**9, "chunk_rows": 1_000}, "raise chunk_rows to at least 10,000"),
    ],
)
def test_bad_scale_settings_fail_when_the_file_loads(make_config, adult_dataset, scale, message):
    path = make_config(adult_dataset(scale=scale))
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def _failure(result) -> str:
    """Every step failure's message, with the causes it wraps."""
    messages = []
    for event in result.all_events:
        error = event.event_specific_data.error if event.is_step_failure else None
        while error is not None:
            messages.append(error.message)
            error = error.cause
    return " ".join(messages)
