"""``drift_sensor``: regenerate a dataset's synthetic twin as soon as its source drifts.

One sensor per dataset (``<dataset>_drift_sensor``), so each has the interval and
thresholds of its ``drift:`` block in ``genesis.yaml``. Each tick:

1. read the source and fingerprint it (:func:`genesis.io.fingerprint`, the content hash
   ``raw_source`` uses as its data version); a ``kafka://`` topic is read only when its end
   offsets (recorded in the cursor) moved since the last check: "topic unchanged" otherwise;
2. skip when the fingerprint is the one the cursor holds, or the data version of the latest
   ``raw_source`` materialization: "source unchanged";
3. otherwise compare the source with the rows the model was trained on (the protected
   ``training_data`` artifact, loaded through the IO manager like any asset input) using
   :class:`genesis.drift.DriftDetector`;
4. on dataset drift, request ONE run of every asset of the dataset (``raw_source`` through
   ``synthesis_model`` and all downstream), keyed by the fingerprint; else skip with
   "source changed, drift share 0.12 < 0.5".

The cursor records the last fingerprint judged, so one change triggers at most one run.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import dagster as dg

from genesis_assets.config import DatasetConfig
from genesis_assets.drift_assets import detector_for
from genesis_assets.source_assets import read_source, source_end_offsets
from genesis_assets.stream_config import is_kafka_source
from genesis_resources import GenesisIOManager
from genesis_resources.kafka import KafkaResource

_TAG_LIMIT = 200


def build_drift_sensor(ds: DatasetConfig, asset_keys: Sequence[dg.AssetKey]) -> dg.SensorDefinition:
    """The drift sensor of one dataset; a drift run re-materializes ``asset_keys``."""
    keys = sorted(asset_keys, key=lambda k: k.to_user_string())
    model_key = dg.AssetKey([ds.name, "synthesis_model"])
    source_key = dg.AssetKey([ds.name, "raw_source"])
    status = (
        dg.DefaultSensorStatus.RUNNING
        if ds.drift.sensor_running
        else dg.DefaultSensorStatus.STOPPED
    )

    sensor = dg.sensor(
        name=f"{ds.name}_drift_sensor",
        minimum_interval_seconds=ds.drift.sensor_interval_seconds,
        default_status=status,
        target=keys,
        description=(
            f"Every {ds.drift.sensor_interval_seconds} s: fingerprint the source of "
            f"'{ds.name}'; when it changed and at least {ds.drift.drift_share:.0%} of its columns "
            "drifted from the rows the model was trained on, regenerate the whole dataset."
        ),
    )

    def evaluate(
        context: dg.SensorEvaluationContext,
        io_manager: GenesisIOManager,
        kafka: KafkaResource | None,
    ) -> dg.SensorResult:
        from genesis.io import fingerprint

        cursor = json.loads(context.cursor) if context.cursor else {}
        ends = None
        if kafka is not None:  # a topic: its end offsets say whether anything was written
            ends = source_end_offsets(ds, kafka)
            if cursor.get("end_offsets") == ends:
                return _skip(f"topic unchanged since the last check (end offsets {ends})", cursor)
        current = read_source(ds, kafka)
        source_fp = fingerprint(current)
        if cursor.get("fingerprint") == source_fp:
            return _skip(
                f"source unchanged since the last check ({source_fp[:12]})",
                {**cursor, **({"end_offsets": ends} if ends is not None else {})},
            )
        event = context.instance.get_latest_materialization_event(model_key)
        if event is None or event.asset_materialization is None:
            return _skip(
                f"no {model_key.to_user_string()} materialized yet, so no baseline to compare "
                "the source with; materialize the dataset first",
                cursor,
            )
        cursor = {"fingerprint": source_fp, **({"end_offsets": ends} if ends is not None else {})}
        source = context.instance.get_latest_materialization_event(source_key)
        recorded = (source.asset_materialization.tags or {}) if source else {}
        if recorded.get("dagster/data_version") == source_fp:
            return _skip(f"source unchanged since the model was trained ({source_fp[:12]})", cursor)
        training = io_manager.load_stage(ds.name, "training_data")
        schema = io_manager.load_stage(ds.name, "inferred_schema")
        report = detector_for(ds, schema).detect(training, current)
        context.log.info(f"{ds.name}: {report.summary()}")
        if not report.dataset_drift:
            return _skip(
                f"source changed, drift share {report.share:.2f} < {report.drift_share:g} "
                f"(drifted: {', '.join(report.drifted_columns) or 'none'})",
                cursor,
            )
        request = dg.RunRequest(
            run_key=f"{ds.name}-drift-{source_fp[:16]}",
            asset_selection=keys,
            tags={
                "genesis/trigger": "drift_sensor",
                "genesis/dataset": ds.name,
                "genesis/drift_share": f"{report.share:.2f}",
                "genesis/drifted_columns": ",".join(report.drifted_columns)[:_TAG_LIMIT],
                "genesis/source_fingerprint": source_fp,
            },
        )
        return dg.SensorResult(run_requests=[request], cursor=json.dumps(cursor))

    if is_kafka_source(ds.source):

        def drift_sensor(
            context: dg.SensorEvaluationContext, io_manager: GenesisIOManager, kafka: KafkaResource
        ) -> dg.SensorResult:
            return evaluate(context, io_manager, kafka)

    else:

        def drift_sensor(
            context: dg.SensorEvaluationContext, io_manager: GenesisIOManager
        ) -> dg.SensorResult:
            return evaluate(context, io_manager, None)

    return sensor(drift_sensor)


def _skip(reason: str, cursor: dict) -> dg.SensorResult:
    return dg.SensorResult(
        skip_reason=dg.SkipReason(reason), cursor=json.dumps(cursor) if cursor else None
    )


def dataset_asset_keys(chain: dg.Definitions) -> list[dg.AssetKey]:
    """Every asset key of one dataset's chain (what a drift run re-materializes)."""
    return sorted(
        {key for asset in chain.assets or [] for key in getattr(asset, "keys", ())},
        key=lambda k: k.to_user_string(),
    )
