"""``genesis generate`` on Adult, with a seed, other separators and encodings, and failures
whose messages match their cause."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest


def test_generate_writes_the_rows_with_a_seed(invoke, files, tmp_path):
    synthetic = pd.read_parquet(files / "synthetic.parquet")
    real = pd.read_csv(files / "real.csv")
    assert synthetic.shape == (1_000, real.shape[1])
    assert list(synthetic.columns) == list(real.columns)
    args = ["generate", files / "real.csv", "-n", "1000", "--seed", "3"]
    again = invoke([*args, "-o", tmp_path / "s.csv"])
    assert again.exit_code == 0, again.output
    assert "wrote 1,000 rows" in again.stderr
    assert again.stdout == ""  # progress goes to stderr
    same = pd.read_csv(tmp_path / "s.csv")
    pd.testing.assert_frame_equal(same, synthetic, check_dtype=False)


def test_sep_and_encoding_read_a_semicolon_latin1_table(invoke, tmp_path):
    rows = 60
    table = pd.DataFrame(
        {
            "ville": (["Besançon", "Orléans", "Créteil"] * rows)[:rows],
            "montant": [f"{i},5" for i in range(rows)],
            "âge": [20 + i % 40 for i in range(rows)],
        }
    )
    source = tmp_path / "clients.csv"
    source.write_bytes(table.to_csv(sep=";", index=False).encode("latin-1"))
    out = tmp_path / "out.csv"
    plain = invoke(["generate", source, "-n", "20", "-o", out])
    assert plain.exit_code == 1, plain.output
    assert "--encoding" in plain.stderr and "encoding=" not in plain.stderr
    result = invoke(
        ["generate", source, "-n", "20", "-o", out, "--sep", ";", "--encoding", "latin-1"]
    )
    assert result.exit_code == 0, result.output
    synthetic = pd.read_csv(out)
    assert list(synthetic.columns) == ["ville", "montant", "âge"]
    assert set(synthetic["ville"]) <= {"Besançon", "Orléans", "Créteil"}


def test_tab_separator_as_typed_on_a_shell(invoke, tmp_path):
    source = tmp_path / "t.txt.csv"
    pd.DataFrame({"a": range(50), "b": [i % 3 for i in range(50)]}).to_csv(
        source, sep="\t", index=False
    )
    out = tmp_path / "o.csv"
    result = invoke(["generate", source, "-n", "10", "-o", out, "--sep", "\\t"])
    assert result.exit_code == 0, result.output
    assert list(pd.read_csv(out).columns) == ["a", "b"]


def test_a_seed_beyond_32_bits_generates_rows(invoke, files, tmp_path):
    # depends on the CART fix (issue 12 item 12); before it the CLI prints one line, status 3
    out = tmp_path / "big-seed.csv"
    args = ["generate", files / "real.csv", "-n", "5", "-o", out, "--seed", str(2**32 + 7)]
    result = invoke(args)
    assert "Traceback" not in result.output
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(out)) == 5


def test_too_many_rows_says_memory_not_free_space(files, tmp_path, repo_root):
    """A billion rows: the library's memory budget error (or numpy's MemoryError under a
    4 GiB address-space limit) becomes advice about rows and chunks."""
    small = tmp_path / "small.csv"
    pd.read_csv(files / "real.csv").head(300).to_csv(small, index=False)
    code = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))\n"
        "from genesis.cli import app\n"
        "app(sys.argv[1:], prog_name='genesis')"
    )
    args = ["generate", str(small), "-n", str(10**9), "-o", str(tmp_path / "huge.parquet")]
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=repo_root,
        env={"PYTHONPATH": str(repo_root), "OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"},
    )
    assert out.returncode == 1, out.stderr[-2000:]
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and "Traceback" not in out.stderr
    assert "memory" in last.lower() and "free space" not in last
    assert not (tmp_path / "huge.parquet").exists()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["generate", "{d}/missing.csv", "-n", "5", "-o", "{t}/x.csv"], "does not exist"),
        (["generate", "{t}/bad.csv", "-n", "5", "-o", "{t}/x.csv"], "{t}/bad.csv"),
    ],
)
def test_failures_are_one_line_with_status_1(invoke, error_line, files, tmp_path, args, needle):
    (tmp_path / "bad.csv").write_bytes(b"")
    fill = {"d": str(files), "t": str(tmp_path)}
    result = invoke([a.format(**fill) for a in args])
    assert result.exit_code == 1, result.output
    assert needle.format(**fill) in error_line(result)


def test_auto_method_runs(invoke, files, tmp_path):
    small = tmp_path / "small.csv"
    pd.read_csv(files / "real.csv").head(300).to_csv(small, index=False)
    out = tmp_path / "x.csv"
    args = ["generate", small, "-n", "5", "-o", out, "--method", "auto", "--time-budget", "5"]
    result = invoke(args)
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(out)) == 5


@pytest.mark.parametrize(
    "args",
    [
        ["generate", "{d}/real.csv", "-n", "0", "-o", "{t}/x.csv"],
        ["generate", "{d}/real.csv", "-n", "-3", "-o", "{t}/x.csv"],
        ["generate", "{d}/real.csv", "-n", "5", "-o", "{t}/x.xlsx"],
        ["generate", "{d}/real.csv", "-n", "5", "-o", "{t}/x.csv", "--method", "gan"],
        ["generate", "{d}/real.csv", "-o", "{t}/x.csv"],
        ["generate", "{d}/real.csv", "-n", "5", "-o", "{t}/x.csv", "--time-budget", "5"],
        ["generate", "{d}/real.csv", "-n", "5", "-o", "{t}/x.csv", "--seed", "-1"],
    ],
)
def test_usage_errors_exit_2_and_write_nothing(invoke, files, tmp_path, args):
    fill = {"d": str(files), "t": str(tmp_path)}
    result = invoke([a.format(**fill) for a in args])
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize("method", ["cart", "gaussian_copula"])
def test_where_returns_exactly_n_rows_meeting_every_condition(invoke, files, tmp_path, method):
    out = tmp_path / "seniors.csv"
    args = ["generate", files / "real.csv", "-n", "300", "-m", method, "-o", out]
    wheres = ["age>=50", "sex in Female", "native-country not in Mexico,Canada"]
    result = invoke([*args, *(x for w in wheres for x in ("--where", w))])
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(out)
    assert len(rows) == 300
    assert (rows["age"] >= 50).all() and (rows["sex"] == "Female").all()
    assert not rows["native-country"].isin(["Mexico", "Canada"]).any()
    # without --where the same seed gives rows that do not all meet them
    plain = invoke(["generate", files / "real.csv", "-n", "300", "-m", method, "-o", out])
    assert plain.exit_code == 0 and not (pd.read_csv(out)["age"] >= 50).all()


def test_where_range_and_rare_combination(invoke, files, tmp_path):
    out = tmp_path / "rare.csv"
    wheres = ["age between 30 and 40", "education = Doctorate", "occupation = Prof-specialty"]
    args = ["generate", files / "real.csv", "-n", "200", "-o", out]
    result = invoke([*args, *(x for w in wheres for x in ("-w", w))])
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(out)
    assert len(rows) == 200 and rows["age"].between(30, 40).all()
    assert set(rows["education"]) == {"Doctorate"}
    assert set(rows["occupation"]) == {"Prof-specialty"}


@pytest.mark.parametrize("where", ["age >> 50", "age", "state in CA,,NY", "age between 3"])
def test_malformed_where_is_one_line_naming_the_grammar(invoke, error_line, files, tmp_path, where):
    args = ["generate", files / "real.csv", "-n", "10", "-o", tmp_path / "x.csv"]
    result = invoke([*args, "--where", where])
    assert result.exit_code == 1
    line = error_line(result)
    assert "cannot read the condition" in line
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("sex = Femal", "closest seen: ['Female']"),
        ("agee >= 50", "unknown column 'agee'"),
        ("age > 300", "outside the training range"),
        ("capital-gain between 1 and 100", "capital-gain =="),
    ],
)
def test_invalid_or_infeasible_where_says_why(invoke, error_line, files, tmp_path, where, expected):
    out = tmp_path / "x.csv"
    result = invoke(["generate", files / "real.csv", "-n", "10", "-o", out, "--where", where])
    assert result.exit_code == 1
    assert expected in error_line(result)
    assert not out.exists()
