"""The Kubernetes deployment profile (deploy/k8s): the definitions load with it through
``dagster definitions validate`` (no cluster, no database), its instance file passes Dagster's
own instance validation, and a typo in either fails."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
import yaml

from genesis.errors import ConfigError
from genesis_assets.config import load_config
from genesis_assets.deployment import K8sExecutorConfig, check_instance_yaml, executor_def
from genesis_assets.factory import build_definitions

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
#: what the Kubernetes Secrets hold in a real deployment: dummies, nothing connects
DUMMY_ENV = {
    "DAGSTER_PG_HOST": "postgresql.genesis.svc",
    "DAGSTER_PG_USERNAME": "dagster",
    "DAGSTER_PG_PASSWORD": "not-a-password",
    "DAGSTER_PG_DB": "dagster",
    "DAGSTER_K8S_JOB_NAMESPACE": "genesis",
    "GENESIS_LOGS_BUCKET": "genesis-logs",
    "AWS_ACCESS_KEY_ID": "dummy",
    "AWS_SECRET_ACCESS_KEY": "dummy",
    "PYICEBERG_CATALOG__GENESIS__URI": "postgresql+psycopg2://u:p@postgresql/catalog",
}


def _validate(config: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    home = tmp_path / "dagster_home"
    home.mkdir(exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry: {enabled: false}\n")
    env = {
        **os.environ,
        **DUMMY_ENV,
        "GENESIS_CONFIG": str(config),
        "DAGSTER_HOME": str(home),
        "PYTHONPATH": str(ROOT),
    }
    dagster = Path(sys.executable).with_name("dagster")
    return subprocess.run(
        [str(dagster), "definitions", "validate", "-m", "genesis_assets.definitions"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_k8s_profile_validates_with_dagster_cli(tmp_path):
    done = _validate(K8S / "genesis.k8s.yaml", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Validation successful" in done.stderr + done.stdout


def test_a_typo_in_the_k8s_profile_fails_validation(tmp_path):
    text = (K8S / "genesis.k8s.yaml").read_text().replace("max_concurrent:", "max_concurent:")
    broken = tmp_path / "genesis.k8s.yaml"
    broken.write_text(text)
    shutil.copytree(ROOT / "genesis_assets" / "data", tmp_path / "data")
    broken.write_text(text.replace("../../genesis_assets/data/", "data/"))
    done = _validate(broken, tmp_path)
    assert done.returncode != 0
    assert "max_concurent" in done.stdout + done.stderr


def test_k8s_profile_selects_the_k8s_executor_and_s3(monkeypatch):
    for key, value in DUMMY_ENV.items():
        monkeypatch.setenv(key, value)
    config = load_config(K8S / "genesis.k8s.yaml")
    assert config.executor == "k8s" and config.storage.kind == "s3"
    assert config.versioning.warehouse.startswith("s3://")
    defs = build_definitions(config)
    job = defs.resolve_job_def("materialize_all")
    assert job.executor_def.name == "k8s"
    # the profile's settings reach the executor's config
    assert config.k8s is not None and config.k8s.max_concurrent == 8
    resources = config.k8s.executor_config()["step_k8s_config"]["container_config"]["resources"]
    assert resources["limits"] == {"memory": "2Gi"}
    chunks = defs.resolve_job_def("adult_large_synthetic")
    assert chunks.executor_def.name == "k8s"
    assert len(chunks.partitions_def.get_partition_keys()) == 100  # 100M rows, 1M per chunk
    store = defs.resources["artifact_store"]
    assert store.path_for("adult", "large_synthetic").startswith("s3://genesis-artifacts/genesis/")


def test_embedded_profile_keeps_local_processes(make_config):
    defs = build_definitions(load_config(make_config(executor="multiprocess")))
    assert defs.resolve_job_def("materialize_all").executor_def is dg.multi_or_in_process_executor


def test_k8s_settings_without_the_k8s_executor_are_refused(make_config):
    path = make_config(executor="in_process", k8s={"max_concurrent": 2})
    with pytest.raises(ConfigError, match="only applies with executor 'k8s'"):
        load_config(path)
    path = make_config(executor="k8s", k8s={"step_resources": {"request": {"cpu": "1"}}})
    with pytest.raises(ConfigError, match="'request'.*use 'requests' and 'limits'"):
        load_config(path)


def test_k8s_executor_config_is_dagster_valid():
    settings = K8sExecutorConfig(
        max_concurrent=4, job_namespace="jobs", step_resources={"limits": {"memory": "1Gi"}}
    )
    configured = executor_def("k8s", settings)
    assert configured.name == "k8s"
    from dagster._config import process_config
    from dagster_k8s import k8s_job_executor

    schema = k8s_job_executor.config_schema.config_type
    checked = process_config(schema, settings.executor_config())
    assert checked.success, checked.errors
    assert checked.value["step_k8s_config"]["container_config"]["resources"] == {
        "limits": {"memory": "1Gi"}
    }
    assert checked.value["max_concurrent"] == 4 and checked.value["job_namespace"] == "jobs"
    assert executor_def("k8s", None) is k8s_job_executor


def test_k8s_instance_yaml_passes_dagsters_instance_validation(monkeypatch):
    for key, value in DUMMY_ENV.items():
        monkeypatch.setenv(key, value)
    sections = check_instance_yaml(K8S / "dagster.yaml")
    assert sections["run_launcher"] == "dagster_k8s.K8sRunLauncher"
    assert sections["storage"] == "dagster_postgres.DagsterPostgresStorage"
    assert sections["compute_logs"] == "dagster_aws.s3.compute_log_manager.S3ComputeLogManager"
    assert sections["run_coordinator"].endswith("QueuedRunCoordinator")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("run_queue:", "run_queu:", "run_queu"),  # a top-level key
        ("    job_namespace:", "    job_namspace:", "job_namspace"),  # the launcher's config
        ("      db_name:", "      database:", "database"),  # PostgreSQL's config
        ("class: K8sRunLauncher", "class: K8sRunLauncherX", "K8sRunLauncherX"),
    ],
)
def test_a_typo_in_the_instance_yaml_fails(monkeypatch, tmp_path, old, new, expected):
    for key, value in DUMMY_ENV.items():
        monkeypatch.setenv(key, value)
    text = (K8S / "dagster.yaml").read_text()
    assert old in text
    (tmp_path / "dagster.yaml").write_text(text.replace(old, new, 1))
    with pytest.raises(ConfigError, match=expected):
        check_instance_yaml(tmp_path / "dagster.yaml")


def test_instance_yaml_needs_its_secrets_in_the_environment(monkeypatch):
    for key, value in DUMMY_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("DAGSTER_PG_PASSWORD")
    with pytest.raises(ConfigError, match="DAGSTER_PG_PASSWORD"):
        check_instance_yaml(K8S / "dagster.yaml")
    with pytest.raises(ConfigError, match="does not exist"):
        check_instance_yaml(K8S / "missing.yaml")


def test_workspace_and_helm_values_name_the_code_location():
    from dagster._core.workspace.config_schema import ensure_workspace_config

    workspace = yaml.safe_load((K8S / "workspace.yaml").read_text())
    checked = ensure_workspace_config(workspace, str(K8S / "workspace.yaml"))
    server = checked["load_from"][0]["grpc_server"]
    values = yaml.safe_load((K8S / "helm-values.yaml").read_text())
    deployment = values["dagster-user-deployments"]["deployments"][0]
    assert (server["host"], server["port"]) == (deployment["name"], deployment["port"])
    assert deployment["dagsterApiGrpcArgs"] == ["-m", "genesis_assets.definitions"]
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    env = {e["name"]: e["value"] for e in deployment["env"]}
    # the image holds the repository at /opt/genesis (deploy/k8s/Dockerfile)
    profile = Path(env["GENESIS_CONFIG"]).relative_to("/opt/genesis")
    assert (ROOT / profile).is_file()
    assert "WORKDIR /opt/genesis" in (K8S / "Dockerfile").read_text()


def test_deployment_module_checks_instance_files_from_the_command_line(
    monkeypatch, tmp_path, capsys
):
    from genesis_assets.deployment import main

    for key, value in DUMMY_ENV.items():
        monkeypatch.setenv(key, value)
    assert main([str(K8S / "dagster.yaml")]) == 0
    assert "valid (storage=dagster_postgres.DagsterPostgresStorage" in capsys.readouterr().out
    broken = tmp_path / "dagster.yaml"
    broken.write_text((K8S / "dagster.yaml").read_text().replace("run_queue:", "run_queu:"))
    assert main([str(broken)]) == 1
    assert "run_queu" in capsys.readouterr().err
