"""Stream stage: ``synthetic_stream``, the dataset's current model publishing rows to Kafka.

A dataset with ``stream:`` in ``genesis.yaml`` (see :mod:`genesis_assets.stream_config`) gets
the asset ``<dataset>/synthetic_stream`` downstream of ``synthesis_model``. Materializing it
publishes ``rows`` rows at ``rate`` rows/s through the ``kafka`` resource
(:meth:`genesis_resources.kafka.KafkaResource.streaming_generator`: an idempotent producer,
``acks=all``) and records the topic, partitions, offset ranges, rows, rows/s and failures. It
fails when any message is not acknowledged, or the broker cannot be reached.

Publishing is a side effect on another system, so these assets carry the tag
``genesis/publishes: kafka`` and stay out of ``materialize_all``, the nightly refresh and
drift runs (:data:`REFRESH_SELECTION`): a refit does not push rows into a live topic
unasked, and ``make demo`` needs no broker. Publish from the UI (the asset's "Materialize",
where the launchpad can override rows and rate), or with the ``publish_streams`` job.
"""

import hashlib
import time
from typing import Any

import dagster as dg
from pydantic import Field

from genesis_assets.config import DatasetConfig, GenesisConfig
from genesis_assets.keys import stage_inputs
from genesis_resources.kafka import KafkaResource

#: asset name of a dataset's stream
STAGE = "synthetic_stream"
#: tag of the assets that publish to an external system
PUBLISHES_TAG = "genesis/publishes"
#: what materialize_all, nightly_refresh and drift runs select: every asset but the publishers
REFRESH_SELECTION = (
    dg.AssetSelection.all()
    - dg.AssetSelection.tag(PUBLISHES_TAG, "kafka")
    - dg.AssetSelection.tag("genesis/federated", "true")  # federated_assets.FEDERATED_TAGS
    - dg.AssetSelection.tag("genesis/scale", "chunked")  # scale_assets.SCALE_TAG: asked for,
    - dg.AssetSelection.tag("genesis/scale", "manifest")  # never a side effect of a refit
    - dg.AssetSelection.tag("genesis/scale", "dask")
)
#: seconds between two progress lines in the run's log
PROGRESS_EVERY = 5.0


class StreamRunConfig(dg.Config):
    """Per-run overrides of the dataset's ``stream:`` (the launchpad shows these)."""

    rows: int | None = Field(None, gt=0, description="Rows to publish; empty: stream.rows.")
    rate: float | None = Field(
        None, gt=0, description="Rows per second; empty: stream.rate from genesis.yaml."
    )
    seed: int | None = Field(
        None,
        ge=0,
        description="Seed of this run's rows; empty: the dataset's. Batch i is drawn from "
        "(seed, i): the same seed and model publish the same batches again (keys included); "
        "another seed publishes other rows.",
    )


def build_stream_assets(ds: DatasetConfig) -> list[dg.AssetsDefinition]:
    """``synthetic_stream`` when ``ds`` has ``stream:``, else nothing."""
    if ds.stream is None:
        return []
    stream = ds.stream
    seed = ds.seed if stream.seed is None else stream.seed
    conditions = stream.condition_set()

    @dg.asset(
        key_prefix=[ds.name],
        name=STAGE,
        group_name=ds.name,
        ins=stage_inputs(ds.name, "synthesis_model"),
        kinds={"kafka"},
        tags={PUBLISHES_TAG: "kafka"},
        code_version=hashlib.sha256(f"{stream.model_dump_json()}|{seed}".encode()).hexdigest()[:12],
        description=(
            f"Publishes {stream.rows:,} synthetic rows of '{ds.name}' to the Kafka topic "
            f"'{stream.topic}' ({stream.format}"
            + (f", {stream.rate:g} rows/s" if stream.rate else ", as fast as acknowledged")
            + "). Not part of materialize_all: materialize it to publish."
        ),
    )
    def synthetic_stream(
        context: dg.AssetExecutionContext,
        config: StreamRunConfig,
        synthesis_model: Any,
        kafka: KafkaResource,
    ) -> dg.MaterializeResult:
        from genesis.errors import BrokerUnavailableError, DeliveryError

        rows = config.rows or stream.rows
        rate = config.rate or stream.rate
        run_seed = seed if config.seed is None else config.seed
        generator = kafka.streaming_generator(
            synthesis_model,
            stream.topic,
            batch_size=stream.batch_size,
            key_column=stream.key,
            value_serializer=stream.format,
            seed=run_seed,
            conditions=conditions,
            include_metadata=stream.include_metadata,
        )
        where = {"topic": stream.topic, "bootstrap_servers": kafka.bootstrap_servers}
        try:
            generator.start_streaming(rate, max_samples=rows, progress=_progress(context.log))
        except BrokerUnavailableError as exc:
            raise dg.Failure(description=str(exc), metadata={**where, "failed": 0}) from exc
        except DeliveryError as exc:
            raise dg.Failure(
                description=f"{exc} ({exc.failed:,} not acknowledged, {exc.acknowledged:,} "
                f"acknowledged, topic {stream.topic!r})",
                metadata={**where, "failed": exc.failed, "acknowledged": exc.acknowledged},
            ) from exc
        report = generator.delivery_report()
        failed = int(report.get("failed") or 0)
        if failed or int(report.get("rows") or 0) != rows:
            raise dg.Failure(
                description=f"{failed:,} messages not acknowledged and "
                f"{report.get('rows', 0):,} of {rows:,} rows delivered to {stream.topic!r}",
                metadata={**where, "failed": failed, "rows": int(report.get("rows") or 0)},
            )
        return dg.MaterializeResult(metadata=_metadata(report, stream, rate, run_seed, where))

    return [synthetic_stream]


def build_stream_jobs(config: GenesisConfig) -> list:
    """``publish_streams``: every ``synthetic_stream`` (none when no dataset streams)."""
    if not any(ds.stream for ds in config.datasets):
        return []
    return [
        dg.define_asset_job(
            "publish_streams",
            selection=dg.AssetSelection.tag(PUBLISHES_TAG, "kafka"),
            description="Publish every dataset's synthetic_stream (its current model) to Kafka.",
        )
    ]


def stream_keys(config: GenesisConfig) -> set[dg.AssetKey]:
    """The keys of every ``synthetic_stream`` asset."""
    return {dg.AssetKey([ds.name, STAGE]) for ds in config.datasets if ds.stream}


def _progress(log: Any):
    last = [time.monotonic()]

    def report(stats: Any) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY:
            last[0] = now
            log.info(
                f"{stats.acknowledged:,} rows acknowledged, {stats.failed:,} failed, "
                f"{stats.samples_per_second:,.0f} rows/s"
            )

    return report


def _metadata(
    report: dict, stream: Any, rate: float | None, seed: int, where: dict
) -> dict[str, Any]:
    offsets = {str(p): list(r) for p, r in (report.get("offset_ranges") or {}).items()}
    return {
        **where,
        "partitions": len(report.get("partitions") or offsets),
        "offset_ranges": dg.MetadataValue.json(offsets),  # partition -> [first, last]
        "rows": int(report.get("rows") or 0),
        "rows_per_second": round(float(report.get("rows_per_second") or 0.0), 1),
        "failed": int(report.get("failed") or 0),
        "format": stream.format,
        "key": stream.key or "row sequence number",
        "target_rate": rate if rate is not None else "unlimited",
        "seed": seed,
    }
