"""``genesis discover``: the schema printed or written, in three formats."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import yaml


def test_discover_prints_or_writes_the_schema(invoke, files, tmp_path):
    printed = invoke(["discover", files / "real.csv"])
    assert printed.exit_code == 0, printed.output
    schema = yaml.safe_load(printed.stdout)
    assert [c["name"] for c in schema["columns"]][:2] == ["age", "workclass"]
    out = tmp_path / "schema.json"
    written = invoke(["discover", files / "real.csv", "--format", "json", "--output", out])
    assert written.exit_code == 0, written.output
    assert json.loads(out.read_text())["n_rows"] == 1_500
    python = invoke(["discover", files / "real.csv", "-f", "python"])
    namespace: dict = {}
    exec(python.stdout, namespace)
    assert namespace["schema"].names[0] == "age"


def test_discover_with_sep_finds_every_column(invoke, tmp_path):
    source = tmp_path / "pipes.csv"
    pd.DataFrame({"a": range(30), "b": ["x", "y", "z"] * 10}).to_csv(source, sep="|", index=False)
    one_column = invoke(["discover", source, "-f", "json"])
    assert one_column.exit_code == 0
    assert [c["name"] for c in json.loads(one_column.stdout)["columns"]] == ["a|b"]
    result = invoke(["discover", source, "-f", "json", "--sep", "|"])
    assert result.exit_code == 0, result.output
    assert [c["name"] for c in json.loads(result.stdout)["columns"]] == ["a", "b"]


def test_discover_of_an_empty_file_names_it(invoke, error_line, tmp_path):
    (tmp_path / "bad.csv").write_bytes(b"")
    result = invoke(["discover", tmp_path / "bad.csv"])
    assert result.exit_code == 1
    assert str(tmp_path / "bad.csv") in error_line(result)


def test_sep_does_not_apply_to_parquet_inputs(invoke, tmp_path):
    source = tmp_path / "t.parquet"
    pd.DataFrame({"a": range(20)}).to_parquet(source)
    result = invoke(["discover", source, "--sep", ";", "--encoding", "latin-1", "-f", "json"])
    assert result.exit_code == 0, result.output


def test_discover_shows_each_numeric_columns_support(invoke, tmp_path):
    rng = np.random.default_rng(0)
    minutes = rng.integers(300, 1400, 600)
    source = tmp_path / "flights.csv"
    pd.DataFrame(
        {
            "dep_time": (minutes // 60) * 100 + minutes % 60,
            "fee": np.where(rng.random(600) < 0.8, 0.0, np.round(rng.gamma(2, 30, 600), 2)),
        }
    ).to_csv(source, index=False)
    result = invoke(["discover", source])
    assert result.exit_code == 0, result.output
    assert "dep_time: HHMM clock time" in result.stderr
    assert "fee: point masses 0 (" in result.stderr
    schema = yaml.safe_load(result.stdout)
    supports = {c["name"]: c["support"] for c in schema["columns"]}
    assert supports["dep_time"]["encoding"] == "hhmm"
    assert supports["fee"]["point_masses"] == [0.0]
