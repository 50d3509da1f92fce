"""The datasets Genesis orchestrates, read from ``genesis.yaml``.

The file is found through the ``GENESIS_CONFIG`` environment variable, else at the top of
the project (the folder holding this package). Everything that can be checked without
reading the data is checked when the file is loaded, so a mistake stops the code location
from loading with a message that names the dataset, the field and the fix, instead of
failing halfway through a run.

Example::

    storage:
      root: .genesis/artifacts          # relative paths resolve against this file's folder
    datasets:
      - name: adult
        source: genesis_assets/data/adult_sample.csv
        target: income
        sensitive_columns: [income]
        quasi_identifiers: [age, sex, race]
        method: cart
        seed: 0
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from genesis.errors import ConfigError, GenesisError
from genesis.io.urls import is_url, redact_url
from genesis_assets.deployment import K8sExecutorConfig, k8s_problems
from genesis_assets.federated_config import FederatedSettings, SiteSourceConfig, federated_problems
from genesis_assets.pipeline_config import pipeline_problems
from genesis_assets.relational_config import (
    RelationshipConfig,
    relational_problems,
    single_table_problems,
)
from genesis_assets.scale_config import ScaleConfig, scale_problems
from genesis_assets.scenario_config import ScenarioConfig, scenario_problems
from genesis_assets.schedule_config import ScheduleConfig, schedule_problems
from genesis_assets.stream_config import StreamConfig, kafka_source_problems, stream_problems

#: environment variable naming the configuration file to load instead of the default one
CONFIG_ENV_VAR = "GENESIS_CONFIG"
#: the project's own configuration, used when ``GENESIS_CONFIG`` is not set
DEFAULT_CONFIG_PATH = Path(__file__).resolve().parents[1] / "genesis.yaml"

_NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# "scheme://..." with a scheme of two letters or more, so Windows drive letters stay paths


class DriftConfig(BaseModel):
    """How a dataset's drift sensor watches its source (see ``genesis.drift.DriftDetector``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    sensor_interval_seconds: int = Field(
        300, ge=30, description="Seconds between two checks of the source by the drift sensor."
    )
    sensor_running: bool = Field(
        True,
        description="Whether the drift sensor runs as soon as the code location loads. On by "
        "default: a tick only reads the source and regenerates when it really drifted.",
    )
    drift_share: float = Field(
        0.5, gt=0.0, le=1.0, description="Share of drifted columns that triggers regeneration."
    )
    thresholds: dict[str, float] = Field(
        default_factory=dict,
        description="Per-test (ks, chisquare, z, wasserstein, jensenshannon, psi) or per-column "
        "threshold overrides; defaults are Evidently's (0.05 p-values, 0.1 distances).",
    )
    tests: dict[str, str] = Field(
        default_factory=dict, description="Test per column (e.g. {age: psi}); others: auto."
    )


class PrivacyRetryConfig(BaseModel):
    """Opt-in: when the fitted model fails the privacy audit, refit more privately.

    The ladder (:func:`genesis.privacy_attacks.retry.default_ladder`) goes from the configured
    method to CART with larger leaves, then the DP Gaussian copula at ``epsilon``; each
    attempt is audited against the holdout and recorded in the model's metadata and the
    version's lineage. When none passes, ``synthesis_model`` fails and lists them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    max_attempts: int = Field(3, ge=1, le=10, description="Fits at most, the first included.")
    epsilon: float = Field(
        1.0, gt=0.0, description="Epsilon of the DP copula, the ladder's last step."
    )


class DatasetConfig(BaseModel):
    """One sensitive table and how to synthesise it (one asset chain per dataset)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    name: str = Field(description="Asset key prefix and asset group: letters, digits, '_'.")
    source: str | None = Field(
        None,
        description="Path (relative to genesis.yaml) or URI (s3://..., SQLAlchemy URL, "
        "kafka://topic) of the table; or 'tables' instead, for several linked tables.",
    )
    tables: dict[str, str] | None = Field(
        None,
        description="Several tables linked by keys, instead of 'source': {name: path or URI} "
        "(see genesis_assets/relational_config.py).",
    )
    relationships: list[RelationshipConfig] | None = Field(
        None,
        description="With 'tables': the foreign keys ({parent, parent_key, child, child_key}, "
        "the rel.yaml format); inferred from the data when omitted.",
    )
    primary_keys: dict[str, list[str]] | None = Field(
        None, description="With 'relationships': each table's key columns (else inferred)."
    )
    root: str | None = Field(
        None,
        description="With 'tables': the table the privacy audit runs on, joined with "
        "aggregates of its children; default: the root table with the most rows.",
    )
    sites: list[SiteSourceConfig] | None = Field(
        None, description="A federated dataset instead of 'source': [{name, source}, ...] "
        "(see genesis_assets/federated_config.py).",
    )  # fmt: skip
    federated: FederatedSettings | None = Field(
        None, description="With 'sites': {epsilon, delta, secure} of the aggregation."
    )
    scale: float | ScaleConfig = Field(
        1.0,
        description="With 'tables': rows of every synthetic table as a multiple of its real "
        "rows (children follow their parents). With 'source': {rows, chunk_rows}, the asset "
        "large_synthetic partitioned by chunk (see genesis_assets/scale_config.py).",
    )
    format: str | None = Field(None, description="csv, parquet, jsonl, sql; else from extension.")
    query: str | None = Field(None, description="SQL query, for SQLAlchemy URL sources.")
    read_options: dict[str, Any] = Field(
        default_factory=dict, description="Extra keyword arguments for genesis.io.read_table."
    )
    target: str | None = Field(None, description="Column predicted in the ML-utility score.")
    sensitive_columns: list[str] = Field(
        default_factory=list, description="Attributes an attacker must not infer."
    )
    quasi_identifiers: list[str] = Field(
        default_factory=list, description="Columns that together could re-identify a person."
    )
    method: str = Field(
        "auto",
        description="Synthesis method: 'auto' (AutoML measures the methods and keeps the best) "
        "or one of genesis.generators.METHODS.",
    )
    method_params: dict[str, Any] = Field(
        default_factory=dict, description="Method parameters, e.g. {epochs: 50} for ctgan."
    )
    automl_time_budget: float = Field(
        30.0,
        gt=0,
        description="Seconds the AutoML search (method 'auto') may take, final refit included.",
    )
    rows: int | None = Field(
        None, gt=0, description="Rows to generate; default: as many as the source."
    )
    quality_threshold: float = Field(
        0.8, ge=0.0, le=1.0, description="Lowest overall quality score the blocking check accepts."
    )
    seed: int = Field(0, ge=0, description="Seed of the holdout split, the model and generation.")
    holdout_fraction: float = Field(
        0.2,
        ge=0.0,
        le=0.5,
        description="Share of real rows kept out of training for honest scores.",
    )
    privacy_max_risk: Literal["LOW", "MEDIUM", "HIGH", "CRITICAL"] = Field(
        "MEDIUM",
        description="Worst overall privacy risk the blocking privacy_audit_passed check accepts.",
    )
    privacy_retry: PrivacyRetryConfig | None = Field(
        None,
        description="Opt-in: refit more privately when the audit fails (off when absent); "
        "needs holdout_fraction > 0.",
    )
    drift: DriftConfig = Field(
        default_factory=DriftConfig, description="Drift sensor settings of this dataset."
    )
    versioning: DatasetVersioningConfig = Field(
        default_factory=lambda: DatasetVersioningConfig(),
        description="Branch the dataset's versions go to, and the tag consumers are pinned to.",
    )
    scenarios: dict[str, ScenarioConfig] = Field(
        default_factory=dict,
        description="Named conditional generations, each the asset <dataset>/scenario_<name>: "
        "{seniors: {rows: 1000, where: ['age>=60']}} (see genesis_assets/scenario_config.py).",
    )
    stream: StreamConfig | None = Field(
        None,
        description="Publish synthetic rows to Kafka: the asset <dataset>/synthetic_stream "
        "(see genesis_assets/stream_config.py).",
    )

    @property
    def is_relational(self) -> bool:
        """Whether the dataset names several tables (``tables:``) rather than a ``source``."""
        return self.tables is not None

    @property
    def is_federated(self) -> bool:
        """Whether the dataset is federated over ``sites`` (each keeps its rows)."""
        return self.sites is not None or self.federated is not None

    @property
    def large(self) -> ScaleConfig | None:
        """The chunked generation of ``scale: {rows, chunk_rows}``; None when not configured."""
        return self.scale if isinstance(self.scale, ScaleConfig) else None

    @property
    def is_uri(self) -> bool:
        """Whether ``source`` is a URI rather than a local path."""
        return self.source is not None and is_url(self.source)

    @property
    def display_source(self) -> str:
        """``source`` with any password in a URL masked, for descriptions and metadata (the
        table names of a dataset of several tables)."""
        if self.source is None:
            return "tables " + ", ".join(self.tables or {})
        return redact_url(self.source)

    def version_of(self, *fields: str) -> str:
        """A short, stable hash of the named settings, used as an asset's code version.

        When a setting an asset reads changes in ``genesis.yaml``, the asset's code version
        changes and Dagster shows it (and everything downstream) as stale.
        """
        values = {f: getattr(self, f) for f in fields}
        digest = hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode())
        return digest.hexdigest()[:12]


class StorageConfig(BaseModel):
    """Where artifacts (Parquet tables, models, reports) are written."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    root: str = Field(
        ".genesis/artifacts", description="Artifact folder, relative to genesis.yaml."
    )
    kind: Literal["local", "s3"] = Field(
        "local",
        description="'local': the folder 'root'; 's3': s3://<bucket>/<prefix>/ (credentials "
        "from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY through dg.EnvVar).",
    )
    bucket: str | None = Field(None, description="S3 bucket (kind: s3).")
    prefix: str = Field("genesis", description="Key prefix inside the bucket (kind: s3).")
    endpoint_url: str | None = Field(
        None, description="S3-compatible endpoint (MinIO, moto...); empty for AWS."
    )
    region: str | None = Field(None, description="S3 region.")


class ReportsConfig(BaseModel):
    """Where the UI links the HTML reports: the report server (``genesis serve-reports``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    base_url: str = Field(
        "http://127.0.0.1:8765",
        description="URL of the report server serving the artifact root (make ui starts it); "
        "metadata links each report as <base_url>/<dataset>/<report>.html.",
    )


class DatasetVersioningConfig(BaseModel):
    """Per dataset: where its versions go and which one consumers read."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    branch: str = Field("main", description="Iceberg branch each materialization commits to.")
    pin_tag: str | None = Field(
        None, description="Tag downstream assets read instead of the branch head (e.g. 'v1')."
    )


class VersioningConfig(BaseModel):
    """Where synthetic versions live: an Apache Iceberg catalog and warehouse."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    warehouse: str = Field(
        ".genesis/warehouse",
        description="Local folder (relative to genesis.yaml; embedded SQLite catalog inside) "
        "or s3://bucket/prefix together with 'catalog'.",
    )
    catalog: dict[str, str] = Field(
        default_factory=dict,
        description="PyIceberg catalog properties (type, uri, s3.endpoint...); empty: the "
        "embedded SQLite catalog. S3 keys come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.",
    )


class GenesisConfig(BaseModel):
    """The whole ``genesis.yaml``: the datasets and where their artifacts go."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    datasets: list[DatasetConfig] = Field(description="One asset chain per dataset.")
    storage: StorageConfig = Field(default_factory=StorageConfig)
    versioning: VersioningConfig = Field(
        default_factory=VersioningConfig, description="Iceberg catalog of the synthetic versions."
    )
    schedule: ScheduleConfig = Field(
        default_factory=ScheduleConfig, description="The nightly_refresh schedule."
    )
    reports: ReportsConfig = Field(
        default_factory=ReportsConfig, description="Where the UI links the HTML reports."
    )
    pipelines: list[str] = Field(
        default_factory=list,
        description="YAML pipelines (genesis.pipeline) compiled into assets beside the "
        "datasets, paths relative to genesis.yaml (see genesis_assets/pipeline_config.py).",
    )
    executor: Literal["multiprocess", "in_process", "k8s"] = Field(
        "multiprocess",
        description=(
            "How runs execute their steps: 'multiprocess' (Dagster's default: one process per "
            "step, datasets in parallel; a run's launch config may still pick in_process), "
            "'in_process' (one process: far less start-up cost for a single small chain) or "
            "'k8s' (dagster-k8s's k8s_job_executor: one Kubernetes pod per step; the profile "
            "deploy/k8s/genesis.k8s.yaml)."
        ),
    )
    k8s: K8sExecutorConfig | None = Field(
        None, description="With executor 'k8s': pods per run and each step pod's resources."
    )


def config_path() -> Path:
    """The configuration file in use: ``$GENESIS_CONFIG`` if set, else the project's own."""
    override = os.environ.get(CONFIG_ENV_VAR)
    return Path(override).expanduser().resolve() if override else DEFAULT_CONFIG_PATH


def load_config(path: str | os.PathLike[str] | None = None) -> GenesisConfig:
    """Read and validate ``genesis.yaml``.

    Relative ``source`` paths and the storage root are resolved against the folder of the
    file, so the result holds absolute paths and does not depend on the working directory.

    Args:
        path: the file to read; default :func:`config_path`.

    Raises:
        ConfigError: the file is missing or not YAML, a key is unknown, a value has the
            wrong type, a dataset name is invalid or repeated, a method is unknown, or a
            source file does not exist. The message names the dataset and the field.
    """
    file = Path(path).expanduser().resolve() if path is not None else config_path()
    where = f"{file}"
    if not file.is_file():
        hint = (
            f"set {CONFIG_ENV_VAR} to an existing file"
            if os.environ.get(CONFIG_ENV_VAR) and path is None
            else f"create it, or point {CONFIG_ENV_VAR} at your genesis.yaml"
        )
        raise ConfigError(f"configuration file {where} does not exist; {hint}")
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where} is not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{where} must be a mapping with a 'datasets:' list at the top level; "
            f"got {type(raw).__name__}"
        )
    try:
        config = GenesisConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_explain(where, raw, exc)) from None
    return _resolve(config, file.parent, where)


def _dataset_label(raw: dict[str, Any], index: int) -> str:
    datasets = raw.get("datasets")
    if isinstance(datasets, list) and index < len(datasets) and isinstance(datasets[index], dict):
        name = datasets[index].get("name")
        if name is not None:
            return f"dataset {name!r}"
    return f"dataset #{index + 1}"


def _explain(where: str, raw: dict[str, Any], exc: ValidationError) -> str:
    """Turn pydantic's errors into lines naming the dataset, the field and the fix."""
    lines = []
    for error in exc.errors():
        loc = list(error["loc"])
        if loc[:1] == ["datasets"] and len(loc) >= 2 and isinstance(loc[1], int):
            label = _dataset_label(raw, loc[1])
            model: type[BaseModel] = DatasetConfig
            field_path = loc[2:]
        elif loc[:1] == ["storage"]:
            label, model, field_path = "storage", StorageConfig, loc[1:]
        else:
            label, model, field_path = "top level", GenesisConfig, loc
        field = ".".join(str(p) for p in field_path) or "(whole entry)"
        allowed = sorted(_nested_model(model, field_path[:-1]).model_fields)
        kind = error["type"]
        if kind == "extra_forbidden":
            fix = f"remove it or correct its spelling; known fields are {allowed}"
            problem = "is not a known field"
        elif kind == "missing":
            problem = "is required"
            fix = "add it"
            if model is DatasetConfig and field_path == ["source"]:
                fix = "add the path or URI of the table to synthesise"
        else:
            problem = f"has the value {error.get('input')!r}: {error['msg']}"
            fix = "correct the value"
        lines.append(f"{label}, field {field!r} {problem}; {fix}")
    return f"{where} is invalid:\n  " + "\n  ".join(lines)


def _nested_model(model: type[BaseModel], path: list) -> type[BaseModel]:
    """The model holding the field at ``path`` (``stream.topic`` -> StreamConfig)."""
    for part in path:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        nested = (
            [
                t
                for t in (field.annotation, *getattr(field.annotation, "__args__", ()))
                if isinstance(t, type) and issubclass(t, BaseModel)
            ]
            if field is not None
            else []
        )
        if not nested:
            break
        model = nested[0]
    return model


def _resolve(config: GenesisConfig, base: Path, where: str) -> GenesisConfig:
    from genesis.generators import ALL_METHODS, SyntheticGenerator  # only once the YAML is valid

    problems: list[str] = []
    if not config.datasets:
        problems.append("field 'datasets' is empty; declare at least one dataset")
    seen: set[str] = set()
    datasets = []
    for ds in config.datasets:
        label = f"dataset {ds.name!r}"
        if not _NAME_PATTERN.match(ds.name):
            problems.append(
                f"{label}, field 'name': must start with a letter or '_' and hold only letters, "
                "digits and '_' (it becomes a Dagster asset key prefix and group); rename it"
            )
        if ds.name in seen:
            problems.append(
                f"{label}, field 'name': the name is used by another dataset; give each dataset "
                "a unique name"
            )
        seen.add(ds.name)
        if ds.method not in ALL_METHODS:
            problems.append(
                f"{label}, field 'method': {ds.method!r} is not a synthesis method; "
                f"use one of {list(ALL_METHODS)}"
            )
        else:
            try:  # the constructor only checks parameter names and values: cheap
                SyntheticGenerator(ds.method, seed=ds.seed, **ds.method_params)
            except GenesisError as exc:
                problems.append(f"{label}, field 'method_params': {exc}")
        for field in ("sensitive_columns", "quasi_identifiers"):
            values = getattr(ds, field)
            repeated = sorted({v for v in values if values.count(v) > 1})
            if repeated:
                problems.append(
                    f"{label}, field {field!r}: {repeated} listed twice; list each once"
                )
        problems.extend(_drift_problems(ds, label))
        if "scale" in ds.model_fields_set:
            problems.extend(
                scale_problems(
                    ds.scale, relational=ds.is_relational, federated=ds.is_federated, label=label
                )
            )
        if ds.is_federated:  # sites keeping their rows: their own checks
            found, sites = federated_problems(ds, base, label)
            problems.extend(found)
            datasets.append(ds.model_copy(update={"sites": sites}))
            continue
        if ds.is_relational or ds.source is None:  # several tables: their own checks
            found, tables = relational_problems(ds, base, label)
            problems.extend(found)
            datasets.append(ds.model_copy(update={"tables": tables}))
            continue
        problems.extend(single_table_problems(ds, label))
        problems.extend(_format_problems(ds, label))
        problems.extend(scenario_problems(ds.scenarios, label))
        problems.extend(stream_problems(ds.stream, ds.source, label))
        problems.extend(kafka_source_problems(ds.source, ds.read_options, label))
        source = ds.source
        if not ds.is_uri or source.startswith("file://"):
            local = Path(source.removeprefix("file://")).expanduser()
            local = local if local.is_absolute() else (base / local)
            local = local.resolve()
            if not local.exists():
                problems.append(
                    f"{label}, field 'source': file {str(local)!r} does not exist; fix the path "
                    "(relative paths are read from the folder of genesis.yaml)"
                )
            source = str(local)
        datasets.append(ds.model_copy(update={"source": source}))
    problems.extend(schedule_problems(config.schedule))
    found, pipelines = pipeline_problems(config.pipelines, base, [d.name for d in config.datasets])
    problems.extend(found)
    problems.extend(k8s_problems(config.executor, config.k8s))
    problems.extend(
        f"dataset {ds.name!r}: privacy_retry audits each attempt against the holdout, and "
        "holdout_fraction is 0; set holdout_fraction (e.g. 0.2) or remove privacy_retry"
        for ds in config.datasets
        if ds.privacy_retry is not None and ds.holdout_fraction == 0
    )
    if problems:
        raise ConfigError(f"{where} is invalid:\n  " + "\n  ".join(problems))
    if config.storage.kind == "s3" and not config.storage.bucket:
        raise ConfigError(
            f"{where} is invalid:\n  storage, field 'bucket' is required when kind is s3; add it"
        )
    root = Path(_expand(config.storage.root, "storage, field 'root'", where)).expanduser()
    root = root if root.is_absolute() else base / root
    warehouse = _expand(config.versioning.warehouse, "versioning, field 'warehouse'", where)
    if not is_url(warehouse):
        local = Path(warehouse).expanduser()
        warehouse = str((local if local.is_absolute() else base / local).resolve())
    elif not warehouse.startswith("file://") and not config.versioning.catalog:
        raise ConfigError(
            f"{where} is invalid:\n  versioning, field 'catalog' is required with the remote "
            f"warehouse {warehouse!r}; add e.g. {{uri: 'sqlite:////path/catalog.db'}} or a REST catalog"
        )
    return config.model_copy(
        update={
            "datasets": datasets,
            "pipelines": pipelines,
            "storage": config.storage.model_copy(update={"root": str(root.resolve())}),
            "versioning": config.versioning.model_copy(update={"warehouse": warehouse}),
        }
    )


_VARIABLE = re.compile(r"\$(\w+)|\$\{(\w+)\}")


def _expand(value: str, label: str, where: str) -> str:
    """``$VAR`` / ``${VAR}`` replaced by the environment (e.g. ``${DAGSTER_HOME}/artifacts``,
    so the artifacts belong to the Dagster instance); an unset variable is an error."""
    missing = [a or b for a, b in _VARIABLE.findall(value) if (a or b) not in os.environ]
    if missing:
        raise ConfigError(
            f"{where} is invalid:\n  {label}: {value!r} names the environment variable "
            f"{missing[0]}, which is not set; set it or write the path in full"
        )
    return os.path.expandvars(value)


def _drift_problems(ds: DatasetConfig, label: str) -> list[str]:
    """Test names in ``drift.tests`` and threshold values must be usable."""
    from genesis.drift import TESTS

    problems = []
    for column, test in ds.drift.tests.items():
        if test != "auto" and test not in TESTS:
            problems.append(
                f"{label}, field 'drift.tests': {test!r} (column {column!r}) is not a drift "
                f"test; use one of {['auto', *TESTS]}"
            )
    for key, value in ds.drift.thresholds.items():
        if value < 0:
            problems.append(
                f"{label}, field 'drift.thresholds': {key!r} is {value}; use a number >= 0"
            )
    return problems


def _format_problems(ds: DatasetConfig, label: str) -> list[str]:
    """The format must be readable, and a query needs an SQL source."""
    from genesis.errors import UnsupportedFormatError
    from genesis.io import READ_FORMATS as read_formats
    from genesis.io import detect_format

    if ds.format is not None:
        if ds.format.lower() not in read_formats:
            return [
                f"{label}, field 'format': {ds.format!r} is not readable; use one of {list(read_formats)}"
            ]
        fmt = ds.format.lower()
    else:
        try:
            fmt = detect_format(ds.source)
        except UnsupportedFormatError:
            return [
                f"{label}, field 'source': cannot tell the format of {ds.source!r} from its "
                f"extension; add 'format:' (one of {list(read_formats)})"
            ]
    if ds.query is not None and fmt != "sql":
        return [
            f"{label}, field 'query': only SQL sources take a query, and {ds.source!r} is read "
            f"as {fmt}; remove 'query' or use an SQLAlchemy URL as the source"
        ]
    return []


def check_columns(dataset: DatasetConfig, columns: list[str]) -> None:
    """Raise :class:`ConfigError` when a column named in the config is not in the data.

    Column names can only be checked once the source has been read, so ``raw_source`` calls
    this right after reading.
    """
    present = set(columns)
    problems = []
    if dataset.target is not None and dataset.target not in present:
        problems.append(f"field 'target': column {dataset.target!r} is not in the source")
    for field in ("sensitive_columns", "quasi_identifiers"):
        missing = [c for c in getattr(dataset, field) if c not in present]
        if missing:
            problems.append(f"field {field!r}: columns {missing} are not in the source")
    if problems:
        raise ConfigError(
            f"dataset {dataset.name!r}: "
            + "; ".join(problems)
            + f"; the source's columns are {list(columns)}, correct genesis.yaml"
        )
