"""genesis.yaml: a good file loads with resolved paths; each kind of mistake fails at load."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from genesis.errors import GenesisError
from genesis_assets.config import (
    CONFIG_ENV_VAR,
    DEFAULT_CONFIG_PATH,
    ConfigError,
    check_columns,
    config_path,
    load_config,
)


def test_default_config_declares_the_packaged_adult_sample():
    config = load_config(DEFAULT_CONFIG_PATH)
    (adult,) = config.datasets
    assert adult.name == "adult"
    assert Path(adult.source).is_file()
    assert Path(adult.source).parent == DEFAULT_CONFIG_PATH.parent / "genesis_assets" / "data"
    assert adult.target == "income"
    assert adult.method == "auto"
    assert adult.automl_time_budget == 20
    assert str(adult.scenarios["seniors"].condition_set()) == "age >= 60"
    assert Path(config.storage.root) == DEFAULT_CONFIG_PATH.parent / ".genesis" / "artifacts"
    licence = Path(adult.source).parent / "LICENSE-adult.md"
    assert "CC BY 4.0" in licence.read_text()


def test_packaged_sample_has_5000_adult_rows():
    import pandas as pd

    df = pd.read_csv(load_config(DEFAULT_CONFIG_PATH).datasets[0].source)
    assert df.shape == (5000, 15)
    assert "income" in df.columns


def test_relative_paths_resolve_against_the_config_folder(make_config, tmp_path, monkeypatch):
    path = make_config()
    monkeypatch.chdir("/")
    config = load_config(path)
    assert config.datasets[0].source == str(tmp_path / "small.csv")
    assert config.storage.root == str(tmp_path / "artifacts")
    assert config.datasets[0].holdout_fraction == 0.2
    assert config.datasets[0].rows is None


def test_env_var_selects_the_config(make_config, monkeypatch):
    path = make_config()
    monkeypatch.setenv(CONFIG_ENV_VAR, str(path))
    assert config_path() == path
    assert load_config().datasets[0].source.endswith("small.csv")
    monkeypatch.delenv(CONFIG_ENV_VAR)
    assert config_path() == DEFAULT_CONFIG_PATH


def test_env_var_naming_a_missing_file_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv(CONFIG_ENV_VAR, str(tmp_path / "nope.yaml"))
    with pytest.raises(ConfigError, match=f"does not exist; set {CONFIG_ENV_VAR}"):
        load_config()


def test_unknown_key_names_dataset_field_and_fix(make_config, adult_dataset):
    path = make_config(adult_dataset("adult", metod="cart"))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "dataset 'adult'" in message
    assert "'metod'" in message
    assert "not a known field" in message and "'method'" in message  # lists the known fields
    assert isinstance(info.value, GenesisError)


def test_unknown_top_level_key(make_config, tmp_path):
    path = make_config()
    document = yaml.safe_load(path.read_text())
    document["dataset"] = []
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(ConfigError, match="top level, field 'dataset' is not a known field"):
        load_config(path)


def test_missing_source_file_names_dataset_and_field(make_config, adult_dataset):
    path = make_config(adult_dataset("census", "no_such_file.csv"))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "dataset 'census', field 'source'" in message
    assert "no_such_file.csv" in message and "does not exist" in message


def test_missing_source_field(make_config, adult_dataset):
    entry = adult_dataset("census")
    del entry["source"]
    with pytest.raises(ConfigError, match="dataset 'census', field 'source' is required"):
        load_config(make_config(entry))


def test_duplicate_name(make_config, adult_dataset):
    path = make_config(adult_dataset("adult"), adult_dataset("adult", seed=1))
    with pytest.raises(ConfigError, match="dataset 'adult', field 'name': the name is used"):
        load_config(path)


def test_bad_method_lists_the_methods(make_config, adult_dataset):
    path = make_config(adult_dataset("adult", method="magic"))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "dataset 'adult', field 'method'" in message
    assert "'magic'" in message and "cart" in message


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("rows", "many", "field 'rows'"),
        ("rows", 0, "field 'rows'"),
        ("seed", -1, "field 'seed'"),
        ("quality_threshold", 1.5, "field 'quality_threshold'"),
        ("holdout_fraction", 0.9, "field 'holdout_fraction'"),
        ("sensitive_columns", "income", "field 'sensitive_columns'"),
        ("method_params", [1], "field 'method_params'"),
    ],
)
def test_bad_types_and_ranges(make_config, adult_dataset, field, value, expected):
    path = make_config(adult_dataset("adult", **{field: value}))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "dataset 'adult'" in str(info.value)
    assert expected in str(info.value)


def test_invalid_dataset_name(make_config, adult_dataset):
    with pytest.raises(ConfigError, match="dataset 'my data', field 'name'"):
        load_config(make_config(adult_dataset("my data")))


def test_repeated_quasi_identifier(make_config, adult_dataset):
    path = make_config(adult_dataset("adult", quasi_identifiers=["age", "age"]))
    with pytest.raises(ConfigError, match="field 'quasi_identifiers'"):
        load_config(path)


def test_every_problem_is_reported_at_once(make_config, adult_dataset):
    path = make_config(adult_dataset("a", method="magic"), adult_dataset("b", "missing.csv"))
    message = str(pytest.raises(ConfigError, load_config, path).value)
    assert "dataset 'a', field 'method'" in message
    assert "dataset 'b', field 'source'" in message


@pytest.mark.parametrize("text", ["datasets: [", "- just\n- a list\n", ""])
def test_not_yaml_or_not_a_mapping(tmp_path, text):
    path = tmp_path / "genesis.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=str(path)):
        load_config(path)


def test_empty_datasets(tmp_path):
    path = tmp_path / "genesis.yaml"
    path.write_text("datasets: []\n")
    with pytest.raises(ConfigError, match="'datasets' is empty"):
        load_config(path)


def test_uri_sources_are_not_checked_on_disk(make_config, adult_dataset):
    path = make_config(adult_dataset("remote", "s3://bucket/adult.parquet"))
    assert load_config(path).datasets[0].source == "s3://bucket/adult.parquet"


def test_check_columns_names_dataset_and_field(make_config):
    dataset = load_config(make_config()).datasets[0]
    check_columns(dataset, ["age", "sex", "race", "income"])
    with pytest.raises(ConfigError) as info:
        check_columns(dataset, ["age", "sex", "race"])
    assert "dataset 'adult'" in str(info.value)
    assert "field 'target'" in str(info.value) and "field 'sensitive_columns'" in str(info.value)


def test_version_of_changes_with_the_setting(make_config, adult_dataset):
    first = load_config(make_config(adult_dataset("adult", method="cart"))).datasets[0]
    second = load_config(make_config(adult_dataset("adult", method="gaussian_copula"))).datasets[0]
    assert first.version_of("method") != second.version_of("method")
    assert first.version_of("seed") == second.version_of("seed")


def test_unreadable_format(make_config, adult_dataset):
    with pytest.raises(ConfigError, match="dataset 'adult', field 'format': 'xlsx'"):
        load_config(make_config(adult_dataset("adult", format="xlsx")))


def test_unknown_extension_asks_for_a_format(make_config, adult_dataset, tmp_path):
    (tmp_path / "table.dat").write_text("a,b\n1,2\n")
    path = make_config(adult_dataset("adult", "table.dat"))
    with pytest.raises(ConfigError, match="dataset 'adult', field 'source'.*add 'format:'"):
        load_config(path)
    assert load_config(make_config(adult_dataset("adult", "table.dat", format="csv")))


def test_query_needs_an_sql_source(make_config, adult_dataset):
    path = make_config(adult_dataset("adult", query="select * from adult"))
    with pytest.raises(ConfigError, match="dataset 'adult', field 'query'"):
        load_config(path)


def test_unknown_method_param_fails_at_load(make_config, adult_dataset):
    path = make_config(adult_dataset("adult", method="cart", method_params={"epochs": 10}))
    with pytest.raises(ConfigError, match="dataset 'adult', field 'method_params'.*epochs"):
        load_config(path)


def test_executor_defaults_to_multiprocess_and_is_validated(make_config, tmp_path):
    path = make_config()
    assert load_config(path).executor == "multiprocess"
    assert load_config(DEFAULT_CONFIG_PATH).executor == "in_process"
    document = yaml.safe_load(path.read_text())
    document["executor"] = "threads"
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(ConfigError, match="top level, field 'executor'"):
        load_config(path)


def test_passwords_in_source_urls_are_masked_for_display(make_config, adult_dataset):
    path = make_config(
        adult_dataset("db", "postgresql://genesis:s3cret@db.local/census", query="adult")
    )
    dataset = load_config(path).datasets[0]
    assert dataset.source == "postgresql://genesis:s3cret@db.local/census"
    assert dataset.display_source == "postgresql://genesis:***@db.local/census"
