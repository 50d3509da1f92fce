"""Source and schema stages: ``raw_source``, the training/holdout split, ``inferred_schema``."""

import dagster as dg
import pandas as pd

from genesis.io.kafka import ATTRS_KEY
from genesis.schema.types import Schema
from genesis.splits import split_holdout
from genesis_assets.config import DatasetConfig, check_columns
from genesis_assets.keys import stage_inputs
from genesis_assets.metadata import column_schema, schema_markdown, table_shape
from genesis_assets.stream_config import is_kafka_source
from genesis_resources.io_manager import REAL_DATA
from genesis_resources.kafka import KafkaResource

#: definition metadata of the stages holding real rows: stored owner-only (0600)
PRIVATE = {REAL_DATA: True}


def build_source_assets(ds: DatasetConfig) -> list[dg.AssetsDefinition]:
    """The source stages of one dataset: ``raw_source``, ``split`` and ``inferred_schema``."""
    prefix = [ds.name]

    def materialize_source(kafka: KafkaResource | None) -> dg.MaterializeResult[pd.DataFrame]:
        from genesis.io import fingerprint

        df = read_source(ds, kafka)
        check_columns(ds, list(df.columns))
        content_hash = fingerprint(df)
        # no preview of real rows: metadata lands in the event log, readable by every UI user
        metadata = {**table_shape(df), "source": ds.display_source, "content_hash": content_hash}
        if ATTRS_KEY in df.attrs:  # a topic snapshot: which messages it holds
            offsets = df.attrs[ATTRS_KEY]["offsets"]
            metadata["kafka_offsets"] = dg.MetadataValue.json(
                {str(p): r for p, r in offsets.items()}
            )
        return dg.MaterializeResult(
            value=df, data_version=dg.DataVersion(content_hash), metadata=metadata
        )

    source_spec = {
        "key_prefix": prefix,
        "name": "raw_source",
        "group_name": ds.name,
        "kinds": {"kafka", "pandas"} if is_kafka_source(ds.source) else {"pandas"},
        "metadata": PRIVATE,
        "code_version": ds.version_of("source", "format", "query", "read_options"),
        "description": f"The real table of '{ds.name}', read from {ds.display_source}"
        + (
            " (a bounded snapshot: the messages up to the topic's end offsets at the start)."
            if is_kafka_source(ds.source)
            else "."
        ),
    }
    if is_kafka_source(ds.source):

        @dg.asset(**source_spec)
        def raw_source(kafka: KafkaResource) -> dg.MaterializeResult[pd.DataFrame]:
            return materialize_source(kafka)

    else:

        @dg.asset(**source_spec)
        def raw_source() -> dg.MaterializeResult[pd.DataFrame]:
            return materialize_source(None)

    @dg.multi_asset(
        outs={
            "training_data": dg.AssetOut(
                key=[*prefix, "training_data"],
                is_required=False,
                code_version=ds.version_of("holdout_fraction", "seed"),
                description="Real rows the synthesizer learns from (and the drift baseline).",
                kinds={"pandas"},
                metadata=PRIVATE,
            ),
            "holdout_data": dg.AssetOut(
                key=[*prefix, "holdout_data"],
                is_required=False,
                code_version=ds.version_of("holdout_fraction", "seed"),
                description="Real rows kept out of training, to score quality and privacy honestly.",
                kinds={"pandas"},
                metadata=PRIVATE,
            ),
        },
        ins=stage_inputs(ds.name, "raw_source"),
        name=f"{ds.name}__split",
        group_name=ds.name,
        can_subset=True,
    )
    def split(context: dg.AssetExecutionContext, raw_source: pd.DataFrame):
        training, holdout = split_holdout(raw_source, ds.holdout_fraction, ds.seed)
        selected = context.selected_output_names  # e.g. only training_data for the model
        if "training_data" in selected:
            yield dg.Output(training, "training_data", metadata=table_shape(training))
        if "holdout_data" in selected:
            yield dg.Output(
                holdout,
                "holdout_data",
                metadata={**table_shape(holdout), "holdout_fraction": ds.holdout_fraction},
            )

    @dg.asset(
        key_prefix=prefix,
        group_name=ds.name,
        ins=stage_inputs(ds.name, "raw_source"),
        code_version="1",
        description="Column kinds, semantic types, PII flags and bounds inferred from the source.",
    )
    def inferred_schema(raw_source: pd.DataFrame) -> dg.Output[Schema]:
        from genesis.schema import infer_schema

        schema = infer_schema(raw_source)
        return dg.Output(
            schema,
            metadata={
                "dagster/column_schema": column_schema(schema),
                "schema": schema_markdown(schema),
                "columns": len(schema),
                "pii_columns": ", ".join(schema.pii_columns) or "none",
                "target": ds.target or "none",
                "sensitive_columns": ", ".join(ds.sensitive_columns) or "none",
                "quasi_identifiers": ", ".join(ds.quasi_identifiers) or "none",
            },
        )

    return [raw_source, split, inferred_schema]


def read_source(ds: DatasetConfig, kafka: KafkaResource | None = None) -> pd.DataFrame:
    """The real table of ``ds`` as it is now: a file, URL or database through
    :func:`genesis.io.read_table`, or a snapshot of a ``kafka://`` topic read through
    ``kafka`` (its brokers unless the URL names some, always its security settings)."""
    from genesis.io import read_table
    from genesis.io.kafka import parse_kafka_source, read_topic

    if not is_kafka_source(ds.source):
        return read_table(ds.source, ds.format, query=ds.query, **ds.read_options)
    if kafka is None:
        from genesis.errors import InvalidParameterError

        raise InvalidParameterError(
            f"dataset {ds.name!r} reads a Kafka topic; pass the kafka resource"
        )
    servers, topic = parse_kafka_source(ds.source)
    return read_topic(
        servers or kafka.bootstrap_servers,
        topic,
        max_messages=ds.read_options.get("max_messages"),
        config=kafka.client_settings(),
        timeout=ds.read_options.get("timeout", kafka.timeout),
    )


def source_end_offsets(ds: DatasetConfig, kafka: KafkaResource) -> dict[str, int]:
    """The end offsets of a ``kafka://`` source's partitions (``{"0": 120, ...}``): its
    version, which changes exactly when a message is written."""
    from genesis.io.kafka import parse_kafka_source, topic_end_offsets

    servers, topic = parse_kafka_source(ds.source)
    ends = topic_end_offsets(
        servers or kafka.bootstrap_servers,
        topic,
        config=kafka.client_settings(),
        timeout=ds.read_options.get("timeout", kafka.timeout),
    )
    return {str(p): e for p, e in sorted(ends.items())}
