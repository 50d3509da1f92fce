"""Where the code location runs: the executor its jobs use and the instance it is deployed on.

The profile is chosen by the configuration file (``GENESIS_CONFIG``): the embedded
``genesis.yaml`` runs steps in local processes; ``deploy/k8s/genesis.k8s.yaml`` sets
``executor: k8s``, so every step of a run is a pod of its own (dagster-k8s's
``k8s_job_executor``), with S3 artifacts and an S3 Iceberg warehouse. The instance side (run
launcher, PostgreSQL storage, S3 compute logs) is ``deploy/k8s/dagster.yaml``, checked by
:func:`check_instance_yaml` without connecting to anything::

    python -m genesis_assets.deployment deploy/k8s/dagster.yaml
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from genesis.errors import ConfigError, missing_dependency


class K8sExecutorConfig(BaseModel):
    """``k8s:`` in genesis.yaml, with ``executor: k8s``: the step pods of one run."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    max_concurrent: int | None = Field(
        None, gt=0, description="Step pods of one run at a time; empty: no limit."
    )
    job_namespace: str | None = Field(
        None, description="Namespace of the step jobs; empty: the run launcher's."
    )
    step_resources: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="Kubernetes resources of every step container, e.g. "
        "{requests: {cpu: '1', memory: 1Gi}, limits: {memory: 2Gi}}.",
    )

    def executor_config(self) -> dict[str, Any]:
        """The ``k8s_job_executor`` configuration these settings stand for."""
        out: dict[str, Any] = {}
        if self.max_concurrent is not None:
            out["max_concurrent"] = self.max_concurrent
        if self.job_namespace:
            out["job_namespace"] = self.job_namespace
        if self.step_resources:
            out["step_k8s_config"] = {"container_config": {"resources": self.step_resources}}
        return out


def k8s_problems(executor: str, settings: K8sExecutorConfig | None) -> list[str]:
    """``k8s:`` only makes sense with ``executor: k8s``; resource keys must be Kubernetes'."""
    problems = []
    if settings is not None and executor != "k8s":
        problems.append(
            f"top level, field 'k8s': only applies with executor 'k8s' (executor is "
            f"{executor!r}); set executor: k8s or remove 'k8s'"
        )
    unknown = sorted(set(settings.step_resources) - {"requests", "limits"}) if settings else []
    if unknown:
        problems.append(
            f"top level, field 'k8s.step_resources': {unknown} are not Kubernetes resource "
            "sections; use 'requests' and 'limits'"
        )
    return problems


def executor_def(executor: str, settings: K8sExecutorConfig | None = None) -> Any:
    """The Dagster executor of the ``executor`` setting (dagster-k8s only for 'k8s')."""
    import dagster as dg

    if executor == "multiprocess":
        return dg.multi_or_in_process_executor
    if executor == "in_process":
        return dg.in_process_executor
    try:
        from dagster_k8s import k8s_job_executor
    except ImportError as exc:
        raise missing_dependency("dagster_k8s", "executor 'k8s'") from exc
    config = (settings or K8sExecutorConfig()).executor_config()
    if not config:
        return k8s_job_executor
    from dagster._config import process_config

    checked = process_config(k8s_job_executor.config_schema.config_type, config)
    if not checked.success:  # fails when the code location loads, not when a run starts
        errors = "; ".join(e.message for e in checked.errors or [])
        raise ConfigError(f"top level, field 'k8s': k8s_job_executor refuses {config}: {errors}")
    return k8s_job_executor.configured(config)


def check_instance_yaml(path: str | Path) -> dict[str, str]:
    """Validate a Dagster instance file (``dagster.yaml``) the way the instance will, without
    starting it: the file's schema, then every configured class's own configuration
    (``env:`` values must be set). Returns ``{section: "module.Class"}``.

    Raises:
        ConfigError: the file is missing, a key is unknown or misspelt, a value has the wrong
            type, an ``env:`` variable is not set, or a class cannot be imported.
    """
    import dagster._check as check
    import yaml
    from dagster._config import process_config
    from dagster._core.errors import DagsterInvalidConfigError
    from dagster._core.instance.ref import InstanceRef
    from dagster._serdes.config_class import class_from_code_pointer

    file = Path(path).expanduser().resolve()
    if not file.is_file():
        raise ConfigError(f"instance file {str(file)!r} does not exist; fix the path")
    try:
        ref = InstanceRef.from_dir(str(file.parent), config_filename=file.name)
    except DagsterInvalidConfigError as exc:
        raise ConfigError(f"{file} is not a valid Dagster instance file: {exc}") from None
    sections = {
        "storage": ref.storage_data,
        "run_launcher": ref.run_launcher_data,
        "run_coordinator": ref.run_coordinator_data,
        "compute_logs": ref.compute_logs_data,
        "scheduler": ref.scheduler_data,
    }
    found = {}
    for section, data in sections.items():
        if data is None:
            continue
        where = f"{data.module_name}.{data.class_name}"
        try:
            cls = class_from_code_pointer(data.module_name, data.class_name)
        except (ImportError, AttributeError, check.CheckError) as exc:
            raise ConfigError(
                f"{file}, {section}: cannot import {where} ({exc}); install its package"
            ) from None
        result = process_config(cls.config_type(), yaml.safe_load(data.config_yaml) or {})
        if not result.success:
            errors = "; ".join(  # the first two lines: path and cause, not the stack
                " ".join(e.message.strip().splitlines()[:2]) for e in result.errors or []
            )
            raise ConfigError(f"{file}, {section} ({where}) is invalid: {errors}")
        found[section] = where
    return found


def main(argv: list[str] | None = None) -> int:
    """``python -m genesis_assets.deployment DAGSTER_YAML...``: check instance files."""
    paths = sys.argv[1:] if argv is None else argv
    for path in paths:
        try:
            sections = check_instance_yaml(path)
        except ConfigError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"{path}: valid ({', '.join(f'{k}={v}' for k, v in sections.items())})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
