"""Where models come from: the catalog of genesis.yaml, the file locator, the cache that
reloads a newer model."""

from __future__ import annotations

import pytest

from genesis.api.models import (
    MODEL_FILE,
    ArtifactModelLocator,
    Catalog,
    DatasetEntry,
    ModelCache,
    ModelVersion,
    read_catalog,
)
from genesis.errors import (
    ConfigError,
    ModelNotMaterializedError,
    ModelUnavailableError,
    UnknownDatasetError,
)


def test_the_catalog_lists_the_configured_datasets(api_project):
    catalog = read_catalog(api_project.config)
    assert catalog.names == ["adult", "pending"]
    assert catalog.entry("adult").target == "income"
    assert catalog.storage_root == api_project.folder / "artifacts"
    with pytest.raises(UnknownDatasetError, match="'adult', 'pending'"):
        catalog.entry("nope")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (None, "does not exist"),
        ("datasets: [}", "cannot read"),
        ("storage: {}", "no 'datasets'"),
        ("datasets: [{source: x.csv}]", "no 'datasets'"),
    ],  # fmt: skip
)
def test_a_bad_configuration_says_what_to_fix(tmp_path, text, words):
    path = tmp_path / "genesis.yaml"
    if text is not None:
        path.write_text(text)
    with pytest.raises(ConfigError, match=words):
        read_catalog(path)


def test_the_file_locator_reads_the_io_managers_model_file(api_project):
    locator = ArtifactModelLocator(api_project.folder / "artifacts")
    found = locator("adult")
    assert found.source == "file" and found.version
    assert found.load().method == "cart"
    assert locator("pending") is None


def _entry_catalog() -> Catalog:
    return Catalog((DatasetEntry("adult"), DatasetEntry("tables", relational=True)))


def test_the_cache_loads_once_and_reloads_a_newer_version(locator):
    model = locator("adult").load()
    versions = ["v1"]
    loads = []

    def changing(dataset: str) -> ModelVersion | None:
        return ModelVersion(dataset, versions[-1], load=lambda: loads.append(1) or model)

    now = [0.0]
    cache = ModelCache(_entry_catalog(), changing, check_seconds=5.0, clock=lambda: now[0])
    assert cache.get("adult")[1].version == "v1" and cache.get("adult")[0] is model
    assert len(loads) == 1  # loaded once
    versions.append("v2")
    assert cache.get("adult")[1].version == "v1"  # not asked again within check_seconds
    now[0] = 6.0
    assert cache.get("adult")[1].version == "v2" and len(loads) == 2
    assert cache.loaded() == 1


def test_the_cache_keeps_serving_when_the_store_is_unreachable(locator):
    model = locator("adult").load()
    reachable = [True]

    def flaky(dataset: str) -> ModelVersion:
        if not reachable[-1]:
            raise RuntimeError("instance down")
        return ModelVersion(dataset, "v1", load=lambda: model)

    now = [0.0]
    cache = ModelCache(_entry_catalog(), flaky, check_seconds=1.0, clock=lambda: now[0])
    assert cache.get("adult")[0] is model
    reachable.append(False)
    now[0] = 5.0
    assert cache.get("adult") == (model, ModelVersion("adult", "v1", load=lambda: model))


def test_the_cache_explains_missing_and_broken_models(locator):
    def broken(dataset: str) -> ModelVersion:
        return ModelVersion(dataset, "v1", load=lambda: (_ for _ in ()).throw(OSError("disk")))

    with pytest.raises(ModelUnavailableError, match="could not be loaded"):
        ModelCache(_entry_catalog(), broken).get("adult")
    with pytest.raises(ModelNotMaterializedError, match="linked tables"):
        ModelCache(_entry_catalog(), lambda d: None).get("tables")

    def failing(dataset: str):
        raise RuntimeError("instance down")

    with pytest.raises(ModelUnavailableError, match="DAGSTER_HOME"):
        ModelCache(_entry_catalog(), failing).get("adult")


def test_the_default_app_serves_the_model_files(api_project):
    from fastapi.testclient import TestClient

    from genesis.api import ApiSettings, create_app

    with TestClient(create_app(api_project.config, ApiSettings())) as client:
        datasets = client.get("/v1/datasets").json()["datasets"]
    assert datasets[0]["model"]["source"] == "file"
    assert (api_project.folder / "artifacts" / "adult" / MODEL_FILE).is_file()
