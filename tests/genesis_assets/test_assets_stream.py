"""Kafka in the Dagster layer, on a real instance and a real broker (tansu):

* ``stream:`` in genesis.yaml -> ``<dataset>/synthetic_stream`` publishes the stored model's
  rows (every row on the topic, its metadata), stays out of materialize_all / nightly /
  drift runs, and fails when the broker is down (without showing the SASL password);
* ``source: kafka://topic`` -> ``raw_source`` reads a bounded snapshot, the chain fits on
  it, and the drift sensor follows the live topic by its end offsets;
* mistakes in either fail when the file loads.
"""

from __future__ import annotations

import json
import uuid

import dagster as dg
import numpy as np
import pytest

from genesis.io.kafka import read_topic
from genesis_assets.config import ConfigError, load_config
from genesis_assets.factory import build_definitions
from genesis_resources.kafka import KafkaResource
from tests.genesis_assets.project import adult_entry, materialize, metadata_of, write_project

STREAM = dg.AssetKey(["adult", "synthetic_stream"])
PASSWORD = "never-show-this-0451"


@pytest.fixture(scope="module")
def stream_project(tmp_path_factory, small_adult, kafka_broker):
    """A project whose dataset streams to a topic, its model materialized on a real instance."""
    topic = f"adult-synthetic-{uuid.uuid4().hex[:8]}"
    stream = {"topic": topic, "rows": 400, "key": "sex", "format": "json", "batch_size": 100}
    folder = tmp_path_factory.mktemp("stream")
    config = write_project(folder, small_adult, adult_entry(stream=stream))
    kafka = {"kafka": KafkaResource(bootstrap_servers=kafka_broker)}
    with dg.instance_for_test() as instance:
        model = dg.AssetSelection.assets(["adult", "synthesis_model"]).upstream()
        assert materialize(config, model, instance=instance, resources=kafka).success
        yield {"config": config, "instance": instance, "topic": topic, "kafka": kafka}


def test_synthetic_stream_publishes_every_row_of_the_stored_model(stream_project, kafka_broker):
    p = stream_project
    result = materialize(p["config"], [STREAM], instance=p["instance"], resources=p["kafka"])

    assert result.success
    rows = read_topic(kafka_broker, p["topic"])
    assert len(rows) == 400 and sorted(rows["_genesis_sequence"]) == list(range(400))
    assert {"age", "sex", "income"} <= set(rows.columns)
    meta = metadata_of(result, "synthetic_stream")
    assert meta["topic"] == p["topic"] and meta["bootstrap_servers"] == kafka_broker
    assert meta["rows"] == 400 and meta["failed"] == 0 and meta["rows_per_second"] > 0
    ranges = meta["offset_ranges"]
    assert meta["partitions"] == len(ranges) >= 1
    assert sum(last - first + 1 for first, last in ranges.values()) == 400
    assert meta["key"] == "sex" and meta["format"] == "json"

    # the launchpad's run config overrides rows; the next materialization appends to the topic
    again = materialize(
        p["config"],
        [STREAM],
        instance=p["instance"],
        resources=p["kafka"],
        run_config={"ops": {"adult__synthetic_stream": {"config": {"rows": 50}}}},
    )
    assert again.success and metadata_of(again, "synthetic_stream")["rows"] == 50
    assert len(read_topic(kafka_broker, p["topic"])) == 450
    # a whole batch again (batch i is drawn from (seed, i)): the same seed republishes the
    # first run's batch 0 row for row; another seed publishes other rows
    for seed in (None, 7):
        run = materialize(
            p["config"],
            [STREAM],
            instance=p["instance"],
            resources=p["kafka"],
            run_config={
                "ops": {"adult__synthetic_stream": {"config": {"rows": 100, "seed": seed}}}
            },
        )
        assert run.success and metadata_of(run, "synthetic_stream")["seed"] == (seed or 0)
    on_topic = read_topic(kafka_broker, p["topic"])
    data = [c for c in on_topic.columns if not c.startswith("_genesis")]
    batch0 = on_topic[on_topic["_genesis_batch"] == 0]
    assert len(batch0) == 350  # 100 (first run) + 50 (rows=50) + 100 + 100
    runs = batch0.groupby("_genesis_sequence").size()
    assert (runs.loc[:49] == 4).all() and (runs.loc[50:] == 3).all()
    full = batch0[batch0["_genesis_sequence"] >= 50][["_genesis_sequence", *data]]
    assert len(full.drop_duplicates()) == 100  # two copies of rows 50-99 and seed 7's


def test_a_broker_that_is_down_fails_the_asset_and_the_password_stays_hidden(stream_project):
    from tests.kafka_broker import free_port

    down = KafkaResource(
        bootstrap_servers=f"127.0.0.1:{free_port()}",
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism="PLAIN",
        sasl_username="genesis",
        sasl_password=PASSWORD,
        timeout=2.0,
    )
    result = materialize(
        stream_project["config"],
        [STREAM],
        instance=stream_project["instance"],
        resources={"kafka": down},
        raise_on_error=False,
    )

    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "BrokerUnavailableError" in str(failure.event_specific_data.error)
    assert not result.get_asset_materialization_events()
    logs = stream_project["instance"].all_logs(result.run_id)
    assert logs and not any(PASSWORD in str(entry) for entry in logs)


def test_a_key_that_is_not_a_column_fails_before_publishing(stream_project, kafka_broker):
    import yaml

    document = yaml.safe_load(stream_project["config"].read_text())
    document["datasets"][0]["stream"]["key"] = "no_such_column"
    other = stream_project["config"].with_name("genesis-bad-key.yaml")  # same artifacts
    other.write_text(yaml.safe_dump(document))
    before = _count(kafka_broker, stream_project["topic"])
    result = materialize(
        other,
        [STREAM],
        instance=stream_project["instance"],
        resources=stream_project["kafka"],
        raise_on_error=False,
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "key_column 'no_such_column' is not a column" in str(failure.event_specific_data.error)
    assert _count(kafka_broker, stream_project["topic"]) == before


def _count(servers: str, topic: str) -> int:
    """Rows on the topic (0 when nothing was ever published to it)."""
    from genesis.errors import EmptySourceError, SourceNotFoundError

    try:
        return len(read_topic(servers, topic))
    except (EmptySourceError, SourceNotFoundError):
        return 0


def test_publishing_stays_out_of_refreshes_and_has_its_own_job(stream_project):
    defs = build_definitions(load_config(stream_project["config"]))
    refresh = defs.resolve_job_def("materialize_all").asset_layer.executable_asset_keys
    assert STREAM not in refresh and dg.AssetKey(["adult", "synthetic_dataset"]) in refresh
    assert defs.resolve_job_def("publish_streams").asset_layer.executable_asset_keys >= {STREAM}
    graph = defs.resolve_asset_graph()
    assert graph.get(STREAM).parent_keys == {dg.AssetKey(["adult", "synthesis_model"])}
    nightly = defs.resolve_job_def(next(iter(defs.schedules)).job_name)
    assert STREAM not in nightly.asset_layer.executable_asset_keys
    drift_run = defs.resolve_job_def(next(iter(defs.sensors)).job_name)
    drift_keys = drift_run.asset_layer.executable_asset_keys
    assert STREAM not in drift_keys and dg.AssetKey(["adult", "synthesis_model"]) in drift_keys


def _produce_rows(servers: str, topic: str, frame) -> None:
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": servers, "linger.ms": 20})
    for record in frame.to_dict(orient="records"):
        producer.produce(topic, json.dumps(record).encode())
    assert producer.flush(10) == 0


def test_a_kafka_topic_is_a_source_the_drift_sensor_follows(tmp_path, small_adult, kafka_broker):
    topic = f"adult-real-{uuid.uuid4().hex[:8]}"
    _produce_rows(kafka_broker, topic, small_adult)
    entry = adult_entry(
        source=f"kafka://{topic}",
        read_options={"max_messages": 1_000},
        drift={"sensor_interval_seconds": 60},
    )
    config = write_project(tmp_path, small_adult, entry)
    defs = build_definitions(load_config(config))
    kafka = KafkaResource(bootstrap_servers=kafka_broker)
    # the nightly refresh re-reads the topic: its job holds raw_source, which takes the resource
    nightly = defs.resolve_job_def(defs.resolve_schedule_def("nightly_refresh").job_name)
    source_key = dg.AssetKey(["adult", "raw_source"])
    assert source_key in nightly.asset_layer.executable_asset_keys
    assert "kafka" in defs.resolve_assets_def(source_key).required_resource_keys
    with dg.instance_for_test() as instance:
        model = dg.AssetSelection.assets(["adult", "synthesis_model"]).upstream()
        result = materialize(config, model, instance=instance, resources={"kafka": kafka})
        assert result.success
        source = metadata_of(result, "raw_source")
        assert source["dagster/row_count"] == 1_000 and source["source"] == f"kafka://{topic}"
        assert sum(end - first for first, end in source["kafka_offsets"].values()) == 1_000

        sensor = next(iter(defs.sensors))
        resources = {"io_manager": defs.resources["io_manager"], "kafka": kafka}

        def tick(cursor):
            with dg.build_sensor_context(
                instance=instance, cursor=cursor, resources=resources
            ) as context:
                return sensor(context)

        first = tick(None)
        assert "unchanged since the model was trained" in first.skip_reason.skip_message
        assert json.loads(first.cursor)["end_offsets"]
        second = tick(first.cursor)
        assert "topic unchanged since the last check" in second.skip_reason.skip_message

        drifted = small_adult.assign(
            age=small_adult["age"] + 30,
            **{"hours-per-week": small_adult["hours-per-week"] + 30},
            fnlwgt=small_adult["fnlwgt"] * 4,
            sex="Female",
            race="Other",
            income=">50K",
            **{"capital-gain": small_adult["capital-gain"] + 9_000},
            **{"education-num": np.minimum(small_adult["education-num"] + 6, 20)},
        )
        _produce_rows(kafka_broker, topic, drifted)  # the last 1,000 messages are now drifted
        third = tick(second.cursor)
        assert len(third.run_requests) == 1, third.skip_reason
        request = third.run_requests[0]
        assert request.tags["genesis/trigger"] == "drift_sensor"
        assert dg.AssetKey(["adult", "raw_source"]) in request.asset_selection


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"stream": {"topic": "bad topic"}}, "field 'stream.topic'.*not a legal Kafka topic"),
        ({"stream": {"topic": "t", "rows": 0}}, "field 'stream.rows'"),
        ({"stream": {"topic": "t", "format": "xml"}}, "field 'stream.format'"),
        ({"stream": {"topic": "t", "colour": 1}}, r"'stream.colour' is not a known.*'topic'"),
        ({"stream": {"topic": "t", "where": ["age >> 3"]}}, "field 'stream.where'"),
        (
            {"source": "kafka://same", "stream": {"topic": "same"}},
            "also the dataset's source",
        ),
        ({"source": "kafka://a b"}, "field 'source'.*legal Kafka topic"),
        ({"source": "kafka://t", "read_options": {"sep": ";"}}, r"takes only.*not \['sep'\]"),
        (
            {"source": "kafka://t", "read_options": {"max_messages": 0}},
            "read_options.max_messages': 0",
        ),
    ],
)
def test_kafka_mistakes_fail_when_the_file_loads(tmp_path, small_adult, entry, expected):
    config = write_project(tmp_path, small_adult, adult_entry(**entry))
    with pytest.raises(ConfigError, match=expected):
        load_config(config)


def test_a_broker_killed_mid_stream_fails_the_asset_with_the_failures_counted(
    stream_project, own_kafka_broker
):
    import threading
    import time

    from genesis.errors import GenesisError
    from genesis.io.kafka import topic_end_offsets

    servers = own_kafka_broker.bootstrap_servers
    kafka = KafkaResource(bootstrap_servers=servers, timeout=3.0)
    done = threading.Event()

    def kill_once_rows_arrive() -> None:  # mid-stream: after the first acknowledged rows
        while not done.is_set():
            try:
                if sum(topic_end_offsets(servers, stream_project["topic"], timeout=1).values()):
                    own_kafka_broker.kill()
                    return
            except GenesisError:
                pass
            time.sleep(0.05)

    killer = threading.Thread(target=kill_once_rows_arrive)
    killer.start()
    start = time.monotonic()
    try:
        result = materialize(
            stream_project["config"],
            [STREAM],
            instance=stream_project["instance"],
            resources={"kafka": kafka},
            run_config={
                "ops": {"adult__synthetic_stream": {"config": {"rows": 20_000, "rate": 2_000}}}
            },
            raise_on_error=False,
        )
    finally:
        done.set()
        killer.join(10)
    assert not result.success and time.monotonic() - start < 30
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    data = failure.event_specific_data
    assert "not acknowledged" in str(data.error)
    counts = {k: v.value for k, v in data.user_failure_data.metadata.items()}
    assert counts["failed"] > 0 and counts["acknowledged"] < 20_000
    assert not result.get_asset_materialization_events()
